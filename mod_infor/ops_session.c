/*
 * mod_infor: the session operations: the logins (password, httpd's
 * authentication, the trusted password), renewal, logout, ticket check.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "infor_ops.h"
#include "infor_password.h"

#define ERR_BAD_FORMAT  "invalid ticket format"
#define ERR_NO_IDENTITY "[900] Authentication failed - Unauthenticated User."

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

/* The session language: one of InforLanguages (any case), the default
 * (the first) for an unknown code, "" (the profile's) when none asked. */
static const char *session_lang(const infor_ctx *ctx, const char *asked)
{
    const apr_array_header_t *langs = ctx->settings->languages;
    int i;

    if (!asked || !*asked) {
        return "";
    }
    for (i = 0; langs && i < langs->nelts; i++) {
        const char *l = APR_ARRAY_IDX(langs, i, const char *);
        if (strcasecmp(l, asked) == 0) {
            return l;
        }
    }
    return langs && langs->nelts ? APR_ARRAY_IDX(langs, 0, const char *)
                                 : "en";
}

/* The account UID names, if PWD is its password and it may log in. */
static infor_error *check_password(infor_ctx *ctx, infor_user **out)
{
    const char *uid = infor_arg(ctx, "UID");
    infor_user *u = NULL;
    int ok;

    *out = NULL;
    /* Held back after too many failures: the answer to a wrong password,
     * without one being checked. */
    if (infor_login_held(ctx, uid)) {
        return infor_app_error(ctx->pool, INFOR_ERR_AUTH);
    }
    if (uid && *uid
        && infor_store_user_find(ctx->db, uid, &u) != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    /* Always one bcrypt check, so timing tells nothing of which part was
     * wrong; one message for every failure, as infoRouter does. */
    ok = infor_password_check_at(infor_arg(ctx, "PWD"),
                                 u ? u->password_hash : NULL,
                                 ctx->settings->bcrypt_cost);
    if (!u || !ok || !u->enabled) {
        infor_login_failed(ctx, uid, !u ? "unknown user"
                                     : !ok ? "wrong password"
                                           : "account disabled");
        return infor_app_error(ctx->pool, INFOR_ERR_AUTH);
    }
    infor_login_passed(ctx, uid);
    *out = u;
    return NULL;
}

/* InforSysadminAccount never gets a ticket. */
static infor_error *refuse_sysadmin(infor_ctx *ctx, const infor_user *u)
{
    const char *sysadmin = ctx->settings->sysadmin_account;

    if (sysadmin && strcmp(infor_name_key(ctx->pool, sysadmin),
                           infor_name_key(ctx->pool, u->username)) == 0) {
        return infor_app_error(ctx->pool, INFOR_ERR_NO_TICKETS);
    }
    return NULL;
}

/* An old ticket the call may renew must at least look like one. */
static infor_error *check_old_ticket(infor_ctx *ctx, const char *name)
{
    const char *old = infor_arg(ctx, name);

    if (old && *old && !infor_guid_valid(old)) {
        return infor_app_error(ctx->pool, ERR_BAD_FORMAT);
    }
    return NULL;
}

/* Gives u a session: the old ticket's, renewed, when it is live and u's;
 * else a new one.  One write transaction: session and last logon (expired
 * sessions are purged apart, see mod_infor.c). */
static infor_error *open_session(infor_ctx *ctx, const infor_user *u,
                                 const char *old, const char *lang,
                                 const char **ticket_out,
                                 apr_time_t *expires_out)
{
    apr_time_t expires = ctx->now + ctx->settings->ticket_lifetime;
    infor_session *s = NULL;
    infor_user *owner = NULL;
    const char *key = NULL;
    apr_status_t rv;

    if (old && *old) {
        key = infor_ticket_key(ctx->pool, old);
        if (infor_store_session_get(ctx->db, key, &s, &owner)
            != APR_SUCCESS) {
            return infor_server_error(ctx->pool, ctx->db->errmsg);
        }
        if (!s || owner->id != u->id || s->expires <= ctx->now) {
            s = NULL;   /* not renewable: a new ticket instead */
        }
    }
    if (!s) {
        char fresh[INFOR_GUID_LEN + 1];

        if (!infor_guid_new(fresh)) {
            return infor_error_make(ctx->pool, INFOR_E_SERVER, 200,
                                    "SystemError: no random source",
                                    "apr_generate_random_bytes failed");
        }
        old = apr_pstrdup(ctx->pool, fresh);
        key = infor_ticket_key(ctx->pool, old);
    }

    rv = infor_store_session_open(ctx->db, key, s != NULL, u->id, ctx->now,
                                  expires, lang);
    if (rv != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    if (s) {
        /* A renewed ticket goes back in lower case, like a new one. */
        char *t = apr_pstrdup(ctx->pool, old), *c;
        for (c = t; *c; c++) {
            *c = apr_tolower(*c);
        }
        old = t;
    }
    *ticket_out = old;
    *expires_out = expires;
    return NULL;
}

/* The answer of every login: the ticket and the profile. */
static infor_error *login(infor_ctx *ctx, const infor_user *u,
                          const char *old, const char *lang)
{
    const char *ticket;
    apr_time_t expires;
    infor_error *e;

    if ((e = refuse_sysadmin(ctx, u)) != NULL
        || (e = open_session(ctx, u, old, session_lang(ctx, lang), &ticket,
                             &expires)) != NULL) {
        return e;
    }
    infor_elem_attr(ctx->result, "ticket", ticket);
    add_profile(ctx, u, expires);
    return NULL;
}

/* AuthenticateUser and AuthenticateUser1 (which adds Lang). */
infor_error *infor_op_authenticate_user(infor_ctx *ctx)
{
    infor_user *u;
    infor_error *e = check_password(ctx, &u);

    return e ? e : login(ctx, u, NULL, infor_arg(ctx, "Lang"));
}

infor_error *infor_op_renew_ticket(infor_ctx *ctx)
{
    infor_user *u;
    infor_error *e;

    /* The format is checked before the credentials, as documented. */
    if ((e = check_old_ticket(ctx, "OldTicket")) != NULL
        || (e = check_password(ctx, &u)) != NULL) {
        return e;
    }
    return login(ctx, u, infor_arg(ctx, "OldTicket"), infor_arg(ctx, "Lang"));
}

/* 1 when InforWindowsDomains lists domain (any case). */
static int domain_trusted(const infor_ctx *ctx, const char *domain)
{
    const apr_array_header_t *d = ctx->settings->windows_domains;
    int i;

    for (i = 0; d && i < d->nelts; i++) {
        if (strcasecmp(APR_ARRAY_IDX(d, i, const char *), domain) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Splits what httpd authenticated into the account name and its Windows
 * domain (DOMAIN\user) or Kerberos realm (user@REALM), *domain NULL for a
 * bare name.  0 for a shape that is neither (empty parts, both forms,
 * two domains). */
static int split_identity(apr_pool_t *p, const char *id, const char **name,
                          const char **domain)
{
    const char *cut;

    *domain = NULL;
    *name = id;
    if ((cut = strchr(id, '\\')) != NULL) {
        *domain = apr_pstrndup(p, id, cut - id);
        *name = cut + 1;
    }
    else if ((cut = strrchr(id, '@')) != NULL) {
        *domain = cut + 1;
        *name = apr_pstrndup(p, id, cut - id);
    }
    if (!**name || (*domain && !**domain)) {
        return 0;
    }
    return !strpbrk(*name, "\\@");
}

/* The account of the user httpd authenticated.  The domain or realm
 * decides whether the identity may map to an account at all: only those
 * InforWindowsDomains trusts, and bare names when InforWindowsUnqualified
 * allows them; any other identity maps to none ([900]), so EVIL\admin
 * never reaches the local admin.  A trusted identity names the account
 * spelt with its domain if there is one, else the bare name. */
static infor_error *httpd_user(infor_ctx *ctx, infor_user **out,
                               const char **why)
{
    const char *id = ctx->call->remote_user, *name, *domain;

    *out = NULL;
    *why = NULL;
    if (!split_identity(ctx->pool, id, &name, &domain)) {
        *why = "not a user, DOMAIN\\user or user@REALM";
        return NULL;
    }
    if (domain ? !domain_trusted(ctx, domain)
               : !ctx->settings->windows_unqualified) {
        *why = domain ? "domain or realm not trusted (InforWindowsDomains)"
                      : "name without a domain (InforWindowsUnqualified)";
        return NULL;
    }
    if (domain && infor_store_user_find(ctx->db, id, out) != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    if (!*out && infor_store_user_find(ctx->db, name, out) != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    return NULL;
}

infor_error *infor_op_authenticate_via_httpd(infor_ctx *ctx)
{
    infor_user *u = NULL;
    const char *why = NULL;
    infor_error *e;

    if ((e = check_old_ticket(ctx, "oldTicket")) != NULL) {
        return e;
    }
    if (!ctx->call->remote_user || !*ctx->call->remote_user) {
        return infor_app_error(ctx->pool, ERR_NO_IDENTITY);
    }
    if (infor_login_held(ctx, ctx->call->remote_user)) {
        return infor_app_error(ctx->pool, INFOR_ERR_AUTH);
    }
    if ((e = httpd_user(ctx, &u, &why)) != NULL) {
        return e;
    }
    if (!u || !u->enabled) {
        infor_login_failed(ctx, ctx->call->remote_user,
                           why ? why : !u ? "no account for this identity"
                                          : "account disabled");
        return infor_app_error(ctx->pool, INFOR_ERR_AUTH);
    }
    infor_login_passed(ctx, ctx->call->remote_user);
    return login(ctx, u, infor_arg(ctx, "oldTicket"),
                 infor_arg(ctx, "language"));
}

infor_error *infor_op_create_ticket_for_user(infor_ctx *ctx)
{
    const char *secret = ctx->settings->trusted_password;
    const char *name = infor_arg_str(ctx, "UserName");
    const char *ticket;
    apr_time_t expires;
    infor_user *u = NULL;
    infor_error *e;
    int ok;

    /* The trusted password is guessed like a user's: held back, counted
     * and logged under the user name the call gives. */
    if (infor_login_held(ctx, name)) {
        return infor_app_error(ctx->pool, INFOR_ERR_AUTH);
    }
    /* Without InforTrustedUserPassword nobody can use this method. */
    ok = secret && *secret
         && infor_secret_equal(infor_arg_str(ctx, "TrustedUserPwd"), secret);
    if (ok && *name
        && infor_store_user_find(ctx->db, name, &u) != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    if (!ok || !u || !u->enabled) {
        infor_login_failed(ctx, name,
                           !ok ? (secret && *secret
                                  ? "wrong trusted password"
                                  : "no InforTrustedUserPassword set")
                               : !u ? "unknown user" : "account disabled");
        return infor_app_error(ctx->pool, INFOR_ERR_AUTH);
    }
    infor_login_passed(ctx, name);
    if ((e = refuse_sysadmin(ctx, u)) != NULL
        || (e = open_session(ctx, u, NULL, "", &ticket, &expires)) != NULL) {
        return e;
    }
    infor_elem_attr(ctx->result, "ticket", ticket);
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
