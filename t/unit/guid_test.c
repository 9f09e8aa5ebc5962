/*
 * Unit tests for mod_infor/guid.c: tickets, ticket keys and user-name keys.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_hash.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "infor.h"
#include "tap.h"

static apr_pool_t *pool;

/* 1 when s is n characters of 0-9a-f, skipping the given dash positions. */
static int lower_hex(const char *s, apr_size_t n, int dashes)
{
    apr_size_t i;

    if (strlen(s) != n) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (dashes && (i == 8 || i == 13 || i == 18 || i == 23)) {
            continue;
        }
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

static void test_guid_new(void)
{
    char g[INFOR_GUID_LEN + 1];
    apr_hash_t *seen = apr_hash_make(pool);
    int i, made = 1, valid = 1;

    ok(infor_guid_new(g), "guid_new: succeeds");
    is_int((long)strlen(g), 36, "guid_new: 36 characters");
    ok(g[8] == '-' && g[13] == '-' && g[18] == '-' && g[23] == '-',
       "guid_new: dashes at 8, 13, 18 and 23");
    ok(lower_hex(g, INFOR_GUID_LEN, 1), "guid_new: lowercase hex elsewhere");
    ok(infor_guid_valid(g), "guid_new: passes infor_guid_valid");

    for (i = 0; i < 1000; i++) {
        if (!infor_guid_new(g)) {
            made = 0;
            break;
        }
        if (!infor_guid_valid(g) || !lower_hex(g, INFOR_GUID_LEN, 1)) {
            valid = 0;
        }
        apr_hash_set(seen, apr_pstrdup(pool, g), APR_HASH_KEY_STRING, "");
    }
    ok(made, "guid_new: 1000 generated");
    ok(valid, "guid_new: all 1000 well-formed");
    is_int((long)apr_hash_count(seen), 1000, "guid_new: all 1000 distinct");
}

static void test_guid_valid(void)
{
    ok(infor_guid_valid("0f8fad5b-d9cb-469f-a165-70867728950e"),
       "guid_valid: lowercase accepted");
    ok(infor_guid_valid("0F8FAD5B-D9CB-469F-A165-70867728950E"),
       "guid_valid: uppercase accepted");
    ok(infor_guid_valid("0f8FAD5b-d9CB-469f-A165-70867728950e"),
       "guid_valid: mixed case accepted");
    ok(infor_guid_valid("00000000-0000-0000-0000-000000000000"),
       "guid_valid: nil GUID accepted");

    ok(!infor_guid_valid(NULL), "guid_valid: NULL rejected");
    ok(!infor_guid_valid(""), "guid_valid: empty rejected");
    ok(!infor_guid_valid("0f8fad5b-d9cb-469f-a165-70867728950"),
       "guid_valid: 35 characters rejected");
    ok(!infor_guid_valid("0f8fad5b-d9cb-469f-a165-70867728950e0"),
       "guid_valid: 37 characters rejected");
    ok(!infor_guid_valid("0f8fad5bd9cb469fa16570867728950e"),
       "guid_valid: 32 hex digits without dashes rejected");
    ok(!infor_guid_valid("0f8fad5-bd9cb-469f-a165-70867728950e"),
       "guid_valid: dash moved left rejected");
    ok(!infor_guid_valid("0f8fad5b-d9cb-469f-a16570-867728950e"),
       "guid_valid: last dash moved right rejected");
    ok(!infor_guid_valid("0f8fad5b-d9cb-469f-a165+70867728950e"),
       "guid_valid: other separator rejected");
    ok(!infor_guid_valid("0f8fad5b-d9cb-469g-a165-70867728950e"),
       "guid_valid: non-hex 'g' rejected");
    ok(!infor_guid_valid("0f8fad5b-d9cb-469f-a165-7086772895 e"),
       "guid_valid: space rejected");
    ok(!infor_guid_valid("0f8fad5b-d9cb-469f-a165-7086772895\xc3\xa9"),
       "guid_valid: non-ASCII rejected");
    ok(!infor_guid_valid("{0f8fad5b-d9cb-469f-a165-70867728950e}"),
       "guid_valid: braces form rejected");
    ok(!infor_guid_valid("{0f8fad5b-d9cb-469f-a165-7086772895}"),
       "guid_valid: braces form of 36 characters rejected");
}

static void test_ticket_key(void)
{
    const char *lower = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const char *upper = "0F8FAD5B-D9CB-469F-A165-70867728950E";
    const char *k = infor_ticket_key(pool, lower);

    ok(lower_hex(k, 40, 0), "ticket_key: 40 lowercase hex characters");
    is_str(k, "a432dda8147b76606b90bc493891355051cec293",
           "ticket_key: the SHA-1 of the lowercase ticket");
    is_str(infor_ticket_key(pool, upper), k,
           "ticket_key: same key for the uppercase form");
    is_str(infor_ticket_key(pool, "0f8FAD5b-d9cb-469F-a165-70867728950E"), k,
           "ticket_key: same key for a mixed-case form");
    ok(strcmp(infor_ticket_key(pool, "0f8fad5b-d9cb-469f-a165-70867728950f"),
              k) != 0, "ticket_key: differs for a different ticket");
    ok(strcmp(infor_ticket_key(pool, "00000000-0000-0000-0000-000000000000"),
              infor_ticket_key(pool, "00000000-0000-0000-0000-000000000001"))
       != 0, "ticket_key: differs in the last digit");
    ok(strcmp(infor_ticket_key(pool, lower), lower) != 0,
       "ticket_key: is not the ticket itself");
}

static void test_name_key(void)
{
    const char *orig = "Admin";
    const char *key = infor_name_key(pool, orig);

    is_str(key, "admin", "name_key: Admin -> admin");
    is_str(orig, "Admin", "name_key: the argument is not changed");
    is_str(infor_name_key(pool, "ADMIN@EXAMPLE.COM"), "admin@example.com",
           "name_key: ASCII folded, punctuation kept");
    is_str(infor_name_key(pool, "already-lower_1"), "already-lower_1",
           "name_key: lowercase unchanged");
    is_str(infor_name_key(pool, ""), "", "name_key: empty");
    is_str(infor_name_key(pool, "ZO\xc3\x8b"), "zo\xc3\xab",
           "name_key: ZOË -> zoë");
    is_str(infor_name_key(pool, "\xc3\x80\xc3\x89\xc3\x8e"),
           "\xc3\xa0\xc3\xa9\xc3\xae", "name_key: ÀÉÎ -> àéî");
    is_str(infor_name_key(pool, "\xc3\x9e\xc3\x98"), "\xc3\xbe\xc3\xb8",
           "name_key: ÞØ -> þø (ends of the range)");
    is_str(infor_name_key(pool, "zo\xc3\xab"), "zo\xc3\xab",
           "name_key: zoë unchanged");
    is_str(infor_name_key(pool, "\xc3\x97"), "\xc3\x97",
           "name_key: × (C3 97) unchanged");
    is_str(infor_name_key(pool, "a\xc3\x97" "B"), "a\xc3\x97" "b",
           "name_key: letters around × folded");
    is_str(infor_name_key(pool, "\xc3\x9f"), "\xc3\x9f",
           "name_key: ß (C3 9F) unchanged");
    is_str(infor_name_key(pool, "\xe6\x97\xa5\xe6\x9c\xac"),
           "\xe6\x97\xa5\xe6\x9c\xac", "name_key: 日本 unchanged");
    is_str(infor_name_key(pool, "\xd0\x90"), "\xd0\x90",
           "name_key: Cyrillic А unchanged (not folded)");
    is_str(infor_name_key(pool, "X\xc3"), "x\xc3",
           "name_key: a trailing lead byte is safe");
}

int main(void)
{
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);

    test_guid_new();
    test_guid_valid();
    test_ticket_key();
    test_name_key();

    return done_testing();
}
