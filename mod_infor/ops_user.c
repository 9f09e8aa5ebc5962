/*
 * mod_infor: reading and updating one user.
 */
#include <string.h>

#include <apr_strings.h>

#include "infor_ops.h"
#include "infor_soap.h"

static const char *upper_bool(int b)
{
    return b ? "TRUE" : "FALSE";
}

static const char *const notification_names[] = {
    "NONE", "INSTANT", "DAILY REPORT"
};

/* The <User> element of GetUser, GetCurrentUser and the lists; brief for
 * GetAllUsersWithoutDetails (identity attributes only). */
static infor_elem *user_elem(apr_pool_t *p, infor_elem *parent,
                             const infor_user *u, int brief)
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
    if (brief) {
        infor_elem_attr(e, "Enabled", upper_bool(u->enabled));
        infor_elem_attr(e, "UserName", u->username);
        return e;
    }
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
    user_elem(ctx->pool, ctx->result, ctx->target, 0);
    return NULL;
}

infor_error *infor_op_get_current_user(infor_ctx *ctx)
{
    user_elem(ctx->pool, ctx->result, ctx->caller, 0);
    return NULL;
}

infor_error *infor_op_user_exists(infor_ctx *ctx)
{
    const char *name = infor_arg_str(ctx, "UserName");
    infor_user *u = NULL;

    if (*name && infor_store_user_find(ctx->db, name, &u) != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    return u ? NULL : infor_app_error(ctx->pool, INFOR_ERR_NO_USER);
}

/* Runs a list query and writes <users>; with_total adds totalusercount. */
static infor_error *list_users(infor_ctx *ctx, const infor_user_query *q,
                               int with_total, int brief)
{
    apr_array_header_t *users = NULL;
    apr_int64_t total = 0;
    infor_elem *list;
    int i;

    if (infor_store_user_query(ctx->db, q, &users, &total) != APR_SUCCESS) {
        return infor_server_error(ctx->pool, ctx->db->errmsg);
    }
    if (with_total) {
        infor_elem_attr(ctx->result, "totalusercount",
                        apr_psprintf(ctx->pool, "%" APR_INT64_T_FMT, total));
    }
    list = infor_elem_child(ctx->pool, ctx->result, "users");
    for (i = 0; i < users->nelts; i++) {
        user_elem(ctx->pool, list, APR_ARRAY_IDX(users, i, infor_user *),
                  brief);
    }
    return NULL;
}

/* GetAllUsers' <users>, written while the answer is sent. */
typedef struct {
    infor_db *db;
    infor_buf *b;
} all_users;

static apr_status_t write_user(infor_db *db, const infor_user *u,
                               void *baton)
{
    all_users *a = baton;
    infor_elem *holder = infor_elem_make(db->pool, "users");

    infor_xml_write(a->b, user_elem(db->pool, holder, u, 0), 0);
    return a->b->status;
}

static apr_status_t stream_all_users(infor_buf *b, void *baton)
{
    all_users *a = baton;

    a->b = b;
    return infor_store_user_walk(a->db, write_user, a);
}

/* The whole list: streamed (see respond.c), so that neither the store's
 * rows nor the answer are ever all in memory. */
infor_error *infor_op_get_all_users(infor_ctx *ctx)
{
    infor_elem *list = infor_elem_child(ctx->pool, ctx->result, "users");
    all_users *a = apr_pcalloc(ctx->pool, sizeof(*a));

    a->db = ctx->db;
    list->stream = stream_all_users;
    list->stream_baton = a;
    return NULL;
}

/* The filters GetAllUsers1, GetAllUsers2 and GetAllUsersWithoutDetails
 * share, and the paging; a page size of 0 or less lists nothing. */
static void list_query(infor_ctx *ctx, infor_user_query *q,
                       const char *start, const char *rows)
{
    memset(q, 0, sizeof(*q));
    q->first_name = infor_arg(ctx, "firstNameFilter");
    q->last_name = infor_arg(ctx, "lastNameFilter");
    q->username = infor_arg(ctx, "userNameFilter");
    q->email = infor_arg(ctx, "emailFilter");
    q->auth_authority = infor_arg(ctx, "authenticationSourceFilter");
    q->domain = infor_arg(ctx, "domainNameFilter");
    q->offset = infor_arg_int(ctx, start);
    q->limit = infor_arg_int(ctx, rows);
    if (q->limit < 0) {
        q->limit = 0;
    }
    q->type = -1;
}

/* A status or type filter: the documented codes, anything else is all. */
static int filter_code(int v, int lo, int hi)
{
    return v >= lo && v <= hi ? v : -1;
}

infor_error *infor_op_get_all_users1(infor_ctx *ctx)
{
    infor_user_query q;

    list_query(ctx, &q, "StartingRowNumber", "NumbeOfRow");
    q.status = filter_code(infor_arg_int(ctx, "StatusFilter"), 0, 1);
    q.sort_by = infor_arg_int(ctx, "SortBy");
    q.ascending = infor_arg_int(ctx, "SortAscending");
    return list_users(ctx, &q, 1, 0);
}

static infor_error *list2(infor_ctx *ctx, int brief)
{
    infor_user_query q;

    list_query(ctx, &q, "startingRowNumber", "numberOfRow");
    q.status = filter_code(infor_arg_int(ctx, "userStatusFilter"), 0, 1);
    q.type = filter_code(infor_arg_int(ctx, "userTypeFilter"), 1, 2);
    q.sort_by = infor_arg_int(ctx, "sortBy");
    q.ascending = infor_arg_int(ctx, "sortAscending");
    return list_users(ctx, &q, 1, brief);
}

infor_error *infor_op_get_all_users2(infor_ctx *ctx)
{
    return list2(ctx, 0);
}

infor_error *infor_op_get_all_users_without_details(infor_ctx *ctx)
{
    return list2(ctx, 1);
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
    /* Here a SOAP null is an empty string (DECISIONS.md): it clears. */
    return set_contact(ctx, infor_arg_str(ctx, "NewEmailAddress"), NULL);
}

infor_error *infor_op_update_user_preferences(infor_ctx *ctx)
{
    infor_user_change c;
    infor_error *e;

    infor_user_change_init(&c);
    e = infor_xml_preferences(ctx->pool, infor_arg_str(ctx, "xmlPreferences"),
                              &c);
    return e ? e : infor_change_user(ctx, ctx->target, &c);
}
