/*
 * mod_infor: the store.  All SQL lives here; see infor_store.h.
 *
 * Times are kept as whole seconds since the epoch (BIGINT); 0 means
 * "never".  Statements use apr_dbd's typed placeholders (%s text, %lld
 * 64-bit integer, %d int) and are prepared once per connection.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_thread_mutex.h>

#include "infor.h"
#include "infor_store.h"

/* SQLite's busy timeouts.  apr_dbd's sqlite3 driver holds one mutex for
 * the whole process around every call, and keeps holding it while SQLite
 * waits for a lock.  A thread waiting there for a lock that another thread
 * of the same process holds therefore blocks that thread from finishing
 * (and releasing the lock) until the timeout ends.  So requests wait only
 * briefly inside SQLite, and longer waits go to the driver's own retry
 * loop, which sleeps with the mutex released.  Readying a connection
 * (schema check, prepares, which the driver does not retry) may wait
 * longer. */
#define ATTACH_BUSY_MS "5000"
#define RUN_BUSY_MS    "50"

/* Marks a connection whose statements are prepared. */
#define READY_LABEL "infor_ready"

/* ------------------------------------------------------------ schema */

/* One entry per schema version; each step takes the database from the
 * version before it.  "@ID@" is the dialect's auto-increment key.  A later
 * release appends steps; it never edits one that has shipped. */
static const char *const schema_v1[] = {
    "CREATE TABLE infor_users ("
    " id @ID@,"
    " username TEXT NOT NULL,"
    " name_key TEXT NOT NULL UNIQUE,"
    " password TEXT NOT NULL DEFAULT '',"
    " first_name TEXT NOT NULL DEFAULT '',"
    " last_name TEXT NOT NULL DEFAULT '',"
    " email TEXT NOT NULL DEFAULT '',"
    " mobile TEXT NOT NULL DEFAULT '',"
    " enabled INTEGER NOT NULL DEFAULT 1,"
    " read_only INTEGER NOT NULL DEFAULT 0,"
    " is_admin INTEGER NOT NULL DEFAULT 0,"
    " domain TEXT NOT NULL DEFAULT '',"
    " auth_authority TEXT NOT NULL DEFAULT 'Native',"
    " last_logon BIGINT NOT NULL DEFAULT 0,"
    " last_password_change BIGINT NOT NULL DEFAULT 0,"
    " pref_language TEXT NOT NULL DEFAULT 'English',"
    " pref_default_portal TEXT NOT NULL DEFAULT '',"
    " pref_show_archives INTEGER NOT NULL DEFAULT 0,"
    " pref_show_hiddens INTEGER NOT NULL DEFAULT 0,"
    " pref_notification INTEGER NOT NULL DEFAULT 0,"
    " pref_email_type TEXT NOT NULL DEFAULT 'HTML',"
    " pref_attach_document INTEGER NOT NULL DEFAULT 0,"
    " created BIGINT NOT NULL,"
    " updated BIGINT NOT NULL)",
    "CREATE TABLE infor_sessions ("
    " ticket TEXT PRIMARY KEY,"
    " user_id BIGINT NOT NULL REFERENCES infor_users(id) ON DELETE CASCADE,"
    " created BIGINT NOT NULL,"
    " expires BIGINT NOT NULL,"
    " lang TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX infor_sessions_expires ON infor_sessions(expires)",
    "CREATE INDEX infor_sessions_user ON infor_sessions(user_id)",
    NULL
};

static const char *const *const schema_steps[INFOR_SCHEMA_VERSION] = {
    schema_v1,
};

/* ------------------------------------------------------- statements */

#define USER_COLS \
    "u.id, u.username, u.first_name, u.last_name, u.email, u.mobile," \
    " u.enabled, u.read_only, u.is_admin, u.domain, u.auth_authority," \
    " u.last_logon, u.last_password_change, u.created, u.updated," \
    " u.password, u.pref_language, u.pref_default_portal," \
    " u.pref_show_archives, u.pref_show_hiddens, u.pref_notification," \
    " u.pref_email_type, u.pref_attach_document"
#define USER_NCOLS 23

