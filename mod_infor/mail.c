/*
 * mod_infor: the reset mail, and handing a message to the mail command
 * (InforMailCommand), as sendmail -t reads one: headers, a blank line, the
 * body.
 *
 * The command runs in a process group of its own and has InforMailTimeout
 * to take the message and exit; past it the whole group (the shell and
 * whatever it started) is killed, so a hanging command cannot hold an
 * httpd worker.  fork() is called directly, not through apr_proc_create,
 * because APR cannot give the child a process group of its own; between
 * fork and exec the child only makes async-signal-safe calls.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1   /* close_range() */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apr_strings.h>

#include "infor.h"
#include "infor_mail.h"

/* Closes every descriptor from 3 up in the child (httpd's sockets, the
 * database, logs): the command gets its input and httpd's stderr only. */
static void close_inherited(void)
{
    long fd, max = sysconf(_SC_OPEN_MAX);

#ifdef __linux__
    if (close_range(3, ~0U, 0) == 0) {
        return;
    }
#endif
    if (max < 0 || max > 65536) {
        max = 65536;
    }
    for (fd = 3; fd < max; fd++) {
        close((int)fd);
    }
}

/* Milliseconds until deadline, at least 0. */
static int ms_left(apr_time_t deadline)
{
    apr_time_t left = deadline - apr_time_now();
    return left > 0 ? (int)((left + 999) / 1000) : 0;
}

