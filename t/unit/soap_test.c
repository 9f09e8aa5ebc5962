/*
 * Unit tests for mod_infor/soap.c: decoding SOAP 1.1 and 1.2 envelopes
 * into a neutral call, and writing results and Faults.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "infor.h"
#include "infor_ops.h"
#include "infor_soap.h"
#include "tap.h"

#define XML_DECL "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
#define XSI_XSD " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"" \
                " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
#define ENV11_OPEN "<soap:Envelope xmlns:soap=\"" INFOR_SOAP11_NS "\"" \
                   XSI_XSD ">"
#define ENV12_OPEN "<soap:Envelope xmlns:soap=\"" INFOR_SOAP12_NS "\"" \
                   XSI_XSD ">"
#define ENV_CLOSE "</soap:Body></soap:Envelope>"

#define UCI_OPEN "<UpdateUserContactInfo xmlns=\"http://tempuri.org/\">"
#define UCI_CLOSE "</UpdateUserContactInfo>"
#define UCI_ACTION "\"http://tempuri.org/UpdateUserContactInfo\""

/* The four parameters of UpdateUserContactInfo, in table order. */
#define ALL_FOUR "<authenticationTicket>0f8fad5b-d9cb-469f-a165-" \
                 "70867728950e</authenticationTicket>" \
                 "<userName>zoe</userName>" \
                 "<emailAddress>zoe@example.com</emailAddress>" \
                 "<mobileNumber>+33 6 12 34 56 78</mobileNumber>"
#define TICKET "0f8fad5b-d9cb-469f-a165-70867728950e"

static apr_pool_t *pool;
static infor_call call;

/* A SOAP 1.1 envelope with body_inner in its Body. */
static const char *env11(const char *body_inner)
{
    return apr_pstrcat(pool, XML_DECL ENV11_OPEN "<soap:Body>", body_inner,
                       ENV_CLOSE, NULL);
}

static const char *env12(const char *body_inner)
{
    return apr_pstrcat(pool, XML_DECL ENV12_OPEN "<soap:Body>", body_inner,
                       ENV_CLOSE, NULL);
}

/* A SOAP 1.1 UpdateUserContactInfo call with these parameter elements. */
static const char *uci(const char *params)
{
    return env11(apr_pstrcat(pool, UCI_OPEN, params, UCI_CLOSE, NULL));
}

static infor_error *decode(infor_binding binding, const char *action,
                           const char *body)
{
    memset(&call, 0, sizeof(call));
    call.binding = binding;
    return infor_soap_decode(pool, body, strlen(body), action, &call);
}

static infor_error *decode11(const char *action, const char *body)
{
    return decode(INFOR_BIND_SOAP11, action, body);
}

/* One test: the decode succeeded and found UpdateUserContactInfo. */
static int decoded_uci(const infor_error *err, const char *name)
{
    int good = !err && call.op && strcmp(call.op->name,
                                         "UpdateUserContactInfo") == 0;

    if (!ok(good, name)) {
        diag("error: %s", err ? err->message : "(none)");
        diag("op: %s", call.op ? call.op->name : "NULL");
    }
    return good;
}

/* One test: the four arguments of the last call are as given. */
static void args_are(const char *a0, const char *a1, const char *a2,
                     const char *a3, const char *name)
{
    const char *want[4];
    int i, good = 1;

    want[0] = a0;
    want[1] = a1;
    want[2] = a2;
    want[3] = a3;
    for (i = 0; i < 4; i++) {
        const char *got = call.args[i];
        if (got && want[i] ? strcmp(got, want[i]) != 0 : got != want[i]) {
            good = 0;
        }
    }
    for (i = 4; i < INFOR_MAX_PARAMS; i++) {
        if (call.args[i]) {
            good = 0;
        }
    }
    if (!ok(good, name)) {
        for (i = 0; i < 4; i++) {
            char g[256], w[256];
            tap_quote(g, sizeof(g), call.args[i]);
            tap_quote(w, sizeof(w), want[i]);
            diag("args[%d]: got %s, expected %s", i, g, w);
        }
    }
}