typedef enum {
    ST_USER_BY_KEY,
    ST_USER_BY_ID,
    ST_USER_LIST,
    ST_USER_INSERT,
    ST_USER_SET_PASSWORD,
    ST_USER_SET_CONTACT,
    ST_USER_SET_LOGON,
    ST_ADMIN_COUNT,
    ST_SESSION_INSERT,
    ST_SESSION_GET,
    ST_SESSION_EXTEND,
    ST_SESSION_DELETE,
    ST_SESSION_PURGE,
    ST_COUNT
} stmt_id;

static const struct {
    const char *label;
    const char *sql;
} stmts[ST_COUNT] = {
    [ST_USER_BY_KEY] = { "infor_user_by_key",
        "SELECT " USER_COLS " FROM infor_users u WHERE u.name_key = %s" },
    [ST_USER_BY_ID] = { "infor_user_by_id",
        "SELECT " USER_COLS " FROM infor_users u WHERE u.id = %lld" },
    [ST_USER_LIST] = { "infor_user_list",
        "SELECT " USER_COLS " FROM infor_users u ORDER BY u.id" },
    [ST_USER_INSERT] = { "infor_user_insert",
        "INSERT INTO infor_users (username, name_key, password, first_name,"
        " last_name, email, mobile, enabled, read_only, is_admin, domain,"
        " auth_authority, last_password_change, created, updated)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %d, %d, %d, %s, %s, %lld,"
        " %lld, %lld)" },
    [ST_USER_SET_PASSWORD] = { "infor_user_set_password",
        "UPDATE infor_users SET password = %s, last_password_change = %lld,"
        " updated = %lld WHERE id = %lld" },
    [ST_USER_SET_CONTACT] = { "infor_user_set_contact",
        "UPDATE infor_users"
        " SET email = CASE WHEN %d = 1 THEN %s ELSE email END,"
        " mobile = CASE WHEN %d = 1 THEN %s ELSE mobile END,"
        " updated = %lld WHERE id = %lld" },
    [ST_USER_SET_LOGON] = { "infor_user_set_logon",
        "UPDATE infor_users SET last_logon = %lld WHERE id = %lld" },
    [ST_ADMIN_COUNT] = { "infor_admin_count",
        "SELECT COUNT(*) FROM infor_users WHERE is_admin = 1" },
    [ST_SESSION_INSERT] = { "infor_session_insert",
        "INSERT INTO infor_sessions (ticket, user_id, created, expires, lang)"
        " VALUES (%s, %lld, %lld, %lld, %s)" },
    [ST_SESSION_GET] = { "infor_session_get",
        "SELECT s.user_id, s.created, s.expires, s.lang, " USER_COLS
        " FROM infor_sessions s JOIN infor_users u ON u.id = s.user_id"
        " WHERE s.ticket = %s" },
    [ST_SESSION_EXTEND] = { "infor_session_extend",
        "UPDATE infor_sessions SET expires = %lld WHERE ticket = %s" },
    [ST_SESSION_DELETE] = { "infor_session_delete",
        "DELETE FROM infor_sessions WHERE ticket = %s" },
    [ST_SESSION_PURGE] = { "infor_session_purge",
        "DELETE FROM infor_sessions WHERE expires <= %lld" },
};

/* ----------------------------------------------------------- helpers */

static apr_status_t fail(infor_db *db, apr_status_t rv, const char *what)
{
    const char *why = apr_dbd_error(db->driver, db->handle, rv);
    db->errmsg = apr_psprintf(db->pool, "%s: %s", what, why ? why : "?");
    return rv ? rv : APR_EGENERAL;
}

static apr_dbd_prepared_t *stmt(infor_db *db, stmt_id id)
{
    return apr_hash_get(db->prepared, stmts[id].label, APR_HASH_KEY_STRING);
}

/* Binds the values of a statement: pointers to the types its placeholders
 * name (char * for %s, apr_int64_t * for %lld, int * for %d). */
#define ARGS(...) ((const void *[]){ __VA_ARGS__ })

/* Runs a statement that returns no rows. */
static apr_status_t run(infor_db *db, stmt_id id, int *nrows,
                        const void **args)
{
    int n = 0, rv;

    rv = apr_dbd_pbquery(db->driver, db->pool, db->handle, &n, stmt(db, id),
                         args);
    if (rv != 0) {
        return fail(db, rv, stmts[id].label);
    }
    if (nrows) {
        *nrows = n;
    }
    return APR_SUCCESS;
}

