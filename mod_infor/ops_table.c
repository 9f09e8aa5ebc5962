/*
 * mod_infor: the operation table.  Adding a method is one row here and
 * one handler; dispatch, the ticket check and the access check read it.
 */
#include <limits.h>
#include <pthread.h>
#include <search.h>
#include <stdlib.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "infor_ops.h"

#define TICKET  INFOR_P_TICKET | INFOR_P_REQUIRED
#define REQ     INFOR_P_REQUIRED
#define SECRET  INFOR_P_REQUIRED | INFOR_P_SECRET
#define TARGET  INFOR_P_REQUIRED | INFOR_P_TARGET
#define INT     INFOR_P_REQUIRED | INFOR_P_INT
#define BOOL    INFOR_P_REQUIRED | INFOR_P_BOOL
/* A ticket that the call renews, not one that authorises it. */
#define OLD_TICKET INFOR_P_COOKIE | INFOR_P_GUID

/* The paging, filter and sort parameters GetAllUsers2 and
 * GetAllUsersWithoutDetails share. */
#define LIST2_PARAMS \
    { "authenticationTicket", TICKET }, { "startingRowNumber", INT }, \
    { "numberOfRow", INT }, { "firstNameFilter", 0 }, \
    { "lastNameFilter", 0 }, { "userNameFilter", 0 }, \
    { "emailFilter", 0 }, { "authenticationSourceFilter", 0 }, \
    { "domainNameFilter", 0 }, { "userStatusFilter", INT }, \
    { "userTypeFilter", INT }, { "sortBy", INT }, { "sortAscending", BOOL }

