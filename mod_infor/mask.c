/*
 * mod_infor: secrets out of logged request lines and query strings.
 *
 * Names are read as libapreq2 reads them, so that whatever the handler
 * would take as a password is masked: pairs split at '&' or ';', '+' is a
 * space, %XX a byte.  A name libapreq2 might read differently from this
 * code (a bad or %u escape, a NUL byte, which apr_table_get would stop
 * at) is masked to be safe.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "infor.h"
#include "infor_mask.h"
#include "infor_ops.h"

/* Decodes the n bytes of name at s into out (room for n + 1); 0 when the
 * name does not decode cleanly. */
static int decode_name(const char *s, apr_size_t n, char *out)
{
    apr_size_t i, o = 0;

    for (i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        }
        else if (s[i] != '%') {
            out[o++] = s[i];
        }
        else if (i + 2 < n && apr_isxdigit(s[i + 1])
                 && apr_isxdigit(s[i + 2])) {
            char hex[3] = { s[i + 1], s[i + 2], 0 };
            char c = (char)strtol(hex, NULL, 16);
            if (c == 0) {
                return 0;
            }
            out[o++] = c;
            i += 2;
        }
        else {
            return 0;
        }
    }
    out[o] = 0;
    return 1;
}

const char *infor_mask_query(apr_pool_t *p, const char *s, int whole)
{
    const char *q = s ? (whole ? s : strchr(s, '?')) : NULL;
    apr_size_t len;
    infor_buf b;
    char *name_buf;
    int changed = 0;

    if (!q || !*q) {
        return s;
    }
    len = strlen(s);
    infor_buf_init(&b, p, len + 16);
    name_buf = apr_palloc(p, len + 1);
    infor_buf_add(&b, s, q - s);
    if (!whole) {
        infor_buf_add(&b, q++, 1);   /* the '?' */
    }
    for (;;) {
        apr_size_t nlen = strcspn(q, "=&; "), vlen;
        const char *eq = q + nlen;

        infor_buf_add(&b, q, nlen);
        if (*eq != '=') {
            q = eq;
        }
        else {
            unsigned flags;

            vlen = strcspn(eq + 1, "&; ");
            flags = decode_name(q, nlen, name_buf)
                    ? infor_param_flags(name_buf) : INFOR_P_SECRET;
            infor_buf_add(&b, "=", 1);
            if (flags & INFOR_P_SECRET) {
                infor_buf_puts(&b, "***");
                changed |= vlen != 3 || strncmp(eq + 1, "***", 3) != 0;
            }
            /* Masked once already: eight characters and "...". */
            else if ((flags & (INFOR_P_TICKET | INFOR_P_GUID)) && vlen > 8
                     && !(vlen == 11 && strncmp(eq + 9, "...", 3) == 0)) {
                infor_buf_add(&b, eq + 1, 8);
                infor_buf_puts(&b, "...");
                changed = 1;
            }
            else {
                infor_buf_add(&b, eq + 1, vlen);
            }
            q = eq + 1 + vlen;
        }
        if (*q != '&' && *q != ';') {
            break;
        }
        infor_buf_add(&b, q++, 1);
    }
    if (!changed) {
        return s;
    }
    infor_buf_puts(&b, q);
    return infor_buf_str(&b);
}
