/*
 * mod_infor: secrets out of logged request lines and query strings.
 * Pure APR (unit-tested); logmask.c applies it to every request.
 */
#ifndef INFOR_MASK_H
#define INFOR_MASK_H

#include <apr_pools.h>

/* s with the values of secret parameters replaced by "***" and tickets cut
 * to their first eight characters plus "...".  The parameters start after
 * the first '?' of s (a request line, an unparsed URI), or at s itself when
 * whole is set (a query string); they end at the end of s or at a space.
 * A name is secret or a ticket when any operation's parameter of that name
 * (in any case) is; a name that does not decode cleanly is taken as secret.
 * Returns s itself when nothing needed masking (and for NULL). */
const char *infor_mask_query(apr_pool_t *p, const char *s, int whole);

#endif
