/*
 * mod_infor: dispatch.  The one place that checks parameters, tickets and
 * permissions before an operation runs; no handler can be reached around
 * it.  Driven entirely by the operation table.
 */
#include <string.h>

#include <apr_strings.h>

#include "infor_ops.h"

static int param_index(const infor_op *op, unsigned flag)
{
    int i;

    for (i = 0; i < INFOR_MAX_PARAMS && op->params[i].name; i++) {
        if (op->params[i].flags & flag) {
            return i;
        }
    }
    return -1;
}

/* Presence and well-formedness of the values, before anything is read.
 * A ticket parameter that may come from the cookie gets it here. */
static infor_error *check_params(apr_pool_t *p, infor_call *call)
{
    const infor_op *op = call->op;
    int i, n, http = call->binding == INFOR_BIND_GET
                     || call->binding == INFOR_BIND_POST;

    if (call->cookie_ticket
        && !infor_text_ok(call->cookie_ticket, strlen(call->cookie_ticket))) {
        return infor_client_error(p, 400, "Invalid ticket cookie.");
    }
    for (i = 0; i < INFOR_MAX_PARAMS && op->params[i].name; i++) {
        const char *v = call->args[i], *name = op->params[i].name;
        unsigned flags = op->params[i].flags;

        if (!v) {
            if (http && (flags & INFOR_P_REQUIRED)) {
                return infor_client_error(p, 400, apr_psprintf(p,
                    "Missing parameter: %s.", name));
            }
        }
        else if (!infor_text_ok(v, strlen(v))) {
            return infor_client_error(p, 400, apr_psprintf(p,
                "Invalid parameter: %s is not valid UTF-8 text.", name));
        }
        else if ((flags & (INFOR_P_INT | INFOR_P_BOOL))
                 && !infor_parse_value(v, flags, &n)) {
            return infor_client_error(p, 400, apr_psprintf(p,
                "Invalid parameter: %s must be %s.", name,
                (flags & INFOR_P_BOOL) ? "true or false" : "an integer"));
        }
        /* A "ticket" cookie that is no GUID is some other application's
         * on the same host: it is ignored, not refused. */
        if ((flags & INFOR_P_COOKIE) && (!v || !*v)
            && infor_guid_valid(call->cookie_ticket)) {
            call->args[i] = call->cookie_ticket;
        }
    }
    return NULL;
}

