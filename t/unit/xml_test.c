/*
 * Unit tests for mod_infor/xml.c: escaping, the UTF-8/XML text check,
 * element serialisation, the growable buffer and the date formats.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "infor.h"
#include "tap.h"

static apr_pool_t *pool;

static const char *escape(const char *s)
{
    infor_buf b;

    infor_buf_init(&b, pool, 0);
    infor_xml_escape(&b, s);
    return infor_buf_str(&b);
}

static const char *write_elem(const infor_elem *e, int undeclare_ns)
{
    infor_buf b;

    infor_buf_init(&b, pool, 16);
    infor_xml_write(&b, e, undeclare_ns);
    return infor_buf_str(&b);
}

/* infor_text_ok over a NUL-terminated string. */
static int text_ok(const char *s)
{
    return infor_text_ok(s, strlen(s));
}

static void test_escape(void)
{
    infor_buf b;

    is_str(escape(""), "", "escape: empty string");
    is_str(escape("plain text 123"), "plain text 123",
           "escape: plain ASCII unchanged");
    is_str(escape("&"), "&amp;", "escape: &");
    is_str(escape("<"), "&lt;", "escape: <");
    is_str(escape(">"), "&gt;", "escape: >");
    is_str(escape("\""), "&quot;", "escape: \"");
    is_str(escape("'"), "&apos;", "escape: '");
    is_str(escape("a<b & c>'d\"e"), "a&lt;b &amp; c&gt;&apos;d&quot;e",
           "escape: mixed text");
    is_str(escape("&amp;"), "&amp;amp;", "escape: an entity is escaped again");
    is_str(escape("\t"), "&#x9;", "escape: tab");
    is_str(escape("\n"), "&#xA;", "escape: LF");
    is_str(escape("\r"), "&#xD;", "escape: CR");
    is_str(escape("a\r\nb"), "a&#xD;&#xA;b", "escape: CRLF inside text");
    is_str(escape("a\x01" "b"), "ab", "escape: \\x01 dropped");
    is_str(escape("\x1f" "x\x0b"), "x", "escape: \\x1f and \\x0b dropped");
    is_str(escape("a\x7f" "b"), "a\x7f" "b",
           "escape: DEL is an XML 1.0 character and kept");
    is_str(escape("a\xff" "b"), "ab", "escape: byte 0xFF dropped");
    is_str(escape("a\x80" "b"), "ab", "escape: lone continuation dropped");
    is_str(escape("a\xc3" "b"), "ab",
           "escape: truncated 2-byte sequence dropped");
    is_str(escape("end\xe6\x97"), "end",
           "escape: truncated sequence at the end dropped");
    is_str(escape("\xc0\xaf<"), "&lt;", "escape: overlong form dropped");
    is_str(escape("\xed\xa0\x80" "x"), "x", "escape: surrogate dropped");
    is_str(escape("\xef\xbf\xbe" "x"), "x", "escape: U+FFFE dropped");
    is_str(escape("Zo\xc3\xab"), "Zo\xc3\xab", "escape: Zoë kept");
    is_str(escape("\xe6\x97\xa5\xe6\x9c\xac"), "\xe6\x97\xa5\xe6\x9c\xac",
           "escape: 日本 kept");
    is_str(escape("\xf0\x9f\x98\x80!"), "\xf0\x9f\x98\x80!",
           "escape: emoji kept");
    is_str(escape("Zo\xc3\xab & \xe6\x97\xa5\x01"),
           "Zo\xc3\xab &amp; \xe6\x97\xa5",
           "escape: UTF-8, entities and a dropped byte together");

    infor_buf_init(&b, pool, 0);
    infor_buf_puts(&b, "x=");
    infor_xml_escape(&b, "<y>");
    is_str(infor_buf_str(&b), "x=&lt;y&gt;", "escape: appends to the buffer");
    is_int((long)b.len, (long)strlen("x=&lt;y&gt;"),
           "escape: buffer length kept in step");
}

