/*
 * mod_infor: the WSDL and the help pages, written from the operation
 * table (see infor_describe.h).  Plain text building: every value that
 * comes from outside the table is escaped.
 */
#include <string.h>

#include <apr_strings.h>

#include "infor_describe.h"

#define SOAP11_NS "http://schemas.xmlsoap.org/soap/envelope/"
#define SOAP12_NS "http://www.w3.org/2003/05/soap-envelope"

static void put(infor_buf *b, const char *s)
{
    infor_buf_puts(b, s);
}

static void esc(infor_buf *b, const char *s)
{
    infor_xml_escape(b, s);
}

/* Puts the pieces of a NULL-terminated list, escaping the odd ones:
 * put_mix(b, "<a href=\"", url, "\">", name, "</a>", NULL).  No piece
 * may be NULL: callers pass only the table's strings and checked ones. */
static void put_mix(infor_buf *b, ...)
{
    va_list ap;
    const char *s;
    int odd = 0;

    va_start(ap, b);
    while ((s = va_arg(ap, const char *)) != NULL) {
        if (odd) {
            esc(b, s);
        }
        else {
            put(b, s);
        }
        odd = !odd;
    }
    va_end(ap);
}

static const char *xsd_type(unsigned flags)
{
    return (flags & INFOR_P_INT) ? "s:int"
           : (flags & INFOR_P_BOOL) ? "s:boolean" : "s:string";
}

/* The placeholder a sample shows for a parameter's value. */
static const char *sample_value(unsigned flags)
{
    return (flags & INFOR_P_INT) ? "int"
           : (flags & INFOR_P_BOOL) ? "boolean" : "string";
}

#define EACH_PARAM(op, i) \
    for ((i) = 0; (i) < INFOR_MAX_PARAMS && (op)->params[(i)].name; (i)++)

/* ---------------------------------------------------------------- WSDL */

static void wsdl_types(infor_buf *b)
{
    const infor_op *op;
    int i;

    put(b, "<wsdl:types><s:schema elementFormDefault=\"qualified\" "
           "targetNamespace=\"" INFOR_NS "\">");
    for (op = infor_ops; op->name; op++) {
        put_mix(b, "<s:element name=\"", op->name, "\"><s:complexType>"
                "<s:sequence>", NULL);
        EACH_PARAM(op, i) {
            unsigned f = op->params[i].flags;
            /* Value types are always sent; strings may be left out (null,
             * which UpdateUserContactInfo reads as "keep"). */
            put_mix(b, "<s:element minOccurs=\"",
                    (f & (INFOR_P_INT | INFOR_P_BOOL)) ? "1" : "0",
                    "\" maxOccurs=\"1\" name=\"", op->params[i].name,
                    "\" type=\"", xsd_type(f), "\" />", NULL);
        }
        put(b, "</s:sequence></s:complexType></s:element>");
        /* The result is an XML element, not a string: mixed content with
         * any element, which toolkits hand over as XML. */
        put_mix(b, "<s:element name=\"", op->name, "Response\">"
                "<s:complexType><s:sequence><s:element minOccurs=\"0\" "
                "maxOccurs=\"1\" name=\"", op->name, "Result\">"
                "<s:complexType mixed=\"true\"><s:sequence>"
                "<s:any processContents=\"lax\" /></s:sequence>"
                "</s:complexType></s:element></s:sequence></s:complexType>"
                "</s:element>", NULL);
    }
    put(b, "</s:schema></wsdl:types>");
}

static void wsdl_messages(infor_buf *b)
{
    static const char *const http[] = { "HttpGet", "HttpPost" };
    const infor_op *op;
    int i, h;

    for (op = infor_ops; op->name; op++) {
        put_mix(b, "<wsdl:message name=\"", op->name, "SoapIn\">"
                "<wsdl:part name=\"parameters\" element=\"tns:", op->name,
                "\" /></wsdl:message>", NULL);
        put_mix(b, "<wsdl:message name=\"", op->name, "SoapOut\">"
                "<wsdl:part name=\"parameters\" element=\"tns:", op->name,
                "Response\" /></wsdl:message>", NULL);
        for (h = 0; h < 2; h++) {
            put_mix(b, "<wsdl:message name=\"", op->name, "", http[h],
                    "In\">", NULL);
            EACH_PARAM(op, i) {
                put_mix(b, "<wsdl:part name=\"", op->params[i].name,
                        "\" type=\"s:string\" />", NULL);
            }
            put(b, "</wsdl:message>");
            put_mix(b, "<wsdl:message name=\"", op->name, "", http[h],
                    "Out\"><wsdl:part name=\"Body\" /></wsdl:message>",
                    NULL);
        }
    }
}

