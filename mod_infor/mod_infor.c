/*
 * mod_infor: the module record, its hooks and the content handler.
 *
 * The handler finds the binding (GET/POST method URL, or a SOAP POST to
 * the endpoint), has it decoded into a neutral call, runs the call through
 * dispatch (ticket and access checks, then the operation) and renders the
 * answer for the same binding.  See the README's internals section.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_optional.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <apr_dbd.h>
#include <mod_dbd.h>

#include "infor_private.h"
#include "infor_describe.h"
#include "infor_soap.h"
#include "infor_store.h"

static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *dbd_acquire;

/* ------------------------------------------------------------ answers */

static int send_body(request_rec *r, int status, const char *type,
                     const char *body, apr_size_t len)
{
    r->status = status;
    ap_set_content_type(r, type);
    ap_set_content_length(r, len);
    if (!r->header_only) {
        ap_rwrite(body, (int)len, r);
    }
    return OK;
}

/* The one place errors that refuse a request are answered. */
static int send_refusal(request_rec *r, infor_binding binding,
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

static int send_result(request_rec *r, const infor_call *call,
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

/* ------------------------------------------------------------ decoding */

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
static const char *method_segment(request_rec *r)
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

static infor_error *decode(request_rec *r, apr_off_t max_body,
                           infor_call *call)
{
    const char *last = method_segment(r);

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

/* GET /srv.asmx: the WSDL (?WSDL), one operation's page (?op=NAME), or
 * the list of operations. */
static int describe(request_rec *r)
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

/* The access log writes the request line as it came: keep passwords out
 * of it, and tickets down to their first eight characters.  Names are
 * read as libapreq2 reads them (pairs split at & or ;, names decoded), and
 * a name is sensitive if any operation's parameter of that name is, so
 * that a misspelt method is masked too. */
static void mask_request_line(request_rec *r)
{
    const char *line = r->the_request, *q = line ? strchr(line, '?') : NULL;
    infor_buf b;

    if (!q) {
        return;
    }
    infor_buf_init(&b, r->pool, strlen(line) + 16);
    infor_buf_add(&b, line, q - line);
    while (*q == '?' || *q == '&' || *q == ';') {
        apr_size_t nlen, vlen;
        const char *eq, *name;
        char *decoded, *c;
        unsigned flags;

        infor_buf_add(&b, q, 1);
        name = ++q;
        nlen = strcspn(name, "=&; ");
        eq = name + nlen;
        vlen = *eq == '=' ? strcspn(eq + 1, "&; ") : 0;
        decoded = apr_pstrndup(r->pool, name, nlen);
        for (c = decoded; *c; c++) {
            if (*c == '+') {
                *c = ' ';
            }
        }
        /* A name that does not decode cleanly is masked to be safe. */
        flags = ap_unescape_url(decoded) == OK
                ? infor_param_flags(decoded) : INFOR_P_SECRET;
        infor_buf_add(&b, name, nlen);
        if (*eq == '=') {
            infor_buf_add(&b, "=", 1);
            if (flags & INFOR_P_SECRET) {
                infor_buf_puts(&b, "***");
            }
            else if ((flags & (INFOR_P_TICKET | INFOR_P_GUID)) && vlen > 8) {
                infor_buf_add(&b, eq + 1, 8);
                infor_buf_puts(&b, "...");
            }
            else {
                infor_buf_add(&b, eq + 1, vlen);
            }
            q = eq + 1 + vlen;
        }
        else {
            q = eq;
        }
    }
    infor_buf_puts(&b, q);
    r->the_request = b.data;
}

/* An absolute URL on this server as configured (ServerName), never from
 * the client's Host header: reset links go by mail to a victim, and a
 * forged Host would send the live code elsewhere. */
static const char *server_url(request_rec *r, const char *path)
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

/* ------------------------------------------------------------- handler */

static infor_error *open_store(request_rec *r, infor_db *db)
{
    ap_dbd_t *dbd = dbd_acquire(r);
    apr_status_t rv;

    if (!dbd) {
        return infor_error_make(r->pool, INFOR_E_SERVER, 200,
                                "SystemError: database unavailable",
                                "no database connection from mod_dbd "
                                "(check DBDriver and DBDParams)");
    }
    db->driver = dbd->driver;
    db->handle = dbd->handle;
    db->prepared = dbd->prepared;
    db->pool = r->pool;
    if (!infor_store_attached(db)) {
        /* First use of this connection: ready it for its lifetime. */
        rv = infor_store_attach(db, dbd->pool);
        if (rv != APR_SUCCESS) {
            return infor_error_make(r->pool, INFOR_E_SERVER, 200,
                                    "SystemError: database unavailable",
                                    db->errmsg);
        }
    }
    return NULL;
}

static void log_error(request_rec *r, const infor_call *call,
                      const infor_error *e)
{
    const char *name = call->op ? call->op->name : "-";

    if (e->kind == INFOR_E_SERVER) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, APLOGNO(10601)
                      "%s: %s", name, e->detail ? e->detail : e->message);
    }
    else if (e->kind == INFOR_E_CLIENT) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, APLOGNO(10602)
                      "%s refused: %s", name, e->message);
    }
    else {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, APLOGNO(10603)
                      "%s failed: %s", name, e->message);
    }
}

