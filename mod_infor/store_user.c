/*
 * mod_infor: the store's accounts, audit trail and reset codes.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include <apr_strings.h>

#include "infor.h"
#include "infor_store_private.h"

/* ------------------------------------------------------------- folding */

/* The locale whose case mapping folds: C.UTF-8's covers all of Unicode
 * and, unlike the process's locale, is the same everywhere.  Made once
 * per process (infor_store_init); without it only ASCII folds. */
static locale_t fold_locale;

void infor_fold_init(void)
{
    if (!fold_locale) {
        fold_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    }
}

/* The UTF-8 sequence at s: its character in *c and its length, or 0 for
 * a byte that starts none (kept as it is). */
apr_size_t infor_utf8_char(const unsigned char *s, unsigned *c)
{
    apr_size_t len, i;

    if (s[0] < 0x80) {
        *c = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        *c = s[0] & 0x1F;
    }
    else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        *c = s[0] & 0x0F;
    }
    else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        *c = s[0] & 0x07;
    }
    else {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        *c = (*c << 6) | (s[i] & 0x3F);
    }
    return len;
}

static apr_size_t utf8_put(unsigned c, char *o)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

const char *infor_fold(apr_pool_t *p, const char *s)
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    /* A small letter is never more than 4 bytes, nor longer than its
     * capital by more than a byte (U+023A -> U+2C65: 2 -> 3 bytes). */
    char *out = apr_palloc(p, 2 * strlen((const char *)u) + 1), *o = out;

    while (*u) {
        unsigned c = 0;
        apr_size_t n = infor_utf8_char(u, &c);

        if (n == 0) {
            *o++ = (char)*u++;
            continue;
        }
        if (c < 0x80) {
            *o++ = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        }
        else {
            unsigned low = fold_locale
                           ? (unsigned)towlower_l((wint_t)c, fold_locale) : c;
            o += utf8_put(low, o);
        }
        u += n;
    }
    *o = '\0';
    return out;
}

/* Rows infor_store_refold reads and writes at a time. */
#define REFOLD_BATCH 1000

typedef struct {
    apr_int64_t id;
    const char *text[6];
} refold_row;

static void push_refold(infor_db *db, infor_row *row, void *baton)
{
    refold_row *r = apr_array_push((apr_array_header_t *)baton);
    int i;

    r->id = infor_db_num(db, row, 0);
    for (i = 0; i < 6; i++) {
        r->text[i] = infor_fold(db->pool, infor_db_str(db, row, i + 1));
    }
}

/* Statements of the migration's own, prepared by it (the store's are
 * prepared after the migration); PostgreSQL keeps a name for the
 * session, so each preparation takes a new one. */
static apr_status_t prepare_own(infor_db *db, const char *sql,
                                apr_dbd_prepared_t **st)
{
    static unsigned serial;
    const char *label = apr_psprintf(db->pool, "infor_refold_%u", serial++);
    int rv = apr_dbd_prepare(db->driver, db->pool, db->handle, sql, label,
                             st);

    return rv == 0 ? APR_SUCCESS : infor_db_fail(db, rv, label);
}