const infor_op infor_ops[] = {
    /* ------------------------------------------------------- sessions */
    { "AuthenticateUser", "root", INFOR_ACCESS_ANYONE, 0, NULL,
      infor_op_authenticate_user,
      "Logs in with a user name and password and returns a new ticket.",
      { { "UID", REQ }, { "PWD", SECRET } } },

    { "AuthenticateUser1", "root", INFOR_ACCESS_ANYONE, 0, NULL,
      infor_op_authenticate_user,
      "Logs in like AuthenticateUser, with a language for the session.",
      { { "UID", REQ }, { "PWD", SECRET }, { "Lang", 0 } } },

    { "AuthenticateUserViaWindows", "root", INFOR_ACCESS_ANYONE, 0, NULL,
      infor_op_authenticate_via_httpd,
      "Logs in the user that httpd authenticated (Basic, LDAP, Kerberos).",
      { { "language", 0 }, { "oldTicket", OLD_TICKET } } },

    { "RenewTicket", "root", INFOR_ACCESS_ANYONE, 0, NULL,
      infor_op_renew_ticket,
      "Checks the credentials again and renews a ticket, or issues one.",
      { { "UID", REQ }, { "PWD", SECRET }, { "Lang", 0 },
        { "OldTicket", OLD_TICKET } } },

    { "CreateTicketforUser", "root", INFOR_ACCESS_ANYONE, 0, NULL,
      infor_op_create_ticket_for_user,
      "Issues a ticket for any user, given the server's trusted password.",
      { { "TrustedUserPwd", SECRET }, { "UserName", REQ } } },

    { "LogOut", "root", INFOR_ACCESS_SESSION,
      INFOR_OP_BAD_TICKET_901 | INFOR_OP_NO_EXTEND, NULL,
      infor_op_logout,
      "Ends the session of a ticket.",
      { { "AuthenticationTicket", INFOR_P_TICKET | INFOR_P_COOKIE } } },

    { "isValidTicket", "root", INFOR_ACCESS_SESSION,
      INFOR_OP_BAD_TICKET_901 | INFOR_OP_NO_EXTEND, NULL,
      infor_op_is_valid_ticket,
      "Tells whether a ticket is live and whose it is, without extending it.",
      { { "AuthenticationTicket", INFOR_P_TICKET | INFOR_P_COOKIE } } },

    /* -------------------------------------------------------- reading */
    { "GetCurrentUser", "root", INFOR_ACCESS_SESSION, 0, NULL,
      infor_op_get_current_user,
      "Returns the caller's own record.",
      { { "authenticationTicket", TICKET } } },

    { "GetUser", "response", INFOR_ACCESS_SELF_OR_ADMIN,
      INFOR_OP_EMPTY_IS_SELF, NULL,
      infor_op_get_user,
      "Returns a user's record; an empty user name returns the caller's.",
      { { "authenticationTicket", TICKET }, { "UserName", TARGET } } },

    { "UserExists", "response", INFOR_ACCESS_SESSION, 0, NULL,
      infor_op_user_exists,
      "Tells whether a user name exists.",
      { { "authenticationTicket", TICKET }, { "UserName", REQ } } },

    { "GetAllUsers", "response", INFOR_ACCESS_ADMIN, 0, NULL,
      infor_op_get_all_users,
      "Lists every user in full, by first and last name.",
      { { "authenticationTicket", TICKET } } },

    { "GetAllUsers1", "response", INFOR_ACCESS_ADMIN, 0, NULL,
      infor_op_get_all_users1,
      "Lists one page of users in full, filtered and sorted, with a count.",
      { { "authenticationTicket", TICKET }, { "StartingRowNumber", INT },
        { "NumbeOfRow", INT }, { "firstNameFilter", 0 },
        { "lastNameFilter", 0 }, { "userNameFilter", 0 },
        { "emailFilter", 0 }, { "authenticationSourceFilter", 0 },
        { "domainNameFilter", 0 }, { "StatusFilter", INT },
        { "SortBy", INT }, { "SortAscending", BOOL } } },

    { "GetAllUsers2", "response", INFOR_ACCESS_ADMIN, 0, NULL,
      infor_op_get_all_users2,
      "GetAllUsers1 with a user-type filter.",
      { LIST2_PARAMS } },

    { "GetAllUsersWithoutDetails", "response", INFOR_ACCESS_ADMIN, 0, NULL,
      infor_op_get_all_users_without_details,
      "GetAllUsers2 with identity attributes only.",
      { LIST2_PARAMS } },

    /* ------------------------------------------------- administration */
    { "CreateUser", "response", INFOR_ACCESS_ADMIN, 0, NULL,
      infor_op_create_user,
      "Creates an account and returns its id.",
      { { "authenticationTicket", TICKET }, { "DomainName", 0 },
        { "UserName", REQ }, { "FirstName", REQ }, { "LastName", REQ },
        { "EmailAddress", 0 }, { "Password", INFOR_P_SECRET },
        { "ReadOnlyUser", BOOL }, { "AuthenticationSource", REQ } } },

    { "DeleteUser", "response", INFOR_ACCESS_ADMIN, 0, NULL,
      infor_op_delete_user,
      "Deletes an account (unless deletions need the password).",
      { { "authenticationTicket", TICKET }, { "UserName", TARGET } } },

    { "DeleteUser1", "response", INFOR_ACCESS_ADMIN, 0, NULL,
      infor_op_delete_user,
      "Deletes an account, confirmed with the administrator's password.",
      { { "authenticationTicket", TICKET }, { "UserPassword", SECRET },
        { "UserName", TARGET } } },

    { "ChangeUserStatus", "response", INFOR_ACCESS_ADMIN, 0, NULL,
      infor_op_change_user_status,
      "Enables (1) or disables (0) an account.",
      { { "authenticationTicket", TICKET }, { "UserName", TARGET },
        { "StatusCode", INT } } },

    { "ChangeUserType", "response", INFOR_ACCESS_ADMIN, 0, NULL,
      infor_op_change_user_type,
      "Makes a user an author (1) or read-only (2).",
      { { "authenticationTicket", TICKET }, { "userName", TARGET },
        { "userType", INT } } },

    { "UpdateUserProfile", "response", INFOR_ACCESS_ADMIN, 0, NULL,
      infor_op_update_user_profile,
      "Renames a user and sets the name parts and authentication source.",
      { { "authenticationTicket", TICKET }, { "UserName", TARGET },
        { "NewUserName", REQ }, { "NewFirstName", REQ },
        { "NewLastName", REQ }, { "AuthenticateSource", REQ } } },

    /* -------------------------------------------------------- the user */
    { "UpdateUserContactInfo", "response", INFOR_ACCESS_SELF_OR_ADMIN, 0,
      NULL, infor_op_update_contact_info,
      "Sets a user's email address and mobile number in one call.",
      { { "authenticationTicket", TICKET }, { "userName", TARGET },
        { "emailAddress", REQ }, { "mobileNumber", REQ } } },

    { "UpdateUserEmail", "response", INFOR_ACCESS_SELF_OR_ADMIN, 0, NULL,
      infor_op_update_email,
      "Sets a user's email address.",
      { { "authenticationTicket", TICKET }, { "UserName", TARGET },
        { "NewEmailAddress", REQ } } },

    { "UpdateUserPreferences", "response", INFOR_ACCESS_SELF_OR_ADMIN, 0,
      NULL, infor_op_update_user_preferences,
      "Sets a user's display and notification preferences.",
      { { "authenticationTicket", TICKET }, { "UserName", TARGET },
        { "xmlPreferences", REQ } } },

    { "ChangeUserPassword", "root", INFOR_ACCESS_SELF_OR_ADMIN,
      INFOR_OP_BAD_TICKET_901, "Insufficient rights",
      infor_op_change_user_password,
      "Sets a password: one's own, or anyone's for an administrator.",
      { { "AuthenticationTicket", TICKET }, { "UserName", TARGET },
        { "NewPassword", SECRET } } },

    { "ForgotPassword", "root", INFOR_ACCESS_ANYONE, INFOR_OP_MAILS, NULL,
      infor_op_forgot_password,
      "Mails a password reset code to the accounts with an address.",
      { { "emailAddress", REQ } } },

    { "ForgotPasswordByUserName", "root", INFOR_ACCESS_ANYONE,
      INFOR_OP_MAILS, NULL,
      infor_op_forgot_password,
      "Mails a password reset code to a user.",
      { { "userName", REQ } } },

    { "ChangePasswordUsingSecretText", "root", INFOR_ACCESS_ANYONE, 0, NULL,
      infor_op_change_password_using_secret,
      "Sets a password with a mailed reset code.",
      { { "userName", REQ }, { "secretText", SECRET },
        { "newPassword", SECRET } } },

    { NULL, NULL, 0, 0, NULL, NULL, NULL, { { NULL, 0 } } }
};

