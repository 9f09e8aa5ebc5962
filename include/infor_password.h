/*
 * mod_infor: password hashing.  bcrypt only, through APR-util.
 */
#ifndef INFOR_PASSWORD_H
#define INFOR_PASSWORD_H

#include <apr_pools.h>

#define INFOR_BCRYPT_COST 10

/* A new bcrypt hash of pw with a random salt, or NULL on failure. */
const char *infor_password_hash(apr_pool_t *p, const char *pw, int cost);

/* 1 when pw matches hash.  With a NULL or empty hash it still spends the
 * time of one bcrypt check and answers 0, so a missing user takes as long
 * to refuse as a wrong password. */
int infor_password_check(const char *pw, const char *hash);

#endif
