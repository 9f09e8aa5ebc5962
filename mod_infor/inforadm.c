/*
 * inforadm: manage mod_infor accounts from the command line, through the
 * same store code the module uses.  It exists for the administrator who
 * must create the first account before any ticket can (as htpasswd serves
 * mod_authn_file).  Passwords are read from standard input.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_file_info.h>
#include <apr_getopt.h>
#include <apr_strings.h>
#include <apr_dbd.h>
#include <apu.h>

#include "infor.h"
#include "infor_password.h"
#include "infor_store.h"

#define EXIT_USAGE 2

static const char *progname = "inforadm";

static void usage(void)
{
    fprintf(stderr,
        "usage: %s [-t DRIVER] [-c] [-C COST] -d DATABASE COMMAND [ARGS]\n"
        "\n"
        "  -d DATABASE  the database: a file for sqlite3, else the driver's\n"
        "               parameters, as in DBDParams\n"
        "  -t DRIVER    apr_dbd driver, as in DBDriver (default sqlite3)\n"
        "  -c           create the SQLite file if it does not exist\n"
        "  -C COST      bcrypt cost for new passwords (4-31, default %d)\n"
        "\n"
        "commands:\n"
        "  useradd NAME [--admin] [--first F] [--last L] [--email E]\n"
        "               [--mobile M]   add an account; password on stdin\n"
        "  passwd NAME                 set a password; password on stdin\n"
        "  list                        list the accounts\n"
        "  audit [NAME]                the audit trail, or a user's part\n"
        "  has-admin                   exit 0 if an administrator exists,\n"
        "                              1 if none\n",
        progname, INFOR_BCRYPT_COST);
}

static int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "inforadm: message" and returns the failure exit status. */
static int die(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_FAILURE;
}

