/*
 * Unit tests for mod_infor/xml_scan.c, the pre-scan that bounds the cost
 * of parsing, and for how soap.c answers what it refuses and what libxml2
 * reports (never on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "infor.h"
#include "infor_ops.h"
#include "infor_soap.h"
#include "infor_xml_scan.h"
#include "tap.h"

static apr_pool_t *pool;
static const infor_xml_limits *lim = &infor_xml_default_limits;

#define ENV_OPEN "<?xml version=\"1.0\" encoding=\"utf-8\"?>" \
    "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">" \
    "<soap:Body><GetUser xmlns=\"http://tempuri.org/\">"
#define ENV_CLOSE "</GetUser></soap:Body></soap:Envelope>"

static infor_scan_result scan_with(const infor_xml_limits *l, const char *s,
                                   const char **why)
{
    *why = NULL;
    return infor_xml_scan(pool, s, strlen(s), l, why);
}

static infor_scan_result scan(const char *s, const char **why)
{
    return scan_with(lim, s, why);
}

/* The scan answers want, with this reason (NULL: any). */
static void scan_is(const char *doc, infor_scan_result want,
                    const char *reason, const char *name)
{
    const char *why;
    infor_scan_result got = scan(doc, &why);

    if (!ok(got == want && (!reason || (why && !strcmp(why, reason))),
            name)) {
        diag("result %d (want %d), reason: %s", (int)got, (int)want,
             why ? why : "NULL");
    }
}

/* A string of n copies of s. */
static char *times(const char *s, int n)
{
    apr_size_t k = strlen(s);
    char *out = apr_palloc(pool, k * n + 1), *o = out;
    int i;

    for (i = 0; i < n; i++, o += k) {
        memcpy(o, s, k);
    }
    *o = '\0';
    return out;
}

/* An element with n attributes a1="" ... an="". */
static char *with_attrs(int n)
{
    char *s = "<GetUser xmlns=\"http://tempuri.org/\"";
    int i;

    for (i = 1; i < n; i++) {   /* xmlns is the first */
        s = apr_psprintf(pool, "%s a%d=\"\"", s, i);
    }
    return apr_pstrcat(pool, s, "/>", NULL);
}

static char *env(const char *inner)
{
    return apr_pstrcat(pool, ENV_OPEN, inner, ENV_CLOSE, NULL);
}

