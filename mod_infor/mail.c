/*
 * mod_infor: handing a message to the mail command (InforMailCommand),
 * as sendmail -t reads one: headers, a blank line, the body.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_thread_proc.h>

#include "infor_mail.h"

apr_status_t infor_mail_send(apr_pool_t *p, const char *command,
                             const char *message, const char **why)
{
    const char *argv[4] = { "/bin/sh", "-c", command, NULL };
    apr_procattr_t *attr;
    apr_proc_t proc;
    apr_exit_why_e how;
    apr_size_t len = strlen(message);
    int code = 0;
    apr_status_t rv;

    if ((rv = apr_procattr_create(&attr, p)) != APR_SUCCESS
        || (rv = apr_procattr_io_set(attr, APR_FULL_BLOCK, APR_NO_PIPE,
                                     APR_NO_PIPE)) != APR_SUCCESS
        || (rv = apr_procattr_cmdtype_set(attr, APR_PROGRAM)) != APR_SUCCESS
        || (rv = apr_procattr_error_check_set(attr, 1)) != APR_SUCCESS) {
        *why = "cannot set up the mail command";
        return rv;
    }
    rv = apr_proc_create(&proc, argv[0], argv, NULL, attr, p);
    if (rv != APR_SUCCESS) {
        *why = "cannot start the mail command";
        return rv;
    }
    rv = apr_file_write_full(proc.in, message, len, NULL);
    apr_file_close(proc.in);
    if (apr_proc_wait(&proc, &code, &how, APR_WAIT) != APR_CHILD_DONE) {
        *why = "the mail command did not finish";
        return APR_EGENERAL;
    }
    if (rv != APR_SUCCESS) {
        *why = "cannot write to the mail command";
        return rv;
    }
    if (how != APR_PROC_EXIT || code != 0) {
        *why = apr_psprintf(p, "the mail command failed (%s %d)",
                            how == APR_PROC_EXIT ? "exit" : "signal", code);
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}