apr_status_t infor_store_refold(infor_db *db)
{
    apr_dbd_prepared_t *sel = NULL, *upd = NULL;
    apr_pool_t *outer = db->pool, *batch = NULL;
    apr_int64_t last = 0, limit = REFOLD_BATCH;
    apr_status_t rv;
    int n;

    rv = prepare_own(db, "SELECT id, username, first_name, last_name, email,"
                     " auth_authority, domain FROM infor_users"
                     " WHERE id > %lld ORDER BY id LIMIT %lld", &sel);
    if (rv == APR_SUCCESS) {
        rv = prepare_own(db, "UPDATE infor_users SET fold_user = %s,"
                         " fold_first = %s, fold_last = %s, fold_email = %s,"
                         " fold_auth = %s, fold_domain = %s WHERE id = %lld",
                         &upd);
    }
    if (rv == APR_SUCCESS) {
        rv = apr_pool_create(&batch, outer);
    }
    while (rv == APR_SUCCESS) {
        apr_array_header_t *rows = apr_array_make(batch, REFOLD_BATCH,
                                                  sizeof(refold_row));
        apr_dbd_results_t *res = NULL;
        infor_row row = { NULL, NULL };
        int i, got;

        db->pool = batch;
        got = apr_dbd_pbselect(db->driver, batch, db->handle, &res, sel, 1,
                               ARGS(&last, &limit));
        if (got != 0) {
            rv = infor_db_fail(db, got, "infor_refold select");
        }
        while (rv == APR_SUCCESS
               && (got = apr_dbd_get_row(db->driver, batch, res, &row.dbd,
                                         -1)) == 0) {
            push_refold(db, &row, rows);
        }
        if (rv == APR_SUCCESS && got != -1) {
            rv = infor_db_fail(db, got, "infor_refold row");
        }
        for (i = 0; rv == APR_SUCCESS && i < rows->nelts; i++) {
            refold_row *r = &APR_ARRAY_IDX(rows, i, refold_row);
            got = apr_dbd_pbquery(db->driver, batch, db->handle, &n, upd,
                                  ARGS(r->text[0], r->text[1], r->text[2],
                                       r->text[3], r->text[4], r->text[5],
                                       &r->id));
            if (got != 0) {
                rv = infor_db_fail(db, got, "infor_refold update");
            }
            last = r->id;
        }
        db->pool = outer;
        if (db->errmsg) {
            db->errmsg = apr_pstrdup(outer, db->errmsg);
        }
        got = rows->nelts;
        apr_pool_clear(batch);
        if (got < REFOLD_BATCH) {
            break;
        }
    }
    if (batch) {
        apr_pool_destroy(batch);
    }
    return rv;
}

/* ------------------------------------------------------------- reading */

static void first_user(infor_db *db, infor_row *row, void *baton)
{
    infor_user **one = baton;
    if (!*one) {
        *one = infor_db_read_user(db, row, 0);
    }
}

void infor_db_push_user(infor_db *db, infor_row *row, void *baton)
{
    APR_ARRAY_PUSH((apr_array_header_t *)baton, infor_user *)
        = infor_db_read_user(db, row, 0);
}

void infor_db_first_num(infor_db *db, infor_row *row, void *baton)
{
    *(apr_int64_t *)baton = infor_db_num(db, row, 0);
}

apr_status_t infor_store_user_find(infor_db *db, const char *name,
                                   infor_user **out)
{
    *out = NULL;
    if (strncasecmp(name, "ID:", 3) == 0) {
        const char *digits = name + 3;
        char *end = NULL;
        apr_int64_t id;

        while (*digits == ' ') {
            digits++;
        }
        id = apr_strtoi64(digits, &end, 10);
        if (!*digits || !end || *end || id <= 0) {
            return APR_SUCCESS;
        }
        return infor_store_user_by_id(db, id, out);
    }
    return infor_db_select(db, ST_USER_BY_KEY,
                           ARGS(infor_name_key(db->pool, name)), first_user,
                           out);
}

apr_status_t infor_store_user_by_id(infor_db *db, apr_int64_t id,
                                    infor_user **out)
{
    *out = NULL;
    return infor_db_select(db, ST_USER_BY_ID, ARGS(&id), first_user, out);
}

apr_status_t infor_store_user_list(infor_db *db, apr_array_header_t **out)
{
    *out = apr_array_make(db->pool, 16, sizeof(infor_user *));
    return infor_db_select(db, ST_USER_LIST, NULL, infor_db_push_user, *out);
}

apr_status_t infor_store_users_by_email(infor_db *db, const char *email,
                                        apr_array_header_t **out)
{
    *out = apr_array_make(db->pool, 2, sizeof(infor_user *));
    return infor_db_select(db, ST_USER_BY_EMAIL, ARGS(email), infor_db_push_user,
                           *out);
}

/* Rows a batch of infor_store_user_walk reads. */
#define WALK_BATCH 500

/* A batch of a walk is read whole before fn sees its rows: fn may write
 * to a slow client, and SQLite would keep the batch's read transaction
 * (and so the log it reads) for as long. */
