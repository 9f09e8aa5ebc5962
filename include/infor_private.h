/*
 * mod_infor: what the httpd-facing files share.  Every such file includes
 * this header, so "LogLevel infor:debug" covers all of them.
 */
#ifndef INFOR_PRIVATE_H
#define INFOR_PRIVATE_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>

#include "infor.h"
#include "infor_ops.h"

APLOG_USE_MODULE(infor);

/* The module's own error-log tags: "INFORnnnn: ", in the place of httpd's
 * APLOGNO (whose AHnnnnn numbers belong to httpd).  Each tag names one
 * log call, so an operator or a filter can match a line by it; numbers
 * are never reused. */
#define INFORLOGNO(n) "INFOR" #n ": "
extern module AP_MODULE_DECLARE_DATA infor_module;

#define INFOR_HANDLER "infor"
#define INFOR_DEFAULT_LIFETIME apr_time_from_sec(30 * 24 * 3600)
#define INFOR_DEFAULT_REFRESH  apr_time_from_sec(60)
/* The largest real request, a SOAP CreateUser with long values, is about
 * 2 KB: 64 KB leaves room for any client, not for 1 MB of anything. */
#define INFOR_DEFAULT_MAX_BODY (64 * 1024)

/* A throttle's limits: attempts per (name, address) pair (per name for
 * reset mail) and per address within a window; 0 turns a limit off. */
typedef struct {
    int per_name;                          /* -1: the group is unset */
    int per_address;
    apr_interval_time_t window;
} infor_limits;

/* Per-directory configuration; every field has an "unset" marker so a
 * merge never mistakes an explicit default for "not given". */
typedef struct {
    apr_interval_time_t ticket_lifetime;   /* -1: unset */
    apr_interval_time_t ticket_refresh;    /* -1: unset */
    apr_interval_time_t reset_lifetime;    /* -1: unset */
    apr_interval_time_t mail_timeout;      /* -1: unset */
    apr_off_t max_body;                    /* -1: unset */
    const char *sysadmin_account;          /* each string: NULL unset, */
    const char *trusted_password;          /* "" set to nothing */
    const char *mail_command;
    const char *mail_from;
    const char *reset_url;
    apr_array_header_t *languages;         /* NULL: unset */
    int delete_needs_password;             /* -1: unset */
    int bcrypt_cost;                       /* -1: unset */
    int min_length;                        /* -1: unset */
    int rules;                             /* -1: unset; else RULE_* bits */
    apr_array_header_t *windows_domains;   /* NULL: unset; may be empty */
    int windows_unqualified;               /* -1: unset */
    int reset_uniform;                     /* -1: unset; InforResetAnswers */
    infor_limits login_limits;             /* InforLoginThrottle */
    infor_limits reset_limits;             /* InforResetThrottle */
} infor_dir_cfg;

/* Per-server configuration: what belongs to a database, not to a URL. */
typedef struct {
    int sync_normal;                       /* -1: unset; InforDurability */
    apr_interval_time_t purge_interval;    /* -1: unset */
    apr_interval_time_t audit_retention;   /* -1: unset; 0: for ever */
    int slot;                              /* the server's purge slot */
    int client_log_level;                  /* -1: unset; APLOG_* */
    int client_log_rate;                   /* -1: unset; lines a second */
    /* In each child, its own copy (log.c): the second the client-error
     * lines are counted for, the lines logged in it, and the lines left
     * out since the last summary.  The server's own, so that a host's
     * summary counts only its own lines at its own rate. */
    apr_uint32_t log_window;
    apr_uint32_t log_logged;
    apr_uint32_t log_suppressed;
} infor_srv_cfg;

#define INFOR_DEFAULT_PURGE apr_time_from_sec(60)

