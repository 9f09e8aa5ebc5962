/*
 * mod_infor: reading and updating one user.
 */
#include <apr_strings.h>

#include "infor_ops.h"

static const char *upper_bool(int b)
{
    return b ? "TRUE" : "FALSE";
}

static const char *const notification_names[] = {
    "NONE", "INSTANT", "DAILY REPORT"
};

/* The <User> element of GetUser (and later GetCurrentUser, GetAllUsers). */
static infor_elem *user_elem(apr_pool_t *p, infor_elem *parent,
                             const infor_user *u)
{
    infor_elem *e = infor_elem_child(p, parent, "User");
    infor_elem *pr;
    int n = u->prefs.notification;

    if (n < 0 || n > 2) {
        n = 0;
    }
    infor_elem_attr(e, "exists", "true");
    infor_elem_attr(e, "UserID", apr_psprintf(p, "%" APR_INT64_T_FMT, u->id));
    infor_elem_attr(e, "FirstName", u->first_name);
    infor_elem_attr(e, "LastName", u->last_name);
    infor_elem_attr(e, "Email", u->email);
    infor_elem_attr(e, "MobileNumber", u->mobile);
    infor_elem_attr(e, "Enabled", upper_bool(u->enabled));
    infor_elem_attr(e, "UserName", u->username);
    infor_elem_attr(e, "Domain", u->domain);
    infor_elem_attr(e, "LastLogonDate", infor_time_user(p, u->last_logon));
    infor_elem_attr(e, "LastPasswordChangeDate",
                    infor_time_user(p, u->last_password_change));
    infor_elem_attr(e, "AuthenticationAuthority", u->auth_authority);
    infor_elem_attr(e, "ReadOnlyUser", upper_bool(u->read_only));

    pr = infor_elem_child(p, e, "Preferences");
    infor_elem_attr(pr, "Language", u->prefs.language);
    infor_elem_attr(pr, "DefaultPortal", u->prefs.default_portal);
    infor_elem_attr(pr, "ShowArchives", upper_bool(u->prefs.show_archives));
    infor_elem_attr(pr, "ShowHiddens", upper_bool(u->prefs.show_hiddens));
    infor_elem_attr(pr, "NotificationType", notification_names[n]);
    infor_elem_attr(pr, "NotificationTypeId", apr_psprintf(p, "%d", n));
    infor_elem_attr(pr, "EmailType", u->prefs.email_type);
    infor_elem_attr(pr, "AttachDocumentToEmail",
                    upper_bool(u->prefs.attach_document));
    return e;
}

infor_error *infor_op_get_user(infor_ctx *ctx)
{
    user_elem(ctx->pool, ctx->result, ctx->target);
    return NULL;
}

static infor_error *set_contact(infor_ctx *ctx, const char *email,
                                const char *mobile)
{
    infor_user_change c;

    infor_user_change_init(&c);
    c.email = email;
    c.mobile = mobile;
    return infor_change_user(ctx, ctx->target, &c);
}

infor_error *infor_op_update_contact_info(infor_ctx *ctx)
{
    /* SOAP null (omitted, xsi:nil) keeps a field; "" clears it. */
    return set_contact(ctx, infor_arg(ctx, "emailAddress"),
                       infor_arg(ctx, "mobileNumber"));
}

infor_error *infor_op_update_email(infor_ctx *ctx)
{
    const char *email = infor_arg(ctx, "NewEmailAddress");

    /* Here a SOAP null is an empty string (DECISIONS.md): it clears. */
    return set_contact(ctx, email ? email : "", NULL);
}
