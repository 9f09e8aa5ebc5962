/*
 * inforadm: manage mod_infor accounts from the command line, through the
 * same store code the module uses.  It exists for the administrator who
 * must create the first account before any ticket can (as htpasswd serves
 * mod_authn_file).  Passwords are read from the terminal without echo, or
 * one line from standard input when that is not a terminal.
 *
 * Exit status: 0 done (or "yes"), 1 "no" (has-admin when there is no
 * administrator), 2 an error of any kind, usage errors included.  Every
 * change goes into the audit trail, as the module's own changes do.
 *
 * Commands are rows of one table (commands[] below): a new one is a row
 * and a function.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_file_info.h>
#include <apr_getopt.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_dbd.h>
#include <apu.h>

#include "infor.h"
#include "infor_password.h"
#include "infor_store.h"

#define ADM_OK    0   /* done; or "yes" */
#define ADM_NO    1   /* a question answered "no" */
#define ADM_ERROR 2   /* anything failed, or the command line was wrong */

static const char *progname = "inforadm";

/* What a command gets: the open store and its own arguments. */
typedef struct {
    infor_db *db;
    apr_pool_t *p;
    int cost;
    int argc;
    const char *const *argv;
} adm_call;

typedef struct {
    const char *name;
    const char *args;    /* the synopsis of its arguments */
    const char *help;    /* what it does, for --help */
    int min_args, max_args;   /* max -1: any (the command checks) */
    int (*run)(adm_call *c);
} adm_command;

static const adm_command commands[];

static void usage_to(FILE *f)
{
    const adm_command *cmd;

    fprintf(f,
        "usage: %s [-t DRIVER] [-c] [-C COST] -d DATABASE COMMAND [ARGS]\n"
        "       %s COMMAND --help\n"
        "       %s --help | --version\n"
        "\n"
        "  -d DATABASE  the database: a file for sqlite3, else the driver's\n"
        "               parameters, as in DBDParams\n"
        "  -t DRIVER    apr_dbd driver, as in DBDriver (default sqlite3)\n"
        "  -c           create the SQLite file if it does not exist\n"
        "  -C COST      bcrypt cost for new passwords (4-31, default %d)\n"
        "\n"
        "commands:\n", progname, progname, progname, INFOR_BCRYPT_COST);
    for (cmd = commands; cmd->name; cmd++) {
        fprintf(f, "  %s%s%s\n", cmd->name, *cmd->args ? " " : "",
                cmd->args);
    }
    fprintf(f,
        "\n"
        "exit status: 0 done (has-admin: yes), 1 has-admin: no, 2 error\n");
}

static void usage(void)
{
    usage_to(stderr);
}

static void command_help(const adm_command *cmd)
{
    printf("usage: %s [-t DRIVER] [-c] [-C COST] -d DATABASE %s%s%s\n\n%s",
           progname, cmd->name, *cmd->args ? " " : "", cmd->args, cmd->help);
}

static int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "inforadm: message" and returns the error exit status. */
static int die(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return ADM_ERROR;
}

/* A password: typed at the terminal without echo, twice (apr_password_get
 * turns echo off), or one line from standard input, without its line
 * end.  NULL, with *why set, when there is none. */
static const char *read_password(apr_pool_t *p, const char **why)
{
    char buf[4096];
    apr_size_t n;

    if (isatty(STDIN_FILENO)) {
        char again[sizeof(buf)];
        apr_size_t n2 = sizeof(again);
        n = sizeof(buf);
        *why = "no password given";
        if (apr_password_get("Password: ", buf, &n) != APR_SUCCESS
            || apr_password_get("Again: ", again, &n2) != APR_SUCCESS) {
            return NULL;
        }
        if (strcmp(buf, again) != 0) {
            *why = "the passwords do not match";
            return NULL;
        }
        return apr_pstrdup(p, buf);
    }
    *why = "no password on standard input";
    if (!fgets(buf, sizeof(buf), stdin)) {
        return NULL;
    }
    n = strlen(buf);
    if (n == sizeof(buf) - 1 && buf[n - 1] != '\n') {
        return NULL;   /* longer than any sane password */
    }
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        buf[--n] = '\0';
    }
    return apr_pstrdup(p, buf);
}

