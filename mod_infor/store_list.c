/*
 * mod_infor: the store's lists of users (GetAllUsers1 and its kin):
 * "contains" filters, sort orders, pages and their exact totals.
 */
#include <string.h>

#include <apr_strings.h>

#include "infor.h"
#include "infor_store_private.h"

/* A filtered list is walked along its sort index only when more than one
 * user in WALK_ABOVE passes its filters; else its users are read (the
 * count has just read them anyway) and the page kept while they pass (a
 * top-N sort).  A walk may have to step over almost every row, each a
 * lookup in the table, when the users that pass sort last. */
#define WALK_ABOVE 2

/* A LIKE pattern for "contains": the filter with the pattern characters
 * escaped (by '!'), between two '%'. */
static const char *contains(apr_pool_t *p, const char *filter)
{
    char *out, *o;

    if (!filter) {
        filter = "";
    }
    out = o = apr_palloc(p, 2 * strlen(filter) + 3);
    *o++ = '%';
    for (; *filter; filter++) {
        if (*filter == '%' || *filter == '_' || *filter == '!') {
            *o++ = '!';
        }
        *o++ = *filter;
    }
    *o++ = '%';
    *o = '\0';
    return out;
}

/* SQLite's trigram index (schema 4) finds what a phrase of 3 characters
 * or more contains; shorter ones it cannot search. */
#define FTS_MIN_CHARS 3

/* A FTS walk steps over about everyone / total entries of its sort index
 * for each row up to the page's end when the users that pass are spread
 * evenly, checking each against the set the trigram index found; reading
 * and sorting the users that pass reads each of them in the table, a few
 * times the cost of a step.  A walk is tried when it should step over no
 * more than FTS_WALK_RATIO entries per user that passes, with a budget of
 * steps of FTS_WALK_RATIO times that expectation (at least a
 * FTS_WALK_RATIO-th of the users that pass, so that a filter many pass
 * is not read and sorted for a little unevenness): should the users that
 * pass sort late, the walk gives up, and they are read and sorted. */
#define FTS_WALK_RATIO 4

/* The FTS5 query of the "contains" filters: one phrase per filter (the
 * folded text, double quotes doubled), all of them; NULL when the index
 * cannot answer it alone: a filter shorter than FTS_MIN_CHARS characters,
 * or not valid UTF-8 (which the tokenizer reads otherwise than LIKE). */
static const char *fts_match(apr_pool_t *p, const infor_user_query *q)
{
    static const char *const cols[] = {
        "fold_first", "fold_last", "fold_user", "fold_email", "fold_auth",
        "fold_domain"
    };
    const char *texts[] = {
        q->first_name, q->last_name, q->username, q->email,
        q->auth_authority, q->domain
    };
    const char *match = NULL;
    unsigned i;

    for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
        const unsigned char *f;
        char *phrase, *o;
        apr_size_t chars = 0;

        if (!texts[i] || !*texts[i]) {
            continue;
        }
        f = (const unsigned char *)infor_fold(p, texts[i]);
        phrase = o = apr_palloc(p, 2 * strlen((const char *)f) + 3);
        *o++ = '"';
        while (*f) {
            unsigned c = 0;
            apr_size_t n = infor_utf8_char(f, &c);

            /* Only the shortest form of a character, no surrogates. */
            if (n == 0 || (n == 2 && c < 0x80) || (n == 3 && c < 0x800)
                || (n == 4 && (c < 0x10000 || c > 0x10FFFF))
                || (c >= 0xD800 && c <= 0xDFFF)) {
                return NULL;
            }
            if (c == '"') {
                *o++ = '"';
            }
            memcpy(o, f, n);
            o += n;
            f += n;
            chars++;
        }
        *o++ = '"';
        *o = '\0';
        if (chars < FTS_MIN_CHARS) {
            return NULL;
        }
        match = apr_pstrcat(p, match ? match : "", match ? " AND " : "",
                            "{", cols[i], "} : ", phrase, NULL);
    }
    return match;
}

