#!/usr/bin/python3
"""A zeep client of mod_infor, for t/api/91_zeep.t.

usage: /usr/bin/python3 zeep_client.py BASE_URL USER PASSWORD

Reads BASE_URL + '?WSDL' and, through each SOAP port of the service srv
(srvSoap, then srvSoap12), calls AuthenticateUser, UpdateUserContactInfo
(emailAddress None, which zeep leaves out: the stored email must stay;
mobileNumber set to MOBILE[port]), GetUser (UserName '') and LogOut.
Prints one JSON object on stdout; the test checks it field by field.

Debian's python3-zeep: run with /usr/bin/python3, not a python3 on PATH.
"""
import json
import sys

import zeep
from lxml import etree
from zeep.plugins import HistoryPlugin

MOBILE = {'srvSoap': '+1 555 0111', 'srvSoap12': '+1 555 0112'}


def element(el):
    """An lxml element as plain data: its tag, attributes, children."""
    if not hasattr(el, 'tag'):
        return {'not_an_element': repr(el)}
    return {
        'tag': el.tag,
        'attrib': dict(el.attrib),
        'order': list(el.attrib.keys()),
        'children': [element(c) for c in el if isinstance(c.tag, str)],
    }


def sent(history):
    """What zeep last put on the wire: headers and the body's parameters."""
    last = history.last_sent
    headers = {k.lower(): v for k, v in last['http_headers'].items()}
    envelope = last['envelope']
    ns = etree.QName(envelope).namespace
    op = envelope.find('{%s}Body' % ns)[0]
    return {
        'content_type': headers.get('content-type'),
        'soapaction': headers.get('soapaction'),
        'envelope_ns': ns,
        'operation': op.tag,
        'params': [c.tag for c in op],
    }


def call(result, history, name, fn, **kw):
    try:
        result[name] = element(fn(**kw))
    except Exception as e:  # reported, so the test shows what went wrong
        result[name] = {'error': '%s: %s' % (type(e).__name__, e)}
    try:
        result[name + '_sent'] = sent(history)
    except Exception as e:
        result[name + '_sent'] = {'error': '%s: %s' % (type(e).__name__, e)}
    return result[name]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    base, user, password = sys.argv[1:]
    history = HistoryPlugin()
    client = zeep.Client(base + '?WSDL', plugins=[history])
    out = {'zeep': zeep.__version__, 'ports': {}}
    for service in client.wsdl.services.values():
        for port in service.ports.values():
            out['ports'][port.name] = port.binding_options.get('address')

    for port in ('srvSoap', 'srvSoap12'):
        r = out[port] = {}
        try:
            srv = client.bind('srv', port)
        except Exception as e:
            r['error'] = '%s: %s' % (type(e).__name__, e)
            continue
        auth = call(r, history, 'AuthenticateUser', srv.AuthenticateUser,
                    UID=user, PWD=password)
        ticket = auth.get('attrib', {}).get('ticket', '')
        call(r, history, 'UpdateUserContactInfo', srv.UpdateUserContactInfo,
             authenticationTicket=ticket, userName=user, emailAddress=None,
             mobileNumber=MOBILE[port])
        user_el = call(r, history, 'GetUser', srv.GetUser,
                       authenticationTicket=ticket, UserName='')
        users = [c for c in user_el.get('children', []) if c['tag'] == 'User']
        r['User'] = users[0]['attrib'] if users else None
        call(r, history, 'LogOut', srv.LogOut, AuthenticationTicket=ticket)
        # The ticket is gone: the same call now fails inside the result.
        call(r, history, 'GetUserAfterLogOut', srv.GetUser,
             authenticationTicket=ticket, UserName='')

    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
