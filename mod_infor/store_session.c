/*
 * mod_infor: the store's sessions (tickets, by their keys).
 */
#include <apr_strings.h>

#include "infor_store_private.h"

typedef struct {
    const char *key;
    int renew;
    apr_int64_t user_id;
    apr_int64_t now;
    apr_int64_t expires;
    const char *lang;
} session_open_job;

/* A renewed session's expiry is written whatever it was. */
static const apr_int64_t any_expiry = APR_INT64_MAX;

static apr_status_t do_session_open(infor_db *db, void *baton)
{
    session_open_job *j = baton;
    apr_status_t rv;

    if (j->renew) {
        rv = infor_db_run(db, ST_SESSION_EXTEND,
                          ARGS(&j->expires, j->key, &any_expiry));
        if (rv == APR_SUCCESS) {
            rv = infor_db_run(db, ST_SESSION_LANG, ARGS(j->lang, j->key));
        }
    }
    else {
        rv = infor_db_run(db, ST_SESSION_INSERT,
                          ARGS(j->key, &j->user_id, &j->now, &j->expires,
                               j->lang));
    }
    if (rv == APR_SUCCESS) {
        rv = infor_db_run(db, ST_USER_SET_LOGON, ARGS(&j->now, &j->user_id));
    }
    return rv;
}

apr_status_t infor_store_session_open(infor_db *db, const char *key,
                                      int renew, apr_int64_t user_id,
                                      apr_time_t now, apr_time_t expires,
                                      const char *lang)
{
    session_open_job j = { key, renew, user_id, apr_time_sec(now),
                           apr_time_sec(expires), lang ? lang : "" };
    return infor_db_write(db, do_session_open, &j, 0);
}

typedef struct {
    infor_session *s;
    infor_user *u;
} session_row;

static void read_session(infor_db *db, infor_row *row, void *baton)
{
    session_row *out = baton;
    infor_session *s;

    if (out->s) {
        return;
    }
    s = apr_pcalloc(db->pool, sizeof(*s));
    s->user_id = infor_db_num(db, row, 0);
    s->created = apr_time_from_sec(infor_db_num(db, row, 1));
    s->expires = apr_time_from_sec(infor_db_num(db, row, 2));
    s->lang = infor_db_str(db, row, 3);
    out->s = s;
    out->u = infor_db_read_user(db, row, 4);
}

apr_status_t infor_store_session_get(infor_db *db, const char *key,
                                     infor_session **s, infor_user **u)
{
    session_row out = { NULL, NULL };
    apr_status_t rv;

    rv = infor_db_select(db, ST_SESSION_GET, ARGS(key), read_session, &out);
    *s = out.s;
    *u = out.u;
    return rv;
}

apr_status_t infor_store_session_extend(infor_db *db, const char *key,
                                        apr_time_t expires, apr_time_t due)
{
    apr_int64_t e = apr_time_sec(expires), d = apr_time_sec(due);
    return infor_db_write_one(db, ST_SESSION_EXTEND, ARGS(&e, key, &d), 0,
                              NULL);
}

apr_status_t infor_store_session_delete(infor_db *db, const char *key)
{
    return infor_db_write_one(db, ST_SESSION_DELETE, ARGS(key), 0, NULL);
}

static void any_row(infor_db *db, infor_row *row, void *baton)
{
    (void)db;
    (void)row;
    *(int *)baton = 1;
}

/* A purge first reads whether there is anything to remove: a read takes
 * no write lock, so an idle server's purges cost no writer anything. */
static apr_status_t purge(infor_db *db, infor_stmt any, infor_stmt del,
                          apr_int64_t t, apr_int64_t limit, int *removed)
{
    int found = 0;
    apr_status_t rv;

    *removed = 0;
    rv = infor_db_select(db, any, ARGS(&t), any_row, &found);
    if (rv != APR_SUCCESS || !found) {
        return rv;
    }
    /* Alone: other writers' commits do not wait for it. */
    return infor_db_write_one(db, del, ARGS(&t, &limit), INFOR_WRITE_ALONE,
                              removed);
}

apr_status_t infor_store_audit_purge(infor_db *db, apr_time_t before,
                                     apr_int64_t limit, int *removed)
{
    return purge(db, ST_AUDIT_OLD_ANY, ST_AUDIT_PURGE, apr_time_sec(before),
                 limit, removed);
}

apr_status_t infor_store_session_purge(infor_db *db, apr_time_t now,
                                       apr_int64_t limit, int *removed)
{
    return purge(db, ST_SESSION_EXPIRED_ANY, ST_SESSION_PURGE,
                 apr_time_sec(now), limit, removed);
}