/* A filtered list on SQLite's trigram index: the exact total from the
 * index (and the table, for status or type), then the page, by a walk
 * of the sort index or by reading and sorting the users that pass. */
static apr_status_t fts_query(infor_db *db, const char *match, int status,
                              int ro, int sort, int asc, apr_int64_t limit,
                              apr_int64_t offset, apr_array_header_t *out,
                              apr_int64_t *total)
{
    apr_int64_t everyone = 0, end;
    int all = -1;
    apr_status_t rv;

    if (status < 0 && ro < 0) {
        rv = infor_db_select(db, ST_USER_FTS_COUNT_ALL, ARGS(match),
                             infor_db_first_num, total);
    }
    else {
        rv = infor_db_select(db, ST_USER_FTS_COUNT,
                             ARGS(match, &status, &status, &ro, &ro),
                             infor_db_first_num, total);
    }
    if (rv != APR_SUCCESS || limit == 0 || *total == 0 || offset >= *total) {
        return rv;
    }
    rv = infor_db_select(db, ST_USER_COUNT_KEPT, ARGS(&all, &all, &all, &all),
                         infor_db_first_num, &everyone);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    end = offset + (limit < *total - offset ? limit : *total - offset);
    /* end * everyone / total <= FTS_WALK_RATIO * total, in floating
     * point: no overflow. */
    if ((double)end * (double)everyone
        <= (double)FTS_WALK_RATIO * (double)*total * (double)*total) {
        infor_stmt walk = (infor_stmt)(ST_USER_FTS_WALK
                          + (infor_store_user_query_stmt(sort, asc)
                             - ST_USER_QUERY));
        double expect = (double)end * (double)everyone / (double)*total;
        apr_int64_t budget = (apr_int64_t)(FTS_WALK_RATIO * expect) + 1;

        if (budget < *total / FTS_WALK_RATIO) {
            budget = *total / FTS_WALK_RATIO;
        }
        rv = infor_db_select(db, walk,
                             ARGS(&status, &status, &ro, &ro, &budget, match,
                                  &limit, &offset),
                             infor_db_push_user, out);
        if (rv != APR_SUCCESS || out->nelts == end - offset) {
            return rv;
        }
        /* The budget ran out before the page's end. */
        apr_array_clear(out);
    }
    return infor_db_select(db, ST_USER_FTS_SORTED,
                           ARGS(match, &status, &status, &ro, &ro, &asc,
                                &sort, &asc, &sort, &limit, &offset),
                           infor_db_push_user, out);
}