static char *filled(char c, apr_size_t n)
{
    char *s = apr_palloc(pool, n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_accepts(void)
{
    scan_is(env("<AuthenticationTicket>0f8fad5b-d9cb-469f-a165-70867728950e"
                "</AuthenticationTicket><UserName>zoe</UserName>"),
            INFOR_SCAN_OK, NULL, "a GetUser envelope");
    scan_is("", INFOR_SCAN_OK, NULL, "nothing (libxml2 refuses it)");
    scan_is("\xEF\xBB\xBF<a/>", INFOR_SCAN_OK, NULL, "a UTF-8 mark");
    scan_is(env("<UserName a = 'x>y' b=\"it's &lt;\" c='say \"hi\"'>z"
                "</UserName >"), INFOR_SCAN_OK, NULL,
            "quotes, blanks and > inside attribute values");
    scan_is(env("<!-- <a b='' c=''> --><?pi <x> ?><![CDATA[<y z=''>]]>"
                "<x/>"), INFOR_SCAN_OK, NULL,
            "markup inside comments, PIs and CDATA is text");
    scan_is("<?xml version='1.0' encoding='ISO-8859-1'?><a/>",
            INFOR_SCAN_OK, NULL, "ISO-8859-1");
    scan_is("<?xml version=\"1.0\" encoding = \"windows-1252\" ?><a/>",
            INFOR_SCAN_OK, NULL, "windows-1252");
    scan_is("<?xml version=\"1.0\" encoding=\"US-ASCII\"?><a/>",
            INFOR_SCAN_OK, NULL, "US-ASCII");
    scan_is("<?xml version=\"1.0\"?><a/>", INFOR_SCAN_OK, NULL,
            "no encoding: UTF-8");
    scan_is("<?xml-stylesheet href='x'?><a/>", INFOR_SCAN_OK, NULL,
            "a PI whose name starts with xml");
    /* 1000 elements of 32 attributes each would be over the text of the
     * default limits; the counts are per element or per document. */
    scan_is(env(times("<x a='1' b='2'/>", 990)), INFOR_SCAN_OK, NULL,
            "990 elements, two attributes each");
}

static void test_limits(void)
{
    char *deep;

    scan_is(env(with_attrs(32)), INFOR_SCAN_OK, NULL, "32 attributes");
    scan_is(env(with_attrs(33)), INFOR_SCAN_LIMIT,
            "an element has more than 32 attributes", "33 attributes");

    /* The envelope is 3 deep: 29 more make 32. */
    deep = apr_pstrcat(pool, times("<a>", 29), times("</a>", 29), NULL);
    scan_is(env(deep), INFOR_SCAN_OK, NULL, "32 deep");
    deep = apr_pstrcat(pool, times("<a>", 30), times("</a>", 30), NULL);
    scan_is(env(deep), INFOR_SCAN_LIMIT,
            "elements are nested more than 32 deep", "33 deep");
    scan_is(env(times("<a><b/></a>", 100)), INFOR_SCAN_OK, NULL,
            "depth goes down again after end tags");

    scan_is(env(times("<a/>", 997)), INFOR_SCAN_OK, NULL, "1000 elements");
    scan_is(env(times("<a/>", 998)), INFOR_SCAN_LIMIT,
            "the request has more than 1000 elements", "1001 elements");

    scan_is(env(times("<?p?>", 100)), INFOR_SCAN_OK, NULL, "100 PIs");
    scan_is(env(times("<!---->", 101)), INFOR_SCAN_LIMIT,
            "the request has more than 100 comments, processing "
            "instructions and CDATA sections", "101 comments");

    scan_is(env(apr_psprintf(pool, "<a %s/>", times("xmlns:p='u' ", 32))),
            INFOR_SCAN_OK, NULL, "2 + 32 namespace declarations");
    scan_is(env(apr_psprintf(pool, "<a %s/><b %s/>",
                             times("xmlns:p='u' ", 31),
                             times("xmlns:q='u' ", 32))),
            INFOR_SCAN_LIMIT, "the request declares more than 64 namespaces",
            "2 + 63 namespace declarations");
    scan_is(env(times("<a xmlns='u'/>", 62)), INFOR_SCAN_OK, NULL,
            "64 default namespace declarations");
    scan_is(env(times("<a xmlns='u'/>", 63)), INFOR_SCAN_LIMIT,
            "the request declares more than 64 namespaces",
            "65 default namespace declarations");
    scan_is(env(times("<a xmlnsx='u'/>", 62)), INFOR_SCAN_OK, NULL,
            "xmlnsx is not a declaration");

    scan_is(env(apr_psprintf(pool, "<%s/>", filled('n', 256))),
            INFOR_SCAN_OK, NULL, "a 256-byte name");
    scan_is(env(apr_psprintf(pool, "<%s/>", filled('n', 257))),
            INFOR_SCAN_LIMIT, "a name is longer than 256 bytes",
            "a 257-byte element name");
    scan_is(env(apr_psprintf(pool, "<a %s=''/>", filled('n', 257))),
            INFOR_SCAN_LIMIT, "a name is longer than 256 bytes",
            "a 257-byte attribute name");
    scan_is(env(apr_psprintf(pool, "<a></%s>", filled('n', 257))),
            INFOR_SCAN_LIMIT, "a name is longer than 256 bytes",
            "a 257-byte end tag name");

    scan_is(env(apr_psprintf(pool, "<a v='%s'/>", filled('v', 8192))),
            INFOR_SCAN_OK, NULL, "an 8192-byte attribute value");
    scan_is(env(apr_psprintf(pool, "<a v='%s'/>", filled('v', 8193))),
            INFOR_SCAN_LIMIT, "an attribute value is longer than 8192 bytes",
            "an 8193-byte attribute value");

    scan_is(env(apr_psprintf(pool, "<a>%s</a>", filled('t', 65536))),
            INFOR_SCAN_OK, NULL, "a 65536-byte text");
    scan_is(env(apr_psprintf(pool, "<a>%s</a>", filled('t', 65537))),
            INFOR_SCAN_LIMIT, "a text is longer than 65536 bytes",
            "a 65537-byte text");
    scan_is(env(apr_psprintf(pool, "<a><![CDATA[%s]]></a>",
                             filled('t', 65537))),
            INFOR_SCAN_LIMIT, "a text is longer than 65536 bytes",
            "a 65537-byte CDATA section");
    scan_is(env(apr_psprintf(pool, "<!--%s-->", filled('t', 65537))),
            INFOR_SCAN_LIMIT, "a text is longer than 65536 bytes",
            "a 65537-byte comment");
}

static void test_refuses(void)
{
    const char *why;

    scan_is("<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x 'y'>]><a/>",
            INFOR_SCAN_DTD, "DTDs are not allowed in SOAP messages",
            "a DOCTYPE");
    scan_is("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a/>",
            INFOR_SCAN_ENCODING, "the request must be encoded in UTF-8",
            "Shift_JIS");
    scan_is("<?xml version=\"1.0\" encoding=\"ISO-2022-JP\"?><a/>",
            INFOR_SCAN_ENCODING, NULL, "ISO-2022-JP");
    scan_is("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>",
            INFOR_SCAN_ENCODING, NULL, "UTF-16 declared");
    ok(infor_xml_scan(pool, "\xFF\xFE<\0a\0/\0>\0", 10, lim, &why)
       == INFOR_SCAN_ENCODING, "UTF-16 with a byte order mark");
    ok(infor_xml_scan(pool, "<\0a\0/\0>\0", 8, lim, &why)
       == INFOR_SCAN_MALFORMED, "UTF-16 without a mark: NUL bytes");
    scan_is("<a><!ELEMENT a ANY></a>", INFOR_SCAN_MALFORMED,
            "the request is not well-formed XML", "a declaration in content");
    scan_is("<a/><?xml version='1.0'?>", INFOR_SCAN_MALFORMED, NULL,
            "an XML declaration not at the start");
    scan_is("<a b></a>", INFOR_SCAN_MALFORMED, NULL, "attribute without =");
    scan_is("<a b=c></a>", INFOR_SCAN_MALFORMED, NULL, "unquoted value");
    scan_is("<a b='c></a>", INFOR_SCAN_MALFORMED, NULL, "unclosed value");
    scan_is("<a><!-- x </a>", INFOR_SCAN_MALFORMED, NULL, "unclosed comment");
    scan_is("<a></a></b>", INFOR_SCAN_MALFORMED, NULL, "an end tag too many");
    scan_is("<", INFOR_SCAN_MALFORMED, NULL, "a lone <");
    /* Where libxml2 would end a value, comment, PI or CDATA section early
     * and read on as markup, the scan must not skip: it refuses. */
    scan_is(env("<a v=\"<b c='' d=''>\"/>"), INFOR_SCAN_MALFORMED, NULL,
            "a < in an attribute value");
    scan_is(env("<!-- \x01 <b c='' d=''> -->"), INFOR_SCAN_MALFORMED,
            "the request is not well-formed XML (invalid UTF-8 or a "
            "character XML forbids)", "a control character in a comment");
    scan_is(env("<![CDATA[ \xEF\xBF\xBE <b c=''> ]]>"),
            INFOR_SCAN_MALFORMED, NULL, "U+FFFE in a CDATA section");
    scan_is(env("<a v='\xED\xA0\x80 <b/>'/>"), INFOR_SCAN_MALFORMED, NULL,
            "a surrogate in a value");
    scan_is(env("<a>\xC3\x28</a>"), INFOR_SCAN_MALFORMED, NULL,
            "invalid UTF-8");
    scan_is("<?xml version='1.0' encoding='ISO-8859-1'?><a>\xE9\xFF</a>",
            INFOR_SCAN_OK, NULL, "Latin-1 bytes in ISO-8859-1");
    scan_is("<?xml version='1.0' encoding='ISO-8859-1'?><a>\x01</a>",
            INFOR_SCAN_MALFORMED, NULL, "a control character in ISO-8859-1");
    scan_is(env("<? x <b c=''> ?>"), INFOR_SCAN_MALFORMED, NULL,
            "a PI without a target");
    scan_is(env("<?1x <b c=''> ?>"), INFOR_SCAN_MALFORMED, NULL,
            "a PI target that is no name");
    scan_is(env("<?x\xC3\xA9 <b c=''> ?>"), INFOR_SCAN_MALFORMED, NULL,
            "a PI target that is not ASCII");
    scan_is("<?xml version=\"1.0\" ><a b='' c=''/><?p?>",
            INFOR_SCAN_MALFORMED, NULL,
            "an XML declaration ending at a lone >");
    scan_is("<a", INFOR_SCAN_MALFORMED, NULL, "a start tag cut short");
}

static double seconds(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

/* Time to scan the document made of n copies of unit, many times. */
static double scan_time(const infor_xml_limits *l, const char *head,
                        const char *unit, int n, const char *tail)
{
    char *doc = apr_pstrcat(pool, head, times(unit, n), tail, NULL);
    apr_size_t len = strlen(doc);
    const char *why;
    double t0 = seconds();
    int i;

    for (i = 0; i < 20; i++) {
        infor_xml_scan(pool, doc, len, l, &why);
    }
    return seconds() - t0;
}

/* Linear: eight times the bytes take about eight times as long (a bound
 * of 32 leaves room for a noisy machine; quadratic would be 64). */
static void linear(const char *head, const char *unit, const char *tail,
                   const char *name)
{
    infor_xml_limits big = { 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30,
                             (apr_size_t)1 << 30, (apr_size_t)1 << 30,
                             (apr_size_t)1 << 30 };
    double small = scan_time(&big, head, unit, 50000, tail);
    double large = scan_time(&big, head, unit, 400000, tail);

    if (!ok(large < 32 * (small > 0.001 ? small : 0.001), name)) {
        diag("%.3f s for 50000, %.3f s for 400000", small, large);
    }
}

static void test_linear(void)
{
    linear("<a", " b=''", "/>", "linear: attributes");
    linear("", "<a>", "", "linear: nesting");
    linear("<a>", "<!-- - -- ->", "</a>", "linear: comments");
    linear("<a><!--", "- -- ", "-->", "linear: a long comment of dashes");
    linear("<a><![CDATA[", "]] ]", "]]></a>", "linear: brackets in CDATA");
    linear("<a>", "x&amp;", "</a>", "linear: text");
    linear("<a v='", "<<>>", "'/>", "linear: a long attribute value");
    linear("<", "n", "/>", "linear: a long name");
}

/* SOAP answers: the scan's reason in a Client fault; libxml2's own error
 * in the fault, never on stderr. */
static infor_error *decode(const char *body)
{
    infor_call call;

    memset(&call, 0, sizeof(call));
    call.binding = INFOR_BIND_SOAP11;
    return infor_soap_decode(pool, body, strlen(body), NULL, &call);
}

static void fault_is(infor_error *e, const char *message, const char *name)
{
    if (!ok(e && e->kind == INFOR_E_CLIENT && e->http_status == 400
            && !strcmp(e->message, message), name)) {
        diag("got: %s", e ? e->message : "no error");
    }
}

static void test_soap(void)
{
    char path[] = "/tmp/infor_xml_scan_XXXXXX";
    int fd = mkstemp(path), saved;
    infor_error *e;
    char buf[512];
    ssize_t n;

    fault_is(decode(env(with_attrs(33))), "Invalid SOAP request: an element "
             "has more than 32 attributes.", "soap: 33 attributes");
    fault_is(decode(env(apr_psprintf(pool, "<a>%s</a>",
                                     filled('t', 65537)))),
             "Invalid SOAP request: a text is longer than 65536 bytes.",
             "soap: a long text");
    fault_is(decode("<?xml version=\"1.0\" encoding=\"EUC-JP\"?><a/>"),
             "Invalid SOAP request: the request must be encoded in UTF-8.",
             "soap: EUC-JP");

    /* windows-1252 leaves 0x81 undefined: iconv fails, and libxml2 2.9
     * reports that through its generic (stderr) channel. */
    fflush(stderr);
    saved = dup(2);
    dup2(fd, 2);
    e = decode(apr_pstrcat(pool, "<?xml version=\"1.0\" encoding="
                           "\"windows-1252\"?><a>", filled('x', 5000),
                           "\x81\x8d pw</a>", NULL));
    fault_is(e, "Invalid SOAP request: the request is not well-formed XML "
             "(input conversion failed due to input error).",
             "soap: libxml2's encoding error is in the fault, without the "
             "bytes");
    e = decode(env("<a></b>"));
    fault_is(e, "Invalid SOAP request: the request is not well-formed XML "
             "(line 1: Opening and ending tag mismatch: a line 1 and b).",
             "soap: libxml2's error and its line are in the fault");
    e = decode(env("<!-- pw=secret -- -->"));
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fault_is(e, "Invalid SOAP request: the request is not well-formed XML "
             "(line 1: Double hyphen within comment).",
             "soap: no text of the document in the fault");
    n = pread(fd, buf, sizeof(buf) - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    if (!ok(n == 0, "soap: libxml2 wrote nothing on stderr")) {
        diag("stderr: %s", buf);
    }
    close(fd);
    unlink(path);
}

int main(void)
{
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);
    infor_soap_init();

    test_accepts();
    test_limits();
    test_refuses();
    test_linear();
    test_soap();
    return done_testing();
}
