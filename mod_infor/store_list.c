/*
 * mod_infor: the store's lists of users (GetAllUsers1 and its kin):
 * "contains" filters, sort orders, pages and their exact totals.
 */
#include <stdio.h>
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

/* The six patterns p of USER_FILTER (and of ST_USER_FTS_PASS) as the
 * statements bind them: each twice, NULL for a text not filtered. */
#define BOTH(p) (p)[0], (p)[0], (p)[1], (p)[1], (p)[2], (p)[2], (p)[3], \
                (p)[3], (p)[4], (p)[4], (p)[5], (p)[5]

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

/* A walk that reads each entry's row and checks its texts costs about
 * ROW_COST times what one id of the set the trigram index finds costs
 * the walk that checks ids against it (which builds the whole set first:
 * 0.3 s for an address filter a million users pass). */
#define ROW_COST 4

/* ------------------------------------------------------------ one pass */

/* A page that ends no further than PASS_MAX rows into a filtered list is
 * made in one pass over the users that pass (infor_users_fts finds them,
 * the table is read once for each): the pass counts them and keeps the
 * best page-end rows in a heap.  Deeper pages are sorted by SQLite. */
#define PASS_MAX 2000

/* A row kept by the pass: what orders it, copied into buf. */
typedef struct {
    apr_int64_t id;
    const char *first, *last, *col;   /* NULL: SQL NULL */
    char *buf;
    apr_size_t cap;
} pass_row;

typedef struct {
    pass_row *heap;   /* a max-heap: heap[0] the last of the rows kept */
    int n, keep;
    int key, desc;    /* sort key (0..8, not 2) and direction */
    apr_int64_t seen; /* the users that pass */
    apr_pool_t *pool;
} pass_state;

/* Reads lower(text) or lower(text || ' ' || then) byte by byte. */
typedef struct {
    const char *p, *then;
} lower_reader;

/* The next byte (ASCII letters small, as SQLite's lower()), -1 at the
 * end. */