typedef struct {
    apr_array_header_t *rows;   /* infor_user *, of this batch */
    const char *k0, *k1, *k2;   /* the last row's sort keys */
    apr_int64_t id;
} user_walk;

static void walk_row(infor_db *db, infor_row *row, void *baton)
{
    user_walk *w = baton;
    infor_user *u = infor_db_read_user(db, row, 0);

    APR_ARRAY_PUSH(w->rows, infor_user *) = u;
    w->id = u->id;
    w->k0 = infor_db_str(db, row, 23);
    w->k1 = infor_db_str(db, row, 24);
    w->k2 = infor_db_str(db, row, 25);
}

/* A walk in batches of `limit` rows, each read whole by batch(db, walk,
 * outer, &n) in a pool of its own (db->pool while it runs) and handed to
 * the walk's callback; what must outlive the batch (where the next one
 * starts) batch keeps in outer.  Lists' plans for their values on
 * PostgreSQL (infor_db_custom_plans). */
typedef apr_status_t walk_batch_fn(infor_db *db, void *walk,
                                   apr_pool_t *outer, int *n);

static apr_status_t walk_batches(infor_db *db, apr_int64_t limit,
                                 walk_batch_fn *batch, void *walk)
{
    apr_pool_t *outer = db->pool, *p = NULL;
    apr_status_t rv;
    int n = 0;

    if ((rv = apr_pool_create(&p, outer)) != APR_SUCCESS) {
        return rv;
    }
    infor_db_custom_plans(db, 1);
    do {
        db->pool = p;
        rv = batch(db, walk, outer, &n);
        db->pool = outer;
        if (db->errmsg) {
            db->errmsg = apr_pstrdup(outer, db->errmsg);
        }
        apr_pool_clear(p);
    } while (rv == APR_SUCCESS && n == limit);
    infor_db_custom_plans(db, 0);
    apr_pool_destroy(p);
    return rv;
}

typedef struct {
    user_walk w;
    infor_user_fn *fn;
    void *baton;
} user_walk_run;

static apr_status_t user_batch(infor_db *db, void *walk, apr_pool_t *outer,
                               int *n)
{
    user_walk_run *r = walk;
    user_walk *w = &r->w;
    apr_int64_t limit = WALK_BATCH;
    apr_status_t rv;
    int i;

    w->rows = apr_array_make(db->pool, WALK_BATCH, sizeof(infor_user *));
    rv = infor_db_select(db, ST_USER_WALK,
                         ARGS(w->k0, w->k0, w->k1, w->k2, &w->id, &limit),
                         walk_row, w);
    for (i = 0; rv == APR_SUCCESS && i < w->rows->nelts; i++) {
        rv = r->fn(db, APR_ARRAY_IDX(w->rows, i, infor_user *), r->baton);
    }
    *n = w->rows->nelts;
    w->k0 = apr_pstrdup(outer, w->k0);
    w->k1 = apr_pstrdup(outer, w->k1);
    w->k2 = apr_pstrdup(outer, w->k2);
    return rv;
}

apr_status_t infor_store_user_walk(infor_db *db, infor_user_fn *fn,
                                   void *baton)
{
    user_walk_run r = { { NULL, "", "", "", 0 }, fn, baton };

    return walk_batches(db, WALK_BATCH, user_batch, &r);
}

apr_status_t infor_store_admin_count(infor_db *db, apr_int64_t *n)
{
    *n = 0;
    return infor_db_select(db, ST_ADMIN_COUNT, NULL, infor_db_first_num, n);
}

/* ------------------------------------------------------------- writing */

/* Draws for an audit row's id before giving up (each a clash with a
 * row there is, at 2^-63 per row). */
#define AUDIT_ID_DRAWS 4

/* Bindings of an audit row. */
#define AUDIT_ARGS 11

/* An audit row's values but its id. */
typedef struct {
    apr_int64_t at, at_us, actor, target;
    const char *actor_name, *action, *name, *key, *fields, *client;
} audit_row;

