/*
 * mod_infor: password hashing with bcrypt (APR-util's crypt_blowfish).
 */
#include <string.h>

#include <apr_general.h>
#include <apr_md5.h>

#include "infor_password.h"

/* The bcrypt hash of a random password nobody knows, checked against when
 * there is no real hash so that every refusal costs the same. */
static const char dummy_hash[] =
    "$2y$10$c02fla9VuJ/4ExWMlZHsDOhWK9p3ajtNV9zTA7OCF2LdRRf4jsu2G";

const char *infor_password_hash(apr_pool_t *p, const char *pw, int cost)
{
    unsigned char salt[16];
    char *out = apr_palloc(p, 64);

    if (cost < 4 || cost > 31) {
        cost = INFOR_BCRYPT_COST;
    }
    if (apr_generate_random_bytes(salt, sizeof(salt)) != APR_SUCCESS
        || apr_bcrypt_encode(pw, (unsigned int)cost, salt, sizeof(salt), out,
                             64) != APR_SUCCESS) {
        return NULL;
    }
    return out;
}

int infor_password_check(const char *pw, const char *hash)
{
    /* Only bcrypt hashes count: APR would also accept MD5, SHA-1 and
     * crypt() forms, which this store never writes. */
    if (!hash || strncmp(hash, "$2y$", 4) != 0) {
        apr_password_validate(pw ? pw : "", dummy_hash);
        return 0;
    }
    return apr_password_validate(pw ? pw : "", hash) == APR_SUCCESS;
}
