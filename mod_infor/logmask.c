/*
 * mod_infor: secrets out of the access log, whichever module answers.
 *
 * The handler is not the only one to answer a call: a Require that
 * denies, an authentication module's 401, core's 404 or 400 all answer
 * before it runs, and the access log still writes the request line (%r)
 * and the query string (%q).  So the masking is done by two hooks that
 * run for every request, whatever its URL (a rewrite may send any URL to
 * the handler, and masking another URL's parameters of the same names
 * costs nothing):
 *
 * - post_read_request, before any access check: r->the_request, which
 *   %r, mod_status and mod_log_forensic show (and, for the module's URLs,
 *   the unparsed URI).  r->args keeps the real values: the handler reads
 *   its GET parameters from it.
 * - log_transaction, first of all: what the log writers read next along
 *   the whole chain of internal redirects: r->args (%q), the unparsed URI,
 *   and QUERY_STRING and REQUEST_URI where a module set them (%{...}e).
 */
#include <http_protocol.h>

#include "infor_mask.h"
#include "infor_private.h"

static int mask_request_line(request_rec *r)
{
    r->the_request = (char *)infor_mask_query(r->pool, r->the_request, 0);
    /* Core's error log names the unparsed URI of a request whose path it
     * refuses.  Other URLs keep theirs: a proxy may pass it on as it came
     * (ProxyPass nocanon). */
    if (r->uri && ap_strcasestr(r->uri, ".asmx")) {
        r->unparsed_uri = (char *)infor_mask_query(r->pool, r->unparsed_uri,
                                                   0);
    }
    return DECLINED;
}

static void mask_env(request_rec *r, const char *name, int whole)
{
    const char *v = apr_table_get(r->subprocess_env, name);
    const char *m = infor_mask_query(r->pool, v, whole);

    if (m != v) {
        apr_table_setn(r->subprocess_env, name, m);
    }
}

static void mask_logged(request_rec *r)
{
    r->the_request = (char *)infor_mask_query(r->pool, r->the_request, 0);
    r->args = (char *)infor_mask_query(r->pool, r->args, 1);
    r->unparsed_uri = (char *)infor_mask_query(r->pool, r->unparsed_uri, 0);
    r->parsed_uri.query = (char *)infor_mask_query(r->pool,
                                                   r->parsed_uri.query, 1);
    if (r->subprocess_env) {
        mask_env(r, "QUERY_STRING", 1);
        mask_env(r, "REQUEST_URI", 0);
        mask_env(r, "REDIRECT_QUERY_STRING", 1);
    }
}

static int mask_log_transaction(request_rec *r)
{
    request_rec *first = r, *x;

    /* mod_log_config reads %r from the first request of an internal
     * redirect chain, %q from the last. */
    while (first->prev) {
        first = first->prev;
    }
    for (x = first; x; x = x->next) {
        mask_logged(x);
        if (x->main) {
            mask_logged(x->main);
        }
    }
    return DECLINED;
}

void infor_mask_register_hooks(void)
{
    /* mod_log_forensic writes the request line in its own
     * post_read_request hook, also "really first": run before it. */
    static const char *const before[] = { "mod_log_forensic.c", NULL };

    ap_hook_post_read_request(mask_request_line, NULL, before,
                              APR_HOOK_REALLY_FIRST);
    ap_hook_log_transaction(mask_log_transaction, NULL, NULL,
                            APR_HOOK_REALLY_FIRST);
}
