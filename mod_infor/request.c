/*
 * mod_infor: reading a request: which binding and operation it is, its
 * body, and the decoding into the neutral call (by http_decode.c or
 * soap.c).
 */
#include <string.h>

#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>

#include "infor_private.h"
#include "infor_soap.h"

/* Reads the whole body, refusing more than max bytes. */
static infor_error *read_body(request_rec *r, apr_off_t max,
                              const char **out, apr_size_t *len)
{
    infor_buf b;

    if (ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK) != OK) {
        return infor_client_error(r->pool, 400, "Unreadable request body.");
    }
    if (r->remaining > max) {
        return infor_client_error(r->pool, 413, "Request body too large.");
    }
    infor_buf_init(&b, r->pool, r->remaining > 0
                   ? (apr_size_t)r->remaining + 1 : 8192);
    if (ap_should_client_block(r)) {
        char chunk[8192];
        long n;

        while ((n = ap_get_client_block(r, chunk, sizeof(chunk))) > 0) {
            if ((apr_off_t)(b.len + n) > max) {
                return infor_client_error(r->pool, 413,
                                          "Request body too large.");
            }
            infor_buf_add(&b, chunk, n);
        }
        if (n < 0) {
            return infor_client_error(r->pool, 400,
                                      "Unreadable request body.");
        }
    }
    *out = b.data;
    *len = b.len;
    return NULL;
}

/* The value of the action parameter of a SOAP 1.2 Content-Type. */
static const char *content_type_action(apr_pool_t *p, const char *ct)
{
    const char *a = ct ? ap_strcasestr(ct, "action=") : NULL;
    const char *end;

    if (!a) {
        return NULL;
    }
    a += 7;
    if (*a == '"') {
        end = strchr(++a, '"');
    }
    else {
        end = a + strcspn(a, "; \t");
    }
    return end ? apr_pstrndup(p, a, end - a) : NULL;
}

/* Works out the binding and the operation from the URL, method and
 * Content-Type, and decodes the parameters. */
/* The method of a /srv.asmx/METHOD URL, or NULL for the endpoint. */
const char *infor_request_method(request_rec *r)
{
    const char *slash = strrchr(r->uri, '/');
    const char *last = slash ? slash + 1 : r->uri;
    apr_size_t base = last - r->uri;

    if (*last && base >= 6 && strncasecmp(r->uri + base - 6, ".asmx", 5) == 0
        && r->uri[base - 1] == '/') {
        return last;
    }
    return NULL;
}

infor_error *infor_request_decode(request_rec *r, apr_off_t max_body,
                                  infor_call *call)
{
    const char *last = infor_request_method(r);

    if (r->method_number != M_GET && r->method_number != M_POST) {
        return infor_client_error(r->pool, HTTP_METHOD_NOT_ALLOWED,
                                  "Method not allowed: use GET or POST.");
    }
    /* /srv.asmx/METHOD: the REST bindings. */
    if (last) {
        call->binding = r->method_number == M_GET ? INFOR_BIND_GET
                                                  : INFOR_BIND_POST;
        call->op = infor_op_find(last);
        if (!call->op) {
            return infor_client_error(r->pool, HTTP_NOT_FOUND,
                apr_psprintf(r->pool, "Unknown method: %s.",
                             apr_pstrndup(r->pool, last, 200)));
        }
        return infor_http_decode(r, max_body, call);
    }
    /* /srv.asmx: the SOAP endpoint. */
    if (r->method_number == M_POST) {
        const char *ct = apr_table_get(r->headers_in, "Content-Type");
        const char *action, *body = NULL;
        apr_size_t len = 0;
        infor_error *e;

        if (ct && strncasecmp(ct, "application/soap+xml", 20) == 0) {
            call->binding = INFOR_BIND_SOAP12;
            action = content_type_action(r->pool, ct);
        }
        else if (ct && strncasecmp(ct, "text/xml", 8) == 0) {
            call->binding = INFOR_BIND_SOAP11;
            action = apr_table_get(r->headers_in, "SOAPAction");
        }
        else {
            return infor_client_error(r->pool, 415, "A SOAP request takes "
                "Content-Type text/xml (SOAP 1.1) or application/soap+xml "
                "(SOAP 1.2).");
        }
        if ((e = read_body(r, max_body, &body, &len)) != NULL) {
            if (e->http_status == 413) {
                call->binding = INFOR_BIND_POST;   /* a plain 413 */
            }
            return e;
        }
        return infor_soap_decode(r->pool, body, len, action, call);
    }
    return infor_client_error(r->pool, HTTP_NOT_FOUND, "No method named: "
        "call /srv.asmx/METHOD, or POST a SOAP envelope to /srv.asmx.");
}
