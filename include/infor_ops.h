/*
 * mod_infor: the operation table and the neutral call.
 *
 * One static table (ops_table.c) lists every served method: its
 * parameters, the result root, whether it needs a ticket and who may call
 * it.  Dispatch, the ticket check and the access check are driven by it
 * (dispatch.c); the operation handlers only do their method's work.
 */
#ifndef INFOR_OPS_H
#define INFOR_OPS_H

#include "infor.h"
#include "infor_store.h"
#include "infor_password.h"

/* Parameter flags. */
#define INFOR_P_REQUIRED  0x01  /* GET/POST: absent -> "Missing parameter" */
#define INFOR_P_TICKET    0x02  /* the session ticket */
#define INFOR_P_COOKIE    0x04  /* absent or empty: read the "ticket" cookie */
#define INFOR_P_TARGET    0x08  /* names the user the call acts on */
#define INFOR_P_SECRET    0x10  /* never logged */
#define INFOR_P_INT       0x20  /* an integer; SOAP null is 0 */
#define INFOR_P_BOOL      0x40  /* true/false (or 1/0); SOAP null is false */
#define INFOR_P_GUID      0x80  /* a ticket to renew: masked in the log */

typedef struct {
    const char *name;      /* as documented; matched regardless of case */
    unsigned flags;
} infor_param_def;

/* Who may call an operation, checked by dispatch before the handler. */
typedef enum {
    INFOR_ACCESS_ANYONE = 0,     /* no ticket needed */
    INFOR_ACCESS_SESSION,        /* any valid ticket */
    INFOR_ACCESS_SELF_OR_ADMIN,  /* the target user, or an administrator */
    INFOR_ACCESS_ADMIN           /* administrators only */
} infor_access;

/* Operation flags. */
#define INFOR_OP_BAD_TICKET_901 0x01 /* a bad ticket is [901], not [900] */
#define INFOR_OP_NO_EXTEND      0x02 /* does not slide the ticket's expiry */
#define INFOR_OP_EMPTY_IS_SELF  0x04 /* an empty target names the caller */
#define INFOR_OP_MAILS          0x08 /* sends mail: needs the reset URL */

typedef enum {
    INFOR_BIND_GET = 1,
    INFOR_BIND_POST,
    INFOR_BIND_SOAP11,
    INFOR_BIND_SOAP12
} infor_binding;

/* Settings an operation may read; filled from the directives. */
typedef struct {
    apr_interval_time_t ticket_lifetime;  /* sliding expiry */
    apr_interval_time_t ticket_refresh;   /* expiry write interval */
    const char *sysadmin_account;         /* may never get a ticket; or NULL */
    const char *trusted_password;         /* CreateTicketforUser; or NULL */
    int delete_needs_password;            /* DeleteUser answers [2767] */
    const apr_array_header_t *languages;  /* session languages; [0] default */
    infor_password_policy policy;
    int bcrypt_cost;
    const char *mail_command;             /* sendmail -t compatible; or NULL */
    const char *mail_from;
    apr_interval_time_t mail_timeout;     /* the mail command's time limit */
    apr_interval_time_t reset_lifetime;   /* of a password reset code */
    /* AuthenticateUserViaWindows: the domains and realms whose identities
     * may map to an account (any case; NULL or empty: none), and whether
     * a name with neither may. */
    const apr_array_header_t *windows_domains;
    int windows_unqualified;
    /* InforResetAnswers uniform: ForgotPassword and
     * ForgotPasswordByUserName answer success whenever the address or
     * name is given, whether or not an account has it (and whatever the
     * mail's fate, which only the log tells): no list of accounts can be
     * read from the answers.  0: infoRouter's documented answers. */
    int reset_uniform;
} infor_settings;

typedef struct infor_ctx infor_ctx;
typedef infor_error *infor_op_fn(infor_ctx *ctx);

typedef struct infor_op {
    const char *name;
    const char *root;               /* "root" or "response" */
    infor_access access;
    unsigned flags;
    const char *denied;             /* refusal text; NULL: "Access denied" */
    infor_op_fn *handler;
    const char *summary;            /* one line, for listings */
    infor_param_def params[INFOR_MAX_PARAMS];  /* ends at name == NULL */
} infor_op;

/* What limits guessing: failed logins and reset mail are counted, per
 * client address and per name, by the httpd side (throttle.c, in memory
 * all children share) and logged there; the operations only say what
 * happened, through these hooks.  NULL (unit tests): nothing is counted
 * or held. */
typedef enum {
    INFOR_LIMIT_LOGIN = 0,     /* failed logins (InforLoginThrottle) */
    INFOR_LIMIT_RESET          /* reset mail sent (InforResetThrottle) */
} infor_limit;

typedef struct {
    void *baton;
    /* Seconds for which attempts of this kind on name from the call's
     * client are still held back; 0 when they are not. */
    long (*held)(void *baton, infor_limit kind, const char *name);
    /* Counts one attempt: a failed login, a reset mail. */
    void (*count)(void *baton, infor_limit kind, const char *name);
    /* A login that passed: its (name, address) failures start afresh. */
    void (*passed)(void *baton, const char *name);
    /* Logs a refused login, in the one format a log watcher reads. */
    void (*refused)(void *baton, const char *name, const char *reason);
    /* Logs a reset refused for the rate, and a reset mail that failed. */
    void (*reset_held)(void *baton, const char *name, long seconds);
    void (*mail_failed)(void *baton, const char *name, const char *why);
} infor_guard;

