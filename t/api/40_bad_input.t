# Bad requests: each gets the answer DECISIONS.md gives, changes nothing,
# leaks nothing, and the next request is served normally.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use HTTP::Request ();
use IO::Socket::INET ();
use Time::HiRes qw(time);
use InforTest;

plan tests => 146;

my $SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
my $SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
my $XSI    = 'http://www.w3.org/2001/XMLSchema-instance';
my $OK      = '<response success="true" error="" />';
my $NO_USER = '<response success="false" error="User not found" />';
my $DENIED  = '<response success="false" error="Access denied" />';
my $XML_TYPE  = 'text/xml; charset=utf-8';
my $SOAP12_TYPE = 'application/soap+xml; charset=utf-8';
my $TEXT_TYPE = 'text/plain; charset=utf-8';

my @PASSWORDS = ('bi-Secret-pw-4711', 'bi-Admin-pw-0815', 'bi-Typo-pw-1234');
my $user_id = add_user('bi_user', $PASSWORDS[0], '--email', 'bi@old',
                       '--mobile', '123');
add_user('bi_admin', $PASSWORDS[1], '--admin');
my $tk    = login('bi_user', $PASSWORDS[0]);
my $admin = login('bi_admin', $PASSWORDS[1]);

# Every answer this file receives, to check at the end that none leaks.
my @bodies;
sub keep { my $res = shift; push @bodies, $res->content; return $res }

# The next request after a bad one: a good isValidTicket and a good
# GetUser, both answered normally.
sub served_ok {
    my $name = shift;
    my $valid = keep(rest_get('isValidTicket', AuthenticationTicket => $tk));
    my $get = keep(soap_call('GetUser', el('AuthenticationTicket', $tk)
                                      . el('UserName', 'bi_user')));
    my $good = $valid->code == 200
        && $valid->content =~ m{^\Q$DECL\E<root success="true" }
        && $valid->content =~ m{ userid="$user_id" username="bi_user" }
        && $get->code == 200
        && $get->content =~ m{<GetUserResult><response xmlns="" success="true"}
        && $get->content =~ m{ error=""><User exists="true" UserID="$user_id" };
    ok t_cmp($good ? 'served' : 'not served: ' . $valid->status_line . ' '
             . $valid->content . ' / ' . $get->status_line . ' ' . $get->content,
             'served', "$name: the next request is served");
}

# The exact SOAP 1.1 Fault, with the faultstring matched by $text.
# ($text is a regular expression, without /x.)
my $ENV_HEAD = qq{<soap:Envelope xmlns:xsi="$XSI"}
             . qq{ xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>};
sub fault11_re {
    my $text = shift;
    (my $head = $ENV_HEAD) =~ s{xmlns:xsi}{xmlns:soap="$SOAP11" xmlns:xsi};
    my $re = '\A' . quotemeta($DECL . $head
                   . '<soap:Fault><faultcode>soap:Client</faultcode>'
                   . '<faultstring>')
           . "[^<]*$text\[^<]*"
           . quotemeta('</faultstring><detail /></soap:Fault></soap:Body>'
                     . '</soap:Envelope>') . '\z';
    return qr{$re};
}

sub fault12_re {
    my $text = shift;
    (my $head = $ENV_HEAD) =~ s{xmlns:xsi}{xmlns:soap="$SOAP12" xmlns:xsi};
    my $re = '\A' . quotemeta($DECL . $head
                   . '<soap:Fault><soap:Code><soap:Value>soap:Sender'
                   . '</soap:Value></soap:Code><soap:Reason>'
                   . '<soap:Text xml:lang="en">')
           . "[^<]*$text\[^<]*"
           . quotemeta('</soap:Text></soap:Reason><soap:Detail />'
                     . '</soap:Fault></soap:Body></soap:Envelope>') . '\z';
    return qr{$re};
}

