/*
 * mod_infor: the store's write path.  Every write of the store is one
 * transaction run by infor_db_write(); nothing else begins, commits or
 * rolls back.
 *
 * SQLite has one writer at a time per file.  Writers of all the server's
 * processes queue on the file's lock (one of infor_write_locks, the
 * module's apr_global_mutexes, picked by the file's path) held from
 * BEGIN IMMEDIATE to COMMIT or ROLLBACK, so
 * SQLite never sees a second writer and nobody waits in apr_dbd's sleep
 * and retry loop.  Within a process, writers to one file share their
 * transaction (group commit): the first becomes the leader, runs every
 * change queued by then on its own connection, each in a SAVEPOINT (a
 * change that fails is rolled back alone), commits once, lets go of the
 * lock, syncs the log to disk once for all (full durability, with
 * infor_db_sync_log: another process commits meanwhile), then wakes
 * the writers of its batch with their answers and hands the lead to the
 * next in line.
 *
 * SQLite's checkpoints run here too, after a leader's commit (checkpoint).
 *
 * PostgreSQL takes writers in parallel: no lock across processes, only
 * row locks and unique indexes; within a process, writers to one account
 * queue (infor_db_write_to).  A transaction that fails on a serialization
 * failure or a deadlock is run again, and so is one that lost its
 * connection before it committed.
 */
#include <string.h>

#include <apr_atomic.h>
#include <apr_strings.h>

#include "infor_store_private.h"

/* PostgreSQL: how often a transaction is tried. */
#define PG_TRIES 4
/* PostgreSQL: the queues of a process's writers to one account (by its id
 * modulo their number; see infor_db_write_to). */
#define PG_QUEUES 256
/* SQLite: most changes one shared transaction holds. */
#define BATCH_MAX 64

typedef struct write_job write_job;
typedef struct write_waiter write_waiter;
struct write_job {
    infor_change_fn *change;
    void *baton;
    infor_db *db;            /* the writer's own: its pool, its error */
    unsigned flags;
    apr_status_t rv;
    int done;                /* rv is the answer (under the queue's mutex) */
    int lead;                /* the job's writer runs the next batch */
    write_waiter *wait;      /* what its writer sleeps on */
    write_job *next;
};

/* A queued writer sleeps on a condition of its own, so that a leader
 * wakes exactly the writers whose answers it has, and the next leader:
 * never all the queue, most of whom would only sleep again.  The
 * conditions are the queue's, kept for reuse (one per writer that ever
 * waited at once), so that a leader may signal one after letting go of
 * the mutex: a writer that has gone by then leaves its condition to
 * another, whose wait it at most interrupts. */
struct write_waiter {
    apr_thread_cond_t *cond;
    write_waiter *next;
};

struct infor_writer {
    apr_global_mutex_t *lock; /* the file's write lock, or NULL (none made,
                               * or a database of one connection) */
    apr_thread_mutex_t *mutex;
    apr_pool_t *pool;        /* the waiters', used under the mutex */
    write_waiter *idle;      /* waiters free for the next writer */
    write_job *head, *tail;  /* waiting to be taken by a leader */
    int leading;             /* a batch runs or its leader is chosen */
};

/* After a commit: the log on the disk (full durability on SQLite). */
static apr_status_t sync_log(infor_db *db)
{
    apr_status_t rv;

    if (!db->is_sqlite || !db->conn->sync_log) {
        return APR_SUCCESS;
    }
    rv = infor_db_sync_log(db);
    if (rv == APR_SUCCESS && infor_stats) {
        apr_atomic_inc64(&infor_stats->log_syncs);
    }
    return rv;
}

/* The process's queues, by file; created under the store's schema mutex
 * (infor_db_ready), which every caller of infor_writer_get holds. */
static apr_hash_t *writers;
static apr_pool_t *writers_pool;

/* PostgreSQL: a process's writers to one account wait here, in the
 * process, rather than all on the account's row lock: at each commit
 * PostgreSQL wakes every transaction waiting on the row, and 64 of them
 * wrote more slowly than 4. */
static apr_thread_mutex_t *pg_queues[PG_QUEUES];

