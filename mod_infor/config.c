/*
 * mod_infor: directives, their defaults and merging.  Every directive is
 * listed in the README and in conf/infor.conf; t/check_directives.sh
 * checks that.
 */
#include <apr_strings.h>
#include <apr_lib.h>

#include "infor_private.h"

#define RULE_LETTERS      0x01
#define RULE_DIGITS       0x02
#define RULE_SYMBOLS      0x04
#define RULE_NOT_USERNAME 0x08
#define RULE_NOT_EMAIL    0x10

#define DEFAULT_RULES      (RULE_NOT_USERNAME | RULE_NOT_EMAIL)
#define DEFAULT_MIN_LENGTH 8
#define DEFAULT_RESET      apr_time_from_sec(3600)
#define DEFAULT_MAIL_FROM  "mod_infor <noreply@localhost>"
#define DEFAULT_MAIL_TIMEOUT apr_time_from_sec(10)

void *infor_create_dir_cfg(apr_pool_t *p, char *dir)
{
    infor_dir_cfg *c = apr_pcalloc(p, sizeof(*c));
    (void)dir;
    c->ticket_lifetime = -1;
    c->ticket_refresh = -1;
    c->reset_lifetime = -1;
    c->mail_timeout = -1;
    c->max_body = -1;
    c->delete_needs_password = -1;
    c->bcrypt_cost = -1;
    c->min_length = -1;
    c->rules = -1;
    c->windows_unqualified = -1;
    c->reset_uniform = -1;
    c->login_limits.per_name = -1;
    c->reset_limits.per_name = -1;
    return c;
}

void *infor_create_srv_cfg(apr_pool_t *p, server_rec *s)
{
    infor_srv_cfg *c = apr_pcalloc(p, sizeof(*c));
    (void)s;
    c->sync_normal = -1;
    c->purge_interval = -1;
    c->audit_retention = -1;
    c->slot = -1;
    c->client_log_level = -1;
    c->client_log_rate = -1;
    return c;
}

void *infor_merge_srv_cfg(apr_pool_t *p, void *basev, void *addv)
{
    infor_srv_cfg *base = basev, *add = addv;
    infor_srv_cfg *c = apr_pcalloc(p, sizeof(*c));

    c->sync_normal = add->sync_normal != -1 ? add->sync_normal
                                            : base->sync_normal;
    c->purge_interval = add->purge_interval != -1 ? add->purge_interval
                                                  : base->purge_interval;
    c->audit_retention = add->audit_retention != -1 ? add->audit_retention
                                                    : base->audit_retention;
    c->slot = -1;
    c->client_log_level = add->client_log_level != -1
                          ? add->client_log_level : base->client_log_level;
    c->client_log_rate = add->client_log_rate != -1 ? add->client_log_rate
                                                    : base->client_log_rate;
    return c;
}

apr_interval_time_t infor_cfg_purge_interval(const infor_srv_cfg *c)
{
    return c->purge_interval != -1 ? c->purge_interval : INFOR_DEFAULT_PURGE;
}

#define DEFAULT_CLIENT_LOG_RATE 10

int infor_cfg_client_log_level(const infor_srv_cfg *c)
{
    return c->client_log_level != -1 ? c->client_log_level : APLOG_INFO;
}

int infor_cfg_client_log_rate(const infor_srv_cfg *c)
{
    return c->client_log_rate != -1 ? c->client_log_rate
                                    : DEFAULT_CLIENT_LOG_RATE;
}

apr_interval_time_t infor_cfg_audit_retention(const infor_srv_cfg *c)
{
    return c->audit_retention != -1 ? c->audit_retention : 0;
}

#define MERGE(field, unset) \
    c->field = add->field != (unset) ? add->field : base->field