static void audit_row_make(infor_db *db, audit_row *r, const infor_audit *a,
                           const infor_user *target, const char *fields,
                           apr_time_t now)
{
    r->at = apr_time_sec(now);
    r->at_us = now;
    r->actor = a->actor_id;
    r->target = target->id;
    r->actor_name = a->actor_name ? a->actor_name : "";
    r->action = a->action;
    r->name = target->username;
    r->key = infor_name_key(db->pool, target->username);
    r->fields = fields ? fields : "";
    r->client = a->client ? a->client : "";
}

/* The bindings of audit row r with id (NULL: SQLite's next rowid) into
 * out, in the order of store.c's AUDIT_COLS; without target_id when the
 * statement takes it from the row it changed. */
static void audit_args(const audit_row *r, const apr_int64_t *id,
                       int with_target, const void **out)
{
    unsigned n = 0;

    out[n++] = id;
    out[n++] = &r->at;
    out[n++] = &r->at_us;
    out[n++] = &r->actor;
    out[n++] = r->actor_name;
    out[n++] = r->action;
    if (with_target) {
        out[n++] = &r->target;
    }
    out[n++] = r->name;
    out[n++] = r->key;
    out[n++] = r->fields;
    out[n] = r->client;
}

/* PostgreSQL: a random positive id, so that inserts spread over the whole
 * key range (a distributed engine's ranges), where a sequence puts every
 * one at its end. */
static apr_status_t audit_id_draw(infor_db *db, apr_int64_t *id)
{
    unsigned char r[8];
    apr_uint64_t v = 0;
    int i;

    if (apr_generate_random_bytes(r, sizeof(r)) != APR_SUCCESS) {
        db->errmsg = "no random bytes for an audit row's id";
        return APR_EGENERAL;
    }
    for (i = 0; i < 8; i++) {
        v = (v << 8) | r[i];
    }
    *id = (apr_int64_t)(v & APR_UINT64_C(0x7FFFFFFFFFFFFFFF));
    if (*id == 0) {
        *id = 1;
    }
    return APR_SUCCESS;
}

apr_status_t infor_db_audit(infor_db *db, const infor_audit *a,
                            const infor_user *target, const char *fields,
                            apr_time_t now)
{
    audit_row r;
    apr_int64_t id = 0;
    const void *args[AUDIT_ARGS];
    apr_status_t rv = APR_SUCCESS;
    int draw, n = 0;

    audit_row_make(db, &r, a, target, fields, now);
    audit_args(&r, db->is_sqlite ? NULL : &id, 1, args);
    for (draw = 0; rv == APR_SUCCESS && n == 0 && draw < AUDIT_ID_DRAWS;
         draw++) {
        /* SQLite, one file: the next rowid.  The rows of a shared commit
         * then fill one page, where random ids would dirty one page
         * each. */
        if (!db->is_sqlite && (rv = audit_id_draw(db, &id)) != APR_SUCCESS) {
            break;
        }
        rv = infor_db_run_count(db, ST_AUDIT_INSERT, args, &n);
        if (db->is_sqlite) {
            break;
        }
    }
    if (rv == APR_SUCCESS && n == 0) {
        db->errmsg = "no free id for an audit row";
        rv = APR_EGENERAL;
    }
    return rv;
}

typedef struct {
    const infor_user *u;     /* the account, as it was */
    const infor_user_change *c;
    const char *hash;        /* reset_use: the new password */
    apr_time_t now;
    const infor_audit *a;
    apr_int64_t id;          /* create: the new id */
    const char *key;         /* reset_use: the code's key */
    int one;                 /* update: one statement with its audit row
                              * (PostgreSQL, INFOR_WRITE_ONE) */
} change_job;

/* A new name must not be anyone else's, in any letter case. */
static apr_status_t name_free(infor_db *db, const char *name,
                              apr_int64_t self)
{
    infor_user *other = NULL;
    apr_status_t rv = infor_store_user_find(db, name, &other);

    if (rv == APR_SUCCESS && other && other->id != self) {
        db->errmsg = "user name already exists";
        return APR_EEXIST;
    }
    return rv;
}

