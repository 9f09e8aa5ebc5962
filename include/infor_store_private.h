/*
 * mod_infor: what the store's own files share (store.c, store_user.c,
 * store_session.c).  Nothing outside the store includes this.
 */
#ifndef INFOR_STORE_PRIVATE_H
#define INFOR_STORE_PRIVATE_H

#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>

#include "infor_store.h"


/* Every prepared statement, by id; their SQL is in store.c. */
typedef enum {
    ST_USER_BY_KEY,
    ST_USER_BY_ID,
    ST_USER_LIST,
    /* One statement per sort key and direction (store.c, query_sql()),
     * so that each can walk its own index. */
    ST_USER_QUERY,
    ST_USER_QUERY_LAST = ST_USER_QUERY + 15,
    /* The same, for lists without "contains" filters (store.c,
     * page_sql()): the page's ids from the index alone. */
    ST_USER_PAGE,
    ST_USER_PAGE_LAST = ST_USER_PAGE + 15,
    /* PostgreSQL: the same lists, walking at most a given number of
     * entries of the sort index (store.c, bwalk_sql()). */
    ST_USER_BWALK,
    ST_USER_BWALK_LAST = ST_USER_BWALK + 15,
    /* ST_USER_BWALK's walk, ascending, from a given sort key on: one for
     * each sort key that begins with a counted column's text
     * (infor_store_seek_walk_stmt). */
    ST_USER_SEEK_WALK,
    ST_USER_SEEK_WALK_LAST = ST_USER_SEEK_WALK + 3,
    ST_USER_QUERY_SORTED,
    ST_USER_QUERY_COUNTED,
    ST_USER_COUNT,
    ST_USER_COUNT_KEPT,
    /* The users holding a value that contains a filter, from
     * infor_value_counts (schema 7): first or last name, source or
     * domain, or (schema 8) an address's part from its first '@'. */
    ST_USER_VALUE_COUNT,
    ST_USER_WALK,
    ST_USER_BY_EMAIL,
    ST_USER_INSERT,
    ST_USER_UPDATE,
    ST_USER_UPDATE_LIGHT,
    ST_USER_DELETE,
    ST_USER_SET_LOGON,
    ST_ADMIN_COUNT,
    ST_AUDIT_INSERT,
    ST_AUDIT_WALK,
    ST_AUDIT_PURGE,
    ST_AUDIT_OLD_ANY,
    ST_SESSION_INSERT,
    ST_SESSION_GET,
    ST_SESSION_EXTEND,
    ST_SESSION_LANG,
    ST_SESSION_DELETE,
    ST_SESSION_DROP_USER,
    ST_SESSION_PURGE,
    ST_SESSION_EXPIRED_ANY,
    ST_RESET_SET,
    ST_RESET_GET,
    ST_RESET_DELETE,
    ST_RESET_TAKE,
    /* PostgreSQL only: ST_USER_UPDATE_LIGHT and the audit row of the
     * change, one statement (SQLite has no UPDATE in a WITH). */
    ST_USER_UPDATE_AUDIT,
    /* SQLite only, prepared once like the rest: a statement run as text
     * is compiled again on every call (PostgreSQL runs these as text). */
    ST_TX_BEGIN,
    ST_TX_COMMIT,
    ST_TX_ROLLBACK,
    ST_SP_SET,
    ST_SP_UNDO,
    ST_SP_RELEASE,
    /* SQLite with the FTS5 table of the folded texts (schema 4; prepared
     * only where the table is): "contains" filters of 3 characters or
     * more.  The count alone, the count with status or type, the users
     * that pass read and sorted, and one walk per sort index (as
     * ST_USER_QUERY). */
    ST_USER_FTS_COUNT_ALL,
    ST_USER_FTS_COUNT,
    ST_USER_FTS_SORTED,
    /* How many users a MATCH finds in a sample of the ids, and up to a
     * limit; the users that pass a MATCH and the "contains" patterns,
     * with what sorts them (store_list.c, "one pass"). */
    ST_USER_FTS_SAMPLE,
    ST_USER_FTS_PROBE,
    ST_USER_FTS_PASS,
    /* ST_USER_VALUE_COUNT, the values found by their FTS5 table. */
    ST_VALUE_FTS_COUNT,
    ST_USER_FTS_WALK,
    ST_USER_FTS_WALK_LAST = ST_USER_FTS_WALK + 15,
    ST_COUNT
} infor_stmt;

/* Whether column i of a change's texts (kind 0), ints (1) or folded
 * texts (2) is one the sort indexes hold, which ST_USER_UPDATE_LIGHT does
 * not assign (store.c). */
int infor_store_update_heavy(int kind, int i);