void *infor_merge_dir_cfg(apr_pool_t *p, void *basev, void *addv)
{
    infor_dir_cfg *base = basev, *add = addv;
    infor_dir_cfg *c = apr_pcalloc(p, sizeof(*c));

    MERGE(ticket_lifetime, -1);
    MERGE(ticket_refresh, -1);
    MERGE(reset_lifetime, -1);
    MERGE(mail_timeout, -1);
    MERGE(max_body, -1);
    MERGE(sysadmin_account, NULL);
    MERGE(trusted_password, NULL);
    MERGE(mail_command, NULL);
    MERGE(mail_from, NULL);
    MERGE(reset_url, NULL);
    MERGE(languages, NULL);
    MERGE(delete_needs_password, -1);
    MERGE(bcrypt_cost, -1);
    MERGE(min_length, -1);
    MERGE(rules, -1);
    MERGE(windows_domains, NULL);
    MERGE(windows_unqualified, -1);
    MERGE(reset_uniform, -1);
    /* Each throttle's three numbers go together. */
    c->login_limits = add->login_limits.per_name != -1 ? add->login_limits
                                                       : base->login_limits;
    c->reset_limits = add->reset_limits.per_name != -1 ? add->reset_limits
                                                       : base->reset_limits;
    return c;
}

/* A set string, or NULL for unset or set to "". */
static const char *set_or_null(const char *s)
{
    return s && *s ? s : NULL;
}

void infor_cfg_settings(const infor_dir_cfg *c, infor_settings *s)
{
    int rules = c->rules != -1 ? c->rules : DEFAULT_RULES;

    s->ticket_lifetime = c->ticket_lifetime != -1 ? c->ticket_lifetime
                                                  : INFOR_DEFAULT_LIFETIME;
    s->ticket_refresh = c->ticket_refresh != -1 ? c->ticket_refresh
                                                : INFOR_DEFAULT_REFRESH;
    s->reset_lifetime = c->reset_lifetime != -1 ? c->reset_lifetime
                                                : DEFAULT_RESET;
    s->sysadmin_account = set_or_null(c->sysadmin_account);
    s->trusted_password = set_or_null(c->trusted_password);
    s->mail_command = set_or_null(c->mail_command);
    s->mail_from = c->mail_from ? c->mail_from : DEFAULT_MAIL_FROM;
    s->mail_timeout = c->mail_timeout != -1 ? c->mail_timeout
                                            : DEFAULT_MAIL_TIMEOUT;
    s->languages = c->languages;
    s->delete_needs_password = c->delete_needs_password == 1;
    s->bcrypt_cost = c->bcrypt_cost != -1 ? c->bcrypt_cost
                                          : INFOR_BCRYPT_COST;
    s->policy.min_length = c->min_length != -1 ? c->min_length
                                               : DEFAULT_MIN_LENGTH;
    s->policy.letters = (rules & RULE_LETTERS) != 0;
    s->policy.digits = (rules & RULE_DIGITS) != 0;
    s->policy.symbols = (rules & RULE_SYMBOLS) != 0;
    s->policy.not_username = (rules & RULE_NOT_USERNAME) != 0;
    s->policy.not_email = (rules & RULE_NOT_EMAIL) != 0;
    s->windows_domains = c->windows_domains;
    s->windows_unqualified = c->windows_unqualified != 0;
    s->reset_uniform = c->reset_uniform == 1;
}

infor_limits infor_cfg_limits(const infor_dir_cfg *c, infor_limit kind)
{
    /* 5 failures per account and address, 50 per address, in 15 minutes;
     * 3 reset mails per account, 20 per address, in an hour. */
    static const infor_limits login = { 5, 50, APR_TIME_C(900000000) };
    static const infor_limits reset = { 3, 20, APR_TIME_C(3600000000) };

    if (kind == INFOR_LIMIT_RESET) {
        return c->reset_limits.per_name != -1 ? c->reset_limits : reset;
    }
    return c->login_limits.per_name != -1 ? c->login_limits : login;
}

apr_off_t infor_cfg_max_body(const infor_dir_cfg *c)
{
    return c->max_body != -1 ? c->max_body : INFOR_DEFAULT_MAX_BODY;
}

const char *infor_cfg_reset_url(const infor_dir_cfg *c)
{
    return set_or_null(c->reset_url);
}

