/*
 * mod_infor: the store.  The only code that speaks SQL.
 *
 * The module hands it a connection from mod_dbd; inforadm opens one with
 * apr_dbd directly.  infor_store_attach() readies a connection once (busy
 * timeout, schema check and migration, prepared statements); every other
 * call runs prepared statements with bound parameters.
 *
 * Every write is one transaction, through one helper (store_write.c):
 * on SQLite writers queue on a lock shared by all processes and share
 * commits (group commit); on PostgreSQL they run in parallel, on row
 * locks and unique indexes, and are retried on serialization failures.
 *
 * Every function returns APR_SUCCESS or an error status; on error
 * db->errmsg says what failed (for the log, never for a client).
 * Lookups that find nothing succeed and set *out to NULL; a failed
 * statement or row fetch is an error, never "nothing found".
 */
#ifndef INFOR_STORE_H
#define INFOR_STORE_H

#include <apr_pools.h>
#include <apr_hash.h>
#include <apr_tables.h>
#include <apr_time.h>
#include <apr_dbd.h>
#include <apr_global_mutex.h>

#define INFOR_SCHEMA_VERSION 8

/* What the store keeps for a connection as long as it lives (store.c). */
typedef struct infor_conn infor_conn;

typedef struct {
    /* Set by the caller before infor_store_attach(). */
    const apr_dbd_driver_t *driver;
    apr_dbd_t *handle;
    apr_hash_t *prepared;   /* label -> apr_dbd_prepared_t*, per connection */
    apr_pool_t *pool;       /* the request's pool */
    int sync_normal;        /* InforDurability normal: no sync per commit */
    /* Set by the store. */
    int is_sqlite;
    infor_conn *conn;
    const char *errmsg;     /* the last failure, with the driver's message */
    char sqlstate[6];       /* PostgreSQL's code for it, or "" */
    const char *recovered;  /* a failure the store recovered from (for the
                             * log), or NULL */
} infor_db;

typedef struct {
    const char *language;
    const char *default_portal;
    int show_archives;
    int show_hiddens;
    int notification;        /* 0 NONE, 1 INSTANT, 2 DAILY REPORT */
    const char *email_type;  /* HTML or TEXT */
    int attach_document;
} infor_prefs;

typedef struct {
    apr_int64_t id;
    const char *username;
    const char *first_name;
    const char *last_name;
    const char *email;
    const char *mobile;
    int enabled;
    int read_only;
    int is_admin;
    const char *domain;
    const char *auth_authority;
    apr_time_t last_logon;            /* 0: never */
    apr_time_t last_password_change;  /* 0: never */
    apr_time_t created;
    apr_time_t updated;
    const char *password_hash;
    infor_prefs prefs;
} infor_user;

typedef struct {
    apr_int64_t user_id;
    apr_time_t created;
    apr_time_t expires;
    const char *lang;
} infor_session;

/* Who changes an account, written to the audit trail in the same
 * transaction as the change. */
typedef struct {
    const char *action;       /* the method, e.g. "CreateUser" */
    apr_int64_t actor_id;     /* 0 when no user acts (inforadm) */
    const char *actor_name;
    const char *client;       /* client address, or "inforadm" */
} infor_audit;

/* A change to an account: NULL strings and -1 numbers keep the stored
 * value.  Setting password_hash also stamps last_password_change. */
typedef struct {
    const char *username;
    const char *first_name;
    const char *last_name;
    const char *email;
    const char *mobile;
    const char *auth_authority;
    const char *password_hash;
    const char *language;
    const char *default_portal;
    const char *email_type;
    int enabled;
    int read_only;
    int show_archives;
    int show_hiddens;
    int notification;
    int attach_document;
} infor_user_change;

void infor_user_change_init(infor_user_change *c);