/* Runs a plain SQL text (schema, pragmas, transactions), reading any rows
 * to the end so the statement is finished before the next one. */
static apr_status_t exec(infor_db *db, const char *sql, const char **first)
{
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    int rv;

    if (first) {
        *first = NULL;
    }
    if (strncmp(sql, "SELECT", 6) != 0 && strncmp(sql, "PRAGMA", 6) != 0) {
        int n = 0;
        rv = apr_dbd_query(db->driver, db->handle, &n, sql);
        /* The sqlite3 driver answers 100 (a row) for statements that
         * return one, e.g. "PRAGMA journal_mode"; that is not an error. */
        return (rv == 0 || rv == 100) ? APR_SUCCESS : fail(db, rv, sql);
    }
    rv = apr_dbd_select(db->driver, db->pool, db->handle, &res, sql, 0);
    if (rv != 0) {
        return fail(db, rv, sql);
    }
    while (apr_dbd_get_row(db->driver, db->pool, res, &row, -1) == 0) {
        if (first && !*first) {
            const char *v = apr_dbd_get_entry(db->driver, row, 0);
            *first = v ? apr_pstrdup(db->pool, v) : "";
        }
    }
    return APR_SUCCESS;
}

static const char *str(infor_db *db, apr_dbd_row_t *row, int col)
{
    const char *v = apr_dbd_get_entry(db->driver, row, col);
    return v ? apr_pstrdup(db->pool, v) : "";
}

static apr_int64_t num(infor_db *db, apr_dbd_row_t *row, int col)
{
    const char *v = apr_dbd_get_entry(db->driver, row, col);
    return v ? apr_atoi64(v) : 0;
}

static infor_user *read_user(infor_db *db, apr_dbd_row_t *row, int c)
{
    infor_user *u = apr_pcalloc(db->pool, sizeof(*u));

    u->id = num(db, row, c + 0);
    u->username = str(db, row, c + 1);
    u->first_name = str(db, row, c + 2);
    u->last_name = str(db, row, c + 3);
    u->email = str(db, row, c + 4);
    u->mobile = str(db, row, c + 5);
    u->enabled = num(db, row, c + 6) != 0;
    u->read_only = num(db, row, c + 7) != 0;
    u->is_admin = num(db, row, c + 8) != 0;
    u->domain = str(db, row, c + 9);
    u->auth_authority = str(db, row, c + 10);
    u->last_logon = apr_time_from_sec(num(db, row, c + 11));
    u->last_password_change = apr_time_from_sec(num(db, row, c + 12));
    u->created = apr_time_from_sec(num(db, row, c + 13));
    u->updated = apr_time_from_sec(num(db, row, c + 14));
    u->password_hash = str(db, row, c + 15);
    u->prefs.language = str(db, row, c + 16);
    u->prefs.default_portal = str(db, row, c + 17);
    u->prefs.show_archives = num(db, row, c + 18) != 0;
    u->prefs.show_hiddens = num(db, row, c + 19) != 0;
    u->prefs.notification = (int)num(db, row, c + 20);
    u->prefs.email_type = str(db, row, c + 21);
    u->prefs.attach_document = num(db, row, c + 22) != 0;
    return u;
}

/* Runs a SELECT of users; appends each row to out (or keeps the first in
 * *one), always reading to the end. */
static apr_status_t select_users(infor_db *db, stmt_id id,
                                 apr_array_header_t *out, infor_user **one,
                                 const void **args)
{
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    int rv;

    if (one) {
        *one = NULL;
    }
    rv = apr_dbd_pbselect(db->driver, db->pool, db->handle, &res,
                          stmt(db, id), 0, args);
    if (rv != 0) {
        return fail(db, rv, stmts[id].label);
    }
    while (apr_dbd_get_row(db->driver, db->pool, res, &row, -1) == 0) {
        infor_user *u = read_user(db, row, 0);
        if (out) {
            APR_ARRAY_PUSH(out, infor_user *) = u;
        }
        else if (one && !*one) {
            *one = u;
        }
    }
    return APR_SUCCESS;
}

/* ------------------------------------------------------------ attach */

#if APR_HAS_THREADS
static apr_thread_mutex_t *schema_mutex;
#endif
static volatile int schema_checked;

