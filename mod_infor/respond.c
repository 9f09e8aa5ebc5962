/*
 * mod_infor: the answers: results and refusals in the binding of the
 * request, and the service's descriptions (WSDL, help pages).
 */
#include <string.h>

#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>

#include "infor_describe.h"
#include "infor_private.h"
#include "infor_soap.h"

static int send_body(request_rec *r, int status, const char *type,
                     const char *body, apr_size_t len)
{
    r->status = status;
    /* Answers carry tickets and user records: no cache may keep one.
     * Every answer, faults and help pages too, to keep it simple. */
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    ap_set_content_type(r, type);
    ap_set_content_length(r, len);
    if (!r->header_only) {
        ap_rwrite(body, (int)len, r);
    }
    return OK;
}

/* The one place errors that refuse a request are answered. */
int infor_respond_refusal(request_rec *r, infor_binding binding,
                          const infor_error *e)
{
    if (binding == INFOR_BIND_SOAP11 || binding == INFOR_BIND_SOAP12) {
        infor_buf b;
        infor_buf_init(&b, r->pool, 1024);
        infor_soap_write_fault(&b, binding, e);
        return send_body(r, infor_soap_fault_status(binding, e),
                         binding == INFOR_BIND_SOAP12
                         ? "application/soap+xml; charset=utf-8"
                         : "text/xml; charset=utf-8", b.data, b.len);
    }
    if (e->http_status == HTTP_METHOD_NOT_ALLOWED) {
        apr_table_setn(r->headers_out, "Allow", "GET, POST");
    }
    if (e->http_status == HTTP_REQUEST_ENTITY_TOO_LARGE) {
        /* The rest of the body is never read: the connection cannot be
         * reused. */
        r->connection->keepalive = AP_CONN_CLOSE;
    }
    return send_body(r, e->http_status, "text/plain; charset=utf-8",
                     apr_pstrcat(r->pool, e->message, "\n", NULL),
                     strlen(e->message) + 1);
}

int infor_respond_result(request_rec *r, const infor_call *call,
                         const infor_elem *result)
{
    infor_buf b;

    infor_buf_init(&b, r->pool, 1024);
    if (call->binding == INFOR_BIND_SOAP11
        || call->binding == INFOR_BIND_SOAP12) {
        infor_soap_write_result(&b, call->binding, call->op, result);
        return send_body(r, HTTP_OK, call->binding == INFOR_BIND_SOAP12
                         ? "application/soap+xml; charset=utf-8"
                         : "text/xml; charset=utf-8", b.data, b.len);
    }
    infor_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    infor_xml_write(&b, result, 0);
    return send_body(r, HTTP_OK, "text/xml; charset=utf-8", b.data, b.len);
}

/* GET /srv.asmx: the WSDL (?WSDL), one operation's page (?op=NAME), or
 * the list of operations. */
int infor_respond_describe(request_rec *r)
{
    const char *host = apr_table_get(r->headers_in, "Host");
    const char *name;
    const infor_op *op;
    infor_buf b;
    int status = HTTP_OK;

    infor_buf_init(&b, r->pool, 64 * 1024);
    if (!host || !*host) {
        host = ap_get_server_name_for_url(r);
    }
    if (r->args && strcasecmp(r->args, "wsdl") == 0) {
        /* The address the client used (httpd has checked the Host
         * header), so that it works behind a proxy that keeps it. */
        infor_describe_wsdl(&b, apr_pstrcat(r->pool, ap_http_scheme(r),
                                            "://", host, r->uri, NULL));
        return send_body(r, HTTP_OK, "text/xml; charset=utf-8", b.data,
                         b.len);
    }
    name = infor_http_query_param(r, "op");
    if (!name) {
        infor_describe_index(&b, r->uri);
    }
    else if ((op = infor_op_find(name)) != NULL) {
        infor_describe_op(&b, op, r->uri, host);
    }
    else {
        infor_describe_unknown(&b, r->uri, name);
        status = HTTP_NOT_FOUND;
    }
    return send_body(r, status, "text/html; charset=utf-8", b.data, b.len);
}

/* An absolute URL on this server as configured (ServerName), never from
 * the client's Host header: reset links go by mail to a victim, and a
 * forged Host would send the live code elsewhere. */
const char *infor_server_url(request_rec *r, const char *path)
{
    const char *scheme = ap_http_scheme(r);
    apr_port_t port = r->server->port ? r->server->port
                                      : ap_default_port(r);

    if (port == ap_default_port(r)) {
        return apr_pstrcat(r->pool, scheme, "://",
                           r->server->server_hostname, path, NULL);
    }
    return apr_psprintf(r->pool, "%s://%s:%u%s", scheme,
                        r->server->server_hostname, (unsigned)port, path);
}
