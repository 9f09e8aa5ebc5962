/*
 * mod_infor: the module record, its hooks and the content handler.
 *
 * The handler has the request read into a neutral call (request.c), runs
 * the call through dispatch (ticket and access checks, then the
 * operation) and has the answer written in the same binding (respond.c).
 * See the README's internals section.
 */
#include <string.h>

#include <apr_atomic.h>
#include <apr_global_mutex.h>
#include <apr_shm.h>
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
#include "infor_store.h"

static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *dbd_acquire;

/* The lock every SQLite write transaction of the server holds, from
 * BEGIN to COMMIT, in every child: the Mutex directive names it. */
#define WRITE_LOCK_TYPE "infor-write"
static apr_global_mutex_t *write_lock;

/* When each server (virtual host) may next purge expired tickets, in
 * seconds, in memory all children share: one purge per interval per
 * server, whichever child does it. */
static apr_shm_t *purge_shm;
static apr_uint32_t *purge_next;

/* Expired tickets removed by one purge: a few milliseconds of writing. */
#define PURGE_BATCH 1000

/* ------------------------------------------------------------- handler */

/* Claims this server's purge, when one is due. */
static int purge_claim(server_rec *s, apr_time_t now)
{
    infor_srv_cfg *sc = ap_get_module_config(s->module_config, &infor_module);
    apr_uint32_t t = (apr_uint32_t)apr_time_sec(now), next;

    if (!purge_next || sc->slot < 0) {
        return 0;
    }
    next = apr_atomic_read32(&purge_next[sc->slot]);
    if (t < next) {
        return 0;
    }
    return apr_atomic_cas32(&purge_next[sc->slot],
                            t + (apr_uint32_t)apr_time_sec(
                                    infor_cfg_purge_interval(sc)),
                            next) == next;
}

/* The request's use of a mod_dbd connection. */
typedef struct {
    request_rec *r;
    infor_db *db;
} store_use;

/* Runs when the request is done, its answer sent, before mod_dbd takes
 * the connection back: no transaction or lock may go back with it; and,
 * when due, a batch of expired tickets goes, in a transaction of its own
 * that no caller waits for. */
static apr_status_t close_store(void *data)
{
    store_use *use = data;
    request_rec *r = use->r;
    infor_db *db = use->db;
    apr_time_t now = apr_time_now();
    apr_interval_time_t retention;
    int removed = 0, old_audit = 0;

    if (infor_store_release(db) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "%s", db->errmsg);
    }
    if (!infor_store_usable(db) || !purge_claim(r->server, now)) {
        return APR_SUCCESS;
    }
    if (infor_store_session_purge(db, now, PURGE_BATCH, &removed)
        != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "purging expired tickets: %s", db->errmsg);
        return APR_SUCCESS;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                  "purged %d expired tickets", removed);
    retention = infor_cfg_audit_retention(
                    ap_get_module_config(r->server->module_config,
                                         &infor_module));
    if (retention > 0) {
        /* Audit rows past InforAuditRetention: a batch in the same turn,
         * in a transaction of its own. */
        if (infor_store_audit_purge(db, now - retention, PURGE_BATCH,
                                    &old_audit) != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, INFORLOGNO(0501)
                          "purging old audit rows: %s", db->errmsg);
            return APR_SUCCESS;
        }
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, INFORLOGNO(0502)
                      "purged %d audit rows", old_audit);
    }
    if (removed == PURGE_BATCH || old_audit == PURGE_BATCH) {
        /* A backlog: the next batch in a second, not an interval. */
        infor_srv_cfg *sc = ap_get_module_config(r->server->module_config,
                                                 &infor_module);
        apr_atomic_set32(&purge_next[sc->slot],
                         (apr_uint32_t)apr_time_sec(now) + 1);
    }
    return APR_SUCCESS;
}

