/*
 * mod_infor: the pre-scan of XML documents (see infor_xml_scan.h).
 *
 * It follows the XML grammar only as far as it must to find every tag,
 * attribute and text run that libxml2 would find in the same bytes.
 * libxml2 goes on parsing after an error (without building anything, but
 * at the same cost), and it ends a comment, PI, CDATA section or
 * attribute value early at a character XML forbids or at a '<' in a
 * value: so those are refused here, and nothing the scan skips as a
 * value, comment, PI or CDATA can be markup to libxml2.  Each byte is
 * looked at a bounded number of times (memchr and the searches below
 * always move on past what they read), so the scan is linear.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "infor.h"
#include "infor_xml_scan.h"

const infor_xml_limits infor_xml_default_limits = {
    32,             /* attributes per element */
    32,             /* depth */
    1000,           /* elements */
    100,            /* comments, PIs, CDATA sections */
    64,             /* namespace declarations */
    256,            /* name */
    8192,           /* attribute value */
    65536           /* text run, comment, CDATA section */
};

typedef struct {
    apr_pool_t *pool;
    const char *p;            /* the next byte to read */
    const char *end;
    const infor_xml_limits *lim;
    const char **why;
    int depth;
    int elements;
    int other;
    int ns;
    int utf8;                 /* 0: declared a single-byte encoding */
} scan;

#define IS_SPACE(c) ((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r')

static infor_scan_result malformed(scan *s)
{
    *s->why = "the request is not well-formed XML";
    return INFOR_SCAN_MALFORMED;
}

/* "before LIMIT after": the limit is in the message, so a client can
 * tell what to change. */
static infor_scan_result over(scan *s, const char *before, apr_size_t limit,
                              const char *after)
{
    *s->why = apr_psprintf(s->pool, "%s%" APR_SIZE_T_FMT "%s", before, limit,
                           after);
    return INFOR_SCAN_LIMIT;
}

static void skip_space(scan *s)
{
    while (s->p < s->end && IS_SPACE(*s->p)) {
        s->p++;
    }
}

static int starts(const scan *s, const char *lit)
{
    apr_size_t n = strlen(lit);
    return (apr_size_t)(s->end - s->p) >= n && memcmp(s->p, lit, n) == 0;
}

/* Where lit next occurs from s->p on, or NULL. */
static const char *find(const scan *s, const char *lit)
{
    apr_size_t n = strlen(lit);
    const char *q = s->p;

    while ((apr_size_t)(s->end - q) >= n
           && (q = memchr(q, lit[0], s->end - q - n + 1)) != NULL) {
        if (memcmp(q, lit, n) == 0) {
            return q;
        }
        q++;
    }
    return NULL;
}

/* The length of the name at s->p: up to a blank or a byte that ends a
 * name in a tag. */
static apr_size_t name_len(const scan *s)
{
    const char *q = s->p;

    while (q < s->end && !IS_SPACE(*q) && *q != '/' && *q != '>'
           && *q != '=' && *q != '<' && *q != '"' && *q != '\'') {
        q++;
    }
    return q - s->p;
}

/* Skips a comment, CDATA section or PI from its start to after close;
 * its content counts as a text run. */
static infor_scan_result skip_to(scan *s, apr_size_t open, const char *close)
{
    const char *q;

    s->p += open;
    q = find(s, close);
    if (!q) {
        return malformed(s);
    }
    if ((apr_size_t)(q - s->p) > s->lim->max_text) {
        return over(s, "a text is longer than ", s->lim->max_text, " bytes");
    }
    if (++s->other > s->lim->max_other) {
        return over(s, "the request has more than ",
                    (apr_size_t)s->lim->max_other,
                    " comments, processing instructions and CDATA sections");
    }
    s->p = q + strlen(close);
    return INFOR_SCAN_OK;
}

static infor_scan_result end_tag(scan *s)
{
    apr_size_t n;

    s->p += 2;
    n = name_len(s);
    if (n == 0) {
        return malformed(s);
    }
    if (n > s->lim->max_name) {
        return over(s, "a name is longer than ", s->lim->max_name, " bytes");
    }
    s->p += n;
    skip_space(s);
    if (s->p == s->end || *s->p != '>' || --s->depth < 0) {
        return malformed(s);
    }
    s->p++;
    return INFOR_SCAN_OK;
}

