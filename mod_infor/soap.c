/*
 * mod_infor: SOAP envelopes in and out.  The only file that includes
 * libxml2.  Parsing is locked down: no DTD (a DOCTYPE stops the parse),
 * no entity expansion, no network.
 */
#include <limits.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_lib.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "infor_soap.h"
#include "infor_xml_scan.h"

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

void infor_soap_init(void)
{
    xmlInitParser();
}

static apr_status_t free_doc(void *doc)
{
    xmlFreeDoc(doc);
    return APR_SUCCESS;
}

/* SAX callback for <!DOCTYPE ...>: refuse the document there and then,
 * before any entity declaration is read. */
static void refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *eid,
                       const xmlChar *sid)
{
    xmlParserCtxtPtr c = ctx;
    (void)name;
    (void)eid;
    (void)sid;
    c->_private = (void *)refuse_dtd;
    xmlStopParser(c);
}

/* libxml2's first error in a parse, kept for the answer: libxml2 itself
 * must never write to stderr (the error log), where any client could
 * fill the log with lines of its choosing. */
typedef struct {
    apr_pool_t *pool;
    const char *first;
} xml_errors;

/* The message as one short line of printable ASCII, without the text
 * of the document that some messages quote (it may be a password's):
 * libxml2 puts it after a line end, ", bytes 0x" or ": <!--". */
static const char *clean_message(apr_pool_t *p, const char *msg)
{
    static const char *const quoting[] = { ", bytes 0x", ": <!--" };
    apr_size_t n = strcspn(msg, "\n");
    char *out, *c;
    unsigned i;

    for (i = 0; i < sizeof(quoting) / sizeof(quoting[0]); i++) {
        const char *q = strstr(msg, quoting[i]);
        if (q && (apr_size_t)(q - msg) < n) {
            n = q - msg;
        }
    }
    if (n > 150) {
        n = 150;
    }
    out = apr_pstrndup(p, msg, n);
    for (c = out; *c; c++) {
        if (*c < 0x20 || *c > 0x7E) {
            *c = '?';
        }
    }
    while (c > out && c[-1] == ' ') {
        *--c = '\0';
    }
    return out;
}

static void keep_error(void *data, xmlErrorPtr err)
{
    xml_errors *x = data;

    if (x->first || !err || err->level < XML_ERR_ERROR || !err->message) {
        return;
    }
    x->first = clean_message(x->pool, err->message);
    if (err->line > 0) {
        x->first = apr_psprintf(x->pool, "line %d: %s", err->line, x->first);
    }
}

/* libxml2's unstructured messages (a few paths still print directly):
 * dropped; the structured ones above say the same. */
static void drop_message(void *data, const char *msg, ...)
{
    (void)data;
    (void)msg;
}

static xmlDocPtr parse(apr_pool_t *p, const char *body, apr_size_t len,
                       const char **why)
{
    xmlParserCtxtPtr c;
    xmlDocPtr doc = NULL;
    xml_errors errors = { p, NULL };
    /* Handlers are per thread in libxml2: set for this parse, and given
     * back so that no other user of libxml2 in this thread sees ours. */
    xmlStructuredErrorFunc old_serror = xmlStructuredError;
    void *old_sdata = xmlStructuredErrorContext;
    xmlGenericErrorFunc old_error = xmlGenericError;
    void *old_data = xmlGenericErrorContext;

    if (len > INT_MAX) {
        *why = "request too large";
        return NULL;
    }
    /* Bounded cost first: refuse shapes that would make the parse
     * expensive before libxml2 sees a byte. */
    if (infor_xml_scan(p, body, len, &infor_xml_default_limits, why)
        != INFOR_SCAN_OK) {
        return NULL;
    }
    xmlSetStructuredErrorFunc(&errors, keep_error);
    xmlSetGenericErrorFunc(&errors, drop_message);
    c = xmlCreateMemoryParserCtxt(body, (int)len);
    if (!c) {
        *why = "cannot parse";
        goto leave;
    }
    c->sax->internalSubset = refuse_dtd;
    xmlCtxtUseOptions(c, XML_PARSE_NONET | XML_PARSE_NOERROR
                         | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    xmlParseDocument(c);
    doc = c->myDoc;
    c->myDoc = NULL;
    if (doc) {
        apr_pool_cleanup_register(p, doc, free_doc, apr_pool_cleanup_null);
    }
    if (c->_private == (void *)refuse_dtd) {
        *why = "DTDs are not allowed in SOAP messages";
        doc = NULL;
    }
    else if (!c->wellFormed || !doc) {
        *why = errors.first
               ? apr_pstrcat(p, "the request is not well-formed XML (",
                             errors.first, ")", NULL)
               : "the request is not well-formed XML";
        doc = NULL;
    }
    xmlFreeParserCtxt(c);
leave:
    xmlSetStructuredErrorFunc(old_sdata, old_serror);
    xmlSetGenericErrorFunc(old_data, old_error);
    return doc;
}

static int in_ns(const xmlNode *n, const char *ns)
{
    return n->ns && n->ns->href && strcmp((const char *)n->ns->href, ns) == 0;
}

static xmlNodePtr first_element(xmlNodePtr n)
{
    for (; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            return n;
        }
    }
    return NULL;
}

