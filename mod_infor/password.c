/*
 * mod_infor: password hashing with bcrypt (APR-util's crypt_blowfish).
 */
#include <string.h>

#include <apr_general.h>
#include <apr_lib.h>
#include <apr_md5.h>
#include <apr_sha1.h>
#include <apr_strings.h>

#include "infor_password.h"

/* For each cost, the bcrypt hash of a random password nobody knows,
 * checked against when there is no real hash so that every refusal costs
 * what a wrong password costs at that cost.  Made before the children
 * start (infor_password_prepare() from post_config), so only read while
 * requests run. */
static char dummy_hash[32][64];
static int dummy_ready[32];

void infor_password_prepare(int cost)
{
    unsigned char pw[16], salt[16];

    if (cost < 4 || cost > 31 || dummy_ready[cost]) {
        return;
    }
    if (apr_generate_random_bytes(pw, sizeof(pw)) != APR_SUCCESS
        || apr_generate_random_bytes(salt, sizeof(salt)) != APR_SUCCESS) {
        return;
    }
    /* The random bytes as a string: 16 letters from their low bits. */
    {
        char text[sizeof(pw) + 1];
        apr_size_t i;

        for (i = 0; i < sizeof(pw); i++) {
            text[i] = (char)('a' + pw[i] % 26);
        }
        text[sizeof(pw)] = '\0';
        if (apr_bcrypt_encode(text, (unsigned int)cost, salt, sizeof(salt),
                              dummy_hash[cost], sizeof(dummy_hash[cost]))
            == APR_SUCCESS) {
            dummy_ready[cost] = 1;
        }
    }
}

/* One bcrypt run at cost that can match nothing. */
static void spend_bcrypt(const char *pw, int cost)
{
    unsigned char salt[16] = { 0 };
    char out[64];

    if (cost < 4 || cost > 31) {
        cost = INFOR_BCRYPT_COST;
    }
    if (dummy_ready[cost]) {
        apr_password_validate(pw, dummy_hash[cost]);
        return;
    }
    /* Not prepared (inforadm, the unit tests): hashing costs what a check
     * costs. */
    apr_generate_random_bytes(salt, sizeof(salt));
    apr_bcrypt_encode(pw, (unsigned int)cost, salt, sizeof(salt), out,
                      sizeof(out));
}

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

int infor_password_check_at(const char *pw, const char *hash, int cost)
{
    /* Only bcrypt hashes count: APR would also accept MD5, SHA-1 and
     * crypt() forms, which this store never writes. */
    if (!hash || strncmp(hash, "$2y$", 4) != 0) {
        spend_bcrypt(pw ? pw : "", cost);
        return 0;
    }
    return apr_password_validate(pw ? pw : "", hash) == APR_SUCCESS;
}

int infor_password_check(const char *pw, const char *hash)
{
    return infor_password_check_at(pw, hash, INFOR_BCRYPT_COST);
}

int infor_secret_equal(const char *a, const char *b)
{
    unsigned char da[APR_SHA1_DIGESTSIZE], db[APR_SHA1_DIGESTSIZE];
    unsigned char diff = 0;
    int i;

    /* Digests have one length whatever the secrets', so the loop takes
     * the same time for every pair. */
    {
        apr_sha1_ctx_t c;
        apr_sha1_init(&c);
        apr_sha1_update_binary(&c, (const unsigned char *)a,
                               (unsigned int)strlen(a));
        apr_sha1_final(da, &c);
        apr_sha1_init(&c);
        apr_sha1_update_binary(&c, (const unsigned char *)b,
                               (unsigned int)strlen(b));
        apr_sha1_final(db, &c);
    }
    for (i = 0; i < APR_SHA1_DIGESTSIZE; i++) {
        diff |= da[i] ^ db[i];
    }
    return diff == 0;
}

const char *infor_password_policy_check(apr_pool_t *p,
                                        const infor_password_policy *pol,
                                        const char *pw, const char *username,
                                        const char *email)
{
    apr_size_t len = strlen(pw), chars = 0, i;
    int letter = 0, digit = 0, symbol = 0;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)pw[i];
        if ((c & 0xC0) != 0x80) {
            chars++;           /* counts characters, not UTF-8 bytes */
        }
        if (apr_isalpha(c) || c >= 0x80) {
            letter = 1;
        }
        else if (apr_isdigit(c)) {
            digit = 1;
        }
        else {
            symbol = 1;
        }
    }
    if (chars < (apr_size_t)pol->min_length || len == 0) {
        return apr_psprintf(p, "Password must be at least %d characters "
                            "long.", pol->min_length > 0 ? pol->min_length : 1);
    }
    if (len > 72) {
        return "Password must be at most 72 bytes long.";
    }
    if (pol->letters && !letter) {
        return "Password must include a letter.";
    }
    if (pol->digits && !digit) {
        return "Password must include a digit.";
    }
    if (pol->symbols && !symbol) {
        return "Password must include a character that is neither a letter "
               "nor a digit.";
    }
    if (pol->not_username && username && *username
        && strcasecmp(pw, username) == 0) {
        return "Password must not be the same as the user name.";
    }
    if (pol->not_email && email && *email && strcasecmp(pw, email) == 0) {
        return "Password must not be the same as the email address.";
    }
    return NULL;
}