# A SOAP 1.1 answer that must be a Client Fault: status, type, body.
sub is_fault11 {
    my ($res, $text, $name) = @_;
    keep($res);
    ok t_cmp($res->code, 500, "$name: HTTP 500");
    ok t_cmp($res->header('Content-Type'), $XML_TYPE, "$name: text/xml");
    ok t_cmp($res->content, fault11_re($text), "$name: soap:Client Fault");
}

sub plain {
    my ($res, $code, $text, $name) = @_;
    keep($res);
    ok t_cmp([$res->code, $res->header('Content-Type'), $res->content],
             [$code, $TEXT_TYPE, $text], $name);
}

my $get_user_body = el('AuthenticationTicket', $tk) . el('UserName', 'bi_user');
my $set_email_body = el('AuthenticationTicket', $tk)
                   . el('UserName', 'bi_user')
                   . el('NewEmailAddress', 'changed@bad');

# ================================================================ SOAP 1.1

# --- malformed XML
my $res = soap_raw('<?xml version="1.0"?><soap:Envelope xmlns:soap="'
                   . $SOAP11 . '"><soap:Body><GetUser',
                   action => '"http://tempuri.org/GetUser"');
is_fault11($res, 'not well-formed', 'malformed XML');
served_ok('malformed XML');

# --- well-formed, but not an envelope
$res = soap_raw('<?xml version="1.0"?><GetUser xmlns="http://tempuri.org/">'
                . "<AuthenticationTicket>$tk</AuthenticationTicket>"
                . '</GetUser>', action => '"http://tempuri.org/GetUser"');
is_fault11($res, 'envelope', 'not an envelope');
$res = soap_raw('', action => '"http://tempuri.org/GetUser"');
is_fault11($res, '', 'empty body');
served_ok('not an envelope');

# --- envelope without a method element
$res = soap_raw(qq{<soap:Envelope xmlns:soap="$SOAP11"><soap:Body />}
                . '</soap:Envelope>', action => '"http://tempuri.org/GetUser"');
is_fault11($res, '', 'empty soap:Body');

# --- method element outside http://tempuri.org/
$res = soap_raw(qq{<soap:Envelope xmlns:soap="$SOAP11"><soap:Body>}
                . "<GetUser><AuthenticationTicket>$tk</AuthenticationTicket>"
                . '</GetUser></soap:Body></soap:Envelope>',
                action => '"http://tempuri.org/GetUser"');
is_fault11($res, 'tempuri', 'method element without the namespace');

# --- unknown SOAPAction
$res = soap_call('GetUser', $get_user_body,
                 action => '"http://tempuri.org/NoSuchMethod"');
is_fault11($res, 'NoSuchMethod', 'unknown SOAPAction');
served_ok('unknown SOAPAction');

# --- a known body with a mismatched SOAPAction: nothing is run
my $before = contact('bi_user');
$res = soap_call('UpdateUserEmail', $set_email_body,
                 action => '"http://tempuri.org/GetUser"');
is_fault11($res, 'UpdateUserEmail', 'mismatched SOAPAction');
ok t_cmp(contact('bi_user'), $before,
         'mismatched SOAPAction: nothing changed');
served_ok('mismatched SOAPAction');

# --- unknown body element (no SOAPAction, and with a matching one)
$res = soap_call('NoSuchMethod', $get_user_body, action => undef);
is_fault11($res, 'NoSuchMethod', 'unknown body element');
$res = soap_call('NoSuchMethod', $get_user_body);
is_fault11($res, 'NoSuchMethod', 'unknown body element and action');
served_ok('unknown body element');

# --- markup in a SOAPAction is escaped in the faultstring
$res = keep(soap_call('GetUser', $get_user_body,
                      action => q{"http://tempuri.org/<x a='1'>&amp"}));
ok t_cmp($res->content, fault11_re(
             quotemeta(q{&lt;x a=&apos;1&apos;&gt;&amp;amp})),
         'hostile SOAPAction: escaped in the faultstring');