static infor_scan_result attribute(scan *s, int *attrs)
{
    apr_size_t n = name_len(s);
    const char *close;

    if (n == 0) {
        return malformed(s);
    }
    if (n > s->lim->max_name) {
        return over(s, "a name is longer than ", s->lim->max_name, " bytes");
    }
    if (++*attrs > s->lim->max_attrs) {
        return over(s, "an element has more than ",
                    (apr_size_t)s->lim->max_attrs,
                    " attributes");
    }
    if ((n == 5 && memcmp(s->p, "xmlns", 5) == 0)
        || (n > 6 && memcmp(s->p, "xmlns:", 6) == 0)) {
        if (++s->ns > s->lim->max_ns) {
            return over(s, "the request declares more than ",
                        (apr_size_t)s->lim->max_ns,
                        " namespaces");
        }
    }
    s->p += n;
    skip_space(s);
    if (s->p == s->end || *s->p != '=') {
        return malformed(s);
    }
    s->p++;
    skip_space(s);
    if (s->p == s->end || (*s->p != '"' && *s->p != '\'')) {
        return malformed(s);
    }
    close = memchr(s->p + 1, *s->p, s->end - s->p - 1);
    if (!close) {
        return malformed(s);
    }
    if ((apr_size_t)(close - s->p - 1) > s->lim->max_value) {
        return over(s, "an attribute value is longer than ", s->lim->max_value,
                    " bytes");
    }
    if (memchr(s->p + 1, '<', close - s->p - 1)) {
        return malformed(s);
    }
    s->p = close + 1;
    return INFOR_SCAN_OK;
}

static infor_scan_result start_tag(scan *s)
{
    apr_size_t n;
    int attrs = 0;

    s->p++;
    n = name_len(s);
    if (n == 0) {
        return malformed(s);
    }
    if (n > s->lim->max_name) {
        return over(s, "a name is longer than ", s->lim->max_name, " bytes");
    }
    if (++s->elements > s->lim->max_elements) {
        return over(s, "the request has more than ",
                    (apr_size_t)s->lim->max_elements,
                    " elements");
    }
    if (++s->depth > s->lim->max_depth) {
        return over(s, "elements are nested more than ",
                    (apr_size_t)s->lim->max_depth,
                    " deep");
    }
    s->p += n;
    for (;;) {
        infor_scan_result rv;

        skip_space(s);
        if (s->p == s->end) {
            return malformed(s);
        }
        if (*s->p == '>') {
            s->p++;
            return INFOR_SCAN_OK;
        }
        if (*s->p == '/') {
            if (s->end - s->p < 2 || s->p[1] != '>') {
                return malformed(s);
            }
            s->p += 2;
            s->depth--;
            return INFOR_SCAN_OK;
        }
        if ((rv = attribute(s, &attrs)) != INFOR_SCAN_OK) {
            return rv;
        }
    }
}

/* A processing instruction.  Its target must be a plain ASCII name
 * (libxml2 reads on as content after a target it cannot read), and
 * "<?xml" is only allowed at the very start, where the XML declaration
 * was already read. */
static infor_scan_result pi(scan *s)
{
    const char *q = s->p + 2;

    if (q == s->end || !(apr_isalpha(*q) || *q == '_' || *q == ':')) {
        return malformed(s);
    }
    while (q < s->end && (apr_isalnum(*q) || *q == '_' || *q == ':'
                          || *q == '-' || *q == '.')) {
        q++;
    }
    if (q == s->end || !(IS_SPACE(*q) || *q == '?')
        || (q - s->p == 5 && strncasecmp(s->p + 2, "xml", 3) == 0)) {
        return malformed(s);
    }
    return skip_to(s, 2, "?>");
}

/* Encodings in which every byte below 0x80 is that ASCII character. */
static int ascii_safe(const char *enc, apr_size_t n)
{
    static const char *const exact[] = {
        "UTF-8", "UTF8", "US-ASCII", "ASCII", "ISO-8859-1", "LATIN1",
        "ISO-LATIN-1"
    };
    static const char *const prefix[] = {
        "ISO-8859-", "ISO_8859-", "ISO8859-", "WINDOWS-125", "CP125"
    };
    unsigned i;

    for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
        if (n == strlen(exact[i]) && strncasecmp(enc, exact[i], n) == 0) {
            return 1;
        }
    }
    for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++) {
        apr_size_t k = strlen(prefix[i]);
        if (n > k && n <= k + 2 && strncasecmp(enc, prefix[i], k) == 0
            && apr_isdigit(enc[k])
            && (n == k + 1 || apr_isdigit(enc[k + 1]))) {
            return 1;
        }
    }
    return 0;
}

/* A byte order mark or the first bytes of UTF-16, UTF-32 or EBCDIC, then
 * the XML declaration: its encoding must be one the scan reads safely. */