/* The neutral call a decoder produces: args[i] belongs to op->params[i];
 * NULL means absent (GET/POST) or null (SOAP), "" means empty. */
typedef struct {
    const infor_op *op;
    infor_binding binding;
    const char *args[INFOR_MAX_PARAMS];
    const char *cookie_ticket;      /* the "ticket" cookie, or NULL */
    const char *client_ip;
    const char *remote_user;        /* who httpd authenticated, or NULL */
    const char *reset_url;          /* for INFOR_OP_MAILS operations */
    const infor_guard *guard;       /* or NULL */
} infor_call;

struct infor_ctx {
    apr_pool_t *pool;
    const infor_settings *settings;
    infor_db *db;
    const infor_call *call;
    apr_time_t now;
    infor_user *caller;             /* set for ticketed operations */
    infor_session *session;         /* likewise */
    const char *ticket;             /* the caller's ticket, validated */
    infor_user *target;             /* set when the op has a TARGET param */
    infor_elem *result;             /* the root element to fill */
};

/* The table: a NULL-named row ends it. */
extern const infor_op infor_ops[];

const infor_op *infor_op_find(const char *name);
/* Index of the parameter with that name (any case), or -1. */
int infor_op_param(const infor_op *op, const char *name);
/* The flags a parameter of this name has in any operation. */
unsigned infor_param_flags(const char *name);
/* 1 when a parameter falls back to the "ticket" cookie. */
int infor_op_takes_cookie(const infor_op *op);
/* The value of the named parameter of this call (NULL if absent/null). */
const char *infor_arg(const infor_ctx *ctx, const char *name);
/* Reads s as the parameter flags say: INFOR_P_BOOL (true/false/1/0, any
 * case) or an integer.  0 when s is not of that form. */
int infor_parse_value(const char *s, unsigned flags, int *out);
/* The value of an INFOR_P_INT or INFOR_P_BOOL parameter; null is 0. */
int infor_arg_int(const infor_ctx *ctx, const char *name);
/* The value of a parameter, or "" when absent or null. */
const char *infor_arg_str(const infor_ctx *ctx, const char *name);

/* Runs the call: parameter checks, ticket check, access check, handler.
 * Returns the result element on success or an application error, or
 * NULL with *err set to a client error (the request is refused). */
infor_elem *infor_dispatch(apr_pool_t *p, const infor_settings *settings,
                           infor_db *db, const infor_call *call,
                           const char **user_out, infor_error **err);

/* The result element of a failed call: success="false" and the error.
 * With e NULL, the head of a successful one. */
infor_elem *infor_result_error(apr_pool_t *p, const infor_op *op,
                               const infor_error *e);

/* The audit record of this call: the method, the caller, the client. */
void infor_ctx_audit(const infor_ctx *ctx, infor_audit *a);
/* Applies a change to u with its audit row; the errors a change can have
 * ("Username already exists", SystemError) come back as infor_error. */
infor_error *infor_change_user(infor_ctx *ctx, const infor_user *u,
                               const infor_user_change *c);

/* guard.c: the operations' side of infor_guard (each a no-op without
 * one).  A login held back is refused without its password being
 * checked; the caller answers as it answers a wrong password. */
int infor_login_held(const infor_ctx *ctx, const char *name);
void infor_login_failed(const infor_ctx *ctx, const char *name,
                        const char *reason);
void infor_login_passed(const infor_ctx *ctx, const char *name);
int infor_reset_held(const infor_ctx *ctx, const char *name);
void infor_reset_sent(const infor_ctx *ctx, const char *name);
void infor_reset_mail_failed(const infor_ctx *ctx, const char *name,
                             const char *why);

/* Operation handlers: ops_session.c */
infor_error *infor_op_authenticate_user(infor_ctx *ctx);
infor_error *infor_op_authenticate_via_httpd(infor_ctx *ctx);
infor_error *infor_op_renew_ticket(infor_ctx *ctx);
infor_error *infor_op_create_ticket_for_user(infor_ctx *ctx);
infor_error *infor_op_logout(infor_ctx *ctx);
infor_error *infor_op_is_valid_ticket(infor_ctx *ctx);
/* ops_user.c */
infor_error *infor_op_get_current_user(infor_ctx *ctx);
infor_error *infor_op_get_user(infor_ctx *ctx);
infor_error *infor_op_user_exists(infor_ctx *ctx);
infor_error *infor_op_get_all_users(infor_ctx *ctx);
infor_error *infor_op_get_all_users1(infor_ctx *ctx);
infor_error *infor_op_get_all_users2(infor_ctx *ctx);
infor_error *infor_op_get_all_users_without_details(infor_ctx *ctx);
infor_error *infor_op_update_contact_info(infor_ctx *ctx);
infor_error *infor_op_update_email(infor_ctx *ctx);
infor_error *infor_op_update_user_preferences(infor_ctx *ctx);
/* ops_admin.c */
infor_error *infor_op_create_user(infor_ctx *ctx);
infor_error *infor_op_delete_user(infor_ctx *ctx);
infor_error *infor_op_change_user_status(infor_ctx *ctx);
infor_error *infor_op_change_user_type(infor_ctx *ctx);
infor_error *infor_op_update_user_profile(infor_ctx *ctx);
/* ops_password.c */
infor_error *infor_op_change_user_password(infor_ctx *ctx);
infor_error *infor_op_forgot_password(infor_ctx *ctx);
infor_error *infor_op_change_password_using_secret(infor_ctx *ctx);

#endif /* INFOR_OPS_H */
