/*
 * Unit tests for mod_infor/ops_table.c (the operation table and its
 * lookups) and mod_infor/password.c (bcrypt hashing).
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_md5.h>
#include <apr_pools.h>
#include <apr_sha1.h>
#include <apr_strings.h>

#include "infor.h"
#include "infor_ops.h"
#include "infor_password.h"
#include "tap.h"

static apr_pool_t *pool;

static void test_op_find(void)
{
    const infor_op *op;

    op = infor_op_find("GetUser");
    ok(op && strcmp(op->name, "GetUser") == 0, "op_find: GetUser");
    op = infor_op_find("getuser");
    ok(op && strcmp(op->name, "GetUser") == 0, "op_find: getuser");
    op = infor_op_find("GETUSER");
    ok(op && strcmp(op->name, "GetUser") == 0, "op_find: GETUSER");
    op = infor_op_find("isvalidticket");
    ok(op && strcmp(op->name, "isValidTicket") == 0,
       "op_find: isvalidticket");
    ok(infor_op_find("UpdateUserContactInfo") != NULL,
       "op_find: UpdateUserContactInfo");
    ok(infor_op_find("NoSuchMethod") == NULL, "op_find: unknown is NULL");
    ok(infor_op_find("") == NULL, "op_find: empty is NULL");
    ok(infor_op_find("GetUse") == NULL, "op_find: a prefix is NULL");
    ok(infor_op_find("GetUserX") == NULL, "op_find: a longer name is NULL");
}

static void test_table(void)
{
    const infor_op *op;
    int rows = 0, handlers = 1, roots = 1, tickets = 1, targets = 1;
    int names = 1, unique = 1, sessions = 1, selves = 1;

    for (op = infor_ops; op->name; op++) {
        int i, nticket = 0, ntarget = 0;

        rows++;
        if (!op->handler) {
            handlers = 0;
            diag("%s: no handler", op->name);
        }
        if (!op->root || (strcmp(op->root, "root") != 0
                          && strcmp(op->root, "response") != 0)) {
            roots = 0;
            diag("%s: root is %s", op->name, op->root ? op->root : "NULL");
        }
        for (i = 0; i < INFOR_MAX_PARAMS && op->params[i].name; i++) {
            if (op->params[i].flags & INFOR_P_TICKET) {
                nticket++;
            }
            if (op->params[i].flags & INFOR_P_TARGET) {
                ntarget++;
            }
            if (infor_op_param(op, op->params[i].name) != i) {
                names = 0;
                diag("%s: parameter %s is not unique", op->name,
                     op->params[i].name);
            }
        }
        if (nticket > 1) {
            tickets = 0;
            diag("%s: %d ticket parameters", op->name, nticket);
        }
        if (ntarget > 1) {
            targets = 0;
            diag("%s: %d target parameters", op->name, ntarget);
        }
        if ((op->access != INFOR_ACCESS_ANYONE) != (nticket == 1)) {
            sessions = 0;
            diag("%s: access %d with %d ticket parameters", op->name,
                 (int)op->access, nticket);
        }
        if (op->access == INFOR_ACCESS_SELF_OR_ADMIN && ntarget != 1) {
            selves = 0;
            diag("%s: self-or-admin without a target parameter", op->name);
        }
        const infor_op *other = infor_op_find(op->name);
        if (other != op) {
            unique = 0;
            diag("%s: found as row %s", op->name,
                 other ? other->name : "NULL");
        }
    }
    ok(rows >= 6, "table: has the six documented operations");
    ok(handlers, "table: every row has a handler");
    ok(roots, "table: every root is \"root\" or \"response\"");
    ok(tickets, "table: at most one INFOR_P_TICKET parameter per row");
    ok(targets, "table: at most one INFOR_P_TARGET parameter per row");
    ok(names, "table: parameter names unique within a row (any case)");
    ok(unique, "table: operation names unique (any case)");
    ok(sessions, "table: a ticket parameter exactly when access needs one");
    ok(selves, "table: self-or-admin operations name a target");
}

static void test_op_param(void)
{
    const infor_op *op = infor_op_find("UpdateUserContactInfo");
    const infor_op *logout = infor_op_find("LogOut");
    infor_call call;
    infor_ctx ctx;

    if (!ok(op && logout, "op_param: operations found")) {
        return;
    }
    is_int(infor_op_param(op, "authenticationTicket"), 0,
           "op_param: authenticationTicket is 0");
    is_int(infor_op_param(op, "AuthenticationTicket"), 0,
           "op_param: AuthenticationTicket is 0");
    is_int(infor_op_param(op, "USERNAME"), 1, "op_param: USERNAME is 1");
    is_int(infor_op_param(op, "emailaddress"), 2,
           "op_param: emailaddress is 2");
    is_int(infor_op_param(op, "mobileNumber"), 3,
           "op_param: mobileNumber is 3");
    is_int(infor_op_param(op, "NewEmailAddress"), -1,
           "op_param: another operation's parameter is -1");
    is_int(infor_op_param(op, "email"), -1, "op_param: a prefix is -1");
    is_int(infor_op_param(op, ""), -1, "op_param: empty is -1");

    ok(infor_op_takes_cookie(logout), "takes_cookie: LogOut does");
    ok(infor_op_takes_cookie(infor_op_find("isValidTicket")),
       "takes_cookie: isValidTicket does");
    ok(!infor_op_takes_cookie(op),
       "takes_cookie: UpdateUserContactInfo does not");
    ok(!infor_op_takes_cookie(infor_op_find("AuthenticateUser")),
       "takes_cookie: AuthenticateUser does not");

    memset(&call, 0, sizeof(call));
    memset(&ctx, 0, sizeof(ctx));
    call.op = op;
    call.args[1] = "zoe";
    call.args[2] = "";
    ctx.call = &call;
    is_str(infor_arg(&ctx, "UserName"), "zoe", "arg: by name, any case");
    is_str(infor_arg(&ctx, "emailAddress"), "", "arg: empty stays \"\"");
    ok(infor_arg(&ctx, "mobileNumber") == NULL, "arg: absent is NULL");
    ok(infor_arg(&ctx, "NoSuchParam") == NULL, "arg: unknown name is NULL");
}

static void test_password(void)
{
    const char *h, *h2;
    char md5[120];
    char sha[64];

    h = infor_password_hash(pool, "s3cret \xc3\xa9t\xc3\xa9", 4);
    ok(h != NULL, "password: hash with cost 4");
    if (!h) {
        h = "";
    }
    ok(strncmp(h, "$2y$04$", 7) == 0, "password: a $2y$04$ hash");
    is_int((long)strlen(h), 60, "password: 60 characters");
    ok(infor_password_check("s3cret \xc3\xa9t\xc3\xa9", h),
       "password: the right password is accepted");
    ok(!infor_password_check("s3cret \xc3\xa9t\xc3\xa8", h),
       "password: a wrong password is refused");
    ok(!infor_password_check("S3CRET \xc3\xa9t\xc3\xa9", h),
       "password: another letter case is refused");
    ok(!infor_password_check("", h), "password: empty password is refused");
    ok(!infor_password_check(NULL, h), "password: NULL password is refused");

    h2 = infor_password_hash(pool, "s3cret \xc3\xa9t\xc3\xa9", 4);
    ok(h2 && strcmp(h, h2) != 0, "password: a fresh salt every time");

    h2 = infor_password_hash(pool, "", 4);
    ok(h2 && infor_password_check("", h2) && !infor_password_check("x", h2),
       "password: an empty password hashes and checks");

    h2 = infor_password_hash(pool, "pw", 2);
    ok(h2 && strncmp(h2, "$2y$10$", 7) == 0,
       "password: cost below 4 falls back to the default");

    ok(!infor_password_check("pw", NULL), "password: NULL hash is 0");
    ok(!infor_password_check("", NULL), "password: NULL hash, empty pw is 0");
    ok(!infor_password_check("pw", ""), "password: empty hash is 0");
    ok(!infor_password_check("pw", "pw"), "password: a plain text hash is 0");

    apr_md5_encode("pw", "abcdefgh", md5, sizeof(md5));
    ok(apr_password_validate("pw", md5) == APR_SUCCESS
       && !infor_password_check("pw", md5),
       "password: a valid $apr1$ (MD5) hash is 0");
    apr_sha1_base64("pw", 2, sha);
    ok(apr_password_validate("pw", sha) == APR_SUCCESS
       && !infor_password_check("pw", sha),
       "password: a valid {SHA} hash is 0");
}

static void test_parse_value(void)
{
    static const struct {
        const char *in;
        unsigned flags;
        int ok, value;
    } cases[] = {
        { "42", INFOR_P_INT, 1, 42 },      { " -7 ", INFOR_P_INT, 1, -7 },
        { "+3", INFOR_P_INT, 1, 3 },       { "", INFOR_P_INT, 0, 0 },
        { "4x", INFOR_P_INT, 0, 0 },       { "true", INFOR_P_INT, 0, 0 },
        { "99999999999", INFOR_P_INT, 0, 0 },
        { "true", INFOR_P_BOOL, 1, 1 },    { "FALSE", INFOR_P_BOOL, 1, 0 },
        { "1", INFOR_P_BOOL, 1, 1 },       { "0", INFOR_P_BOOL, 1, 0 },
        { "yes", INFOR_P_BOOL, 0, 0 },     { "", INFOR_P_BOOL, 0, 0 },
    };
    unsigned i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int v = -1, r = infor_parse_value(cases[i].in, cases[i].flags, &v);
        char name[80];

        snprintf(name, sizeof(name), "parse_value: '%s' as %s",
                 cases[i].in, cases[i].flags == INFOR_P_INT ? "int" : "bool");
        ok(r == cases[i].ok && (!r || v == cases[i].value), name);
    }
}

int main(void)
{
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);

    test_op_find();
    test_table();
    test_op_param();
    test_password();
    test_parse_value();

    return done_testing();
}