/* One test: err is a client error (400) whose message contains want. */
static int client_error(const infor_error *err, const char *want,
                        const char *name)
{
    int good = err && err->kind == INFOR_E_CLIENT && err->http_status == 400
               && err->message && strstr(err->message, want);

    if (!ok(good, name)) {
        if (err) {
            diag("kind %d, status %d, message: %s", (int)err->kind,
                 err->http_status, err->message ? err->message : "NULL");
        }
        else {
            diag("no error; op %s", call.op ? call.op->name : "NULL");
        }
        diag("expected a client error containing: %s", want);
    }
    return good;
}

static void test_decode_forms(void)
{
    infor_error *err;

    err = decode11(UCI_ACTION, uci(ALL_FOUR));
    decoded_uci(err, "decode: default-namespace envelope");
    is_int(call.binding, INFOR_BIND_SOAP11, "decode: binding left as is");
    args_are(TICKET, "zoe", "zoe@example.com", "+33 6 12 34 56 78",
             "decode: the four arguments in table order");

    err = decode11(UCI_ACTION, env11(
        "<mobileNumber xmlns=\"http://tempuri.org/\">m</mobileNumber>"));
    client_error(err, "request element: mobileNumber",
                 "decode: a parameter is not a method");

    err = decode11(UCI_ACTION, uci(
        "<mobileNumber>m</mobileNumber><emailAddress>e</emailAddress>"
        "<userName>u</userName><authenticationTicket>t"
        "</authenticationTicket>"));
    decoded_uci(err, "decode: parameters in another order");
    args_are("t", "u", "e", "m", "decode: ... still land in table order");

    err = decode11(UCI_ACTION, env11(
        "<tns:UpdateUserContactInfo xmlns:tns=\"http://tempuri.org/\">"
        "<tns:AuthenticationTicket>" TICKET "</tns:AuthenticationTicket>"
        "<tns:userName>zoe</tns:userName>"
        "<tns:emailAddress>zoe@example.com</tns:emailAddress>"
        "<tns:mobileNumber>+33 6 12 34 56 78</tns:mobileNumber>"
        "</tns:UpdateUserContactInfo>"));
    decoded_uci(err, "decode: prefixed form");
    args_are(TICKET, "zoe", "zoe@example.com", "+33 6 12 34 56 78",
             "decode: prefixed form arguments");

    err = decode11(UCI_ACTION,
        XML_DECL "<s:Envelope xmlns:s=\"" INFOR_SOAP11_NS "\">\n"
        "  <s:Body>\n"
        "    <m:updateusercontactinfo xmlns:m=\"http://tempuri.org/\">\n"
        "      <m:userName>zoe</m:userName>\n"
        "      <!-- a comment -->\n"
        "    </m:updateusercontactinfo>\n"
        "  </s:Body>\n"
        "</s:Envelope>\n");
    decoded_uci(err, "decode: indented, other prefixes, method in lowercase");
    args_are(NULL, "zoe", NULL, NULL, "decode: ... arguments");

    err = decode11(NULL, uci("<userName>zoe</userName>"
                             "<emailAddress>e</emailAddress>"));
    decoded_uci(err, "decode: omitted elements");
    args_are(NULL, "zoe", "e", NULL, "decode: omitted elements are NULL");

    err = decode11(NULL, uci("<userName>zoe</userName>"
                             "<emailAddress xsi:nil=\"true\" />"
                             "<mobileNumber xsi:nil=\"1\"></mobileNumber>"));
    decoded_uci(err, "decode: xsi:nil");
    args_are(NULL, "zoe", NULL, NULL,
             "decode: xsi:nil=\"true\" and xsi:nil=\"1\" are NULL");

    err = decode11(NULL, uci(
        "<emailAddress xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\""
        " i:nil=\"true\">ignored</emailAddress>"
        "<mobileNumber xsi:nil=\"false\">m</mobileNumber>"));
    decoded_uci(err, "decode: nil under another prefix, nil=\"false\"");
    args_are(NULL, NULL, NULL, "m",
             "decode: nil is matched by namespace; nil=\"false\" is a value");

    err = decode11(NULL, uci("<emailAddress nil=\"true\">e</emailAddress>"));
    decoded_uci(err, "decode: nil without the XSI namespace");
    args_are(NULL, NULL, "e", NULL,
             "decode: ... is an ordinary attribute");

    err = decode11(NULL, uci("<userName>zoe</userName><emailAddress/>"
                             "<mobileNumber></mobileNumber>"));
    decoded_uci(err, "decode: empty elements");
    args_are(NULL, "zoe", "", "",
             "decode: <x/> and <x></x> are \"\", not NULL");

    err = decode11(NULL, uci("<emailAddress>&amp;&lt;&#233;&#xE9;&gt;"
                             "&quot;&apos;</emailAddress>"
                             "<mobileNumber><![CDATA[a<b&c]]></mobileNumber>"));
    decoded_uci(err, "decode: entity and character references");
    args_are(NULL, NULL, "&<\xc3\xa9\xc3\xa9>\"'", "a<b&c",
             "decode: references and CDATA decoded");

    err = decode11(NULL, uci("<emailAddress>Zo\xc3\xab \xe6\x97\xa5"
                             "\xe6\x9c\xac \xf0\x9f\x98\x80</emailAddress>"));
    decoded_uci(err, "decode: UTF-8 text");
    args_are(NULL, NULL, "Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
             NULL, "decode: UTF-8 text kept");

    err = decode11(NULL, uci("<AUTHENTICATIONTICKET>t</AUTHENTICATIONTICKET>"
                             "<UserName>u</UserName>"
                             "<EMAILADDRESS>e</EMAILADDRESS>"
                             "<MobileNumber>m</MobileNumber>"));
    decoded_uci(err, "decode: parameter names in other letter case");
    args_are("t", "u", "e", "m", "decode: ... match");

    err = decode11(NULL, uci("<userName>zoe</userName>"
                             "<emailAddress xmlns=\"urn:other\">x"
                             "</emailAddress>"
                             "<mobileNumber xmlns=\"\">y</mobileNumber>"));
    decoded_uci(err, "decode: children in other namespaces");
    args_are(NULL, "zoe", NULL, NULL,
             "decode: children in other namespaces ignored");

    err = decode11(NULL, uci("<emailAddress>first</emailAddress>"
                             "<emailAddress>second</emailAddress>"
                             "<EmailAddress>third</EmailAddress>"));
    decoded_uci(err, "decode: duplicate elements");
    args_are(NULL, NULL, "first", NULL, "decode: the first one wins");

    err = decode11(NULL, uci("<emailAddress xsi:nil=\"true\" />"
                             "<emailAddress>second</emailAddress>"));
    decoded_uci(err, "decode: a nil element then a duplicate");
    args_are(NULL, NULL, NULL, NULL, "decode: the first (nil) one wins");

    err = decode11(NULL, uci("<unknownParam>x</unknownParam>"
                             "<userName>zoe</userName>"));
    decoded_uci(err, "decode: unknown parameter elements");
    args_are(NULL, "zoe", NULL, NULL, "decode: unknown parameters ignored");

    err = decode11(NULL, XML_DECL ENV11_OPEN
                   "<soap:Header><Auth xmlns=\"http://tempuri.org/\">x</Auth>"
                   "<GetUser xmlns=\"http://tempuri.org/\" /></soap:Header>"
                   "<soap:Body>" UCI_OPEN ALL_FOUR UCI_CLOSE ENV_CLOSE);
    decoded_uci(err, "decode: Header before Body skipped");
    args_are(TICKET, "zoe", "zoe@example.com", "+33 6 12 34 56 78",
             "decode: Header before Body, arguments");
}