static int infor_handler(request_rec *r)
{
    infor_dir_cfg *cfg;
    infor_settings settings;
    infor_call call;
    infor_db db;
    infor_elem *result;
    infor_error *e;
    const char *user = NULL;

    if (!r->handler || strcmp(r->handler, INFOR_HANDLER) != 0) {
        return DECLINED;
    }
    cfg = ap_get_module_config(r->per_dir_config, &infor_module);
    infor_cfg_settings(cfg, &settings);
    memset(&call, 0, sizeof(call));
    memset(&db, 0, sizeof(db));
    call.client_ip = r->useragent_ip;

    mask_request_line(r);
    if (r->method_number == M_GET && !method_segment(r)) {
        return describe(r);
    }
    e = decode(r, infor_cfg_max_body(cfg), &call);
    if (e) {
        log_error(r, &call, e);
        return send_refusal(r, call.binding, e);
    }
    if (infor_op_takes_cookie(call.op)) {
        call.cookie_ticket = infor_http_cookie_ticket(r);
    }
    /* Whoever an httpd authentication module let in, for
     * AuthenticateUserViaWindows. */
    call.remote_user = r->user;
    if (call.op->flags & INFOR_OP_MAILS) {
        call.reset_url = infor_cfg_reset_url(cfg);
        if (!call.reset_url) {
            call.reset_url = server_url(r, "/resetpassword.aspx");
        }
    }

    if ((e = open_store(r, &db)) != NULL) {
        result = infor_result_error(r->pool, call.op, e);
    }
    else {
        result = infor_dispatch(r->pool, &settings, &db, &call, &user, &e);
    }
    if (user) {
        /* The access log's %u shows who made the call. */
        r->user = apr_pstrdup(r->pool, user);
    }
    if (e) {
        log_error(r, &call, e);
        if (!result) {
            return send_refusal(r, call.binding, e);
        }
    }
    return send_result(r, &call, result);
}

/* --------------------------------------------------------------- hooks */

/* Requests for the service map to no file: skip the directory walk (it
 * only costs stat calls, and fails where the document root is
 * unreadable).  SetHandler is only known after the location walk, so
 * look there for URLs that can be ours. */
static int infor_map_to_storage(request_rec *r)
{
    core_dir_config *core;
    const char *err = NULL, *handler;

    if (!ap_strcasestr(r->uri, ".asmx")) {
        return DECLINED;
    }
    if (ap_location_walk(r) != OK) {
        return DECLINED;
    }
    core = ap_get_core_module_config(r->per_dir_config);
    if (!core->expr_handler) {
        return DECLINED;
    }
    handler = ap_expr_str_exec(r, core->expr_handler, &err);
    if (err || !handler || strcmp(handler, INFOR_HANDLER) != 0) {
        return DECLINED;
    }
    return OK;
}

static int infor_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    (void)pconf;
    (void)plog;
    (void)ptemp;
    dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
    if (!dbd_acquire) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, APLOGNO(10604)
                     "mod_infor needs mod_dbd: LoadModule dbd_module");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (!infor_http_init()) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, APLOGNO(10605)
                     "mod_infor needs mod_apreq2: LoadModule apreq_module");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    infor_soap_init();
    return OK;
}

static void infor_child_init(apr_pool_t *p, server_rec *s)
{
    apr_status_t rv = infor_store_init(p);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, APLOGNO(10606)
                     "mod_infor: cannot create the schema mutex");
    }
}

static void infor_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_post_config(infor_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(infor_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_map_to_storage(infor_map_to_storage, NULL, NULL,
                           APR_HOOK_FIRST);
    ap_hook_handler(infor_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

/* Not AP_DECLARE_MODULE: infor_private.h already declares the log index. */
module AP_MODULE_DECLARE_DATA infor_module = {
    STANDARD20_MODULE_STUFF,
    infor_create_dir_cfg,
    infor_merge_dir_cfg,
    NULL,
    NULL,
    infor_cmds,
    infor_register_hooks,
    0
};
