/*
 * mod_infor: the module record, its hooks and the content handler.
 *
 * The handler has the request read into a neutral call (request.c), runs
 * the call through dispatch (ticket and access checks, then the
 * operation) and has the answer written in the same binding (respond.c).
 * See the README's internals section.
 */
#include <string.h>

#include <apr_global_mutex.h>
#include <apr_strings.h>
#include <apr_optional.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_mutex.h>
#include <apr_dbd.h>
#include <mod_dbd.h>

#include "infor_private.h"
#include "infor_soap.h"
#include "infor_status.h"
#include "infor_store.h"

static APR_OPTIONAL_FN_TYPE(ap_dbd_open) *dbd_open;
static APR_OPTIONAL_FN_TYPE(ap_dbd_close) *dbd_close;

/* The locks SQLite write transactions hold, from BEGIN to COMMIT, in
 * every child: one per database file (a file's path picks one of
 * INFOR_WRITE_LOCKS), so that the writers of one database never wait for
 * another's.  The Mutex directive names them. */
#define WRITE_LOCK_TYPE "infor-write"
static apr_global_mutex_t *write_locks[INFOR_WRITE_LOCKS];

/* ------------------------------------------------------------- handler */

/* The request's use of a mod_dbd connection. */
typedef struct {
    request_rec *r;
    infor_db *db;
    ap_dbd_t *dbd;     /* NULL once given back */
} store_use;

/* Gives the connection back to mod_dbd's pool, without a transaction or
 * lock going back with it. */
static void close_store(store_use *use)
{
    if (!use->dbd) {
        return;
    }
    if (infor_store_release(use->db) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, use->r, INFORLOGNO(0101)
                      "%s", use->db->errmsg);
    }
    dbd_close(use->r->server, use->dbd);
    use->dbd = NULL;
}

/* A request that ends before the handler gave the connection back (an
 * error, a streamed answer) gives it back with its pool. */
static apr_status_t close_store_cleanup(void *data)
{
    close_store(data);
    return APR_SUCCESS;
}

/* The connection is the request's from here until the handler has its
 * answer (a streamed one: until it is sent), not until the request's
 * pool goes after logging: a child's threads then wait for one of its
 * DBDMax connections only while another does its database work. */
static infor_error *open_store(request_rec *r, infor_db *db,
                               store_use **usep)
{
    ap_dbd_t *dbd = dbd_open(r->pool, r->server);
    infor_srv_cfg *sc = ap_get_module_config(r->server->module_config,
                                             &infor_module);
    store_use *use;
    apr_status_t rv;
    int readied = 0;

    *usep = NULL;
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
    db->sync_normal = sc->sync_normal == 1;
    /* From now on the maintenance thread purges this server's store. */
    infor_maintain_serving(r->server, r->request_time);
    use = apr_palloc(r->pool, sizeof(*use));
    use->r = r;
    use->db = db;
    use->dbd = dbd;
    *usep = use;
    apr_pool_pre_cleanup_register(r->pool, use, close_store_cleanup);
    /* On a connection's first use this readies it for its lifetime. */
    rv = infor_store_attach(db, dbd->pool, &readied);
    if (rv != APR_SUCCESS) {
        return infor_error_make(r->pool, INFOR_E_SERVER, 200,
                                "SystemError: database unavailable",
                                db->errmsg);
    }
    if (readied) {
        /* Once per database connection, never per request (the tests
         * count these lines). */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, INFORLOGNO(0007)
                      "readied a database connection: schema checked, "
                      "statements prepared");
    }
    return NULL;
}

static void log_error(request_rec *r, const infor_call *call,
                      const infor_error *e)
{
    const char *name = call->op ? call->op->name : "-";

    if (e->kind == INFOR_E_SERVER) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, INFORLOGNO(0001)
                      "%s: %s", name, e->detail ? e->detail : e->message);
    }
    else if (e->kind == INFOR_E_CLIENT) {
        infor_log_client(r, name, e->message);
    }
    else {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, INFORLOGNO(0003)
                      "%s failed: %s", name, e->message);
    }
}