static apr_status_t do_create(infor_db *db, void *baton)
{
    change_job *j = baton;
    const infor_user *u = j->u;
    infor_user *made = NULL;
    apr_int64_t t = apr_time_sec(j->now);
    apr_int64_t pwchange = u->password_hash && *u->password_hash ? t : 0;
    int enabled = u->enabled, ro = u->read_only, admin = u->is_admin;
    int inserted = 0;
    apr_status_t rv;

    if ((rv = name_free(db, u->username, 0)) != APR_SUCCESS) {
        return rv;
    }
    /* The unique index decides a race the check above cannot see (on
     * PostgreSQL, whose writers run in parallel): no row, no account. */
    rv = infor_db_run_count(db, ST_USER_INSERT,
        ARGS(u->username, infor_name_key(db->pool, u->username),
             u->password_hash ? u->password_hash : "",
             u->first_name ? u->first_name : "",
             u->last_name ? u->last_name : "",
             u->email ? u->email : "", u->mobile ? u->mobile : "",
             &enabled, &ro, &admin, u->domain ? u->domain : "",
             u->auth_authority ? u->auth_authority : "Native",
             &pwchange, &t, &t, infor_fold(db->pool, u->username),
             infor_fold(db->pool, u->first_name),
             infor_fold(db->pool, u->last_name),
             infor_fold(db->pool, u->email),
             infor_fold(db->pool, u->auth_authority ? u->auth_authority
                                                    : "Native"),
             infor_fold(db->pool, u->domain)), &inserted);
    if (rv == APR_SUCCESS && inserted != 1) {
        db->errmsg = "user name already exists";
        return APR_EEXIST;
    }
    if (rv == APR_SUCCESS) {
        rv = infor_store_user_find(db, u->username, &made);
    }
    if (rv == APR_SUCCESS && !made) {
        db->errmsg = "the new user cannot be read back";
        rv = APR_EGENERAL;
    }
    if (rv != APR_SUCCESS) {
        return rv;
    }
    j->id = made->id;
    return infor_db_audit(db, j->a, made, "created", j->now);
}

apr_status_t infor_store_user_create(infor_db *db, const infor_user *u,
                                     apr_time_t now, const infor_audit *a,
                                     apr_int64_t *id_out)
{
    change_job j = { u, NULL, NULL, now, a, 0, NULL, 0 };
    apr_status_t rv = infor_db_write(db, do_create, &j, 0);

    *id_out = j.id;
    return rv;
}

void infor_user_change_init(infor_user_change *c)
{
    memset(c, 0, sizeof(*c));
    c->enabled = c->read_only = c->show_archives = c->show_hiddens = -1;
    c->notification = c->attach_document = -1;
}

/* The names the audit trail gives the fields of a change, in the order of
 * the change's members (the same order update_sql() binds them in). */
static const char *const text_names[] = {
    "username", "first_name", "last_name", "email", "mobile",
    "authentication_source", "password", "language", "default_portal",
    "email_type"
};
static const char *const int_names[] = {
    "enabled", "read_only", "show_archives", "show_hiddens",
    "notification", "attach_document"
};
#define N_TEXT (sizeof(text_names) / sizeof(text_names[0]))
#define N_INT  (sizeof(int_names) / sizeof(int_names[0]))
/* The texts with a folded column, in the order of fold_cols in store.c:
 * username, first_name, last_name, email, auth_authority. */
static const unsigned fold_texts[] = { 0, 1, 2, 3, 5 };
#define N_FOLD (sizeof(fold_texts) / sizeof(fold_texts[0]))

/* A change's texts and ints, in the order of text_names and int_names. */
#define CHANGE_TEXTS(c) { \
        (c)->username, (c)->first_name, (c)->last_name, (c)->email, \
        (c)->mobile, (c)->auth_authority, (c)->password_hash, \
        (c)->language, (c)->default_portal, (c)->email_type }
#define CHANGE_INTS(c) { \
        (c)->enabled, (c)->read_only, (c)->show_archives, \
        (c)->show_hiddens, (c)->notification, (c)->attach_document }

/* Light when no column a sort index holds (but email) changes: then the
 * light statement, which leaves them out, writes less. */