static int is_nil(xmlNodePtr n)
{
    xmlChar *v = xmlGetNsProp(n, (const xmlChar *)"nil",
                              (const xmlChar *)XSI_NS);
    int nil = v && (strcmp((const char *)v, "true") == 0
                    || strcmp((const char *)v, "1") == 0);
    xmlFree(v);
    return nil;
}

static infor_error *fault(apr_pool_t *p, const char *msg)
{
    return infor_client_error(p, 400, msg);
}

/* The action without blanks and quotes around it; "" for none. */
static const char *action_value(apr_pool_t *p, const char *action)
{
    apr_size_t n;

    action = infor_trim(p, action);
    n = strlen(action);
    if (n >= 2 && action[0] == '"' && action[n - 1] == '"') {
        return apr_pstrndup(p, action + 1, n - 2);
    }
    return action;
}

/* The method named by a SOAPAction: "http://tempuri.org/NAME", quoted or
 * not.  Returns "" when no action is given (absent, or the empty "" that
 * SOAP 1.1 allows); an action naming no method comes back as given, so
 * that it is refused. */
static const char *action_method(apr_pool_t *p, const char *action)
{
    action = action_value(p, action);
    if (strncmp(action, INFOR_NS, sizeof(INFOR_NS) - 1) == 0
        && action[sizeof(INFOR_NS) - 1]) {
        return action + sizeof(INFOR_NS) - 1;
    }
    return action;
}

infor_error *infor_soap_decode(apr_pool_t *p, const char *body,
                               apr_size_t len, const char *action,
                               infor_call *call)
{
    const char *env_ns = call->binding == INFOR_BIND_SOAP12
                         ? INFOR_SOAP12_NS : INFOR_SOAP11_NS;
    const char *why = NULL, *named;
    const infor_op *op;
    xmlDocPtr doc;
    xmlNodePtr env, n, method;
    int seen[INFOR_MAX_PARAMS] = { 0 };

    doc = parse(p, body, len, &why);
    if (!doc) {
        return fault(p, apr_pstrcat(p, "Invalid SOAP request: ", why, ".",
                                    NULL));
    }
    env = xmlDocGetRootElement(doc);
    if (!env || strcmp((const char *)env->name, "Envelope") != 0
        || !in_ns(env, env_ns)) {
        return fault(p, apr_psprintf(p, "Invalid SOAP request: the document "
                     "is not a SOAP %s envelope.",
                     call->binding == INFOR_BIND_SOAP12 ? "1.2" : "1.1"));
    }
    for (n = first_element(env->children); n; n = first_element(n->next)) {
        if (strcmp((const char *)n->name, "Body") == 0 && in_ns(n, env_ns)) {
            break;
        }
    }
    method = n ? first_element(n->children) : NULL;
    if (!method) {
        return fault(p, "Invalid SOAP request: the envelope has no Body "
                        "with a method element.");
    }
    if (!in_ns(method, INFOR_NS)) {
        return fault(p, apr_psprintf(p, "Invalid SOAP request: the method "
                     "element must be in the namespace " INFOR_NS "."));
    }

    named = action_method(p, action);
    if (*named && !infor_op_find(named)) {
        return fault(p, apr_psprintf(p, "Server did not recognize the value "
                     "of %s: %s.", call->binding == INFOR_BIND_SOAP12
                     ? "the action parameter" : "HTTP Header SOAPAction",
                     apr_pstrndup(p, action_value(p, action), 200)));
    }
    op = infor_op_find((const char *)method->name);
    if (!op) {
        return fault(p, apr_psprintf(p, "Server did not recognize the "
                     "request element: %s.",
                     apr_pstrndup(p, (const char *)method->name, 200)));
    }
    if (*named && strcasecmp(named, op->name) != 0) {
        return fault(p, apr_psprintf(p, "The %s %s does not match the "
                     "request element %s.", call->binding == INFOR_BIND_SOAP12
                     ? "action" : "SOAPAction", apr_pstrndup(p, named, 200),
                     op->name));
    }
    call->op = op;

    /* Parameters by local name, any case; the first occurrence wins.  An
     * omitted element or xsi:nil stays NULL (null); <x/> is "". */
    for (n = first_element(method->children); n;
         n = first_element(n->next)) {
        int i;
        xmlChar *text;

        if (!in_ns(n, INFOR_NS)) {
            continue;
        }
        i = infor_op_param(op, (const char *)n->name);
        if (i < 0 || seen[i]) {
            continue;
        }
        seen[i] = 1;
        if (is_nil(n)) {
            continue;
        }
        text = xmlNodeGetContent(n);
        call->args[i] = apr_pstrdup(p, text ? (const char *)text : "");
        xmlFree(text);
    }
    return NULL;
}

