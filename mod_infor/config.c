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

void *infor_create_dir_cfg(apr_pool_t *p, char *dir)
{
    infor_dir_cfg *c = apr_pcalloc(p, sizeof(*c));
    (void)dir;
    c->ticket_lifetime = -1;
    c->ticket_refresh = -1;
    c->reset_lifetime = -1;
    c->max_body = -1;
    c->delete_needs_password = -1;
    c->bcrypt_cost = -1;
    c->min_length = -1;
    c->rules = -1;
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
    return c;
}

apr_interval_time_t infor_cfg_purge_interval(const infor_srv_cfg *c)
{
    return c->purge_interval != -1 ? c->purge_interval : INFOR_DEFAULT_PURGE;
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

static const char *set_cost(cmd_parms *cmd, void *cv, const char *arg)
{
    return parse_int(cmd->pool, "InforBcryptCost", arg, 4, 31,
                     &((infor_dir_cfg *)cv)->bcrypt_cost);
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
                  "Largest request body in bytes (default 1048576)"),
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
    AP_INIT_TAKE1("InforResetURL", set_string, SLOT(reset_url), WHERE,
                  "The page reset links point to (default this server's "
                  "/resetpassword.aspx)"),
    AP_INIT_TAKE1("InforResetLifetime", set_duration, SLOT(reset_lifetime),
                  WHERE, "How long a reset code is valid (default 1h)"),
    AP_INIT_TAKE1("InforDurability", set_durability, NULL, RSRC_CONF,
                  "full: a write is on disk when it is answered; normal: "
                  "the last writes may be lost in a power failure "
                  "(default full)"),
    AP_INIT_TAKE1("InforPurgeInterval", set_purge_interval, NULL, RSRC_CONF,
                  "How often expired tickets are removed, in batches "
                  "(default 60s)"),
    AP_INIT_TAKE1("InforAuditRetention", set_audit_retention, NULL,
                  RSRC_CONF, "How long audit rows are kept, then removed "
                  "in batches with the expired tickets (default forever)"),
    { NULL }
};