static int check_text(const char *what, const char *s)
{
    if (!infor_text_ok(s, strlen(s))) {
        fprintf(stderr, "%s: %s is not valid UTF-8 text\n", progname, what);
        return 0;
    }
    return 1;
}

/* inforadm's changes stand in the audit trail like any other. */
static infor_audit audit_as(const char *action)
{
    infor_audit a = { action, 0, "", "inforadm" };
    return a;
}

/* The account a command names (a name in any case, or ID:<n>). */
static int find_user(adm_call *c, const char *name, infor_user **u)
{
    *u = NULL;
    if (infor_store_user_find(c->db, name, u) != APR_SUCCESS) {
        return die("cannot read the user: %s", c->db->errmsg);
    }
    if (!*u) {
        return die("no such user: %s", name);
    }
    return ADM_OK;
}

static int cmd_useradd(adm_call *c)
{
    infor_user u;
    infor_audit audit;
    const char *pw, *why;
    apr_int64_t id = 0;
    apr_status_t rv;
    int i;

    memset(&u, 0, sizeof(u));
    u.enabled = 1;
    u.auth_authority = "Native";
    if (!*c->argv[0]) {
        usage();
        return ADM_ERROR;
    }
    u.username = c->argv[0];
    if (!check_text("the user name", u.username)) {
        return ADM_ERROR;
    }
    if (strncasecmp(u.username, "ID:", 3) == 0) {
        return die("a user name may not start with ID:");
    }
    for (i = 1; i < c->argc; i++) {
        const char **field = NULL;
        if (strcmp(c->argv[i], "--admin") == 0) {
            u.is_admin = 1;
            continue;
        }
        if (strcmp(c->argv[i], "--first") == 0) {
            field = &u.first_name;
        }
        else if (strcmp(c->argv[i], "--last") == 0) {
            field = &u.last_name;
        }
        else if (strcmp(c->argv[i], "--email") == 0) {
            field = &u.email;
        }
        else if (strcmp(c->argv[i], "--mobile") == 0) {
            field = &u.mobile;
        }
        if (!field || i + 1 >= c->argc) {
            fprintf(stderr, "%s: useradd: unknown or incomplete option %s\n",
                    progname, c->argv[i]);
            return ADM_ERROR;
        }
        *field = c->argv[++i];
        if (!check_text(c->argv[i - 1], *field)) {
            return ADM_ERROR;
        }
    }
    pw = read_password(c->p, &why);
    if (!pw || !*pw) {
        return die("%s", why);
    }
    u.password_hash = infor_password_hash(c->p, pw, c->cost);
    if (!u.password_hash) {
        return die("cannot hash the password");
    }
    audit = audit_as("inforadm useradd");
    rv = infor_store_user_create(c->db, &u, apr_time_now(), &audit, &id);
    if (rv == APR_EEXIST) {
        return die("user %s already exists", u.username);
    }
    if (rv != APR_SUCCESS) {
        return die("cannot add the user: %s", c->db->errmsg);
    }
    printf("added user %s (id %" APR_INT64_T_FMT ")%s\n", u.username, id,
           u.is_admin ? " as an administrator" : "");
    return ADM_OK;
}

/* An operator's reset: no old password asked. */
static int cmd_passwd(adm_call *c)
{
    infor_user *u;
    const char *pw, *why;
    infor_user_change ch;
    infor_audit audit;
    int rc;

    if ((rc = find_user(c, c->argv[0], &u)) != ADM_OK) {
        return rc;
    }
    pw = read_password(c->p, &why);
    if (!pw || !*pw) {
        return die("%s", why);
    }
    infor_user_change_init(&ch);
    ch.password_hash = infor_password_hash(c->p, pw, c->cost);
    if (!ch.password_hash) {
        return die("cannot hash the password");
    }
    audit = audit_as("inforadm passwd");
    if (infor_store_user_update(c->db, u, &ch, apr_time_now(), &audit)
        != APR_SUCCESS) {
        return die("cannot set the password: %s", c->db->errmsg);
    }
    printf("password changed for %s\n", u->username);
    return ADM_OK;
}

/* disable and enable: the store drops a disabled user's sessions in the
 * same transaction, as ChangeUserStatus does. */
