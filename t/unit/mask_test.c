/*
 * Unit tests for mod_infor/mask.c: what the access log may show of a
 * request line or a query string.
 */
#include <stdlib.h>

#include <apr_general.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_pools.h>

#include "infor.h"
#include "infor_mask.h"
#include "infor_ops.h"
#include "tap.h"

static apr_pool_t *pool;

#define T "0123abcd-1111-2222-3333-444455556666"

static void line(const char *in, const char *want, const char *name)
{
    is_str(infor_mask_query(pool, in, 0), want, name);
}

static void query(const char *in, const char *want, const char *name)
{
    is_str(infor_mask_query(pool, in, 1), want, name);
}

static void test_request_line(void)
{
    const char *plain = "GET /srv.asmx/UserExists?UserName=bob HTTP/1.1";

    line("GET /srv.asmx/AuthenticateUser?UID=bob&PWD=s3cret HTTP/1.1",
         "GET /srv.asmx/AuthenticateUser?UID=bob&PWD=*** HTTP/1.1",
         "PWD masked, the rest kept");
    ok(infor_mask_query(pool, plain, 0) == plain,
       "nothing to mask: the same string back");
    ok(infor_mask_query(pool, NULL, 0) == NULL, "NULL stays NULL");
    line("GET /srv.asmx HTTP/1.1", "GET /srv.asmx HTTP/1.1", "no query");
    line("GET /x?pwd=a;NewPassword=b&newpassword=c&SECRETTEXT=d HTTP/1.1",
         "GET /x?pwd=***;NewPassword=***&newpassword=***&SECRETTEXT=*** "
         "HTTP/1.1", "names in any case, ; and & both split");
    line("GET /x?TrustedUserPwd=t&UserPassword=u&Password=p HTTP/1.1",
         "GET /x?TrustedUserPwd=***&UserPassword=***&Password=*** HTTP/1.1",
         "the trusted password, DeleteUser1's, CreateUser's");
    line("GET /x?authenticationTicket=" T "&OldTicket=" T " HTTP/1.1",
         "GET /x?authenticationTicket=0123abcd...&OldTicket=0123abcd... "
         "HTTP/1.1", "tickets cut to eight characters");
    line("GET /x?P%57D=a&%50wd=b&PW%44=c&P+WD=d HTTP/1.1",
         "GET /x?P%57D=***&%50wd=***&PW%44=***&P+WD=d HTTP/1.1",
         "escaped names decoded as libapreq2 does");
    line("GET /x?PWD%00x=a&P%zzD=b&P%u0057D=c&ok%4=d HTTP/1.1",
         "GET /x?PWD%00x=***&P%zzD=***&P%u0057D=***&ok%4=*** HTTP/1.1",
         "names that do not decode cleanly: masked");
    line("GET /x?PWD=a&PWD=b&PWD&=&PWD= HTTP/1.1",
         "GET /x?PWD=***&PWD=***&PWD&=&PWD=*** HTTP/1.1",
         "repeated, bare and empty parameters");
    line("GET /x?a=1?PWD=2&b=3 HTTP/1.1", "GET /x?a=1?PWD=2&b=3 HTTP/1.1",
         "a second ? is part of a value, as libapreq2 reads it");
}

static void test_idempotent(void)
{
    const char *once = infor_mask_query(pool,
        "GET /x?PWD=a&authenticationTicket=" T " HTTP/1.1", 0);

    ok(infor_mask_query(pool, once, 0) == once,
       "masking a masked line changes nothing");
    query("authenticationTicket=0123abcd...", "authenticationTicket=0123abcd...",
          "a ticket already cut stays as it is");
    query("authenticationTicket=0123abcde", "authenticationTicket=0123abcd...",
          "nine characters are cut");
}

static void test_query_string(void)
{
    query("UID=bob&PWD=x", "UID=bob&PWD=***", "a query string: from its start");
    query("PWD=x", "PWD=***", "the first parameter too");
    query("", "", "empty");
    query("wsdl", "wsdl", "no parameters");
}

/* The flags the masking asks for (made once, sorted): every parameter of
 * every operation, in any letter case, has at least its own; a name no
 * operation takes has none. */
static void test_param_flags(void)
{
    const infor_op *op;
    int i, missing = 0, n = 0;

    for (op = infor_ops; op->name; op++) {
        for (i = 0; i < INFOR_MAX_PARAMS && op->params[i].name; i++) {
            char *upper = apr_pstrdup(pool, op->params[i].name), *c;
            unsigned want = op->params[i].flags;

            for (c = upper; *c; c++) {
                *c = (char)apr_toupper(*c);
            }
            if ((infor_param_flags(op->params[i].name) & want) != want
                || (infor_param_flags(upper) & want) != want) {
                diag("flags of %s.%s", op->name, op->params[i].name);
                missing++;
            }
            n++;
        }
    }
    ok(n > 100 && missing == 0,
       "param flags: every parameter of the table, in any case");
    is_int((int)infor_param_flags("PWD") & INFOR_P_SECRET, INFOR_P_SECRET,
           "param flags: PWD is a secret");
    is_int((int)infor_param_flags("NoSuchParameter"), 0,
           "param flags: an unknown name has none");
}

int main(void)
{
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);

    test_request_line();
    test_idempotent();
    test_query_string();
    test_param_flags();

    return done_testing();
}
