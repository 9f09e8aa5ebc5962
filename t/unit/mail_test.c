/*
 * Unit tests for mod_infor/mail.c: the reset mail in both formats (every
 * value escaped in HTML), and the mail command's time limit: a command
 * that fails, one that hangs (killed, with what it started), one that
 * never reads its input.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "infor.h"
#include "infor_mail.h"
#include "tap.h"

static apr_pool_t *pool;

static int has(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

static infor_reset_mail sample(int html)
{
    infor_reset_mail m;

    memset(&m, 0, sizeof(m));
    m.from = "infoRouter <noreply@example.com>";
    m.to = "carol@example.com";
    m.greeting = "Carol <&> \"C\" 'x'";
    m.username = "c<b>&o";
    m.link = "https://docs.example.com/reset?username=c%3Cb%3E%26o"
             "&secretText=0badf00d-dead-beef-cafe-000000000001";
    m.lifetime = "60 minutes";
    m.html = html;
    return m;
}

static void test_text(void)
{
    infor_reset_mail m = sample(0);
    const char *msg = infor_mail_reset_message(pool, &m);
    const char *body = msg ? strstr(msg, "\n\n") : NULL;

    static const char head[] = "From: infoRouter <noreply@example.com>\n"
                               "To: carol@example.com\n"
                               "Subject: Password reset\nMIME-Version: 1.0\n"
                               "Content-Type: text/plain; charset=utf-8\n"
                               "Content-Transfer-Encoding: 8bit\n\n";

    ok(msg && strncmp(msg, head, sizeof(head) - 1) == 0,
       "text: the headers, text/plain");
    is_str(body ? body + 2 : NULL,
           "Hello Carol <&> \"C\" 'x',\n\n"
           "someone asked to reset the password of your account c<b>&o.\n"
           "To choose a new password, open this link within 60 minutes:\n\n"
           "https://docs.example.com/reset?username=c%3Cb%3E%26o"
           "&secretText=0badf00d-dead-beef-cafe-000000000001\n\n"
           "If you did not ask for this, you can ignore this message.\n",
           "text: the body, values as they are");
    ok(!has(msg, "text/html") && !has(msg, "multipart"),
       "text: no HTML part");
}

static void test_html(void)
{
    infor_reset_mail m = sample(1);
    const char *msg = infor_mail_reset_message(pool, &m);
    const char *b = has(msg, "boundary=\"") ? strstr(msg, "boundary=\"") + 10
                                           : NULL;
    char boundary[64] = "";
    const char *html;

    if (b && strchr(b, '"') && strchr(b, '"') - b < 60) {
        apr_cpystrn(boundary, b, (apr_size_t)(strchr(b, '"') - b) + 1);
    }
    ok(has(msg, "\nMIME-Version: 1.0\nContent-Type: multipart/alternative; "
                "boundary=\"=_"), "html: multipart/alternative");
    ok(strlen(boundary) == 2 + 32
       && strspn(boundary + 2, "0123456789abcdef") == 32,
       "html: a random boundary of 32 hex digits");
    ok(has(msg, apr_psprintf(pool, "\n--%s\nContent-Type: text/plain; "
                             "charset=utf-8\n", boundary))
       && has(msg, apr_psprintf(pool, "\n--%s\nContent-Type: text/html; "
                                "charset=utf-8\n", boundary))
       && has(msg, apr_psprintf(pool, "\n--%s--\n", boundary)),
       "html: a text part, an HTML part, the closing boundary");
    ok(has(msg, "\n\nHello Carol <&> \"C\" 'x',\n"),
       "html: the text part as in a text mail");
    html = has(msg, "text/html") ? strstr(msg, "text/html") : "";
    ok(has(html, "<p>Hello Carol &lt;&amp;&gt; &quot;C&quot; &apos;x&apos;,"
                 "</p>"), "html: the greeting escaped");
    ok(has(html, "your account <b>c&lt;b&gt;&amp;o</b>.</p>"),
       "html: the user name escaped");
    ok(has(html, "<a href=\"https://docs.example.com/reset?username="
                 "c%3Cb%3E%26o&amp;secretText=0badf00d-dead-beef-cafe-"
                 "000000000001\">https://docs.example.com/reset?username="
                 "c%3Cb%3E%26o&amp;secretText=0badf00d-dead-beef-cafe-"
                 "000000000001</a>"), "html: the link, & escaped");
    ok(has(html, "within 60 minutes:</p>") && has(html, "</html>\n"),
       "html: the lifetime, a whole document");
    ok(!has(html, "<b>&o") && !has(html, "<&>"),
       "html: no raw value in the HTML part");
}

static void test_external(void)
{
    infor_reset_mail m = sample(1);
    const char *msg;

    m.link = NULL;
    m.authority = "LDAP <corp>";
    msg = infor_mail_reset_message(pool, &m);
    ok(!has(msg, "secretText") && !has(msg, "<a href"),
       "external: no link in either part");
    ok(has(msg, "signs in through LDAP <corp>, so")
       && has(msg, "signs in through LDAP &lt;corp&gt;, so"),
       "external: the authority, escaped in HTML");
}

/* 1 when process pid is gone (or a zombie nobody reaps here). */
static int gone(long pid)
{
    char path[64], buf[256];
    int i;

    for (i = 0; i < 40; i++) {
        FILE *f;
        const char *state;

        snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
        f = fopen(path, "r");
        if (!f) {
            return 1;
        }
        buf[0] = '\0';
        if (!fgets(buf, sizeof(buf), f)) {
            buf[0] = '\0';
        }
        fclose(f);
        state = strrchr(buf, ')');
        if (state && state[1] == ' ' && (state[2] == 'Z' || state[2] == 'X')) {
            return 1;
        }
        apr_sleep(apr_time_from_msec(50));
    }
    return 0;
}

