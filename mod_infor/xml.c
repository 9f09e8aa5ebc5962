/*
 * mod_infor: result elements, XML escaping and serialisation, text checks.
 * Pure C on APR: unit-tested in t/unit/.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "infor.h"

infor_error *infor_error_make(apr_pool_t *p, infor_error_kind kind,
                              int http_status, const char *message,
                              const char *detail)
{
    infor_error *e = apr_pcalloc(p, sizeof(*e));
    e->kind = kind;
    e->http_status = http_status;
    e->message = message;
    e->detail = detail;
    return e;
}

/* ------------------------------------------------------------ elements */

infor_elem *infor_elem_make(apr_pool_t *p, const char *name)
{
    infor_elem *e = apr_pcalloc(p, sizeof(*e));
    e->name = name;
    e->attrs = apr_array_make(p, 12, sizeof(infor_attr));
    return e;
}

void infor_elem_attr(infor_elem *e, const char *name, const char *value)
{
    infor_attr *a = apr_array_push(e->attrs);
    a->name = name;
    a->value = value ? value : "";
}

void infor_elem_attr_insert(infor_elem *e, int pos, const char *name,
                            const char *value)
{
    infor_attr *a;
    int i;

    apr_array_push(e->attrs);
    if (pos > e->attrs->nelts - 1) {
        pos = e->attrs->nelts - 1;
    }
    for (i = e->attrs->nelts - 1; i > pos; i--) {
        APR_ARRAY_IDX(e->attrs, i, infor_attr)
            = APR_ARRAY_IDX(e->attrs, i - 1, infor_attr);
    }
    a = &APR_ARRAY_IDX(e->attrs, pos, infor_attr);
    a->name = name;
    a->value = value ? value : "";
}

infor_elem *infor_elem_child(apr_pool_t *p, infor_elem *e, const char *name)
{
    infor_elem *kid = infor_elem_make(p, name);
    if (!e->kids) {
        e->kids = apr_array_make(p, 2, sizeof(infor_elem *));
    }
    APR_ARRAY_PUSH(e->kids, infor_elem *) = kid;
    return kid;
}

/* -------------------------------------------------------------- buffer */

void infor_buf_init(infor_buf *b, apr_pool_t *p, apr_size_t cap)
{
    b->pool = p;
    b->cap = cap < 64 ? 64 : cap;
    b->data = apr_palloc(p, b->cap);
    b->len = 0;
    b->data[0] = '\0';
    b->flush = NULL;
    b->flush_baton = NULL;
    b->status = APR_SUCCESS;
}

void infor_buf_add(infor_buf *b, const char *s, apr_size_t n)
{
    if (b->flush && b->len && b->len + n + 1 > b->cap) {
        apr_status_t rv = b->flush(b);
        if (rv != APR_SUCCESS && b->status == APR_SUCCESS) {
            b->status = rv;
        }
        b->len = 0;
    }
    if (b->len + n + 1 > b->cap) {
        apr_size_t cap = b->cap * 2;
        char *data;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        data = apr_palloc(b->pool, cap);
        memcpy(data, b->data, b->len);
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void infor_buf_puts(infor_buf *b, const char *s)
{
    infor_buf_add(b, s, strlen(s));
}

const char *infor_buf_str(infor_buf *b)
{
    return b->data;
}

/* ---------------------------------------------------------- UTF-8, XML */

/* Length of the UTF-8 sequence at s (at most n bytes) when it encodes a
 * character XML 1.0 allows, else 0. */
static apr_size_t xml_char_len(const unsigned char *s, apr_size_t n)
{
    unsigned int c;
    apr_size_t len, i;

    if (s[0] < 0x80) {
        c = s[0];
        if (c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) {
            return 0;
        }
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        c = s[0] & 0x1F;
    }
    else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        c = s[0] & 0x0F;
    }
    else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        c = s[0] & 0x07;
    }
    else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    /* Overlong forms, surrogates, beyond U+10FFFF, U+FFFE/U+FFFF. */
    if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800)
        || (len == 4 && c < 0x10000) || c > 0x10FFFF
        || (c >= 0xD800 && c <= 0xDFFF) || c == 0xFFFE || c == 0xFFFF) {
        return 0;
    }
    return len;
}