static int change_light(const infor_user_change *c)
{
    const char *const texts[N_TEXT] = CHANGE_TEXTS(c);
    const int ints[N_INT] = CHANGE_INTS(c);
    int light = 1;
    unsigned i;

    for (i = 0; i < N_TEXT; i++) {
        light = light && !(texts[i] && infor_store_update_heavy(0, i));
    }
    for (i = 0; i < N_INT; i++) {
        light = light && !(ints[i] >= 0 && infor_store_update_heavy(1, i));
    }
    return light;
}

/* PostgreSQL: a light change without a new password (which also removes
 * any reset code) is one statement with its audit row (a light change
 * neither renames nor disables). */
static int change_one_statement(const infor_db *db,
                                const infor_user_change *c)
{
    return !db->is_sqlite && change_light(c) && !c->password_hash;
}

/* Bindings of ST_USER_UPDATE at most. */
#define UPDATE_ARGS (2 * (N_TEXT + N_INT + N_FOLD) + 6)

/* PostgreSQL: the light UPDATE (its n bindings in args) and the audit row,
 * one statement. */
static apr_status_t update_audited(infor_db *db, const change_job *j,
                                   const void *const *args, unsigned n,
                                   const char *fields)
{
    const void *all[UPDATE_ARGS + AUDIT_ARGS];
    audit_row r;
    apr_int64_t aid = 0;
    apr_status_t rv;
    int draw;

    audit_row_make(db, &r, j->a, j->u, fields, j->now);
    memcpy(all, args, n * sizeof(*args));
    audit_args(&r, &aid, 0, all + n);
    for (draw = 0; draw < AUDIT_ID_DRAWS; draw++) {
        if ((rv = audit_id_draw(db, &aid)) != APR_SUCCESS) {
            return rv;
        }
        rv = infor_db_run(db, ST_USER_UPDATE_AUDIT, all);
        /* A clash of the audit id (the only unique key the statement can
         * meet: a light change keeps the name) undid it all: draw again. */
        if (rv == APR_SUCCESS || strcmp(db->sqlstate, "23505") != 0) {
            return rv;
        }
    }
    db->errmsg = "no free id for an audit row";
    return APR_EGENERAL;
}

static apr_status_t do_update(infor_db *db, void *baton)
{
    change_job *j = baton;
    const infor_user_change *c = j->c;
    const char *texts[N_TEXT] = CHANGE_TEXTS(c);
    int ints[N_INT] = CHANGE_INTS(c);
    int text_set[N_TEXT], int_set[N_INT], rename = c->username != NULL;
    int pw = c->password_hash != NULL, light = change_light(c);
    const void *args[UPDATE_ARGS];
    apr_int64_t t = apr_time_sec(j->now), id = j->u->id;
    const char *fields = NULL;
    infor_user after;
    apr_status_t rv;
    unsigned i, n = 0;

    if (rename && (rv = name_free(db, c->username, id)) != APR_SUCCESS) {
        return rv;
    }
    for (i = 0; i < N_TEXT; i++) {
        text_set[i] = texts[i] != NULL;
        if (texts[i]) {
            fields = fields ? apr_pstrcat(db->pool, fields, ",",
                                          text_names[i], NULL)
                            : text_names[i];
        }
        if (light && infor_store_update_heavy(0, i)) {
            continue;
        }
        args[n++] = &text_set[i];
        args[n++] = texts[i] ? texts[i] : "";
    }
    for (i = 0; i < N_INT; i++) {
        int_set[i] = ints[i] >= 0;
        if (ints[i] >= 0) {
            fields = fields ? apr_pstrcat(db->pool, fields, ",",
                                          int_names[i], NULL)
                            : int_names[i];
        }
        if (light && infor_store_update_heavy(1, i)) {
            continue;
        }
        args[n++] = &int_set[i];
        args[n++] = &ints[i];
    }
    for (i = 0; i < N_FOLD; i++) {
        const char *text = texts[fold_texts[i]];
        if (light && infor_store_update_heavy(2, i)) {
            continue;
        }
        args[n++] = &text_set[fold_texts[i]];
        args[n++] = text ? infor_fold(db->pool, text) : "";
    }
    if (!light) {
        args[n++] = &rename;
        args[n++] = rename ? infor_name_key(db->pool, c->username) : "";
    }
    args[n++] = &pw;
    args[n++] = &t;
    args[n++] = &t;
    args[n++] = &id;
    if (j->one) {
        return update_audited(db, j, args, n, fields);
    }
    rv = infor_db_run(db, light ? ST_USER_UPDATE_LIGHT : ST_USER_UPDATE,
                      args);
    if (rv != APR_SUCCESS) {
        /* A rename racing another onto the same name, on PostgreSQL: the
         * unique index refuses the second. */
        if (rename && strcmp(db->sqlstate, "23505") == 0) {
            db->errmsg = "user name already exists";
            return APR_EEXIST;
        }
        return rv;
    }
    /* A new password makes an outstanding reset code useless. */
    if (pw && (rv = infor_db_run(db, ST_RESET_DELETE, ARGS(&id)))
              != APR_SUCCESS) {
        return rv;
    }
    /* A disabled account keeps no live sessions. */
    if (c->enabled == 0
        && (rv = infor_db_run(db, ST_SESSION_DROP_USER, ARGS(&id)))
           != APR_SUCCESS) {
        return rv;
    }
    /* The trail names the account as it is after the change. */
    after = *j->u;
    if (rename) {
        after.username = c->username;
    }
    return infor_db_audit(db, j->a, &after, fields, j->now);
}

