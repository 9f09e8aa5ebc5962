/*
 * mod_infor: the store's core: schema and migrations, the statements,
 * readying a connection, and the helpers store_user.c and store_session.c
 * run them with.  All SQL lives in the store; see infor_store.h.  The
 * write path (transactions, group commit, retries) is store_write.c.
 *
 * Times are kept as whole seconds since the epoch (BIGINT); 0 means
 * "never".  Statements use apr_dbd's typed placeholders (%s text, %lld
 * 64-bit integer, %d int) and are prepared once per connection.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <sqlite3.h>

#include "infor.h"
#include "infor_store_private.h"

/* SQLite's busy timeouts.  No thread of the server waits inside SQLite
 * for a lock that another thread of its process holds: every write of
 * the server holds the write lock (store_write.c), readers never wait in
 * WAL mode, and so SQLite's busy handler only waits for another program
 * (inforadm), briefly.  (The plain texts that still go through apr_dbd's
 * sqlite3 driver, pragmas and the schema, run under its mutex of the
 * whole process; past the timeout the driver sleeps and retries.) */
#define ATTACH_BUSY_MS "5000"
#define RUN_BUSY_MS    "2000"

/* The label the connection's infor_conn is kept under. */
#define CONN_LABEL "infor_conn"

/* How often a migration that lost a race to another process is tried. */
#define MIGRATE_TRIES 5

/* ------------------------------------------------------------ schema */

/* One entry per schema version; each step takes the database from the
 * version before it.  "@ID@" is the dialect's auto-increment key.  A later
 * release appends steps; it never edits one that has shipped. */
static const char *const schema_v1[] = {
    "CREATE TABLE infor_users ("
    " id @ID@,"
    " username TEXT NOT NULL,"
    " name_key TEXT NOT NULL UNIQUE,"
    " password TEXT NOT NULL DEFAULT '',"
    " first_name TEXT NOT NULL DEFAULT '',"
    " last_name TEXT NOT NULL DEFAULT '',"
    " email TEXT NOT NULL DEFAULT '',"
    " mobile TEXT NOT NULL DEFAULT '',"
    " enabled INTEGER NOT NULL DEFAULT 1,"
    " read_only INTEGER NOT NULL DEFAULT 0,"
    " is_admin INTEGER NOT NULL DEFAULT 0,"
    " domain TEXT NOT NULL DEFAULT '',"
    " auth_authority TEXT NOT NULL DEFAULT 'Native',"
    " last_logon BIGINT NOT NULL DEFAULT 0,"
    " last_password_change BIGINT NOT NULL DEFAULT 0,"
    " pref_language TEXT NOT NULL DEFAULT 'English',"
    " pref_default_portal TEXT NOT NULL DEFAULT '',"
    " pref_show_archives INTEGER NOT NULL DEFAULT 0,"
    " pref_show_hiddens INTEGER NOT NULL DEFAULT 0,"
    " pref_notification INTEGER NOT NULL DEFAULT 0,"
    " pref_email_type TEXT NOT NULL DEFAULT 'HTML',"
    " pref_attach_document INTEGER NOT NULL DEFAULT 0,"
    " created BIGINT NOT NULL,"
    " updated BIGINT NOT NULL)",
    "CREATE TABLE infor_sessions ("
    " ticket TEXT PRIMARY KEY,"
    " user_id BIGINT NOT NULL REFERENCES infor_users(id) ON DELETE CASCADE,"
    " created BIGINT NOT NULL,"
    " expires BIGINT NOT NULL,"
    " lang TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX infor_sessions_expires ON infor_sessions(expires)",
    "CREATE INDEX infor_sessions_user ON infor_sessions(user_id)",
    NULL
};

/* Version 2: the audit trail and password reset codes. */
static const char *const schema_v2[] = {
    "CREATE TABLE infor_audit ("
    " id @ID@,"
    " at BIGINT NOT NULL,"
    " actor_id BIGINT NOT NULL DEFAULT 0,"
    " actor_name TEXT NOT NULL DEFAULT '',"
    " action TEXT NOT NULL,"
    " target_id BIGINT NOT NULL,"
    " target_name TEXT NOT NULL,"
    " target_key TEXT NOT NULL,"
    " fields TEXT NOT NULL DEFAULT '',"
    " client TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX infor_audit_target ON infor_audit(target_id)",
    "CREATE TABLE infor_resets ("
    " user_id BIGINT PRIMARY KEY REFERENCES infor_users(id) ON DELETE CASCADE,"
    " secret TEXT NOT NULL,"
    " expires BIGINT NOT NULL)",
    NULL
};

/* Version 3: many users.  An index for each sort order of the lists
 * (store_user.c; the same expressions as SORT_KEYS below, then the
 * tie-breakers), which also serves the email lookup of ForgotPassword;
 * descending ones for the keys with few values, whose groups an index
 * walked backwards would leave to be sorted whole.  And the number of
 * users by status and type, kept by the database in the transaction
 * that adds, removes or changes a user (triggers), so that an unfiltered
 * total needs no count of the table.  On PostgreSQL the counts are
 * spread over 16 rows (slot: id % 16), so that concurrent writers do not
 * all wait on one row.  "@SQLITE@" and "@PG@" steps are one dialect's. */
#define TIE ", lower(first_name), lower(last_name), id," COVER ")"
/* And the columns the key is made of, and the status and type, so that a
 * page far into an unfiltered list steps over the rows before it in the
 * index alone (SQLite: a covering index; PostgreSQL: an index-only scan),
 * never in the table (ST_USER_PAGE). */
#define COVER " first_name, last_name, enabled, read_only"
#define TIE_AND(col) ", lower(first_name), lower(last_name), id," COVER \
                     ", " col ")"
#define FOLD_COL(c) "ALTER TABLE infor_users ADD COLUMN " c \
                    " TEXT NOT NULL DEFAULT ''"
static const char *const schema_v3[] = {
    /* The texts the "contains" filters look in, folded by the module
     * (infor_fold): the same on every store, for all of Unicode.  "@FOLD@"
     * fills them for the users there are. */
    FOLD_COL("fold_user"), FOLD_COL("fold_first"), FOLD_COL("fold_last"),
    FOLD_COL("fold_email"), FOLD_COL("fold_auth"), FOLD_COL("fold_domain"),
    "@FOLD@",
    /* PostgreSQL: trigram indexes make "contains" an index search, where
     * the extension pg_trgm can be had ("@TRGM@": else none, and the
     * filters read the table). */
    "@TRGM@",
    /* InforAuditRetention removes the oldest audit rows. */
    "CREATE INDEX infor_audit_at ON infor_audit(at)",
    "CREATE INDEX infor_users_sort0 ON infor_users"
    " (lower(first_name || ' ' || last_name)" TIE,
    "CREATE INDEX infor_users_sort1 ON infor_users (lower(username)"
    TIE_AND("username"),
    "CREATE INDEX infor_users_sort3 ON infor_users"
    " (lower(last_name || ' ' || first_name)" TIE,
    "CREATE INDEX infor_users_sort4 ON infor_users (lower(email)"
    TIE_AND("email"),
    "CREATE INDEX infor_users_sort5 ON infor_users"
    " (CAST(enabled AS TEXT)" TIE,
    "CREATE INDEX infor_users_sort5d ON infor_users"
    " (CAST(enabled AS TEXT) DESC" TIE,
    "CREATE INDEX infor_users_sort6 ON infor_users (lower(auth_authority)"
    TIE_AND("auth_authority"),
    "CREATE INDEX infor_users_sort6d ON infor_users"
    " (lower(auth_authority) DESC" TIE_AND("auth_authority"),
    "CREATE INDEX infor_users_sort7 ON infor_users (lower(domain)"
    TIE_AND("domain"),
    "CREATE INDEX infor_users_sort7d ON infor_users (lower(domain) DESC"
    TIE_AND("domain"),
    "CREATE INDEX infor_users_sort8 ON infor_users"
    " (CAST(read_only AS TEXT)" TIE,
    "CREATE INDEX infor_users_sort8d ON infor_users"
    " (CAST(read_only AS TEXT) DESC" TIE,
    "CREATE TABLE infor_user_counts ("
    " slot INTEGER NOT NULL,"
    " enabled INTEGER NOT NULL,"
    " read_only INTEGER NOT NULL,"
    " n BIGINT NOT NULL,"
    " PRIMARY KEY (slot, enabled, read_only))",
    "INSERT INTO infor_user_counts (slot, enabled, read_only, n)"
    " SELECT 0, enabled, read_only, COUNT(*) FROM infor_users"
    " GROUP BY enabled, read_only",
    "@SQLITE@CREATE TRIGGER infor_users_count_ins AFTER INSERT ON infor_users"
    " BEGIN INSERT INTO infor_user_counts (slot, enabled, read_only, n)"
    " VALUES (0, NEW.enabled, NEW.read_only, 1)"
    " ON CONFLICT (slot, enabled, read_only) DO UPDATE SET n = n + 1; END",
    "@SQLITE@CREATE TRIGGER infor_users_count_del AFTER DELETE ON infor_users"
    " BEGIN UPDATE infor_user_counts SET n = n - 1 WHERE slot = 0"
    " AND enabled = OLD.enabled AND read_only = OLD.read_only; END",
    "@SQLITE@CREATE TRIGGER infor_users_count_upd"
    " AFTER UPDATE OF enabled, read_only ON infor_users"
    " WHEN OLD.enabled <> NEW.enabled OR OLD.read_only <> NEW.read_only"
    " BEGIN UPDATE infor_user_counts SET n = n - 1 WHERE slot = 0"
    " AND enabled = OLD.enabled AND read_only = OLD.read_only;"
    " INSERT INTO infor_user_counts (slot, enabled, read_only, n)"
    " VALUES (0, NEW.enabled, NEW.read_only, 1)"
    " ON CONFLICT (slot, enabled, read_only) DO UPDATE SET n = n + 1; END",
    /* Statement triggers with transition tables: one pass per statement,
     * also for a bulk load. */
    /* PL/pgSQL plans a statement when it first runs it: each branch
     * names only the transition table its trigger has. */
    "@PG@CREATE FUNCTION infor_user_counts_keep() RETURNS trigger"
    " LANGUAGE plpgsql AS $f$ BEGIN"
    " IF TG_OP = 'INSERT' THEN"
    " INSERT INTO infor_user_counts AS c (slot, enabled, read_only, n)"
    " SELECT id % 16, enabled, read_only, COUNT(*) FROM infor_counted_new"
    " GROUP BY 1, 2, 3"
    " ON CONFLICT (slot, enabled, read_only) DO UPDATE SET n = c.n + excluded.n;"
    " ELSE"
    " INSERT INTO infor_user_counts AS c (slot, enabled, read_only, n)"
    " SELECT id % 16, enabled, read_only, -COUNT(*) FROM infor_counted_old"
    " GROUP BY 1, 2, 3"
    " ON CONFLICT (slot, enabled, read_only) DO UPDATE SET n = c.n + excluded.n;"
    " END IF;"
    " RETURN NULL; END $f$",
    "@PG@CREATE FUNCTION infor_user_counts_move() RETURNS trigger"
    " LANGUAGE plpgsql AS $f$ BEGIN"
    " INSERT INTO infor_user_counts AS c (slot, enabled, read_only, n)"
    " SELECT slot, enabled, read_only, SUM(d) FROM ("
    "  SELECT n.id % 16 AS slot, n.enabled, n.read_only, 1 AS d"
    "  FROM infor_counted_new n JOIN infor_counted_old o ON o.id = n.id"
    "  WHERE o.enabled <> n.enabled OR o.read_only <> n.read_only"
    "  UNION ALL SELECT o.id % 16, o.enabled, o.read_only, -1"
    "  FROM infor_counted_new n JOIN infor_counted_old o ON o.id = n.id"
    "  WHERE o.enabled <> n.enabled OR o.read_only <> n.read_only"
    " ) x GROUP BY slot, enabled, read_only"
    " ON CONFLICT (slot, enabled, read_only) DO UPDATE SET n = c.n + excluded.n;"
    " RETURN NULL; END $f$",
    "@PG@CREATE TRIGGER infor_users_count_ins AFTER INSERT ON infor_users"
    " REFERENCING NEW TABLE AS infor_counted_new"
    " FOR EACH STATEMENT EXECUTE FUNCTION infor_user_counts_keep()",
    "@PG@CREATE TRIGGER infor_users_count_del AFTER DELETE ON infor_users"
    " REFERENCING OLD TABLE AS infor_counted_old"
    " FOR EACH STATEMENT EXECUTE FUNCTION infor_user_counts_keep()",
    /* Every UPDATE (transition tables take no column list); one that
     * changes neither column adds no row, and so locks none. */
    "@PG@CREATE TRIGGER infor_users_count_upd AFTER UPDATE ON infor_users"
    " REFERENCING OLD TABLE AS infor_counted_old"
    " NEW TABLE AS infor_counted_new"
    " FOR EACH STATEMENT EXECUTE FUNCTION infor_user_counts_move()",
    NULL
};
#undef TIE
#undef TIE_AND
#undef COVER
#undef FOLD_COL