static infor_scan_result prolog(scan *s)
{
    const unsigned char *u = (const unsigned char *)s->p;
    apr_size_t len = s->end - s->p;
    const char *close, *enc;

    if ((len >= 2 && ((u[0] == 0xFE && u[1] == 0xFF)
                      || (u[0] == 0xFF && u[1] == 0xFE)))
        || (len >= 4 && u[0] == 0x4C && u[1] == 0x6F && u[2] == 0xA7
            && u[3] == 0x94)) {
        *s->why = "the request must be encoded in UTF-8";
        return INFOR_SCAN_ENCODING;
    }
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        s->p += 3;
    }
    if (!starts(s, "<?xml") || s->end - s->p < 6 || !IS_SPACE(s->p[5])) {
        return INFOR_SCAN_OK;
    }
    /* libxml2 reads on after a declaration that ends at a lone '>' (no
     * value in it may hold one): it must end at its first '>', "?>". */
    close = memchr(s->p, '>', s->end - s->p);
    if (!close || close[-1] != '?') {
        return malformed(s);
    }
    close--;
    for (enc = s->p + 5; enc + 8 <= close; enc++) {
        if (memcmp(enc, "encoding", 8) == 0) {
            break;
        }
    }
    if (enc + 8 <= close) {
        const char *q;

        enc += 8;
        while (enc < close && IS_SPACE(*enc)) {
            enc++;
        }
        if (enc < close && *enc == '=') {
            enc++;
        }
        while (enc < close && IS_SPACE(*enc)) {
            enc++;
        }
        q = enc < close && (*enc == '"' || *enc == '\'')
            ? memchr(enc + 1, *enc, close - enc - 1) : NULL;
        if (!q) {
            return malformed(s);
        }
        if (!ascii_safe(enc + 1, q - enc - 1)) {
            *s->why = "the request must be encoded in UTF-8";
            return INFOR_SCAN_ENCODING;
        }
        s->utf8 = (q - enc - 1 == 5 && !strncasecmp(enc + 1, "UTF-8", 5))
                  || (q - enc - 1 == 4 && !strncasecmp(enc + 1, "UTF8", 4));
    }
    s->p = close + 2;
    return INFOR_SCAN_OK;
}

/* Every character one XML 1.0 allows: valid UTF-8 in UTF-8; in a declared
 * single-byte encoding, no control character but tab, LF and CR.  (NUL
 * bytes also mean UTF-16 or UTF-32 without a mark.) */
static int chars_ok(const scan *s, const char *str, apr_size_t len)
{
    const unsigned char *u = (const unsigned char *)str;
    apr_size_t i;

    if (s->utf8) {
        return infor_text_ok(str, len);
    }
    for (i = 0; i < len; i++) {
        if (u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' && u[i] != '\r') {
            return 0;
        }
    }
    return 1;
}

infor_scan_result infor_xml_scan(apr_pool_t *p, const char *str,
                                 apr_size_t len,
                                 const infor_xml_limits *lim,
                                 const char **why)
{
    scan s;
    infor_scan_result rv;

    memset(&s, 0, sizeof(s));
    s.pool = p;
    s.p = str;
    s.end = str + len;
    s.lim = lim;
    s.why = why;
    s.utf8 = 1;
    if ((rv = prolog(&s)) != INFOR_SCAN_OK) {
        return rv;
    }
    if (!chars_ok(&s, str, len)) {
        *why = "the request is not well-formed XML (invalid UTF-8 or a "
               "character XML forbids)";
        return INFOR_SCAN_MALFORMED;
    }
    while (s.p < s.end) {
        if (*s.p != '<') {
            const char *lt = memchr(s.p, '<', s.end - s.p);
            if (!lt) {
                lt = s.end;
            }
            if ((apr_size_t)(lt - s.p) > lim->max_text) {
                return over(&s, "a text is longer than ", lim->max_text,
                            " bytes");
            }
            s.p = lt;
            continue;
        }
        if (starts(&s, "</")) {
            rv = end_tag(&s);
        }
        else if (starts(&s, "<?")) {
            rv = pi(&s);
        }
        else if (starts(&s, "<!--")) {
            rv = skip_to(&s, 4, "-->");
        }
        else if (starts(&s, "<![CDATA[")) {
            rv = skip_to(&s, 9, "]]>");
        }
        else if (starts(&s, "<!DOCTYPE")) {
            *why = "DTDs are not allowed in SOAP messages";
            rv = INFOR_SCAN_DTD;
        }
        else if (starts(&s, "<!")) {
            rv = malformed(&s);
        }
        else {
            rv = start_tag(&s);
        }
        if (rv != INFOR_SCAN_OK) {
            return rv;
        }
    }
    return INFOR_SCAN_OK;
}