/* The first statement that only SQLite prepares. */
#define ST_PG_ONLY ST_USER_UPDATE_AUDIT
#define ST_SQLITE_ONLY ST_TX_BEGIN
/* The first statement that only SQLite with the FTS5 table prepares. */
#define ST_SQLITE_FTS ST_USER_FTS_COUNT_ALL

/* A queue of SQLite writes of one process to one database file: group
 * commit (store_write.c). */
typedef struct infor_writer infor_writer;

/* What the store keeps for a connection as long as it lives; under a
 * label in the connection's table of prepared statements. */
struct infor_conn {
    apr_pool_t *pool;        /* the connection's */
    int ready;               /* statements prepared; 0: ready it again */
    int prepared;            /* statements were prepared once */
    int in_txn;              /* between BEGIN and COMMIT or ROLLBACK */
    int in_write;            /* PostgreSQL: running a change of one
                              * statement, its own transaction */
    int holds_lock;          /* holds its file's write lock */
    infor_writer *writer;    /* SQLite: the queue for this file */
    int fts;                 /* SQLite: infor_users_fts is there */
    apr_dbd_prepared_t *st[ST_COUNT];   /* PostgreSQL: by id, once prepared */
    /* SQLite: the statements run on the connection's own handle (store.c,
     * "SQLite's statements"), by id, and the types of their values. */
    struct sqlite3 *native;
    struct sqlite3_stmt *nst[ST_COUNT];
    const char *types[ST_COUNT];
    int wal_frames;          /* SQLite: the log's frames after its commit */
    int sync_log;            /* SQLite: COMMIT leaves the log's sync to
                              * infor_db_sync_log (full durability) */
    int plan_modes;          /* PostgreSQL: the server has plan_cache_mode */
    int bytewise;            /* the lists' texts sort by their bytes (all
                              * of SQLite's; PostgreSQL: by the database's
                              * collation, infor_store_seek_walk_stmt) */
};

/* A row a SELECT hands to its reader: PostgreSQL's from apr_dbd, or the
 * SQLite statement standing on it. */
typedef struct {
    apr_dbd_row_t *dbd;
    struct sqlite3_stmt *st;
} infor_row;

/* Binds the values of a statement: pointers to the types its placeholders
 * name (char * for %s, apr_int64_t * for %lld, int * for %d). */
#define ARGS(...) ((const void *[]){ __VA_ARGS__ })

/* s with every letter small (towlower in C.UTF-8: all of Unicode, the
 * same for every store), as the fold_* columns keep the user's texts for
 * the "contains" filters (store_user.c).  infor_fold_init: once per
 * process, before. */
void infor_fold_init(void);
const char *infor_fold(apr_pool_t *p, const char *s);
/* Fills the fold_* columns of every user (a migration's step). */
apr_status_t infor_store_refold(infor_db *db);

/* Row readers for infor_db_select (store_user.c): each row's user pushed
 * on an array of infor_user *; the first column of the row as a number. */
void infor_db_push_user(infor_db *db, infor_row *row, void *baton);
void infor_db_first_num(infor_db *db, infor_row *row, void *baton);
/* The character at s (UTF-8) in *c and its length in bytes; 0: s holds
 * no valid character there. */
apr_size_t infor_utf8_char(const unsigned char *s, unsigned *c);

/* The sort key of a sort code (store.c, sort_keys): any code outside 1..8
 * is 0, and 2 (first and last name, as 0) is 0 too. */
int infor_store_sort_key(int sort_by);
/* The list statement of a sort code and direction (store.c). */
infor_stmt infor_store_user_query_stmt(int sort_by, int ascending);
/* The ST_USER_SEEK_WALK statement of a list with one filter on counted
 * column vcol (store_list.c, value_col) in the order of sort code sort_by,
 * ascending, when that order's key begins with the lower() of the text
 * the column folds (first name, last name, source, domain) and the
 * store's texts sort by their bytes; else ST_COUNT. */
infor_stmt infor_store_seek_walk_stmt(const infor_db *db, int vcol,
                                      int sort_by, int ascending);

/* Records the driver's message for a failure and returns a status. */
apr_status_t infor_db_fail(infor_db *db, apr_status_t rv, const char *what);
/* Runs a statement that returns no rows. */
apr_status_t infor_db_run(infor_db *db, infor_stmt id, const void **args);
/* The same, telling how many rows it changed. */
apr_status_t infor_db_run_count(infor_db *db, infor_stmt id,
                                const void **args, int *nrows);
/* Runs a SELECT; rows are read to the end, each handed to fn. */
typedef void infor_row_fn(infor_db *db, infor_row *row, void *baton);
apr_status_t infor_db_select(infor_db *db, infor_stmt id, const void **args,
                             infor_row_fn *fn, void *baton);