static int lower_next(lower_reader *r)
{
    int c;

    if (!*r->p) {
        if (!r->then) {
            return -1;
        }
        r->p = r->then;
        r->then = NULL;
        return ' ';
    }
    c = (unsigned char)*r->p++;
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* a < b, = or > 0, as SQLite orders lower(a) (bytes compared, NULL
 * first) or, with pair, lower(a || ' ' || a2) (NULL when either part
 * is). */
static int lower_cmp(const char *a, const char *a2, const char *b,
                     const char *b2, int pair)
{
    lower_reader ra = { a, pair ? a2 : NULL }, rb = { b, pair ? b2 : NULL };

    if (pair) {
        a = a2 ? a : NULL;
        b = b2 ? b : NULL;
    }
    if (!a || !b) {
        return (a != NULL) - (b != NULL);
    }
    for (;;) {
        int ca = lower_next(&ra), cb = lower_next(&rb);

        if (ca != cb || ca < 0) {
            return ca - cb;
        }
    }
}

/* The lists' order (store.c, order_by): the sort key in the direction
 * asked, then lower first name, lower last name and id, ascending. */
static int pass_cmp(const pass_state *s, const pass_row *a, const pass_row *b)
{
    int c;

    if (s->key == 0) {
        c = lower_cmp(a->first, a->last, b->first, b->last, 1);
    }
    else if (s->key == 3) {
        c = lower_cmp(a->last, a->first, b->last, b->first, 1);
    }
    else {
        c = lower_cmp(a->col, NULL, b->col, NULL, 0);
    }
    if (c) {
        return s->desc ? -c : c;
    }
    if ((c = lower_cmp(a->first, NULL, b->first, NULL, 0))
        || (c = lower_cmp(a->last, NULL, b->last, NULL, 0))) {
        return c;
    }
    return (a->id > b->id) - (a->id < b->id);
}

static void pass_swap(pass_row *a, pass_row *b)
{
    pass_row t = *a;
    *a = *b;
    *b = t;
}

/* Moves heap[i] down to its place among the first n. */
static void pass_sift_down(pass_state *s, int i, int n)
{
    for (;;) {
        int big = i, l = 2 * i + 1, r = l + 1;

        if (l < n && pass_cmp(s, &s->heap[l], &s->heap[big]) > 0) {
            big = l;
        }
        if (r < n && pass_cmp(s, &s->heap[r], &s->heap[big]) > 0) {
            big = r;
        }
        if (big == i) {
            return;
        }
        pass_swap(&s->heap[i], &s->heap[big]);
        i = big;
    }
}

/* Copies row r's texts into slot d's buffer (grown when too small). */
static void pass_store(pass_state *s, pass_row *d, const pass_row *r)
{
    const char *texts[3] = { r->first, r->last, r->col };
    const char **to[3] = { &d->first, &d->last, &d->col };
    apr_size_t len[3], need = 0;
    char *o;
    int i;

    for (i = 0; i < 3; i++) {
        len[i] = texts[i] ? strlen(texts[i]) + 1 : 0;
        need += len[i];
    }
    if (need > d->cap) {
        d->cap = need > 2 * d->cap ? need : 2 * d->cap;
        d->buf = apr_palloc(s->pool, d->cap);
    }
    o = d->buf;
    for (i = 0; i < 3; i++) {
        *to[i] = texts[i] ? memcpy(o, texts[i], len[i]) : NULL;
        o += len[i];
    }
    d->id = r->id;
}

static void pass_row_read(infor_db *db, infor_row *row, void *baton)
{
    pass_state *s = baton;
    pass_row r;

    s->seen++;
    if (s->keep == 0) {
        return;
    }
    r.id = infor_db_num(db, row, 0);
    r.first = infor_db_peek(db, row, 1);
    r.last = infor_db_peek(db, row, 2);
    r.col = infor_db_peek(db, row, 3);
    if (s->n < s->keep) {
        int i = s->n++;

        s->heap[i].cap = 0;
        pass_store(s, &s->heap[i], &r);
        while (i > 0 && pass_cmp(s, &s->heap[(i - 1) / 2], &s->heap[i]) < 0) {
            pass_swap(&s->heap[(i - 1) / 2], &s->heap[i]);
            i = (i - 1) / 2;
        }
    }
    else if (pass_cmp(s, &r, &s->heap[0]) < 0) {
        pass_store(s, &s->heap[0], &r);
        pass_sift_down(s, 0, s->n);
    }
}

/* The LIKE patterns the pass checks, in the order of the fold_* columns
 * of ST_USER_FTS_PASS; NULL: not checked (a filter not given, or every
 * filter when the MATCH finds exactly the users that pass). */
typedef struct {
    const char *p[6];
} fts_patterns;

/* A filtered page in one pass: the users that `match` finds and that
 * pass `pat`, status and type; *total all of them, out the page (ends no
 * further than PASS_MAX rows in). */
static apr_status_t fts_pass(infor_db *db, const char *match,
                             const fts_patterns *pat, int status, int ro,
                             int sort, int asc, apr_int64_t limit,
                             apr_int64_t offset, apr_array_header_t *out,
                             apr_int64_t *total)
{
    pass_state s;
    apr_status_t rv;
    int i;

    memset(&s, 0, sizeof(s));
    s.key = infor_store_sort_key(sort);
    s.desc = !asc;
    s.keep = limit == 0 ? 0 : (int)(offset + limit);
    s.pool = db->pool;
    s.heap = apr_palloc(db->pool, sizeof(pass_row) * (s.keep ? s.keep : 1));
    rv = infor_db_select(db, ST_USER_FTS_PASS,
                         ARGS(&s.key, match, BOTH(pat->p), &status, &status,
                              &ro, &ro),
                         pass_row_read, &s);
    *total = s.seen;
    if (rv != APR_SUCCESS) {
        return rv;
    }
    /* Heap sort: the rows kept, in the list's order. */
    for (i = s.n - 1; i > 0; i--) {
        pass_swap(&s.heap[0], &s.heap[i]);
        pass_sift_down(&s, 0, i);
    }
    /* The page's users, read whole.  One deleted since is left out. */
    for (i = (int)offset; i < s.n && rv == APR_SUCCESS; i++) {
        rv = infor_db_select(db, ST_USER_BY_ID, ARGS(&s.heap[i].id),
                             infor_db_push_user, out);
    }
    return rv;
}

/* ------------------------------------------------------ the trigram index */

/* A "contains" filter with a column of infor_users_fts. */
typedef struct {
    const char *col;        /* the FTS column */
    int slot;               /* its place in fts_patterns */
    const char *text;       /* folded */
    apr_size_t *at;         /* byte offset of each character, then the end */
    apr_size_t chars;
} fts_filter;

/* Matching a phrase of several trigrams steps, for each user that holds
 * its rarest, through the entries of all the others: an address's
 * "@example7.com" is 11 trigrams, 9 of which almost everyone holds.
 * When a filter has VERIFY_TRIGRAMS trigrams or more, the users that hold
 * the rarest trigram of all the filters are read instead, each checked
 * against every filter's pattern (store.c, ST_USER_FTS_PASS), if that
 * trigram is rare: fewer than one user in RARE_SHARE holds it.  Which
 * trigram is rarest the index tells from a sample (the ids within
 * PROBE_REACH of the middle, for at most PROBES_MAX trigrams); a sample
 * can miss a trigram that clusters in a range of ids (a user name's
 * number), so the index then counts the users holding it, up to the
 * limit. */
#define VERIFY_TRIGRAMS 3
#define RARE_SHARE 32
#define PROBE_REACH 2048
#define PROBES_MAX 24

/* `{col} : "text"`, for the characters of f from a to b, quotes doubled. */
static const char *fts_phrase(apr_pool_t *p, const fts_filter *f,
                              apr_size_t a, apr_size_t b)
{
    const char *t = f->text + f->at[a], *end = f->text + f->at[b];
    char *phrase = apr_palloc(p, strlen(f->col) + 2 * (size_t)(end - t)
                                  + 9), *o;

    o = phrase + sprintf(phrase, "{%s} : \"", f->col);
    for (; t < end; t++) {
        if (*t == '"') {
            *o++ = '"';
        }
        *o++ = *t;
    }
    *o++ = '"';
    *o = '\0';
    return phrase;
}

/* q's six "contains" filters, in the order of the fold_* columns the
 * statements check them against (USER_FILTER, ST_USER_FTS_PASS). */
static void query_texts(const infor_user_query *q, const char *t[6])
{
    t[0] = q->first_name;
    t[1] = q->last_name;
    t[2] = q->username;
    t[3] = q->email;
    t[4] = q->auth_authority;
    t[5] = q->domain;
}

/* The one filter of t when it is on a text infor_value_counts counts
 * (its col: first and last name, source, domain, and an address's part
 * from its first '@' for a filter that begins with '@'; not the user
 * name, one per user), else -1. */
static int value_col(const char *const t[6])
{
    int i, col = -1;

    for (i = 0; i < 6; i++) {
        if (t[i] && *t[i]) {
            if (col >= 0 || i == 2 || (i == 3 && *t[i] != '@')) {
                return -1;
            }
            col = i;
        }
    }
    return col;
}

/* The filters of q on the trigram index, in *n; NULL when the index
 * cannot answer: a filter shorter than FTS_MIN_CHARS characters, or not
 * valid UTF-8 (which the tokenizer reads otherwise than LIKE). */
static fts_filter *fts_filters(apr_pool_t *p, const infor_user_query *q,
                               int *n)
{
    static const char *const cols[] = {
        "fold_first", "fold_last", "fold_user", "fold_email", "fold_auth",
        "fold_domain"
    };
    const char *texts[6];
    fts_filter *out = apr_pcalloc(p, 6 * sizeof(*out));
    unsigned i;

    *n = 0;
    query_texts(q, texts);
    for (i = 0; i < 6; i++) {
        fts_filter *f = &out[*n];
        const unsigned char *t;

        if (!texts[i] || !*texts[i]) {
            continue;
        }
        f->col = cols[i];
        f->slot = (int)i;
        f->text = infor_fold(p, texts[i]);
        f->at = apr_palloc(p, (strlen(f->text) + 1) * sizeof(apr_size_t));
        t = (const unsigned char *)f->text;
        while (*t) {
            unsigned c = 0;
            apr_size_t len = infor_utf8_char(t, &c);

            /* Only the shortest form of a character, no surrogates. */
            if (len == 0 || (len == 2 && c < 0x80) || (len == 3 && c < 0x800)
                || (len == 4 && (c < 0x10000 || c > 0x10FFFF))
                || (c >= 0xD800 && c <= 0xDFFF)) {
                return NULL;
            }
            f->at[f->chars++] = (apr_size_t)(t - (const unsigned char *)
                                                 f->text);
            t += len;
        }
        f->at[f->chars] = strlen(f->text);
        if (f->chars < FTS_MIN_CHARS) {
            return NULL;
        }
        (*n)++;
    }
    return out;
}

/* The FTS5 query that finds exactly the users passing every filter: each
 * one's whole text as a phrase. */
static const char *fts_exact(apr_pool_t *p, const fts_filter *f, int n)
{
    const char *match = NULL;
    int i;

    for (i = 0; i < n; i++) {
        const char *phrase = fts_phrase(p, &f[i], 0, f[i].chars);
        match = match ? apr_pstrcat(p, match, " AND ", phrase, NULL) : phrase;
    }
    return match;
}

/* The phrase of the rarest trigram of the filters, when one filter has
 * VERIFY_TRIGRAMS or more and that trigram is rare; else NULL. */
static const char *fts_rare(infor_db *db, const fts_filter *f, int n,
                            apr_int64_t everyone)
{
    apr_int64_t reach = PROBE_REACH, best = -1, span, limit, held = 0;
    apr_size_t trigrams = 0, step, k = 0;
    const char *rare = NULL;
    int i, worth = 0;

    for (i = 0; i < n; i++) {
        trigrams += f[i].chars - 2;
        worth |= f[i].chars - 2 >= VERIFY_TRIGRAMS;
    }
    if (!worth) {
        return NULL;
    }
    /* Every step-th trigram, counting across the filters. */
    step = (trigrams + PROBES_MAX - 1) / PROBES_MAX;
    for (i = 0; i < n && best != 0; i++) {
        apr_size_t j;

        for (j = 0; j < f[i].chars - 2 && best != 0; j++, k++) {
            const char *phrase;
            apr_int64_t sampled = 0;

            if (k % step) {
                continue;
            }
            phrase = fts_phrase(db->pool, &f[i], j, j + 3);
            if (infor_db_select(db, ST_USER_FTS_SAMPLE,
                                ARGS(phrase, &reach, &reach),
                                infor_db_first_num, &sampled)
                != APR_SUCCESS) {
                return NULL;
            }
            if (best < 0 || sampled < best) {
                best = sampled;
                rare = phrase;
            }
        }
    }
    /* The sample spans 2 * PROBE_REACH + 1 ids, or everyone when fewer. */
    span = everyone < 2 * reach + 1 ? everyone : 2 * reach + 1;
    if (!rare || best * RARE_SHARE >= span) {
        return NULL;
    }
    limit = everyone / RARE_SHARE;
    if (infor_db_select(db, ST_USER_FTS_PROBE, ARGS(rare, &limit),
                        infor_db_first_num, &held) != APR_SUCCESS) {
        return NULL;
    }
    return held < limit ? rare : NULL;
}

/* The page of those passing the patterns p among the first budget entries
 * of the sort index (walk: an ST_USER_BWALK statement). */
static apr_status_t bounded_walk(infor_db *db, infor_stmt walk,
                                 const char *const p[6], int status, int ro,
                                 apr_int64_t budget, apr_int64_t limit,
                                 apr_int64_t offset, apr_array_header_t *out)
{
    return infor_db_select(db, walk,
                           ARGS(&status, &status, &ro, &ro, &budget,
                                BOTH(p), &status, &status, &ro, &ro, &limit,
                                &offset),
                           infor_db_push_user, out);
}

/* The same from sort key `from` on (seek: an ST_USER_SEEK_WALK statement,
 * infor_store_seek_walk_stmt). */
static apr_status_t seek_walk(infor_db *db, infor_stmt seek, const char *from,
                              const char *const p[6], int status, int ro,
                              apr_int64_t budget, apr_int64_t limit,
                              apr_int64_t offset, apr_array_header_t *out)
{
    return infor_db_select(db, seek,
                           ARGS(from, &status, &status, &ro, &ro, &budget,
                                BOTH(p), &status, &status, &ro, &ro, &limit,
                                &offset),
                           infor_db_push_user, out);
}

/* The budget of a walk of the sort index to the end of the page (at
 * offset, limit rows: its last row in *end) when total of everyone pass
 * (total > offset), or 0 when a walk is not worth it: a walk is tried
 * when it should step over no more than FTS_WALK_RATIO entries per user
 * that passes, with a budget of FTS_WALK_RATIO times the entries it
 * should need. */
static apr_int64_t walk_budget(apr_int64_t offset, apr_int64_t limit,
                               apr_int64_t everyone, apr_int64_t total,
                               apr_int64_t *end_out)
{
    apr_int64_t end = offset + (limit < total - offset ? limit
                                                       : total - offset);

    *end_out = end;
    /* end * everyone / total <= FTS_WALK_RATIO * total, in floating
     * point: no overflow. */
    if ((double)end * (double)everyone
        > (double)FTS_WALK_RATIO * (double)total * (double)total) {
        return 0;
    }
    return (apr_int64_t)(FTS_WALK_RATIO * ((double)end * (double)everyone
                                           / (double)total)) + 1;
}

/* The LIKE patterns of a list with the n filters f: NULL for every
 * column without one. */
static void fts_patterns_of(apr_pool_t *p, const fts_filter *f, int n,
                            const char *pat[6])
{
    int i;

    for (i = 0; i < 6; i++) {
        pat[i] = NULL;
    }
    for (i = 0; i < n; i++) {
        pat[f[i].slot] = contains(p, f[i].text);
    }
}

/* What ST_VALUE_FTS_COUNT gives: the users, and the least value. */
typedef struct {
    apr_int64_t total;
    const char *least;
} value_total;

static void read_value_total(infor_db *db, infor_row *row, void *baton)
{
    value_total *v = baton;

    v->total = infor_db_num(db, row, 0);
    v->least = infor_db_str(db, row, 1);
}

/* The users passing one filter f on a counted value, without reading
 * them: the counts of the values that contain it, which the values' FTS5
 * table finds; *least the least of those values that some user holds
 * ("" when none). */
static apr_status_t value_count(infor_db *db, const fts_filter *f, int vcol,
                                int status, int ro, apr_int64_t *total,
                                const char **least)
{
    fts_filter vf = *f;
    value_total v = { 0, "" };
    apr_status_t rv;

    vf.col = "value";
    rv = infor_db_select(db, ST_VALUE_FTS_COUNT,
                         ARGS(fts_phrase(db->pool, &vf, 0, vf.chars), &vcol,
                              contains(db->pool, f->text), &status, &status,
                              &ro, &ro),
                         read_value_total, &v);
    *total = v.total;
    *least = v.least;
    return rv;
}

/* Where a walk of a sort index that begins with the lowered text of a
 * counted column can start, for the users holding a folded value of
 * least or more, in a store that sorts texts by their bytes: least's part
 * before its first byte that is not ASCII.  lower() changes ASCII
 * capitals as the fold does (SQLite's changes only those); where a
 * user's text lowered first differs from its fold (a capital outside
 * ASCII, or a character that folds to ASCII, as K, the Kelvin sign),
 * lower() gives a character outside ASCII, which sorts after every ASCII
 * one, or (PostgreSQL's, which lowers all of Unicode) the fold's own.  So
 * every such user's key is at least this part, and those folded values
 * are ordered as these parts are. */
static const char *seek_key(apr_pool_t *p, const char *least)
{
    const char *e = least;

    while (*e && (unsigned char)*e < 0x80) {
        e++;
    }
    return apr_pstrmemdup(p, least, (apr_size_t)(e - least));
}

/* The page of a list with the patterns p, total users passing them
 * (total > offset), when they should be dense enough: a walk of the sort
 * index that checks each entry's text.
 * With one filter on a counted value (column vcol, else -1; least: the
 * least value that passes) whose text the sort key begins with
 * (ascending), the walk starts where the least value's users can first
 * be (seek_key), not at the index's start: a first name's users that
 * sort last are then first in the walk.  out stays empty when the walk is
 * not worth it or comes back short. */
static apr_status_t text_walk(infor_db *db, const char *const p[6],
                              int vcol, int status, int ro, int sort,
                              int asc, apr_int64_t limit, apr_int64_t offset,
                              apr_int64_t everyone, apr_int64_t total,
                              const char *least, apr_array_header_t *out)
{
    const char *from;
    apr_int64_t end, budget = walk_budget(offset, limit, everyone, total,
                                          &end);
    infor_stmt seek = infor_store_seek_walk_stmt(db, vcol, sort, asc);
    apr_status_t rv;

    if (!budget) {
        return APR_SUCCESS;
    }
    from = seek != ST_COUNT ? seek_key(db->pool, least) : "";
    if (*from) {
        rv = seek_walk(db, seek, from, p, status, ro, budget, limit, offset,
                       out);
    }
    else {
        rv = bounded_walk(db, (infor_stmt)(ST_USER_BWALK
                          + (infor_store_user_query_stmt(sort, asc)
                             - ST_USER_QUERY)), p, status, ro, budget,
                          limit, offset, out);
    }
    if (rv == APR_SUCCESS && out->nelts != end - offset) {
        apr_array_clear(out);
    }
    return rv;
}

/* A filtered list on SQLite's trigram index (vcol: value_col). */
static apr_status_t fts_query(infor_db *db, const fts_filter *f, int nf,
                              int vcol, int status, int ro, int sort, int asc,
                              apr_int64_t limit, apr_int64_t offset,
                              apr_array_header_t *out, apr_int64_t *total)
{
    apr_int64_t everyone = 0;
    int all = -1, one_pass = limit <= PASS_MAX && offset <= PASS_MAX - limit;
    fts_patterns none = { { NULL } }, pat;
    const char *match, *least = "";
    apr_status_t rv;

    /* Each filter's LIKE pattern, for the walks and passes that check
     * the users' texts. */
    fts_patterns_of(db->pool, f, nf, pat.p);
    rv = infor_db_select(db, ST_USER_COUNT_KEPT, ARGS(&all, &all, &all, &all),
                         infor_db_first_num, &everyone);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (vcol >= 0) {
        /* One filter on a counted value: the total first, without
         * reading the users that pass (a count alone ends here). */
        rv = value_count(db, f, vcol, status, ro, total, &least);
        if (rv != APR_SUCCESS || limit == 0 || *total == 0
            || offset >= *total) {
            return rv;
        }
    }
    if (one_pass) {
        /* A rare trigram: the users that hold it, each checked against
         * every filter's pattern, counted and the page kept. */
        const char *rare = fts_rare(db, f, nf, everyone);
        if (rare) {
            return fts_pass(db, rare, &pat, status, ro, sort, asc, limit,
                            offset, out, total);
        }
        if (vcol >= 0) {
            rv = text_walk(db, pat.p, vcol, status, ro, sort, asc, limit,
                           offset, everyone, *total, least, out);
            if (rv != APR_SUCCESS || out->nelts > 0) {
                return rv;
            }
        }
    }
    /* Else the index finds exactly the users that pass: each filter's
     * whole text a phrase. */
    match = fts_exact(db->pool, f, nf);
    if (vcol < 0) {
        /* The exact total, counted in the index. */
        if (status < 0 && ro < 0) {
            rv = infor_db_select(db, ST_USER_FTS_COUNT_ALL, ARGS(match),
                                 infor_db_first_num, total);
        }
        else {
            rv = infor_db_select(db, ST_USER_FTS_COUNT,
                                 ARGS(match, &status, &status, &ro, &ro),
                                 infor_db_first_num, total);
        }
        if (rv != APR_SUCCESS || limit == 0 || *total == 0
            || offset >= *total) {
            return rv;
        }
    }
    if (vcol < 0 || !one_pass) {
        apr_int64_t end, budget;

        /* When the users that pass should be dense enough, a walk of the
         * sort index checking each id against the set the index finds
         * (with a budget of at least a FTS_WALK_RATIO-th of the users
         * that pass, so that a filter many pass is not read and sorted
         * for a little unevenness).  A page deep in takes this walk, not
         * one that reads each entry's row that far.  A counted value's
         * walk (text_walk) checked the texts already: when it came back
         * short, the users that pass are uneven, and a longer walk that
         * builds their set mostly comes back short too. */
        budget = walk_budget(offset, limit, everyone, *total, &end);
        if (budget && vcol < 0 && budget <= *total / ROW_COST) {
            /* So many pass that the walk's entries, each row read and
             * its texts checked, cost less than the set the index finds:
             * that walk first (text_walk). */
            rv = text_walk(db, pat.p, -1, status, ro, sort, asc, limit, offset,
                           everyone, *total, "", out);
            if (rv != APR_SUCCESS || out->nelts > 0) {
                return rv;
            }
        }
        if (budget) {
            infor_stmt walk = (infor_stmt)(ST_USER_FTS_WALK
                              + (infor_store_user_query_stmt(sort, asc)
                                 - ST_USER_QUERY));

            if (budget < *total / FTS_WALK_RATIO) {
                budget = *total / FTS_WALK_RATIO;
            }
            rv = infor_db_select(db, walk,
                                 ARGS(&status, &status, &ro, &ro, &budget,
                                      match, &limit, &offset),
                                 infor_db_push_user, out);
            if (rv != APR_SUCCESS || out->nelts == end - offset) {
                return rv;
            }
            /* The budget ran out before the page's end. */
            apr_array_clear(out);
        }
    }
    if (one_pass) {
        apr_int64_t again;
        return fts_pass(db, match, &none, status, ro, sort, asc, limit,
                        offset, out, &again);
    }
    return infor_db_select(db, ST_USER_FTS_SORTED,
                           ARGS(match, &status, &status, &ro, &ro, &asc,
                                &sort, &asc, &sort, &limit, &offset),
                           infor_db_push_user, out);
}

/* A filtered list without SQLite's trigram index (PostgreSQL's trigram
 * indexes find the users that pass, or SQLite reads its table) starts, for
 * a page within the first SHORT_WALK-th of the users, with a walk of the
 * first SHORT_WALK times the page's end entries of the sort index: when
 * more than one user in SHORT_WALK passes, spread along the index, the
 * page is there, and only the count reads every user that passes.  When
 * the walk found some, but too few, the count comes next, then a walk
 * twice as long as the page needs at the density the short walk saw (if
 * that is fewer entries than users pass).  When it found none, or the
 * second walk comes back short, those users are read (once, with their
 * count: ST_USER_QUERY_COUNTED; or, counted already, sorted).  Deeper
 * pages count first, then walk the index (most pass) or read and sort
 * the users that pass.  A list whose one counted filter is on the text
 * its ascending order begins with counts first instead (the values'
 * counts) and walks from where the least value's users can first be
 * (seek_key), when the store sorts texts by their bytes. */
#define SHORT_WALK 20

/* A page of ST_USER_QUERY_COUNTED: its users, and the count every row
 * carries. */
typedef struct {
    apr_array_header_t *users;
    apr_int64_t total;
} counted;

static void push_counted(infor_db *db, infor_row *row, void *baton)
{
    counted *c = baton;

    infor_db_push_user(db, row, c->users);
    c->total = infor_db_num(db, row, INFOR_USER_COLS);
}

/* The users passing the patterns p, counted: with one filter on a
 * counted value (vcol), the counts of the values that contain it, and
 * then (least not NULL) the least of those values some user holds. */
static apr_status_t count_passing(infor_db *db, const char *const p[6],
                                  int vcol, int status, int ro,
                                  apr_int64_t *total, const char **least)
{
    if (vcol >= 0) {
        value_total v = { 0, "" };
        apr_status_t rv = infor_db_select(db, ST_USER_VALUE_COUNT,
                                          ARGS(&vcol, p[vcol], &status,
                                               &status, &ro, &ro),
                                          read_value_total, &v);
        *total = v.total;
        if (least) {
            *least = v.least;
        }
        return rv;
    }
    return infor_db_select(db, ST_USER_COUNT,
                           ARGS(BOTH(p), &status, &status, &ro, &ro),
                           infor_db_first_num, total);
}

/* The page of the users passing the patterns p, all read and sorted. */
static apr_status_t sorted_page(infor_db *db, const char *const p[6],
                                int status, int ro, int sort, int asc,
                                apr_int64_t limit, apr_int64_t offset,
                                apr_array_header_t *out)
{
    return infor_db_select(db, ST_USER_QUERY_SORTED,
                           ARGS(BOTH(p), &status, &status, &ro, &ro, &asc,
                                &sort, &asc, &sort, &limit, &offset),
                           infor_db_push_user, out);
}

static apr_status_t user_query(infor_db *db, const infor_user_query *q,
                               apr_array_header_t **out, apr_int64_t *total)
{
    const char *t[6], *p[6];
    int status = q->status, ro = q->type < 0 ? -1 : q->type == 2;
    int sort = q->sort_by, asc = q->ascending != 0;
    apr_int64_t limit = q->limit < 0 ? APR_INT64_MAX : q->limit;
    apr_int64_t offset = q->offset < 0 ? 0 : q->offset;
    apr_status_t rv;
    int all = -1, filtered = 0, known = 0, i, vcol;
    apr_int64_t everyone = 0;

    query_texts(q, t);
    vcol = value_col(t);
    for (i = 0; i < 6; i++) {
        filtered |= t[i] && *t[i];
    }
    *total = 0;
    *out = apr_array_make(db->pool, 16, sizeof(infor_user *));
    if (filtered && db->is_sqlite && db->conn->fts) {
        int nf;
        const fts_filter *f = fts_filters(db->pool, q, &nf);
        if (f) {
            return fts_query(db, f, nf, vcol, status, ro, sort, asc,
                             limit, offset, *out, total);
        }
    }
    /* Without a "contains" filter the total is the counts the writes
     * keep (by status and type), not a count of the table. */
    if (!filtered) {
        rv = infor_db_select(db, ST_USER_COUNT_KEPT,
                             ARGS(&status, &status, &ro, &ro),
                             infor_db_first_num, total);
        if (rv != APR_SUCCESS || limit == 0) {
            return rv;
        }
        return infor_db_select(db, ST_USER_PAGE + (infor_store_user_query_stmt(
                                   sort, asc) - ST_USER_QUERY),
                               ARGS(&status, &status, &ro, &ro, &limit,
                                    &offset),
                               infor_db_push_user, *out);
    }
    /* The LIKE patterns, folded as the fold_* columns are: a filter
     * ignores letter case, for all of Unicode, alike on every store
     * (NULL: not filtered). */
    for (i = 0; i < 6; i++) {
        p[i] = t[i] && *t[i] ? contains(db->pool, infor_fold(db->pool, t[i]))
                             : NULL;
    }
#define PATTERNS BOTH(p)
    rv = infor_db_select(db, ST_USER_COUNT_KEPT, ARGS(&all, &all, &all, &all),
                         infor_db_first_num, &everyone);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (vcol >= 0 && limit > 0
        && infor_store_seek_walk_stmt(db, vcol, sort, asc) != ST_COUNT) {
        /* One counted filter on the text the order begins with: its
         * total, then the walk from where the least value's users can
         * first be (text_walk); short, they are read below. */
        const char *least = "";

        rv = count_passing(db, p, vcol, status, ro, total, &least);
        if (rv != APR_SUCCESS || *total == 0 || offset >= *total) {
            return rv;
        }
        rv = text_walk(db, p, vcol, status, ro, sort, asc, limit, offset,
                       everyone, *total, least, *out);
        if (rv != APR_SUCCESS || (*out)->nelts > 0) {
            return rv;
        }
        known = 1;
    }
    if (!known && limit > 0 && offset < everyone
        && limit <= everyone / SHORT_WALK - offset) {
        /* A first page: the short walk, else the users that pass read
         * once, the page with their count. */
        apr_int64_t budget = SHORT_WALK * (offset + limit);
        infor_stmt walk = (infor_stmt)(ST_USER_BWALK
                          + (infor_store_user_query_stmt(sort, asc)
                             - ST_USER_QUERY));
        counted c = { *out, 0 };

        rv = bounded_walk(db, walk, p, status, ro, budget, limit, offset,
                          *out);
        if (rv == APR_SUCCESS && (*out)->nelts == limit) {
            return count_passing(db, p, vcol, status, ro, total, NULL);
        }
        if (rv == APR_SUCCESS && (*out)->nelts > 0) {
            /* Some pass, more thinly than the short walk needed: the
             * count, then a walk twice as long as the page needs at the
             * density the short walk saw, when that reads fewer users
             * than pass (else they are read and sorted, below). */
            apr_int64_t seen = offset + (*out)->nelts;

            apr_array_clear(*out);
            rv = count_passing(db, p, vcol, status, ro, total, NULL);
            budget = (offset + limit) * budget / seen * 2;
            if (rv != APR_SUCCESS || budget >= *total) {
                return rv == APR_SUCCESS ? sorted_page(db, p, status, ro,
                                                       sort, asc, limit,
                                                       offset, *out)
                                         : rv;
            }
            rv = bounded_walk(db, walk, p, status, ro, budget, limit,
                              offset, *out);
            if (rv != APR_SUCCESS || (*out)->nelts == limit
                || offset + (*out)->nelts == *total) {
                return rv;
            }
            apr_array_clear(*out);
            return sorted_page(db, p, status, ro, sort, asc, limit, offset,
                               *out);
        }
        apr_array_clear(*out);
        if (rv == APR_SUCCESS) {
            rv = infor_db_select(db, ST_USER_QUERY_COUNTED,
                                 ARGS(&asc, &sort, &asc, &sort, PATTERNS,
                                      &status, &status, &ro, &ro, &limit,
                                      &offset),
                                 push_counted, &c);
            *total = c.total;
        }
        if (rv != APR_SUCCESS || (*out)->nelts > 0) {
            return rv;
        }
        /* None pass, or none past the offset: the count alone. */
    }
    if (!known) {
        rv = count_passing(db, p, vcol, status, ro, total, NULL);
        if (rv != APR_SUCCESS || limit == 0 || *total == 0
            || offset >= *total || (*out)->nelts > 0) {
            return rv;
        }
    }
    if (*total * WALK_ABOVE <= everyone) {
        /* Not most: read them and sort them (same order). */
        return sorted_page(db, p, status, ro, sort, asc, limit, offset,
                           *out);
    }
    return infor_db_select(db, infor_store_user_query_stmt(sort, asc),
                           ARGS(PATTERNS, &status, &status, &ro, &ro, &limit,
                                &offset),
                           infor_db_push_user, *out);
#undef PATTERNS
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

