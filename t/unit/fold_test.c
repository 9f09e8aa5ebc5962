/*
 * Unit tests for infor_fold (store_user.c): the texts the "contains"
 * filters compare, every letter small, for all of Unicode.
 */
#include <apr_general.h>
#include <apr_pools.h>

#include "infor_store_private.h"
#include "tap.h"

int main(void)
{
    apr_pool_t *pool;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    infor_fold_init();

    is_str(infor_fold(pool, "ZOË"), "zoë", "Latin-1: ZOË is zoë");
    is_str(infor_fold(pool, "Zoë"), "zoë", "a small letter stays");
    is_str(infor_fold(pool, "ÅNGSTRÖM"), "ångström", "Å and Ö");
    is_str(infor_fold(pool, "ΣΩΚΡΆΤΗΣ"), "σωκράτησ",
           "Greek (simple mapping: final sigma is σ)");
    is_str(infor_fold(pool, "ДМИТРИЙ"), "дмитрий", "Cyrillic");
    is_str(infor_fold(pool, "ȺB"), "ⱥb", "a capital whose small letter is longer");
    is_str(infor_fold(pool, "USER_12%!"), "user_12%!", "ASCII, pattern characters kept");
    is_str(infor_fold(pool, "日本語"), "日本語", "no case: unchanged");
    is_str(infor_fold(pool, "a\xff" "B\xc3"), "a\xff" "b\xc3",
           "bytes that start no character are kept as they are");
    is_str(infor_fold(pool, ""), "", "empty");
    is_str(infor_fold(pool, NULL), "", "NULL is empty");

    apr_pool_destroy(pool);
    apr_terminate();
    return done_testing();
}
