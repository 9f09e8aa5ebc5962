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
#define INFOR_DEFAULT_MAX_BODY (1024 * 1024)

/* Per-directory configuration; every field has an "unset" marker so a
 * merge never mistakes an explicit default for "not given". */
typedef struct {
    apr_interval_time_t ticket_lifetime;   /* -1: unset */
    apr_interval_time_t ticket_refresh;    /* -1: unset */
    apr_interval_time_t reset_lifetime;    /* -1: unset */
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
} infor_dir_cfg;

/* Per-server configuration: what belongs to a database, not to a URL. */
typedef struct {
    int sync_normal;                       /* -1: unset; InforDurability */
    apr_interval_time_t purge_interval;    /* -1: unset */
    apr_interval_time_t audit_retention;   /* -1: unset; 0: for ever */
    int slot;                              /* the server's purge slot */
} infor_srv_cfg;

#define INFOR_DEFAULT_PURGE apr_time_from_sec(60)

/* config.c */
extern const command_rec infor_cmds[];
void *infor_create_srv_cfg(apr_pool_t *p, server_rec *s);
void *infor_merge_srv_cfg(apr_pool_t *p, void *base, void *add);
apr_interval_time_t infor_cfg_purge_interval(const infor_srv_cfg *c);
apr_interval_time_t infor_cfg_audit_retention(const infor_srv_cfg *c);
void *infor_create_dir_cfg(apr_pool_t *p, char *dir);
void *infor_merge_dir_cfg(apr_pool_t *p, void *base, void *add);
void infor_cfg_settings(const infor_dir_cfg *c, infor_settings *s);
/* InforResetURL, or NULL when the request's own address should be used. */
const char *infor_cfg_reset_url(const infor_dir_cfg *c);
apr_off_t infor_cfg_max_body(const infor_dir_cfg *c);

/* http_decode.c: GET query and form POST bodies, through libapreq2.  On
 * success call->args are filled for call->op. */
int infor_http_init(void);   /* 0 when mod_apreq2 is missing */
infor_error *infor_http_decode(request_rec *r, apr_off_t max_body,
                               infor_call *call);
/* A query string parameter (any case), or NULL. */
const char *infor_http_query_param(request_rec *r, const char *name);
/* The "ticket" cookie, or NULL. */
const char *infor_http_cookie_ticket(request_rec *r);

/* request.c */
/* The method of a /srv.asmx/METHOD URL, or NULL for the endpoint. */
const char *infor_request_method(request_rec *r);
/* Works out the binding and operation and decodes the parameters; a
 * client error when the request cannot be a call. */
infor_error *infor_request_decode(request_rec *r, apr_off_t max_body,
                                  infor_call *call);
/* Rewrites the request line the access log keeps: no passwords, tickets
 * cut to eight characters. */
void infor_request_mask(request_rec *r);

/* respond.c */
int infor_respond_result(request_rec *r, const infor_call *call,
                         const infor_elem *result);
/* A refused request: HTTP status and text, or a SOAP Fault. */
int infor_respond_refusal(request_rec *r, infor_binding binding,
                          const infor_error *e);
/* GET /srv.asmx: the WSDL, the help pages. */
int infor_respond_describe(request_rec *r);
/* An absolute URL on this server by its ServerName, never the Host
 * header. */
const char *infor_server_url(request_rec *r, const char *path);

#endif