apr_status_t infor_store_user_update(infor_db *db, const infor_user *u,
                                     const infor_user_change *c,
                                     apr_time_t now, const infor_audit *a)
{
    /* Decided once: the write runs without a transaction only if the
     * change is the one statement. */
    change_job j = { u, c, NULL, now, a, 0, NULL,
                     change_one_statement(db, c) };
    return infor_db_write_to(db, u->id, do_update, &j,
                             j.one ? INFOR_WRITE_ONE : 0);
}

static apr_status_t do_delete(infor_db *db, void *baton)
{
    change_job *j = baton;
    apr_int64_t id = j->u->id;
    apr_status_t rv;

    /* Explicitly, not only by ON DELETE CASCADE: that needs SQLite's
     * foreign_keys switched on for the connection. */
    rv = infor_db_run(db, ST_SESSION_DROP_USER, ARGS(&id));
    if (rv == APR_SUCCESS) {
        rv = infor_db_run(db, ST_RESET_DELETE, ARGS(&id));
    }
    if (rv == APR_SUCCESS) {
        rv = infor_db_run(db, ST_USER_DELETE, ARGS(&id));
    }
    if (rv == APR_SUCCESS) {
        rv = infor_db_audit(db, j->a, j->u, "deleted", j->now);
    }
    return rv;
}

apr_status_t infor_store_user_delete(infor_db *db, const infor_user *u,
                                     apr_time_t now, const infor_audit *a)
{
    change_job j = { u, NULL, NULL, now, a, 0, NULL, 0 };
    return infor_db_write_to(db, u->id, do_delete, &j, 0);
}

/* ---------------------------------------------------------- reset codes */

apr_status_t infor_store_reset_set(infor_db *db, apr_int64_t user_id,
                                   const char *key, apr_time_t expires)
{
    apr_int64_t e = apr_time_sec(expires);
    return infor_db_write_one(db, ST_RESET_SET, ARGS(&user_id, key, &e), 0,
                              NULL);
}

typedef struct {
    const char *key;
    apr_time_t expires;
} reset_row;

static void read_reset(infor_db *db, infor_row *row, void *baton)
{
    reset_row *r = baton;
    r->key = infor_db_str(db, row, 0);
    r->expires = apr_time_from_sec(infor_db_num(db, row, 1));
}

apr_status_t infor_store_reset_get(infor_db *db, apr_int64_t user_id,
                                   const char **key, apr_time_t *expires)
{
    reset_row r = { NULL, 0 };
    apr_status_t rv = infor_db_select(db, ST_RESET_GET, ARGS(&user_id),
                                      read_reset, &r);
    *key = r.key;
    *expires = r.expires;
    return rv;
}