static apr_status_t schema_version(infor_db *db, int *version)
{
    const char *v = NULL;
    apr_status_t rv;

    rv = exec(db, "SELECT value FROM infor_meta WHERE name = 'schema_version'",
              &v);
    *version = (rv == APR_SUCCESS && v) ? atoi(v) : 0;
    return rv;
}

/* Brings the schema to INFOR_SCHEMA_VERSION inside one write transaction,
 * so concurrent processes migrate once and never see half a schema. */
static apr_status_t schema_migrate(infor_db *db)
{
    apr_status_t rv;
    int version = 0, v, i;

    rv = exec(db, "CREATE TABLE IF NOT EXISTS infor_meta ("
                  " name TEXT PRIMARY KEY, value TEXT NOT NULL)", NULL);
    if (rv == APR_SUCCESS) {
        rv = schema_version(db, &version);
    }
    if (rv != APR_SUCCESS || version == INFOR_SCHEMA_VERSION) {
        return rv;
    }
    if (version > INFOR_SCHEMA_VERSION) {
        db->errmsg = apr_psprintf(db->pool, "database schema version %d is "
                                  "newer than this module's (%d)", version,
                                  INFOR_SCHEMA_VERSION);
        return APR_EGENERAL;
    }
    if ((rv = infor_store_begin(db)) != APR_SUCCESS) {
        return rv;
    }
    /* Read again under the write lock: another process may have won. */
    if ((rv = schema_version(db, &version)) != APR_SUCCESS) {
        goto leave;
    }
    for (v = version; v < INFOR_SCHEMA_VERSION; v++) {
        for (i = 0; schema_steps[v][i]; i++) {
            const char *sql = schema_steps[v][i];
            const char *id = db->is_sqlite
                ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
            const char *at = strstr(sql, "@ID@");
            if (at) {
                sql = apr_pstrcat(db->pool,
                                  apr_pstrndup(db->pool, sql, at - sql), id,
                                  at + 4, NULL);
            }
            if ((rv = exec(db, sql, NULL)) != APR_SUCCESS) {
                goto leave;
            }
        }
    }
    if (version == 0) {
        rv = exec(db, "INSERT INTO infor_meta (name, value)"
                      " VALUES ('schema_version', '0')", NULL);
        if (rv != APR_SUCCESS) {
            goto leave;
        }
    }
    rv = exec(db, apr_psprintf(db->pool, "UPDATE infor_meta SET value = '%d'"
                               " WHERE name = 'schema_version'",
                               INFOR_SCHEMA_VERSION), NULL);
leave:
    if (rv == APR_SUCCESS) {
        return infor_store_commit(db);
    }
    infor_store_rollback(db);
    return rv;
}

apr_status_t infor_store_init(apr_pool_t *p)
{
#if APR_HAS_THREADS
    if (!schema_mutex) {
        return apr_thread_mutex_create(&schema_mutex,
                                       APR_THREAD_MUTEX_DEFAULT, p);
    }
#else
    (void)p;
#endif
    return APR_SUCCESS;
}

int infor_store_attached(const infor_db *db)
{
    return apr_hash_get(db->prepared, READY_LABEL, APR_HASH_KEY_STRING)
           != NULL;
}