static int set_enabled(adm_call *c, int enabled)
{
    const char *what = enabled ? "enabled" : "disabled";
    infor_user *u;
    infor_user_change ch;
    infor_audit audit;
    int rc;

    if ((rc = find_user(c, c->argv[0], &u)) != ADM_OK) {
        return rc;
    }
    if (!u->enabled == !enabled) {
        printf("user %s is already %s\n", u->username, what);
        return ADM_OK;
    }
    infor_user_change_init(&ch);
    ch.enabled = enabled;
    audit = audit_as(enabled ? "inforadm enable" : "inforadm disable");
    if (infor_store_user_update(c->db, u, &ch, apr_time_now(), &audit)
        != APR_SUCCESS) {
        return die("cannot change the user: %s", c->db->errmsg);
    }
    printf("%s user %s\n", what, u->username);
    return ADM_OK;
}

static int cmd_disable(adm_call *c)
{
    return set_enabled(c, 0);
}

static int cmd_enable(adm_call *c)
{
    return set_enabled(c, 1);
}

static int cmd_delete(adm_call *c)
{
    infor_user *u;
    infor_audit audit;
    int rc;

    if ((rc = find_user(c, c->argv[0], &u)) != ADM_OK) {
        return rc;
    }
    audit = audit_as("inforadm delete");
    if (infor_store_user_delete(c->db, u, apr_time_now(), &audit)
        != APR_SUCCESS) {
        return die("cannot delete the user: %s", c->db->errmsg);
    }
    printf("deleted user %s (id %" APR_INT64_T_FMT ")\n", u->username,
           u->id);
    return ADM_OK;
}

static int cmd_list(adm_call *c)
{
    apr_array_header_t *users = NULL;
    int i;

    if (infor_store_user_list(c->db, &users) != APR_SUCCESS) {
        return die("cannot list users: %s", c->db->errmsg);
    }
    printf("ID\tUSERNAME\tADMIN\tENABLED\tEMAIL\tMOBILE\tLASTLOGON\n");
    for (i = 0; i < users->nelts; i++) {
        const infor_user *u = APR_ARRAY_IDX(users, i, infor_user *);
        const char *logon = infor_time_user(c->p, u->last_logon);
        printf("%" APR_INT64_T_FMT "\t%s\t%s\t%s\t%s\t%s\t%s\n", u->id,
               u->username, u->is_admin ? "yes" : "no",
               u->enabled ? "yes" : "no", u->email, u->mobile,
               *logon ? logon : "-");
    }
    return ADM_OK;
}

/* --before's TIME: an age ("90s", "15m", "12h", "30d": before now less
 * that, as InforAuditRetention counts), or a UTC date "YYYY-MM-DD" or
 * time "YYYY-MM-DDTHH:MM:SS[Z]" (as audit prints them).  0 if neither. */
