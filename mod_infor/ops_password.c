/*
 * mod_infor: passwords: changing one, and the mailed reset.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "infor_mail.h"
#include "infor_ops.h"
#include "infor_password.h"

#define ERR_EXTERNAL   "External authentication - password cannot be changed"
#define ERR_SAME       "New password cannot be the same as old password"
#define ERR_RESET_CODE "Invalid or expired reset code"
#define ERR_NO_EMAIL   "Please enter your Email address."
#define ERR_NOBODY     "No user found with this email"
#define ERR_NO_NAME    "User name field cannot be empty."

static int is_native(const infor_user *u)
{
    return strcasecmp(u->auth_authority, "native") == 0
           || strcasecmp(u->auth_authority, "inforouter") == 0;
}

/* The checks every new password passes, then its hash. */
static infor_error *new_password(infor_ctx *ctx, const infor_user *u,
                                 const char *pw, const char **hash)
{
    const char *why;

    if (!is_native(u)) {
        return infor_app_error(ctx->pool, ERR_EXTERNAL);
    }
    why = infor_password_policy_check(ctx->pool, &ctx->settings->policy, pw,
                                      u->username, u->email);
    if (why) {
        return infor_app_error(ctx->pool, why);
    }
    if (*u->password_hash && infor_password_check(pw, u->password_hash)) {
        return infor_app_error(ctx->pool, ERR_SAME);
    }
    *hash = infor_password_hash(ctx->pool, pw, ctx->settings->bcrypt_cost);
    if (!*hash) {
        return infor_error_make(ctx->pool, INFOR_E_SERVER, 200,
                                "SystemError: cannot hash the password",
                                "bcrypt failed");
    }
    return NULL;
}

infor_error *infor_op_change_user_password(infor_ctx *ctx)
{
    infor_user_change c;
    infor_error *e;

    infor_user_change_init(&c);
    e = new_password(ctx, ctx->target, infor_arg_str(ctx, "NewPassword"),
                     &c.password_hash);
    return e ? e : infor_change_user(ctx, ctx->target, &c);
}