static void open_envelope(infor_buf *b, infor_binding binding)
{
    infor_buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                      "<soap:Envelope xmlns:soap=\"");
    infor_buf_puts(b, binding == INFOR_BIND_SOAP12 ? INFOR_SOAP12_NS
                                                   : INFOR_SOAP11_NS);
    infor_buf_puts(b, "\" xmlns:xsi=\"" XSI_NS "\""
                      " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">"
                      "<soap:Body>");
}

static void close_envelope(infor_buf *b)
{
    infor_buf_puts(b, "</soap:Body></soap:Envelope>");
}

void infor_soap_write_result(infor_buf *b, infor_binding binding,
                             const infor_op *op, const infor_elem *result)
{
    open_envelope(b, binding);
    infor_buf_puts(b, "<");
    infor_buf_puts(b, op->name);
    infor_buf_puts(b, "Response xmlns=\"" INFOR_NS "\"><");
    infor_buf_puts(b, op->name);
    infor_buf_puts(b, "Result>");
    infor_xml_write(b, result, 1);
    infor_buf_puts(b, "</");
    infor_buf_puts(b, op->name);
    infor_buf_puts(b, "Result></");
    infor_buf_puts(b, op->name);
    infor_buf_puts(b, "Response>");
    close_envelope(b);
}

void infor_soap_write_fault(infor_buf *b, infor_binding binding,
                            const infor_error *e)
{
    int client = e->kind == INFOR_E_CLIENT;

    open_envelope(b, binding);
    if (binding == INFOR_BIND_SOAP12) {
        infor_buf_puts(b, "<soap:Fault><soap:Code><soap:Value>");
        infor_buf_puts(b, client ? "soap:Sender" : "soap:Receiver");
        infor_buf_puts(b, "</soap:Value></soap:Code><soap:Reason>"
                          "<soap:Text xml:lang=\"en\">");
        infor_xml_escape(b, e->message);
        infor_buf_puts(b, "</soap:Text></soap:Reason><soap:Detail />"
                          "</soap:Fault>");
    }
    else {
        infor_buf_puts(b, "<soap:Fault><faultcode>");
        infor_buf_puts(b, client ? "soap:Client" : "soap:Server");
        infor_buf_puts(b, "</faultcode><faultstring>");
        infor_xml_escape(b, e->message);
        infor_buf_puts(b, "</faultstring><detail /></soap:Fault>");
    }
    close_envelope(b);
}

int infor_soap_fault_status(infor_binding binding, const infor_error *e)
{
    if (binding == INFOR_BIND_SOAP12 && e->kind == INFOR_E_CLIENT) {
        return 400;
    }
    return 500;
}