void infor_writers_init(apr_pool_t *p)
{
    int i;

    writers_pool = p;
    writers = apr_hash_make(p);
    for (i = 0; i < PG_QUEUES; i++) {
        if (apr_thread_mutex_create(&pg_queues[i], APR_THREAD_MUTEX_DEFAULT,
                                    p) != APR_SUCCESS) {
            pg_queues[i] = NULL;
        }
    }
}

static apr_status_t writer_make(apr_pool_t *p, const char *path,
                                infor_writer **out)
{
    infor_writer *w = apr_pcalloc(p, sizeof(*w));
    apr_status_t rv;

    if (*path && infor_n_write_locks > 0) {
        /* The same path picks the same lock in every process (APR's
         * default hash is not seeded). */
        apr_ssize_t len = APR_HASH_KEY_STRING;
        w->lock = infor_write_locks[apr_hashfunc_default(path, &len)
                                    % (unsigned)infor_n_write_locks];
    }
    rv = apr_thread_mutex_create(&w->mutex, APR_THREAD_MUTEX_DEFAULT, p);
    if (rv == APR_SUCCESS) {
        /* A pool with an allocator of its own: the queue's mutex, not
         * the parent's, guards it. */
        apr_allocator_t *a;

        rv = apr_allocator_create(&a);
        if (rv == APR_SUCCESS) {
            rv = apr_pool_create_ex(&w->pool, p, NULL, a);
            if (rv == APR_SUCCESS) {
                apr_allocator_owner_set(a, w->pool);
            }
            else {
                apr_allocator_destroy(a);
            }
        }
    }
    *out = rv == APR_SUCCESS ? w : NULL;
    return rv;
}

apr_status_t infor_writer_get(const char *path, apr_pool_t *conn_pool,
                              infor_writer **out)
{
    apr_status_t rv;

    /* Every connection to ":memory:" is a database of its own. */
    if (!*path || !writers) {
        return writer_make(conn_pool, "", out);
    }
    *out = apr_hash_get(writers, path, APR_HASH_KEY_STRING);
    if (*out) {
        return APR_SUCCESS;
    }
    rv = writer_make(writers_pool, path, out);
    if (rv == APR_SUCCESS) {
        apr_hash_set(writers, apr_pstrdup(writers_pool, path),
                     APR_HASH_KEY_STRING, *out);
    }
    return rv;
}

/* ------------------------------------------------------ transactions */

/* A transaction statement: prepared on SQLite once the connection is
 * ready (migrations run before), as text on PostgreSQL. */
static apr_status_t tx(infor_db *db, infor_stmt id, const char *sql)
{
    if (db->is_sqlite && db->conn->nst[id]) {
        return infor_db_run(db, id, NULL);
    }
    return infor_db_exec(db, sql, NULL);
}

static void lock_release(infor_db *db)
{
    if (db->conn->holds_lock) {
        db->conn->holds_lock = 0;
        apr_global_mutex_unlock(db->conn->writer->lock);
    }
}

infor_store_stats *infor_stats;

void infor_store_set_stats(infor_store_stats *stats)
{
    infor_stats = stats;
}

/* A transaction committed, for mod_status. */
static void count_commit(void)
{
    if (infor_stats) {
        apr_atomic_inc64(&infor_stats->commits);
    }
}

/* Takes the write lock; a writer that finds it taken is counted, with
 * the time it waited. */
static apr_status_t lock_take(apr_global_mutex_t *lock)
{
    apr_time_t t0;
    apr_status_t rv;

    if (!infor_stats) {
        return apr_global_mutex_lock(lock);
    }
    rv = apr_global_mutex_trylock(lock);
    if (!APR_STATUS_IS_EBUSY(rv)) {
        return rv;
    }
    t0 = apr_time_now();
    rv = apr_global_mutex_lock(lock);
    apr_atomic_inc64(&infor_stats->lock_waits);
    apr_atomic_add64(&infor_stats->lock_wait_usec,
                     (apr_uint64_t)(apr_time_now() - t0));
    return rv;
}