# --- DTDs: billion laughs and an external entity are refused at once
my $lol = '<!ENTITY lol0 "lolololololololololololololololololololol">';
$lol .= qq{<!ENTITY lol$_ "} . ("&lol" . ($_ - 1) . ';') x 10 . '">'
    for 1 .. 12;
my $laughs = qq{<?xml version="1.0" encoding="utf-8"?>\n}
    . "<!DOCTYPE soap:Envelope [$lol]>"
    . qq{<soap:Envelope xmlns:soap="$SOAP11"><soap:Body>}
    . qq{<GetUser xmlns="http://tempuri.org/">}
    . "<AuthenticationTicket>$tk</AuthenticationTicket>"
    . '<UserName>&lol12;</UserName></GetUser></soap:Body></soap:Envelope>';
my $t0 = time;
$res = soap_raw($laughs, action => '"http://tempuri.org/GetUser"');
my $took = time - $t0;
is_fault11($res, 'DTD', 'billion laughs');
ok t_cmp($took < 2 ? 'quick' : "took $took s", 'quick',
         'billion laughs: answered in under 2 s');
served_ok('billion laughs');

$res = soap_raw(qq{<?xml version="1.0" encoding="utf-8"?>\n}
    . '<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    . qq{<soap:Envelope xmlns:soap="$SOAP11"><soap:Body>}
    . qq{<UpdateUserEmail xmlns="http://tempuri.org/">}
    . "<AuthenticationTicket>$tk</AuthenticationTicket>"
    . '<UserName>bi_user</UserName><NewEmailAddress>&xxe;</NewEmailAddress>'
    . '</UpdateUserEmail></soap:Body></soap:Envelope>',
    action => '"http://tempuri.org/UpdateUserEmail"');
is_fault11($res, 'DTD', 'external entity');
ok t_cmp(contact('bi_user'), $before, 'external entity: nothing stored');

# --- invalid UTF-8 inside an element: libxml2 refuses it, nothing stored
$res = soap_call('UpdateUserContactInfo', el('authenticationTicket', $tk)
                 . el('userName', 'bi_user') . "<emailAddress>bad\xFF\xFE"
                 . '</emailAddress>' . el('mobileNumber', '999'));
is_fault11($res, '', 'invalid UTF-8 in a SOAP body');
ok t_cmp(contact('bi_user'), $before, 'invalid UTF-8: nothing stored');
# A character reference to a character XML 1.0 forbids is not well-formed.
$res = soap_call('UpdateUserContactInfo', el('authenticationTicket', $tk)
                 . el('userName', 'bi_user')
                 . '<emailAddress>a&#x1;b</emailAddress>'
                 . el('mobileNumber', '999'));
is_fault11($res, '', 'forbidden character reference');
ok t_cmp(contact('bi_user'), $before,
         'forbidden character reference: nothing stored');
served_ok('invalid UTF-8');

# ================================================================ SOAP 1.2

$res = keep(soap_call('UpdateUserContactInfo',
                      el('authenticationTicket', $tk)
                      . el('userName', 'bi_user')
                      . el('emailAddress', 'bi@soap12')
                      . el('mobileNumber', '1212'), soap12 => 1));
(my $expect12 = soap_expect('UpdateUserContactInfo', $OK))
    =~ s{\Q$SOAP11\E}{$SOAP12};
ok t_cmp($res->code, 200, 'SOAP 1.2: HTTP 200');
ok t_cmp($res->header('Content-Type'), $SOAP12_TYPE,
         'SOAP 1.2: application/soap+xml');
ok t_cmp($res->content, $expect12, 'SOAP 1.2: whole envelope');
ok t_cmp(contact('bi_user'), ['bi@soap12', '1212'], 'SOAP 1.2: stored');

# The operation comes from the body when the Content-Type has no action.
$res = keep(soap_raw(envelope('GetUser', $get_user_body, soap12 => 1),
                     content_type => 'application/soap+xml; charset=utf-8'));
ok t_cmp([$res->code, $res->content =~ m{<GetUserResult><response xmlns=""}
                      && $res->content =~ m{ success="true" } ? 1 : 0],
         [200, 1], 'SOAP 1.2 without action: served');

# malformed 1.2: HTTP 400, soap:Sender
$res = keep(soap_raw('<soap:Envelope xmlns:soap="' . $SOAP12 . '"><soap:Bo',
    content_type => 'application/soap+xml; charset=utf-8; '
                  . 'action="http://tempuri.org/GetUser"'));
ok t_cmp($res->code, 400, 'SOAP 1.2 malformed: HTTP 400');
ok t_cmp($res->header('Content-Type'), $SOAP12_TYPE,
         'SOAP 1.2 malformed: application/soap+xml');
ok t_cmp($res->content, fault12_re('not well-formed'),
         'SOAP 1.2 malformed: soap:Sender Fault');

# 1.2 action that does not match the body
$res = keep(soap_raw(envelope('UpdateUserEmail', $set_email_body,
                              soap12 => 1),
    content_type => 'application/soap+xml; charset=utf-8; '
                  . 'action="http://tempuri.org/GetUser"'));
ok t_cmp([$res->code, $res->content], [400, fault12_re('UpdateUserEmail')],
         'SOAP 1.2 mismatched action: Sender Fault');
# a SOAP 1.1 envelope sent as SOAP 1.2, and the reverse
$res = keep(soap_raw(envelope('GetUser', $get_user_body),
    content_type => 'application/soap+xml; charset=utf-8; '
                  . 'action="http://tempuri.org/GetUser"'));
ok t_cmp([$res->code, $res->content], [400, fault12_re('1\.2')],
         'SOAP 1.1 envelope as application/soap+xml: Sender Fault');
$res = soap_raw(envelope('GetUser', $get_user_body, soap12 => 1),
                action => '"http://tempuri.org/GetUser"');
is_fault11($res, '1\.1', 'SOAP 1.2 envelope as text/xml');
ok t_cmp(contact('bi_user'), ['bi@soap12', '1212'],
         'SOAP 1.2 faults: nothing changed');
served_ok('SOAP 1.2 faults');

# ============================================================ body limits

# /small/srv.asmx allows 2048 bytes: exactly 2048 is read, 2049 is not.
sub padded_get_user {
    my $size = shift;
    my $body = envelope('GetUser', $get_user_body);
    $body =~ s{</soap:Envelope>\z}{};
    my $end = '</soap:Envelope>';
    return $body . (' ' x ($size - length($body) - length($end))) . $end;
}
{
    my $body = padded_get_user(2048);
    $res = keep(soap_raw($body, base => '/small/srv.asmx',
                         action => '"http://tempuri.org/GetUser"'));
    ok t_cmp([length $body, $res->code,
              scalar($res->content =~ m{<response xmlns="" success="true"})],
             [2048, 200, 1], 'small: a 2048-byte SOAP body is served');
    $body = padded_get_user(2049);
    $res = soap_raw($body, base => '/small/srv.asmx',
                    action => '"http://tempuri.org/GetUser"');
    plain($res, 413, "Request body too large.\n",
          'small: a 2049-byte SOAP body: 413');
}

$res = soap_raw(padded_get_user(10 * 1024), base => '/small/srv.asmx',
                action => '"http://tempuri.org/GetUser"');
plain($res, 413, "Request body too large.\n", 'small: 10 KB SOAP body: 413');
served_ok('10 KB SOAP body');

$before = contact('bi_user');
{
    local $InforTest::BASE = '/small/srv.asmx';
    $res = rest_post('UpdateUserContactInfo', authenticationTicket => $tk,
                     userName => 'bi_user', emailAddress => 'x' x 10240,
                     mobileNumber => 'big');
    plain($res, 413, "Request body too large.\n",
          'small: 10 KB form POST: 413');
    ok t_cmp(contact('bi_user'), $before,
             'small: 10 KB form POST changed nothing');
    # A small form POST to the same location is served.
    $res = keep(rest_post('UpdateUserContactInfo',
                          authenticationTicket => $tk, userName => 'bi_user',
                          emailAddress => 'bi@small',
                          mobileNumber => '2048'));
    ok t_cmp($res->content, rest_expect($OK), 'small: a small form POST');
    ok t_cmp(contact('bi_user'), ['bi@small', '2048'],
             'small: small POST stored');
}
served_ok('10 KB form POST');

# The default limit is 64 KiB.
$res = soap_raw(padded_get_user(1536 * 1024),
                action => '"http://tempuri.org/GetUser"');
plain($res, 413, "Request body too large.\n", '1.5 MiB SOAP body: 413');
$before = contact('bi_user');
$res = rest_post('UpdateUserContactInfo', authenticationTicket => $tk,
                 userName => 'bi_user', emailAddress => 'y' x (1536 * 1024),
                 mobileNumber => 'huge');
plain($res, 413, "Request body too large.\n", '1.5 MiB form POST: 413');
ok t_cmp(contact('bi_user'), $before, '1.5 MiB form POST changed nothing');
served_ok('1.5 MiB body');

# ============================================================== raw HTTP

# Sends each request on one connection and reads each answer:
# [status, {lower-case header => value}, body].
sub raw_exchange {
    my @requests = @_;
    my $sock = IO::Socket::INET->new(
        PeerAddr => Apache::TestRequest::hostport(), Timeout => 10)
        or return ();
    my (@answers, $buf);
    for my $req (@requests) {
        print $sock $req;
        my $answer = raw_answer($sock, \$buf) or last;
        push @answers, $answer;
    }
    close $sock;
    return @answers;
}

sub raw_soap {
    my ($path, $body, $action, $conn) = @_;
    return "POST $path HTTP/1.1\r\nHost: localhost\r\n"
         . "Content-Type: text/xml; charset=utf-8\r\n"
         . qq{SOAPAction: "http://tempuri.org/$action"\r\n}
         . 'Content-Length: ' . length($body) . "\r\n"
         . "Connection: $conn\r\n\r\n$body";
}

# A refusal keeps a keep-alive connection usable: the next request on it
# is served.
{
    my @a = raw_exchange(
        "GET /srv.asmx/NoSuchMethod HTTP/1.1\r\nHost: localhost\r\n"
        . "Connection: keep-alive\r\n\r\n",
        raw_soap('/srv.asmx', envelope('GetUser', $get_user_body),
                 'GetUser', 'close'));
    push @bodies, map { $_->[2] } @a;
    ok t_cmp([map { $_->[0] } @a], [404, 200],
             'keep-alive: a 404, then a good call on the same connection');
    ok t_cmp(scalar(@a == 2 && $a[1][2] =~
                    m{<response xmlns="" success="true" error=""><User }),
             1, 'keep-alive: the second answer is the record');
}
# After a Fault (HTTP 500) httpd ends the connection; the answer is whole
# and says so, so a keep-alive client reconnects.
{
    my @a = raw_exchange(
        raw_soap('/srv.asmx', '<soap:Envelope', 'GetUser', 'keep-alive'));
    push @bodies, map { $_->[2] } @a;
    ok t_cmp(@a ? [$a[0][0], $a[0][1]{connection}, $a[0][1]{'content-length'},
                   scalar($a[0][2] =~ m{</soap:Envelope>\z})]
                : ['no answer'],
             [500, 'close', @a ? length $a[0][2] : 0, 1],
             'keep-alive: a Fault is whole and ends the connection');
}

# A chunked body over the limit (no Content-Length) is cut off too.
{
    my $chunk = 'x' x 1000;
    my $req = "POST /small/srv.asmx HTTP/1.1\r\nHost: localhost\r\n"
            . "Content-Type: text/xml; charset=utf-8\r\n"
            . qq{SOAPAction: "http://tempuri.org/GetUser"\r\n}
            . "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            . (sprintf("%x\r\n%s\r\n", length $chunk, $chunk) x 10)
            . "0\r\n\r\n";
    my @a = raw_exchange($req);
    push @bodies, map { $_->[2] } @a;
    ok t_cmp([map { ($_->[0], $_->[2]) } @a],
             [413, "Request body too large.\n"],
             'small: a 10 KB chunked body: 413');
    $before = contact('bi_user');
    my $form = "authenticationTicket=$tk&userName=bi_user&mobileNumber=ch"
             . '&emailAddress=' . ('z' x 1000);
    $chunk = 'z' x 1000;
    $req = "POST /small/srv.asmx/UpdateUserContactInfo HTTP/1.1\r\n"
         . "Host: localhost\r\n"
         . "Content-Type: application/x-www-form-urlencoded\r\n"
         . "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
         . sprintf("%x\r\n%s\r\n", length $form, $form)
         . (sprintf("%x\r\n%s\r\n", length $chunk, $chunk) x 9)
         . "0\r\n\r\n";
    @a = raw_exchange($req);
    push @bodies, map { $_->[2] } @a;
    ok t_cmp([map { ($_->[0], $_->[2]) } @a],
             [413, "Request body too large.\n"],
             'small: a 10 KB chunked form POST: 413');
    ok t_cmp(contact('bi_user'), $before,
             'small: chunked form POST changed nothing');
}
served_ok('chunked body');

# ======================================================= methods and types

$res = rest_get('NoSuchMethod', authenticationTicket => $tk);
plain($res, 404, "Unknown method: NoSuchMethod.\n", 'unknown method: 404');
$res = rest_post('NoSuchMethod', authenticationTicket => $tk);
plain($res, 404, "Unknown method: NoSuchMethod.\n",
      'unknown method, POST: 404');
served_ok('unknown method');

my $ua = Apache::TestRequest::user_agent();
for my $m (qw(PUT DELETE OPTIONS)) {
    for my $path ('/srv.asmx/GetUser', '/srv.asmx') {
        my $req = HTTP::Request->new($m,
            Apache::TestRequest::resolve_url($path),
            ['Content-Type' => 'application/x-www-form-urlencoded'],
            "authenticationTicket=$tk&UserName=bi_user");
        $res = keep($ua->request($req));
        ok t_cmp([$res->code, $res->header('Allow')], [405, 'GET, POST'],
                 "$m $path: 405 with Allow: GET, POST");
    }
}
served_ok('PUT, DELETE and OPTIONS');

$res = Apache::TestRequest::POST('/srv.asmx/GetUser',
    'Content-Type' => 'text/xml; charset=utf-8',
    content => envelope('GetUser', $get_user_body));
keep($res);
ok t_cmp([$res->code, $res->header('Content-Type')], [415, $TEXT_TYPE],
         'POST text/xml to a method: 415');
$res = Apache::TestRequest::POST('/srv.asmx',
    'Content-Type' => 'text/plain', content => 'hello');
keep($res);
ok t_cmp([$res->code, $res->header('Content-Type')], [415, $TEXT_TYPE],
         'POST text/plain to /srv.asmx: 415');
$res = Apache::TestRequest::POST('/srv.asmx',
    'Content-Type' => 'application/x-www-form-urlencoded',
    content => "authenticationTicket=$tk&UserName=bi_user");
keep($res);
ok t_cmp($res->code, 415, 'form POST to /srv.asmx: 415');
# An empty POST without a Content-Type holds no parameter at all: the
# first required one is missing (DECISIONS, "GET/POST parameter absent").
$res = keep($ua->request(HTTP::Request->new(POST =>
    Apache::TestRequest::resolve_url('/srv.asmx/GetUser'),
    ['Content-Length' => 0])));
ok t_cmp([$res->code, $res->content],
         [400, "Missing parameter: authenticationTicket.\n"],
         'empty POST without a Content-Type: Missing parameter');
served_ok('415');

# --- method names match in any letter case
my $canonical = keep(rest_get('GetUser', authenticationTicket => $tk,
                              UserName => 'bi_user'))->content;
ok t_cmp(scalar($canonical =~ m{^\Q$DECL\E<response success="true" error="">}
                && $canonical =~ m{<User exists="true" UserID="$user_id" }),
         1, 'GetUser answers');
for my $m (qw(getuser GETUSER gEtUsEr)) {
    ok t_cmp(keep(rest_get($m, authenticationTicket => $tk,
                           UserName => 'bi_user'))->content, $canonical,
             "/srv.asmx/$m is GetUser");
}
ok t_cmp(scalar(keep(rest_get('ISVALIDTICKET', AuthenticationTicket => $tk))
                ->content =~ m{<root success="true" userid="$user_id" }),
         1, '/srv.asmx/ISVALIDTICKET is isValidTicket');

# ======================================================== values

# A NUL byte in a value is refused; nothing is stored.
$before = contact('bi_user');
$res = rest_get('UpdateUserEmail', authenticationTicket => $tk,
                UserName => 'bi_user', NewEmailAddress => "a\0b");
plain($res, 400, "Invalid parameter: NewEmailAddress holds a NUL byte.\n",
      'GET: NUL byte: 400');
$res = rest_post('UpdateUserEmail', authenticationTicket => $tk,
                 UserName => 'bi_user', NewEmailAddress => "a\0b");
plain($res, 400, "Invalid parameter: NewEmailAddress holds a NUL byte.\n",
      'POST: NUL byte: 400');
$res = rest_get('GetUser', authenticationTicket => $tk,
                UserName => "bi_user\0x");
ok t_cmp(keep($res)->code, 400, 'GET: NUL byte in a user name: 400');
ok t_cmp(contact('bi_user'), $before, 'NUL bytes: nothing stored');
# a NUL byte in a SOAP body is not XML
$res = soap_call('UpdateUserEmail', el('AuthenticationTicket', $tk)
                 . el('UserName', 'bi_user')
                 . "<NewEmailAddress>a\0b</NewEmailAddress>");
is_fault11($res, '', 'SOAP: NUL byte');
ok t_cmp(contact('bi_user'), $before, 'SOAP NUL byte: nothing stored');
# a malformed query string or form body
$res = Apache::TestRequest::GET('/srv.asmx/UpdateUserEmail?'
    . "authenticationTicket=$tk&UserName=bi_user&NewEmailAddress=a%ZZb");
plain($res, 400, "Malformed query string.\n", 'GET: bad %-escape: 400');
$res = Apache::TestRequest::POST('/srv.asmx/UpdateUserEmail',
    content_type => 'application/x-www-form-urlencoded',
    content => "authenticationTicket=$tk&UserName=bi_user"
             . '&NewEmailAddress=a%ZZb');
plain($res, 400, "Malformed form body.\n", 'POST: bad %-escape: 400');
# invalid UTF-8 (an overlong form too) and forbidden control characters
$res = rest_get('UpdateUserEmail', authenticationTicket => $tk,
                UserName => 'bi_user', NewEmailAddress => "a\xC0\x80b");
plain($res, 400,
      "Invalid parameter: NewEmailAddress is not valid UTF-8 text.\n",
      'GET: overlong UTF-8: 400');
$res = rest_get('UpdateUserEmail', authenticationTicket => $tk,
                UserName => 'bi_user', NewEmailAddress => "bad\xC3\x28");
plain($res, 400,
      "Invalid parameter: NewEmailAddress is not valid UTF-8 text.\n",
      'GET: invalid UTF-8: 400');
$res = rest_post('UpdateUserEmail', authenticationTicket => $tk,
                 UserName => 'bi_user', NewEmailAddress => "ctl\x01");
plain($res, 400,
      "Invalid parameter: NewEmailAddress is not valid UTF-8 text.\n",
      'POST: control character: 400');
ok t_cmp(contact('bi_user'), $before, 'invalid text: nothing stored');
served_ok('bad values');

# --- SQL fragments are only names
my @sql = (q{' OR '1'='1}, q{bi_user' --}, q{x'; DROP TABLE infor_users; --},
           q{" OR ""="}, q{bi_user%}, q{%}, q{_i_user}, 'ID:1 OR 1=1',
           q{ID:0x1}, q{ID:-1});
for my $name (@sql) {
    ok t_cmp(keep(rest_get('GetUser', authenticationTicket => $admin,
                           UserName => $name))->content,
             rest_expect($NO_USER), "admin, GetUser '$name': User not found");
}
ok t_cmp(keep(soap_call('GetUser', el('AuthenticationTicket', $admin)
                        . el('UserName', q{' OR '1'='1})))->content,
         soap_expect('GetUser', $NO_USER), 'SOAP: SQL as a name');
ok t_cmp(keep(rest_get('UpdateUserEmail', authenticationTicket => $admin,
                       UserName => q{' OR '1'='1},
                       NewEmailAddress => 'all@x'))->content,
         rest_expect($NO_USER), 'UpdateUserEmail with SQL as a name');
ok t_cmp(keep(rest_get('GetUser', authenticationTicket => $tk,
                       UserName => q{' OR '1'='1}))->content,
         rest_expect($DENIED), 'non-admin, SQL as a name: Access denied');
ok t_cmp(keep(rest_get('isValidTicket',
                       AuthenticationTicket => q{' OR '1'='1}))->content,
         rest_expect('<root success="false" '
                     . 'error="[901] Session expired or Invalid ticket" />'),
         'SQL as a ticket: [901]');
ok t_cmp(db_value('SELECT COUNT(*) FROM infor_users WHERE email = ?',
                  'all@x'), 0, 'SQL as a name changed nobody');
ok t_cmp(user_row('bi_user')->{username}, 'bi_user', 'the table is intact');
served_ok('SQL fragments');

# ======================================================== nothing leaks

# Passwords never reach the access log: not with the parameter name
# %-encoded, nor when the method name is mistyped.
ok t_cmp(scalar(keep(Apache::TestRequest::GET(
             "/srv.asmx/AuthenticateUser?UID=bi_user&P%57D=$PASSWORDS[0]"))
             ->content =~ /<root success="true" ticket="/), 1,
         'login with a %-encoded parameter name');
$res = keep(Apache::TestRequest::GET(
    "/srv.asmx/AuthenticateUsr?UID=bi_user&PWD=$PASSWORDS[2]"));
ok t_cmp($res->code, 404, 'mistyped login method: 404');

my @leaks = grep { /SELECT|infor_users|infor_sessions|SystemError/ } @bodies;
ok t_cmp(scalar(@leaks), 0, 'no answer holds SQL text or a SystemError');
ok t_cmp(scalar(@bodies) > 90 ? 'many' : scalar(@bodies), 'many',
         'the leak check saw every answer');

sub slurp {
    my $f = shift;
    open my $fh, '<', $f or return '';
    local $/;
    return scalar <$fh>;
}
my $vars = Apache::Test::vars();
my $error_log  = slurp("$vars->{t_logs}/error_log");
my $access_log = slurp("$vars->{t_logs}/access_log");
ok t_cmp(length($error_log) > 0 ? 'read' : 'empty', 'read',
         'the error_log was read');
ok t_cmp([grep { index($error_log, $_) >= 0 } @PASSWORDS], [],
         'the error_log holds no password');
ok t_cmp([grep { index($access_log, $_) >= 0 } @PASSWORDS], [],
         'the access_log holds no password');