static apr_status_t do_reset_use(infor_db *db, void *baton)
{
    change_job *j = baton;
    apr_int64_t id = j->u->id, t = apr_time_sec(j->now);
    infor_user_change c;
    change_job inner;
    apr_status_t rv;
    int taken = 0;

    /* The code is taken (deleted) first, under the write lock: of two
     * requests with one code, only one can take it. */
    rv = infor_db_run_count(db, ST_RESET_TAKE, ARGS(&id, j->key, &t),
                            &taken);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (taken != 1) {
        db->errmsg = "the reset code is used or expired";
        return APR_ENOENT;
    }
    infor_user_change_init(&c);
    c.password_hash = j->hash;
    inner = *j;
    inner.c = &c;
    return do_update(db, &inner);
}

apr_status_t infor_store_reset_use(infor_db *db, const infor_user *u,
                                   const char *key, const char *hash,
                                   apr_time_t now, const infor_audit *a)
{
    change_job j = { u, NULL, hash, now, a, 0, key, 0 };
    return infor_db_write(db, do_reset_use, &j, 0);
}

/* ---------------------------------------------------------- audit trail */

/* Rows a batch of infor_store_audit_walk reads. */
#define AUDIT_BATCH 500

/* As a walk of the users, a batch is read whole before fn sees it. */
typedef struct {
    apr_array_header_t *rows;    /* infor_audit_row, of this batch */
    apr_int64_t at, at_us, id;   /* the last row's place in the order */
} audit_walk;

static void audit_walk_row(infor_db *db, infor_row *row, void *baton)
{
    audit_walk *w = baton;
    infor_audit_row *a = apr_array_push(w->rows);

    w->at = infor_db_num(db, row, 0);
    w->at_us = infor_db_num(db, row, 7);
    w->id = infor_db_num(db, row, 8);
    a->at = apr_time_from_sec(w->at);
    a->actor_name = infor_db_str(db, row, 1);
    a->action = infor_db_str(db, row, 2);
    a->target_id = infor_db_num(db, row, 3);
    a->target_name = infor_db_str(db, row, 4);
    a->fields = infor_db_str(db, row, 5);
    a->client = infor_db_str(db, row, 6);
}

typedef struct {
    audit_walk w;
    apr_int64_t until, id;
    int filter;
    const char *key;
    infor_audit_fn *fn;
    void *baton;
} audit_walk_run;

static apr_status_t audit_batch(infor_db *db, void *walk, apr_pool_t *outer,
                                int *n)
{
    audit_walk_run *r = walk;
    audit_walk *w = &r->w;
    apr_int64_t limit = AUDIT_BATCH;
    apr_status_t rv;
    int i;

    (void)outer;
    w->rows = apr_array_make(db->pool, AUDIT_BATCH, sizeof(infor_audit_row));
    rv = infor_db_select(db, ST_AUDIT_WALK,
                         ARGS(&w->at, &w->at, &w->at_us, &w->id, &r->until,
                              &r->filter, &r->id, r->key, &limit),
                         audit_walk_row, w);
    for (i = 0; rv == APR_SUCCESS && i < w->rows->nelts; i++) {
        rv = r->fn(&APR_ARRAY_IDX(w->rows, i, infor_audit_row), r->baton);
    }
    *n = w->rows->nelts;
    return rv;
}

apr_status_t infor_store_audit_walk(infor_db *db, const char *name,
                                    apr_time_t before, infor_audit_fn *fn,
                                    void *baton)
{
    audit_walk_run r = { { NULL, -1, -1, -1 }, APR_INT64_MAX, -1, 0, "",
                         fn, baton };
    apr_status_t rv;

    if (before > 0) {
        r.until = apr_time_sec(before);
    }
    if (name) {
        infor_user *u = NULL;
        if ((rv = infor_store_user_find(db, name, &u)) != APR_SUCCESS) {
            return rv;
        }
        r.id = u ? u->id : -1;
        r.key = infor_name_key(db->pool, name);
        r.filter = 1;
    }
    return walk_batches(db, AUDIT_BATCH, audit_batch, &r);
}
