/*
 * mod_infor: tickets and user-name keys.  Pure C on APR.
 */
#include <string.h>

#include <apr_general.h>
#include <apr_sha1.h>
#include <apr_strings.h>
#include <apr_lib.h>

#include "infor.h"

static const char hex[] = "0123456789abcdef";

int infor_guid_new(char out[INFOR_GUID_LEN + 1])
{
    unsigned char r[16];
    int i, o = 0;

    if (apr_generate_random_bytes(r, sizeof(r)) != APR_SUCCESS) {
        return 0;
    }
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out[o++] = '-';
        }
        out[o++] = hex[r[i] >> 4];
        out[o++] = hex[r[i] & 0x0F];
    }
    out[o] = '\0';
    return 1;
}

int infor_guid_valid(const char *s)
{
    int i;

    if (!s || strlen(s) != INFOR_GUID_LEN) {
        return 0;
    }
    for (i = 0; i < INFOR_GUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') {
                return 0;
            }
        }
        else if (!apr_isxdigit(s[i])) {
            return 0;
        }
    }
    return 1;
}

const char *infor_ticket_key(apr_pool_t *p, const char *ticket)
{
    unsigned char digest[APR_SHA1_DIGESTSIZE];
    char lower[INFOR_GUID_LEN + 1];
    char *out = apr_palloc(p, 2 * APR_SHA1_DIGESTSIZE + 1);
    apr_sha1_ctx_t ctx;
    int i;

    for (i = 0; i < INFOR_GUID_LEN && ticket[i]; i++) {
        lower[i] = apr_tolower(ticket[i]);
    }
    lower[i] = '\0';
    apr_sha1_init(&ctx);
    apr_sha1_update_binary(&ctx, (const unsigned char *)lower, i);
    apr_sha1_final(digest, &ctx);
    for (i = 0; i < APR_SHA1_DIGESTSIZE; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 0x0F];
    }
    out[2 * APR_SHA1_DIGESTSIZE] = '\0';
    return out;
}

const char *infor_name_key(apr_pool_t *p, const char *name)
{
    unsigned char *k = (unsigned char *)apr_pstrdup(p, name);
    apr_size_t i;

    for (i = 0; k[i]; i++) {
        if (k[i] >= 'A' && k[i] <= 'Z') {
            k[i] += 'a' - 'A';
        }
        /* Latin-1 capitals U+00C0..U+00DE (but U+00D7, the multiplication
         * sign) are C3 80..C3 9E; their small forms are 0x20 above. */
        else if (k[i] == 0xC3 && k[i + 1] >= 0x80 && k[i + 1] <= 0x9E
                 && k[i + 1] != 0x97) {
            k[i + 1] += 0x20;
            i++;
        }
    }
    return (const char *)k;
}
