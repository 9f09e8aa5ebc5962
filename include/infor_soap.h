/*
 * mod_infor: SOAP 1.1 and 1.2.  Decoding uses libxml2 (only in soap.c);
 * rendering writes the envelope around a result element.
 */
#ifndef INFOR_SOAP_H
#define INFOR_SOAP_H

#include "infor.h"
#include "infor_ops.h"

#define INFOR_SOAP11_NS "http://schemas.xmlsoap.org/soap/envelope/"
#define INFOR_SOAP12_NS "http://www.w3.org/2003/05/soap-envelope"

/* Once per process, before any parse. */
void infor_soap_init(void);

/* Decodes an envelope into call (call->binding says which SOAP version).
 * action is the SOAPAction header (1.1) or the Content-Type action
 * parameter (1.2), with or without quotes, or NULL.  Returns a client
 * error, to be answered as a Fault, when the request is not a call we
 * serve. */
infor_error *infor_soap_decode(apr_pool_t *p, const char *body,
                               apr_size_t len, const char *action,
                               infor_call *call);

/* The envelope with METHODResponse/METHODResult around result. */
void infor_soap_write_result(infor_buf *b, infor_binding binding,
                             const infor_op *op, const infor_elem *result);

/* A Fault: Client/Sender for client errors, Server/Receiver otherwise. */
void infor_soap_write_fault(infor_buf *b, infor_binding binding,
                            const infor_error *e);

/* The HTTP status a Fault goes out with: 500 for SOAP 1.1, and for 1.2
 * 400 (Sender) or 500 (Receiver). */
int infor_soap_fault_status(infor_binding binding, const infor_error *e);

/* Reads an xmlPreferences document (UpdateUserPreferences) into c: the
 * attribute form or the legacy element form; only what it names changes.
 * Returns an application error for XML that is not a <Preferences>
 * document or for a value out of range. */
infor_error *infor_xml_preferences(apr_pool_t *p, const char *xml,
                                   infor_user_change *c);

#endif
