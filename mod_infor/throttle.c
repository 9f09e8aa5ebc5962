/*
 * mod_infor: limits on guessing, and the failed-login log line.
 *
 * Failed logins (and reset mails) are counted in an ap_socache instance
 * (mod_socache_shmcb) that every child shares, under a global mutex, as
 * mod_authn_socache and mod_ssl's session cache do.  Counters:
 *
 *   logins  per (account, client address) pair, and per client address;
 *   resets  per account, and per client address.
 *
 * A login counter never holds back an account as such: one held for an
 * (account, address) pair still lets the real user in from any other
 * address, so nobody can lock a user out by guessing from elsewhere.
 * Guessing one account from many addresses is slowed per address only;
 * every attempt is logged (INFOR0201) for fail2ban or an operator.  Reset
 * mail is counted per account (a mail bomb goes to one mailbox, and the
 * user already holds the latest code).
 *
 * When a counter reaches its limit within the window, the client's next
 * attempts are held back, answered as a wrong password without one being
 * checked, for 1 s, then 2, 4, ... up to the window, each new failure
 * after a hold doubling the next.  A counter quiet for a whole window
 * after its hold is forgotten.
 */
#include <string.h>

#include <apr_global_mutex.h>
#include <apr_strings.h>
#include <ap_provider.h>
#include <ap_socache.h>
#include <http_protocol.h>
#include <util_mutex.h>

#include "infor_private.h"
#include "infor_status.h"

#define THROTTLE_LOCK     "infor-throttle"
#define THROTTLE_PROVIDER "shmcb"
/* The longest name a log line shows, in bytes before escaping. */
#define NAME_LOG_MAX      200

static ap_socache_provider_t *provider;
static ap_socache_instance_t *cache;
static apr_global_mutex_t *lock;

/* One counter, as the cache stores it. */
typedef struct {
    apr_time_t last;        /* the last attempt */
    apr_time_t until;       /* held back until then; 0 never */
    apr_uint32_t count;     /* attempts since the counter was last quiet */
    apr_uint32_t strikes;   /* holds so far: the next lasts 2^strikes s */
} tally;

typedef struct {
    request_rec *r;
    infor_limits limits[2];     /* by infor_limit */
    infor_guard guard;
} guard_baton;

/* ------------------------------------------------------------ set-up */

static apr_status_t drop_cache(void *data)
{
    if (cache && provider) {
        provider->destroy(cache, (server_rec *)data);
    }
    cache = NULL;
    return APR_SUCCESS;
}

int infor_throttle_pre_config(apr_pool_t *pconf, apr_pool_t *plog)
{
    apr_status_t rv = ap_mutex_register(pconf, THROTTLE_LOCK, NULL,
                                        APR_LOCK_DEFAULT, 0);
    if (rv != APR_SUCCESS) {
        ap_log_perror(APLOG_MARK, APLOG_CRIT, rv, plog, INFORLOGNO(0210)
                      "cannot register the %s mutex", THROTTLE_LOCK);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP,
                                  THROTTLE_PROVIDER,
                                  AP_SOCACHE_PROVIDER_VERSION);
    cache = NULL;
    return OK;
}

int infor_throttle_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                               server_rec *s)
{
    /* Counter keys are about 50 bytes, values 16. */
    static const struct ap_socache_hints hints = { 50, 16, 60000000 };
    const char *err;
    apr_status_t rv;

    if (!provider) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, INFORLOGNO(0211)
                     "mod_infor needs mod_socache_shmcb to count failed "
                     "logins: LoadModule socache_shmcb_module");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    err = provider->create(&cache, NULL, ptemp, pconf);
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, INFORLOGNO(0212)
                     "cannot create the login counters: %s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rv = ap_global_mutex_create(&lock, NULL, THROTTLE_LOCK, NULL, s, pconf,
                                0);
    if (rv != APR_SUCCESS) {
        return HTTP_INTERNAL_SERVER_ERROR;   /* logged by httpd */
    }
    rv = provider->init(cache, "mod_infor-throttle", &hints, s, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, INFORLOGNO(0213)
                     "cannot initialise the login counters");
        cache = NULL;
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_cleanup_register(pconf, s, drop_cache, apr_pool_cleanup_null);
    return OK;
}