/* ------------------------------------------------------- preferences */

#define ERR_PREFS "[903]Required parameter.'xmlPreferences'"

typedef enum { PREF_TEXT, PREF_BOOL, PREF_EMAIL_TYPE, PREF_NOTIFY } pref_kind;

static const struct {
    const char *name;
    pref_kind kind;
    apr_size_t offset;   /* into infor_user_change */
} prefs[] = {
    { "Language", PREF_TEXT, APR_OFFSETOF(infor_user_change, language) },
    { "DefaultPortal", PREF_TEXT,
      APR_OFFSETOF(infor_user_change, default_portal) },
    { "ShowArchives", PREF_BOOL,
      APR_OFFSETOF(infor_user_change, show_archives) },
    { "ShowHiddens", PREF_BOOL,
      APR_OFFSETOF(infor_user_change, show_hiddens) },
    { "NotificationType", PREF_NOTIFY,
      APR_OFFSETOF(infor_user_change, notification) },
    { "EmailType", PREF_EMAIL_TYPE,
      APR_OFFSETOF(infor_user_change, email_type) },
    { "AttachDocumentToEmail", PREF_BOOL,
      APR_OFFSETOF(infor_user_change, attach_document) },
};

/* Sets one preference from its text; 0 when the value is not one the
 * preference takes. */
static int set_pref(apr_pool_t *p, unsigned i, const char *v,
                    infor_user_change *c)
{
    char *base = (char *)c + prefs[i].offset;
    static const char *const notify[] = { "NONE", "INSTANT", "DAILY REPORT" };
    int n;

    switch (prefs[i].kind) {
    case PREF_TEXT:
        /* An empty Language would leave the user with none: keep it. */
        if (*v || strcmp(prefs[i].name, "Language") != 0) {
            *(const char **)base = apr_pstrdup(p, v);
        }
        return 1;
    case PREF_BOOL:
        if (!strcasecmp(v, "true") || !strcmp(v, "1")) {
            *(int *)base = 1;
        }
        else if (!strcasecmp(v, "false") || !strcmp(v, "0")) {
            *(int *)base = 0;
        }
        else {
            return 0;
        }
        return 1;
    case PREF_EMAIL_TYPE:
        if (strcasecmp(v, "HTML") && strcasecmp(v, "TEXT")) {
            return 0;
        }
        *(const char **)base = strcasecmp(v, "HTML") ? "TEXT" : "HTML";
        return 1;
    case PREF_NOTIFY:
        for (n = 0; n < 3; n++) {
            if (!strcasecmp(v, notify[n])
                || (v[0] == '0' + n && v[1] == '\0')) {
                *(int *)base = n;
                return 1;
            }
        }
        return 0;
    }
    return 0;
}

infor_error *infor_xml_preferences(apr_pool_t *p, const char *xml,
                                   infor_user_change *c)
{
    const char *why = NULL;
    xmlDocPtr doc = *xml ? parse(p, xml, strlen(xml), &why) : NULL;
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, n;
    unsigned i;

    if (!root || strcasecmp((const char *)root->name, "Preferences") != 0) {
        return infor_app_error(p, ERR_PREFS);
    }
    for (i = 0; i < sizeof(prefs) / sizeof(prefs[0]); i++) {
        xmlAttrPtr a;
        xmlChar *v = NULL;

        /* The current form names preferences as attributes, the legacy
         * one as child elements; names in any letter case. */
        for (a = root->properties; a && !v; a = a->next) {
            if (!strcasecmp((const char *)a->name, prefs[i].name)) {
                v = xmlNodeGetContent((xmlNodePtr)a);
            }
        }
        for (n = first_element(root->children); n && !v;
             n = first_element(n->next)) {
            if (!strcasecmp((const char *)n->name, prefs[i].name)) {
                v = xmlNodeGetContent(n);
            }
        }
        if (v) {
            int ok = set_pref(p, i, (const char *)v, c);
            const char *shown = apr_pstrndup(p, (const char *)v, 100);
            xmlFree(v);
            if (!ok) {
                return infor_app_error(p, apr_psprintf(p,
                    "Invalid value for %s: %s", prefs[i].name, shown));
            }
        }
    }
    return NULL;
}