/* Version 4: SQLite's "contains" filters search an index.  "@FTS@": an
 * FTS5 table of the folded texts with the trigram tokenizer (SQLite 3.34
 * and later), whose rows the triggers below keep in step with the users'
 * (so also for inforadm and other writers of the table).  A SQLite
 * without FTS5 or trigrams goes on without it: the filters then read the
 * table, as before (see optional_steps). */
/* And audit rows that do not all go to one place on a distributed
 * engine: the module gives each a random 63-bit id (store_user.c) where
 * the sequence gave the next number, so inserts spread over the key's
 * range.  The order of the trail is then time, to the microsecond (at_us:
 * 0 for the rows written before, which keep the order of their ids within
 * their second), then id; infor_audit_order walks it (inforadm audit). */
static const char *const schema_v4[] = {
    "@FTS@",
    "ALTER TABLE infor_audit ADD COLUMN at_us BIGINT NOT NULL DEFAULT 0",
    "CREATE INDEX infor_audit_order ON infor_audit (at, at_us, id)",
    /* The rows about a name (inforadm audit NAME). */
    "CREATE INDEX infor_audit_key ON infor_audit (target_key)",
    NULL
};

/* infor_audit_order (at, at_us, id) serves every use of infor_audit_at
 * (at): each audit row wrote one index more than it needed. */
static const char *const schema_v5[] = {
    "DROP INDEX IF EXISTS infor_audit_at",
    NULL
};

/* Version 6, PostgreSQL: the counts follow a change of status or type
 * as SQLite's do, by a row trigger that only an UPDATE setting one of the
 * two columns to another value fires.  The statement trigger of version 3
 * ran on every UPDATE (transition tables take no column list): a contact
 * change or a logon paid for its tables, a join and an upsert that added
 * nothing, about a tenth of a write's CPU.  Inserts and deletes keep their
 * statement triggers: one pass for a bulk load. */
static const char *const schema_v6[] = {
    "@PG@DROP TRIGGER infor_users_count_upd ON infor_users",
    "@PG@DROP FUNCTION infor_user_counts_move()",
    /* The two rows differ in status or type (the WHEN below), so the
     * upsert never meets one of its own rows twice. */
    "@PG@CREATE FUNCTION infor_user_counts_move() RETURNS trigger"
    " LANGUAGE plpgsql AS $f$ BEGIN"
    " INSERT INTO infor_user_counts AS c (slot, enabled, read_only, n)"
    " VALUES (NEW.id % 16, NEW.enabled, NEW.read_only, 1),"
    " (OLD.id % 16, OLD.enabled, OLD.read_only, -1)"
    " ON CONFLICT (slot, enabled, read_only) DO UPDATE SET n = c.n + excluded.n;"
    " RETURN NULL; END $f$",
    "@PG@CREATE TRIGGER infor_users_count_upd"
    " AFTER UPDATE OF enabled, read_only ON infor_users FOR EACH ROW"
    " WHEN (OLD.enabled <> NEW.enabled OR OLD.read_only <> NEW.read_only)"
    " EXECUTE FUNCTION infor_user_counts_move()",
    NULL
};

/* Version 7: the exact total of a list filtered on one of the texts many
 * users share (first name, last name, authentication source, domain),
 * without reading every user that passes.  infor_value_counts holds, for
 * each folded value of those columns (col: the filter's place, as
 * store_list.c's query_texts), how many users by status and type hold
 * it; the total is then the sum over the values that contain the filter,
 * which an index of the values finds ("@VALUES@": PostgreSQL's trigram
 * index, SQLite's FTS5 table, each where the store has it).  Names and
 * addresses, one per user, are not kept: a table of them would be the
 * users again.  On PostgreSQL a value's count is spread over 16 slots by
 * id, as infor_user_counts: users created at once with the same source
 * do not queue on one row.  Triggers keep it, so for inforadm too. */
#define VALUE_ROWS(who, slot) \
    " SELECT 0 AS col, " who "fold_first AS value, " slot " AS slot," \
    " " who "enabled AS enabled, " who "read_only AS read_only" \
    " UNION ALL SELECT 1, " who "fold_last, " slot ", " who "enabled, " \
    who "read_only" \
    " UNION ALL SELECT 4, " who "fold_auth, " slot ", " who "enabled, " \
    who "read_only" \
    " UNION ALL SELECT 5, " who "fold_domain, " slot ", " who "enabled, " \
    who "read_only"
#define VALUE_COLS \
    " col INTEGER NOT NULL, value TEXT NOT NULL, slot INTEGER NOT NULL," \
    " enabled INTEGER NOT NULL, read_only INTEGER NOT NULL," \
    " n BIGINT NOT NULL,"
#define VALUE_FILL(c, col) \
    " SELECT " c ", " col ", @SLOT@, enabled, read_only, COUNT(*)" \
    " FROM infor_users WHERE " col " <> '' GROUP BY 2, 3, 4, 5"
#define VALUE_UPSERT \
    " ON CONFLICT (col, value, slot, enabled, read_only)" \
    " DO UPDATE SET n = c.n + excluded.n"
#define VALUE_TAKE(c, v) \
    " UPDATE infor_value_counts SET n = n - 1 WHERE col = " c \
    " AND value = " v " AND slot = 0 AND enabled = OLD.enabled" \
    " AND read_only = OLD.read_only;"
#define VALUE_TAKE_ALL \
    VALUE_TAKE("0", "OLD.fold_first") VALUE_TAKE("1", "OLD.fold_last") \
    VALUE_TAKE("4", "OLD.fold_auth") VALUE_TAKE("5", "OLD.fold_domain")
/* (A trigger's INSERT in SQLite names its table without an alias.) */
#define VALUE_INSERT(ROWS) \
    " INSERT INTO infor_value_counts" \
    " (col, value, slot, enabled, read_only, n)" \
    " SELECT col, value, slot, enabled, read_only, 1 FROM (" \
    ROWS("NEW.", "0") ") WHERE value <> ''" \
    " ON CONFLICT (col, value, slot, enabled, read_only)" \
    " DO UPDATE SET n = n + excluded.n;"
#define VALUE_ADD VALUE_INSERT(VALUE_ROWS)
/* PostgreSQL's functions of the triggers, counting the values of ROWS. */
#define VALUE_KEEP_FN(create, ROWS) \
    "@PG@" create " FUNCTION infor_value_counts_keep() RETURNS trigger" \
    " LANGUAGE plpgsql AS $f$ BEGIN" \
    " IF TG_OP = 'INSERT' THEN" \
    " INSERT INTO infor_value_counts AS c" \
    " (col, value, slot, enabled, read_only, n)" \
    " SELECT v.col, v.value, v.slot, v.enabled, v.read_only, COUNT(*)" \
    " FROM infor_valued_new u CROSS JOIN LATERAL (" \
    ROWS("u.", "u.id % 16") ") v" \
    " WHERE v.value <> '' GROUP BY 1, 2, 3, 4, 5" VALUE_UPSERT ";" \
    " ELSE" \
    " INSERT INTO infor_value_counts AS c" \
    " (col, value, slot, enabled, read_only, n)" \
    " SELECT v.col, v.value, v.slot, v.enabled, v.read_only, -COUNT(*)" \
    " FROM infor_valued_old u CROSS JOIN LATERAL (" \
    ROWS("u.", "u.id % 16") ") v" \
    " WHERE v.value <> '' GROUP BY 1, 2, 3, 4, 5" VALUE_UPSERT ";" \
    " END IF;" \
    " RETURN NULL; END $f$"
#define VALUE_MOVE_FN(create, ROWS) \
    "@PG@" create " FUNCTION infor_value_counts_move() RETURNS trigger" \
    " LANGUAGE plpgsql AS $f$ BEGIN" \
    " INSERT INTO infor_value_counts AS c" \
    " (col, value, slot, enabled, read_only, n)" \
    " SELECT col, value, slot, enabled, read_only, SUM(d) FROM (" \
    " SELECT v.*, 1 AS d FROM (" ROWS("NEW.", "NEW.id % 16") ") v" \
    " UNION ALL SELECT v.*, -1 FROM (" \
    ROWS("OLD.", "OLD.id % 16") ") v) x" \
    " WHERE value <> '' GROUP BY 1, 2, 3, 4, 5 HAVING SUM(d) <> 0" \
    VALUE_UPSERT ";" \
    " RETURN NULL; END $f$"
static const char *const schema_v7[] = {
    /* SQLite: an id of its own, which VACUUM keeps, for the FTS5 table
     * of the values (a rowid it may renumber). */
    "@SQLITE@CREATE TABLE infor_value_counts (id INTEGER PRIMARY KEY,"
    VALUE_COLS " UNIQUE (col, value, slot, enabled, read_only))",
    "@PG@CREATE TABLE infor_value_counts (" VALUE_COLS
    " PRIMARY KEY (col, value, slot, enabled, read_only))",
    "INSERT INTO infor_value_counts (col, value, slot, enabled, read_only, n)"
    VALUE_FILL("0", "fold_first") " UNION ALL" VALUE_FILL("1", "fold_last")
    " UNION ALL" VALUE_FILL("4", "fold_auth")
    " UNION ALL" VALUE_FILL("5", "fold_domain"),
    /* SQLite: a row's values out, then in; the first and last names
     * are often the same in both, and the update's WHEN skips most
     * changes (a contact change sets none of these columns). */
    "@SQLITE@CREATE TRIGGER infor_users_values_ins AFTER INSERT ON infor_users"
    " BEGIN" VALUE_ADD " END",
    "@SQLITE@CREATE TRIGGER infor_users_values_del AFTER DELETE ON infor_users"
    " BEGIN" VALUE_TAKE_ALL " END",
    "@SQLITE@CREATE TRIGGER infor_users_values_upd AFTER UPDATE OF"
    " fold_first, fold_last, fold_auth, fold_domain, enabled, read_only"
    " ON infor_users WHEN OLD.fold_first IS NOT NEW.fold_first"
    " OR OLD.fold_last IS NOT NEW.fold_last"
    " OR OLD.fold_auth IS NOT NEW.fold_auth"
    " OR OLD.fold_domain IS NOT NEW.fold_domain"
    " OR OLD.enabled <> NEW.enabled OR OLD.read_only <> NEW.read_only"
    " BEGIN" VALUE_TAKE_ALL VALUE_ADD " END",
    /* PostgreSQL: inserts and deletes by statement (one pass for a bulk
     * load), an update by row when it changes a value, a status or a
     * type.  The rows out and in are summed first: an upsert may not meet
     * one of its own rows twice. */
    VALUE_KEEP_FN("CREATE", VALUE_ROWS),
    VALUE_MOVE_FN("CREATE", VALUE_ROWS),
    "@PG@CREATE TRIGGER infor_users_values_ins AFTER INSERT ON infor_users"
    " REFERENCING NEW TABLE AS infor_valued_new"
    " FOR EACH STATEMENT EXECUTE FUNCTION infor_value_counts_keep()",
    "@PG@CREATE TRIGGER infor_users_values_del AFTER DELETE ON infor_users"
    " REFERENCING OLD TABLE AS infor_valued_old"
    " FOR EACH STATEMENT EXECUTE FUNCTION infor_value_counts_keep()",
    "@PG@CREATE TRIGGER infor_users_values_upd AFTER UPDATE OF"
    " fold_first, fold_last, fold_auth, fold_domain, enabled, read_only"
    " ON infor_users FOR EACH ROW"
    " WHEN (OLD.fold_first <> NEW.fold_first"
    " OR OLD.fold_last <> NEW.fold_last OR OLD.fold_auth <> NEW.fold_auth"
    " OR OLD.fold_domain <> NEW.fold_domain"
    " OR OLD.enabled <> NEW.enabled OR OLD.read_only <> NEW.read_only)"
    " EXECUTE FUNCTION infor_value_counts_move()",
    "@VALUES@",
    NULL
};

/* Version 8: the addresses too, by the part from their first '@'.  A
 * filter that begins with '@' can only match an address from one of its
 * '@'s on, so the users whose address contains it are exactly those whose
 * part contains it: a list filtered on a mail domain ("@example.com") is
 * then counted by its few values, not by its many users.  (Whole
 * addresses, one per user, would be the users again.)  The triggers of
 * version 7 are made again with the part's row (col 3, as query_texts). */