int infor_text_ok(const char *s, apr_size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t i = 0;

    while (i < len) {
        apr_size_t n = xml_char_len(u + i, len - i);
        if (n == 0) {
            return 0;
        }
        i += n;
    }
    return 1;
}

void infor_xml_escape(infor_buf *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t len = strlen(s), i = 0, run = 0;

    while (i < len) {
        const char *ent = NULL;
        apr_size_t n;
        switch (u[i]) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\'': ent = "&apos;"; break;
        /* Kept literally, line ends and tabs in attributes would be
         * normalised to spaces by the reader. */
        case '\t': ent = "&#x9;"; break;
        case '\n': ent = "&#xA;"; break;
        case '\r': ent = "&#xD;"; break;
        }
        n = ent ? 1 : xml_char_len(u + i, len - i);
        if (ent || n == 0) {
            infor_buf_add(b, s + run, i - run);
            if (ent) {
                infor_buf_puts(b, ent);
            }
            i += n ? n : 1;   /* a forbidden byte is dropped */
            run = i;
        }
        else {
            i += n;
        }
    }
    infor_buf_add(b, s + run, i - run);
}

void infor_xml_write(infor_buf *b, const infor_elem *e, int undeclare_ns)
{
    int i;

    infor_buf_puts(b, "<");
    infor_buf_puts(b, e->name);
    if (undeclare_ns) {
        infor_buf_puts(b, " xmlns=\"\"");
    }
    for (i = 0; i < e->attrs->nelts; i++) {
        const infor_attr *a = &APR_ARRAY_IDX(e->attrs, i, infor_attr);
        infor_buf_puts(b, " ");
        infor_buf_puts(b, a->name);
        infor_buf_puts(b, "=\"");
        infor_xml_escape(b, a->value);
        infor_buf_puts(b, "\"");
    }
    if ((!e->kids || e->kids->nelts == 0) && !e->stream) {
        infor_buf_puts(b, " />");
        return;
    }
    infor_buf_puts(b, ">");
    for (i = 0; e->kids && i < e->kids->nelts; i++) {
        infor_xml_write(b, APR_ARRAY_IDX(e->kids, i, infor_elem *), 0);
    }
    if (e->stream && b->status == APR_SUCCESS) {
        apr_status_t rv = e->stream(b, e->stream_baton);
        if (rv != APR_SUCCESS && b->status == APR_SUCCESS) {
            b->status = rv;
        }
    }
    infor_buf_puts(b, "</");
    infor_buf_puts(b, e->name);
    infor_buf_puts(b, ">");
}

const char *infor_trim(apr_pool_t *p, const char *s)
{
    apr_size_t n;

    if (!s) {
        return "";
    }
    while (apr_isspace(*s)) {
        s++;
    }
    n = strlen(s);
    while (n && apr_isspace(s[n - 1])) {
        n--;
    }
    return apr_pstrndup(p, s, n);
}

/* --------------------------------------------------------------- dates */

static const char *fmt_time(apr_pool_t *p, apr_time_t t, const char *zone)
{
    apr_time_exp_t x;

    apr_time_exp_gmt(&x, t);
    return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02d%s",
                        x.tm_year + 1900, x.tm_mon + 1, x.tm_mday,
                        x.tm_hour, x.tm_min, x.tm_sec, zone);
}

const char *infor_time_utc_z(apr_pool_t *p, apr_time_t t)
{
    return fmt_time(p, t, "Z");
}

const char *infor_time_user(apr_pool_t *p, apr_time_t t)
{
    return t ? fmt_time(p, t, "") : "";
}