const infor_op *infor_op_find(const char *name)
{
    const infor_op *op;

    /* ASP.NET routes method names regardless of case. */
    for (op = infor_ops; op->name; op++) {
        if (strcasecmp(op->name, name) == 0) {
            return op;
        }
    }
    return NULL;
}

int infor_op_param(const infor_op *op, const char *name)
{
    int i;

    /* The first letter first: dispatch asks for every parameter. */
    for (i = 0; i < INFOR_MAX_PARAMS && op->params[i].name; i++) {
        if (apr_tolower(*op->params[i].name) == apr_tolower(*name)
            && strcasecmp(op->params[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

/* Every parameter name of the table once, with the flags it has in any
 * operation, sorted without letter case: made once per process, as the
 * masking asks for every parameter of every request, twice. */
#define MAX_NAMES 512
typedef struct {
    const char *name;
    unsigned flags;
} name_flags;
static name_flags names[MAX_NAMES];
static size_t n_names;
static pthread_once_t names_once = PTHREAD_ONCE_INIT;
static int names_full;      /* a table too large: asked every time */

static int name_cmp(const void *a, const void *b)
{
    return strcasecmp(((const name_flags *)a)->name,
                      ((const name_flags *)b)->name);
}

static void names_make(void)
{
    const infor_op *op;
    int i;

    for (op = infor_ops; op->name; op++) {
        for (i = 0; i < INFOR_MAX_PARAMS && op->params[i].name; i++) {
            name_flags key = { op->params[i].name, 0 }, *at;

            at = lfind(&key, names, &n_names, sizeof(name_flags), name_cmp);
            if (at) {
                at->flags |= op->params[i].flags;
            }
            else if (n_names < MAX_NAMES) {
                key.flags = op->params[i].flags;
                names[n_names++] = key;
            }
            else {
                names_full = 1;
            }
        }
    }
    qsort(names, n_names, sizeof(name_flags), name_cmp);
}

unsigned infor_param_flags(const char *name)
{
    name_flags key = { name, 0 }, *at;

    pthread_once(&names_once, names_make);
    if (names_full) {
        const infor_op *op;
        unsigned flags = 0;

        for (op = infor_ops; op->name; op++) {
            int i = infor_op_param(op, name);
            if (i >= 0) {
                flags |= op->params[i].flags;
            }
        }
        return flags;
    }
    at = bsearch(&key, names, n_names, sizeof(name_flags), name_cmp);
    return at ? at->flags : 0;
}

int infor_op_takes_cookie(const infor_op *op)
{
    int i;

    for (i = 0; i < INFOR_MAX_PARAMS && op->params[i].name; i++) {
        if (op->params[i].flags & INFOR_P_COOKIE) {
            return 1;
        }
    }
    return 0;
}

const char *infor_arg(const infor_ctx *ctx, const char *name)
{
    int i = infor_op_param(ctx->call->op, name);
    return i < 0 ? NULL : ctx->call->args[i];
}

const char *infor_arg_str(const infor_ctx *ctx, const char *name)
{
    const char *v = infor_arg(ctx, name);
    return v ? v : "";
}

int infor_parse_value(const char *s, unsigned flags, int *out)
{
    char *end = NULL;
    long v;

    if (flags & INFOR_P_BOOL) {
        if (!strcasecmp(s, "true") || !strcmp(s, "1")) {
            *out = 1;
        }
        else if (!strcasecmp(s, "false") || !strcmp(s, "0")) {
            *out = 0;
        }
        else {
            return 0;
        }
        return 1;
    }
    /* An integer as .NET reads one: blanks and a sign allowed. */
    while (apr_isspace(*s)) {
        s++;
    }
    if (!*s) {
        return 0;
    }
    v = strtol(s, &end, 10);
    while (apr_isspace(*end)) {
        end++;
    }
    if (*end || v < INT_MIN || v > INT_MAX) {
        return 0;
    }
    *out = (int)v;
    return 1;
}

int infor_arg_int(const infor_ctx *ctx, const char *name)
{
    int i = infor_op_param(ctx->call->op, name), v = 0;
    const char *s = i < 0 ? NULL : ctx->call->args[i];

    /* dispatch has checked the form; a null is 0 (or false) */
    if (s) {
        infor_parse_value(s, ctx->call->op->params[i].flags, &v);
    }
    return v;
}
