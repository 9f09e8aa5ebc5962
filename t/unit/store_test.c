/*
 * Unit tests for the store's write path (mod_infor/store_write.c) on a
 * real SQLite file through apr_dbd: group commit (writers of one process
 * share a transaction, and a change that fails is rolled back alone), the
 * write lock, durability settings, and errors that are never "not found".
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_dbd.h>
#include <apr_general.h>
#include <apr_global_mutex.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <apr_time.h>

#include "infor.h"
#include "infor_store_private.h"
#include "tap.h"

#define WRITERS 8

static infor_store_stats stats;
static apr_pool_t *pool;
static const apr_dbd_driver_t *driver;
static const char *path;
static apr_global_mutex_t *lock;

/* A connection of its own, attached. */
static int open_db(infor_db *db, apr_pool_t *p, int sync_normal)
{
    memset(db, 0, sizeof(*db));
    db->driver = driver;
    db->pool = p;
    db->prepared = apr_hash_make(p);
    db->sync_normal = sync_normal;
    if (apr_dbd_open(driver, p, path, &db->handle) != APR_SUCCESS) {
        return 0;
    }
    return infor_store_attach(db, p, NULL) == APR_SUCCESS;
}

static infor_audit audit = { "test", 0, "", "unit" };

typedef struct {
    int n;                 /* writer number */
    apr_status_t rv;
    const char *errmsg;
} writer_arg;

/* Writes something, then fails: all of it must be rolled back. */
static apr_status_t write_then_fail(infor_db *db, void *baton)
{
    apr_status_t rv = infor_db_exec(db, "INSERT INTO infor_meta (name, value)"
                                    " VALUES ('half_written', 'x')", NULL);
    (void)baton;
    if (rv == APR_SUCCESS) {
        db->errmsg = "failed on purpose";
        rv = APR_EGENERAL;
    }
    return rv;
}

/* Writes a row and succeeds. */
static apr_status_t write_meta(infor_db *db, void *baton)
{
    (void)baton;
    return infor_db_exec(db, "INSERT OR REPLACE INTO infor_meta (name, value)"
                         " VALUES ('sync_test', 'x')", NULL);
}

/* Writer 0 fails after writing, writer 1 creates a name that exists, the
 * others update their own user. */