#define AT_PART(a) \
    "CASE WHEN @STRPOS@(" a ", '@') > 0" \
    " THEN substr(" a ", @STRPOS@(" a ", '@')) ELSE '' END"
#define VALUE_ROWS_AT(who, slot) \
    VALUE_ROWS(who, slot) \
    " UNION ALL SELECT 3, " AT_PART(who "fold_email") ", " slot ", " \
    who "enabled, " who "read_only"
#define VALUE_CHANGED(ne) \
    " OLD.fold_first " ne " NEW.fold_first" \
    " OR OLD.fold_last " ne " NEW.fold_last" \
    " OR OLD.fold_auth " ne " NEW.fold_auth" \
    " OR OLD.fold_domain " ne " NEW.fold_domain" \
    " OR " AT_PART("OLD.fold_email") " " ne " " \
    AT_PART("NEW.fold_email") \
    " OR OLD.enabled <> NEW.enabled OR OLD.read_only <> NEW.read_only"
#define VALUE_COLUMNS \
    " fold_first, fold_last, fold_email, fold_auth, fold_domain, enabled," \
    " read_only"
static const char *const schema_v8[] = {
    "INSERT INTO infor_value_counts (col, value, slot, enabled, read_only, n)"
    VALUE_FILL("3", AT_PART("fold_email")),
    "@SQLITE@DROP TRIGGER infor_users_values_ins",
    "@SQLITE@DROP TRIGGER infor_users_values_del",
    "@SQLITE@DROP TRIGGER infor_users_values_upd",
    "@SQLITE@CREATE TRIGGER infor_users_values_ins AFTER INSERT ON infor_users"
    " BEGIN" VALUE_INSERT(VALUE_ROWS_AT) " END",
    "@SQLITE@CREATE TRIGGER infor_users_values_del AFTER DELETE ON infor_users"
    " BEGIN" VALUE_TAKE_ALL VALUE_TAKE("3", AT_PART("OLD.fold_email")) " END",
    "@SQLITE@CREATE TRIGGER infor_users_values_upd AFTER UPDATE OF"
    VALUE_COLUMNS " ON infor_users WHEN" VALUE_CHANGED("IS NOT")
    " BEGIN" VALUE_TAKE_ALL VALUE_TAKE("3", AT_PART("OLD.fold_email"))
    VALUE_INSERT(VALUE_ROWS_AT) " END",
    VALUE_KEEP_FN("CREATE OR REPLACE", VALUE_ROWS_AT),
    VALUE_MOVE_FN("CREATE OR REPLACE", VALUE_ROWS_AT),
    "@PG@DROP TRIGGER infor_users_values_upd ON infor_users",
    "@PG@CREATE TRIGGER infor_users_values_upd AFTER UPDATE OF"
    VALUE_COLUMNS " ON infor_users FOR EACH ROW WHEN (" VALUE_CHANGED("<>")
    ") EXECUTE FUNCTION infor_value_counts_move()",
    NULL
};
#undef AT_PART
#undef VALUE_ROWS_AT
#undef VALUE_CHANGED
#undef VALUE_COLUMNS
#undef VALUE_KEEP_FN
#undef VALUE_MOVE_FN
#undef VALUE_INSERT
#undef VALUE_ROWS
#undef VALUE_UPSERT
#undef VALUE_FILL
#undef VALUE_COLS
#undef VALUE_TAKE
#undef VALUE_TAKE_ALL
#undef VALUE_ADD

static const char *const *const schema_steps[INFOR_SCHEMA_VERSION] = {
    schema_v1,
    schema_v2,
    schema_v3,
    schema_v4,
    schema_v5,
    schema_v6,
    schema_v7,
    schema_v8,
};

/* The FTS5 table (external content: the texts stay in infor_users only)
 * and its triggers.  The module folds the texts; the tokenizer must not
 * (case_sensitive 1): a filter is then exactly a LIKE '%...%' of the
 * folded texts.  A trigger hands the index the old texts to remove. */
#define FTS_COLS "fold_user, fold_first, fold_last, fold_email, fold_auth," \
                 " fold_domain"
#define FTS_OLD "OLD.fold_user, OLD.fold_first, OLD.fold_last," \
                " OLD.fold_email, OLD.fold_auth, OLD.fold_domain"
#define FTS_NEW "NEW.fold_user, NEW.fold_first, NEW.fold_last," \
                " NEW.fold_email, NEW.fold_auth, NEW.fold_domain"
static const char *const fts_steps[] = {
    "CREATE VIRTUAL TABLE infor_users_fts USING fts5(" FTS_COLS ","
    " content='infor_users', content_rowid='id',"
    " tokenize='trigram case_sensitive 1')",
    "INSERT INTO infor_users_fts (infor_users_fts) VALUES ('rebuild')",
    "CREATE TRIGGER infor_users_fts_ins AFTER INSERT ON infor_users"
    " BEGIN INSERT INTO infor_users_fts (rowid, " FTS_COLS ")"
    " VALUES (NEW.id, " FTS_NEW "); END",
    "CREATE TRIGGER infor_users_fts_del AFTER DELETE ON infor_users"
    " BEGIN INSERT INTO infor_users_fts (infor_users_fts, rowid, " FTS_COLS
    ") VALUES ('delete', OLD.id, " FTS_OLD "); END",
    "CREATE TRIGGER infor_users_fts_upd AFTER UPDATE OF id, " FTS_COLS
    " ON infor_users WHEN OLD.id IS NOT NEW.id"
    " OR OLD.fold_user IS NOT NEW.fold_user"
    " OR OLD.fold_first IS NOT NEW.fold_first"
    " OR OLD.fold_last IS NOT NEW.fold_last"
    " OR OLD.fold_email IS NOT NEW.fold_email"
    " OR OLD.fold_auth IS NOT NEW.fold_auth"
    " OR OLD.fold_domain IS NOT NEW.fold_domain"
    " BEGIN INSERT INTO infor_users_fts (infor_users_fts, rowid, " FTS_COLS
    ") VALUES ('delete', OLD.id, " FTS_OLD ");"
    " INSERT INTO infor_users_fts (rowid, " FTS_COLS ")"
    " VALUES (NEW.id, " FTS_NEW "); END",
    NULL
};
#undef FTS_COLS
#undef FTS_OLD
#undef FTS_NEW

/* PostgreSQL (schema 3): the folded texts' trigram indexes. */
#define TRGM(c) "CREATE INDEX infor_users_trgm_" c " ON infor_users" \
                " USING gin (fold_" c " gin_trgm_ops)"
static const char *const trgm_steps[] = {
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    TRGM("user"), TRGM("first"), TRGM("last"), TRGM("email"), TRGM("auth"),
    TRGM("domain"),
    NULL
};
#undef TRGM

/* Schema 7: what finds the values containing a filter. */
static const char *const values_trgm_steps[] = {
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX infor_value_counts_trgm ON infor_value_counts"
    " USING gin (value gin_trgm_ops)",
    NULL
};
/* SQLite: the values are never removed (a count may go to 0), nor
 * changed: a row's text enters the index once. */
static const char *const values_fts_steps[] = {
    "CREATE VIRTUAL TABLE infor_values_fts USING fts5(value,"
    " content='infor_value_counts', content_rowid='id',"
    " tokenize='trigram case_sensitive 1')",
    "INSERT INTO infor_values_fts (infor_values_fts) VALUES ('rebuild')",
    "CREATE TRIGGER infor_values_fts_ins AFTER INSERT ON infor_value_counts"
    " BEGIN INSERT INTO infor_values_fts (rowid, value)"
    " VALUES (NEW.id, NEW.value); END",
    "CREATE TRIGGER infor_values_fts_del AFTER DELETE ON infor_value_counts"
    " BEGIN INSERT INTO infor_values_fts (infor_values_fts, rowid, value)"
    " VALUES ('delete', OLD.id, OLD.value); END",
    NULL
};

/* ------------------------------------------------------- statements */

/* The user columns of every user SELECT, read by infor_db_read_user(). */
#define USER_COLS \
    "u.id, u.username, u.first_name, u.last_name, u.email, u.mobile," \
    " u.enabled, u.read_only, u.is_admin, u.domain, u.auth_authority," \
    " u.last_logon, u.last_password_change, u.created, u.updated," \
    " u.password, u.pref_language, u.pref_default_portal," \
    " u.pref_show_archives, u.pref_show_hiddens, u.pref_notification," \
    " u.pref_email_type, u.pref_attach_document"

/* An audit row's columns, in the order store_user.c binds them
 * (audit_args). */
#define AUDIT_COLS \
    "(id, at, at_us, actor_id, actor_name, action, target_id, target_name," \
    " target_key, fields, client)"

/* GetAllUsers1's filters: "contains" patterns (see store_user.c) on the
 * folded texts, each bound twice, NULL for a text not filtered (so that
 * no text is read for it: five LIKE '%' on each of a million users
 * doubled a count's time on SQLite; PostgreSQL's custom plans drop the
 * term), the status (-1 all) and read_only (-1 all) filters. */
#define USER_FILTER \
    " WHERE (%s IS NULL OR u.fold_first LIKE %s ESCAPE '!')" \
    " AND (%s IS NULL OR u.fold_last LIKE %s ESCAPE '!')" \
    " AND (%s IS NULL OR u.fold_user LIKE %s ESCAPE '!')" \
    " AND (%s IS NULL OR u.fold_email LIKE %s ESCAPE '!')" \
    " AND (%s IS NULL OR u.fold_auth LIKE %s ESCAPE '!')" \
    " AND (%s IS NULL OR u.fold_domain LIKE %s ESCAPE '!')" \
    " AND (%d < 0 OR u.enabled = %d)" \
    " AND (%d < 0 OR u.read_only = %d)"

/* The same filters on SQLite's trigram index (ST_USER_FTS_*): the ids
 * the index finds, then status and type. */
#define FTS_FILTER \
    " WHERE u.id IN (SELECT rowid FROM infor_users_fts" \
    " WHERE infor_users_fts MATCH %s)" \
    " AND (%d < 0 OR u.enabled = %d)" \
    " AND (%d < 0 OR u.read_only = %d)"

/* GetAllUsers1's SortBy codes 0 to 8 (0 and 2, and any other code, are
 * first + last name); each has the index infor_users_sortN.  Ties go by
 * first name, last name and id, ascending in both directions. */
#define SORT_KEY \
    "CASE %d WHEN 1 THEN lower(u.username)" \
    " WHEN 3 THEN lower(u.last_name || ' ' || u.first_name)" \
    " WHEN 4 THEN lower(u.email)" \
    " WHEN 5 THEN CAST(u.enabled AS TEXT)" \
    " WHEN 6 THEN lower(u.auth_authority)" \
    " WHEN 7 THEN lower(u.domain)" \
    " WHEN 8 THEN CAST(u.read_only AS TEXT)" \
    " ELSE lower(u.first_name || ' ' || u.last_name) END"
static const char *const sort_keys[9] = {
    "lower(u.first_name || ' ' || u.last_name)",
    "lower(u.username)",
    "lower(u.first_name || ' ' || u.last_name)",
    "lower(u.last_name || ' ' || u.first_name)",
    "lower(u.email)",
    "CAST(u.enabled AS TEXT)",
    "lower(u.auth_authority)",
    "lower(u.domain)",
    "CAST(u.read_only AS TEXT)",
};

/* The columns a change may set: the text ones (NULL keeps) then the
 * numbers (-1 keeps), in the order of infor_user_change. */
static const char *const change_text_cols[] = {
    "username", "first_name", "last_name", "email", "mobile",
    "auth_authority", "password", "pref_language", "pref_default_portal",
    "pref_email_type", NULL
};
/* The folded columns a change may set, with their texts (username,
 * first_name, last_name, email, auth_authority: store_user.c binds them
 * in this order). */
static const char *const fold_cols[] = {
    "fold_user", "fold_first", "fold_last", "fold_email", "fold_auth", NULL
};
static const char *const change_int_cols[] = {
    "enabled", "read_only", "pref_show_archives", "pref_show_hiddens",
    "pref_notification", "pref_attach_document", NULL
};
/* The columns of a change that the sort indexes hold, but for email (by
 * position in change_text_cols, change_int_cols and fold_cols).  SQLite
 * rewrites every index holding a column an UPDATE assigns, even to its
 * own value; ST_USER_UPDATE_LIGHT assigns none of these, so the common
 * changes (contact, password, preferences) write the row and at most the
 * email index, not all twelve. */
static const int heavy_text[] = { 1, 1, 1, 0, 0, 1, 0, 0, 0, 0 };
static const int heavy_int[] = { 1, 1, 0, 0, 0, 0 };
static const int heavy_fold[] = { 1, 1, 1, 0, 1 };

