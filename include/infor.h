/*
 * mod_infor: the binding-neutral core.
 *
 * A request flows decode -> check -> operate -> store -> render.  This
 * header holds the types every step shares: the neutral call, the result
 * element tree, the one error type and the operation table.  Nothing here
 * knows httpd, libapreq2, libxml2 or apr_dbd.
 */
#ifndef INFOR_H
#define INFOR_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

/* The release: the first entry of conf/debian/changelog has the same
 * (t/api/50_inforadm.t checks).  httpd's version line names it
 * ("mod_infor/0.9.0"), as does inforadm --version. */
#define INFOR_VERSION "0.9.0"

#define INFOR_NS "http://tempuri.org/"
#define INFOR_MAX_PARAMS 16

/* ---------------------------------------------------------------- errors */

typedef enum {
    INFOR_E_APP = 1,   /* answered inside the result: success="false" */
    INFOR_E_CLIENT,    /* the request itself is wrong: HTTP 4xx or soap Fault */
    INFOR_E_SERVER     /* something broke: "SystemError: ..." in the result */
} infor_error_kind;

typedef struct infor_error {
    infor_error_kind kind;
    int http_status;       /* for INFOR_E_CLIENT: 400, 404, 405, 413, ... */
    const char *message;   /* safe to show the client */
    const char *detail;    /* for the error log only; may be NULL */
} infor_error;

infor_error *infor_error_make(apr_pool_t *p, infor_error_kind kind,
                              int http_status, const char *message,
                              const char *detail);
#define infor_app_error(p, msg) \
    infor_error_make((p), INFOR_E_APP, 200, (msg), NULL)
#define infor_client_error(p, status, msg) \
    infor_error_make((p), INFOR_E_CLIENT, (status), (msg), NULL)
#define infor_server_error(p, detail) \
    infor_error_make((p), INFOR_E_SERVER, 200, "SystemError: database error", \
                     (detail))

/* The documented error texts, in one place. */
#define INFOR_ERR_AUTH        "[900] Authentication failed"
#define INFOR_ERR_TICKET      "[901] Session expired or Invalid ticket"
#define INFOR_ERR_NO_TICKETS  "[902] Ticket generation not allowed"
#define INFOR_ERR_NO_USER     "User not found"
#define INFOR_ERR_DENIED      "Access denied"
#define INFOR_ERR_NAME_TAKEN  "Username already exists"

/* ------------------------------------------------------- result elements */

typedef struct infor_elem infor_elem;
struct infor_buf;
/* Writes the children of a streamed element into b as the answer is sent
 * (a long list, in constant memory): see infor_xml_write. */
typedef apr_status_t infor_elem_stream_fn(struct infor_buf *b, void *baton);
struct infor_elem {
    const char *name;
    apr_array_header_t *attrs;   /* of infor_attr */
    apr_array_header_t *kids;    /* of infor_elem *, or NULL */
    infor_elem_stream_fn *stream;   /* more children, after kids, or NULL */
    void *stream_baton;
};

typedef struct {
    const char *name;
    const char *value;
} infor_attr;

infor_elem *infor_elem_make(apr_pool_t *p, const char *name);
void infor_elem_attr(infor_elem *e, const char *name, const char *value);
/* Inserts an attribute at position pos (0 first), for the odd documented
 * order such as CreateUser's success, id, error. */
void infor_elem_attr_insert(infor_elem *e, int pos, const char *name,
                            const char *value);
infor_elem *infor_elem_child(apr_pool_t *p, infor_elem *e, const char *name);

/* A growable byte buffer that renderers write into.  With flush set, a
 * write that would grow it first hands its bytes to flush (which sends
 * them and empties it): the buffer then stays the size it started at. */
typedef struct infor_buf {
    apr_pool_t *pool;
    char *data;
    apr_size_t len;
    apr_size_t cap;
    apr_status_t (*flush)(struct infor_buf *b);
    void *flush_baton;
    apr_status_t status;    /* the first failure of flush or a stream */
} infor_buf;

void infor_buf_init(infor_buf *b, apr_pool_t *p, apr_size_t cap);
void infor_buf_add(infor_buf *b, const char *s, apr_size_t n);
void infor_buf_puts(infor_buf *b, const char *s);
const char *infor_buf_str(infor_buf *b);

/* Appends s escaped for an XML attribute or text node: & < > " ' become
 * entities and characters XML 1.0 forbids (and invalid UTF-8) are dropped. */
void infor_xml_escape(infor_buf *b, const char *s);

/* Serialises e (attributes in insertion order, empty elements as "<x />").
 * With undeclare_ns the element carries xmlns="" first.  A streamed
 * element (e->stream) is always written with an end tag; a failure of
 * its stream is kept in b->status. */
void infor_xml_write(infor_buf *b, const infor_elem *e, int undeclare_ns);

/* s without white space at either end; "" for NULL. */
const char *infor_trim(apr_pool_t *p, const char *s);

/* 1 when s is valid UTF-8 holding only characters XML 1.0 allows. */
int infor_text_ok(const char *s, apr_size_t len);

/* Date formats: expireOn is "YYYY-MM-DDThh:mm:ssZ"; user dates have no Z
 * and are "" when t is 0 (the event never happened). */
const char *infor_time_utc_z(apr_pool_t *p, apr_time_t t);
const char *infor_time_user(apr_pool_t *p, apr_time_t t);

/* ------------------------------------------------------------- tickets */

#define INFOR_GUID_LEN 36

/* 128 bits from APR's random source as a lowercase 8-4-4-4-12 GUID. */
int infor_guid_new(char out[INFOR_GUID_LEN + 1]);
/* 1 when s is a GUID in 8-4-4-4-12 form, hex digits of either case. */
int infor_guid_valid(const char *s);
/* What the store keeps for a ticket: the SHA-1 of its lowercase form, in
 * hex, so a copy of the database hands out no live sessions. */
const char *infor_ticket_key(apr_pool_t *p, const char *ticket);

/* User names match regardless of case: the store indexes this folded form
 * (ASCII and Latin-1 letters are folded; other bytes are kept). */
const char *infor_name_key(apr_pool_t *p, const char *name);

#endif /* INFOR_H */