static apr_time_t parse_before(const char *arg)
{
    apr_time_exp_t tm;
    apr_time_t t = 0;
    char *end = NULL;
    apr_int64_t n;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, used = 0;

    n = apr_strtoi64(arg, &end, 10);
    if (end != arg && n >= 0 && *end && !end[1]
        && n <= APR_INT64_C(100) * 365 * 86400) {
        apr_int64_t unit = *end == 's' ? 1 : *end == 'm' ? 60
                           : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 0;
        if (unit && n <= APR_INT64_C(100) * 365 * 86400 / unit) {
            return apr_time_now() - apr_time_from_sec(n * unit);
        }
        return 0;
    }
    if (sscanf(arg, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3
        || used != 10) {
        return 0;
    }
    if (arg[10]) {
        used = 0;
        if (sscanf(arg + 10, "T%2d:%2d:%2d%n", &h, &mi, &sec, &used) != 3
            || used != 9 || (arg[19] && strcmp(arg + 19, "Z") != 0)) {
            return 0;
        }
    }
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23
        || mi > 59 || sec > 60) {
        return 0;
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    if (apr_time_exp_gmt_get(&t, &tm) != APR_SUCCESS || t <= 0) {
        return 0;
    }
    return t;
}

static apr_status_t print_audit_row(const infor_audit_row *a, void *baton)
{
    apr_pool_t *p = baton;

    if (printf("%sZ\t%s\t%s\t%" APR_INT64_T_FMT "\t%s\t%s\t%s\n",
               infor_time_user(p, a->at),
               *a->actor_name ? a->actor_name : "-",
               a->action, a->target_id, a->target_name,
               *a->fields ? a->fields : "-",
               *a->client ? a->client : "-") < 0) {
        return APR_EGENERAL;
    }
    /* infor_time_user's texts: one pool for all rows would grow. */
    apr_pool_clear(p);
    return APR_SUCCESS;
}

/* Streams the trail: rows are printed as the store reads them, in
 * batches, so a trail of any length takes little memory. */
static int cmd_audit(adm_call *c)
{
    const char *name = NULL;
    apr_time_t before = 0;
    apr_pool_t *rowp = NULL;
    apr_status_t rv;
    int i;

    for (i = 0; i < c->argc; i++) {
        if (strcmp(c->argv[i], "--before") == 0) {
            if (i + 1 >= c->argc || before) {
                return die("audit: --before needs one TIME");
            }
            if (!(before = parse_before(c->argv[++i]))) {
                return die("audit: --before: '%s' is neither an age (90s,"
                           " 15m, 12h, 30d) nor a UTC date"
                           " (YYYY-MM-DD[THH:MM:SS[Z]])", c->argv[i]);
            }
        }
        else if (!name && strncmp(c->argv[i], "--", 2) != 0) {
            name = c->argv[i];
        }
        else {
            return die("audit: unexpected argument %s", c->argv[i]);
        }
    }
    if (apr_pool_create(&rowp, c->p) != APR_SUCCESS) {
        return die("out of memory");
    }
    if (printf("TIME\tACTOR\tACTION\tUSERID\tUSERNAME\tFIELDS\tCLIENT\n")
        < 0) {
        return die("cannot write the audit trail");
    }
    rv = infor_store_audit_walk(c->db, name, before, print_audit_row, rowp);
    if (rv != APR_SUCCESS) {
        return c->db->errmsg
               ? die("cannot read the audit trail: %s", c->db->errmsg)
               : die("cannot write the audit trail");
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        return die("cannot write the audit trail");
    }
    return ADM_OK;
}

static int cmd_has_admin(adm_call *c)
{
    apr_int64_t n = 0;

    if (infor_store_admin_count(c->db, &n) != APR_SUCCESS) {
        return die("cannot count administrators: %s", c->db->errmsg);
    }
    return n > 0 ? ADM_OK : ADM_NO;
}

/* Every command: one row (name, synopsis, help, argument counts) and its
 * function. */
static const adm_command commands[] = {
    { "useradd", "NAME [--admin] [--first F] [--last L] [--email E] "
      "[--mobile M]",
      "Adds an account, enabled, as an administrator with --admin.  The\n"
      "password is read from the terminal (twice, without echo) or as one\n"
      "line from standard input.\n", 1, -1, cmd_useradd },
    { "passwd", "NAME",
      "Sets an account's password; the old one is not asked for.  The\n"
      "password is read as useradd reads it.  An outstanding reset code\n"
      "stops working.\n", 1, 1, cmd_passwd },
    { "disable", "NAME",
      "Disables an account: it can no longer log in, and its tickets end\n"
      "now, in every httpd process.\n", 1, 1, cmd_disable },
    { "enable", "NAME",
      "Enables a disabled account again.\n", 1, 1, cmd_enable },
    { "delete", "NAME",
      "Deletes an account with its tickets and reset code.  The audit\n"
      "trail keeps its rows.\n", 1, 1, cmd_delete },
    { "list", "",
      "Lists the accounts, one a line, tab-separated, by id.\n",
      0, 0, cmd_list },
    { "audit", "[NAME] [--before TIME]",
      "Prints the audit trail, oldest first, tab-separated, as it reads it\n"
      "(in batches: any length, little memory); with a NAME, only the rows\n"
      "about that account (under any name it had); with --before, only\n"
      "the rows written before TIME: an age (90s, 15m, 12h, 30d: before\n"
      "now less that, what InforAuditRetention of that age removes next)\n"
      "or a UTC date, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ.\n", 0, 3,
      cmd_audit },
    { "has-admin", "",
      "Exits 0 when an administrator exists, 1 when none does (2 on an\n"
      "error).  Prints nothing.\n", 0, 0, cmd_has_admin },
    { NULL, NULL, NULL, 0, 0, NULL }
};

static const adm_command *command_named(const char *name)
{
    const adm_command *cmd;

    for (cmd = commands; cmd->name; cmd++) {
        if (strcmp(cmd->name, name) == 0) {
            return cmd;
        }
    }
    return NULL;
}

static int wants_help(int argc, const char *const *argv)
{
    int i;

    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            return 1;
        }
    }
    return 0;
}

