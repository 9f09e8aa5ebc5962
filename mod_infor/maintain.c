/*
 * mod_infor: the work no caller waits for.
 *
 * Each child runs one maintenance thread.  Once a second it looks at the
 * servers (virtual hosts) whose handler has served a request, and for each
 * whose purge is due removes a batch of expired tickets (and one of audit
 * rows past InforAuditRetention), on a connection of its own from mod_dbd,
 * each batch in a transaction no other writer shares.  When
 * a purge is due is kept in shared memory: whichever child claims it first
 * does it, so a server purges at most once per InforPurgeInterval (every
 * second while a backlog remains), however many children it has.
 *
 * No request's thread ever runs a purge: a kept-alive client never waits
 * behind one, and a slow purge holds up only the writers that queue on the
 * write lock behind its few milliseconds.
 */
#include <string.h>

#include <apr_atomic.h>
#include <apr_optional.h>
#include <apr_shm.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>
#include <apr_dbd.h>
#include <mod_dbd.h>

#include "infor_private.h"
#include "infor_status.h"
#include "infor_store.h"

/* Expired tickets removed by one purge: a few milliseconds of writing. */
#define PURGE_BATCH 1000

/* How often the thread looks. */
#define TICK apr_time_from_sec(1)

static APR_OPTIONAL_FN_TYPE(ap_dbd_open) *dbd_open;
static APR_OPTIONAL_FN_TYPE(ap_dbd_close) *dbd_close;

/* Per server slot, in memory all children share: 0 until the server's
 * handler first runs (a server that never served a call has no store to
 * purge), then the second (apr_time_sec) from which its next purge is due. */
static apr_shm_t *due_shm;
static apr_uint32_t *due;

/* This child's thread, and how its end is asked for. */
typedef struct {
    server_rec *s;
    apr_thread_t *thread;
    apr_thread_mutex_t *mutex;
    apr_thread_cond_t *cond;
    int stopping;
} maintainer;

int infor_maintain_post_config(apr_pool_t *pconf, server_rec *s)
{
    server_rec *sv;
    apr_status_t rv;
    int n = 0;

    for (sv = s; sv; sv = sv->next) {
        infor_srv_cfg *sc = ap_get_module_config(sv->module_config,
                                                 &infor_module);
        sc->slot = n++;
    }
    rv = apr_shm_create(&due_shm, n * sizeof(apr_uint32_t), NULL, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, INFORLOGNO(0010)
                     "mod_infor: cannot make shared memory for the ticket "
                     "purge");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    due = apr_shm_baseaddr_get(due_shm);
    memset(due, 0, n * sizeof(apr_uint32_t));
    dbd_open = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_open);
    dbd_close = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_close);
    return OK;
}

void infor_maintain_serving(server_rec *s, apr_time_t now)
{
    infor_srv_cfg *sc = ap_get_module_config(s->module_config,
                                             &infor_module);

    /* One atomic read per request; the write happens once per server. */
    if (due && sc->slot >= 0 && apr_atomic_read32(&due[sc->slot]) == 0) {
        apr_atomic_cas32(&due[sc->slot], (apr_uint32_t)apr_time_sec(now), 0);
    }
}

/* Claims the server's purge when one is due; *next is when the following
 * one will be, unless a backlog brings it forward. */
static int claim(const infor_srv_cfg *sc, apr_time_t now)
{
    apr_uint32_t t = (apr_uint32_t)apr_time_sec(now);
    apr_uint32_t next = apr_atomic_read32(&due[sc->slot]);

    if (next == 0 || t < next) {
        return 0;
    }
    return apr_atomic_cas32(&due[sc->slot],
                            t + (apr_uint32_t)apr_time_sec(
                                    infor_cfg_purge_interval(sc)),
                            next) == next;
}