/* "90", "90s", "15m", "12h", "30d": a whole number of seconds, minutes,
 * hours or days. */
static const char *parse_duration(apr_pool_t *p, const char *arg,
                                  apr_interval_time_t *out, int allow_zero)
{
    char *end = NULL;
    apr_int64_t n = apr_strtoi64(arg, &end, 10);
    apr_int64_t unit = 1;

    if (end == arg || n < 0) {
        return apr_psprintf(p, "'%s' is not a duration (e.g. 3600, 90s, "
                            "15m, 12h, 30d)", arg);
    }
    switch (apr_tolower(*end)) {
    case '\0': case 's': break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default:
        return apr_psprintf(p, "'%s' has an unknown unit (s, m, h or d)",
                            arg);
    }
    if (*end && end[1]) {
        return apr_psprintf(p, "'%s' is not a duration", arg);
    }
    if ((n == 0 && !allow_zero) || n > APR_INT64_C(100) * 365 * 86400 / unit) {
        return apr_psprintf(p, "'%s' is out of range", arg);
    }
    *out = apr_time_from_sec(n * unit);
    return NULL;
}

static const char *parse_int(apr_pool_t *p, const char *name,
                             const char *arg, int lo, int hi, int *out)
{
    char *end = NULL;
    long n = strtol(arg, &end, 10);

    if (end == arg || *end || n < lo || n > hi) {
        return apr_psprintf(p, "%s: '%s' is not a number from %d to %d",
                            name, arg, lo, hi);
    }
    *out = (int)n;
    return NULL;
}

/* One handler for the string directives: cmd->info is the offset of the
 * field, as ap_set_string_slot does; "" is kept, meaning "set to none". */
static const char *set_string(cmd_parms *cmd, void *cv, const char *arg)
{
    *(const char **)((char *)cv + (apr_size_t)cmd->info) = arg;
    return NULL;
}

static const char *set_duration(cmd_parms *cmd, void *cv, const char *arg)
{
    apr_interval_time_t *field = (apr_interval_time_t *)
        ((char *)cv + (apr_size_t)cmd->info);
    /* Only the refresh interval may be 0 (write on every call). */
    int zero = (apr_size_t)cmd->info
               == APR_OFFSETOF(infor_dir_cfg, ticket_refresh);
    const char *err = parse_duration(cmd->pool, arg, field, zero);

    return err ? apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL)
               : NULL;
}

static const char *set_max_body(cmd_parms *cmd, void *cv, const char *arg)
{
    infor_dir_cfg *c = cv;
    char *end = NULL;
    apr_off_t n;

    if (apr_strtoff(&n, arg, &end, 10) != APR_SUCCESS || *end || n < 1) {
        return apr_psprintf(cmd->pool, "InforMaxBodySize: '%s' is not a "
                            "positive number of bytes", arg);
    }
    c->max_body = n;
    return NULL;
}

/* Every InforBcryptCost the configuration names (bit n: cost n), so
 * post_config can prepare a missing user's hash for each. */
static apr_uint32_t costs_used;

static const char *set_cost(cmd_parms *cmd, void *cv, const char *arg)
{
    int *cost = &((infor_dir_cfg *)cv)->bcrypt_cost;
    const char *err = parse_int(cmd->pool, "InforBcryptCost", arg, 4, 31,
                                cost);
    if (!err) {
        costs_used |= (apr_uint32_t)1 << *cost;
    }
    return err;
}

void infor_cfg_prepare_costs(void)
{
    int cost;

    infor_password_prepare(INFOR_BCRYPT_COST);
    for (cost = 4; cost < 32; cost++) {
        if (costs_used & ((apr_uint32_t)1 << cost)) {
            infor_password_prepare(cost);
        }
    }
}

static const char *set_min_length(cmd_parms *cmd, void *cv, const char *arg)
{
    return parse_int(cmd->pool, "InforPasswordMinLength", arg, 1, 72,
                     &((infor_dir_cfg *)cv)->min_length);
}

