# SOAP 1.2: application/soap+xml with the action parameter, 1.2 envelopes
# in and out, application errors inside the result, soap:Sender Faults
# (HTTP 400) for what is not a good 1.2 request; after each Fault the next
# request is served normally.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use XML::LibXML ();
use InforTest;

plan tests => 89;

my $SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
my $SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
my $XSI    = 'http://www.w3.org/2001/XMLSchema-instance';
my $TYPE12 = 'application/soap+xml; charset=utf-8';
my $GUID   = guid_re();
my $OK     = '<response success="true" error="" />';

my $PW  = 's12-Secret-pw-3';
my $uid = add_user('s12_user', $PW, '--first', 'Twelve', '--email',
                   's12@old', '--mobile', '100');
add_user('s12_other', 's12-Other-pw-4', '--email', 'other@old');

# POSTs a SOAP 1.2 request.  Options: action (the whole action parameter
# text, default "action=\"http://tempuri.org/METHOD\""; '' for none),
# type (the whole Content-Type), body (instead of the envelope).
sub post12 {
    my ($method, $children, %o) = @_;
    my $action = exists $o{action} ? $o{action}
                                   : qq{action="http://tempuri.org/$method"};
    my $type = $o{type}
        // 'application/soap+xml; charset=utf-8' . ($action ? "; $action" : '');
    my $body = $o{body} // envelope($method, $children, soap12 => 1);
    return soap_raw($body, content_type => $type);
}

# The exact SOAP 1.2 answer around a result element.
sub expect12 {
    my ($method, $result) = @_;
    $result =~ s{^<(\w+)}{<$1 xmlns=""};
    return $DECL
         . qq{<soap:Envelope xmlns:soap="$SOAP12" xmlns:xsi="$XSI" }
         . qq{xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>}
         . qq{<${method}Response xmlns="http://tempuri.org/">}
         . qq{<${method}Result>$result</${method}Result>}
         . qq{</${method}Response></soap:Body></soap:Envelope>};
}

# A SOAP 1.2 Fault, read with a namespace-aware parser: HTTP status,
# Content-Type, the code as {namespace}local, the text and its language,
# and whether the Fault is the only thing in the Body.
sub fault12 {
    my $res = shift;
    my $doc = eval { XML::LibXML->load_xml(string => $res->content) };
    return { status => $res->code, parse => "$@" } unless $doc;
    my $x = XML::LibXML::XPathContext->new($doc);
    $x->registerNs(e => $SOAP12);
    my ($value) = $x->findnodes('/e:Envelope/e:Body/e:Fault/e:Code/e:Value');
    my $code = '-';
    if ($value) {
        my ($prefix, $local) = $value->textContent =~ /^(?:(\w+):)?(\w+)$/;
        my $uri = $value->lookupNamespaceURI($prefix) // 'unbound';
        $code = "{$uri}" . ($local // '?');
    }
    my ($text) = $x->findnodes('/e:Envelope/e:Body/e:Fault/e:Reason/e:Text');
    return {
        status => $res->code,
        type   => $res->header('Content-Type'),
        code   => $code,
        text   => $text ? $text->textContent : undef,
        lang   => $text ? $text->getAttributeNS(
                      'http://www.w3.org/XML/1998/namespace', 'lang') : undef,
        alone  => $x->findvalue('count(/e:Envelope/e:Body/*)') == 1
                  && $x->findvalue('count(/e:Envelope/e:Body/e:Fault)') == 1
                  ? 1 : 0,
    };
}

# Checks a Sender Fault (HTTP 400) whose text matches $re.
sub is_sender {
    my ($res, $re, $name) = @_;
    my $f = fault12($res);
    my $text = delete $f->{text};
    ok t_cmp($f, { status => 400, type => $TYPE12, code => "{$SOAP12}Sender",
                   lang => 'en', alone => 1 },
             "$name: Fault soap:Sender, HTTP 400, application/soap+xml");
    ok t_cmp($text, $re, "$name: soap:Reason/soap:Text says why");
    ok t_cmp($res->content =~ /faultcode|faultstring|\Q$SOAP11\E/
             ? 'SOAP 1.1 pieces' : 'pure 1.2', 'pure 1.2',
             "$name: no SOAP 1.1 faultcode/faultstring or namespace");
}

# The next request after a Fault: a SOAP 1.2 GetUser answered in full.
my $ticket;
sub served_ok {
    my $name = shift;
    my $res = post12('GetUser', el('authenticationTicket', $ticket)
                                . el('UserName', 's12_user'));
    my $good = $res->code == 200
        && ($res->header('Content-Type') // '') eq $TYPE12
        && $res->content =~ m{<GetUserResult><response xmlns="" success="true" }
        && $res->content =~ m{<User exists="true" UserID="$uid" };
    ok t_cmp($good ? 'served' : 'not served: ' . $res->status_line . ' '
             . $res->content, 'served', "$name: the next request is served");
}

# ------------------------------------------------------------- success

# AuthenticateUser over SOAP 1.2.
my $res = post12('AuthenticateUser', el('UID', 's12_user') . el('PWD', $PW));
ok t_cmp($res->code, 200, 'AuthenticateUser: HTTP 200');
ok t_cmp($res->header('Content-Type'), $TYPE12,
         'AuthenticateUser: application/soap+xml; charset=utf-8');
($ticket) = $res->content =~ /ticket="($GUID)"/;
$ticket //= '';
my ($expire) = $res->content =~ /expireOn="([^"]*)"/;
ok t_cmp($res->content,
         expect12('AuthenticateUser',
                  qq{<root success="true" ticket="$ticket" userid="$uid" }
                . q{username="s12_user" firstName="Twelve" lastName="" }
                . q{fullname="Twelve" email="s12@old" }
                . qq{expireOn="} . ($expire // '') . q{" }
                . q{isAuthenticated="True" />}),
         'AuthenticateUser: the whole 1.2 envelope');