/* A page of a filtered, sorted user list (GetAllUsers*). */
typedef struct {
    const char *first_name;   /* "contains" filters; NULL or "" for none */
    const char *last_name;
    const char *username;
    const char *email;
    const char *auth_authority;
    const char *domain;
    int status;               /* -1 all, 0 disabled, 1 enabled */
    int type;                 /* -1 all, 1 authors, 2 read-only */
    int sort_by;              /* 0..8, as GetAllUsers1 documents */
    int ascending;
    apr_int64_t offset;
    apr_int64_t limit;        /* < 0: no limit */
} infor_user_query;

typedef struct {
    apr_time_t at;
    const char *actor_name;
    const char *action;
    apr_int64_t target_id;
    const char *target_name;
    const char *fields;
    const char *client;
} infor_audit_row;

/* Once per process, before any connection is attached.  write_lock, if
 * given, is held by every SQLite write transaction of the process, from
 * BEGIN to COMMIT: a lock all the server's processes share (the module's
 * apr_global_mutex), so that SQLite never sees two writers at once. */
apr_status_t infor_store_init(apr_pool_t *p, apr_global_mutex_t **write_locks,
                              int n_locks);

/* Before any database is opened (httpd's pre_config): SQLite's settings
 * for the whole process. */
void infor_store_pre_config(void);

/* How many write locks the module makes: a database file's path picks
 * one, the same in every process. */
#define INFOR_WRITE_LOCKS 16

/* Readies a handle for use: on a connection's first use also the
 * pragmas, the schema and the statements (conn_pool lives as long as the
 * connection; *readied, if given, says whether that happened now).
 * Cheap after that; call it for every request. */
apr_status_t infor_store_attach(infor_db *db, apr_pool_t *conn_pool,
                                int *readied);

/* Closes a connection the caller opened with apr_dbd_open (inforadm):
 * the store's statements first, which SQLite's close waits for.  mod_dbd's
 * connections need no call: their pool's cleanup does the same. */
void infor_store_close(infor_db *db);

/* Whether db's connection is attached and ready for statements. */
int infor_store_usable(const infor_db *db);

/* The last guard before a connection goes back to mod_dbd's pool: ends a
 * transaction left open and lets go of the write lock.  Normal paths
 * never leave either; returns APR_EGENERAL (with errmsg) when it had to. */
apr_status_t infor_store_release(infor_db *db);

/* "ID:<n>" names a user by id; anything else is a user name (any case). */
apr_status_t infor_store_user_find(infor_db *db, const char *name,
                                   infor_user **out);
apr_status_t infor_store_user_by_id(infor_db *db, apr_int64_t id,
                                    infor_user **out);
/* Account changes.  Each is one transaction holding the change and its
 * audit row.  APR_EEXIST when a new name is taken (in any letter case). */
apr_status_t infor_store_user_create(infor_db *db, const infor_user *u,
                                     apr_time_t now, const infor_audit *a,
                                     apr_int64_t *id_out);
apr_status_t infor_store_user_update(infor_db *db, const infor_user *u,
                                     const infor_user_change *c,
                                     apr_time_t now, const infor_audit *a);
/* Also drops the user's sessions and reset code. */
apr_status_t infor_store_user_delete(infor_db *db, const infor_user *u,
                                     apr_time_t now, const infor_audit *a);
/* Every user, by id; an array of infor_user *. */
apr_status_t infor_store_user_list(infor_db *db, apr_array_header_t **out);
/* One page of a query, and the number of matches on all pages. */
apr_status_t infor_store_user_query(infor_db *db, const infor_user_query *q,
                                    apr_array_header_t **out,
                                    apr_int64_t *total);
/* Every user in GetAllUsers' order (first + last name), handed to fn one
 * by one, read in batches: memory does not grow with the number of users.
 * fn's user lives until the end of its batch (in db->pool, which is a
 * batch's pool while fn runs).  fn's non-success status ends the walk. */
typedef apr_status_t infor_user_fn(infor_db *db, const infor_user *u,
                                   void *baton);