const char *infor_db_str(infor_db *db, infor_row *row, int col);
apr_int64_t infor_db_num(infor_db *db, infor_row *row, int col);
/* Column col's text as the row holds it, NULL for SQL NULL: not copied,
 * good until the next row. */
const char *infor_db_peek(infor_db *db, infor_row *row, int col);

/* The user columns every user SELECT starts with (store.c, USER_COLS:
 * INFOR_USER_COLS of them), and their reader. */
#define INFOR_USER_COLS 23
infor_user *infor_db_read_user(infor_db *db, infor_row *row, int col);

/* Writes the audit row of a change (inside the caller's transaction). */
apr_status_t infor_db_audit(infor_db *db, const infor_audit *a,
                            const infor_user *target, const char *fields,
                            apr_time_t now);

/* PostgreSQL plans a prepared statement once for any values after a few
 * runs (a generic plan): right for lookups by key, where planning each
 * run would cost as much as running, but not for lists, whose plan
 * depends on the values (a LIMIT of 50, a pattern of '%%': a generic plan
 * may sort the whole table).  Lists run between on = 1 (a plan for each
 * run's values) and on = 0.  Nothing on SQLite, on servers without the
 * setting, or inside a transaction; a failure leaves the last one's
 * message alone. */
void infor_db_custom_plans(infor_db *db, int on);

/* Runs a plain SQL text (schema, pragmas, transactions); *first, if
 * given, gets the first column of the first row. */
apr_status_t infor_db_exec(infor_db *db, const char *sql, const char **first);
/* Readies db's connection (again): settings, schema, statements. */
apr_status_t infor_db_ready(infor_db *db);
/* Whether the last failure was the connection's, not the statement's: the
 * server went away, or the statements are gone with a reset connection. */
int infor_db_conn_lost(const infor_db *db);
/* After such a failure, outside a transaction: reconnects if need be and
 * readies the connection again.  APR_SUCCESS when the caller may retry. */
apr_status_t infor_db_recover(infor_db *db);

/* The one way to write: runs change(db, baton) in a write transaction of
 * its own or, on SQLite, in a SAVEPOINT of a transaction it shares with
 * other writers of the process (group commit).  A change that fails is
 * rolled back alone and its status returned; the change must be safe to
 * run again (PostgreSQL retries serialization failures and deadlocks).
 * INFOR_WRITE_ALONE: never share the transaction (long changes).
 * INFOR_WRITE_ONE: the change runs exactly one statement, which on
 * PostgreSQL is then its own transaction: no BEGIN and COMMIT, two round
 * trips fewer (a lost connection leaves its outcome unknown, so it is
 * never run again then, as after a COMMIT sent). */
typedef apr_status_t infor_change_fn(infor_db *db, void *baton);
#define INFOR_WRITE_ALONE 0x01
#define INFOR_WRITE_ONE 0x02
apr_status_t infor_db_write(infor_db *db, infor_change_fn *change,
                            void *baton, unsigned flags);
/* The same, for a change to one account (its id): on PostgreSQL the
 * process's writers to it queue in the process (infor_db_write holds no
 * such queue). */
apr_status_t infor_db_write_to(infor_db *db, apr_int64_t account,
                               infor_change_fn *change, void *baton,
                               unsigned flags);
/* The same, for a change that is one statement. */
apr_status_t infor_db_write_one(infor_db *db, infor_stmt id,
                                const void **args, unsigned flags,
                                int *nrows);
/* SQLite's checkpoints (store_write.c runs them; SQLite's own would run
 * inside COMMIT, while every writer of every process waits on the lock):
 * whether the log of db's last commit has grown past a size (then counted
 * from 0 again), and one checkpoint that waits for nobody. */
int infor_db_checkpoint_due(infor_db *db);
void infor_db_checkpoint_run(infor_db *db);
/* SQLite with full durability (conn->sync_log): syncs the log to the
 * disk, after a COMMIT that wrote it and let go of the write lock, before
 * the transaction's changes are answered. */
apr_status_t infor_db_sync_log(infor_db *db);
/* The locks SQLite write transactions hold (infor_store_init): a file's
 * writer (infor_writer_get) holds the one its path picks. */
extern apr_global_mutex_t **infor_write_locks;
extern int infor_n_write_locks;
/* The group commit queue of this process for the SQLite file at path
 * ("" for a private in-memory database: a queue of its own). */
void infor_writers_init(apr_pool_t *p);
apr_status_t infor_writer_get(const char *path, apr_pool_t *conn_pool,
                              infor_writer **out);
/* The counters infor_store_set_stats() was given, or NULL. */
extern infor_store_stats *infor_stats;

#endif
