/*
 * mod_infor: administration: create, delete, enable and disable, change
 * type, rename.  The table restricts all of these to administrators;
 * dispatch has checked that and found the target before they run.
 */
#include <string.h>

#include <apr_strings.h>

#include "infor_ops.h"
#include "infor_password.h"

#define ERR_CONFIRM "[2767] Deleting a user needs the administrator's " \
                    "password: use DeleteUser1."

/* "[903]Required parameter.'NAME'", the documented form for a required
 * value that is empty. */
static infor_error *required(infor_ctx *ctx, const char *name)
{
    return infor_app_error(ctx->pool, apr_psprintf(ctx->pool,
        "[903]Required parameter.'%s'", name));
}

/* Native authentication is spelled "native" now and "INFOROUTER" in old
 * clients; it is stored as "Native".  Other authorities as given. */
static const char *authority(const char *source)
{
    if (!strcasecmp(source, "native") || !strcasecmp(source, "inforouter")) {
        return "Native";
    }
    return source;
}

/* A user name is any text that does not read as an ID:<n> reference. */
static infor_error *check_name(infor_ctx *ctx, const char *param,
                               const char *name)
{
    if (!*infor_trim(ctx->pool, name)) {
        return required(ctx, param);
    }
    if (strncasecmp(name, "ID:", 3) == 0) {
        return infor_app_error(ctx->pool, "A user name may not start with "
                                          "ID:");
    }
    return NULL;
}

infor_error *infor_op_create_user(infor_ctx *ctx)
{
    const char *pw = infor_arg_str(ctx, "Password");
    infor_user u;
    infor_audit a;
    apr_int64_t id = 0;
    apr_status_t rv;
    infor_error *e;

    memset(&u, 0, sizeof(u));
    u.username = infor_arg_str(ctx, "UserName");
    u.first_name = infor_arg_str(ctx, "FirstName");
    u.last_name = infor_arg_str(ctx, "LastName");
    u.email = infor_arg_str(ctx, "EmailAddress");
    u.domain = infor_arg_str(ctx, "DomainName");
    u.auth_authority = authority(infor_arg_str(ctx, "AuthenticationSource"));
    u.read_only = infor_arg_int(ctx, "ReadOnlyUser");
    u.enabled = 1;
    if ((e = check_name(ctx, "UserName", u.username)) != NULL) {
        return e;
    }
    if (!*u.auth_authority) {
        return required(ctx, "AuthenticationSource");
    }
    /* An empty password is allowed: the account cannot log in with one
     * until it gets a password (external users never need one). */
    if (*pw) {
        const char *why = infor_password_policy_check(
            ctx->pool, &ctx->settings->policy, pw, u.username, u.email);
        if (why) {
            return infor_app_error(ctx->pool, why);
        }
        u.password_hash = infor_password_hash(ctx->pool, pw,
                                              ctx->settings->bcrypt_cost);
        if (!u.password_hash) {
            return infor_error_make(ctx->pool, INFOR_E_SERVER, 200,
                                    "SystemError: cannot hash the password",
                                    "bcrypt failed");
        }
    }
    infor_ctx_audit(ctx, &a);
    rv = infor_store_user_create(ctx->db, &u, ctx->now, &a, &id);
    if (rv == APR_EEXIST) {
        return infor_app_error(ctx->pool, INFOR_ERR_NAME_TAKEN);
    }
    if (rv != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    /* CreateUser's documented order: success, id, error. */
    infor_elem_attr_insert(ctx->result, 1, "id",
                           apr_psprintf(ctx->pool, "%" APR_INT64_T_FMT, id));
    return NULL;
}

/* DeleteUser and DeleteUser1 (which takes the caller's password). */
infor_error *infor_op_delete_user(infor_ctx *ctx)
{
    const char *pw = infor_arg(ctx, "UserPassword");
    infor_audit a;

    if (infor_op_param(ctx->call->op, "UserPassword") >= 0) {
        /* A password check like a login's: a stolen ticket must not let
         * its holder guess the administrator's password freely. */
        const char *me = ctx->caller->username;

        if (infor_login_held(ctx, me)) {
            return infor_app_error(ctx->pool, INFOR_ERR_AUTH);
        }
        if (!infor_password_check_at(pw, ctx->caller->password_hash,
                                     ctx->settings->bcrypt_cost)) {
            infor_login_failed(ctx, me, "wrong password (DeleteUser1)");
            return infor_app_error(ctx->pool, INFOR_ERR_AUTH);
        }
        infor_login_passed(ctx, me);
    }
    else if (ctx->settings->delete_needs_password) {
        return infor_app_error(ctx->pool, ERR_CONFIRM);
    }
    /* Nobody deletes their own account: there would be no administrator
     * left to undo a slip. */
    if (ctx->target->id == ctx->caller->id) {
        return infor_app_error(ctx->pool, INFOR_ERR_DENIED);
    }
    infor_ctx_audit(ctx, &a);
    if (infor_store_user_delete(ctx->db, ctx->target, ctx->now, &a)
        != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    return NULL;
}

infor_error *infor_op_change_user_status(infor_ctx *ctx)
{
    int code = infor_arg_int(ctx, "StatusCode");
    infor_user_change c;

    if (code != 0 && code != 1) {
        return infor_app_error(ctx->pool, "Invalid StatusCode: 0 disables "
                                          "a user, 1 enables one.");
    }
    if (code == 0 && ctx->target->id == ctx->caller->id) {
        return infor_app_error(ctx->pool, INFOR_ERR_DENIED);
    }
    infor_user_change_init(&c);
    c.enabled = code;
    return infor_change_user(ctx, ctx->target, &c);
}

infor_error *infor_op_change_user_type(infor_ctx *ctx)
{
    int type = infor_arg_int(ctx, "userType");
    infor_user_change c;

    if (type != 1 && type != 2) {
        return infor_app_error(ctx->pool, "Invalid userType: 1 is an "
                                          "author, 2 a read-only user.");
    }
    infor_user_change_init(&c);
    c.read_only = type == 2;
    return infor_change_user(ctx, ctx->target, &c);
}

infor_error *infor_op_update_user_profile(infor_ctx *ctx)
{
    const char *name = infor_arg_str(ctx, "NewUserName");
    const char *source = infor_arg_str(ctx, "AuthenticateSource");
    infor_user_change c;
    infor_error *e;

    if ((e = check_name(ctx, "NewUserName", name)) != NULL) {
        return e;
    }
    if (!*source) {
        return required(ctx, "AuthenticateSource");
    }
    infor_user_change_init(&c);
    /* Sessions name users by id: a renamed user's tickets keep working. */
    if (strcmp(name, ctx->target->username) != 0) {
        c.username = name;
    }
    c.first_name = infor_arg_str(ctx, "NewFirstName");
    c.last_name = infor_arg_str(ctx, "NewLastName");
    c.auth_authority = authority(source);
    return infor_change_user(ctx, ctx->target, &c);
}