static void test_text_ok(void)
{
    ok(infor_text_ok("", 0), "text_ok: empty string accepted");
    ok(text_ok("hello, world"), "text_ok: ASCII accepted");
    ok(text_ok("tab\there\nnew line\r\n"), "text_ok: tab, LF, CR accepted");
    ok(text_ok("Zo\xc3\xab"), "text_ok: Zoë accepted");
    ok(text_ok("\xe6\x97\xa5\xe6\x9c\xac"), "text_ok: 日本 accepted");
    ok(text_ok("\xf0\x9f\x98\x80"), "text_ok: emoji accepted");
    ok(text_ok("\xed\x9f\xbf"), "text_ok: U+D7FF accepted");
    ok(text_ok("\xee\x80\x80"), "text_ok: U+E000 accepted");
    ok(text_ok("\xef\xbf\xbd"), "text_ok: U+FFFD accepted");
    ok(text_ok("\xf4\x8f\xbf\xbf"), "text_ok: U+10FFFF accepted");

    ok(!text_ok("a\x01" "b"), "text_ok: \\x01 rejected");
    ok(!text_ok("\x1f"), "text_ok: \\x1f rejected");
    ok(!text_ok("\x0b"), "text_ok: vertical tab rejected");
    ok(!infor_text_ok("a\0b", 3), "text_ok: NUL byte rejected");
    ok(!text_ok("\xc0\xaf"), "text_ok: overlong 2-byte '/' rejected");
    ok(!text_ok("\xc1\xbf"), "text_ok: overlong 2-byte U+7F rejected");
    ok(!text_ok("\xe0\x80\xaf"), "text_ok: overlong 3-byte rejected");
    ok(!text_ok("\xf0\x80\x80\xaf"), "text_ok: overlong 4-byte rejected");
    ok(!text_ok("\xed\xa0\x80"), "text_ok: surrogate U+D800 rejected");
    ok(!text_ok("\xed\xbf\xbf"), "text_ok: surrogate U+DFFF rejected");
    ok(!text_ok("\xc3"), "text_ok: truncated 2-byte sequence rejected");
    ok(!text_ok("\xe6\x97"), "text_ok: truncated 3-byte sequence rejected");
    ok(!text_ok("\xf0\x9f\x98"), "text_ok: truncated 4-byte sequence rejected");
    ok(!text_ok("\xc3" "a"), "text_ok: ASCII after a lead byte rejected");
    ok(!infor_text_ok("Zo\xc3\xab", 3),
       "text_ok: a sequence cut by len rejected");
    ok(!text_ok("\x80"), "text_ok: lone continuation byte rejected");
    ok(!text_ok("\xff"), "text_ok: 0xFF rejected");
    ok(!text_ok("\xfe"), "text_ok: 0xFE rejected");
    ok(!text_ok("\xf8\x88\x80\x80\x80"), "text_ok: 5-byte form rejected");
    ok(!text_ok("\xef\xbf\xbe"), "text_ok: U+FFFE rejected");
    ok(!text_ok("\xef\xbf\xbf"), "text_ok: U+FFFF rejected");
    ok(!text_ok("\xf4\x90\x80\x80"), "text_ok: beyond U+10FFFF rejected");
    ok(!text_ok("fine until here\x02"), "text_ok: bad last byte rejected");
}

static void test_write(void)
{
    infor_elem *e, *user, *kid;

    e = infor_elem_make(pool, "root");
    is_str(write_elem(e, 0), "<root />", "write: element without attributes");

    e = infor_elem_make(pool, "root");
    infor_elem_attr(e, "success", "true");
    is_str(write_elem(e, 0), "<root success=\"true\" />",
           "write: empty element");

    e = infor_elem_make(pool, "root");
    infor_elem_attr(e, "zeta", "1");
    infor_elem_attr(e, "alpha", "2");
    infor_elem_attr(e, "mu", "3");
    is_str(write_elem(e, 0), "<root zeta=\"1\" alpha=\"2\" mu=\"3\" />",
           "write: attribute order preserved");

    e = infor_elem_make(pool, "root");
    infor_elem_attr(e, "error", NULL);
    is_str(write_elem(e, 0), "<root error=\"\" />",
           "write: NULL attribute value written as \"\"");

    e = infor_elem_make(pool, "root");
    infor_elem_attr(e, "error", "a \"b\" <c> & 'd'\n\x01");
    is_str(write_elem(e, 0),
           "<root error=\"a &quot;b&quot; &lt;c&gt; &amp; &apos;d&apos;"
           "&#xA;\" />",
           "write: attribute values escaped");

    e = infor_elem_make(pool, "response");
    infor_elem_attr(e, "success", "true");
    infor_elem_attr(e, "error", "");
    user = infor_elem_child(pool, e, "User");
    infor_elem_attr(user, "UserName", "Zo\xc3\xab");
    kid = infor_elem_child(pool, user, "Preferences");
    infor_elem_attr(kid, "Language", "en");
    is_str(write_elem(e, 0),
           "<response success=\"true\" error=\"\">"
           "<User UserName=\"Zo\xc3\xab\"><Preferences Language=\"en\" />"
           "</User></response>",
           "write: nested children");

    e = infor_elem_make(pool, "list");
    infor_elem_attr(infor_elem_child(pool, e, "a"), "n", "1");
    infor_elem_child(pool, e, "b");
    infor_elem_attr(infor_elem_child(pool, e, "c"), "n", "3");
    is_str(write_elem(e, 0), "<list><a n=\"1\" /><b /><c n=\"3\" /></list>",
           "write: siblings in insertion order");

    e = infor_elem_make(pool, "response");
    infor_elem_attr(e, "success", "true");
    is_str(write_elem(e, 1), "<response xmlns=\"\" success=\"true\" />",
           "write: undeclare_ns puts xmlns=\"\" right after the name");

    e = infor_elem_make(pool, "response");
    infor_elem_attr(e, "success", "true");
    infor_elem_attr(infor_elem_child(pool, e, "User"), "id", "1");
    is_str(write_elem(e, 1),
           "<response xmlns=\"\" success=\"true\"><User id=\"1\" />"
           "</response>",
           "write: undeclare_ns only on the outer element");

    e = infor_elem_make(pool, "root");
    infor_elem_child(pool, e, "kid");
    is_str(write_elem(e, 0), "<root><kid /></root>",
           "write: child without attributes");
}