static void test_decode_actions(void)
{
    infor_error *err;
    const char *body = uci(ALL_FOUR);

    decoded_uci(decode11(UCI_ACTION, body), "action: quoted");
    decoded_uci(decode11("http://tempuri.org/UpdateUserContactInfo", body),
                "action: unquoted");
    decoded_uci(decode11(" \"http://tempuri.org/UpdateUserContactInfo\" ",
                         body), "action: quoted, with spaces around");
    decoded_uci(decode11("\"http://tempuri.org/updateUSERcontactinfo\"",
                         body), "action: other letter case");
    decoded_uci(decode11(NULL, body), "action: NULL");
    decoded_uci(decode11("", body), "action: empty");
    decoded_uci(decode11("\"\"", body), "action: empty, quoted");

    err = decode11("\"http://tempuri.org/NoSuchMethod\"", body);
    client_error(err, "SOAPAction", "action: unknown method refused");
    ok(err && strstr(err->message, "NoSuchMethod") != NULL,
       "action: ... and the message names it");

    err = decode11("\"http://example.com/UpdateUserContactInfo\"", body);
    client_error(err, "SOAPAction", "action: other namespace refused");

    err = decode11("\"http://tempuri.org/GetUser\"", body);
    client_error(err, "SOAPAction",
                 "action: another known method refused");
    ok(!call.op, "action: ... and call.op is not set");

    err = decode11("\"http://tempuri.org/GetUser\"", env11(
        "<GetUser xmlns=\"http://tempuri.org/\">"
        "<authenticationTicket>t</authenticationTicket>"
        "<UserName>zoe</UserName></GetUser>"));
    ok(!err && call.op && strcmp(call.op->name, "GetUser") == 0,
       "action: GetUser with a GetUser body");
    ok(call.args[0] && strcmp(call.args[0], "t") == 0 && call.args[1]
       && strcmp(call.args[1], "zoe") == 0 && !call.args[2],
       "action: GetUser arguments");
}