static void test_send(void)
{
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *out = apr_psprintf(pool, "%s/infor-mail-test-%ld", dir,
                             (long)getpid());
    char *pidfile = apr_pstrcat(pool, out, ".pid", NULL);
    const char *why = NULL;
    char *big, got[64] = "";
    apr_time_t t0;
    apr_status_t rv;
    FILE *f;
    long pid = 0;

    rv = infor_mail_send(pool, apr_psprintf(pool, "cat > '%s'", out),
                         "To: x@example.com\n\nhello\n",
                         apr_time_from_sec(10), &why);
    ok(rv == APR_SUCCESS, "send: cat succeeds");
    f = fopen(out, "r");
    if (f) {
        size_t n = fread(got, 1, sizeof(got) - 1, f);
        got[n] = '\0';
        fclose(f);
    }
    is_str(got, "To: x@example.com\n\nhello\n", "send: the message as given");
    unlink(out);

    why = NULL;
    rv = infor_mail_send(pool, "cat >/dev/null; exit 3", "x\n",
                         apr_time_from_sec(10), &why);
    ok(rv != APR_SUCCESS && !APR_STATUS_IS_TIMEUP(rv), "send: exit 3 fails");
    is_str(why, "the mail command failed (exit 3)", "send: exit 3 said");

    why = NULL;
    rv = infor_mail_send(pool, "exec 2>/dev/null; /nonexistent/sendmail -t",
                         "x\n",
                         apr_time_from_sec(10), &why);
    ok(rv != APR_SUCCESS, "send: a missing command fails");
    is_str(why, "the mail command failed (exit 127)",
           "send: a missing command fails (exit 127)");

    /* Hangs, with a grandchild: both killed at the deadline. */
    why = NULL;
    t0 = apr_time_now();
    rv = infor_mail_send(pool, apr_psprintf(pool, "cat >/dev/null; "
                                            "sleep 30 & echo $! > '%s'; "
                                            "wait", pidfile),
                         "x\n", apr_time_from_msec(300), &why);
    ok(APR_STATUS_IS_TIMEUP(rv), "hang: APR_TIMEUP");
    is_str(why, "the mail command did not finish within 300 ms and was "
                "killed", "hang: said");
    ok(apr_time_now() - t0 < apr_time_from_sec(5),
       "hang: answered long before the command would have ended");
    f = fopen(pidfile, "r");
    if (f) {
        if (fscanf(f, "%ld", &pid) != 1) {
            pid = 0;
        }
        fclose(f);
    }
    ok(pid > 0 && gone(pid), "hang: what the command started is killed too");
    unlink(pidfile);

    /* Never reads: a message larger than a pipe holds cannot be written;
     * the deadline still holds. */
    big = apr_palloc(pool, 1024 * 1024 + 1);
    memset(big, 'x', 1024 * 1024);
    big[1024 * 1024] = '\0';
    why = NULL;
    t0 = apr_time_now();
    rv = infor_mail_send(pool, "sleep 30", big, apr_time_from_msec(300),
                         &why);
    ok(APR_STATUS_IS_TIMEUP(rv)
       && apr_time_now() - t0 < apr_time_from_sec(5),
       "no reader: APR_TIMEUP at the deadline");
}

int main(void)
{
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);
    /* As in httpd: a closed pipe is an error, not a signal. */
    signal(SIGPIPE, SIG_IGN);

    test_text();
    test_html();
    test_external();
    test_send();

    return done_testing();
}
