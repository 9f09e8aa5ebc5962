/*
 * mod_infor: counters for mod_status (status.c), in memory all the
 * server's processes share, made in post_config and counted with atomic
 * increments.  With mod_status loaded, /server-status and its ?auto form
 * show them.  Without it they are still counted, and shown nowhere.
 */
#ifndef INFOR_STATUS_H
#define INFOR_STATUS_H

#include "infor_private.h"

/* Makes the shared counters (post_config, before the children start) and
 * hands the store its part (failed statements, write-lock waits). */
apr_status_t infor_status_create(apr_pool_t *pconf, server_rec *s);

/* Hooks mod_status's status_hook (an optional hook: no harm without
 * mod_status). */
void infor_status_register_hooks(apr_pool_t *p);

/* One call answered: its binding (when known), and an application error,
 * a failed login or a store error (a server error: the store failed, the
 * answer is "SystemError: ...") when e says so. */
void infor_status_call(const infor_call *call, const infor_error *e);

/* A login refused by a throttle, for the code that throttles. */
void infor_status_throttled_login(void);

/* A store failure no call's answer shows (the maintenance thread's purge). */
void infor_status_store_error(void);

#endif