static void test_decode_refused(void)
{
    infor_error *err;
    const char *billion_laughs;

    err = decode11(NULL, env11("<NoSuchMethod xmlns=\"http://tempuri.org/\">"
                               "<x>1</x></NoSuchMethod>"));
    client_error(err, "NoSuchMethod", "refused: unknown body element");
    ok(!call.op, "refused: ... and call.op is not set");

    err = decode11(NULL, XML_DECL ENV11_OPEN "<soap:Body>" UCI_OPEN
                   "<userName>zoe</userName>");
    client_error(err, "not well-formed", "refused: truncated XML");

    err = decode11(NULL, "<soap:Envelope xmlns:soap=\"" INFOR_SOAP11_NS
                   "\"><soap:Body><a></b></soap:Body></soap:Envelope>");
    client_error(err, "not well-formed", "refused: mismatched tags");

    err = decode11(NULL, uci("<emailAddress>&undefined;</emailAddress>"));
    client_error(err, "not well-formed", "refused: undefined entity");

    err = decode11(NULL, apr_pstrcat(pool, uci(ALL_FOUR), "<extra />", NULL));
    client_error(err, "not well-formed", "refused: two root elements");

    err = decode11(NULL, "this is not XML");
    client_error(err, "not well-formed", "refused: plain text");

    memset(&call, 0, sizeof(call));
    call.binding = INFOR_BIND_SOAP11;
    err = infor_soap_decode(pool, "", 0, NULL, &call);
    client_error(err, "Invalid SOAP request", "refused: empty body");

    billion_laughs = apr_pstrcat(pool, XML_DECL
        "<!DOCTYPE soap:Envelope [\n"
        "  <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
        "  <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
        "  <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
        "  <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
        "  <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
        "  <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
        "  <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
        "  <!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n"
        "]>\n" ENV11_OPEN "<soap:Body>" UCI_OPEN
        "<emailAddress>&h;</emailAddress>" UCI_CLOSE ENV_CLOSE, NULL);
    err = decode11(NULL, billion_laughs);
    client_error(err, "DTD", "refused: DOCTYPE with internal entities");
    ok(!call.op && !call.args[2], "refused: ... nothing decoded");

    err = decode11(NULL, XML_DECL
        "<!DOCTYPE soap:Envelope SYSTEM \"file:///etc/passwd\">\n"
        ENV11_OPEN "<soap:Body>" UCI_OPEN ALL_FOUR UCI_CLOSE ENV_CLOSE);
    client_error(err, "DTD", "refused: DOCTYPE with an external subset");

    err = decode11(NULL, XML_DECL "<!DOCTYPE soap:Envelope>\n"
        ENV11_OPEN "<soap:Body>" UCI_OPEN ALL_FOUR UCI_CLOSE ENV_CLOSE);
    client_error(err, "DTD", "refused: bare DOCTYPE");

    err = decode11(NULL, XML_DECL "<root><UpdateUserContactInfo xmlns=\""
                   "http://tempuri.org/\" /></root>");
    client_error(err, "envelope", "refused: a non-envelope root");

    err = decode11(NULL, XML_DECL "<Envelope xmlns=\"urn:not-soap\"><Body>"
                   UCI_OPEN UCI_CLOSE "</Body></Envelope>");
    client_error(err, "SOAP 1.1 envelope",
                 "refused: an Envelope in another namespace");

    err = decode11(NULL, XML_DECL "<Envelope><Body>" UCI_OPEN UCI_CLOSE
                   "</Body></Envelope>");
    client_error(err, "envelope", "refused: an Envelope in no namespace");

    err = decode11(NULL, env12(UCI_OPEN ALL_FOUR UCI_CLOSE));
    client_error(err, "SOAP 1.1 envelope",
                 "refused: a SOAP 1.2 envelope with the 1.1 binding");

    err = decode(INFOR_BIND_SOAP12, NULL, uci(ALL_FOUR));
    client_error(err, "SOAP 1.2 envelope",
                 "refused: a SOAP 1.1 envelope with the 1.2 binding");

    err = decode(INFOR_BIND_SOAP12, UCI_ACTION,
                 env12(UCI_OPEN ALL_FOUR UCI_CLOSE));
    decoded_uci(err, "decode: a SOAP 1.2 envelope with the 1.2 binding");
    is_int(call.binding, INFOR_BIND_SOAP12, "decode: SOAP 1.2 binding kept");
    args_are(TICKET, "zoe", "zoe@example.com", "+33 6 12 34 56 78",
             "decode: SOAP 1.2 arguments");

    err = decode11(NULL, env11("<UpdateUserContactInfo xmlns=\""
                               "http://tempuri.org\">" ALL_FOUR UCI_CLOSE));
    client_error(err, "namespace http://tempuri.org/",
                 "refused: method in http://tempuri.org (no slash)");

    err = decode11(NULL, env11("<UpdateUserContactInfo>" ALL_FOUR UCI_CLOSE));
    client_error(err, "namespace", "refused: method in no namespace");

    err = decode11(NULL, env11("<m:UpdateUserContactInfo xmlns:m=\""
                               "urn:other\" />"));
    client_error(err, "namespace", "refused: method in urn:other");

    err = decode11(NULL, env11(""));
    client_error(err, "Body", "refused: empty Body");

    err = decode11(NULL, XML_DECL ENV11_OPEN "<soap:Header />"
                   "</soap:Envelope>");
    client_error(err, "Body", "refused: no Body");

    err = decode11(NULL, XML_DECL ENV11_OPEN "<Body>" UCI_OPEN UCI_CLOSE
                   "</Body></soap:Envelope>");
    client_error(err, "Body", "refused: a Body outside the SOAP namespace");
}