static void wsdl_port_type(infor_buf *b, const char *name,
                           const char *suffix)
{
    const infor_op *op;

    put_mix(b, "<wsdl:portType name=\"", name, "\">", NULL);
    for (op = infor_ops; op->name; op++) {
        put_mix(b, "<wsdl:operation name=\"", op->name, "\">"
                "<wsdl:documentation xmlns:wsdl=\"http://schemas.xmlsoap.org"
                "/wsdl/\">", op->summary, "</wsdl:documentation>"
                "<wsdl:input message=\"tns:", op->name, "", suffix,
                "In\" /><wsdl:output message=\"tns:", op->name, "", suffix,
                "Out\" /></wsdl:operation>", NULL);
    }
    put(b, "</wsdl:portType>");
}

static void wsdl_soap_binding(infor_buf *b, const char *name,
                              const char *prefix)
{
    const infor_op *op;

    put_mix(b, "<wsdl:binding name=\"", name, "\" type=\"tns:srvSoap\"><",
            prefix, ":binding transport=\"http://schemas.xmlsoap.org/soap/"
            "http\" />", NULL);
    for (op = infor_ops; op->name; op++) {
        put_mix(b, "<wsdl:operation name=\"", op->name, "\"><", prefix,
                ":operation soapAction=\"" INFOR_NS, op->name,
                "\" style=\"document\" /><wsdl:input><", prefix,
                ":body use=\"literal\" /></wsdl:input><wsdl:output><",
                prefix, ":body use=\"literal\" /></wsdl:output>"
                "</wsdl:operation>", NULL);
    }
    put(b, "</wsdl:binding>");
}

static void wsdl_http_binding(infor_buf *b, const char *name,
                              const char *verb)
{
    const infor_op *op;
    int post = strcmp(verb, "POST") == 0;

    put_mix(b, "<wsdl:binding name=\"", name, "\" type=\"tns:", name,
            "\"><http:binding verb=\"", verb, "\" />", NULL);
    for (op = infor_ops; op->name; op++) {
        put_mix(b, "<wsdl:operation name=\"", op->name, "\">"
                "<http:operation location=\"/", op->name, "\" />"
                "<wsdl:input>", NULL);
        put(b, post ? "<mime:content type=\"application/"
                      "x-www-form-urlencoded\" />"
                    : "<http:urlEncoded />");
        put(b, "</wsdl:input><wsdl:output><mime:mimeXml part=\"Body\" />"
               "</wsdl:output></wsdl:operation>");
    }
    put(b, "</wsdl:binding>");
}

void infor_describe_wsdl(infor_buf *b, const char *address)
{
    put(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
           "<wsdl:definitions"
           " xmlns:soap=\"http://schemas.xmlsoap.org/wsdl/soap/\""
           " xmlns:tm=\"http://microsoft.com/wsdl/mime/textMatching/\""
           " xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\""
           " xmlns:mime=\"http://schemas.xmlsoap.org/wsdl/mime/\""
           " xmlns:tns=\"" INFOR_NS "\""
           " xmlns:s=\"http://www.w3.org/2001/XMLSchema\""
           " xmlns:soap12=\"http://schemas.xmlsoap.org/wsdl/soap12/\""
           " xmlns:http=\"http://schemas.xmlsoap.org/wsdl/http/\""
           " targetNamespace=\"" INFOR_NS "\""
           " xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\">");
    wsdl_types(b);
    wsdl_messages(b);
    wsdl_port_type(b, "srvSoap", "Soap");
    wsdl_port_type(b, "srvHttpGet", "HttpGet");
    wsdl_port_type(b, "srvHttpPost", "HttpPost");
    wsdl_soap_binding(b, "srvSoap", "soap");
    wsdl_soap_binding(b, "srvSoap12", "soap12");
    wsdl_http_binding(b, "srvHttpGet", "GET");
    wsdl_http_binding(b, "srvHttpPost", "POST");
    put_mix(b, "<wsdl:service name=\"srv\">"
            "<wsdl:port name=\"srvSoap\" binding=\"tns:srvSoap\">"
            "<soap:address location=\"", address, "\" /></wsdl:port>"
            "<wsdl:port name=\"srvSoap12\" binding=\"tns:srvSoap12\">"
            "<soap12:address location=\"", address, "\" /></wsdl:port>"
            "<wsdl:port name=\"srvHttpGet\" binding=\"tns:srvHttpGet\">"
            "<http:address location=\"", address, "\" /></wsdl:port>"
            "<wsdl:port name=\"srvHttpPost\" binding=\"tns:srvHttpPost\">"
            "<http:address location=\"", address, "\" /></wsdl:port>"
            "</wsdl:service></wsdl:definitions>", NULL);
}

