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
 * time of one bcrypt check at cost (InforBcryptCost: what the hashes of
 * the service cost) and answers 0, so a missing user takes as long to
 * refuse as a wrong password.  infor_password_check() assumes the default
 * cost. */
int infor_password_check_at(const char *pw, const char *hash, int cost);
int infor_password_check(const char *pw, const char *hash);

/* Makes the hash a missing user is checked against at this cost; called
 * for every configured cost before the children start, so no request
 * ever makes one (a cost not prepared costs a fresh hash instead). */
void infor_password_prepare(int cost);

/* Compares two secrets in time that depends on neither. */
int infor_secret_equal(const char *a, const char *b);

/* The password rules (conventions §10), set by directives. */
typedef struct {
    int min_length;
    int letters, digits, symbols;     /* must include one of each */
    int not_username, not_email;      /* must differ from these */
} infor_password_policy;

/* NULL when pw passes the policy, else the message naming the broken
 * rule.  bcrypt reads 72 bytes at most: a longer password is refused
 * rather than silently cut. */
const char *infor_password_policy_check(apr_pool_t *p,
                                        const infor_password_policy *pol,
                                        const char *pw, const char *username,
                                        const char *email);

#endif