/* Opens the store for a command; ADM_OK or the error status. */
static int open_store(infor_db *db, apr_pool_t *pool, const char *driver_name,
                      const char *params, int create)
{
    const apr_dbd_driver_t *driver = NULL;
    apr_finfo_t fi;

    apr_dbd_init(pool);
    if (apr_dbd_get_driver(pool, driver_name, &driver) != APR_SUCCESS) {
        return die("no apr_dbd driver %s (is libaprutil1-dbd-%s installed?)",
                   driver_name, driver_name);
    }
    if (strcmp(driver_name, "sqlite3") == 0
        && apr_stat(&fi, params, APR_FINFO_TYPE, pool) != APR_SUCCESS
        && !create) {
        return die("database %s does not exist (-c creates it)", params);
    }
    memset(db, 0, sizeof(*db));
    db->driver = driver;
    db->pool = pool;
    db->prepared = apr_hash_make(pool);
    if (apr_dbd_open(driver, pool, params, &db->handle) != APR_SUCCESS) {
        return die("cannot open database %s", params);
    }
    if (infor_store_init(pool, NULL, 0) != APR_SUCCESS
        || infor_store_attach(db, pool, NULL) != APR_SUCCESS) {
        infor_store_close(db);
        return die("cannot use database %s: %s", params,
                   db->errmsg ? db->errmsg : "unknown error");
    }
    return ADM_OK;
}

int main(int argc, const char *const *argv)
{
    apr_pool_t *pool;
    apr_getopt_t *opt;
    const char *driver_name = "sqlite3", *params = NULL, *arg;
    const adm_command *cmd;
    infor_db db;
    adm_call call;
    int create = 0, cost = INFOR_BCRYPT_COST, rc;
    char c;
    apr_status_t rv;

    apr_app_initialize(&argc, &argv, NULL);
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        usage_to(stdout);
        return ADM_OK;
    }
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("%s (mod_infor) %s\n", progname, INFOR_VERSION);
        return ADM_OK;
    }
    apr_getopt_init(&opt, pool, argc, argv);
    while ((rv = apr_getopt(opt, "d:t:cC:h", &c, &arg)) == APR_SUCCESS) {
        switch (c) {
        case 'd': params = arg; break;
        case 't': driver_name = arg; break;
        case 'c': create = 1; break;
        case 'C':
            cost = atoi(arg);
            if (cost < 4 || cost > 31) {
                return die("-C: the bcrypt cost is 4 to 31");
            }
            break;
        case 'h': usage_to(stdout); return ADM_OK;
        }
    }
    if (rv != APR_EOF || opt->ind >= argc) {
        usage();
        return ADM_ERROR;
    }
    cmd = command_named(argv[opt->ind]);
    if (!cmd) {
        fprintf(stderr, "%s: unknown command %s\n", progname,
                argv[opt->ind]);
        usage();
        return ADM_ERROR;
    }
    call.argc = argc - opt->ind - 1;
    call.argv = argv + opt->ind + 1;
    if (wants_help(call.argc, call.argv)) {
        command_help(cmd);
        return ADM_OK;
    }
    if (!params || call.argc < cmd->min_args
        || (cmd->max_args >= 0 && call.argc > cmd->max_args)) {
        usage();
        return ADM_ERROR;
    }
    if ((rc = open_store(&db, pool, driver_name, params, create)) != ADM_OK) {
        return rc;
    }
    call.db = &db;
    call.p = pool;
    call.cost = cost;
    rc = cmd->run(&call);
    infor_store_close(&db);
    return rc;
}