static const char *set_delete_confirm(cmd_parms *cmd, void *cv, int on)
{
    (void)cmd;
    ((infor_dir_cfg *)cv)->delete_needs_password = on;
    return NULL;
}

static const char *add_rule(cmd_parms *cmd, void *cv, const char *arg)
{
    static const struct { const char *word; int bit; } words[] = {
        { "letters", RULE_LETTERS }, { "digits", RULE_DIGITS },
        { "symbols", RULE_SYMBOLS }, { "not-username", RULE_NOT_USERNAME },
        { "not-email", RULE_NOT_EMAIL }, { "none", 0 },
    };
    infor_dir_cfg *c = cv;
    unsigned i;

    /* The first word of a directive starts the set afresh. */
    if (c->rules == -1) {
        c->rules = 0;
    }
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcasecmp(arg, words[i].word) == 0) {
            c->rules |= words[i].bit;
            return NULL;
        }
    }
    return apr_psprintf(cmd->pool, "InforPasswordRules: unknown rule '%s' "
                        "(letters, digits, symbols, not-username, "
                        "not-email, none)", arg);
}

static const char *add_language(cmd_parms *cmd, void *cv, const char *arg)
{
    infor_dir_cfg *c = cv;

    if (!c->languages) {
        c->languages = apr_array_make(cmd->pool, 8, sizeof(const char *));
    }
    APR_ARRAY_PUSH(c->languages, const char *) = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

/* InforWindowsDomains CORP example.com ...; "none" trusts none (to undo
 * an inherited list).  The first word of a directive starts afresh. */
static const char *add_windows_domain(cmd_parms *cmd, void *cv,
                                      const char *arg)
{
    infor_dir_cfg *c = cv;

    if (!c->windows_domains) {
        c->windows_domains = apr_array_make(cmd->pool, 4,
                                            sizeof(const char *));
    }
    if (strcasecmp(arg, "none") == 0) {
        apr_array_clear(c->windows_domains);
        return NULL;
    }
    if (strpbrk(arg, "\\@")) {
        return apr_psprintf(cmd->pool, "InforWindowsDomains: '%s': give "
                            "the domain or realm alone", arg);
    }
    APR_ARRAY_PUSH(c->windows_domains, const char *) =
        apr_pstrdup(cmd->pool, arg);
    return NULL;
}

static const char *set_windows_unqualified(cmd_parms *cmd, void *cv, int on)
{
    (void)cmd;
    ((infor_dir_cfg *)cv)->windows_unqualified = on;
    return NULL;
}

/* InforResetAnswers documented|uniform */
static const char *set_reset_answers(cmd_parms *cmd, void *cv,
                                     const char *arg)
{
    infor_dir_cfg *c = cv;

    (void)cmd;
    if (strcasecmp(arg, "documented") == 0) {
        c->reset_uniform = 0;
    }
    else if (strcasecmp(arg, "uniform") == 0) {
        c->reset_uniform = 1;
    }
    else {
        return "InforResetAnswers: documented or uniform";
    }
    return NULL;
}

/* InforLoginThrottle / InforResetThrottle: "off", or NAME ADDRESS WINDOW
 * (0 turns one limit off). */
static const char *set_limits(cmd_parms *cmd, void *cv, const char *a1,
                              const char *a2, const char *a3)
{
    infor_limits *l = (infor_limits *)((char *)cv + (apr_size_t)cmd->info);
    const char *name = cmd->cmd->name, *err;

    if (!a2 && (strcasecmp(a1, "off") == 0 || strcmp(a1, "0") == 0)) {
        l->per_name = l->per_address = 0;
        l->window = 0;
        return NULL;
    }
    if (!a2 || !a3) {
        return apr_psprintf(cmd->pool, "%s: 'off', or the most attempts "
                            "per name, per address and the window (e.g. "
                            "5 50 15m)", name);
    }
    if ((err = parse_int(cmd->pool, name, a1, 0, 1000000, &l->per_name))
        || (err = parse_int(cmd->pool, name, a2, 0, 1000000,
                            &l->per_address))) {
        return err;
    }
    err = parse_duration(cmd->pool, a3, &l->window, 0);
    return err ? apr_pstrcat(cmd->pool, name, ": ", err, NULL) : NULL;
}

static const char *set_durability(cmd_parms *cmd, void *cv, const char *arg)
{
    infor_srv_cfg *c = ap_get_module_config(cmd->server->module_config,
                                            &infor_module);
    (void)cv;
    if (strcasecmp(arg, "full") == 0) {
        c->sync_normal = 0;
    }
    else if (strcasecmp(arg, "normal") == 0) {
        c->sync_normal = 1;
    }
    else {
        return apr_psprintf(cmd->pool, "InforDurability: '%s' is neither "
                            "full nor normal", arg);
    }
    return NULL;
}

static const char *set_purge_interval(cmd_parms *cmd, void *cv,
                                      const char *arg)
{
    infor_srv_cfg *c = ap_get_module_config(cmd->server->module_config,
                                            &infor_module);
    const char *err = parse_duration(cmd->pool, arg, &c->purge_interval, 0);
    (void)cv;
    return err ? apr_pstrcat(cmd->pool, "InforPurgeInterval: ", err, NULL)
               : NULL;
}

/* InforClientErrorLog LEVEL [LINES-A-SECOND] */
static const char *set_client_log(cmd_parms *cmd, void *cv, const char *lvl,
                                  const char *rate)
{
    static const struct { const char *name; int level; } levels[] = {
        { "debug", APLOG_DEBUG }, { "info", APLOG_INFO },
        { "notice", APLOG_NOTICE }, { "warn", APLOG_WARNING },
    };
    infor_srv_cfg *c = ap_get_module_config(cmd->server->module_config,
                                            &infor_module);
    unsigned i;

    (void)cv;
    for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        if (strcasecmp(lvl, levels[i].name) == 0) {
            break;
        }
    }
    if (i == sizeof(levels) / sizeof(levels[0])) {
        return apr_psprintf(cmd->pool, "InforClientErrorLog: '%s' is not "
                            "one of debug, info, notice, warn", lvl);
    }
    c->client_log_level = levels[i].level;
    return rate ? parse_int(cmd->pool, "InforClientErrorLog", rate, 0,
                            1000000, &c->client_log_rate) : NULL;
}