void infor_throttle_child_init(apr_pool_t *p, server_rec *s)
{
    apr_status_t rv;

    if (!lock) {
        return;
    }
    rv = apr_global_mutex_child_init(&lock, apr_global_mutex_lockfile(lock),
                                     p);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, INFORLOGNO(0214)
                     "cannot attach to the %s mutex: logins are not "
                     "counted in this child", THROTTLE_LOCK);
        cache = NULL;
    }
}

/* ---------------------------------------------------------- counters */

static const char *client_ip(const request_rec *r)
{
    return r->useragent_ip ? r->useragent_ip : "-";
}

/* The key of a counter.  A name enters as the SHA-1 of its folded form:
 * one length whatever was typed, and matching as user names match. */
static const char *counter_key(request_rec *r, infor_limit kind,
                               const char *name, int per_name)
{
    const char *ip = client_ip(r), *h;

    if (!per_name) {
        return apr_pstrcat(r->pool, kind == INFOR_LIMIT_LOGIN ? "L|" : "R|",
                           ip, NULL);
    }
    h = infor_ticket_key(r->pool, infor_name_key(r->pool, name));
    if (kind == INFOR_LIMIT_LOGIN) {
        return apr_pstrcat(r->pool, "L|", ip, "|", h, NULL);
    }
    return apr_pstrcat(r->pool, "R|", h, NULL);
}

static void tally_get(request_rec *r, const char *key, tally *t)
{
    unsigned int len = sizeof(*t);

    if (provider->retrieve(cache, r->server, (const unsigned char *)key,
                           (unsigned int)strlen(key), (unsigned char *)t,
                           &len, r->pool) != APR_SUCCESS
        || len != sizeof(*t)) {
        memset(t, 0, sizeof(*t));
    }
}

static void tally_put(request_rec *r, const char *key, tally *t,
                      apr_time_t keep_until)
{
    apr_status_t rv = provider->store(cache, r->server,
                                      (const unsigned char *)key,
                                      (unsigned int)strlen(key),
                                      keep_until,
                                      (unsigned char *)t, sizeof(*t),
                                      r->pool);
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, rv, r, INFORLOGNO(0215)
                      "cannot store a login counter");
    }
}

static int locked(request_rec *r)
{
    apr_status_t rv;

    if (!cache || !lock) {
        return 0;
    }
    rv = apr_global_mutex_lock(lock);
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, INFORLOGNO(0216)
                      "cannot take the %s mutex", THROTTLE_LOCK);
        return 0;
    }
    return 1;
}

/* The limit of counter i (0: per name, 1: per address); 0 when off. */
static int limit_of(const infor_limits *l, int i)
{
    return i == 0 ? l->per_name : l->per_address;
}

static long guard_held(void *b, infor_limit kind, const char *name)
{
    guard_baton *g = b;
    const infor_limits *l = &g->limits[kind];
    apr_time_t now = apr_time_now(), most = 0;
    int i;

    if ((l->per_name <= 0 && l->per_address <= 0) || !locked(g->r)) {
        return 0;
    }
    for (i = 0; i < 2; i++) {
        tally t;

        if (limit_of(l, i) <= 0) {
            continue;
        }
        tally_get(g->r, counter_key(g->r, kind, name, i == 0), &t);
        if (t.until - now > most) {
            most = t.until - now;
        }
    }
    apr_global_mutex_unlock(lock);
    if (most > 0 && kind == INFOR_LIMIT_LOGIN) {
        infor_status_throttled_login();   /* mod_status's count */
    }
    /* In whole seconds, rounded up. */
    return most > 0 ? (long)apr_time_sec(most + APR_USEC_PER_SEC - 1) : 0;
}

