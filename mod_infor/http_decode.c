/*
 * mod_infor: HTTP GET and form POST into the neutral call.  The only file
 * that includes libapreq2.  A GET reads the query string; a POST reads its
 * form body only (DECISIONS.md).
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_optional.h>
#include <http_protocol.h>

#include "apreq2/apreq_module_apache2.h"
#include "apreq_error.h"
#include "apreq_param.h"

#include "infor_private.h"

static APR_OPTIONAL_FN_TYPE(apreq_handle_apache2) *handle_fn;

/* No method takes more than 16 parameters: a request with more than this
 * many is refused, whatever their names (decoding them is linear, but
 * there is no reason to keep thousands in a table). */
#define MAX_PARAMS 100
#define ERR_TOO_MANY "Too many parameters: at most 100 are read."

/* Pairs in a query string, as libapreq2 splits it (at & and ;); counted
 * before it is decoded. */
static int query_pairs(const char *q)
{
    int n = 1;

    for (; *q; q++) {
        n += *q == '&' || *q == ';';
    }
    return n;
}

/* Called from post_config; returns 0 when mod_apreq2 is not loaded. */
int infor_http_init(void)
{
    handle_fn = APR_RETRIEVE_OPTIONAL_FN(apreq_handle_apache2);
    return handle_fn != NULL;
}

static int is_form(const char *ct)
{
    return ct && (strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0
                  || strncasecmp(ct, "multipart/form-data", 19) == 0);
}

infor_error *infor_http_decode(request_rec *r, apr_off_t max_body,
                               infor_call *call)
{
    apreq_handle_t *h = handle_fn(r);
    const apr_table_t *t = NULL;
    const infor_op *op = call->op;
    apr_status_t rv;
    int i;

    if (call->binding == INFOR_BIND_GET) {
        if (r->args && query_pairs(r->args) > MAX_PARAMS) {
            return infor_client_error(r->pool, 400, ERR_TOO_MANY);
        }
        rv = apreq_args(h, &t);
        if (rv != APR_SUCCESS && rv != APREQ_ERROR_NODATA) {
            return infor_client_error(r->pool, 400,
                                      "Malformed query string.");
        }
    }
    else {
        const char *ct = apr_table_get(r->headers_in, "Content-Type");
        const char *cl = apr_table_get(r->headers_in, "Content-Length");
        apr_off_t len = 0;
        char *end;

        if (cl && apr_strtoff(&len, cl, &end, 10) == APR_SUCCESS
            && len > max_body) {
            return infor_client_error(r->pool, 413,
                                      "Request body too large.");
        }
        if (!is_form(ct) && (cl == NULL ? r->read_chunked : len > 0)) {
            return infor_client_error(r->pool, 415, "A POST to a method "
                "takes an application/x-www-form-urlencoded body.");
        }
        apreq_read_limit_set(h, (apr_uint64_t)max_body);
        rv = apreq_body(h, &t);
        if (rv == APREQ_ERROR_OVERLIMIT) {
            return infor_client_error(r->pool, 413,
                                      "Request body too large.");
        }
        /* No body, no Content-Type or no parser for it: no parameters
         * (the missing ones are then reported by name). */
        if (rv != APR_SUCCESS && rv != APREQ_ERROR_NODATA
            && rv != APREQ_ERROR_NOPARSER && rv != APREQ_ERROR_NOHEADER) {
            return infor_client_error(r->pool, 400, "Malformed form body.");
        }
    }
    if (!t) {
        return NULL;   /* no parameters at all */
    }
    if (apr_table_elts(t)->nelts > MAX_PARAMS) {
        return infor_client_error(r->pool, 400, ERR_TOO_MANY);
    }
    /* apr_table_get matches names regardless of case and returns the
     * first value: both as DECISIONS.md asks. */
    for (i = 0; i < INFOR_MAX_PARAMS && op->params[i].name; i++) {
        const char *v = apr_table_get(t, op->params[i].name);
        if (v && strlen(v) != apreq_value_to_param(v)->v.dlen) {
            return infor_client_error(r->pool, 400, apr_psprintf(r->pool,
                "Invalid parameter: %s holds a NUL byte.",
                op->params[i].name));
        }
        call->args[i] = v;
    }
    return NULL;
}

const char *infor_http_cookie_ticket(request_rec *r)
{
    const apr_table_t *jar = NULL;

    if (!apr_table_get(r->headers_in, "Cookie")) {
        return NULL;
    }
    if (apreq_jar(handle_fn(r), &jar) != APR_SUCCESS || !jar) {
        return NULL;
    }
    return apr_table_get(jar, "ticket");
}

const char *infor_http_query_param(request_rec *r, const char *name)
{
    const apr_table_t *t = NULL;

    if (!r->args || apreq_args(handle_fn(r), &t) != APR_SUCCESS || !t) {
        return NULL;
    }
    return apr_table_get(t, name);
}
