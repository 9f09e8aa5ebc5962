/*
 * mod_infor: a cheap look at an XML document before libxml2 parses it.
 * One pass over the bytes, no allocation, no libxml2: it counts what
 * makes a parse expensive (libxml2 2.9 checks an element's attributes
 * pairwise) and refuses what no real client sends.  Pure C on APR:
 * unit-tested in t/unit/xml_scan_test.c.
 */
#ifndef INFOR_XML_SCAN_H
#define INFOR_XML_SCAN_H

#include <apr_pools.h>

typedef struct {
    int max_attrs;          /* attributes on one element */
    int max_depth;          /* elements open at once */
    int max_elements;       /* elements in the document */
    int max_other;          /* comments, PIs and CDATA sections */
    int max_ns;             /* namespace declarations in the document */
    apr_size_t max_name;    /* bytes in an element or attribute name */
    apr_size_t max_value;   /* bytes in an attribute value */
    apr_size_t max_text;    /* bytes in one text run, comment or CDATA */
} infor_xml_limits;

/* The limits every SOAP body and xmlPreferences document is held to:
 * far above any real request (README, "Limits"). */
extern const infor_xml_limits infor_xml_default_limits;

typedef enum {
    INFOR_SCAN_OK = 0,
    INFOR_SCAN_LIMIT,       /* within XML, beyond a limit */
    INFOR_SCAN_DTD,         /* a DOCTYPE */
    INFOR_SCAN_ENCODING,    /* an encoding the scan cannot read safely */
    INFOR_SCAN_MALFORMED    /* markup that no well-formed document has */
} infor_scan_result;

/* Scans len bytes at s.  Unless INFOR_SCAN_OK, *why is set to a short
 * reason for the client, without a final full stop, e.g. "an element
 * has more than 32 attributes".  INFOR_SCAN_OK does not mean well-formed:
 * libxml2 decides that; it means that parsing costs time linear in len.
 * The scan reads bytes, so it accepts only encodings in which the bytes
 * of < > " ' = / ? ! - [ ] never occur inside another character: UTF-8
 * (the default), US-ASCII, ISO-8859-n and windows-125n. */
infor_scan_result infor_xml_scan(apr_pool_t *p, const char *s,
                                 apr_size_t len,
                                 const infor_xml_limits *lim,
                                 const char **why);

#endif