/* Finds the caller's session.  Sets ctx->caller, ctx->session. */
static infor_error *check_ticket(infor_ctx *ctx)
{
    const infor_op *op = ctx->call->op;
    const char *bad = (op->flags & INFOR_OP_BAD_TICKET_901)
                      ? INFOR_ERR_TICKET : INFOR_ERR_AUTH;
    const char *ticket = NULL, *key;
    infor_session *s = NULL;
    infor_user *u = NULL;
    int i = param_index(op, INFOR_P_TICKET);

    if (i >= 0) {
        ticket = ctx->call->args[i];
    }
    if (!ticket || !infor_guid_valid(ticket)) {
        return infor_app_error(ctx->pool, bad);
    }
    key = infor_ticket_key(ctx->pool, ticket);
    if (infor_store_session_get(ctx->db, key, &s, &u) != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    if (!s) {
        return infor_app_error(ctx->pool, INFOR_ERR_TICKET);
    }
    if (s->expires <= ctx->now || !u->enabled) {
        /* Dead for good: drop it now rather than wait for the purge. */
        if (infor_store_session_delete(ctx->db, key) != APR_SUCCESS) {
            return infor_server_error(ctx->pool, ctx->db->errmsg);
        }
        return infor_app_error(ctx->pool, INFOR_ERR_TICKET);
    }
    if (!(op->flags & INFOR_OP_NO_EXTEND)) {
        /* Slide the expiry, but write it at most once per refresh
         * interval: most calls then cost no write at all. */
        apr_time_t expires = ctx->now + ctx->settings->ticket_lifetime;
        if (expires - s->expires >= ctx->settings->ticket_refresh) {
            if (infor_store_session_extend(ctx->db, key, expires,
                                           expires
                                           - ctx->settings->ticket_refresh)
                != APR_SUCCESS) {
                return infor_server_error(ctx->pool, ctx->db->errmsg);
            }
            s->expires = expires;
        }
    }
    ctx->caller = u;
    ctx->session = s;
    ctx->ticket = ticket;
    return NULL;
}

/* Resolves the target user and applies the operation's access rule. */
static infor_error *check_access(infor_ctx *ctx)
{
    const infor_op *op = ctx->call->op;
    int i = param_index(op, INFOR_P_TARGET);
    const char *denied = op->denied ? op->denied : INFOR_ERR_DENIED;
    const char *name;

    if (op->access == INFOR_ACCESS_ADMIN && !ctx->caller->is_admin) {
        return infor_app_error(ctx->pool, denied);
    }
    if (i < 0) {
        return NULL;
    }
    name = ctx->call->args[i];
    if (!*infor_trim(ctx->pool, name)) {
        if (!(op->flags & INFOR_OP_EMPTY_IS_SELF)) {
            return infor_app_error(ctx->pool, INFOR_ERR_NO_USER);
        }
        ctx->target = ctx->caller;
    }
    else if (strncasecmp(name, "ID:", 3) != 0
             && strcmp(infor_name_key(ctx->pool, name),
                       infor_name_key(ctx->pool, ctx->caller->username))
                == 0) {
        /* Oneself by name: the record just read with the ticket. */
        ctx->target = ctx->caller;
    }
    else if (infor_store_user_find(ctx->db, name, &ctx->target)
             != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    /* A non-administrator learns nothing about other accounts, not even
     * whether they exist: anything but their own is "Access denied". */
    if (op->access == INFOR_ACCESS_SELF_OR_ADMIN && !ctx->caller->is_admin
        && (!ctx->target || ctx->target->id != ctx->caller->id)) {
        return infor_app_error(ctx->pool, denied);
    }
    if (!ctx->target) {
        return infor_app_error(ctx->pool, INFOR_ERR_NO_USER);
    }
    return NULL;
}

infor_elem *infor_result_error(apr_pool_t *p, const infor_op *op,
                               const infor_error *e)
{
    infor_elem *r = infor_elem_make(p, op->root);
    int response = strcmp(op->root, "response") == 0;

    infor_elem_attr(r, "success", e ? "false" : "true");
    /* <response> always carries error; <root> only on failure. */
    if (e || response) {
        infor_elem_attr(r, "error", e ? e->message : "");
    }
    return r;
}

void infor_ctx_audit(const infor_ctx *ctx, infor_audit *a)
{
    a->action = ctx->call->op->name;
    a->actor_id = ctx->caller ? ctx->caller->id : 0;
    a->actor_name = ctx->caller ? ctx->caller->username : "";
    a->client = ctx->call->client_ip ? ctx->call->client_ip : "";
}

infor_error *infor_change_user(infor_ctx *ctx, const infor_user *u,
                               const infor_user_change *c)
{
    infor_audit a;
    apr_status_t rv;

    infor_ctx_audit(ctx, &a);
    rv = infor_store_user_update(ctx->db, u, c, ctx->now, &a);
    if (rv == APR_EEXIST) {
        return infor_app_error(ctx->pool, INFOR_ERR_NAME_TAKEN);
    }
    if (rv != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    return NULL;
}

infor_elem *infor_dispatch(apr_pool_t *p, const infor_settings *settings,
                           infor_db *db, const infor_call *in,
                           const char **user_out, infor_error **err)
{
    infor_call call_copy = *in, *call = &call_copy;
    infor_ctx ctx;
    infor_error *e;

    memset(&ctx, 0, sizeof(ctx));
    ctx.pool = p;
    ctx.settings = settings;
    ctx.db = db;
    ctx.call = call;
    ctx.now = apr_time_now();
    ctx.result = infor_result_error(p, call->op, NULL);
    *err = NULL;
    *user_out = NULL;

    if ((e = check_params(p, call)) != NULL) {
        *err = e;
        return NULL;
    }
    if (call->op->access != INFOR_ACCESS_ANYONE) {
        e = check_ticket(&ctx);
        if (!e) {
            *user_out = ctx.caller->username;
            e = check_access(&ctx);
        }
    }
    if (!e) {
        e = call->op->handler(&ctx);
    }
    if (!e) {
        return ctx.result;
    }
    *err = e;
    if (e->kind == INFOR_E_CLIENT) {
        return NULL;
    }
    return infor_result_error(p, call->op, e);
}