ok t_cmp($ticket, qr/\A$GUID\z/, 'AuthenticateUser: a GUID ticket');

# UpdateUserContactInfo: the exact envelope of the brief.
$res = post12('UpdateUserContactInfo',
              el('authenticationTicket', $ticket) . el('userName', 's12_user')
              . el('emailAddress', 's12@new') . el('mobileNumber', '200'));
ok t_cmp($res->code, 200, 'UpdateUserContactInfo: HTTP 200');
ok t_cmp($res->header('Content-Type'), $TYPE12,
         'UpdateUserContactInfo: application/soap+xml; charset=utf-8');
ok t_cmp($res->content,
         qq{<?xml version="1.0" encoding="utf-8"?>\n}
         . q{<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" }
         . q{xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" }
         . q{xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>}
         . q{<UpdateUserContactInfoResponse xmlns="http://tempuri.org/">}
         . q{<UpdateUserContactInfoResult>}
         . q{<response xmlns="" success="true" error="" />}
         . q{</UpdateUserContactInfoResult></UpdateUserContactInfoResponse>}
         . q{</soap:Body></soap:Envelope>},
         'UpdateUserContactInfo: the exact 1.2 envelope');
ok t_cmp(contact('s12_user'), [ 's12@new', '200' ],
         'UpdateUserContactInfo: stored');

# Null keeps, in this binding too.
$res = post12('UpdateUserContactInfo',
              el('authenticationTicket', $ticket) . el('userName', 's12_user')
              . nil('emailAddress') . el('mobileNumber', '300'));
ok t_cmp($res->content, expect12('UpdateUserContactInfo', $OK),
         'xsi:nil email: success');
ok t_cmp(contact('s12_user'), [ 's12@new', '300' ], 'xsi:nil email: kept');
$res = post12('UpdateUserContactInfo',
              el('authenticationTicket', $ticket) . el('userName', 's12_user')
              . el('emailAddress', 's12@x'));
ok t_cmp($res->content, expect12('UpdateUserContactInfo', $OK),
         'omitted mobile: success');
ok t_cmp(contact('s12_user'), [ 's12@x', '300' ], 'omitted mobile: kept');

# GetUser: a result with children.
$res = post12('GetUser', el('authenticationTicket', $ticket)
                         . el('UserName', ''));
ok t_cmp($res->content,
         qr{\A\Q$DECL<soap:Envelope xmlns:soap="$SOAP12" \E.*
            \Q<GetUserResponse xmlns="http://tempuri.org/"><GetUserResult>\E
            \Q<response xmlns="" success="true" error=""><User exists="true" \E
            \QUserID="$uid" FirstName="Twelve" LastName="" Email="s12\E\@\Qx" \E
            \QMobileNumber="300" \E.*\Q</User></response></GetUserResult>\E
            \Q</GetUserResponse></soap:Body></soap:Envelope>\E\z}xs,
         'GetUser: the caller\'s record in a 1.2 envelope');

# The action parameter: without quotes, first, absent, other spellings.
my %variants = (
    'action without quotes' =>
        'application/soap+xml; charset=utf-8; action=http://tempuri.org/%s',
    'action before charset' =>
        'application/soap+xml; action="http://tempuri.org/%s"; charset=utf-8',
    'no action parameter' => 'application/soap+xml; charset=utf-8',
    'no charset, quoted action' =>
        'application/soap+xml;action="http://tempuri.org/%s"',
    'type in capitals' =>
        'Application/SOAP+XML; charset=UTF-8; action="http://tempuri.org/%s"',
);
my $n = 400;
for my $what (sort keys %variants) {
    $n++;
    (my $type = $variants{$what}) =~ s{%s}{UpdateUserContactInfo}g;
    $res = post12('UpdateUserContactInfo',
                  el('authenticationTicket', $ticket)
                  . el('userName', 's12_user') . el('emailAddress', "s12\@$n")
                  . el('mobileNumber', $n), type => $type);
    ok t_cmp([ $res->code, $res->header('Content-Type'), $res->content ],
             [ 200, $TYPE12, expect12('UpdateUserContactInfo', $OK) ],
             "$what: success");
    ok t_cmp(contact('s12_user'), [ "s12\@$n", $n ], "$what: stored");
}

# Prefixed method element and parameters.
$res = post12('UpdateUserContactInfo', undef, body =>
      qq{<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="$SOAP12"}
    . q{ xmlns:t="http://tempuri.org/"><env:Header /><env:Body>}
    . q{<t:UpdateUserContactInfo>}
    . qq{<t:AuthenticationTicket>$ticket</t:AuthenticationTicket>}
    . q{<t:userName>s12_user</t:userName><t:emailAddress>s12@prefix}
    . q{</t:emailAddress><t:mobileNumber>500</t:mobileNumber>}
    . q{</t:UpdateUserContactInfo></env:Body></env:Envelope>});
ok t_cmp($res->content, expect12('UpdateUserContactInfo', $OK),
         'other prefixes and a Header: success');
ok t_cmp(contact('s12_user'), [ 's12@prefix', '500' ],
         'other prefixes: stored');

# --------------------------------------------- application errors: 200

my @app_errors = (
    [ 'a ticket that is not a GUID', 'not-a-ticket', 's12_user',
      '<response success="false" error="[900] Authentication failed" />' ],
    [ 'an unknown ticket', '00000000-0000-0000-0000-000000000000', 's12_user',
      '<response success="false" '
      . 'error="[901] Session expired or Invalid ticket" />' ],
    [ 'another user', undef, 's12_other',
      '<response success="false" error="Access denied" />' ],
);
for my $e (@app_errors) {
    my ($what, $tk, $user, $result) = @$e;
    $res = post12('UpdateUserContactInfo',
                  el('authenticationTicket', $tk // $ticket)
                  . el('userName', $user) . el('emailAddress', 'bad@x')
                  . el('mobileNumber', '0'));
    ok t_cmp([ $res->code, $res->header('Content-Type') ], [ 200, $TYPE12 ],
             "$what: HTTP 200, application/soap+xml (not a Fault)");
    ok t_cmp($res->content, expect12('UpdateUserContactInfo', $result),
             "$what: the error inside the result");
}
ok t_cmp([ contact('s12_user'), contact('s12_other') ],
         [ [ 's12@prefix', '500' ], [ 'other@old', '' ] ],
         'application errors: nothing changed');
$res = post12('AuthenticateUser', el('UID', 's12_user') . el('PWD', 'wrong'));
ok t_cmp([ $res->code, $res->content ],
         [ 200, expect12('AuthenticateUser',
               '<root success="false" error="[900] Authentication failed" />') ],
         'wrong password: [900] inside the result, HTTP 200');

# --------------------------------------------------- Faults: HTTP 400

my $update = el('authenticationTicket', $ticket) . el('userName', 's12_user')
           . el('emailAddress', 'fault@x') . el('mobileNumber', '666');
my $before = contact('s12_user');

# Malformed XML.
$res = post12('UpdateUserContactInfo', undef,
              body => qq{<?xml version="1.0"?><soap:Envelope xmlns:soap="}
                    . qq{$SOAP12"><soap:Body><UpdateUserContactInfo});
is_sender($res, qr/well-formed/, 'malformed XML');
served_ok('malformed XML');

# Mismatched tags.
$res = post12('UpdateUserContactInfo', undef,
              body => qq{<soap:Envelope xmlns:soap="$SOAP12"><soap:Body>}
                    . qq{<UpdateUserContactInfo xmlns="http://tempuri.org/">}
                    . qq{</soap:Body></UpdateUserContactInfo></soap:Envelope>});
is_sender($res, qr/well-formed/, 'mismatched tags');
served_ok('mismatched tags');

# Empty body.
$res = post12('GetUser', undef, body => '');
is_sender($res, qr/\S/, 'empty body');
served_ok('empty body');

# A SOAP 1.1 envelope sent as application/soap+xml.  SOAP 1.2 would allow
# a VersionMismatch Fault (HTTP 500) here; DECISIONS.md makes any request
# that is not a 1.2 envelope a Sender Fault.
$res = post12('UpdateUserContactInfo', undef,
              body => envelope('UpdateUserContactInfo', $update));
is_sender($res, qr/1\.2/, 'SOAP 1.1 envelope as application/soap+xml');
served_ok('SOAP 1.1 envelope');

# And a 1.2 envelope sent as text/xml: a SOAP 1.1 Fault.
$res = soap_raw(envelope('UpdateUserContactInfo', $update, soap12 => 1),
                action => '"http://tempuri.org/UpdateUserContactInfo"');
ok t_cmp([ $res->code, $res->header('Content-Type') ],
         [ 500, 'text/xml; charset=utf-8' ],
         'SOAP 1.2 envelope as text/xml: HTTP 500, text/xml');
ok t_cmp($res->content,
         qr{<soap:Envelope\ xmlns:soap="\Q$SOAP11\E".*<soap:Fault><faultcode>
            soap:Client</faultcode><faultstring>[^<]*1\.1}sx,
         'SOAP 1.2 envelope as text/xml: a SOAP 1.1 Client Fault');
served_ok('SOAP 1.2 envelope as text/xml');

# Not an envelope at all.
$res = post12('GetUser', undef,
              body => qq{<GetUser xmlns="http://tempuri.org/">}
                    . el('authenticationTicket', $ticket) . '</GetUser>');
is_sender($res, qr/envelope/, 'no envelope');
served_ok('no envelope');

# An empty Body.
$res = post12('GetUser', undef,
              body => qq{<soap:Envelope xmlns:soap="$SOAP12"><soap:Body />}
                    . '</soap:Envelope>');
is_sender($res, qr/Body/, 'empty soap:Body');

# The method element outside http://tempuri.org/.
$res = post12('UpdateUserContactInfo', undef,
              body => qq{<soap:Envelope xmlns:soap="$SOAP12"><soap:Body>}
                    . "<UpdateUserContactInfo>$update</UpdateUserContactInfo>"
                    . '</soap:Body></soap:Envelope>');
is_sender($res, qr{http://tempuri\.org/}, 'method element without namespace');
served_ok('method element without namespace');

# A DOCTYPE (entity tricks) is refused before anything is read.
$res = post12('UpdateUserContactInfo', undef,
              body => qq{<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>}
                    . qq{<soap:Envelope xmlns:soap="$SOAP12"><soap:Body>}
                    . qq{<UpdateUserContactInfo xmlns="http://tempuri.org/">}
                    . el('authenticationTicket', $ticket)
                    . el('userName', 's12_user')
                    . '<emailAddress>&e;</emailAddress>'
                    . el('mobileNumber', '1')
                    . '</UpdateUserContactInfo></soap:Body></soap:Envelope>');
is_sender($res, qr/DTD/, 'DOCTYPE');
served_ok('DOCTYPE');

# The action names another method than the body: nothing is run.
$res = post12('UpdateUserContactInfo', $update,
              action => 'action="http://tempuri.org/GetUser"');
is_sender($res, qr/GetUser.*UpdateUserContactInfo|UpdateUserContactInfo.*GetUser/,
          'action naming another method');
served_ok('action naming another method');

# The action names no method.
$res = post12('UpdateUserContactInfo', $update,
              action => 'action="http://tempuri.org/NoSuchMethod"');
is_sender($res, qr/NoSuchMethod/, 'action naming no method');
served_ok('action naming no method');

# The action is not a tempuri.org action at all.
$res = post12('UpdateUserContactInfo', $update,
              action => 'action="urn:something-else"');
is_sender($res, qr/urn:something-else/, 'foreign action');

# A body element that names no method (the action agrees with it).
$res = post12('NoSuchMethod', el('x', 1));
is_sender($res, qr/NoSuchMethod/, 'unknown method element');
served_ok('unknown method element');

# Hostile text in a Fault comes back escaped.
$res = post12('GetUser', el('x', 1),
              action => 'action="http://tempuri.org/<b>&amp;"');
my $f = fault12($res);
ok t_cmp([ $f->{status}, $f->{code} ], [ 400, "{$SOAP12}Sender" ],
         'action with markup: Sender Fault');
ok t_cmp($res->content =~ /<b>/ ? 'raw markup' : 'escaped', 'escaped',
         'action with markup: escaped in soap:Text');
served_ok('action with markup');

ok t_cmp(contact('s12_user'), $before, 'no Fault changed anything');

# -------------------------------------------- LogOut ends the 1.2 session

$res = post12('LogOut', el('AuthenticationTicket', $ticket));
ok t_cmp($res->content, expect12('LogOut', '<root success="true" />'),
         'LogOut: success');
$res = post12('isValidTicket', el('AuthenticationTicket', $ticket));
ok t_cmp($res->content,
         expect12('isValidTicket', '<root success="false" '
                  . 'error="[901] Session expired or Invalid ticket" />'),
         'isValidTicket after LogOut: [901]');
ok t_cmp([ session_rows($uid) ], [], 'database: no session left');
