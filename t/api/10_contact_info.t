# UpdateUserContactInfo, the heart of the module, in every binding.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use InforTest;

plan tests => 46;

my $OK     = '<response success="true" error="" />';
my $DENIED = '<response success="false" error="Access denied" />';

my $alice_id = add_user('ci_alice', 'pw-alice', '--email', 'alice@old',
                        '--mobile', '111');
add_user('ci_bob', 'pw-bob', '--email', 'bob@old', '--mobile', '222');
add_user('ci_admin', 'pw-admin', '--admin');
my $alice = login('ci_alice', 'pw-alice');
my $bob   = login('ci_bob', 'pw-bob');
my $admin = login('ci_admin', 'pw-admin');

sub get_set {
    my ($ticket, $user, $email, $mobile) = @_;
    return rest_get('UpdateUserContactInfo', authenticationTicket => $ticket,
                    userName => $user, emailAddress => $email,
                    mobileNumber => $mobile);
}

sub soap_set {
    my ($ticket, $user, $children) = @_;
    return soap_call('UpdateUserContactInfo',
                     el('authenticationTicket', $ticket)
                     . el('userName', $user) . $children);
}

# --- GET: success, exact answer, database afterwards
my $res = get_set($alice, 'ci_alice', 'alice@get', '+81 90-1234-5678');
ok t_cmp($res->code, 200, 'GET: HTTP 200');
ok t_cmp($res->header('Content-Type'), 'text/xml; charset=utf-8',
         'GET: content type');
ok t_cmp($res->content, rest_expect($OK), 'GET: answer');
ok t_cmp(contact('ci_alice'), ['alice@get', '+81 90-1234-5678'],
         'GET: both fields stored');
# The update leaves the columns it does not change alone, and keeps the
# email filter's folded copy in step (it writes only the email's index).
ok t_cmp(db_value("SELECT username || '|' || name_key || '|' || enabled"
                  . " || '|' || fold_user || '|' || fold_email"
                  . ' FROM infor_users WHERE id = ?', $alice_id),
         'ci_alice|ci_alice|1|ci_alice|alice@get',
         'GET: other columns as they were, the folded email new');

# --- POST
$res = rest_post('UpdateUserContactInfo', authenticationTicket => $alice,
                 userName => 'ci_alice', emailAddress => 'alice@post',
                 mobileNumber => '333');
ok t_cmp($res->content, rest_expect($OK), 'POST: answer');
ok t_cmp(contact('ci_alice'), ['alice@post', '333'], 'POST: stored');

# --- SOAP 1.1, default namespace
$res = soap_set($alice, 'ci_alice',
                el('emailAddress', 'alice@soap') . el('mobileNumber', '444'));
ok t_cmp($res->code, 200, 'SOAP: HTTP 200');
ok t_cmp($res->content, soap_expect('UpdateUserContactInfo', $OK),
         'SOAP: whole envelope');
ok t_cmp(contact('ci_alice'), ['alice@soap', '444'], 'SOAP: stored');

# --- SOAP with a prefix, and the documented PascalCase ticket element
my $prefixed = '<?xml version="1.0" encoding="utf-8"?>'
  . '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"'
  . ' xmlns:tns="http://tempuri.org/"><soap:Body><tns:UpdateUserContactInfo>'
  . "<tns:AuthenticationTicket>$alice</tns:AuthenticationTicket>"
  . '<tns:userName>ci_alice</tns:userName>'
  . '<tns:emailAddress>alice@tns</tns:emailAddress>'
  . '<tns:mobileNumber>555</tns:mobileNumber>'
  . '</tns:UpdateUserContactInfo></soap:Body></soap:Envelope>';
$res = soap_raw($prefixed, action => '"http://tempuri.org/UpdateUserContactInfo"');
ok t_cmp($res->content, soap_expect('UpdateUserContactInfo', $OK),
         'SOAP prefix: answer');
ok t_cmp(contact('ci_alice'), ['alice@tns', '555'], 'SOAP prefix: stored');

# --- empty clears (GET and SOAP)
get_set($alice, 'ci_alice', '', '666');
ok t_cmp(contact('ci_alice'), ['', '666'], 'GET: empty email clears it');
soap_set($alice, 'ci_alice', el('emailAddress', 'e@1') . '<mobileNumber/>');
ok t_cmp(contact('ci_alice'), ['e@1', ''], 'SOAP: <x/> clears');
soap_set($alice, 'ci_alice',
         '<emailAddress></emailAddress>' . el('mobileNumber', '777'));
ok t_cmp(contact('ci_alice'), ['', '777'], 'SOAP: <x></x> clears');

# --- SOAP null keeps
get_set($alice, 'ci_alice', 'keep@me', '888');
$res = soap_set($alice, 'ci_alice', el('mobileNumber', '999'));
ok t_cmp($res->content, soap_expect('UpdateUserContactInfo', $OK),
         'SOAP omitted email: success');
