/*
 * mod_infor: what the store's own files share (store.c, store_user.c,
 * store_session.c).  Nothing outside the store includes this.
 */
#ifndef INFOR_STORE_PRIVATE_H
#define INFOR_STORE_PRIVATE_H

#include "infor_store.h"

/* Every prepared statement, by id; their SQL is in store.c. */
typedef enum {
    ST_USER_BY_KEY,
    ST_USER_BY_ID,
    ST_USER_LIST,
    ST_USER_QUERY,
    ST_USER_COUNT,
    ST_USER_BY_EMAIL,
    ST_USER_INSERT,
    ST_USER_UPDATE,
    ST_USER_DELETE,
    ST_USER_SET_LOGON,
    ST_ADMIN_COUNT,
    ST_AUDIT_INSERT,
    ST_AUDIT_LIST,
    ST_SESSION_INSERT,
    ST_SESSION_GET,
    ST_SESSION_EXTEND,
    ST_SESSION_LANG,
    ST_SESSION_DELETE,
    ST_SESSION_DROP_USER,
    ST_SESSION_PURGE,
    ST_RESET_SET,
    ST_RESET_GET,
    ST_RESET_DELETE,
    ST_RESET_TAKE,
    ST_COUNT
} infor_stmt;

/* Binds the values of a statement: pointers to the types its placeholders
 * name (char * for %s, apr_int64_t * for %lld, int * for %d). */
#define ARGS(...) ((const void *[]){ __VA_ARGS__ })

/* Records the driver's message for a failure and returns a status. */
apr_status_t infor_db_fail(infor_db *db, apr_status_t rv, const char *what);
/* Runs a statement that returns no rows. */
apr_status_t infor_db_run(infor_db *db, infor_stmt id, const void **args);
/* The same, telling how many rows it changed. */
apr_status_t infor_db_run_count(infor_db *db, infor_stmt id,
                                const void **args, int *nrows);
/* Runs a SELECT; rows are read to the end, each handed to fn. */
typedef void infor_row_fn(infor_db *db, apr_dbd_row_t *row, void *baton);
apr_status_t infor_db_select(infor_db *db, infor_stmt id, const void **args,
                             infor_row_fn *fn, void *baton);
const char *infor_db_str(infor_db *db, apr_dbd_row_t *row, int col);
apr_int64_t infor_db_num(infor_db *db, apr_dbd_row_t *row, int col);

/* The user columns every user SELECT starts with, and their reader. */
infor_user *infor_db_read_user(infor_db *db, apr_dbd_row_t *row, int col);

/* Writes the audit row of a change (inside the caller's transaction). */
apr_status_t infor_db_audit(infor_db *db, const infor_audit *a,
                            const infor_user *target, const char *fields,
                            apr_time_t now);

/* Runs change(db, baton) and the audit row in one write transaction. */
typedef apr_status_t infor_change_fn(infor_db *db, void *baton);
apr_status_t infor_db_in_transaction(infor_db *db, infor_change_fn *change,
                                     void *baton);

#endif
