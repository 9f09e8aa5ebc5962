/*
 * mod_infor unit tests: a tiny header-only TAP producer for prove.
 *
 *     plan(n);                       optional; else done_testing prints it
 *     ok(cond, name);
 *     is_str(got, expected, name);   NULL-safe, prints got/expected on failure
 *     is_int(got, expected, name);
 *     todo_start(reason); ... todo_end();
 *     return done_testing();         non-zero when any test failed
 *
 * Every function is static inline so that a test using only some of them
 * still builds with -Wall -Wextra -Werror.
 */
#ifndef INFOR_TAP_H
#define INFOR_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_planned = -1;
static int tap_run;
static int tap_failed;
static const char *tap_todo;

static inline void plan(int n)
{
    tap_planned = n;
    printf("1..%d\n", n);
    fflush(stdout);
}

/* A "# " comment: on stdout inside a TODO block (prove hides it there),
 * on stderr otherwise, as Test::More does. */
static inline void diag(const char *fmt, ...)
{
    FILE *out = tap_todo ? stdout : stderr;
    va_list ap;

    fflush(stdout);
    fputs("# ", out);
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
    fflush(out);
}

/* Tests run between todo_start() and todo_end() are known to fail: they
 * are marked "# TODO reason" and their failures are not counted. */
static inline void todo_start(const char *reason)
{
    tap_todo = reason;
}

static inline void todo_end(void)
{
    tap_todo = NULL;
}

static inline int ok(int cond, const char *name)
{
    tap_run++;
    if (!cond && !tap_todo) {
        tap_failed++;
    }
    printf("%sok %d - %s", cond ? "" : "not ", tap_run, name);
    if (tap_todo) {
        printf(" # TODO %s", tap_todo);
    }
    putchar('\n');
    fflush(stdout);
    if (!cond) {
        diag("  Failed %stest '%s'", tap_todo ? "(TODO) " : "", name);
    }
    return cond;
}

/* Writes s quoted, with control bytes as \n, \t, \r or \xNN; other bytes
 * (UTF-8 included) as they are. */
static inline void tap_quote(char *out, size_t size, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;

    if (!s) {
        snprintf(out, size, "NULL");
        return;
    }
    out[o++] = '\'';
    for (; *s && o + 8 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\n' || c == '\t' || c == '\r' || c == '\\') {
            out[o++] = '\\';
            out[o++] = c == '\n' ? 'n' : c == '\t' ? 't'
                       : c == '\r' ? 'r' : '\\';
        }
        else if (c < 0x20 || c == 0x7F) {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 0x0F];
        }
        else {
            out[o++] = (char)c;
        }
    }
    if (*s) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o++] = '\'';
    out[o] = '\0';
}

static inline int is_str(const char *got, const char *expected,
                         const char *name)
{
    int same = got && expected ? strcmp(got, expected) == 0
                               : got == expected;

    if (!ok(same, name)) {
        char buf[2048];
        tap_quote(buf, sizeof(buf), got);
        diag("         got: %s", buf);
        tap_quote(buf, sizeof(buf), expected);
        diag("    expected: %s", buf);
    }
    return same;
}

static inline int is_int(long got, long expected, const char *name)
{
    if (!ok(got == expected, name)) {
        diag("         got: %ld", got);
        diag("    expected: %ld", expected);
        return 0;
    }
    return 1;
}

/* The exit status: 0 when every test passed and the plan was kept. */
static inline int done_testing(void)
{
    if (tap_planned < 0) {
        printf("1..%d\n", tap_run);
        fflush(stdout);
    }
    else if (tap_planned != tap_run) {
        diag("Looks like you planned %d tests but ran %d.",
             tap_planned, tap_run);
        return 255;
    }
    if (tap_failed) {
        diag("Looks like you failed %d test%s of %d.", tap_failed,
             tap_failed == 1 ? "" : "s", tap_run);
    }
    return tap_failed > 254 ? 254 : tap_failed;
}

#endif /* INFOR_TAP_H */
