/*
 * mod_infor: the answers: results and refusals in the binding of the
 * request, and the service's descriptions (WSDL, help pages).
 */
#include <string.h>

#include <apr_strings.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <util_filter.h>

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
    /* Sent now, as httpd sends a static file.  Unflushed, core keeps a
     * small answer back until the request ends and it has looked for a
     * pipelined request; the client, still waiting for this answer, has
     * sent none, so every keep-alive connection went back to the event
     * MPM's listener and on to another thread (an epoll and a handful of
     * futex calls a request: GetUser at 1 connection used 104-120 us of
     * CPU, 44 flushed).  Flushed, the next request is usually there when
     * httpd looks, and is read on the same thread. */
    ap_rflush(r);
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

int infor_result_streams(const infor_elem *e)
{
    int i;

    if (e->stream) {
        return 1;
    }
    for (i = 0; e->kids && i < e->kids->nelts; i++) {
        if (infor_result_streams(APR_ARRAY_IDX(e->kids, i,
                                               const infor_elem *))) {
            return 1;
        }
    }
    return 0;
}

/* The size of the pieces a streamed answer goes out in. */
#define STREAM_CHUNK (64 * 1024)

typedef struct {
    request_rec *r;
    apr_bucket_brigade *bb;
} stream_out;

/* infor_buf's flush for a streamed answer: the bytes go down httpd's
 * output filters and to the client before the buffer is used again. */
static apr_status_t flush_out(infor_buf *b)
{
    stream_out *o = b->flush_baton;
    apr_status_t rv;

    if (o->r->connection->aborted) {
        return APR_ECONNABORTED;
    }
    rv = ap_fwrite(o->r->output_filters, o->bb, b->data, b->len);
    if (rv == APR_SUCCESS) {
        rv = ap_fflush(o->r->output_filters, o->bb);
    }
    apr_brigade_cleanup(o->bb);
    return rv;
}

static void write_result(infor_buf *b, const infor_call *call,
                         const infor_elem *result)
{
    if (call->binding == INFOR_BIND_SOAP11
        || call->binding == INFOR_BIND_SOAP12) {
        infor_soap_write_result(b, call->binding, call->op, result);
        return;
    }
    infor_buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    infor_xml_write(b, result, 0);
}

/* An answer with a streamed list: written as it is read from the store,
 * in pieces of STREAM_CHUNK, without a Content-Length (chunked).  When
 * the store fails half-way, the status has long been sent: the answer is
 * cut short (no last chunk, the connection closed), which a client sees
 * as the failure it is, never as a complete list. */
static int send_streamed(request_rec *r, const infor_call *call,
                         const infor_elem *result, const char *type)
{
    stream_out o;
    infor_buf b;
    apr_status_t rv;

    r->status = HTTP_OK;
    ap_set_content_type(r, type);
    if (r->header_only) {
        return OK;
    }
    o.r = r;
    o.bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    infor_buf_init(&b, r->pool, STREAM_CHUNK);
    b.flush = flush_out;
    b.flush_baton = &o;
    write_result(&b, call, result);
    rv = b.status;
    if (rv == APR_SUCCESS && b.len) {
        rv = flush_out(&b);
    }
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, INFORLOGNO(0500)
                      "%s: the streamed answer was cut short",
                      call->op->name);
        r->connection->keepalive = AP_CONN_CLOSE;
        APR_BRIGADE_INSERT_TAIL(o.bb, ap_bucket_error_create(
                                    HTTP_BAD_GATEWAY, NULL, r->pool,
                                    r->connection->bucket_alloc));
        ap_pass_brigade(r->output_filters, o.bb);
        apr_brigade_cleanup(o.bb);
    }
    return OK;
}

int infor_respond_result(request_rec *r, const infor_call *call,
                         const infor_elem *result)
{
    const char *type = call->binding == INFOR_BIND_SOAP12
                       ? "application/soap+xml; charset=utf-8"
                       : "text/xml; charset=utf-8";
    infor_buf b;

    if (infor_result_streams(result)) {
        return send_streamed(r, call, result, type);
    }
    infor_buf_init(&b, r->pool, 1024);
    write_result(&b, call, result);
    return send_body(r, HTTP_OK, type, b.data, b.len);
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