static infor_error *open_store(request_rec *r, infor_db *db)
{
    ap_dbd_t *dbd = dbd_acquire(r);
    infor_srv_cfg *sc = ap_get_module_config(r->server->module_config,
                                             &infor_module);
    request_rec *owner = r;
    store_use *use;
    apr_status_t rv;
    int readied = 0;

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
    /* mod_dbd gives the connection back when the main request's pool
     * goes; the guard runs just before. */
    while (owner->main || owner->prev) {
        owner = owner->main ? owner->main : owner->prev;
    }
    use = apr_palloc(r->pool, sizeof(*use));
    use->r = r;
    use->db = db;
    apr_pool_pre_cleanup_register(owner->pool, use, close_store);
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
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, INFORLOGNO(0002)
                      "%s refused: %s", name, e->message);
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

    infor_request_mask(r);
    if (r->method_number == M_GET && !infor_request_method(r)) {
        return infor_respond_describe(r);
    }
    e = infor_request_decode(r, infor_cfg_max_body(cfg), &call);
    if (e) {
        log_error(r, &call, e);
        return infor_respond_refusal(r, call.binding, e);
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
            call.reset_url = infor_server_url(r, "/resetpassword.aspx");
        }
    }

    if ((e = open_store(r, db)) != NULL) {
        result = infor_result_error(r->pool, call.op, e);
    }
    else {
        result = infor_dispatch(r->pool, &settings, db, &call, &user, &e);
    }
    if (db->recovered) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "database connection readied again after: %s",
                      db->recovered);
    }
    if (user) {
        /* The access log's %u shows who made the call. */
        r->user = apr_pstrdup(r->pool, user);
    }
    if (e) {
        log_error(r, &call, e);
        if (!result) {
            return infor_respond_refusal(r, call.binding, e);
        }
    }
    return infor_respond_result(r, &call, result);
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

static int infor_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    return ap_mutex_register(pconf, WRITE_LOCK_TYPE, NULL, APR_LOCK_DEFAULT,
                             0) == APR_SUCCESS ? OK : HTTP_INTERNAL_SERVER_ERROR;
}

/* The write lock and the purge slots, made before the children start. */
static int make_shared(apr_pool_t *pconf, server_rec *s)
{
    server_rec *sv;
    apr_status_t rv;
    int n = 0;

    rv = ap_global_mutex_create(&write_lock, NULL, WRITE_LOCK_TYPE, NULL, s,
                                pconf, 0);
    if (rv != APR_SUCCESS) {
        return HTTP_INTERNAL_SERVER_ERROR;  /* logged by httpd */
    }
    for (sv = s; sv; sv = sv->next) {
        infor_srv_cfg *sc = ap_get_module_config(sv->module_config,
                                                 &infor_module);
        sc->slot = n++;
    }
    rv = apr_shm_create(&purge_shm, n * sizeof(apr_uint32_t), NULL, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "mod_infor: cannot make "
                     "shared memory for the ticket purge");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    purge_next = apr_shm_baseaddr_get(purge_shm);
    memset(purge_next, 0, n * sizeof(apr_uint32_t));
    return OK;
}

static int infor_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    int status;

    (void)plog;
    (void)ptemp;
    if ((status = make_shared(pconf, s)) != OK) {
        return status;
    }
    dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
    if (!dbd_acquire) {
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
    return OK;
}

static void infor_child_init(apr_pool_t *p, server_rec *s)
{
    apr_status_t rv;

    rv = apr_global_mutex_child_init(&write_lock,
                                     apr_global_mutex_lockfile(write_lock),
                                     p);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "mod_infor: cannot "
                     "attach to the write lock in this child");
        return;
    }
    rv = infor_store_init(p, write_lock);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, INFORLOGNO(0006)
                     "mod_infor: cannot create the schema mutex");
    }
}

static void infor_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(infor_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
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
    infor_create_srv_cfg,
    infor_merge_srv_cfg,
    infor_cmds,
    infor_register_hooks,
    0
};
