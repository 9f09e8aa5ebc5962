/*
 * mod_infor: the store's sessions (tickets, by their keys).
 */
#include <apr_strings.h>

#include "infor_store_private.h"

apr_status_t infor_store_session_create(infor_db *db, const char *key,
                                        apr_int64_t user_id, apr_time_t now,
                                        apr_time_t expires, const char *lang)
{
    apr_int64_t c = apr_time_sec(now), e = apr_time_sec(expires);
    return infor_db_run(db, ST_SESSION_INSERT,
                        ARGS(key, &user_id, &c, &e, lang ? lang : ""));
}

typedef struct {
    infor_session *s;
    infor_user *u;
} session_row;

static void read_session(infor_db *db, apr_dbd_row_t *row, void *baton)
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
                                        apr_time_t expires)
{
    apr_int64_t e = apr_time_sec(expires);
    return infor_db_run(db, ST_SESSION_EXTEND, ARGS(&e, key));
}

apr_status_t infor_store_session_set_lang(infor_db *db, const char *key,
                                          const char *lang)
{
    return infor_db_run(db, ST_SESSION_LANG, ARGS(lang, key));
}

apr_status_t infor_store_session_delete(infor_db *db, const char *key)
{
    return infor_db_run(db, ST_SESSION_DELETE, ARGS(key));
}

apr_status_t infor_store_session_purge(infor_db *db, apr_time_t now)
{
    apr_int64_t t = apr_time_sec(now);
    return infor_db_run(db, ST_SESSION_PURGE, ARGS(&t));
}