static int infor_handler(request_rec *r)
{
    infor_dir_cfg *cfg;
    infor_settings settings;
    infor_call call;
    infor_db *db;
    infor_elem *result;
    infor_error *e;
    store_use *use = NULL;
    const char *user = NULL;

    if (!r->handler || strcmp(r->handler, INFOR_HANDLER) != 0) {
        return DECLINED;
    }
    cfg = ap_get_module_config(r->per_dir_config, &infor_module);
    infor_cfg_settings(cfg, &settings);
    memset(&call, 0, sizeof(call));
    /* In the request's pool: the store is closed after the handler. */
    db = apr_pcalloc(r->pool, sizeof(*db));
    call.client_ip = r->useragent_ip;

    if (r->method_number == M_GET && !infor_request_method(r)) {
        return infor_respond_describe(r);
    }
    e = infor_request_decode(r, infor_cfg_max_body(cfg), &call);
    if (e) {
        infor_status_call(&call, e);
        log_error(r, &call, e);
        return infor_respond_refusal(r, call.binding, e);
    }
    if (infor_op_takes_cookie(call.op)) {
        call.cookie_ticket = infor_http_cookie_ticket(r);
    }
    /* Whoever an httpd authentication module let in, for
     * AuthenticateUserViaWindows. */
    call.remote_user = r->user;
    /* Failed logins and reset mail are counted and logged there. */
    call.guard = infor_throttle_guard(r, cfg);
    if (call.op->flags & INFOR_OP_MAILS) {
        call.reset_url = infor_cfg_reset_url(cfg);
        if (!call.reset_url) {
            call.reset_url = infor_server_url(r, "/resetpassword.aspx");
        }
    }

    if ((e = open_store(r, db, &use)) != NULL) {
        result = infor_result_error(r->pool, call.op, e);
    }
    else {
        result = infor_dispatch(r->pool, &settings, db, &call, &user, &e);
    }
    if (db->recovered) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, INFORLOGNO(0104)
                      "database connection readied again after: %s",
                      db->recovered);
    }
    if (use && !(result && infor_result_streams(result))) {
        /* The answer is in memory: another request may have the
         * connection while this one is written and logged. */
        close_store(use);
    }
    if (user) {
        /* The access log's %u shows who made the call. */
        r->user = apr_pstrdup(r->pool, user);
    }
    infor_status_call(&call, e);
    if (e) {
        log_error(r, &call, e);
        if (!result) {
            return infor_respond_refusal(r, call.binding, e);
        }
    }
    return infor_respond_result(r, &call, result);
}

/* --------------------------------------------------------------- hooks */

static int infor_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp)
{
    (void)ptemp;
    infor_store_pre_config();
    if (ap_mutex_register(pconf, WRITE_LOCK_TYPE, NULL, APR_LOCK_DEFAULT, 0)
        != APR_SUCCESS) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return infor_throttle_pre_config(pconf, plog);
}

/* The write locks, made before the children start. */
static int make_shared(apr_pool_t *pconf, server_rec *s)
{
    apr_status_t rv;
    int i;

    for (i = 0; i < INFOR_WRITE_LOCKS; i++) {
        rv = ap_global_mutex_create(&write_locks[i], NULL, WRITE_LOCK_TYPE,
                                    apr_itoa(pconf, i), s, pconf, 0);
        if (rv != APR_SUCCESS) {
            return HTTP_INTERNAL_SERVER_ERROR;  /* logged by httpd */
        }
    }
    if (infor_status_create(pconf, s) != APR_SUCCESS) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return infor_maintain_post_config(pconf, s);
}

static int infor_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    int status;

    (void)plog;
    /* In the startup notice and, with ServerTokens Full, the Server
     * header, as other modules do. */
    ap_add_version_component(pconf, "mod_infor/" INFOR_VERSION);
    if ((status = make_shared(pconf, s)) != OK
        || (status = infor_throttle_post_config(pconf, ptemp, s)) != OK) {
        return status;
    }
    dbd_open = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_open);
    dbd_close = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_close);
    if (!dbd_open || !dbd_close) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, INFORLOGNO(0004)
                     "mod_infor needs mod_dbd: LoadModule dbd_module");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (!infor_http_init()) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, INFORLOGNO(0005)
                     "mod_infor needs mod_apreq2: LoadModule apreq_module");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    infor_soap_init();
    /* Before the children start: no request makes a dummy hash. */
    infor_cfg_prepare_costs();
    return OK;
}

static void infor_child_init(apr_pool_t *p, server_rec *s)
{
    apr_status_t rv;
    int i;

    infor_throttle_child_init(p, s);
    for (i = 0; i < INFOR_WRITE_LOCKS; i++) {
        rv = apr_global_mutex_child_init(&write_locks[i],
                                         apr_global_mutex_lockfile(
                                             write_locks[i]), p);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, INFORLOGNO(0106)
                         "mod_infor: cannot attach to the write lock in "
                         "this child");
            return;
        }
    }
    rv = infor_store_init(p, write_locks, INFOR_WRITE_LOCKS);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, INFORLOGNO(0006)
                     "mod_infor: cannot create the schema mutex");
        return;
    }
    infor_maintain_child_init(p, s);
}

static void infor_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(infor_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(infor_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(infor_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    /* No map_to_storage hook: core's directory walk runs for the
     * module's URLs as for any other, so <Directory> and its Require
     * rules apply (issue 8). */
    ap_hook_handler(infor_handler, NULL, NULL, APR_HOOK_MIDDLE);
    infor_status_register_hooks(p);
    infor_mask_register_hooks();
}

/* Not AP_DECLARE_MODULE: infor_private.h already declares the log index. */
module AP_MODULE_DECLARE_DATA infor_module = {
    STANDARD20_MODULE_STUFF,
    infor_create_dir_cfg,
    infor_merge_dir_cfg,
    infor_create_srv_cfg,
    infor_merge_srv_cfg,
    infor_cmds,
    infor_register_hooks,
    0
};