static void test_write(void)
{
    const infor_op *op = infor_op_find("UpdateUserContactInfo");
    infor_elem *result;
    infor_error *err;
    infor_buf b;

    if (!ok(op != NULL, "write: UpdateUserContactInfo found")) {
        return;
    }
    result = infor_elem_make(pool, "response");
    infor_elem_attr(result, "success", "true");
    infor_elem_attr(result, "error", "");

    infor_buf_init(&b, pool, 0);
    infor_soap_write_result(&b, INFOR_BIND_SOAP11, op, result);
    is_str(infor_buf_str(&b),
           "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
           "<soap:Envelope "
           "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
           "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">"
           "<soap:Body>"
           "<UpdateUserContactInfoResponse xmlns=\"http://tempuri.org/\">"
           "<UpdateUserContactInfoResult>"
           "<response xmlns=\"\" success=\"true\" error=\"\" />"
           "</UpdateUserContactInfoResult>"
           "</UpdateUserContactInfoResponse>"
           "</soap:Body></soap:Envelope>",
           "write_result: SOAP 1.1 bytes");

    infor_buf_init(&b, pool, 0);
    infor_soap_write_result(&b, INFOR_BIND_SOAP12, op, result);
    is_str(infor_buf_str(&b),
           "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
           "<soap:Envelope "
           "xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\" "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
           "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">"
           "<soap:Body>"
           "<UpdateUserContactInfoResponse xmlns=\"http://tempuri.org/\">"
           "<UpdateUserContactInfoResult>"
           "<response xmlns=\"\" success=\"true\" error=\"\" />"
           "</UpdateUserContactInfoResult>"
           "</UpdateUserContactInfoResponse>"
           "</soap:Body></soap:Envelope>",
           "write_result: SOAP 1.2 bytes");

    result = infor_elem_make(pool, "response");
    infor_elem_attr(result, "success", "false");
    infor_elem_attr(result, "error", "a <b> & c");
    infor_elem_attr(infor_elem_child(pool, result, "User"), "UserName",
                    "zo\xc3\xab");
    infor_buf_init(&b, pool, 0);
    infor_soap_write_result(&b, INFOR_BIND_SOAP11, infor_op_find("GetUser"),
                            result);
    ok(strstr(infor_buf_str(&b),
              "<soap:Body><GetUserResponse xmlns=\"http://tempuri.org/\">"
              "<GetUserResult><response xmlns=\"\" success=\"false\" "
              "error=\"a &lt;b&gt; &amp; c\"><User UserName=\"zo\xc3\xab\" />"
              "</response></GetUserResult></GetUserResponse></soap:Body>")
       != NULL, "write_result: nested, escaped result for GetUser");

    err = infor_client_error(pool, 400, "Bad <thing> & \"stuff\"");
    infor_buf_init(&b, pool, 0);
    infor_soap_write_fault(&b, INFOR_BIND_SOAP11, err);
    is_str(infor_buf_str(&b),
           XML_DECL ENV11_OPEN "<soap:Body><soap:Fault>"
           "<faultcode>soap:Client</faultcode>"
           "<faultstring>Bad &lt;thing&gt; &amp; &quot;stuff&quot;"
           "</faultstring><detail /></soap:Fault>" ENV_CLOSE,
           "write_fault: SOAP 1.1 client fault");

    infor_buf_init(&b, pool, 0);
    infor_soap_write_fault(&b, INFOR_BIND_SOAP12, err);
    is_str(infor_buf_str(&b),
           XML_DECL ENV12_OPEN "<soap:Body><soap:Fault>"
           "<soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code>"
           "<soap:Reason><soap:Text xml:lang=\"en\">"
           "Bad &lt;thing&gt; &amp; &quot;stuff&quot;"
           "</soap:Text></soap:Reason><soap:Detail /></soap:Fault>"
           ENV_CLOSE,
           "write_fault: SOAP 1.2 client fault");

    err = infor_server_error(pool, "disk on fire");
    infor_buf_init(&b, pool, 0);
    infor_soap_write_fault(&b, INFOR_BIND_SOAP11, err);
    ok(strstr(infor_buf_str(&b), "<faultcode>soap:Server</faultcode>"
              "<faultstring>SystemError: database error</faultstring>")
       != NULL, "write_fault: SOAP 1.1 server fault");
    ok(strstr(infor_buf_str(&b), "disk on fire") == NULL,
       "write_fault: the detail is not shown");

    infor_buf_init(&b, pool, 0);
    infor_soap_write_fault(&b, INFOR_BIND_SOAP12, err);
    ok(strstr(infor_buf_str(&b), "<soap:Value>soap:Receiver</soap:Value>")
       != NULL, "write_fault: SOAP 1.2 server fault");
}

static void test_fault_status(void)
{
    infor_error *client = infor_client_error(pool, 400, "bad");
    infor_error *server = infor_server_error(pool, NULL);

    is_int(infor_soap_fault_status(INFOR_BIND_SOAP11, client), 500,
           "fault_status: SOAP 1.1 client fault is 500");
    is_int(infor_soap_fault_status(INFOR_BIND_SOAP11, server), 500,
           "fault_status: SOAP 1.1 server fault is 500");
    is_int(infor_soap_fault_status(INFOR_BIND_SOAP12, client), 400,
           "fault_status: SOAP 1.2 client fault is 400");
    is_int(infor_soap_fault_status(INFOR_BIND_SOAP12, server), 500,
           "fault_status: SOAP 1.2 server fault is 500");
}

int main(void)
{
    apr_initialize();
    atexit(apr_terminate);
    apr_pool_create(&pool, NULL);
    infor_soap_init();

    test_decode_forms();
    test_decode_actions();
    test_decode_refused();
    test_write();
    test_fault_status();

    return done_testing();
}