static const char *set_audit_retention(cmd_parms *cmd, void *cv,
                                       const char *arg)
{
    infor_srv_cfg *c = ap_get_module_config(cmd->server->module_config,
                                            &infor_module);
    const char *err = NULL;
    (void)cv;
    if (strcasecmp(arg, "forever") == 0) {
        c->audit_retention = 0;
    }
    else {
        err = parse_duration(cmd->pool, arg, &c->audit_retention, 0);
    }
    return err ? apr_pstrcat(cmd->pool, "InforAuditRetention: ", err, NULL)
               : NULL;
}

#define SLOT(field) ((void *)APR_OFFSETOF(infor_dir_cfg, field))
#define WHERE       (RSRC_CONF | ACCESS_CONF)

const command_rec infor_cmds[] = {
    AP_INIT_TAKE1("InforTicketLifetime", set_duration, SLOT(ticket_lifetime),
                  WHERE, "How long a ticket lives after its last use "
                  "(default 30d)"),
    AP_INIT_TAKE1("InforTicketRefresh", set_duration, SLOT(ticket_refresh),
                  WHERE, "Write a ticket's new expiry at most this often "
                  "(default 60s)"),
    AP_INIT_TAKE1("InforMaxBodySize", set_max_body, NULL, WHERE,
                  "Largest request body in bytes (default 65536)"),
    AP_INIT_TAKE1("InforSysadminAccount", set_string,
                  SLOT(sysadmin_account), WHERE,
                  "An account that may never obtain a ticket (default none)"),
    AP_INIT_TAKE1("InforTrustedUserPassword", set_string,
                  SLOT(trusted_password), WHERE,
                  "The secret CreateTicketforUser takes (default none: the "
                  "method is refused)"),
    AP_INIT_FLAG("InforDeleteNeedsPassword", set_delete_confirm, NULL, WHERE,
                 "DeleteUser is refused; DeleteUser1 with the "
                 "administrator's password is needed (default Off)"),
    AP_INIT_ITERATE("InforLanguages", add_language, NULL, WHERE,
                    "Session language codes; the first is the default "
                    "(default en)"),
    AP_INIT_TAKE1("InforBcryptCost", set_cost, NULL, WHERE,
                  "bcrypt cost of new password hashes (default 10)"),
    AP_INIT_TAKE1("InforPasswordMinLength", set_min_length, NULL, WHERE,
                  "Shortest password, in characters (default 8)"),
    AP_INIT_ITERATE("InforPasswordRules", add_rule, NULL, WHERE,
                    "What a password must hold: letters digits symbols "
                    "not-username not-email, or none "
                    "(default not-username not-email)"),
    AP_INIT_TAKE1("InforMailCommand", set_string, SLOT(mail_command), WHERE,
                  "A sendmail -t compatible command for reset mail "
                  "(default none)"),
    AP_INIT_TAKE1("InforMailFrom", set_string, SLOT(mail_from), WHERE,
                  "The From: of reset mail"),
    AP_INIT_TAKE1("InforMailTimeout", set_duration, SLOT(mail_timeout),
                  WHERE, "How long the mail command may take before it is "
                  "killed and the mail counts as not sent (default 10s)"),
    AP_INIT_TAKE1("InforResetURL", set_string, SLOT(reset_url), WHERE,
                  "The page reset links point to (default this server's "
                  "/resetpassword.aspx)"),
    AP_INIT_TAKE1("InforResetLifetime", set_duration, SLOT(reset_lifetime),
                  WHERE, "How long a reset code is valid (default 1h)"),
    AP_INIT_ITERATE("InforWindowsDomains", add_windows_domain, NULL, WHERE,
                    "The Windows domains and Kerberos realms whose users "
                    "AuthenticateUserViaWindows accepts (any case), or none "
                    "(default none)"),
    AP_INIT_FLAG("InforWindowsUnqualified", set_windows_unqualified, NULL,
                 WHERE, "Whether AuthenticateUserViaWindows accepts a name "
                 "with no domain or realm (default On)"),
    AP_INIT_TAKE13("InforLoginThrottle", set_limits, SLOT(login_limits),
                   WHERE, "Failed logins held back: most per account and "
                   "address, most per address, window; or off "
                   "(default 5 50 15m)"),
    AP_INIT_TAKE1("InforResetAnswers", set_reset_answers, NULL, WHERE,
                  "documented: ForgotPassword answers as infoRouter does "
                  "(unknown addresses and names are told apart); uniform: "
                  "success whenever one is given (default documented)"),
    AP_INIT_TAKE13("InforResetThrottle", set_limits, SLOT(reset_limits),
                   WHERE, "Reset mail held back: most per account, most per "
                   "address, window; or off (default 3 20 1h)"),
    AP_INIT_TAKE1("InforDurability", set_durability, NULL, RSRC_CONF,
                  "full: a write is on disk when it is answered; normal: "
                  "the last writes may be lost in a power failure "
                  "(default full)"),
    AP_INIT_TAKE1("InforPurgeInterval", set_purge_interval, NULL, RSRC_CONF,
                  "How often expired tickets are removed, in batches "
                  "(default 60s)"),
    AP_INIT_TAKE12("InforClientErrorLog", set_client_log, NULL, RSRC_CONF,
                   "The level of the lines that client errors log, and at "
                   "most how many a second each child writes, 0 for no "
                   "limit (default info 10)"),
    AP_INIT_TAKE1("InforAuditRetention", set_audit_retention, NULL,
                  RSRC_CONF, "How long audit rows are kept, then removed "
                  "in batches with the expired tickets (default forever)"),
    { NULL }
};