static void guard_count(void *b, infor_limit kind, const char *name)
{
    guard_baton *g = b;
    const infor_limits *l = &g->limits[kind];
    apr_time_t now = apr_time_now(), window = l->window;
    int i;

    if ((l->per_name <= 0 && l->per_address <= 0) || !locked(g->r)) {
        return;
    }
    for (i = 0; i < 2; i++) {
        const char *key;
        tally t;

        if (limit_of(l, i) <= 0) {
            continue;
        }
        key = counter_key(g->r, kind, name, i == 0);
        tally_get(g->r, key, &t);
        if (now >= t.last + window && now >= t.until) {
            memset(&t, 0, sizeof(t));     /* quiet for a window */
        }
        t.count++;
        t.last = now;
        if (t.count >= (apr_uint32_t)limit_of(l, i)) {
            apr_time_t hold = t.strikes < 31
                              ? apr_time_from_sec((apr_time_t)1 << t.strikes)
                              : window;
            t.until = now + (hold < window ? hold : window);
            if (t.strikes < 31) {
                t.strikes++;
            }
        }
        tally_put(g->r, key, &t, (t.until > now ? t.until : now) + window);
    }
    apr_global_mutex_unlock(lock);
}

static void guard_passed(void *b, const char *name)
{
    guard_baton *g = b;
    const char *key;

    if (g->limits[INFOR_LIMIT_LOGIN].per_name <= 0 || !locked(g->r)) {
        return;
    }
    key = counter_key(g->r, INFOR_LIMIT_LOGIN, name, 1);
    provider->remove(cache, g->r->server, (const unsigned char *)key,
                     (unsigned int)strlen(key), g->r->pool);
    apr_global_mutex_unlock(lock);
}

/* ------------------------------------------------------------ logging */

/* A name as a log line may show it: cut, and with every quote, percent
 * sign and control character written %XX, so the quotes around it in the
 * line are the only ones and a name cannot forge what follows.  (httpd's
 * error log itself then doubles backslashes and escapes other bytes.) */
static const char *log_name(request_rec *r, const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    apr_size_t n = strlen(name), i;
    char *out, *o;

    if (n > NAME_LOG_MAX) {
        n = NAME_LOG_MAX;
    }
    o = out = apr_palloc(r->pool, 3 * n + 4);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c == '"' || c == '%' || c < 0x20 || c == 0x7f) {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
        else {
            *o++ = (char)c;
        }
    }
    if (n < strlen(name)) {
        memcpy(o, "...", 3);
        o += 3;
    }
    *o = '\0';
    return out;
}

/* Every refused login, in one format (conf/fail2ban-infor.conf reads
 * it); never a password.  The name tried becomes r->user, so %u shows
 * it in the access log unless httpd already authenticated someone. */
static void guard_refused(void *b, const char *name, const char *reason)
{
    guard_baton *g = b;
    request_rec *r = g->r;

    ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, INFORLOGNO(0201)
                  "auth failure: user \"%s\" from %s: %s",
                  log_name(r, name), client_ip(r), reason);
    if (!r->user && *name) {
        r->user = apr_pstrdup(r->pool, name);
    }
}

static void guard_reset_held(void *b, const char *name, long seconds)
{
    guard_baton *g = b;

    ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, g->r, INFORLOGNO(0202)
                  "reset refused: user \"%s\" from %s: too many reset "
                  "mails, held %ld s more", log_name(g->r, name),
                  client_ip(g->r), seconds);
}

static void guard_mail_failed(void *b, const char *name, const char *why)
{
    guard_baton *g = b;

    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, g->r, INFORLOGNO(0203)
                  "reset mail for user \"%s\" not sent: %s",
                  log_name(g->r, name), why);
}

const infor_guard *infor_throttle_guard(request_rec *r,
                                        const infor_dir_cfg *cfg)
{
    guard_baton *g = apr_pcalloc(r->pool, sizeof(*g));

    g->r = r;
    g->limits[INFOR_LIMIT_LOGIN] = infor_cfg_limits(cfg, INFOR_LIMIT_LOGIN);
    g->limits[INFOR_LIMIT_RESET] = infor_cfg_limits(cfg, INFOR_LIMIT_RESET);
    g->guard.baton = g;
    g->guard.held = guard_held;
    g->guard.count = guard_count;
    g->guard.passed = guard_passed;
    g->guard.refused = guard_refused;
    g->guard.reset_held = guard_reset_held;
    g->guard.mail_failed = guard_mail_failed;
    return &g->guard;
}