static void test_buf(void)
{
    infor_buf b;
    char chunk[1024];
    char *big;
    apr_size_t i, total = 100 * 1024;
    int same = 1;

    infor_buf_init(&b, pool, 0);
    is_str(infor_buf_str(&b), "", "buf: starts empty");
    ok(b.cap >= 64, "buf: a small capacity is raised");

    for (i = 0; i < sizeof(chunk); i++) {
        chunk[i] = (char)('a' + i % 26);
    }
    for (i = 0; i < total / sizeof(chunk); i++) {
        infor_buf_add(&b, chunk, sizeof(chunk));
    }
    is_int((long)b.len, (long)total, "buf: 100 KB added in 1 KB chunks");
    ok(b.cap > b.len, "buf: capacity grown past the length");
    is_int((long)strlen(infor_buf_str(&b)), (long)total,
           "buf: NUL-terminated after growth");
    for (i = 0; i < total / sizeof(chunk); i++) {
        if (memcmp(b.data + i * sizeof(chunk), chunk, sizeof(chunk)) != 0) {
            same = 0;
        }
    }
    ok(same, "buf: contents intact after growth");

    big = apr_palloc(pool, total + 1);
    memset(big, 'x', total);
    big[total] = '\0';
    infor_buf_init(&b, pool, 64);
    infor_buf_puts(&b, "<");
    infor_buf_puts(&b, big);
    infor_buf_puts(&b, ">");
    is_int((long)b.len, (long)total + 2, "buf: one 100 KB add from 64 bytes");
    ok(b.data[0] == '<' && b.data[1] == 'x' && b.data[total] == 'x'
       && b.data[total + 1] == '>' && b.data[total + 2] == '\0',
       "buf: one large add keeps the bytes around it");

    infor_buf_init(&b, pool, 0);
    infor_buf_add(&b, "abcdef", 3);
    infor_buf_add(&b, "", 0);
    is_str(infor_buf_str(&b), "abc", "buf: add takes n bytes; n = 0 is fine");
}

static void test_time(void)
{
    apr_time_t y2026 = apr_time_from_sec(1767225600);

    is_str(infor_time_utc_z(pool, apr_time_from_sec(0)),
           "1970-01-01T00:00:00Z", "time_utc_z: the epoch");
    is_str(infor_time_utc_z(pool, y2026), "2026-01-01T00:00:00Z",
           "time_utc_z: 2026-01-01");
    is_str(infor_time_utc_z(pool, y2026 + 999999), "2026-01-01T00:00:00Z",
           "time_utc_z: microseconds are truncated");
    is_str(infor_time_utc_z(pool, apr_time_from_sec(951782400)),
           "2000-02-29T00:00:00Z", "time_utc_z: leap day");
    is_str(infor_time_utc_z(pool, apr_time_from_sec(4102444799)),
           "2099-12-31T23:59:59Z", "time_utc_z: 2099-12-31T23:59:59");

    is_str(infor_time_user(pool, 0), "", "time_user: 0 is \"\"");
    is_str(infor_time_user(pool, y2026), "2026-01-01T00:00:00",
           "time_user: no Z");
    is_str(infor_time_user(pool, y2026 + apr_time_from_sec(3661)),
           "2026-01-01T01:01:01", "time_user: hours, minutes, seconds");
}

int main(void)
{
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);

    test_escape();
    test_text_ok();
    test_write();
    test_buf();
    test_time();

    return done_testing();
}