/* %-escapes a value for a URL's query string. */
static const char *url_escape(apr_pool_t *p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = apr_palloc(p, 3 * strlen(s) + 1), *o = out;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (apr_isalnum(c) || strchr("-._~", c)) {
            *o++ = c;
        }
        else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

/* "N minutes" (rounded up), or "N seconds" under a minute. */
static const char *lifetime_text(apr_pool_t *p, apr_interval_time_t t)
{
    long sec = (long)apr_time_sec(t);

    if (sec < 60) {
        return apr_psprintf(p, "%ld second%s", sec, sec == 1 ? "" : "s");
    }
    sec = (sec + 59) / 60;
    return apr_psprintf(p, "%ld minute%s", sec, sec == 1 ? "" : "s");
}

/* An address fit for a To: header: no line breaks (header injection),
 * no angle brackets or commas (a second recipient), an @ inside. */
static int mailable(const char *addr)
{
    const char *at = strchr(addr, '@');
    return at && at > addr && at[1] && !strpbrk(addr, "\r\n<>,;\"");
}

/* Mails u a new reset code (native users) or the advice to ask their
 * administrator (others), in the format of u's EmailType.  The code is
 * stored before it is sent. */
static infor_error *send_reset(infor_ctx *ctx, const infor_user *u)
{
    const infor_settings *st = ctx->settings;
    infor_reset_mail m;
    const char *why = NULL;

    if (!st->mail_command) {
        return infor_error_make(ctx->pool, INFOR_E_APP, 200, "",
                                "no InforMailCommand is set");
    }
    if (!mailable(u->email)) {
        return infor_error_make(ctx->pool, INFOR_E_APP, 200, "",
                                "the account has no usable email address");
    }
    memset(&m, 0, sizeof(m));
    m.from = st->mail_from;
    m.to = u->email;
    m.greeting = *u->first_name ? u->first_name : u->username;
    m.username = u->username;
    m.authority = u->auth_authority;
    m.html = !u->prefs.email_type
             || strcasecmp(u->prefs.email_type, "TEXT") != 0;
    if (is_native(u)) {
        char code[INFOR_GUID_LEN + 1];

        if (!infor_guid_new(code)) {
            return infor_error_make(ctx->pool, INFOR_E_SERVER, 200,
                                    "SystemError: no random source",
                                    "apr_generate_random_bytes failed");
        }
        if (infor_store_reset_set(ctx->db, u->id,
                                  infor_ticket_key(ctx->pool, code),
                                  ctx->now + st->reset_lifetime)
            != APR_SUCCESS) {
            return infor_server_error(ctx->pool, ctx->db->errmsg);
        }
        m.lifetime = lifetime_text(ctx->pool, st->reset_lifetime);
        m.link = apr_pstrcat(ctx->pool, ctx->call->reset_url, "?username=",
                             url_escape(ctx->pool, u->username),
                             "&secretText=", code, NULL);
    }
    if (infor_mail_send(ctx->pool, st->mail_command,
                        infor_mail_reset_message(ctx->pool, &m),
                        st->mail_timeout, &why) != APR_SUCCESS) {
        return infor_error_make(ctx->pool, INFOR_E_APP, 200, "", why);
    }
    return NULL;
}

static infor_error *forgot_password(infor_ctx *ctx);

/* ForgotPassword (by address: every account with it) and
 * ForgotPasswordByUserName.  Sending failures name the accounts, as do
 * accounts held back by InforResetThrottle (the documented answer is
 * kept; the log says which it was).  With InforResetAnswers uniform, only
 * a missing address or name is told; everything else answers success. */
infor_error *infor_op_forgot_password(infor_ctx *ctx)
{
    infor_error *e = forgot_password(ctx);

    if (e && e->kind == INFOR_E_APP && ctx->settings->reset_uniform
        && strcmp(e->message, ERR_NO_EMAIL) != 0
        && strcmp(e->message, ERR_NO_NAME) != 0) {
        return NULL;
    }
    return e;
}

static infor_error *forgot_password(infor_ctx *ctx)
{
    const char *email = infor_arg(ctx, "emailAddress");
    const char *failed = NULL, *detail = NULL;
    apr_array_header_t *users = NULL;
    int i;

    if (infor_op_param(ctx->call->op, "emailAddress") >= 0) {
        const char *s = infor_trim(ctx->pool, email);
        if (!*s) {
            return infor_app_error(ctx->pool, ERR_NO_EMAIL);
        }
        if (infor_store_users_by_email(ctx->db, s, &users) != APR_SUCCESS) {
            return infor_server_error(ctx->pool, ctx->db->errmsg);
        }
        if (users->nelts == 0) {
            return infor_app_error(ctx->pool, ERR_NOBODY);
        }
    }
    else {
        const char *name = infor_trim(ctx->pool, infor_arg(ctx, "userName"));
        infor_user *u = NULL;

        if (!*name) {
            return infor_app_error(ctx->pool, ERR_NO_NAME);
        }
        if (infor_store_user_find(ctx->db, name, &u) != APR_SUCCESS) {
            return infor_server_error(ctx->pool, ctx->db->errmsg);
        }
        if (!u) {
            return infor_app_error(ctx->pool, INFOR_ERR_NO_USER);
        }
        users = apr_array_make(ctx->pool, 1, sizeof(infor_user *));
        APR_ARRAY_PUSH(users, infor_user *) = u;
    }
    for (i = 0; i < users->nelts; i++) {
        const infor_user *u = APR_ARRAY_IDX(users, i, infor_user *);
        infor_error *e = NULL;

        if (infor_reset_held(ctx, u->username)) {
            e = infor_error_make(ctx->pool, INFOR_E_APP, 200, "",
                                 "too many reset mails (InforResetThrottle)");
        }
        else {
            /* Counted before it is sent: a failing or hanging command
             * costs a try too. */
            infor_reset_sent(ctx, u->username);
            e = send_reset(ctx, u);
            if (e && e->kind == INFOR_E_SERVER) {
                return e;
            }
            if (e) {
                infor_reset_mail_failed(ctx, u->username, e->detail);
            }
        }
        if (e) {
            failed = failed ? apr_pstrcat(ctx->pool, failed, ", ",
                                          u->username, NULL)
                            : u->username;
            detail = e->detail;
        }
    }
    if (failed) {
        return infor_error_make(ctx->pool, INFOR_E_APP, 200,
            apr_pstrcat(ctx->pool, "The password reset email could not be "
                        "sent to: ", failed, NULL), detail);
    }
    return NULL;
}

infor_error *infor_op_change_password_using_secret(infor_ctx *ctx)
{
    const char *name = infor_arg_str(ctx, "userName");
    const char *code = infor_arg_str(ctx, "secretText");
    const char *stored = NULL, *hash = NULL;
    apr_time_t expires = 0;
    infor_user *u = NULL;
    infor_audit a;
    infor_error *e;
    apr_status_t rv;
    int match;

    /* Reset codes are guessed like passwords: held back, counted and
     * logged under the user name given. */
    if (infor_login_held(ctx, name)) {
        return infor_app_error(ctx->pool, ERR_RESET_CODE);
    }
    /* Not a GUID: refused before anything is looked up. */
    if (!infor_guid_valid(code)) {
        infor_login_failed(ctx, name, "reset code not a GUID");
        return infor_app_error(ctx->pool, ERR_RESET_CODE);
    }
    if (*name && infor_store_user_find(ctx->db, name, &u) != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    if (!u) {
        return infor_app_error(ctx->pool, INFOR_ERR_NO_USER);
    }
    if (!is_native(u)) {
        return infor_app_error(ctx->pool, ERR_EXTERNAL);
    }
    if (infor_store_reset_get(ctx->db, u->id, &stored, &expires)
        != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    match = stored && infor_secret_equal(stored,
                                         infor_ticket_key(ctx->pool, code));
    if (!match || expires <= ctx->now) {
        infor_login_failed(ctx, name, !match ? "wrong reset code"
                                             : "reset code expired");
        return infor_app_error(ctx->pool, ERR_RESET_CODE);
    }
    if ((e = new_password(ctx, u, infor_arg_str(ctx, "newPassword"), &hash))
        != NULL) {
        return e;
    }
    infor_ctx_audit(ctx, &a);
    a.actor_id = u->id;
    a.actor_name = u->username;
    rv = infor_store_reset_use(ctx->db, u, stored, hash, ctx->now, &a);
    if (rv == APR_ENOENT) {
        return infor_app_error(ctx->pool, ERR_RESET_CODE);
    }
    if (rv != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    return NULL;
}