static const struct {
    const char *label;
    const char *sql;    /* NULL: built at attach (ST_USER_UPDATE) */
} stmts[ST_COUNT] = {
    [ST_USER_BY_KEY] = { "infor_user_by_key",
        "SELECT " USER_COLS " FROM infor_users u WHERE u.name_key = %s" },
    [ST_USER_BY_ID] = { "infor_user_by_id",
        "SELECT " USER_COLS " FROM infor_users u WHERE u.id = %lld" },
    [ST_USER_LIST] = { "infor_user_list",
        "SELECT " USER_COLS " FROM infor_users u ORDER BY u.id" },
    /* Built at attach (query_sql); by infor_store_user_query_stmt(). */
#define QUERY(n) [ST_USER_QUERY + n] = { "infor_user_query_" #n, NULL }
    QUERY(0), QUERY(1), QUERY(2), QUERY(3), QUERY(4), QUERY(5), QUERY(6),
    QUERY(7), QUERY(8), QUERY(9), QUERY(10), QUERY(11), QUERY(12),
    QUERY(13), QUERY(14), QUERY(15),
#undef QUERY
#define PAGE(n) [ST_USER_PAGE + n] = { "infor_user_page_" #n, NULL }
    PAGE(0), PAGE(1), PAGE(2), PAGE(3), PAGE(4), PAGE(5), PAGE(6),
    PAGE(7), PAGE(8), PAGE(9), PAGE(10), PAGE(11), PAGE(12),
    PAGE(13), PAGE(14), PAGE(15),
#undef PAGE
#define BWALK(n) [ST_USER_BWALK + n] = { "infor_user_bwalk_" #n, NULL }
    BWALK(0), BWALK(1), BWALK(2), BWALK(3), BWALK(4), BWALK(5), BWALK(6),
    BWALK(7), BWALK(8), BWALK(9), BWALK(10), BWALK(11), BWALK(12),
    BWALK(13), BWALK(14), BWALK(15),
#undef BWALK
    /* A filter that not most users pass: reading them (a trigram index
     * on PostgreSQL, else the table) and sorting them beats walking a
     * sort index past all the others.  The subquery is a fence
     * (@FENCE@): PostgreSQL folds a custom plan's CASE keys into the sort
     * index's expression and would walk it, past 818,182 users for a
     * first name of "Zoë" sorted by name (3.6 s at a million users). */
    [ST_USER_QUERY_SORTED] = { "infor_user_query_sorted",
        "SELECT " USER_COLS " FROM (SELECT * FROM infor_users u"
        USER_FILTER "@FENCE@) u"
        " ORDER BY CASE WHEN %d = 1 THEN " SORT_KEY " END ASC,"
        " CASE WHEN %d = 0 THEN " SORT_KEY " END DESC,"
        " lower(u.first_name), lower(u.last_name), u.id"
        " LIMIT %lld OFFSET %lld" },
    /* The same page with the count of all the users that pass (a column
     * of every row): they are read once, their sort keys kept, the page's
     * users then read whole. */
    [ST_USER_QUERY_COUNTED] = { "infor_user_query_counted",
        "SELECT " USER_COLS ", p.total FROM (SELECT u.id,"
        " COUNT(*) OVER () AS total,"
        " CASE WHEN %d = 1 THEN " SORT_KEY " END AS ka,"
        " CASE WHEN %d = 0 THEN " SORT_KEY " END AS kd,"
        " lower(u.first_name) AS lf, lower(u.last_name) AS ll"
        " FROM (SELECT * FROM infor_users u" USER_FILTER "@FENCE@) u"
        " ORDER BY ka ASC, kd DESC, lf, ll, u.id LIMIT %lld OFFSET %lld) p"
        " JOIN infor_users u ON u.id = p.id"
        " ORDER BY p.ka ASC, p.kd DESC, p.lf, p.ll, p.id" },
    [ST_USER_COUNT] = { "infor_user_count",
        "SELECT COUNT(*) FROM infor_users u" USER_FILTER },
    /* GetAllUsers' order (sort code 0, ascending), a batch after the
     * last row of the one before: a walk of infor_users_sort0 that never
     * skips rows.  The first term alone lets SQLite seek the index. */
    [ST_USER_WALK] = { "infor_user_walk",
        "SELECT " USER_COLS ", lower(u.first_name || ' ' || u.last_name),"
        " lower(u.first_name), lower(u.last_name) FROM infor_users u"
        " WHERE lower(u.first_name || ' ' || u.last_name) >= %s"
        " AND (lower(u.first_name || ' ' || u.last_name), lower(u.first_name),"
        " lower(u.last_name), u.id) > (%s, %s, %s, %lld)"
        " ORDER BY lower(u.first_name || ' ' || u.last_name),"
        " lower(u.first_name), lower(u.last_name), u.id LIMIT %lld" },
    [ST_USER_COUNT_KEPT] = { "infor_user_count_kept",
        "SELECT COALESCE(SUM(n), 0) FROM infor_user_counts"
        " WHERE (%d < 0 OR enabled = %d) AND (%d < 0 OR read_only = %d)" },
    /* With the least value some user holds (a walk's start:
     * store_list.c, seek_key). */
    [ST_USER_VALUE_COUNT] = { "infor_user_value_count",
        "SELECT COALESCE(SUM(n), 0), MIN(CASE WHEN n > 0 THEN value END)"
        " FROM infor_value_counts"
        " WHERE col = %d AND value LIKE %s ESCAPE '!'"
        " AND (%d < 0 OR enabled = %d) AND (%d < 0 OR read_only = %d)" },
    [ST_USER_BY_EMAIL] = { "infor_user_by_email",
        "SELECT " USER_COLS " FROM infor_users u"
        " WHERE lower(u.email) = lower(%s) AND u.email <> '' ORDER BY u.id" },
    [ST_USER_INSERT] = { "infor_user_insert",
        "INSERT INTO infor_users (username, name_key, password, first_name,"
        " last_name, email, mobile, enabled, read_only, is_admin, domain,"
        " auth_authority, last_password_change, created, updated,"
        " fold_user, fold_first, fold_last, fold_email, fold_auth,"
        " fold_domain)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %d, %d, %d, %s, %s, %lld,"
        " %lld, %lld, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (name_key) DO NOTHING" },
    [ST_USER_UPDATE] = { "infor_user_update", NULL },
    [ST_USER_UPDATE_LIGHT] = { "infor_user_update_light", NULL },
    [ST_USER_UPDATE_AUDIT] = { "infor_user_update_audit", NULL },
    [ST_USER_DELETE] = { "infor_user_delete",
        "DELETE FROM infor_users WHERE id = %lld" },
    [ST_USER_SET_LOGON] = { "infor_user_set_logon",
        "UPDATE infor_users SET last_logon = %lld WHERE id = %lld" },
    [ST_ADMIN_COUNT] = { "infor_admin_count",
        "SELECT COUNT(*) FROM infor_users WHERE is_admin = 1" },
    /* PostgreSQL: a random id (schema 4), which is another row's once in
     * 2^62 inserts: then no row, and the store draws again.  SQLite: NULL,
     * the next rowid. */
    [ST_AUDIT_INSERT] = { "infor_audit_insert",
        "INSERT INTO infor_audit " AUDIT_COLS
        " VALUES (%lld, %lld, %lld, %lld, %s, %s, %lld, %s, %s, %s, %s)"
        " ON CONFLICT (id) DO NOTHING" },
    /* inforadm audit: a batch after the last row of the one before,
     * along infor_audit_order (the first term lets SQLite seek it), older
     * than a time, about a user or all. */
    [ST_AUDIT_WALK] = { "infor_audit_walk",
        "SELECT at, actor_name, action, target_id, target_name, fields,"
        " client, at_us, id FROM infor_audit"
        " WHERE at >= %lld AND (at, at_us, id) > (%lld, %lld, %lld)"
        " AND at < %lld"
        " AND (%d = 0 OR target_id = %lld OR target_id IN"
        " (SELECT target_id FROM infor_audit WHERE target_key = %s))"
        " ORDER BY at, at_us, id LIMIT %lld" },
    /* InforAuditRetention: the oldest first, along infor_audit_order. */
    [ST_AUDIT_PURGE] = { "infor_audit_purge",
        "DELETE FROM infor_audit WHERE id IN (SELECT id FROM infor_audit"
        " WHERE at < %lld ORDER BY at LIMIT %lld)" },
    /* Whether there is any to purge: a read, so an idle purge takes no
     * write lock. */
    [ST_AUDIT_OLD_ANY] = { "infor_audit_old_any",
        "SELECT 1 FROM infor_audit WHERE at < %lld LIMIT 1" },
    [ST_SESSION_INSERT] = { "infor_session_insert",
        "INSERT INTO infor_sessions (ticket, user_id, created, expires, lang)"
        " VALUES (%s, %lld, %lld, %lld, %s)" },
    [ST_SESSION_GET] = { "infor_session_get",
        "SELECT s.user_id, s.created, s.expires, s.lang, " USER_COLS
        " FROM infor_sessions s JOIN infor_users u ON u.id = s.user_id"
        " WHERE s.ticket = %s" },
    /* Only over an expiry at most the given one: of callers that all
     * found a refresh due, the first writes it, the others (waiting for
     * its row lock on PostgreSQL) then find it done and write nothing. */
    [ST_SESSION_EXTEND] = { "infor_session_extend",
        "UPDATE infor_sessions SET expires = %lld WHERE ticket = %s"
        " AND expires <= %lld" },
    [ST_SESSION_LANG] = { "infor_session_lang",
        "UPDATE infor_sessions SET lang = %s WHERE ticket = %s" },
    [ST_SESSION_DELETE] = { "infor_session_delete",
        "DELETE FROM infor_sessions WHERE ticket = %s" },
    [ST_SESSION_DROP_USER] = { "infor_session_drop_user",
        "DELETE FROM infor_sessions WHERE user_id = %lld" },
    [ST_SESSION_PURGE] = { "infor_session_purge",
        "DELETE FROM infor_sessions WHERE ticket IN (SELECT ticket"
        " FROM infor_sessions WHERE expires <= %lld ORDER BY expires"
        " LIMIT %lld)" },
    [ST_SESSION_EXPIRED_ANY] = { "infor_session_expired_any",
        "SELECT 1 FROM infor_sessions WHERE expires <= %lld LIMIT 1" },
    [ST_RESET_SET] = { "infor_reset_set",
        "INSERT INTO infor_resets (user_id, secret, expires)"
        " VALUES (%lld, %s, %lld) ON CONFLICT (user_id) DO UPDATE"
        " SET secret = excluded.secret, expires = excluded.expires" },
    [ST_RESET_GET] = { "infor_reset_get",
        "SELECT secret, expires FROM infor_resets WHERE user_id = %lld" },
    [ST_RESET_DELETE] = { "infor_reset_delete",
        "DELETE FROM infor_resets WHERE user_id = %lld" },
    [ST_RESET_TAKE] = { "infor_reset_take",
        "DELETE FROM infor_resets"
        " WHERE user_id = %lld AND secret = %s AND expires > %lld" },
    /* IMMEDIATE takes the file's write lock up front: a deferred
     * transaction that upgrades later can deadlock. */
    [ST_TX_BEGIN] = { "infor_tx_begin", "BEGIN IMMEDIATE" },
    [ST_TX_COMMIT] = { "infor_tx_commit", "COMMIT" },
    [ST_TX_ROLLBACK] = { "infor_tx_rollback", "ROLLBACK" },
    [ST_SP_SET] = { "infor_sp_set", "SAVEPOINT infor_change" },
    [ST_SP_UNDO] = { "infor_sp_undo", "ROLLBACK TO infor_change" },
    [ST_SP_RELEASE] = { "infor_sp_release", "RELEASE infor_change" },
    /* The ids that pass every "contains" filter, from the trigram index
     * (store_user.c builds the MATCH, one phrase per filter), are a
     * user's only filter besides status and type. */
    [ST_USER_FTS_COUNT_ALL] = { "infor_user_fts_count_all",
        "SELECT COUNT(*) FROM infor_users_fts WHERE infor_users_fts MATCH %s" },
    [ST_USER_FTS_COUNT] = { "infor_user_fts_count",
        "SELECT COUNT(*) FROM infor_users u" FTS_FILTER },
    [ST_USER_FTS_SORTED] = { "infor_user_fts_sorted",
        "SELECT " USER_COLS " FROM infor_users u" FTS_FILTER
        " ORDER BY CASE WHEN %d = 1 THEN " SORT_KEY " END ASC,"
        " CASE WHEN %d = 0 THEN " SORT_KEY " END DESC,"
        " lower(u.first_name), lower(u.last_name), u.id"
        " LIMIT %lld OFFSET %lld" },
    /* The users a MATCH finds among those whose ids are within a
     * distance of the middle of the ids: a sample of the index. */
    [ST_USER_FTS_SAMPLE] = { "infor_user_fts_sample",
        "SELECT COUNT(*) FROM infor_users_fts WHERE infor_users_fts MATCH %s"
        " AND rowid BETWEEN (SELECT MAX(id) FROM infor_users) / 2 - %lld"
        " AND (SELECT MAX(id) FROM infor_users) / 2 + %lld" },
    [ST_USER_FTS_PROBE] = { "infor_user_fts_probe",
        "SELECT COUNT(*) FROM (SELECT 1 FROM infor_users_fts"
        " WHERE infor_users_fts MATCH %s LIMIT %lld)" },
    /* Every user the MATCH finds that passes the patterns (NULL: that
     * filter is not checked), status and type: the id, the names and the
     * sort code's column.  CROSS JOIN: the index's ids in order, each
     * read in the table once. */
    [ST_USER_FTS_PASS] = { "infor_user_fts_pass",
        "SELECT u.id, u.first_name, u.last_name, CASE %d"
        " WHEN 1 THEN u.username WHEN 4 THEN u.email WHEN 5 THEN u.enabled"
        " WHEN 6 THEN u.auth_authority WHEN 7 THEN u.domain"
        " WHEN 8 THEN u.read_only END"
        " FROM infor_users_fts CROSS JOIN infor_users u"
        " ON u.id = infor_users_fts.rowid"
        " WHERE infor_users_fts MATCH %s"
        " AND (%s IS NULL OR u.fold_first LIKE %s ESCAPE '!')"
        " AND (%s IS NULL OR u.fold_last LIKE %s ESCAPE '!')"
        " AND (%s IS NULL OR u.fold_user LIKE %s ESCAPE '!')"
        " AND (%s IS NULL OR u.fold_email LIKE %s ESCAPE '!')"
        " AND (%s IS NULL OR u.fold_auth LIKE %s ESCAPE '!')"
        " AND (%s IS NULL OR u.fold_domain LIKE %s ESCAPE '!')"
        " AND (%d < 0 OR u.enabled = %d) AND (%d < 0 OR u.read_only = %d)" },
    [ST_VALUE_FTS_COUNT] = { "infor_value_fts_count",
        "SELECT COALESCE(SUM(v.n), 0),"
        " MIN(CASE WHEN v.n > 0 THEN v.value END) FROM infor_value_counts v"
        " WHERE v.id IN (SELECT rowid FROM infor_values_fts"
        " WHERE infor_values_fts MATCH %s)"
        " AND v.col = %d AND v.value LIKE %s ESCAPE '!'"
        " AND (%d < 0 OR v.enabled = %d) AND (%d < 0 OR v.read_only = %d)" },
#define FTS_WALK(n) [ST_USER_FTS_WALK + n] = { "infor_user_fts_walk_" #n, NULL }
    FTS_WALK(0), FTS_WALK(1), FTS_WALK(2), FTS_WALK(3), FTS_WALK(4),
    FTS_WALK(5), FTS_WALK(6), FTS_WALK(7), FTS_WALK(8), FTS_WALK(9),
    FTS_WALK(10), FTS_WALK(11), FTS_WALK(12), FTS_WALK(13), FTS_WALK(14),
    FTS_WALK(15),
#undef FTS_WALK
#define SEEK_WALK(n) \
    [ST_USER_SEEK_WALK + n] = { "infor_user_seek_walk_" #n, NULL }
    SEEK_WALK(0), SEEK_WALK(1), SEEK_WALK(2), SEEK_WALK(3),
#undef SEEK_WALK
};

/* UPDATE infor_users SET col = CASE WHEN %d = 1 THEN %s ELSE col END, ...
 * for every changeable column (see infor_store_user_update for the
 * binding order), then the derived name_key and last_password_change. */
/* light: without the columns infor_store_update_is_light() says a light
 * change leaves alone (and name_key); store_user.c binds the same way. */
static const char *update_sql(apr_pool_t *p, int light)
{
    const char *sql = "UPDATE infor_users SET";
    int i;

    for (i = 0; change_text_cols[i]; i++) {
        if (!(light && heavy_text[i])) {
            sql = apr_psprintf(p, "%s %s = CASE WHEN %%d = 1 THEN %%s ELSE"
                               " %s END,", sql, change_text_cols[i],
                               change_text_cols[i]);
        }
    }
    for (i = 0; change_int_cols[i]; i++) {
        if (!(light && heavy_int[i])) {
            sql = apr_psprintf(p, "%s %s = CASE WHEN %%d = 1 THEN %%d ELSE"
                               " %s END,", sql, change_int_cols[i],
                               change_int_cols[i]);
        }
    }
    /* The folded texts of the filters follow theirs: set with them. */
    for (i = 0; fold_cols[i]; i++) {
        if (!(light && heavy_fold[i])) {
            sql = apr_psprintf(p, "%s %s = CASE WHEN %%d = 1 THEN %%s ELSE"
                               " %s END,", sql, fold_cols[i], fold_cols[i]);
        }
    }
    if (!light) {
        sql = apr_pstrcat(p, sql, " name_key = CASE WHEN %d = 1 THEN %s"
                          " ELSE name_key END,", NULL);
    }
    return apr_pstrcat(p, sql,
        " last_password_change = CASE WHEN %d = 1 THEN %lld"
        " ELSE last_password_change END,"
        " updated = %lld WHERE id = %lld", NULL);
}

/* PostgreSQL: the light UPDATE and, if it found the user, the change's
 * audit row (ST_AUDIT_INSERT's columns, target_id the user's), in one
 * statement; its bindings are the UPDATE's, then the audit row's but for
 * target_id.  A clash of the random id fails the whole statement. */
static const char *update_audit_sql(apr_pool_t *p)
{
    return apr_pstrcat(p, "WITH u AS (", update_sql(p, 1), " RETURNING id)"
        " INSERT INTO infor_audit " AUDIT_COLS
        " SELECT %lld, %lld, %lld, %lld, %s, %s, u.id, %s, %s, %s, %s"
        " FROM u", NULL);
}

int infor_store_update_heavy(int kind, int i)
{
    return kind == 0 ? heavy_text[i] : kind == 1 ? heavy_int[i]
                                                 : heavy_fold[i];
}

int infor_store_sort_key(int sort_by)
{
    return sort_by >= 1 && sort_by <= 8 && sort_by != 2 ? sort_by : 0;
}

/* The statement of a sort code and direction: 16 statements, one per
 * index. */
infor_stmt infor_store_user_query_stmt(int sort_by, int ascending)
{
    int key = infor_store_sort_key(sort_by);
    /* 0..8 without 2: slots 0..7. */
    int slot = key > 2 ? key - 1 : key;
    return (infor_stmt)(ST_USER_QUERY + 2 * slot + (ascending ? 0 : 1));
}

/* Statement i of a family of one statement per sort key and direction
 * that starts at `first` (the slots of ST_USER_QUERY): its sort key, and
 * *desc its direction. */
static int family_key(int i, int first, int *desc)
{
    int slot = (i - first) / 2;

    *desc = (i - first) % 2;
    return slot >= 2 ? slot + 1 : slot;
}

/* The sort key `key` of the users aliased `a` ("u", or "v" in the
 * subqueries). */
static const char *sort_key(apr_pool_t *p, const char *a, int key)
{
    char *k = apr_pstrdup(p, sort_keys[key]), *u;

    for (u = k; (u = strstr(u, "u.")) != NULL; u += 2) {
        *u = *a;
    }
    return k;
}

/* " ORDER BY" the sort key and direction, ties by name and id, of the
 * users aliased `a`. */
static const char *order_by(apr_pool_t *p, const char *a, int key, int desc)
{
    return apr_pstrcat(p, " ORDER BY ", sort_key(p, a, key),
                       desc ? " DESC" : "", ", lower(", a, ".first_name),"
                       " lower(", a, ".last_name), ", a, ".id", NULL);
}

/* A walk of sort index `key` (the subqueries' users v that pass status
 * and type, in the index's order); from: from a given key on (ascending;
 * the key alone lets SQLite seek the index, as ST_USER_WALK). */
static const char *index_walk(apr_pool_t *p, int key, int desc, int from)
{
    return apr_pstrcat(p, " FROM infor_users v WHERE ",
                       from ? sort_key(p, "v", key) : "",
                       from ? " >= %s AND " : "",
                       "(%d < 0 OR v.enabled = %d)"
                       " AND (%d < 0 OR v.read_only = %d)",
                       order_by(p, "v", key, desc), NULL);
}

/* The counted columns (value_col's) whose text a sort key begins with,
 * lowered: first name (sort codes 0 and 2), last name (3), source (6),
 * domain (7); one ST_USER_SEEK_WALK statement each. */
static const int seek_cols[4] = { 0, 1, 4, 5 };
static const int seek_keys[4] = { 0, 3, 6, 7 };

infor_stmt infor_store_seek_walk_stmt(const infor_db *db, int vcol,
                                      int sort_by, int ascending)
{
    int key = infor_store_sort_key(sort_by);
    int i;

    for (i = 0; ascending && db->conn->bytewise && i < 4; i++) {
        if (seek_cols[i] == vcol && seek_keys[i] == key) {
            return (infor_stmt)(ST_USER_SEEK_WALK + i);
        }
    }
    return ST_COUNT;
}

/* The SQL of query statement i (see infor_store_user_query_stmt). */
static const char *query_sql(apr_pool_t *p, int i)
{
    int desc, key = family_key(i, ST_USER_QUERY, &desc);

    return apr_pstrcat(p, "SELECT " USER_COLS " FROM infor_users u"
                       USER_FILTER, order_by(p, "u", key, desc),
                       " LIMIT %lld OFFSET %lld", NULL);
}

/* The SQL of page statement i, the same slots as the query statements:
 * for a list without "contains" filters, the ids of the page from the
 * sort index alone (covering, see COVER), then those rows. */
static const char *page_sql(apr_pool_t *p, int i)
{
    int desc, key = family_key(i, ST_USER_PAGE, &desc);

    return apr_pstrcat(p, "SELECT " USER_COLS " FROM infor_users u"
                       " WHERE u.id IN (SELECT v.id",
                       index_walk(p, key, desc, 0), " LIMIT %lld OFFSET %lld)",
                       order_by(p, "u", key, desc), NULL);
}

/* The SQL of FTS walk statement i, the same slots as the query
 * statements: the ids of the page from a walk of the sort index alone
 * (covering, as page_sql), each checked against the ids the trigram index
 * found, that stops after a given number of entries (the budget: when the
 * users that pass all sort late, a walk would step over almost every
 * entry); then those rows.  Fewer rows than the page should have: the
 * budget ran out ("+": SQLite must walk w in its order, never look the
 * ids up in it). */
static const char *fts_walk_sql(apr_pool_t *p, int i)
{
    int desc, key = family_key(i, ST_USER_FTS_WALK, &desc);

    return apr_pstrcat(p, "SELECT " USER_COLS " FROM infor_users u"
                       " WHERE u.id IN (SELECT w.id FROM (SELECT v.id AS id",
                       index_walk(p, key, desc, 0), " LIMIT %lld) w"
                       " WHERE +w.id IN (SELECT rowid FROM infor_users_fts"
                       " WHERE infor_users_fts MATCH %s)"
                       " LIMIT %lld OFFSET %lld)",
                       order_by(p, "u", key, desc), NULL);
}

/* SQLite would read the whole budget and sort what passes: the ids of
 * the page from a walk that stops at the page's end (in its order, as
 * fts_walk_sql's), then those rows.  from: the walk starts at a given
 * key (index_walk). */
static const char *sqlite_bwalk_sql(apr_pool_t *p, int key, int desc,
                                    int from)
{
    return apr_pstrcat(p, "SELECT " USER_COLS " FROM infor_users u"
                       " WHERE u.id IN (SELECT u.id FROM (SELECT *",
                       index_walk(p, key, desc, from), " LIMIT %lld) u"
                       USER_FILTER " LIMIT %lld OFFSET %lld)",
                       order_by(p, "u", key, desc), NULL);
}

/* PostgreSQL stops the index scan at the budget, where a walk with the
 * filters alone would step over every user that does not pass. */
static const char *pg_bwalk_sql(apr_pool_t *p, int key, int desc, int from)
{
    return apr_pstrcat(p, "SELECT " USER_COLS " FROM (SELECT *",
                       index_walk(p, key, desc, from), " LIMIT %lld) u"
                       USER_FILTER, order_by(p, "u", key, desc),
                       " LIMIT %lld OFFSET %lld", NULL);
}

/* The SQL of bounded walk statement i, the same slots as the query
 * statements: the first entries of the sort index (at most a given
 * number: the budget), those that pass the filters, the page of them.
 * Fewer rows than the page should have: the budget ran out. */
static const char *bwalk_sql(apr_pool_t *p, int i, int sqlite)
{
    int desc, key = family_key(i, ST_USER_BWALK, &desc);

    return sqlite ? sqlite_bwalk_sql(p, key, desc, 0)
                  : pg_bwalk_sql(p, key, desc, 0);
}

static const char *stmt_sql(apr_pool_t *p, int i, int sqlite)
{
    if (i >= ST_USER_BWALK && i <= ST_USER_BWALK_LAST) {
        return bwalk_sql(p, i, sqlite);
    }
    if (i >= ST_USER_FTS_WALK && i <= ST_USER_FTS_WALK_LAST) {
        return fts_walk_sql(p, i);
    }
    if (i >= ST_USER_SEEK_WALK && i <= ST_USER_SEEK_WALK_LAST) {
        int key = seek_keys[i - ST_USER_SEEK_WALK];
        return sqlite ? sqlite_bwalk_sql(p, key, 0, 1)
                      : pg_bwalk_sql(p, key, 0, 1);
    }
    if (i >= ST_USER_QUERY && i <= ST_USER_QUERY_LAST) {
        return query_sql(p, i);
    }
    if (i >= ST_USER_PAGE && i <= ST_USER_PAGE_LAST) {
        return page_sql(p, i);
    }
    if (i == ST_USER_UPDATE_AUDIT) {
        return update_audit_sql(p);
    }
    return stmts[i].sql ? stmts[i].sql
                        : update_sql(p, i == ST_USER_UPDATE_LIGHT);
}

/* Dialect tokens: @ID@ the auto-increment key, @LIKE@ a LIKE that ignores
 * letter case (SQLite's LIKE does for ASCII; PostgreSQL needs ILIKE),
 * @FOR_UPDATE@ a row lock (SQLite's writers are serialised anyway),
 * @FENCE@ a subquery PostgreSQL plans on its own (SQLite plans bound
 * values without knowing them: nothing to fence). */
static const char *dialect(infor_db *db, apr_pool_t *p, const char *sql)
{
    static const char *const tokens[][3] = {
        { "@ID@", "INTEGER PRIMARY KEY AUTOINCREMENT",
          "BIGSERIAL PRIMARY KEY" },
        { "@LIKE@", "LIKE", "ILIKE" },
        { "@FOR_UPDATE@", "", " FOR UPDATE" },
        { "@FENCE@", "", " OFFSET 0" },
        /* infor_value_counts' slot of a user (schema 7). */
        { "@SLOT@", "0", "id % 16" },
        /* The place of a text in another, from 1, 0 when not in it. */
        { "@STRPOS@", "instr", "strpos" },
    };
    unsigned i;

    for (i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
        const char *at;
        while ((at = strstr(sql, tokens[i][0])) != NULL) {
            sql = apr_pstrcat(p, apr_pstrndup(p, sql, at - sql),
                              tokens[i][db->is_sqlite ? 1 : 2],
                              at + strlen(tokens[i][0]), NULL);
        }
    }
    return sql;
}

/* ----------------------------------------------------------- helpers */

/* PostgreSQL's SQLSTATE of a verbose libpq message ("ERROR:  40001: could
 * not serialize ..."), or "". */
static void pg_sqlstate(const char *msg, char *out)
{
    const char *p = strstr(msg, ":  ");
    int i;

    out[0] = '\0';
    if (!p) {
        return;
    }
    p += 3;
    for (i = 0; i < 5; i++) {
        if (!apr_isalnum(p[i])) {
            return;
        }
    }
    if (p[5] == ':') {
        memcpy(out, p, 5);
        out[5] = '\0';
    }
}

apr_status_t infor_db_fail(infor_db *db, apr_status_t rv, const char *what)
{
    const char *why = apr_dbd_error(db->driver, db->handle, rv);
    char *line = apr_pstrdup(db->pool, why && *why ? why : "unknown error");

    /* The first line: libpq adds DETAIL, HINT and LOCATION lines, which
     * may quote row values. */
    line[strcspn(line, "\r\n")] = '\0';
    if (!db->is_sqlite) {
        pg_sqlstate(line, db->sqlstate);
    }
    else {
        /* apr_dbd prepares with SQLite's legacy call: after a schema
         * change (a migration by another process) its statements fail
         * until they are prepared again, as PostgreSQL's after a reset.
         * SQLite's messages are not translated. */
        strcpy(db->sqlstate, strcmp(line, "database schema has changed")
                             ? "" : "26000");
    }
    db->errmsg = apr_psprintf(db->pool, "%s: %s", what, line);
    if (db->conn && infor_db_conn_lost(db)) {
        /* Readied again on its next use, if not at once (retry_read). */
        db->conn->ready = 0;
    }
    /* Never the driver's code, which may read as an APR status such as
     * APR_EEXIST: the store's answers keep their meaning. */
    return APR_EGENERAL;
}

int infor_db_conn_lost(const infor_db *db)
{
    const char *c = db->sqlstate;

    if (db->is_sqlite) {
        return strcmp(c, "26000") == 0;
    }
    /* No code at all: libpq's own failure (the server closed the
     * connection); class 08: connection exceptions; 57P01-57P03: the
     * server shut down; 26000: the statements went with a reset. */
    return !*c || strncmp(c, "08", 2) == 0 || strncmp(c, "57P0", 4) == 0
           || strcmp(c, "26000") == 0;
}

/* ------------------------------------------------ SQLite's statements */

/* apr_dbd's sqlite3 driver holds one mutex of the process around every
 * statement it runs, so that all of a child's threads read and write one
 * at a time, each waking the next through the kernel.  SQLite needs no
 * such lock between connections (each thread has its own), so the store
 * prepares and runs its SQLite statements on the connection's own handle,
 * with the same SQL and values as through apr_dbd.  Plain texts (pragmas,
 * the schema) still go through apr_dbd. */

/* The SQL of a statement with apr_dbd's placeholders (%s, %d, %lld; %%
 * a percent sign) as SQLite's "?", and *types the placeholders' types in
 * order ('s', 'd', 'l'). */
static const char *native_sql(apr_pool_t *p, const char *sql,
                              const char **types)
{
    char *out = apr_palloc(p, strlen(sql) + 1), *o = out;
    char *t = apr_palloc(p, strlen(sql) / 2 + 1), *tt = t;

    while (*sql) {
        if (sql[0] != '%') {
            *o++ = *sql++;
        }
        else if (sql[1] == '%') {
            *o++ = '%';
            sql += 2;
        }
        else if (sql[1] == 's' || sql[1] == 'd') {
            *o++ = '?';
            *tt++ = sql[1];
            sql += 2;
        }
        else if (strncmp(sql + 1, "lld", 3) == 0) {
            *o++ = '?';
            *tt++ = 'l';
            sql += 4;
        }
        else {
            *o++ = *sql++;
        }
    }
    *o = '\0';
    *tt = '\0';
    *types = t;
    return out;
}

/* Finalizes the statements (before mod_dbd closes the connection: this
 * cleanup is registered after its own on the connection's pool). */
static apr_status_t native_finalize(void *data)
{
    infor_conn *conn = data;
    int i;

    for (i = 0; i < ST_COUNT; i++) {
        if (conn->nst[i]) {
            sqlite3_finalize(conn->nst[i]);
            conn->nst[i] = NULL;
        }
    }
    return APR_SUCCESS;
}

/* The log's size past which a commit is followed by a checkpoint:
 * SQLite's default. */
#define CHECKPOINT_FRAMES 1000

/* SQLite's hook after each commit, in place of its own checkpoint. */
static int native_wal_hook(void *data, sqlite3 *h, const char *name,
                           int frames)
{
    infor_conn *conn = data;

    (void)h;
    (void)name;
    conn->wal_frames = frames;
    return SQLITE_OK;
}

int infor_db_checkpoint_due(infor_db *db)
{
    infor_conn *conn = db->conn;

    if (!db->is_sqlite || !conn || !conn->native
        || conn->wal_frames < CHECKPOINT_FRAMES) {
        return 0;
    }
    conn->wal_frames = 0;
    return 1;
}

void infor_db_checkpoint_run(infor_db *db)
{
    /* PASSIVE: copies what no reader needs, waits for nobody.  Another
     * process's checkpoint running (SQLITE_BUSY) or a failure leaves the
     * log to the next one. */
    (void)sqlite3_wal_checkpoint_v2(db->conn->native, NULL,
                                    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

apr_status_t infor_db_sync_log(infor_db *db)
{
    sqlite3_file *log = NULL;
    int rc;

    /* The connection's handle on the log (its -wal file); the sync
     * writes every frame appended so far, other writers' too. */
    rc = sqlite3_file_control(db->conn->native, "main",
                              SQLITE_FCNTL_JOURNAL_POINTER, &log);
    if (rc == SQLITE_OK) {
        rc = log && log->pMethods ? log->pMethods->xSync(log,
                                                         SQLITE_SYNC_NORMAL)
                                  : SQLITE_IOERR_FSYNC;
    }
    if (rc == SQLITE_OK) {
        return APR_SUCCESS;
    }
    db->errmsg = apr_psprintf(db->pool, "syncing the log: %s",
                              sqlite3_errstr(rc));
    return APR_EGENERAL;
}

static apr_status_t native_prepare(infor_db *db, infor_stmt id,
                                   const char *sql)
{
    infor_conn *conn = db->conn;
    const char *text = native_sql(conn->pool, sql, &conn->types[id]);
    int rv;

    if (conn->nst[id]) {
        sqlite3_finalize(conn->nst[id]);
        conn->nst[id] = NULL;
    }
    rv = sqlite3_prepare_v3(conn->native, text, -1, SQLITE_PREPARE_PERSISTENT,
                            &conn->nst[id], NULL);
    return rv == SQLITE_OK ? APR_SUCCESS
                           : infor_db_fail(db, rv, stmts[id].label);
}

/* Runs statement id with args, handing each row to fn (if any); *nrows:
 * the rows it changed. */
static apr_status_t native_run(infor_db *db, infor_stmt id, const void **args,
                               infor_row_fn *fn, void *baton, int *nrows)
{
    sqlite3_stmt *st = db->conn->nst[id];
    const char *t = db->conn->types[id];
    infor_row row = { NULL, st };
    apr_status_t failed = APR_SUCCESS;
    int i, rv = SQLITE_OK;

    if (!st) {
        db->errmsg = apr_psprintf(db->pool, "%s: not prepared",
                                  stmts[id].label);
        return APR_EGENERAL;
    }
    for (i = 0; t[i] && rv == SQLITE_OK; i++) {
        const void *v = args[i];
        rv = !v ? sqlite3_bind_null(st, i + 1)
             : t[i] == 's' ? sqlite3_bind_text(st, i + 1, v, -1, SQLITE_STATIC)
             : t[i] == 'd' ? sqlite3_bind_int(st, i + 1, *(const int *)v)
             : sqlite3_bind_int64(st, i + 1, *(const apr_int64_t *)v);
    }
    if (rv == SQLITE_OK) {
        while ((rv = sqlite3_step(st)) == SQLITE_ROW) {
            if (fn) {
                fn(db, &row, baton);
            }
        }
    }
    if (rv == SQLITE_DONE) {
        if (nrows) {
            *nrows = sqlite3_changes(db->conn->native);
        }
    }
    else {
        failed = infor_db_fail(db, rv, stmts[id].label);
    }
    /* The texts bound are the caller's: none stays bound. */
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return failed;
}

/* ------------------------------------------------------ statements */

static apr_dbd_prepared_t *stmt(infor_db *db, infor_stmt id)
{
    return db->conn->st[id];
}

/* After a failure outside any transaction, whether to run the statement
 * again: once, when the connection or its statements were lost and it
 * could be readied again.  Never a change that is its own transaction: it
 * may have been committed before the connection went. */
static int retry_read(infor_db *db)
{
    if (!db->conn || db->conn->in_txn || db->conn->in_write
        || !infor_db_conn_lost(db)) {
        return 0;
    }
    return infor_db_recover(db) == APR_SUCCESS;
}

/* Reads the rows of res to the end, handing each to fn: -1 from the
 * driver is the end, anything else non-zero an error. */
static apr_status_t read_rows(infor_db *db, apr_dbd_results_t *res,
                              const char *what, infor_row_fn *fn, void *baton)
{
    infor_row row = { NULL, NULL };
    int rv;

    while ((rv = apr_dbd_get_row(db->driver, db->pool, res, &row.dbd, -1))
           == 0) {
        fn(db, &row, baton);
    }
    return rv == -1 ? APR_SUCCESS : infor_db_fail(db, rv, what);
}

/* Runs statement id once: a SELECT when fn is given (its rows handed to
 * fn), else a statement that changes rows (*nrows: how many).  On
 * PostgreSQL a SELECT runs in the driver's synchronous mode (random = 1):
 * the asynchronous one sleeps 100 ms before it reports an empty result,
 * and can make a failed query look like one. */
static apr_status_t run_once(infor_db *db, infor_stmt id, const void **args,
                             infor_row_fn *fn, void *baton, int *nrows)
{
    apr_dbd_results_t *res = NULL;
    int rv;

    if (db->is_sqlite) {
        return native_run(db, id, args, fn, baton, nrows);
    }
    if (!fn) {
        rv = apr_dbd_pbquery(db->driver, db->pool, db->handle, nrows,
                             stmt(db, id), args);
        return rv == 0 ? APR_SUCCESS : infor_db_fail(db, rv, stmts[id].label);
    }
    rv = apr_dbd_pbselect(db->driver, db->pool, db->handle, &res,
                          stmt(db, id), 1, args);
    return rv == 0 ? read_rows(db, res, stmts[id].label, fn, baton)
                   : infor_db_fail(db, rv, stmts[id].label);
}

/* run_once, and once more after a lost connection (retry_read). */
static apr_status_t run_stmt(infor_db *db, infor_stmt id, const void **args,
                             infor_row_fn *fn, void *baton, int *nrows)
{
    apr_status_t rv;
    int again = 1;

    do {
        if (nrows) {
            *nrows = 0;
        }
        rv = run_once(db, id, args, fn, baton, nrows);
    } while (rv != APR_SUCCESS && again-- && retry_read(db));
    return rv;
}

apr_status_t infor_db_run_count(infor_db *db, infor_stmt id,
                                const void **args, int *nrows)
{
    return run_stmt(db, id, args, NULL, NULL, nrows);
}

apr_status_t infor_db_run(infor_db *db, infor_stmt id, const void **args)
{
    int n;
    return infor_db_run_count(db, id, args, &n);
}

apr_status_t infor_db_select(infor_db *db, infor_stmt id, const void **args,
                             infor_row_fn *fn, void *baton)
{
    return run_stmt(db, id, args, fn, baton, NULL);
}

void infor_db_custom_plans(infor_db *db, int on)
{
    const char *why = db->errmsg;
    char state[sizeof(db->sqlstate)];

    if (db->is_sqlite || !db->conn || !db->conn->plan_modes
        || db->conn->in_txn) {
        return;
    }
    memcpy(state, db->sqlstate, sizeof(state));
    if (infor_db_exec(db, on ? "SET plan_cache_mode = force_custom_plan"
                             : "RESET plan_cache_mode", NULL)
        != APR_SUCCESS) {
        /* The list runs on, perhaps with a generic plan. */
        db->errmsg = why;
        memcpy(db->sqlstate, state, sizeof(state));
    }
}

static void keep_first(infor_db *db, infor_row *row, void *baton)
{
    const char **first = baton;

    if (first && !*first) {
        *first = infor_db_str(db, row, 0);
    }
}

apr_status_t infor_db_exec(infor_db *db, const char *sql, const char **first)
{
    apr_dbd_results_t *res = NULL;
    int rv;

    if (first) {
        *first = NULL;
    }
    if (strncmp(sql, "SELECT", 6) != 0 && strncmp(sql, "PRAGMA", 6) != 0) {
        int n = 0;
        rv = apr_dbd_query(db->driver, db->handle, &n, sql);
        /* The sqlite3 driver answers 100 (a row) for statements that
         * return one, e.g. "PRAGMA journal_mode"; that is not an error. */
        return (rv == 0 || rv == 100) ? APR_SUCCESS
                                      : infor_db_fail(db, rv, sql);
    }
    rv = apr_dbd_select(db->driver, db->pool, db->handle, &res, sql, 1);
    if (rv != 0) {
        return infor_db_fail(db, rv, sql);
    }
    return read_rows(db, res, sql, keep_first, (void *)first);
}

const char *infor_db_str(infor_db *db, infor_row *row, int col)
{
    const char *v = row->st
                    ? (const char *)sqlite3_column_text(row->st, col)
                    : apr_dbd_get_entry(db->driver, row->dbd, col);
    return v ? apr_pstrdup(db->pool, v) : "";
}

const char *infor_db_peek(infor_db *db, infor_row *row, int col)
{
    return row->st ? (const char *)sqlite3_column_text(row->st, col)
                   : apr_dbd_get_entry(db->driver, row->dbd, col);
}

apr_int64_t infor_db_num(infor_db *db, infor_row *row, int col)
{
    const char *v;

    if (row->st) {
        return sqlite3_column_int64(row->st, col);
    }
    v = apr_dbd_get_entry(db->driver, row->dbd, col);
    return v ? apr_atoi64(v) : 0;
}

infor_user *infor_db_read_user(infor_db *db, infor_row *row, int c)
{
    infor_user *u = apr_pcalloc(db->pool, sizeof(*u));

    u->id = infor_db_num(db, row, c + 0);
    u->username = infor_db_str(db, row, c + 1);
    u->first_name = infor_db_str(db, row, c + 2);
    u->last_name = infor_db_str(db, row, c + 3);
    u->email = infor_db_str(db, row, c + 4);
    u->mobile = infor_db_str(db, row, c + 5);
    u->enabled = infor_db_num(db, row, c + 6) != 0;
    u->read_only = infor_db_num(db, row, c + 7) != 0;
    u->is_admin = infor_db_num(db, row, c + 8) != 0;
    u->domain = infor_db_str(db, row, c + 9);
    u->auth_authority = infor_db_str(db, row, c + 10);
    u->last_logon = apr_time_from_sec(infor_db_num(db, row, c + 11));
    u->last_password_change = apr_time_from_sec(infor_db_num(db, row, c + 12));
    u->created = apr_time_from_sec(infor_db_num(db, row, c + 13));
    u->updated = apr_time_from_sec(infor_db_num(db, row, c + 14));
    u->password_hash = infor_db_str(db, row, c + 15);
    u->prefs.language = infor_db_str(db, row, c + 16);
    u->prefs.default_portal = infor_db_str(db, row, c + 17);
    u->prefs.show_archives = infor_db_num(db, row, c + 18) != 0;
    u->prefs.show_hiddens = infor_db_num(db, row, c + 19) != 0;
    u->prefs.notification = (int)infor_db_num(db, row, c + 20);
    u->prefs.email_type = infor_db_str(db, row, c + 21);
    u->prefs.attach_document = infor_db_num(db, row, c + 22) != 0;
    return u;
}

/* ------------------------------------------------------------ attach */

static apr_thread_mutex_t *schema_mutex;
apr_global_mutex_t **infor_write_locks;
int infor_n_write_locks;

static apr_status_t schema_version(infor_db *db, int *version)
{
    const char *v = NULL;
    apr_status_t rv;

    rv = infor_db_exec(db, "SELECT value FROM infor_meta"
                       " WHERE name = 'schema_version'", &v);
    *version = (rv == APR_SUCCESS && v) ? atoi(v) : 0;
    return rv;
}

/* Whether the schema is up to date, read without a lock.  Whether there
 * is an infor_meta at all is asked of the catalogue, since a failed
 * statement would spoil a transaction on PostgreSQL. */
static apr_status_t schema_current(infor_db *db, int *current)
{
    const char *have = NULL;
    int version = 0;
    apr_status_t rv;

    *current = 0;
    rv = infor_db_exec(db, db->is_sqlite
              ? "SELECT COUNT(*) FROM sqlite_master"
                " WHERE type = 'table' AND name = 'infor_meta'"
              : "SELECT COUNT(*) FROM information_schema.tables"
                " WHERE table_name = 'infor_meta'"
                " AND table_schema = current_schema()", &have);
    if (rv == APR_SUCCESS && have && strcmp(have, "0") != 0) {
        rv = schema_version(db, &version);
        *current = rv == APR_SUCCESS && version == INFOR_SCHEMA_VERSION;
    }
    return rv;
}

/* Brings the schema to INFOR_SCHEMA_VERSION, as one write transaction:
 * concurrent processes migrate once and never see half a schema.  The
 * version row's lock (or SQLite's write lock) makes a second migrator
 * wait, then find the work done. */
static apr_status_t optional_steps(infor_db *db,
                                   const char *const *steps);
static apr_status_t trigram_steps(infor_db *db, const char *const *steps);

/* The steps' tokens for indexes a store may lack: SQLite's FTS5 tables
 * (the trigram tokenizer) and PostgreSQL's trigram indexes (pg_trgm). */
typedef struct {
    const char *token;
    const char *const *sqlite, *const *pg;
} optional_index;

static const optional_index *optional_token(const char *sql)
{
    static const optional_index tokens[] = {
        { "@FTS@", fts_steps, NULL },
        { "@TRGM@", NULL, trgm_steps },
        { "@VALUES@", values_fts_steps, values_trgm_steps },
    };
    unsigned i;

    for (i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
        if (strcmp(sql, tokens[i].token) == 0) {
            return &tokens[i];
        }
    }
    return NULL;
}

static apr_status_t schema_steps_run(infor_db *db, void *baton)
{
    apr_status_t rv;
    int version = 0, v, i;
    const char *have = NULL;
    const optional_index *o;

    (void)baton;
    rv = infor_db_exec(db, "CREATE TABLE IF NOT EXISTS infor_meta ("
                           " name TEXT PRIMARY KEY, value TEXT NOT NULL)",
                       NULL);
    if (rv == APR_SUCCESS) {
        rv = infor_db_exec(db, "INSERT INTO infor_meta (name, value)"
                           " VALUES ('schema_version', '0')"
                           " ON CONFLICT (name) DO NOTHING", NULL);
    }
    if (rv == APR_SUCCESS) {
        rv = infor_db_exec(db, dialect(db, db->pool,
                           "SELECT value FROM infor_meta"
                           " WHERE name = 'schema_version'@FOR_UPDATE@"),
                           &have);
    }
    if (rv != APR_SUCCESS) {
        return rv;
    }
    version = have ? atoi(have) : 0;
    if (version > INFOR_SCHEMA_VERSION) {
        db->errmsg = apr_psprintf(db->pool, "database schema version %d is "
                                  "newer than this module's (%d)", version,
                                  INFOR_SCHEMA_VERSION);
        return APR_EGENERAL;
    }
    for (v = version; v < INFOR_SCHEMA_VERSION; v++) {
        for (i = 0; schema_steps[v][i]; i++) {
            const char *sql = schema_steps[v][i];
            if (strcmp(sql, "@FOLD@") == 0) {
                if ((rv = infor_store_refold(db)) != APR_SUCCESS) {
                    return rv;
                }
                continue;
            }
            if ((o = optional_token(sql)) != NULL) {
                const char *const *steps = db->is_sqlite ? o->sqlite
                                                         : o->pg;
                rv = !steps ? APR_SUCCESS
                     : db->is_sqlite ? optional_steps(db, steps)
                     : trigram_steps(db, steps);
                if (rv != APR_SUCCESS) {
                    return rv;
                }
                continue;
            }
            if (strncmp(sql, "@SQLITE@", 8) == 0) {
                if (!db->is_sqlite) {
                    continue;
                }
                sql += 8;
            }
            else if (strncmp(sql, "@PG@", 4) == 0) {
                if (db->is_sqlite) {
                    continue;
                }
                sql += 4;
            }
            sql = dialect(db, db->pool, sql);
            if ((rv = infor_db_exec(db, sql, NULL)) != APR_SUCCESS) {
                return rv;
            }
        }
    }
    if (version == INFOR_SCHEMA_VERSION) {
        return APR_SUCCESS;
    }
    return infor_db_exec(db, apr_psprintf(db->pool,
                         "UPDATE infor_meta SET value = '%d'"
                         " WHERE name = 'schema_version'",
                         INFOR_SCHEMA_VERSION), NULL);
}

/* Ends the savepoint infor_optional around a step the store can do
 * without (rv: the step's status): kept when it succeeded, else rolled
 * back and its failure forgotten.  Only a failure to end the savepoint is
 * the migration's. */
static apr_status_t optional_end(infor_db *db, apr_status_t rv)
{
    const char *why;

    if (rv == APR_SUCCESS) {
        return infor_db_exec(db, "RELEASE SAVEPOINT infor_optional", NULL);
    }
    why = db->errmsg;
    rv = infor_db_exec(db, "ROLLBACK TO SAVEPOINT infor_optional", NULL);
    if (rv == APR_SUCCESS) {
        rv = infor_db_exec(db, "RELEASE SAVEPOINT infor_optional", NULL);
    }
    if (rv == APR_SUCCESS) {
        db->errmsg = NULL;
        db->sqlstate[0] = '\0';
    }
    else {
        db->errmsg = why;
    }
    return rv;
}

/* Runs steps the store can do without in the savepoint infor_optional:
 * when one fails (SQLite without FTS5 or its trigram tokenizer) the
 * migration rolls back to it and goes on without them (the filters then
 * read the table, or infor_value_counts, as before). */
static apr_status_t optional_steps(infor_db *db, const char *const *steps)
{
    apr_status_t rv;
    int i;

    if ((rv = infor_db_exec(db, "SAVEPOINT infor_optional", NULL))
        != APR_SUCCESS) {
        return rv;
    }
    for (i = 0; rv == APR_SUCCESS && steps[i]; i++) {
        rv = infor_db_exec(db, steps[i], NULL);
    }
    return optional_end(db, rv);
}

/* PostgreSQL: GIN trigram indexes, which a LIKE '%...%' of three
 * characters or more searches.  Without pg_trgm (not installed, or not
 * ours to create) the migration goes on without them. */
static apr_status_t trigram_steps(infor_db *db, const char *const *steps)
{
    const char *have = NULL;
    apr_status_t rv;

    rv = infor_db_exec(db, "SELECT COUNT(*) FROM pg_available_extensions"
                       " WHERE name = 'pg_trgm'", &have);
    if (rv != APR_SUCCESS || !have || strcmp(have, "0") == 0) {
        return rv;
    }
    return optional_steps(db, steps);
}

static apr_status_t schema_migrate(infor_db *db)
{
    apr_status_t rv;
    int current = 0, tries;

    rv = schema_current(db, &current);
    for (tries = 0; rv == APR_SUCCESS && !current; tries++) {
        rv = infor_db_write(db, schema_steps_run, NULL, INFOR_WRITE_ALONE);
        if (rv == APR_SUCCESS) {
            break;
        }
        /* On PostgreSQL two processes creating the first table at once:
         * one fails when the other commits.  Then it finds the work
         * done, or waits on the version row the next time. */
        if (tries + 1 < MIGRATE_TRIES && !db->is_sqlite) {
            const char *why = db->errmsg;
            rv = schema_current(db, &current);
            if (rv == APR_SUCCESS && !current) {
                db->errmsg = why;
            }
            continue;
        }
    }
    return rv;
}

void infor_store_pre_config(void)
{
    /* SQLite counts the memory it holds under one mutex of the process,
     * which every allocation of every thread would take.  Only possible
     * before SQLite's first use in the process; later (a restart that
     * kept the library loaded) the setting stays as it was. */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

apr_status_t infor_store_init(apr_pool_t *p, apr_global_mutex_t **write_locks,
                              int n_locks)
{
    infor_write_locks = write_locks;
    infor_n_write_locks = write_locks ? n_locks : 0;
    infor_fold_init();
    if (schema_mutex) {
        return APR_SUCCESS;
    }
    infor_writers_init(p);
    return apr_thread_mutex_create(&schema_mutex, APR_THREAD_MUTEX_DEFAULT,
                                   p);
}

/* PostgreSQL's error codes are in apr_dbd's messages only when libpq is
 * verbose ("ERROR:  40001: could not serialize ..."), and apr_dbd has no
 * call for that: it is set through libpq, which the pgsql driver has
 * loaded, on the native handle apr_dbd hands out for such settings.
 * Without it, every failure counts as a lost connection (one retry). */
static void pg_verbose(infor_db *db)
{
    typedef int set_verbosity_fn(void *conn, int verbosity);
    static set_verbosity_fn *set_verbosity;
    static int looked;

    if (!looked) {
        void *lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_NOLOAD);
        if (lib) {
            *(void **)&set_verbosity = dlsym(lib, "PQsetErrorVerbosity");
        }
        looked = 1;
    }
    if (set_verbosity) {
        set_verbosity(apr_dbd_native_handle(db->driver, db->handle),
                      2 /* PQERRORS_VERBOSE */);
    }
}

/* Whether PostgreSQL sorts the database's texts by their bytes: a libc
 * collation (the default provider before version 15 has no column for
 * it) of C or POSIX, or C.UTF-8, which sorts by code point (glibc 2.35
 * and later, and Debian's and Fedora's before).  A server that cannot
 * say (another engine) sorts some other way, as far as the lists know. */
static int pg_bytewise(infor_db *db)
{
    const char *yes = NULL;

    if (infor_db_exec(db, "SELECT COUNT(*) FROM pg_database d"
                      " WHERE datname = current_database()"
                      " AND COALESCE(to_jsonb(d) ->> 'datlocprovider', 'c')"
                      " = 'c' AND datcollate IN ('C', 'POSIX', 'C.UTF-8',"
                      " 'C.utf8')", &yes) != APR_SUCCESS) {
        db->errmsg = NULL;
        db->sqlstate[0] = '\0';
        return 0;
    }
    return yes && strcmp(yes, "1") == 0;
}

/* The connection's settings: SQLite's are per connection, PostgreSQL's
 * per session (and so again after a reconnection). */
static apr_status_t conn_settings(infor_db *db)
{
    apr_status_t rv;

    if (!db->is_sqlite) {
        pg_verbose(db);
        /* normal: a commit is acknowledged before it reaches the disk;
         * the database stays consistent, the last commits may be lost.
         * The default is left alone (engines that speak PostgreSQL's
         * protocol need not know the setting). */
        rv = db->sync_normal ? infor_db_exec(db, "SET synchronous_commit"
                                             " = off", NULL)
                             : APR_SUCCESS;
        if (rv == APR_SUCCESS) {
            /* Whether the server has plan_cache_mode (12 and later; other
             * engines may lack it): infor_db_custom_plans. */
            db->conn->plan_modes = infor_db_exec(db, "RESET plan_cache_mode",
                                                 NULL) == APR_SUCCESS;
            if (!db->conn->plan_modes) {
                db->errmsg = NULL;
                db->sqlstate[0] = '\0';
            }
            db->conn->bytewise = pg_bytewise(db);
        }
        if (rv == APR_SUCCESS && db->conn->prepared) {
            /* Readied again: statements the session still has (when it
             * was not reset) would clash with the new ones. */
            rv = infor_db_exec(db, "DEALLOCATE ALL", NULL);
        }
        return rv;
    }
    /* Wait for inforadm's writes instead of failing; let ON DELETE
     * CASCADE work; FULL: a commit is on the disk when acknowledged
     * (a sync per commit: group commit shares it among writers). */
    rv = infor_db_exec(db, "PRAGMA busy_timeout = " ATTACH_BUSY_MS, NULL);
    if (rv == APR_SUCCESS) {
        rv = infor_db_exec(db, "PRAGMA foreign_keys = ON", NULL);
    }
    if (rv == APR_SUCCESS) {
        rv = infor_db_exec(db, db->sync_normal ? "PRAGMA synchronous = NORMAL"
                                               : "PRAGMA synchronous = FULL",
                           NULL);
    }
    return rv;
}

apr_status_t infor_db_ready(infor_db *db)
{
    infor_conn *conn = db->conn;
    apr_status_t rv;
    int i, wal = 0;

    conn->ready = 0;
    if ((rv = conn_settings(db)) != APR_SUCCESS) {
        return rv;
    }
    /* Once per connection, not per process: one process may serve
     * several databases (a DBDParams per virtual host).  The mutex keeps
     * this process's threads from readying the schema side by side. */
    apr_thread_mutex_lock(schema_mutex);
    if (db->is_sqlite) {
        const char *path = NULL, *mode = NULL;

        /* A property of the file: readers and writers in several
         * processes no longer block each other. */
        rv = infor_db_exec(db, "PRAGMA journal_mode = WAL", &mode);
        wal = mode && strcmp(mode, "wal") == 0;
        if (rv == APR_SUCCESS && !conn->writer) {
            rv = infor_db_exec(db, "SELECT file FROM pragma_database_list"
                               " WHERE name = 'main'", &path);
            if (rv == APR_SUCCESS) {
                rv = infor_writer_get(path ? path : "", conn->pool,
                                      &conn->writer);
            }
        }
    }
    if (rv == APR_SUCCESS) {
        rv = schema_migrate(db);
    }
    apr_thread_mutex_unlock(schema_mutex);
    if (rv != APR_SUCCESS) {
        return rv;
    }

    if (db->is_sqlite) {
        const char *have = NULL;
        /* Both FTS5 tables, of the users' texts (schema 4) and of the
         * counted values (7), or neither: one SQLite made them. */
        rv = infor_db_exec(db, "SELECT COUNT(*) FROM sqlite_master"
                           " WHERE type = 'table' AND name IN"
                           " ('infor_users_fts', 'infor_values_fts')", &have);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        conn->fts = have && strcmp(have, "2") == 0;
        conn->bytewise = 1;
    }
    if (db->is_sqlite && !conn->native) {
        conn->native = apr_dbd_native_handle(db->driver, db->handle);
        apr_pool_cleanup_register(conn->pool, conn, native_finalize,
                                  apr_pool_cleanup_null);
        /* Replaces SQLite's checkpoint inside COMMIT (store_write.c runs
         * it after the lock is let go). */
        sqlite3_wal_hook(conn->native, native_wal_hook, conn);
    }
    if (wal && !db->sync_normal) {
        /* Full durability, with the log's sync after the write lock:
         * COMMIT writes the log without syncing it, and the writer syncs
         * it (infor_db_sync_log) once it has let go of the lock, before
         * any change of the transaction has its answer. */
        rv = infor_db_exec(db, "PRAGMA synchronous = NORMAL", NULL);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        conn->sync_log = 1;
    }
    for (i = 0; i < (!db->is_sqlite ? ST_SQLITE_ONLY
                     : conn->fts ? ST_COUNT : ST_SQLITE_FTS); i++) {
        apr_dbd_prepared_t *st = NULL;
        const char *sql;

        if (db->is_sqlite && i >= ST_PG_ONLY && i < ST_SQLITE_ONLY) {
            continue;
        }
        sql = dialect(db, db->pool, stmt_sql(db->pool, i, db->is_sqlite));
        if (db->is_sqlite) {
            if ((rv = native_prepare(db, i, sql)) != APR_SUCCESS) {
                return rv;
            }
            continue;
        }
        rv = apr_dbd_prepare(db->driver, conn->pool, db->handle, sql,
                             stmts[i].label, &st);
        if (rv != 0) {
            return infor_db_fail(db, rv, stmts[i].label);
        }
        conn->st[i] = st;
    }
    conn->prepared = 1;
    if (db->is_sqlite
        && (rv = infor_db_exec(db, "PRAGMA busy_timeout = " RUN_BUSY_MS,
                               NULL)) != APR_SUCCESS) {
        return rv;
    }
    conn->ready = 1;
    return APR_SUCCESS;
}

apr_status_t infor_db_recover(infor_db *db)
{
    const char *why = db->errmsg;
    apr_status_t rv;

    /* For PostgreSQL a broken connection is reset (reconnected) here;
     * the new session has none of the old one's statements. */
    rv = apr_dbd_check_conn(db->driver, db->pool, db->handle);
    if (rv != APR_SUCCESS) {
        db->conn->ready = 0;
        db->errmsg = why;
        return rv;
    }
    rv = infor_db_ready(db);
    if (rv == APR_SUCCESS) {
        db->recovered = why;
        db->errmsg = why;
    }
    return rv;
}

void infor_store_close(infor_db *db)
{
    if (db->conn && db->conn->native) {
        apr_pool_cleanup_run(db->conn->pool, db->conn, native_finalize);
        db->conn->native = NULL;
        db->conn->ready = 0;
    }
    apr_dbd_close(db->driver, db->handle);
}

apr_status_t infor_store_attach(infor_db *db, apr_pool_t *conn_pool,
                                int *readied)
{
    apr_status_t rv;

    /* Every request's handle needs the dialect and the connection's
     * state; the rest is once per connection, or after a failure. */
    db->is_sqlite = strcmp(apr_dbd_name(db->driver), "sqlite3") == 0;
    db->sqlstate[0] = '\0';
    db->recovered = NULL;
    if (readied) {
        *readied = 0;
    }
    db->conn = apr_hash_get(db->prepared, CONN_LABEL, APR_HASH_KEY_STRING);
    if (!db->conn) {
        db->conn = apr_pcalloc(conn_pool, sizeof(*db->conn));
        db->conn->pool = conn_pool;
        apr_hash_set(db->prepared, CONN_LABEL, APR_HASH_KEY_STRING,
                     db->conn);
    }
    if (db->conn->ready) {
        return APR_SUCCESS;
    }
    rv = infor_db_ready(db);
    if (rv != APR_SUCCESS && infor_db_conn_lost(db)) {
        /* Lost before it was ever readied (opened before a restart of
         * the server, or a schema change): reconnect and ready once more. */
        rv = infor_db_recover(db);
    }
    if (rv == APR_SUCCESS && readied) {
        *readied = 1;
    }
    return rv;
}
