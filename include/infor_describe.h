/*
 * mod_infor: the service describing itself, from the operation table:
 * the WSDL (/srv.asmx?WSDL) and the ASMX-style help pages (/srv.asmx,
 * /srv.asmx?op=NAME).  Nothing here can list an operation that is not
 * served, or miss one that is.
 */
#ifndef INFOR_DESCRIBE_H
#define INFOR_DESCRIBE_H

#include "infor.h"
#include "infor_ops.h"

/* The WSDL 1.1 document; address is the endpoint as the client used it
 * (scheme, host, port, path). */
void infor_describe_wsdl(infor_buf *b, const char *address);

/* The HTML page listing every operation.  path is the endpoint's path. */
void infor_describe_index(infor_buf *b, const char *path);

/* The HTML page of one operation: parameters, samples in each binding
 * and a form that calls it.  host is the Host the client used. */
void infor_describe_op(infor_buf *b, const infor_op *op, const char *path,
                       const char *host);

/* The page for ?op= naming no operation. */
void infor_describe_unknown(infor_buf *b, const char *path,
                            const char *name);

#endif
