/*
 * mod_infor: mail, handed to a sendmail-compatible command.
 */
#ifndef INFOR_MAIL_H
#define INFOR_MAIL_H

#include <apr_pools.h>

/* Runs command (through /bin/sh) with message on its standard input.
 * APR_SUCCESS when it exits 0; else *why says what went wrong (for the
 * log). */
apr_status_t infor_mail_send(apr_pool_t *p, const char *command,
                             const char *message, const char **why);

#endif