/* config.c */
extern const command_rec infor_cmds[];
void *infor_create_srv_cfg(apr_pool_t *p, server_rec *s);
void *infor_merge_srv_cfg(apr_pool_t *p, void *base, void *add);
apr_interval_time_t infor_cfg_purge_interval(const infor_srv_cfg *c);
/* InforClientErrorLog: the level of client-error lines, and how many a
 * second each child writes (0: no limit). */
int infor_cfg_client_log_level(const infor_srv_cfg *c);
int infor_cfg_client_log_rate(const infor_srv_cfg *c);
apr_interval_time_t infor_cfg_audit_retention(const infor_srv_cfg *c);
void *infor_create_dir_cfg(apr_pool_t *p, char *dir);
void *infor_merge_dir_cfg(apr_pool_t *p, void *base, void *add);
void infor_cfg_settings(const infor_dir_cfg *c, infor_settings *s);
/* InforResetURL, or NULL when the request's own address should be used. */
const char *infor_cfg_reset_url(const infor_dir_cfg *c);
apr_off_t infor_cfg_max_body(const infor_dir_cfg *c);
/* Prepares a missing user's bcrypt hash for every cost configured. */
void infor_cfg_prepare_costs(void);
/* The limits in force for a kind (the defaults when unset). */
infor_limits infor_cfg_limits(const infor_dir_cfg *c, infor_limit kind);

/* throttle.c: the guessing limits, in an ap_socache (shmcb) all children
 * share, and the failed-login log line. */
int infor_throttle_pre_config(apr_pool_t *pconf, apr_pool_t *plog);
int infor_throttle_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                               server_rec *s);
void infor_throttle_child_init(apr_pool_t *p, server_rec *s);
/* The hooks the operations report to, for this request. */
const infor_guard *infor_throttle_guard(request_rec *r,
                                        const infor_dir_cfg *cfg);

/* log.c: one line for a refused request, at InforClientErrorLog's level
 * and rate. */
void infor_log_client(request_rec *r, const char *name, const char *message);

/* http_decode.c: GET query and form POST bodies, through libapreq2.  On
 * success call->args are filled for call->op. */
int infor_http_init(void);   /* 0 when mod_apreq2 is missing */
infor_error *infor_http_decode(request_rec *r, apr_off_t max_body,
                               infor_call *call);
/* A query string parameter (any case), or NULL. */
const char *infor_http_query_param(request_rec *r, const char *name);
/* The "ticket" cookie, or NULL. */
const char *infor_http_cookie_ticket(request_rec *r);

/* maintain.c: each child's maintenance thread, which purges expired
 * tickets of the servers that have served a call. */
int infor_maintain_post_config(apr_pool_t *pconf, server_rec *s);
void infor_maintain_child_init(apr_pool_t *pchild, server_rec *s);
/* The handler of server s is serving calls: its store needs purging. */
void infor_maintain_serving(server_rec *s, apr_time_t now);

/* request.c */
/* The method of a /srv.asmx/METHOD URL, or NULL for the endpoint. */
const char *infor_request_method(request_rec *r);
/* Works out the binding and operation and decodes the parameters; a
 * client error when the request cannot be a call. */
infor_error *infor_request_decode(request_rec *r, apr_off_t max_body,
                                  infor_call *call);

/* logmask.c: the hooks that keep secrets out of every access-log line. */
void infor_mask_register_hooks(void);

/* respond.c */
int infor_respond_result(request_rec *r, const infor_call *call,
                         const infor_elem *result);
/* Whether an element of the answer is streamed (a long list, read from
 * the store as it is written). */
int infor_result_streams(const infor_elem *e);
/* A refused request: HTTP status and text, or a SOAP Fault. */
int infor_respond_refusal(request_rec *r, infor_binding binding,
                          const infor_error *e);
/* GET /srv.asmx: the WSDL, the help pages. */
int infor_respond_describe(request_rec *r);
/* An absolute URL on this server by its ServerName, never the Host
 * header. */
const char *infor_server_url(request_rec *r, const char *path);

#endif