/* Writes all of message to fd (non-blocking) before the deadline. */
static apr_status_t write_all(int fd, const char *message, apr_time_t deadline)
{
    apr_size_t len = strlen(message), done = 0;

    while (done < len) {
        ssize_t n = write(fd, message + done, len - done);

        if (n > 0) {
            done += (apr_size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = { fd, POLLOUT, 0 };
            int left = ms_left(deadline);

            if (left == 0) {
                return APR_TIMEUP;
            }
            if (poll(&pfd, 1, left) < 0 && errno != EINTR) {
                return errno;
            }
            continue;
        }
        return n < 0 ? errno : APR_EGENERAL;
    }
    return APR_SUCCESS;
}

apr_status_t infor_mail_send(apr_pool_t *p, const char *command,
                             const char *message, apr_interval_time_t timeout,
                             const char **why)
{
    apr_time_t deadline = apr_time_now() + timeout;
    apr_interval_time_t nap = 1000;
    apr_status_t wrv;
    struct sigaction dfl;
    sigset_t none;
    int fds[2], status = 0;
    pid_t pid, got;

    if (pipe(fds) != 0) {
        *why = "cannot make a pipe for the mail command";
        return errno;
    }
    /* Neither end leaks into what other threads start; dup2() gives the
     * child its stdin without the flag. */
    (void)fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    (void)fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    /* Made before fork: the child only uses them. */
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&none);
    pid = fork();
    if (pid < 0) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        *why = "cannot start the mail command";
        return err;
    }
    if (pid == 0) {
        /* The child: async-signal-safe calls only.  httpd's worker threads
         * block signals and httpd ignores SIGPIPE; the command gets
         * neither. */
        (void)sigaction(SIGPIPE, &dfl, NULL);
        (void)sigprocmask(SIG_SETMASK, &none, NULL);
        (void)setpgid(0, 0);
        if (dup2(fds[0], STDIN_FILENO) < 0) {
            _exit(126);
        }
        close_inherited();
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    /* Also here, so the group exists whichever of the two runs first. */
    (void)setpgid(pid, pid);
    close(fds[0]);
    (void)fcntl(fds[1], F_SETFL, O_NONBLOCK);
    wrv = write_all(fds[1], message, deadline);
    close(fds[1]);

    /* Wait for it, in naps growing from 1 ms to 50 ms, until the
     * deadline. */
    for (;;) {
        got = waitpid(pid, &status, WNOHANG);
        if (got == pid || (got < 0 && errno != EINTR)) {
            break;
        }
        if (apr_time_now() >= deadline) {
            (void)kill(-pid, SIGKILL);
            (void)kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            *why = apr_psprintf(p, "the mail command did not finish within "
                                "%" APR_TIME_T_FMT " ms and was killed",
                                apr_time_as_msec(timeout));
            return APR_TIMEUP;
        }
        apr_sleep(nap);
        if (nap < 50000) {
            nap *= 2;
        }
    }
    if (got < 0) {
        *why = "cannot wait for the mail command";
        return APR_EGENERAL;
    }
    if (WIFSIGNALED(status)) {
        *why = apr_psprintf(p, "the mail command failed (signal %d)",
                            WTERMSIG(status));
        return APR_EGENERAL;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        *why = apr_psprintf(p, "the mail command failed (exit %d)",
                            WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return APR_EGENERAL;
    }
    if (wrv != APR_SUCCESS) {
        *why = "cannot write to the mail command";
        return wrv;
    }
    return APR_SUCCESS;
}

/* ------------------------------------------------------------- message */

static const char *text_body(apr_pool_t *p, const infor_reset_mail *m)
{
    if (m->link) {
        return apr_psprintf(p,
            "Hello %s,\n\n"
            "someone asked to reset the password of your account %s.\n"
            "To choose a new password, open this link within %s:\n\n"
            "%s\n\n"
            "If you did not ask for this, you can ignore this message.\n",
            m->greeting, m->username, m->lifetime, m->link);
    }
    return apr_psprintf(p,
        "Hello %s,\n\n"
        "someone asked to reset the password of your account %s.\n"
        "Your account signs in through %s, so its password cannot be\n"
        "reset here: please ask your administrator.\n",
        m->greeting, m->username, m->authority);
}

/* Appends s with its values escaped: each %s of fmt takes the next
 * argument. */
static void html_add(infor_buf *b, const char *fmt, const char *v1,
                     const char *v2)
{
    const char *vals[2] = { v1, v2 };
    int next = 0;

    for (; *fmt; fmt++) {
        if (fmt[0] == '%' && fmt[1] == 's' && next < 2) {
            infor_xml_escape(b, vals[next++]);
            fmt++;
        }
        else {
            infor_buf_add(b, fmt, 1);
        }
    }
}

static const char *html_body(apr_pool_t *p, const infor_reset_mail *m)
{
    infor_buf b;

    infor_buf_init(&b, p, 1024);
    infor_buf_puts(&b, "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\">"
                       "<title>Password reset</title></head>\n<body>\n");
    html_add(&b, "<p>Hello %s,</p>\n", m->greeting, NULL);
    html_add(&b, "<p>someone asked to reset the password of your account "
                 "<b>%s</b>.</p>\n", m->username, NULL);
    if (m->link) {
        html_add(&b, "<p>To choose a new password, open this link within "
                     "%s:</p>\n", m->lifetime, NULL);
        html_add(&b, "<p><a href=\"%s\">%s</a></p>\n", m->link, m->link);
        infor_buf_puts(&b, "<p>If you did not ask for this, you can ignore "
                           "this message.</p>\n");
    }
    else {
        html_add(&b, "<p>Your account signs in through %s, so its password "
                     "cannot be reset here: please ask your "
                     "administrator.</p>\n", m->authority, NULL);
    }
    infor_buf_puts(&b, "</body>\n</html>\n");
    return infor_buf_str(&b);
}

const char *infor_mail_reset_message(apr_pool_t *p,
                                     const infor_reset_mail *m)
{
    const char *head = apr_psprintf(p,
        "From: %s\nTo: %s\nSubject: Password reset\nMIME-Version: 1.0\n",
        m->from, m->to);
    char guid[INFOR_GUID_LEN + 1], boundary[INFOR_GUID_LEN + 1], *o;
    const char *g;

    if (!m->html) {
        return apr_pstrcat(p, head,
                           "Content-Type: text/plain; charset=utf-8\n"
                           "Content-Transfer-Encoding: 8bit\n\n",
                           text_body(p, m), NULL);
    }
    /* The text first: a reader without HTML shows it; the boundary is
     * random, so no value can end a part early. */
    if (!infor_guid_new(guid)) {
        apr_cpystrn(guid, "infor-reset-mail-part", sizeof(guid));
    }
    /* 32 hex digits: nothing in the mail reads it as a code. */
    for (g = guid, o = boundary; *g; g++) {
        if (*g != '-') {
            *o++ = *g;
        }
    }
    *o = '\0';
    return apr_pstrcat(p, head,
        "Content-Type: multipart/alternative; boundary=\"=_", boundary,
        "\"\n\n"
        "--=_", boundary, "\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\n",
        text_body(p, m),
        "\n--=_", boundary, "\n"
        "Content-Type: text/html; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\n",
        html_body(p, m),
        "\n--=_", boundary, "--\n", NULL);
}