static void purge(server_rec *s, const infor_srv_cfg *sc, apr_pool_t *p,
                  apr_time_t now)
{
    ap_dbd_t *dbd = dbd_open(p, s);
    infor_db *db;
    apr_interval_time_t retention = infor_cfg_audit_retention(sc);
    apr_status_t rv;
    int removed = 0, old_audit = 0, readied = 0;

    if (!dbd) {
        infor_status_store_error();
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, INFORLOGNO(0011)
                     "purging expired tickets: no database connection from "
                     "mod_dbd");
        return;
    }
    db = apr_pcalloc(p, sizeof(*db));
    db->driver = dbd->driver;
    db->handle = dbd->handle;
    db->prepared = dbd->prepared;
    db->pool = p;
    db->sync_normal = sc->sync_normal == 1;
    rv = infor_store_attach(db, dbd->pool, &readied);
    if (readied) {
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, INFORLOGNO(0016)
                     "readied a database connection: schema checked, "
                     "statements prepared");
    }
    if (rv == APR_SUCCESS) {
        rv = infor_store_session_purge(db, now, PURGE_BATCH, &removed);
    }
    if (rv != APR_SUCCESS) {
        infor_status_store_error();
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, INFORLOGNO(0012)
                     "purging expired tickets: %s", db->errmsg);
    }
    else {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, INFORLOGNO(0013)
                     "purged %d expired tickets", removed);
    }
    if (rv == APR_SUCCESS && retention > 0) {
        /* Audit rows past InforAuditRetention: a batch in the same turn,
         * in a transaction of its own. */
        rv = infor_store_audit_purge(db, now - retention, PURGE_BATCH,
                                     &old_audit);
        if (rv != APR_SUCCESS) {
            infor_status_store_error();
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, INFORLOGNO(0501)
                         "purging old audit rows: %s", db->errmsg);
        }
        else {
            ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, INFORLOGNO(0502)
                         "purged %d audit rows", old_audit);
        }
    }
    if (infor_store_release(db) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, INFORLOGNO(0014)
                     "purging expired tickets: %s", db->errmsg);
    }
    dbd_close(s, dbd);
    if (removed == PURGE_BATCH || old_audit == PURGE_BATCH) {
        /* A backlog: the next batch in a second, not an interval. */
        apr_atomic_set32(&due[sc->slot], (apr_uint32_t)apr_time_sec(now) + 1);
    }
}

static void *APR_THREAD_FUNC maintain(apr_thread_t *thread, void *data)
{
    maintainer *m = data;
    apr_pool_t *p;
    int stopping = 0;

    apr_pool_create(&p, apr_thread_pool_get(thread));
    while (!stopping) {
        apr_time_t now = apr_time_now();
        server_rec *sv;

        for (sv = m->s; sv; sv = sv->next) {
            infor_srv_cfg *sc = ap_get_module_config(sv->module_config,
                                                     &infor_module);
            if (sc->slot >= 0 && claim(sc, now)) {
                purge(sv, sc, p, now);
                apr_pool_clear(p);
            }
        }
        apr_thread_mutex_lock(m->mutex);
        if (!m->stopping) {
            apr_thread_cond_timedwait(m->cond, m->mutex, TICK);
        }
        stopping = m->stopping;
        apr_thread_mutex_unlock(m->mutex);
    }
    apr_pool_destroy(p);
    apr_thread_exit(thread, APR_SUCCESS);
    return NULL;
}

/* Before the child's pool goes (and mod_dbd's connections with it): the
 * thread finishes what it is doing and ends. */
static apr_status_t maintain_stop(void *data)
{
    maintainer *m = data;
    apr_status_t rv;

    apr_thread_mutex_lock(m->mutex);
    m->stopping = 1;
    apr_thread_cond_signal(m->cond);
    apr_thread_mutex_unlock(m->mutex);
    apr_thread_join(&rv, m->thread);
    return APR_SUCCESS;
}

void infor_maintain_child_init(apr_pool_t *pchild, server_rec *s)
{
    maintainer *m = apr_pcalloc(pchild, sizeof(*m));
    apr_status_t rv;

    if (!due || !dbd_open || !dbd_close) {
        return;
    }
    m->s = s;
    rv = apr_thread_mutex_create(&m->mutex, APR_THREAD_MUTEX_DEFAULT, pchild);
    if (rv == APR_SUCCESS) {
        rv = apr_thread_cond_create(&m->cond, pchild);
    }
    if (rv == APR_SUCCESS) {
        rv = apr_thread_create(&m->thread, NULL, maintain, m, pchild);
    }
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, INFORLOGNO(0015)
                     "mod_infor: cannot start this child's maintenance "
                     "thread: expired tickets will not be purged");
        return;
    }
    apr_pool_pre_cleanup_register(pchild, m, maintain_stop);
}
