/*
 * mod_infor: the operation table.  Adding a method is one row here and
 * one handler; dispatch, the ticket check and the access check read it.
 */
#include <apr_strings.h>

#include "infor_ops.h"

#define TICKET  INFOR_P_TICKET | INFOR_P_REQUIRED
#define REQ     INFOR_P_REQUIRED

const infor_op infor_ops[] = {
    { "AuthenticateUser", "root", INFOR_ACCESS_ANYONE, 0,
      infor_op_authenticate_user,
      "Logs in with a user name and password and returns a new ticket.",
      { { "UID", REQ }, { "PWD", REQ | INFOR_P_SECRET } } },

    { "LogOut", "root", INFOR_ACCESS_SESSION,
      INFOR_OP_BAD_TICKET_901 | INFOR_OP_NO_EXTEND,
      infor_op_logout,
      "Ends the session of a ticket.",
      { { "AuthenticationTicket", INFOR_P_TICKET | INFOR_P_COOKIE } } },

    { "isValidTicket", "root", INFOR_ACCESS_SESSION,
      INFOR_OP_BAD_TICKET_901 | INFOR_OP_NO_EXTEND,
      infor_op_is_valid_ticket,
      "Tells whether a ticket is live and whose it is, without extending it.",
      { { "AuthenticationTicket", INFOR_P_TICKET | INFOR_P_COOKIE } } },

    { "GetUser", "response", INFOR_ACCESS_SELF_OR_ADMIN,
      INFOR_OP_EMPTY_IS_SELF,
      infor_op_get_user,
      "Returns a user's record; an empty user name returns the caller's.",
      { { "authenticationTicket", TICKET },
        { "UserName", REQ | INFOR_P_TARGET } } },

    { "UpdateUserContactInfo", "response", INFOR_ACCESS_SELF_OR_ADMIN, 0,
      infor_op_update_contact_info,
      "Sets a user's email address and mobile number in one call.",
      { { "authenticationTicket", TICKET },
        { "userName", REQ | INFOR_P_TARGET },
        { "emailAddress", REQ },
        { "mobileNumber", REQ } } },

    { "UpdateUserEmail", "response", INFOR_ACCESS_SELF_OR_ADMIN, 0,
      infor_op_update_email,
      "Sets a user's email address.",
      { { "authenticationTicket", TICKET },
        { "UserName", REQ | INFOR_P_TARGET },
        { "NewEmailAddress", REQ } } },

    { NULL, NULL, 0, 0, NULL, NULL, { { NULL, 0 } } }
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

    for (i = 0; i < INFOR_MAX_PARAMS && op->params[i].name; i++) {
        if (strcasecmp(op->params[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
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
