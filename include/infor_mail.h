/*
 * mod_infor: mail, handed to a sendmail-compatible command.
 */
#ifndef INFOR_MAIL_H
#define INFOR_MAIL_H

#include <apr_pools.h>
#include <apr_time.h>

/* Runs command (through /bin/sh, in a process group of its own) with
 * message on its standard input, for at most timeout: past it the whole
 * group is killed.  APR_SUCCESS when it exits 0; else *why says what went
 * wrong (for the log), and APR_TIMEUP means it ran out of time. */
apr_status_t infor_mail_send(apr_pool_t *p, const char *command,
                             const char *message, apr_interval_time_t timeout,
                             const char **why);

/* What a password reset mail says. */
typedef struct {
    const char *from;         /* header values: checked by the caller */
    const char *to;
    const char *greeting;     /* the first name, or the user name */
    const char *username;
    const char *link;         /* the reset link; NULL for an account that
                               * signs in elsewhere */
    const char *lifetime;     /* how long the link works, in words */
    const char *authority;    /* where such an account signs in */
    int html;                 /* the user's EmailType is HTML */
} infor_reset_mail;

/* The whole message, headers and body: text/plain, or for html a
 * multipart/alternative of the same text and a text/html part in which
 * every value is escaped. */
const char *infor_mail_reset_message(apr_pool_t *p,
                                     const infor_reset_mail *m);

#endif
