/*
 * mod_infor: the operations' side of the guessing limits (infor_guard):
 * what a login or reset asks and reports.  The counting, holding and
 * logging are the httpd side's (throttle.c).
 */
#include <apr_strings.h>

#include "infor_ops.h"

static const infor_guard *guard_of(const infor_ctx *ctx)
{
    return ctx->call ? ctx->call->guard : NULL;
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

int infor_login_held(const infor_ctx *ctx, const char *name)
{
    const infor_guard *g = guard_of(ctx);
    long secs;

    if (!g || (secs = g->held(g->baton, INFOR_LIMIT_LOGIN,
                              or_empty(name))) <= 0) {
        return 0;
    }
    g->refused(g->baton, or_empty(name),
               apr_psprintf(ctx->pool, "throttled, held %ld s more "
                            "(password not checked)", secs));
    return 1;
}

void infor_login_failed(const infor_ctx *ctx, const char *name,
                        const char *reason)
{
    const infor_guard *g = guard_of(ctx);

    if (g) {
        g->count(g->baton, INFOR_LIMIT_LOGIN, or_empty(name));
        g->refused(g->baton, or_empty(name), reason);
    }
}

void infor_login_passed(const infor_ctx *ctx, const char *name)
{
    const infor_guard *g = guard_of(ctx);

    if (g) {
        g->passed(g->baton, or_empty(name));
    }
}

int infor_reset_held(const infor_ctx *ctx, const char *name)
{
    const infor_guard *g = guard_of(ctx);
    long secs;

    if (!g || (secs = g->held(g->baton, INFOR_LIMIT_RESET,
                              or_empty(name))) <= 0) {
        return 0;
    }
    g->reset_held(g->baton, or_empty(name), secs);
    return 1;
}

void infor_reset_sent(const infor_ctx *ctx, const char *name)
{
    const infor_guard *g = guard_of(ctx);

    if (g) {
        g->count(g->baton, INFOR_LIMIT_RESET, or_empty(name));
    }
}

void infor_reset_mail_failed(const infor_ctx *ctx, const char *name,
                             const char *why)
{
    const infor_guard *g = guard_of(ctx);

    if (g) {
        g->mail_failed(g->baton, or_empty(name), or_empty(why));
    }
}
