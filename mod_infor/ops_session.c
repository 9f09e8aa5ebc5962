/*
 * mod_infor: the session operations (login, logout, ticket check).
 */
#include <string.h>

#include <apr_strings.h>

#include "infor_ops.h"
#include "infor_password.h"

/* "First Last", without a stray space when a part is empty. */
static const char *full_name(apr_pool_t *p, const infor_user *u)
{
    if (!*u->first_name) {
        return u->last_name;
    }
    if (!*u->last_name) {
        return u->first_name;
    }
    return apr_pstrcat(p, u->first_name, " ", u->last_name, NULL);
}

/* The profile attributes the login methods and isValidTicket share. */
static void add_profile(infor_ctx *ctx, const infor_user *u,
                        apr_time_t expires)
{
    infor_elem *r = ctx->result;

    infor_elem_attr(r, "userid", apr_psprintf(ctx->pool, "%" APR_INT64_T_FMT,
                                               u->id));
    infor_elem_attr(r, "username", u->username);
    infor_elem_attr(r, "firstName", u->first_name);
    infor_elem_attr(r, "lastName", u->last_name);
    infor_elem_attr(r, "fullname", full_name(ctx->pool, u));
    infor_elem_attr(r, "email", u->email);
    infor_elem_attr(r, "expireOn", infor_time_utc_z(ctx->pool, expires));
    infor_elem_attr(r, "isAuthenticated", "True");
}

infor_error *infor_op_authenticate_user(infor_ctx *ctx)
{
    const char *uid = infor_arg(ctx, "UID");
    const char *pwd = infor_arg(ctx, "PWD");
    const char *sysadmin = ctx->settings->sysadmin_account;
    char ticket[INFOR_GUID_LEN + 1];
    infor_user *u = NULL;
    apr_time_t expires = ctx->now + ctx->settings->ticket_lifetime;
    apr_status_t rv;
    int ok;

    if (uid && *uid && infor_store_user_find(ctx->db, uid, &u)
                       != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    /* Always one bcrypt check, so timing tells nothing of which part was
     * wrong; one message for every failure, as infoRouter does. */
    ok = infor_password_check(pwd, u ? u->password_hash : NULL);
    if (!u || !ok || !u->enabled) {
        return infor_app_error(ctx->pool, INFOR_ERR_AUTH);
    }
    if (sysadmin && strcasecmp(infor_name_key(ctx->pool, sysadmin),
                               infor_name_key(ctx->pool, u->username)) == 0) {
        return infor_app_error(ctx->pool, INFOR_ERR_NO_TICKETS);
    }
    if (!infor_guid_new(ticket)) {
        return infor_error_make(ctx->pool, INFOR_E_SERVER, 200,
                                "SystemError: no random source",
                                "apr_generate_random_bytes failed");
    }

    /* The purge rides on the login's own write transaction. */
    rv = infor_store_begin(ctx->db);
    if (rv == APR_SUCCESS) {
        rv = infor_store_session_purge(ctx->db, ctx->now);
    }
    if (rv == APR_SUCCESS) {
        rv = infor_store_session_create(ctx->db,
                                        infor_ticket_key(ctx->pool, ticket),
                                        u->id, ctx->now, expires, "");
    }
    if (rv == APR_SUCCESS) {
        rv = infor_store_user_set_logon(ctx->db, u->id, ctx->now);
    }
    if (rv == APR_SUCCESS) {
        rv = infor_store_commit(ctx->db);
    }
    else {
        infor_store_rollback(ctx->db);
    }
    if (rv != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }

    infor_elem_attr(ctx->result, "ticket", apr_pstrdup(ctx->pool, ticket));
    add_profile(ctx, u, expires);
    return NULL;
}

infor_error *infor_op_logout(infor_ctx *ctx)
{
    if (infor_store_session_delete(ctx->db,
                                   infor_ticket_key(ctx->pool, ctx->ticket))
        != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    return NULL;
}

infor_error *infor_op_is_valid_ticket(infor_ctx *ctx)
{
    add_profile(ctx, ctx->caller, ctx->session->expires);
    return NULL;
}