static void *APR_THREAD_FUNC writer(apr_thread_t *t, void *data)
{
    writer_arg *w = data;
    apr_pool_t *p;
    infor_db db;

    apr_pool_create(&p, NULL);
    if (!open_db(&db, p, 0)) {
        w->rv = APR_EGENERAL;
        w->errmsg = "cannot open";
    }
    else if (w->n == 0) {
        w->rv = infor_db_write(&db, write_then_fail, NULL, 0);
    }
    else if (w->n == 1) {
        infor_user u;
        apr_int64_t id = 0;

        memset(&u, 0, sizeof(u));
        u.username = "User2";   /* user2 exists: any letter case */
        u.enabled = 1;
        w->rv = infor_store_user_create(&db, &u, apr_time_now(), &audit,
                                        &id);
    }
    else {
        infor_user *u = NULL;
        infor_user_change c;

        infor_user_change_init(&c);
        c.email = apr_psprintf(p, "w%d@example.com", w->n);
        c.mobile = apr_psprintf(p, "+90 %d", w->n);
        w->rv = infor_store_user_find(&db, apr_psprintf(p, "user%d", w->n),
                                      &u);
        if (w->rv == APR_SUCCESS) {
            w->rv = u ? infor_store_user_update(&db, u, &c, apr_time_now(),
                                                &audit)
                      : APR_ENOENT;
        }
    }
    if (w->rv != APR_SUCCESS && db.errmsg) {
        w->errmsg = apr_pstrdup(pool, db.errmsg);
    }
    if (db.handle) {
        infor_store_close(&db);
    }
    apr_pool_destroy(p);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static void test_group_commit(infor_db *db)
{
    apr_thread_t *threads[WRITERS];
    writer_arg args[WRITERS];
    infor_store_stats s0 = stats, s1;
    const char *v = NULL;
    infor_user *u = NULL;
    apr_array_header_t *all = NULL;
    int i, right = 0;

    /* Held here: the first writer leads a batch of its own change and
     * waits for the lock; the others queue behind it meanwhile. */
    ok(apr_global_mutex_lock(lock) == APR_SUCCESS, "the write lock taken");
    for (i = 0; i < WRITERS; i++) {
        args[i].n = i;
        args[i].rv = -1;
        args[i].errmsg = NULL;
        apr_thread_create(&threads[i], NULL, writer, &args[i], pool);
    }
    apr_sleep(apr_time_from_msec(700));
    apr_global_mutex_unlock(lock);
    for (i = 0; i < WRITERS; i++) {
        apr_status_t trv;
        apr_thread_join(&trv, threads[i]);
    }
    s1 = stats;

    ok(args[0].rv == APR_EGENERAL, "a failing change: its own failure");
    is_str(args[0].errmsg, "failed on purpose", "with its own message");
    ok(args[1].rv == APR_EEXIST, "a taken name: APR_EEXIST");
    for (i = 2; i < WRITERS; i++) {
        right += args[i].rv == APR_SUCCESS;
    }
    is_int(right, WRITERS - 2, "every other change succeeded");
    is_int((int)(s1.changes - s0.changes), WRITERS, "8 changes written");
    ok(s1.commits - s0.commits <= 3,
       "in at most 3 transactions: writers share commits");
    diag("commits for %d changes: %u", WRITERS,
         (unsigned)(s1.commits - s0.commits));
    is_int((int)(s1.log_syncs - s0.log_syncs),
           (int)(s1.commits - s0.commits),
           "durability full: the log synced after every commit");
    ok(s1.lock_waits > s0.lock_waits,
       "the writer that found the lock held is counted");

    ok(infor_db_exec(db, "SELECT COUNT(*) FROM infor_meta"
                     " WHERE name = 'half_written'", &v) == APR_SUCCESS
       && v && strcmp(v, "0") == 0,
       "the failed change's write was rolled back");
    right = 0;
    for (i = 2; i < WRITERS; i++) {
        u = NULL;
        infor_store_user_find(db, apr_psprintf(pool, "user%d", i), &u);
        right += u && strcmp(u->email, apr_psprintf(pool, "w%d@example.com",
                                                     i)) == 0
                 && strcmp(u->mobile, apr_psprintf(pool, "+90 %d", i)) == 0;
    }
    is_int(right, WRITERS - 2, "every update is in the database");
    ok(infor_store_user_list(db, &all) == APR_SUCCESS && all->nelts == 7,
       "no account was added by the refused CreateUser");
    ok(infor_db_exec(db, "SELECT COUNT(*) FROM infor_audit"
                     " WHERE action = 'test'", &v) == APR_SUCCESS
       && v && strcmp(v, "13") == 0,
       "audit rows: 7 creations and 6 updates, none for the refusals");
    ok(apr_global_mutex_trylock(lock) == APR_SUCCESS,
       "the write lock is free afterwards");
    apr_global_mutex_unlock(lock);
}

static void test_settings(infor_db *db)
{
    infor_db normal;
    const char *v = NULL;
    apr_pool_t *p;

    apr_uint64_t syncs = stats.log_syncs;

    /* Full durability: COMMIT leaves the log's sync to the writer, who
     * syncs it after the write lock (test_group_commit counts them). */
    ok(infor_db_exec(db, "PRAGMA synchronous", &v) == APR_SUCCESS && v
       && strcmp(v, "1") == 0 && db->conn->sync_log,
       "InforDurability full: synchronous=NORMAL, the log synced by the "
       "writer");
    ok(infor_db_exec(db, "PRAGMA journal_mode", &v) == APR_SUCCESS && v
       && strcmp(v, "wal") == 0, "WAL mode");
    apr_pool_create(&p, pool);
    ok(open_db(&normal, p, 1), "a connection with durability normal");
    ok(infor_db_exec(&normal, "PRAGMA synchronous", &v) == APR_SUCCESS && v
       && strcmp(v, "1") == 0 && !normal.conn->sync_log,
       "InforDurability normal: synchronous=NORMAL");
    ok(infor_db_write(&normal, write_meta, NULL, 0) == APR_SUCCESS,
       "durability normal: a write");
    is_int((int)(stats.log_syncs - syncs), 0,
           "durability normal: no sync of its own");
    infor_store_close(&normal);
    apr_pool_destroy(p);
    ok(infor_store_release(db) == APR_SUCCESS,
       "release: nothing left open after writes");
}

static void test_purge(infor_db *db)
{
    apr_time_t now = apr_time_now();
    infor_user *u = NULL;
    const char *v = NULL;
    int removed = -1, i;

    infor_store_user_find(db, "user3", &u);
    for (i = 0; i < 5; i++) {
        char key[8];
        apr_snprintf(key, sizeof(key), "old%d", i);
        infor_store_session_open(db, key, 0, u->id, now - apr_time_from_sec(
                                 100), now - apr_time_from_sec(10 - i), "");
    }
    infor_store_session_open(db, "live", 0, u->id, now,
                             now + apr_time_from_sec(60), "");
    ok(infor_store_session_purge(db, now, 3, &removed) == APR_SUCCESS,
       "purge: a batch");
    is_int(removed, 3, "purge: at most the batch");
    ok(infor_db_exec(db, "SELECT group_concat(ticket, ',') FROM"
                     " (SELECT ticket FROM infor_sessions ORDER BY ticket)",
                     &v) == APR_SUCCESS, "purge: sessions read");
    is_str(v, "live,old3,old4", "purge: the oldest go first, live ones stay");
    infor_store_session_purge(db, now, 3, &removed);
    is_int(removed, 2, "purge: the rest");
}

/* A refresh is written over an expiry at most the one it was due at: of
 * callers that all found it due, only the first writes. */
static void test_extend(infor_db *db)
{
    apr_time_t now = apr_time_from_sec(apr_time_sec(apr_time_now()));
    apr_time_t sec = apr_time_from_sec(1);
    infor_session *s = NULL;
    infor_user *u = NULL;

    infor_store_user_find(db, "user5", &u);
    infor_store_session_open(db, "ext", 0, u->id, now, now + 60 * sec, "");
    ok(infor_store_session_extend(db, "ext", now + 120 * sec, now + 59 * sec)
       == APR_SUCCESS, "extend: one made meanwhile");
    infor_store_session_get(db, "ext", &s, &u);
    ok(s && s->expires == now + 60 * sec,
       "extend: a refresh made meanwhile is not made again");
    ok(infor_store_session_extend(db, "ext", now + 120 * sec, now + 60 * sec)
       == APR_SUCCESS, "extend: one due");
    infor_store_session_get(db, "ext", &s, &u);
    ok(s && s->expires == now + 120 * sec, "extend: a due refresh is written");
    infor_store_session_open(db, "ext", 1, u->id, now, now + 30 * sec, "");
    infor_store_session_get(db, "ext", &s, &u);
    ok(s && s->expires == now + 30 * sec,
       "extend: a login's renewal writes its expiry, shorter or not");
    infor_store_session_delete(db, "ext");
}

/* Another connection changes the schema (as a migration by another
 * process does): the statements of this one still run, and the call
 * succeeds. */
static void test_schema_change(infor_db *db)
{
    infor_db other;
    infor_user *u = NULL;
    apr_pool_t *p;

    apr_pool_create(&p, pool);
    ok(open_db(&other, p, 0), "schema change: another connection");
    ok(infor_db_exec(&other, "CREATE TABLE infor_later (x INTEGER)", NULL)
       == APR_SUCCESS, "schema change: a table added there");
    infor_store_close(&other);
    apr_pool_destroy(p);
    db->recovered = NULL;
    ok(infor_store_user_find(db, "user4", &u) == APR_SUCCESS && u
       && strcmp(u->username, "user4") == 0,
       "schema change: the lookup still answers");
    /* SQLite prepares the store's statements again by itself. */
    ok(db->recovered == NULL,
       "schema change: no failure on the way, nothing to recover from");
    ok(infor_store_usable(db), "schema change: the connection is ready");
}

static void test_errors(infor_db *db)
{
    infor_session *s = (infor_session *)1;
    infor_user *u = (infor_user *)1;
    apr_status_t rv;

    ok(infor_db_exec(db, "DROP TABLE infor_sessions", NULL) == APR_SUCCESS,
       "errors: a table dropped under the store");
    db->errmsg = NULL;
    rv = infor_store_session_get(db, "live", &s, &u);
    ok(rv == APR_EGENERAL, "errors: a failed lookup is an error");
    ok(db->errmsg && strstr(db->errmsg, "no such table"),
       "errors: with the driver's message");
    diag("%s", db->errmsg ? db->errmsg : "(none)");
    ok(infor_store_session_delete(db, "live") == APR_EGENERAL,
       "errors: a failed write is an error");
    ok(apr_global_mutex_trylock(lock) == APR_SUCCESS,
       "errors: the write lock is free after a failed write");
    apr_global_mutex_unlock(lock);
    ok(infor_store_release(db) == APR_SUCCESS,
       "errors: no transaction left open");
}

int main(void)
{
    char dir[] = "/tmp/infor-store-test.XXXXXX";
    infor_db db;
    int i;

    apr_initialize();
    atexit(apr_terminate);
    /* The counters mod_status shows, here in the test's memory. */
    infor_store_set_stats(&stats);
    apr_pool_create(&pool, NULL);
    apr_dbd_init(pool);
    if (!mkdtemp(dir)
        || apr_dbd_get_driver(pool, "sqlite3", &driver) != APR_SUCCESS
        || apr_global_mutex_create(&lock, NULL, APR_LOCK_DEFAULT, pool)
           != APR_SUCCESS) {
        printf("Bail out! no temporary folder, sqlite3 driver or mutex\n");
        return 1;
    }
    path = apr_pstrcat(pool, dir, "/store.db", NULL);
    ok(infor_store_init(pool, &lock, 1) == APR_SUCCESS, "store initialised");
    ok(open_db(&db, pool, 0), "a new database readied");
    for (i = 1; i <= 7; i++) {
        infor_user u;
        apr_int64_t id;

        memset(&u, 0, sizeof(u));
        u.username = apr_psprintf(pool, "user%d", i);
        u.enabled = 1;
        infor_store_user_create(&db, &u, apr_time_now(), &audit, &id);
    }

    test_group_commit(&db);
    test_settings(&db);
    test_purge(&db);
    test_extend(&db);
    test_schema_change(&db);
    test_errors(&db);

    infor_store_close(&db);
    unlink(apr_pstrcat(pool, path, "-wal", NULL));
    unlink(apr_pstrcat(pool, path, "-shm", NULL));
    unlink(path);
    rmdir(dir);
    return done_testing();
}