static apr_status_t txn_begin(infor_db *db)
{
    apr_status_t rv;

    if (db->is_sqlite && db->conn->writer && db->conn->writer->lock) {
        rv = lock_take(db->conn->writer->lock);
        if (rv != APR_SUCCESS) {
            db->errmsg = "cannot take the write lock";
            return APR_EGENERAL;
        }
        db->conn->holds_lock = 1;
    }
    rv = tx(db, ST_TX_BEGIN, db->is_sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
    if (rv == APR_SUCCESS) {
        db->conn->in_txn = 1;
    }
    else {
        lock_release(db);
    }
    return rv;
}

/* Commits (commit != 0) or rolls back, and lets go of the lock.  A failed
 * COMMIT is rolled back; the failure's message is kept. */
static apr_status_t txn_end(infor_db *db, int commit)
{
    apr_status_t rv = APR_SUCCESS;

    if (commit) {
        rv = tx(db, ST_TX_COMMIT, "COMMIT");
        if (rv == APR_SUCCESS) {
            count_commit();
        }
    }
    if (!commit || rv != APR_SUCCESS) {
        const char *why = db->errmsg;
        char state[sizeof(db->sqlstate)];

        memcpy(state, db->sqlstate, sizeof(state));
        if (tx(db, ST_TX_ROLLBACK, "ROLLBACK") != APR_SUCCESS
            && !db->is_sqlite) {
            /* The connection is gone: readied anew on its next use. */
            db->conn->ready = 0;
        }
        db->errmsg = why;
        memcpy(db->sqlstate, state, sizeof(state));
    }
    db->conn->in_txn = 0;
    lock_release(db);
    return rv;
}

int infor_store_usable(const infor_db *db)
{
    return db->conn && db->conn->ready;
}

apr_status_t infor_store_release(infor_db *db)
{
    if (!db->conn || (!db->conn->in_txn && !db->conn->holds_lock)) {
        return APR_SUCCESS;
    }
    if (db->conn->in_txn) {
        txn_end(db, 0);
    }
    lock_release(db);
    db->errmsg = "a request left a write transaction open: rolled back";
    return APR_EGENERAL;
}

/* ------------------------------------------------ PostgreSQL: parallel */

static int pg_retryable(const infor_db *db)
{
    return strcmp(db->sqlstate, "40001") == 0      /* serialization */
           || strcmp(db->sqlstate, "40P01") == 0;  /* deadlock */
}

/* One transaction holding one change; *committing says whether the
 * change succeeded and COMMIT was sent (or, for a change of one statement
 * on PostgreSQL, its own transaction, whether that was sent). */
static apr_status_t run_alone(infor_db *db, infor_change_fn *change,
                              void *baton, unsigned flags, int *committing)
{
    apr_status_t rv;

    if (!db->is_sqlite && (flags & INFOR_WRITE_ONE)) {
        *committing = 1;
        db->conn->in_write = 1;
        rv = change(db, baton);
        db->conn->in_write = 0;
        if (rv == APR_SUCCESS) {
            count_commit();
        }
        return rv;
    }
    *committing = 0;
    rv = txn_begin(db);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    rv = change(db, baton);
    if (rv != APR_SUCCESS) {
        txn_end(db, 0);
        return rv;
    }
    *committing = 1;
    rv = txn_end(db, 1);
    return rv == APR_SUCCESS ? sync_log(db) : rv;
}

static apr_status_t pg_write(infor_db *db, infor_change_fn *change,
                             void *baton, unsigned flags)
{
    apr_status_t rv;
    int tries, committing;

    for (tries = 1; ; tries++) {
        db->sqlstate[0] = '\0';
        rv = run_alone(db, change, baton, flags, &committing);
        /* Only the store's own failures are tried again, never an
         * answer such as APR_EEXIST. */
        if (rv != APR_EGENERAL || tries >= PG_TRIES) {
            return rv;
        }
        if (pg_retryable(db)) {
            continue;
        }
        /* A lost connection before COMMIT was sent: nothing was written.
         * After, the outcome is unknown: never run the change twice. */
        if (committing || !infor_db_conn_lost(db)
            || infor_db_recover(db) != APR_SUCCESS) {
            return rv;
        }
    }
}

/* ------------------------------------------- SQLite: group commit */

/* The changes the next leader runs: from the head, up to BATCH_MAX, and
 * never a job that wants to be alone with another. */
static write_job *take_batch(infor_writer *w)
{
    write_job *first = w->head, *last = first;

    if (!(first->flags & INFOR_WRITE_ALONE)) {
        int n = 1;
        while (last->next && n < BATCH_MAX
               && !(last->next->flags & INFOR_WRITE_ALONE)) {
            last = last->next;
            n++;
        }
    }
    w->head = last->next;
    if (!w->head) {
        w->tail = NULL;
    }
    last->next = NULL;
    return first;
}

/* The failure of the whole transaction is every change's answer. */
static void fail_all(write_job *batch, const infor_db *lead,
                     apr_status_t rv)
{
    write_job *j;

    for (j = batch; j; j = j->next) {
        if (j->rv == APR_SUCCESS) {
            j->rv = rv;
            j->db->errmsg = apr_pstrdup(j->db->pool, lead->errmsg);
        }
    }
}

/* Group commit is SQLite's only: its connections are readied by then. */
static apr_status_t savepoint(infor_db *lead, infor_stmt id)
{
    return infor_db_run(lead, id, NULL);
}

/* Begins a transaction on the leader's connection, takes the batch from
 * w's queue (in *taken) and runs it; 1 when it committed.  Each change
 * runs on a copy of the leader's handle that allocates from its own
 * writer's pool: that writer sleeps until the batch is done, so its pool
 * is the leader's to use meanwhile. */
static int run_batch(infor_db *lead, infor_writer *w, write_job **taken)
{
    write_job *batch, *j;
    apr_status_t rv;
    int shared;

    /* The batch is taken once the transaction has begun: the writers
     * queued while the leader waited for the lock (another process
     * writing) share it too. */
    rv = txn_begin(lead);
    apr_thread_mutex_lock(w->mutex);
    *taken = batch = take_batch(w);
    apr_thread_mutex_unlock(w->mutex);
    if (rv != APR_SUCCESS) {
        fail_all(batch, lead, rv);
        return 0;
    }
    shared = batch->next != NULL;
    for (j = batch; j; j = j->next) {
        infor_db on = *lead;

        on.pool = j->db->pool;
        on.errmsg = NULL;
        if (shared && (rv = savepoint(lead, ST_SP_SET))
                      != APR_SUCCESS) {
            break;
        }
        j->rv = j->change(&on, j->baton);
        j->db->errmsg = on.errmsg;
        if (!shared) {
            break;
        }
        if (j->rv != APR_SUCCESS
            && (rv = savepoint(lead, ST_SP_UNDO))
               != APR_SUCCESS) {
            break;
        }
        if ((rv = savepoint(lead, ST_SP_RELEASE)) != APR_SUCCESS) {
            break;
        }
    }
    if (rv != APR_SUCCESS) {
        /* The transaction is broken (SQLite may have rolled it back
         * itself): nothing of it is kept. */
        txn_end(lead, 0);
        fail_all(batch, lead, rv);
        return 0;
    }
    if (!shared && batch->rv != APR_SUCCESS) {
        txn_end(lead, 0);
        return 0;
    }
    rv = txn_end(lead, 1);
    if (rv != APR_SUCCESS) {
        fail_all(batch, lead, rv);
        return 0;
    }
    return 1;
}

/* A leader's checkpoint, after the others have their answers.  First
 * outside the lock, while the next batches run: it copies the bulk of the
 * log.  It cannot finish while writers append, and only a finished one
 * lets the next writer start the log again from its beginning: so once
 * more under the lock, which has only the few pages written meanwhile to
 * copy. */
static void checkpoint(infor_db *db)
{
    apr_global_mutex_t *lock = db->conn->writer->lock;

    if (!infor_db_checkpoint_due(db)) {
        return;
    }
    infor_db_checkpoint_run(db);
    if (lock && lock_take(lock) == APR_SUCCESS) {
        infor_db_checkpoint_run(db);
        apr_global_mutex_unlock(lock);
    }
}

/* A waiter for a writer about to sleep, under the queue's mutex. */
static write_waiter *waiter_get(infor_writer *w)
{
    write_waiter *v = w->idle;

    if (v) {
        w->idle = v->next;
        return v;
    }
    v = apr_palloc(w->pool, sizeof(*v));
    return apr_thread_cond_create(&v->cond, w->pool) == APR_SUCCESS
           ? v : NULL;
}

static apr_status_t queue_write(infor_db *db, infor_change_fn *change,
                                void *baton, unsigned flags)
{
    infor_writer *w = db->conn->writer;
    write_job job = { change, baton, db, flags, APR_SUCCESS, 0, 0, NULL,
                      NULL };
    apr_thread_cond_t *wake[BATCH_MAX + 1];
    write_job *batch, *j, *next;
    apr_status_t rv;
    int n = 0, i;

    apr_thread_mutex_lock(w->mutex);
    if (w->leading) {
        /* Queued until a leader has its answer or hands it the lead. */
        job.wait = waiter_get(w);
        if (!job.wait) {
            apr_thread_mutex_unlock(w->mutex);
            db->errmsg = "cannot wait for the write queue";
            return APR_ENOMEM;
        }
    }
    else {
        w->leading = job.lead = 1;
    }
    if (w->tail) {
        w->tail->next = &job;
    }
    else {
        w->head = &job;
    }
    w->tail = &job;
    while (!job.done && !job.lead) {
        apr_thread_cond_wait(job.wait->cond, w->mutex);
    }
    if (job.wait) {
        job.wait->next = w->idle;
        w->idle = job.wait;
    }
    if (job.done) {
        apr_thread_mutex_unlock(w->mutex);
        return job.rv;
    }
    /* The leader: this job heads the queue (the first, or handed the
     * lead by the last leader), so the batch run_batch takes holds it. */
    apr_thread_mutex_unlock(w->mutex);
    /* The log is synced after the write lock is let go (other
     * processes write meanwhile), but before the next batch of this
     * process begins: that batch grows meanwhile, and one sync serves
     * more changes. */
    if (run_batch(db, w, &batch) && (rv = sync_log(db)) != APR_SUCCESS) {
        /* Committed, but not known to be on the disk: an error. */
        fail_all(batch, db, rv);
    }
    apr_thread_mutex_lock(w->mutex);
    for (j = batch; j; j = next) {
        next = j->next;         /* a job marked done may vanish */
        if (j != &job) {
            wake[n++] = j->wait->cond;
        }
        j->done = 1;
    }
    if (w->head) {
        w->head->lead = 1;
        wake[n++] = w->head->wait->cond;
    }
    else {
        w->leading = 0;
    }
    apr_thread_mutex_unlock(w->mutex);
    for (i = 0; i < n; i++) {
        apr_thread_cond_signal(wake[i]);
    }
    checkpoint(db);
    return job.rv;
}

/* ------------------------------------------------------------ writing */

apr_status_t infor_db_write_to(infor_db *db, apr_int64_t account,
                               infor_change_fn *change, void *baton,
                               unsigned flags)
{
    int committing;

    if (infor_stats) {
        apr_atomic_inc64(&infor_stats->changes);
    }
    db->errmsg = NULL;
    if (!db->is_sqlite) {
        apr_thread_mutex_t *queue = account > 0
                                    ? pg_queues[account % PG_QUEUES] : NULL;
        apr_status_t rv;

        if (queue) {
            apr_thread_mutex_lock(queue);
        }
        rv = pg_write(db, change, baton, flags);
        if (queue) {
            apr_thread_mutex_unlock(queue);
        }
        return rv;
    }
    /* A connection being readied (the schema) has no statements yet to
     * run other writers' changes with: it writes alone, under the lock. */
    if (!db->conn->writer || !db->conn->ready) {
        return run_alone(db, change, baton, flags, &committing);
    }
    return queue_write(db, change, baton, flags);
}

apr_status_t infor_db_write(infor_db *db, infor_change_fn *change,
                            void *baton, unsigned flags)
{
    return infor_db_write_to(db, 0, change, baton, flags);
}

typedef struct {
    infor_stmt id;
    const void **args;
    int nrows;
} one_statement;

static apr_status_t run_one(infor_db *db, void *baton)
{
    one_statement *one = baton;
    return infor_db_run_count(db, one->id, one->args, &one->nrows);
}

apr_status_t infor_db_write_one(infor_db *db, infor_stmt id,
                                const void **args, unsigned flags,
                                int *nrows)
{
    one_statement one = { id, args, 0 };
    apr_status_t rv = infor_db_write(db, run_one, &one,
                                     flags | INFOR_WRITE_ONE);

    if (nrows) {
        *nrows = one.nrows;
    }
    return rv;
}