ok t_cmp(contact('ci_alice'), ['keep@me', '999'], 'SOAP omitted email kept');
soap_set($alice, 'ci_alice', el('emailAddress', 'new@me'));
ok t_cmp(contact('ci_alice'), ['new@me', '999'], 'SOAP omitted mobile kept');
soap_set($alice, 'ci_alice', nil('emailAddress') . el('mobileNumber', '000'));
ok t_cmp(contact('ci_alice'), ['new@me', '000'], 'SOAP xsi:nil email kept');
soap_set($alice, 'ci_alice', el('emailAddress', 'n@2') . nil('mobileNumber'));
ok t_cmp(contact('ci_alice'), ['n@2', '000'], 'SOAP xsi:nil mobile kept');

# --- GET/POST: a required parameter absent is refused, nothing changes
my $before = contact('ci_alice');
$res = rest_get('UpdateUserContactInfo', authenticationTicket => $alice,
                userName => 'ci_alice', emailAddress => 'x@absent');
ok t_cmp($res->code, 400, 'GET missing mobileNumber: 400');
ok t_cmp($res->header('Content-Type'), 'text/plain; charset=utf-8',
         'GET missing: text/plain');
ok t_cmp($res->content, "Missing parameter: mobileNumber.\n",
         'GET missing: message');
$res = rest_post('UpdateUserContactInfo', authenticationTicket => $alice,
                 userName => 'ci_alice', mobileNumber => '1');
ok t_cmp($res->content, "Missing parameter: emailAddress.\n",
         'POST missing emailAddress');
ok t_cmp(contact('ci_alice'), $before, 'missing parameters changed nothing');

# --- parameter names in other letter cases
$res = rest_get('UpdateUserContactInfo', AUTHENTICATIONTICKET => $alice,
                USERNAME => 'CI_ALICE', EmailAddress => 'case@x',
                MOBILENUMBER => 'm');
ok t_cmp($res->content, rest_expect($OK), 'GET: names in other cases');
ok t_cmp(contact('ci_alice'), ['case@x', 'm'], 'other cases: stored');
$res = soap_set($alice, 'ci_alice',
                el('EMAILADDRESS', 'soapcase@x') . el('MobileNumber', 'M'));
ok t_cmp(contact('ci_alice'), ['soapcase@x', 'M'],
         'SOAP: element names in other cases');

# --- permissions: a user may not change another; an admin may
$before = contact('ci_bob');
$res = get_set($alice, 'ci_bob', 'hijack@x', '0');
ok t_cmp($res->content, rest_expect($DENIED), 'GET: other user denied');
$res = soap_set($alice, 'ci_bob',
                el('emailAddress', 'hijack@x') . el('mobileNumber', '0'));
ok t_cmp($res->content, soap_expect('UpdateUserContactInfo', $DENIED),
         'SOAP: other user denied');
$res = get_set($alice, 'no_such_user', 'x', 'y');
ok t_cmp($res->content, rest_expect($DENIED),
         'non-admin naming a missing user: denied (no enumeration)');
ok t_cmp(contact('ci_bob'), $before, 'denied: bob unchanged');
$res = get_set($admin, 'ci_bob', 'bob@admin', '42');
ok t_cmp($res->content, rest_expect($OK), 'admin may change bob');
ok t_cmp(contact('ci_bob'), ['bob@admin', '42'], 'admin change stored');
$res = get_set($admin, 'no_such_user', 'x', 'y');
ok t_cmp($res->content,
         rest_expect('<response success="false" error="User not found" />'),
         'admin naming a missing user: User not found');
$res = get_set($admin, "ID:$alice_id", 'byid@x', 'id');
ok t_cmp(contact('ci_alice'), ['byid@x', 'id'], 'ID:<n> names a user');

# --- hostile and non-ASCII values round-trip exactly
my @values = (
    q{"quoted" <tag> & 'apos'},
    q{x'); DROP TABLE infor_users; --},
    q{Zoë 日本 +81 90-1234-5678},
    q{a]]>b</x><y>},
    "tab\there\nnew line",
    'x' x 5000,
);
for my $v (@values) {
    rest_post('UpdateUserContactInfo', authenticationTicket => $alice,
              userName => 'ci_alice', emailAddress => $v, mobileNumber => $v);
    my $got = contact('ci_alice');
    my $xml = rest_get('GetUser', authenticationTicket => $alice,
                       UserName => '')->content;
    my ($email) = $xml =~ /Email="([^"]*)"/;
    $email =~ s/&#x9;/\t/g; $email =~ s/&#xA;/\n/g;
    $email =~ s/&lt;/</g; $email =~ s/&gt;/>/g; $email =~ s/&quot;/"/g;
    $email =~ s/&apos;/'/g; $email =~ s/&amp;/&/g;
    ok t_cmp([$got->[0], $got->[1], $email], [$v, $v, $v],
             'round trip: ' . substr($v, 0, 20));
}
ok db_value('SELECT COUNT(*) FROM infor_users') >= 3;

# --- invalid UTF-8 is refused and changes nothing
$before = contact('ci_alice');
$res = Apache::TestRequest::GET('/srv.asmx/UpdateUserContactInfo?'
    . "authenticationTicket=$alice&userName=ci_alice"
    . '&emailAddress=bad%FF%FEutf8&mobileNumber=1');
ok t_cmp($res->code, 400, 'invalid UTF-8: 400');
ok t_cmp($res->content,
         "Invalid parameter: emailAddress is not valid UTF-8 text.\n",
         'invalid UTF-8: message');
ok t_cmp(contact('ci_alice'), $before, 'invalid UTF-8: nothing stored');