/* ---------------------------------------------------------- help pages */

static void page_head(infor_buf *b, const char *title)
{
    put(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width\"><title>");
    esc(b, title);
    put(b, "</title><style>"
           "body{font-family:sans-serif;margin:1em 2em;max-width:60em}"
           "pre{background:#f4f4f4;padding:.5em;overflow:auto}"
           "table{border-collapse:collapse}"
           "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}"
           "</style></head><body>");
}

static void page_tail(infor_buf *b)
{
    put(b, "</body></html>\n");
}

void infor_describe_index(infor_buf *b, const char *path)
{
    const infor_op *op;

    page_head(b, "srv Web Service");
    put_mix(b, "<h1>srv</h1><p>The following operations are supported. "
            "For a formal definition, please review the <a href=\"", path,
            "?WSDL\">Service Description</a>.</p><ul>", NULL);
    for (op = infor_ops; op->name; op++) {
        put_mix(b, "<li><a href=\"", path, "?op=", op->name, "\">",
                op->name, "</a><br>", op->summary, "</li>", NULL);
    }
    put(b, "</ul>");
    page_tail(b);
}

void infor_describe_unknown(infor_buf *b, const char *path,
                            const char *name)
{
    page_head(b, "srv Web Service");
    put_mix(b, "<h1>srv</h1><p>There is no operation named <code>", name,
            "</code>. See the <a href=\"", path, "\">list of operations</a>."
            "</p>", NULL);
    page_tail(b);
}

/* The parameters of a sample SOAP request, one element each. */
static void sample_soap_params(infor_buf *b, const infor_op *op)
{
    int i;

    EACH_PARAM(op, i) {
        put_mix(b, "      &lt;", op->params[i].name, "&gt;",
                sample_value(op->params[i].flags), "&lt;/",
                op->params[i].name, "&gt;\n", NULL);
    }
}

static void sample_soap(infor_buf *b, const infor_op *op, const char *path,
                        const char *host, int v12)
{
    const char *ct = v12 ? "application/soap+xml; charset=utf-8"
                         : "text/xml; charset=utf-8";
    const char *ns = v12 ? SOAP12_NS : SOAP11_NS;

    put(b, v12 ? "<h3>SOAP 1.2</h3>" : "<h3>SOAP 1.1</h3>");
    put(b, "<p>A sample request and answer; the placeholders stand for "
           "actual values.</p><pre>");
    put_mix(b, "POST ", path, " HTTP/1.1\nHost: ", host,
            "\nContent-Type: ", ct, "", NULL);
    if (v12) {
        put_mix(b, "; action=\"" INFOR_NS, op->name, "\"", NULL);
    }
    put(b, "\nContent-Length: length\n");
    if (!v12) {
        put_mix(b, "SOAPAction: \"" INFOR_NS, op->name, "\"\n", NULL);
    }
    put_mix(b, "\n&lt;?xml version=\"1.0\" encoding=\"utf-8\"?&gt;\n"
            "&lt;soap:Envelope xmlns:soap=\"", ns, "\"&gt;\n"
            "  &lt;soap:Body&gt;\n    &lt;", op->name,
            " xmlns=\"" INFOR_NS "\"&gt;\n", NULL);
    sample_soap_params(b, op);
    put_mix(b, "    &lt;/", op->name, "&gt;\n  &lt;/soap:Body&gt;\n"
            "&lt;/soap:Envelope&gt;</pre><pre>HTTP/1.1 200 OK\n"
            "Content-Type: ", ct, "\nContent-Length: length\n\n"
            "&lt;?xml version=\"1.0\" encoding=\"utf-8\"?&gt;\n"
            "&lt;soap:Envelope xmlns:soap=\"", ns, "\"&gt;\n"
            "  &lt;soap:Body&gt;\n    &lt;", op->name, "Response xmlns=\""
            INFOR_NS "\"&gt;\n      &lt;", op->name, "Result&gt;&lt;",
            op->root, " xmlns=\"\" success=\"true\" ... /&gt;&lt;/",
            op->name, "Result&gt;\n    &lt;/", op->name,
            "Response&gt;\n  &lt;/soap:Body&gt;\n&lt;/soap:Envelope&gt;"
            "</pre>", NULL);
}