apr_status_t infor_store_user_walk(infor_db *db, infor_user_fn *fn,
                                   void *baton);
/* Users with this email address (any case), by id. */
apr_status_t infor_store_users_by_email(infor_db *db, const char *email,
                                        apr_array_header_t **out);

/* Password reset codes, kept as keys (see infor_ticket_key), one per
 * user.  *key is NULL when the user has none. */
apr_status_t infor_store_reset_set(infor_db *db, apr_int64_t user_id,
                                   const char *key, apr_time_t expires);
apr_status_t infor_store_reset_get(infor_db *db, apr_int64_t user_id,
                                   const char **key, apr_time_t *expires);
/* A password change that uses up the reset code under key, as one
 * transaction; APR_ENOENT (nothing changed) when the code is no longer
 * there or has expired, e.g. used by a request a moment earlier. */
apr_status_t infor_store_reset_use(infor_db *db, const infor_user *u,
                                   const char *key, const char *hash,
                                   apr_time_t now, const infor_audit *a);

/* The audit trail, oldest first (with before > 0: only the rows written
 * before it); with a name, only rows about that user: the account of
 * that name now, or any account that ever had it (all of that account's
 * rows, under every name).  The rows are handed to fn one by one in that
 * order, read in batches along the trail's index: memory does not grow
 * with the trail.  fn's row lives until the
 * end of its batch; a status other than APR_SUCCESS from fn stops the
 * walk and is returned. */
typedef apr_status_t infor_audit_fn(const infor_audit_row *a, void *baton);
apr_status_t infor_store_audit_walk(infor_db *db, const char *name,
                                    apr_time_t before, infor_audit_fn *fn,
                                    void *baton);
apr_status_t infor_store_admin_count(infor_db *db, apr_int64_t *n);

/* Logs a user in, as one transaction: a new session under key, or (with
 * renew) the session under key extended and given lang; and the user's
 * last logon. */
apr_status_t infor_store_session_open(infor_db *db, const char *key,
                                      int renew, apr_int64_t user_id,
                                      apr_time_t now, apr_time_t expires,
                                      const char *lang);
/* The session under key, with its user; *s and *u NULL when none. */
apr_status_t infor_store_session_get(infor_db *db, const char *key,
                                     infor_session **s, infor_user **u);
/* Writes expires as the session's expiry if the one it has is at most
 * due (a refresh other callers made meanwhile is not made again). */
apr_status_t infor_store_session_extend(infor_db *db, const char *key,
                                        apr_time_t expires, apr_time_t due);
apr_status_t infor_store_session_delete(infor_db *db, const char *key);
/* Removes at most limit sessions that expired by now, oldest first, in a
 * transaction of their own; *removed says how many. */
/* Removes at most limit audit rows written before `before`, oldest first
 * (InforAuditRetention); *removed says how many. */
apr_status_t infor_store_audit_purge(infor_db *db, apr_time_t before,
                                     apr_int64_t limit, int *removed);
apr_status_t infor_store_session_purge(infor_db *db, apr_time_t now,
                                       apr_int64_t limit, int *removed);

/* Counters the store keeps for mod_status, in memory all the server's
 * processes share (status.c makes it); no counting while none is given.
 * lock_waits and lock_wait_usec: SQLite writers that found the write lock
 * taken, and how long they waited for it in all; changes, commits and
 * log_syncs: changes written, transactions committed (fewer: group
 * commit) and SQLite logs synced after a commit (full durability). */
typedef struct {
    apr_uint64_t lock_waits;
    apr_uint64_t lock_wait_usec;
    apr_uint64_t changes;
    apr_uint64_t commits;
    apr_uint64_t log_syncs;
} infor_store_stats;

/* Once, in the parent before the children start (or NULL: none). */
void infor_store_set_stats(infor_store_stats *stats);

#endif /* INFOR_STORE_H */
