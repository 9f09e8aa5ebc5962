/*
 * mod_infor: the error-log lines a client's bad input causes.  Anyone can
 * send malformed requests by the thousand; each is answered, but the log
 * gets at most InforClientErrorLog's number of lines a second in each
 * child, and then one line saying how many were left out.  Server faults
 * never come here: they are always logged (mod_infor.c).
 */
#include <apr_atomic.h>

#include "infor_private.h"

/* The counts are the server's (infor_srv_cfg), each child's own: threads
 * race only at the turn of a second, and then at worst a line or two too
 * many. */
void infor_log_client(request_rec *r, const char *name, const char *message)
{
    infor_srv_cfg *sc = ap_get_module_config(r->server->module_config,
                                             &infor_module);
    apr_uint32_t *window = &sc->log_window, *logged = &sc->log_logged;
    apr_uint32_t *suppressed = &sc->log_suppressed;
    int level = infor_cfg_client_log_level(sc);
    int rate = infor_cfg_client_log_rate(sc);

    /* Not logged at this LogLevel: nothing to count either. */
    if (!APLOG_R_MODULE_IS_LEVEL(r, APLOG_MODULE_INDEX, level)) {
        return;
    }
    if (rate > 0) {
        apr_uint32_t now = (apr_uint32_t)apr_time_sec(apr_time_now());
        apr_uint32_t w = apr_atomic_read32(window);

        if (now != w && apr_atomic_cas32(window, now, w) == w) {
            apr_uint32_t left_out = apr_atomic_xchg32(suppressed, 0);

            apr_atomic_set32(logged, 0);
            if (left_out) {
                ap_log_rerror(APLOG_MARK, level, 0, r, INFORLOGNO(0100)
                              "%u similar lines suppressed (client errors "
                              "beyond %d a second in this process)",
                              left_out, rate);
            }
        }
        if (apr_atomic_inc32(logged) >= (apr_uint32_t)rate) {
            apr_atomic_inc32(suppressed);
            return;
        }
    }
    ap_log_rerror(APLOG_MARK, level, 0, r, INFORLOGNO(0002)
                  "%s refused: %s", name, message);
}