static void sample_query(infor_buf *b, const infor_op *op)
{
    int i;

    EACH_PARAM(op, i) {
        put_mix(b, i ? "&amp;" : "", op->params[i].name, "=",
                sample_value(op->params[i].flags), NULL);
    }
}

static void sample_http(infor_buf *b, const infor_op *op, const char *path,
                        const char *host, int post)
{
    put(b, post ? "<h3>HTTP POST</h3><pre>" : "<h3>HTTP GET</h3><pre>");
    put_mix(b, post ? "POST " : "GET ", path, "/", op->name, "", NULL);
    if (!post) {
        put(b, "?");
        sample_query(b, op);
    }
    put_mix(b, " HTTP/1.1\nHost: ", host, "\n", NULL);
    if (post) {
        put(b, "Content-Type: application/x-www-form-urlencoded\n"
               "Content-Length: length\n\n");
        sample_query(b, op);
    }
    put_mix(b, "</pre><pre>HTTP/1.1 200 OK\nContent-Type: text/xml; "
            "charset=utf-8\nContent-Length: length\n\n"
            "&lt;?xml version=\"1.0\" encoding=\"utf-8\"?&gt;\n&lt;",
            op->root, " success=\"true\" ... /&gt;</pre>", NULL);
}

static const char *who(const infor_op *op)
{
    switch (op->access) {
    case INFOR_ACCESS_ANYONE: return "anyone; no ticket is needed";
    case INFOR_ACCESS_SESSION: return "anyone with a valid ticket";
    case INFOR_ACCESS_SELF_OR_ADMIN:
        return "the user concerned, or an administrator";
    case INFOR_ACCESS_ADMIN: return "administrators only";
    }
    return "";
}

void infor_describe_op(infor_buf *b, const infor_op *op, const char *path,
                       const char *host)
{
    int i;

    page_head(b, apr_pstrcat(b->pool, "srv: ", op->name, NULL));
    put_mix(b, "<p><a href=\"", path, "\">srv</a></p><h1>", op->name,
            "</h1><p>", op->summary, "</p><p>Who may call it: ", who(op),
            ".</p>", NULL);

    put(b, "<h2>Parameters</h2>");
    if (!op->params[0].name) {
        put(b, "<p>None.</p>");
    }
    else {
        put(b, "<table><tr><th>Name</th><th>Type</th><th>Required</th></tr>");
        EACH_PARAM(op, i) {
            put_mix(b, "<tr><td>", op->params[i].name, "</td><td>",
                    sample_value(op->params[i].flags), "</td><td>",
                    (op->params[i].flags & INFOR_P_REQUIRED) ? "yes" : "no",
                    "</td></tr>", NULL);
        }
        put(b, "</table>");
    }

    /* A plain HTML form: it works without JavaScript, and POSTs the form
     * binding.  Secrets get password fields. */
    put_mix(b, "<h2>Test</h2><form method=\"post\" action=\"", path, "/",
            op->name, "\"><table>", NULL);
    EACH_PARAM(op, i) {
        put_mix(b, "<tr><td><label for=\"p", apr_itoa(b->pool, i), "\">",
                op->params[i].name, "</label></td><td><input id=\"p",
                apr_itoa(b->pool, i), "\" name=\"", op->params[i].name,
                "\" type=\"",
                (op->params[i].flags & INFOR_P_SECRET) ? "password" : "text",
                "\"></td></tr>", NULL);
    }
    put(b, "</table><p><button type=\"submit\">Invoke</button></p></form>");

    put(b, "<h2>Samples</h2>");
    sample_soap(b, op, path, host, 0);
    sample_soap(b, op, path, host, 1);
    sample_http(b, op, path, host, 0);
    sample_http(b, op, path, host, 1);
    page_tail(b);
}
