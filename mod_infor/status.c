/*
 * mod_infor: counters shown by mod_status.  One anonymous apr_shm segment,
 * made in post_config before the children are forked, so every child
 * counts into the same memory with atomic increments; they start from
 * zero at each (re)start of the server, as mod_status's own figures do.
 */
#include <apr_atomic.h>
#include <apr_optional.h>
#include <apr_shm.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <mod_status.h>

#include "infor_status.h"
#include "infor_store.h"

/* The counters of the module's own, by index. */
enum {
    C_GET, C_POST, C_SOAP11, C_SOAP12,
    C_APP_ERRORS, C_FAILED_LOGINS, C_THROTTLED_LOGINS, C_STORE_ERRORS,
    C_COUNT
};

typedef struct {
    apr_uint64_t c[C_COUNT];
    infor_store_stats store;
} infor_counters;

static apr_shm_t *counters_shm;
static infor_counters *counters;

apr_status_t infor_status_create(apr_pool_t *pconf, server_rec *s)
{
    apr_status_t rv;

    /* Anonymous: inherited by the children, nothing on disk. */
    rv = apr_shm_create(&counters_shm, sizeof(*counters), NULL, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, INFORLOGNO(0400)
                     "mod_infor: cannot make shared memory for the "
                     "status counters");
        counters = NULL;
        infor_store_set_stats(NULL);
        return rv;
    }
    counters = apr_shm_baseaddr_get(counters_shm);
    memset(counters, 0, sizeof(*counters));
    infor_store_set_stats(&counters->store);
    return APR_SUCCESS;
}

static void count(int which)
{
    if (counters) {
        apr_atomic_inc64(&counters->c[which]);
    }
}

void infor_status_call(const infor_call *call, const infor_error *e)
{
    switch (call->binding) {
    case INFOR_BIND_GET:    count(C_GET); break;
    case INFOR_BIND_POST:   count(C_POST); break;
    case INFOR_BIND_SOAP11: count(C_SOAP11); break;
    case INFOR_BIND_SOAP12: count(C_SOAP12); break;
    }
    if (e && e->kind == INFOR_E_SERVER) {
        count(C_STORE_ERRORS);
    }
    if (!e || e->kind != INFOR_E_APP) {
        return;
    }
    count(C_APP_ERRORS);
    /* A login method (no ticket needed) answering [900]. */
    if (call->op && call->op->access == INFOR_ACCESS_ANYONE
        && strcmp(e->message, INFOR_ERR_AUTH) == 0) {
        count(C_FAILED_LOGINS);
    }
}

void infor_status_throttled_login(void)
{
    count(C_THROTTLED_LOGINS);
}

void infor_status_store_error(void)
{
    count(C_STORE_ERRORS);
}

/* Name in the ?auto form, label in the HTML page; in the order shown. */
static const struct {
    const char *key;
    const char *label;
} shown[] = {
    { "InforRequestsGET", "HTTP GET calls" },
    { "InforRequestsPOST", "HTTP POST calls" },
    { "InforRequestsSOAP11", "SOAP 1.1 calls" },
    { "InforRequestsSOAP12", "SOAP 1.2 calls" },
    { "InforAppErrors", "Application errors" },
    { "InforFailedLogins", "Failed logins" },
    { "InforThrottledLogins", "Throttled logins" },
    { "InforStoreErrors", "Store errors" },
    { "InforWriteLockWaits", "Write-lock waits" },
    { "InforWriteLockWaitMicroseconds", "Write-lock wait time (us)" },
    { "InforWrites", "Changes written" },
    { "InforCommits", "Transactions committed" },
    { "InforLogSyncs", "SQLite log syncs" }
};
#define N_SHOWN (sizeof(shown) / sizeof(shown[0]))

static int status_hook(request_rec *r, int flags)
{
    apr_uint64_t v[N_SHOWN];
    unsigned i;

    if (!counters) {
        return OK;
    }
    for (i = 0; i < C_COUNT; i++) {
        v[i] = apr_atomic_read64(&counters->c[i]);
    }
    v[i++] = apr_atomic_read64(&counters->store.lock_waits);
    v[i++] = apr_atomic_read64(&counters->store.lock_wait_usec);
    v[i++] = apr_atomic_read64(&counters->store.changes);
    v[i++] = apr_atomic_read64(&counters->store.commits);
    v[i++] = apr_atomic_read64(&counters->store.log_syncs);

    if (flags & AP_STATUS_SHORT) {
        for (i = 0; i < N_SHOWN; i++) {
            ap_rprintf(r, "%s: %" APR_UINT64_T_FMT "\n", shown[i].key, v[i]);
        }
        return OK;
    }
    ap_rputs("<hr />\n<h2>mod_infor</h2>\n<table border=\"0\">\n", r);
    for (i = 0; i < N_SHOWN; i++) {
        ap_rprintf(r, "<tr><th align=\"left\">%s</th>"
                   "<td align=\"right\">%" APR_UINT64_T_FMT "</td></tr>\n",
                   shown[i].label, v[i]);
    }
    ap_rputs("</table>\n", r);
    return OK;
}

void infor_status_register_hooks(apr_pool_t *p)
{
    (void)p;
    APR_OPTIONAL_HOOK(ap, status_hook, status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