static apr_status_t user_query(infor_db *db, const infor_user_query *q,
                               apr_array_header_t **out, apr_int64_t *total)
{
    /* Folded as the fold_* columns are: a filter ignores letter case,
     * for all of Unicode, alike on every store. */
    const char *first = contains(db->pool, infor_fold(db->pool,
                                                      q->first_name));
    const char *last = contains(db->pool, infor_fold(db->pool,
                                                     q->last_name));
    const char *user = contains(db->pool, infor_fold(db->pool,
                                                     q->username));
    const char *email = contains(db->pool, infor_fold(db->pool, q->email));
    const char *auth = contains(db->pool, infor_fold(db->pool,
                                                     q->auth_authority));
    const char *domain = contains(db->pool, infor_fold(db->pool,
                                                       q->domain));
    int status = q->status, ro = q->type < 0 ? -1 : q->type == 2;
    int sort = q->sort_by, asc = q->ascending != 0;
    apr_int64_t limit = q->limit < 0 ? APR_INT64_MAX : q->limit;
    apr_int64_t offset = q->offset < 0 ? 0 : q->offset;
    apr_status_t rv;

    int filtered = (q->first_name && *q->first_name)
                   || (q->last_name && *q->last_name)
                   || (q->username && *q->username) || (q->email && *q->email)
                   || (q->auth_authority && *q->auth_authority)
                   || (q->domain && *q->domain);
    int all = -1;
    apr_int64_t everyone = 0;

    *total = 0;
    *out = apr_array_make(db->pool, 16, sizeof(infor_user *));
    if (filtered && db->is_sqlite && db->conn->fts) {
        const char *match = fts_match(db->pool, q);
        if (match) {
            return fts_query(db, match, status, ro, sort, asc, limit, offset,
                             *out, total);
        }
    }
    /* Without a "contains" filter the total is the counts the writes
     * keep (by status and type), not a count of the table. */
    if (!filtered) {
        rv = infor_db_select(db, ST_USER_COUNT_KEPT,
                             ARGS(&status, &status, &ro, &ro), infor_db_first_num,
                             total);
    }
    else {
        rv = infor_db_select(db, ST_USER_COUNT,
                             ARGS(first, last, user, email, auth, domain,
                                  &status, &status, &ro, &ro),
                             infor_db_first_num, total);
        if (rv == APR_SUCCESS && *total > 0 && limit > 0) {
            rv = infor_db_select(db, ST_USER_COUNT_KEPT,
                                 ARGS(&all, &all, &all, &all), infor_db_first_num,
                                 &everyone);
        }
    }
    if (rv != APR_SUCCESS || limit == 0 || (filtered && *total == 0)) {
        return rv;
    }
    if (filtered && *total * WALK_ABOVE <= everyone && !db->is_sqlite
        && offset < *total) {
        /* PostgreSQL: first a walk of the sort index within a budget, as
         * on SQLite's trigram index (fts_query), when the users that pass
         * are few enough that the walk, were they spread evenly, should
         * step over no more of the others than reading and sorting them
         * would read. */
        apr_int64_t end = offset + (limit < *total - offset
                                    ? limit : *total - offset);
        double expect = (double)end * (double)everyone / (double)*total;

        if (FTS_WALK_RATIO * expect <= (double)*total) {
            apr_int64_t budget = (apr_int64_t)(FTS_WALK_RATIO * expect) + 1;
            infor_stmt walk = (infor_stmt)(ST_USER_BWALK
                              + (infor_store_user_query_stmt(sort, asc)
                                 - ST_USER_QUERY));

            rv = infor_db_select(db, walk,
                                 ARGS(&status, &status, &ro, &ro, &budget,
                                      first, last, user, email, auth, domain,
                                      &status, &status, &ro, &ro, &limit,
                                      &offset),
                                 infor_db_push_user, *out);
            if (rv != APR_SUCCESS || (*out)->nelts == end - offset) {
                return rv;
            }
            /* The budget ran out before the page's end. */
            apr_array_clear(*out);
        }
    }
    if (filtered && *total * WALK_ABOVE <= everyone) {
        /* Not most: read them and sort them (same order). */
        return infor_db_select(db, ST_USER_QUERY_SORTED,
                               ARGS(first, last, user, email, auth, domain,
                                    &status, &status, &ro, &ro, &asc, &sort,
                                    &asc, &sort, &limit, &offset),
                               infor_db_push_user, *out);
    }
    if (!filtered) {
        return infor_db_select(db, ST_USER_PAGE + (infor_store_user_query_stmt(
                                   sort, asc) - ST_USER_QUERY),
                               ARGS(&status, &status, &ro, &ro, &limit,
                                    &offset),
                               infor_db_push_user, *out);
    }
    return infor_db_select(db, infor_store_user_query_stmt(sort, asc),
                           ARGS(first, last, user, email, auth, domain,
                                &status, &status, &ro, &ro, &limit,
                                &offset),
                           infor_db_push_user, *out);
}
apr_status_t infor_store_user_query(infor_db *db, const infor_user_query *q,
                                    apr_array_header_t **out,
                                    apr_int64_t *total)
{
    apr_status_t rv;

    infor_db_custom_plans(db, 1);
    rv = user_query(db, q, out, total);
    infor_db_custom_plans(db, 0);
    return rv;
}

