/*
 * mod_infor: directives, their defaults and merging.  Every directive is
 * listed in the README and in conf/; t/check_directives.sh checks that.
 */
#include <apr_strings.h>
#include <apr_lib.h>

#include "infor_private.h"

void *infor_create_dir_cfg(apr_pool_t *p, char *dir)
{
    infor_dir_cfg *c = apr_pcalloc(p, sizeof(*c));
    (void)dir;
    c->ticket_lifetime = -1;
    c->ticket_refresh = -1;
    c->max_body = -1;
    return c;
}

void *infor_merge_dir_cfg(apr_pool_t *p, void *basev, void *addv)
{
    infor_dir_cfg *base = basev, *add = addv;
    infor_dir_cfg *c = apr_pcalloc(p, sizeof(*c));

    c->ticket_lifetime = add->ticket_lifetime != -1 ? add->ticket_lifetime
                                                    : base->ticket_lifetime;
    c->ticket_refresh = add->ticket_refresh != -1 ? add->ticket_refresh
                                                  : base->ticket_refresh;
    c->max_body = add->max_body != -1 ? add->max_body : base->max_body;
    c->sysadmin_set = add->sysadmin_set || base->sysadmin_set;
    c->sysadmin_account = add->sysadmin_set ? add->sysadmin_account
                                            : base->sysadmin_account;
    return c;
}

void infor_cfg_settings(const infor_dir_cfg *c, infor_settings *s)
{
    s->ticket_lifetime = c->ticket_lifetime != -1 ? c->ticket_lifetime
                                                  : INFOR_DEFAULT_LIFETIME;
    s->ticket_refresh = c->ticket_refresh != -1 ? c->ticket_refresh
                                                : INFOR_DEFAULT_REFRESH;
    s->sysadmin_account = c->sysadmin_account;
}

apr_off_t infor_cfg_max_body(const infor_dir_cfg *c)
{
    return c->max_body != -1 ? c->max_body : INFOR_DEFAULT_MAX_BODY;
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

static const char *set_lifetime(cmd_parms *cmd, void *cv, const char *arg)
{
    infor_dir_cfg *c = cv;
    return parse_duration(cmd->pool, arg, &c->ticket_lifetime, 0);
}

static const char *set_refresh(cmd_parms *cmd, void *cv, const char *arg)
{
    infor_dir_cfg *c = cv;
    return parse_duration(cmd->pool, arg, &c->ticket_refresh, 1);
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

static const char *set_sysadmin(cmd_parms *cmd, void *cv, const char *arg)
{
    infor_dir_cfg *c = cv;
    (void)cmd;
    c->sysadmin_account = *arg ? arg : NULL;
    c->sysadmin_set = 1;
    return NULL;
}

const command_rec infor_cmds[] = {
    AP_INIT_TAKE1("InforTicketLifetime", set_lifetime, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "How long a ticket lives after its last use "
                  "(default 30d)"),
    AP_INIT_TAKE1("InforTicketRefresh", set_refresh, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "Write a ticket's new expiry at most this often "
                  "(default 60s)"),
    AP_INIT_TAKE1("InforMaxBodySize", set_max_body, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "Largest request body in bytes (default 1048576)"),
    AP_INIT_TAKE1("InforSysadminAccount", set_sysadmin, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "An account that may never obtain a ticket (default none)"),
    { NULL }
};