apr_status_t infor_store_attach(infor_db *db, apr_pool_t *conn_pool)
{
    apr_status_t rv = APR_SUCCESS;
    int i;

    if (infor_store_attached(db)) {
        return APR_SUCCESS;
    }
    db->is_sqlite = strcmp(apr_dbd_name(db->driver), "sqlite3") == 0;
    if (db->is_sqlite) {
        /* Per connection: wait for other writers instead of failing, and
         * let ON DELETE CASCADE work. */
        rv = exec(db, "PRAGMA busy_timeout = " ATTACH_BUSY_MS, NULL);
        if (rv == APR_SUCCESS) {
            rv = exec(db, "PRAGMA foreign_keys = ON", NULL);
        }
        if (rv != APR_SUCCESS) {
            return rv;
        }
    }

    if (!schema_checked) {
#if APR_HAS_THREADS
        if (schema_mutex) {
            apr_thread_mutex_lock(schema_mutex);
        }
#endif
        /* Checked again under the lock: another thread may have done it. */
        // cppcheck-suppress identicalInnerCondition
        if (!schema_checked) {
            if (db->is_sqlite) {
                /* A property of the file: readers and writers in several
                 * processes no longer block each other. */
                rv = exec(db, "PRAGMA journal_mode = WAL", NULL);
            }
            if (rv == APR_SUCCESS) {
                rv = schema_migrate(db);
            }
            if (rv == APR_SUCCESS) {
                schema_checked = 1;
            }
        }
#if APR_HAS_THREADS
        if (schema_mutex) {
            apr_thread_mutex_unlock(schema_mutex);
        }
#endif
        if (rv != APR_SUCCESS) {
            return rv;
        }
    }

    for (i = 0; i < ST_COUNT; i++) {
        apr_dbd_prepared_t *st = NULL;
        rv = apr_dbd_prepare(db->driver, conn_pool, db->handle, stmts[i].sql,
                             stmts[i].label, &st);
        if (rv != 0) {
            return fail(db, rv, stmts[i].label);
        }
        apr_hash_set(db->prepared, stmts[i].label, APR_HASH_KEY_STRING, st);
    }
    if (db->is_sqlite
        && (rv = exec(db, "PRAGMA busy_timeout = " RUN_BUSY_MS, NULL))
           != APR_SUCCESS) {
        return rv;
    }
    apr_hash_set(db->prepared, READY_LABEL, APR_HASH_KEY_STRING, "");
    return APR_SUCCESS;
}

/* ------------------------------------------------------ transactions */

apr_status_t infor_store_begin(infor_db *db)
{
    /* IMMEDIATE takes the write lock up front: a deferred transaction
     * that later upgrades can deadlock against another writer. */
    return exec(db, db->is_sqlite ? "BEGIN IMMEDIATE" : "BEGIN", NULL);
}

apr_status_t infor_store_commit(infor_db *db)
{
    return exec(db, "COMMIT", NULL);
}

void infor_store_rollback(infor_db *db)
{
    const char *keep = db->errmsg;
    exec(db, "ROLLBACK", NULL);
    db->errmsg = keep;
}

/* ------------------------------------------------------------- users */

apr_status_t infor_store_user_find(infor_db *db, const char *name,
                                   infor_user **out)
{
    if (strncasecmp(name, "ID:", 3) == 0) {
        const char *digits = name + 3;
        char *end = NULL;
        apr_int64_t id;

        while (*digits == ' ') {
            digits++;
        }
        id = apr_strtoi64(digits, &end, 10);
        if (!*digits || !end || *end || id <= 0) {
            *out = NULL;
            return APR_SUCCESS;
        }
        return infor_store_user_by_id(db, id, out);
    }
    return select_users(db, ST_USER_BY_KEY, NULL, out,
                        ARGS(infor_name_key(db->pool, name)));
}

apr_status_t infor_store_user_by_id(infor_db *db, apr_int64_t id,
                                    infor_user **out)
{
    return select_users(db, ST_USER_BY_ID, NULL, out, ARGS(&id));
}

apr_status_t infor_store_user_list(infor_db *db, apr_array_header_t **out)
{
    *out = apr_array_make(db->pool, 16, sizeof(infor_user *));
    return select_users(db, ST_USER_LIST, *out, NULL, NULL);
}

apr_status_t infor_store_user_create(infor_db *db, const infor_user *u,
                                     apr_time_t now, apr_int64_t *id_out)
{
    infor_user *found = NULL;
    apr_int64_t t = apr_time_sec(now);
    apr_int64_t pwchange = u->password_hash && *u->password_hash ? t : 0;
    int enabled = u->enabled, ro = u->read_only, admin = u->is_admin;
    apr_status_t rv;

    if ((rv = infor_store_begin(db)) != APR_SUCCESS) {
        return rv;
    }
    rv = infor_store_user_find(db, u->username, &found);
    if (rv == APR_SUCCESS && found) {
        rv = APR_EEXIST;
        db->errmsg = "user name already exists";
    }
    if (rv == APR_SUCCESS) {
        rv = run(db, ST_USER_INSERT, NULL,
                 ARGS(u->username, infor_name_key(db->pool, u->username),
                      u->password_hash ? u->password_hash : "",
                      u->first_name ? u->first_name : "",
                      u->last_name ? u->last_name : "",
                      u->email ? u->email : "", u->mobile ? u->mobile : "",
                      &enabled, &ro, &admin, u->domain ? u->domain : "",
                      u->auth_authority ? u->auth_authority : "Native",
                      &pwchange, &t, &t));
    }
    if (rv == APR_SUCCESS) {
        rv = infor_store_user_find(db, u->username, &found);
        if (rv == APR_SUCCESS && !found) {
            rv = APR_EGENERAL;
            db->errmsg = "inserted user not found";
        }
    }
    if (rv != APR_SUCCESS) {
        infor_store_rollback(db);
        return rv;
    }
    *id_out = found->id;
    return infor_store_commit(db);
}