/* One line from standard input, without its line end. */
static const char *read_password(apr_pool_t *p)
{
    char buf[4096];
    apr_size_t n;

    if (isatty(STDIN_FILENO)) {
        fprintf(stderr, "Password: ");
        fflush(stderr);
    }
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

static int cmd_useradd(infor_db *db, apr_pool_t *p, int cost, int argc,
                       const char *const *argv)
{
    infor_user u;
    infor_audit audit;
    const char *pw;
    apr_int64_t id = 0;
    apr_status_t rv;
    int i;

    memset(&u, 0, sizeof(u));
    u.enabled = 1;
    u.auth_authority = "Native";
    if (argc < 1 || !*argv[0]) {
        usage();
        return EXIT_USAGE;
    }
    u.username = argv[0];
    if (!check_text("the user name", u.username)) {
        return EXIT_FAILURE;
    }
    if (strncasecmp(u.username, "ID:", 3) == 0) {
        return die("a user name may not start with ID:");
    }
    for (i = 1; i < argc; i++) {
        const char **field = NULL;
        if (strcmp(argv[i], "--admin") == 0) {
            u.is_admin = 1;
            continue;
        }
        if (strcmp(argv[i], "--first") == 0) {
            field = &u.first_name;
        }
        else if (strcmp(argv[i], "--last") == 0) {
            field = &u.last_name;
        }
        else if (strcmp(argv[i], "--email") == 0) {
            field = &u.email;
        }
        else if (strcmp(argv[i], "--mobile") == 0) {
            field = &u.mobile;
        }
        if (!field || i + 1 >= argc) {
            fprintf(stderr, "%s: useradd: unknown or incomplete option %s\n",
                    progname, argv[i]);
            return EXIT_USAGE;
        }
        *field = argv[++i];
        if (!check_text(argv[i - 1], *field)) {
            return EXIT_FAILURE;
        }
    }
    pw = read_password(p);
    if (!pw || !*pw) {
        return die("no password on standard input");
    }
    u.password_hash = infor_password_hash(p, pw, cost);
    if (!u.password_hash) {
        return die("cannot hash the password");
    }
    audit = audit_as("inforadm useradd");
    rv = infor_store_user_create(db, &u, apr_time_now(), &audit, &id);
    if (rv == APR_EEXIST) {
        return die("user %s already exists", u.username);
    }
    if (rv != APR_SUCCESS) {
        return die("cannot add the user: %s", db->errmsg);
    }
    printf("added user %s (id %" APR_INT64_T_FMT ")%s\n", u.username, id,
           u.is_admin ? " as an administrator" : "");
    return EXIT_SUCCESS;
}

static int cmd_passwd(infor_db *db, apr_pool_t *p, int cost, int argc,
                      const char *const *argv)
{
    infor_user *u = NULL;
    const char *pw;
    infor_user_change c;
    infor_audit audit;

    if (argc != 1) {
        usage();
        return EXIT_USAGE;
    }
    if (infor_store_user_find(db, argv[0], &u) != APR_SUCCESS) {
        return die("cannot read the user: %s", db->errmsg);
    }
    if (!u) {
        return die("no such user: %s", argv[0]);
    }
    pw = read_password(p);
    if (!pw || !*pw) {
        return die("no password on standard input");
    }
    infor_user_change_init(&c);
    c.password_hash = infor_password_hash(p, pw, cost);
    if (!c.password_hash) {
        return die("cannot hash the password");
    }
    audit = audit_as("inforadm passwd");
    if (infor_store_user_update(db, u, &c, apr_time_now(), &audit)
        != APR_SUCCESS) {
        return die("cannot set the password: %s", db->errmsg);
    }
    printf("password changed for %s\n", u->username);
    return EXIT_SUCCESS;
}

static int cmd_list(infor_db *db, apr_pool_t *p)
{
    apr_array_header_t *users = NULL;
    int i;

    if (infor_store_user_list(db, &users) != APR_SUCCESS) {
        return die("cannot list users: %s", db->errmsg);
    }
    printf("ID\tUSERNAME\tADMIN\tENABLED\tEMAIL\tMOBILE\tLASTLOGON\n");
    for (i = 0; i < users->nelts; i++) {
        const infor_user *u = APR_ARRAY_IDX(users, i, infor_user *);
        const char *logon = infor_time_user(p, u->last_logon);
        printf("%" APR_INT64_T_FMT "\t%s\t%s\t%s\t%s\t%s\t%s\n", u->id,
               u->username, u->is_admin ? "yes" : "no",
               u->enabled ? "yes" : "no", u->email, u->mobile,
               *logon ? logon : "-");
    }
    return EXIT_SUCCESS;
}

static int cmd_audit(infor_db *db, apr_pool_t *p, int argc,
                     const char *const *argv)
{
    apr_array_header_t *rows = NULL;
    int i;

    if (argc > 1) {
        usage();
        return EXIT_USAGE;
    }
    if (infor_store_audit_list(db, argc ? argv[0] : NULL, &rows)
        != APR_SUCCESS) {
        return die("cannot read the audit trail: %s", db->errmsg);
    }
    printf("TIME\tACTOR\tACTION\tUSERID\tUSERNAME\tFIELDS\tCLIENT\n");
    for (i = 0; i < rows->nelts; i++) {
        const infor_audit_row *a = APR_ARRAY_IDX(rows, i, infor_audit_row *);
        printf("%sZ\t%s\t%s\t%" APR_INT64_T_FMT "\t%s\t%s\t%s\n",
               infor_time_user(p, a->at), *a->actor_name ? a->actor_name : "-",
               a->action, a->target_id, a->target_name,
               *a->fields ? a->fields : "-", *a->client ? a->client : "-");
    }
    return EXIT_SUCCESS;
}

int main(int argc, const char *const *argv)
{
    apr_pool_t *pool;
    apr_getopt_t *opt;
    const char *driver_name = "sqlite3", *params = NULL, *arg, *cmd;
    const apr_dbd_driver_t *driver = NULL;
    infor_db db;
    apr_finfo_t fi;
    int create = 0, cost = INFOR_BCRYPT_COST, rc;
    char c;
    apr_status_t rv;

    apr_app_initialize(&argc, &argv, NULL);
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);
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
        case 'h': usage(); return EXIT_SUCCESS;
        }
    }
    if (rv != APR_EOF || !params || opt->ind >= argc) {
        usage();
        return EXIT_USAGE;
    }
    cmd = argv[opt->ind];
    if (strcmp(cmd, "useradd") && strcmp(cmd, "passwd")
        && strcmp(cmd, "list") && strcmp(cmd, "has-admin")
        && strcmp(cmd, "audit")) {
        fprintf(stderr, "%s: unknown command %s\n", progname, cmd);
        usage();
        return EXIT_USAGE;
    }

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
    memset(&db, 0, sizeof(db));
    db.driver = driver;
    db.pool = pool;
    db.prepared = apr_hash_make(pool);
    if (apr_dbd_open(driver, pool, params, &db.handle) != APR_SUCCESS) {
        return die("cannot open database %s", params);
    }
    if (infor_store_init(pool, NULL) != APR_SUCCESS
        || infor_store_attach(&db, pool, NULL) != APR_SUCCESS) {
        return die("cannot use database %s: %s", params,
                   db.errmsg ? db.errmsg : "unknown error");
    }

    argc -= opt->ind + 1;
    argv += opt->ind + 1;
    if (strcmp(cmd, "useradd") == 0) {
        rc = cmd_useradd(&db, pool, cost, argc, argv);
    }
    else if (strcmp(cmd, "passwd") == 0) {
        rc = cmd_passwd(&db, pool, cost, argc, argv);
    }
    else if (strcmp(cmd, "list") == 0) {
        rc = cmd_list(&db, pool);
    }
    else if (strcmp(cmd, "audit") == 0) {
        rc = cmd_audit(&db, pool, argc, argv);
    }
    else {
        apr_int64_t n = 0;
        if (infor_store_admin_count(&db, &n) != APR_SUCCESS) {
            rc = die("cannot count administrators: %s", db.errmsg);
        }
        else {
            rc = n > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
        }
    }
    apr_dbd_close(driver, db.handle);
    return rc;
}