apr_status_t infor_store_user_set_password(infor_db *db, apr_int64_t id,
                                           const char *hash, apr_time_t now)
{
    apr_int64_t t = apr_time_sec(now);
    return run(db, ST_USER_SET_PASSWORD, NULL, ARGS(hash, &t, &t, &id));
}

apr_status_t infor_store_user_set_contact(infor_db *db, apr_int64_t id,
                                          const char *email,
                                          const char *mobile, apr_time_t now)
{
    apr_int64_t t = apr_time_sec(now);
    int set_email = email != NULL, set_mobile = mobile != NULL;

    /* One statement: both fields change together or not at all. */
    return run(db, ST_USER_SET_CONTACT, NULL,
               ARGS(&set_email, email ? email : "", &set_mobile,
                    mobile ? mobile : "", &t, &id));
}

apr_status_t infor_store_user_set_logon(infor_db *db, apr_int64_t id,
                                        apr_time_t now)
{
    apr_int64_t t = apr_time_sec(now);
    return run(db, ST_USER_SET_LOGON, NULL, ARGS(&t, &id));
}

apr_status_t infor_store_admin_count(infor_db *db, apr_int64_t *n)
{
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    int rv;

    *n = 0;
    rv = apr_dbd_pbselect(db->driver, db->pool, db->handle, &res,
                          stmt(db, ST_ADMIN_COUNT), 0, NULL);
    if (rv != 0) {
        return fail(db, rv, stmts[ST_ADMIN_COUNT].label);
    }
    while (apr_dbd_get_row(db->driver, db->pool, res, &row, -1) == 0) {
        *n = num(db, row, 0);
    }
    return APR_SUCCESS;
}

/* ---------------------------------------------------------- sessions */

apr_status_t infor_store_session_create(infor_db *db, const char *key,
                                        apr_int64_t user_id, apr_time_t now,
                                        apr_time_t expires, const char *lang)
{
    apr_int64_t c = apr_time_sec(now), e = apr_time_sec(expires);
    return run(db, ST_SESSION_INSERT, NULL,
               ARGS(key, &user_id, &c, &e, lang ? lang : ""));
}

apr_status_t infor_store_session_get(infor_db *db, const char *key,
                                     infor_session **s, infor_user **u)
{
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    int rv;

    *s = NULL;
    *u = NULL;
    rv = apr_dbd_pbselect(db->driver, db->pool, db->handle, &res,
                          stmt(db, ST_SESSION_GET), 0, ARGS(key));
    if (rv != 0) {
        return fail(db, rv, stmts[ST_SESSION_GET].label);
    }
    while (apr_dbd_get_row(db->driver, db->pool, res, &row, -1) == 0) {
        if (!*s) {
            infor_session *ss = apr_pcalloc(db->pool, sizeof(*ss));
            ss->user_id = num(db, row, 0);
            ss->created = apr_time_from_sec(num(db, row, 1));
            ss->expires = apr_time_from_sec(num(db, row, 2));
            ss->lang = str(db, row, 3);
            *s = ss;
            *u = read_user(db, row, 4);
        }
    }
    return APR_SUCCESS;
}

apr_status_t infor_store_session_extend(infor_db *db, const char *key,
                                        apr_time_t expires)
{
    apr_int64_t e = apr_time_sec(expires);
    return run(db, ST_SESSION_EXTEND, NULL, ARGS(&e, key));
}

apr_status_t infor_store_session_delete(infor_db *db, const char *key)
{
    return run(db, ST_SESSION_DELETE, NULL, ARGS(key));
}

apr_status_t infor_store_session_purge(infor_db *db, apr_time_t now)
{
    apr_int64_t t = apr_time_sec(now);
    return run(db, ST_SESSION_PURGE, NULL, ARGS(&t));
}
