# UpdateUserEmail in every binding: the answer, what the database holds
# afterwards (email changed, mobile untouched), permissions, empty and
# null values, absent parameters.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use InforTest;

plan tests => 53;

my $OK      = '<response success="true" error="" />';
my $DENIED  = '<response success="false" error="Access denied" />';
my $NO_USER = '<response success="false" error="User not found" />';
my $AUTH    = '<response success="false" error="[900] Authentication failed" />';
my $TICKET  = '<response success="false" '
            . 'error="[901] Session expired or Invalid ticket" />';

my $erin_id = add_user('ue_erin', 'pw-erin', '--email', 'erin@old',
                       '--mobile', '111');
add_user('ue_fred', 'pw-fred', '--email', 'fred@old', '--mobile', '222');
add_user('ue_admin', 'pw-admin', '--admin', '--mobile', '999');
my $erin  = login('ue_erin', 'pw-erin');
my $fred  = login('ue_fred', 'pw-fred');
my $admin = login('ue_admin', 'pw-admin');

sub get_set {
    my ($ticket, $user, $email) = @_;
    return rest_get('UpdateUserEmail', authenticationTicket => $ticket,
                    UserName => $user, NewEmailAddress => $email);
}

sub soap_set {
    my ($ticket, $user, $children) = @_;
    return soap_call('UpdateUserEmail',
                     el('AuthenticationTicket', $ticket)
                     . el('UserName', $user) . $children);
}

# --- GET
my $res = get_set($erin, 'ue_erin', 'erin@get');
ok t_cmp($res->code, 200, 'GET: HTTP 200');
ok t_cmp($res->header('Content-Type'), 'text/xml; charset=utf-8',
         'GET: content type');
ok t_cmp($res->content, rest_expect($OK), 'GET: answer');
ok t_cmp(contact('ue_erin'), ['erin@get', '111'],
         'GET: email stored, mobile untouched');

# --- POST
$res = rest_post('UpdateUserEmail', authenticationTicket => $erin,
                 UserName => 'ue_erin', NewEmailAddress => 'erin@post');
ok t_cmp($res->code, 200, 'POST: HTTP 200');
ok t_cmp($res->content, rest_expect($OK), 'POST: answer');
ok t_cmp(contact('ue_erin'), ['erin@post', '111'], 'POST: stored');

# --- SOAP 1.1 (documented element names)
$res = soap_set($erin, 'ue_erin', el('NewEmailAddress', 'erin@soap'));
ok t_cmp($res->code, 200, 'SOAP: HTTP 200');
ok t_cmp($res->header('Content-Type'), 'text/xml; charset=utf-8',
         'SOAP: content type');
ok t_cmp($res->content, soap_expect('UpdateUserEmail', $OK),
         'SOAP: whole envelope');
ok t_cmp(contact('ue_erin'), ['erin@soap', '111'], 'SOAP: stored');

# --- SOAP with the tns prefix of the doc example
my $prefixed = '<?xml version="1.0" encoding="utf-8"?>'
  . '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"'
  . ' xmlns:tns="http://tempuri.org/"><soap:Body><tns:UpdateUserEmail>'
  . "<tns:AuthenticationTicket>$erin</tns:AuthenticationTicket>"
  . '<tns:UserName>ue_erin</tns:UserName>'
  . '<tns:NewEmailAddress>erin@tns</tns:NewEmailAddress>'
  . '</tns:UpdateUserEmail></soap:Body></soap:Envelope>';
$res = soap_raw($prefixed, action => '"http://tempuri.org/UpdateUserEmail"');
ok t_cmp($res->content, soap_expect('UpdateUserEmail', $OK),
         'SOAP prefixed: answer');
ok t_cmp(contact('ue_erin'), ['erin@tns', '111'], 'SOAP prefixed: stored');

# --- parameter names in other cases, user name in another case, ID:<n>
$res = rest_get('UpdateUserEmail', AuthenticationTicket => $erin,
                username => 'UE_ERIN', newemailaddress => 'erin@case');
ok t_cmp($res->content, rest_expect($OK), 'GET: names in other cases');
ok t_cmp(contact('ue_erin'), ['erin@case', '111'], 'other cases: stored');
$res = soap_set($erin, 'Ue_Erin', el('newEmailAddress', 'erin@soapcase'));
ok t_cmp(contact('ue_erin'), ['erin@soapcase', '111'],
         'SOAP: element name in another case');
$res = get_set($erin, "ID:$erin_id", 'erin@id');
ok t_cmp($res->content, rest_expect($OK), 'GET: ID:<n> of oneself');
ok t_cmp(contact('ue_erin'), ['erin@id', '111'], 'ID:<n>: stored');

# --- the same address again succeeds
$res = get_set($erin, 'ue_erin', 'erin@id');
ok t_cmp($res->content, rest_expect($OK), 'same address: success');
ok t_cmp(contact('ue_erin'), ['erin@id', '111'], 'same address: unchanged');

# --- permissions
my $fred_before = contact('ue_fred');
ok t_cmp(get_set($erin, 'ue_fred', 'hijack@x')->content,
         rest_expect($DENIED), 'GET: other user denied');
ok t_cmp(rest_post('UpdateUserEmail', authenticationTicket => $erin,
                   UserName => 'ue_fred', NewEmailAddress => 'hijack@x')
             ->content, rest_expect($DENIED), 'POST: other user denied');
ok t_cmp(soap_set($erin, 'ue_fred', el('NewEmailAddress', 'hijack@x'))
             ->content, soap_expect('UpdateUserEmail', $DENIED),
         'SOAP: other user denied');
ok t_cmp(get_set($erin, 'ue_admin', 'hijack@x')->content,
         rest_expect($DENIED), 'GET: a user may not change an admin');
ok t_cmp(get_set($erin, 'ue_no_such_user', 'x@x')->content,
         rest_expect($DENIED), 'non-admin naming a missing user: denied');
ok t_cmp(contact('ue_fred'), $fred_before, 'denied: fred unchanged');
ok t_cmp(user_row('ue_admin')->{email}, '', 'denied: admin unchanged');

$res = get_set($admin, 'ue_fred', 'fred@admin');
ok t_cmp($res->content, rest_expect($OK), 'GET: admin changes fred');
ok t_cmp(contact('ue_fred'), ['fred@admin', '222'], 'admin change stored');
$res = soap_set($admin, 'UE_FRED', el('NewEmailAddress', 'fred@adminsoap'));
ok t_cmp($res->content, soap_expect('UpdateUserEmail', $OK),
         'SOAP: admin changes fred');
ok t_cmp(contact('ue_fred'), ['fred@adminsoap', '222'],
         'SOAP admin change stored');
ok t_cmp(get_set($admin, 'ue_no_such_user', 'x@x')->content,
         rest_expect($NO_USER), 'admin naming a missing user: User not found');
ok t_cmp(soap_set($admin, 'ue_no_such_user', el('NewEmailAddress', 'x'))
             ->content, soap_expect('UpdateUserEmail', $NO_USER),
         'SOAP: admin naming a missing user: User not found');

# --- empty clears; SOAP null behaves as empty here (DECISIONS)
$res = get_set($erin, 'ue_erin', '');
ok t_cmp($res->content, rest_expect($OK), 'GET: empty address: success');
ok t_cmp(contact('ue_erin'), ['', '111'], 'GET: empty address clears');
get_set($erin, 'ue_erin', 'erin@again');
$res = soap_set($erin, 'ue_erin', '<NewEmailAddress/>');
ok t_cmp(contact('ue_erin'), ['', '111'], 'SOAP: <NewEmailAddress/> clears');
get_set($erin, 'ue_erin', 'erin@again');
$res = soap_set($erin, 'ue_erin', '');
ok t_cmp($res->content, soap_expect('UpdateUserEmail', $OK),
         'SOAP: NewEmailAddress omitted: success');
ok t_cmp(contact('ue_erin'), ['', '111'], 'SOAP: omitted address clears');
get_set($erin, 'ue_erin', 'erin@again');
soap_set($erin, 'ue_erin', nil('NewEmailAddress'));
ok t_cmp(contact('ue_erin'), ['', '111'], 'SOAP: xsi:nil address clears');

# --- GET/POST: an absent required parameter is refused, nothing changes
get_set($erin, 'ue_erin', 'erin@kept');
$res = rest_get('UpdateUserEmail', authenticationTicket => $erin,
                UserName => 'ue_erin');
ok t_cmp([$res->code, $res->header('Content-Type'), $res->content],
         [400, 'text/plain; charset=utf-8',
          "Missing parameter: NewEmailAddress.\n"],
         'GET missing NewEmailAddress: 400');
$res = rest_post('UpdateUserEmail', authenticationTicket => $erin,
                 NewEmailAddress => 'x@absent');
ok t_cmp([$res->code, $res->content],
         [400, "Missing parameter: UserName.\n"], 'POST missing UserName: 400');
ok t_cmp(contact('ue_erin'), ['erin@kept', '111'],
         'missing parameters changed nothing');

# A form POST reads the body only: a value in the query string is ignored.
$res = Apache::TestRequest::POST(
    '/srv.asmx/UpdateUserEmail?NewEmailAddress=from@query',
    content_type => 'application/x-www-form-urlencoded',
    content => "authenticationTicket=$erin&UserName=ue_erin");
ok t_cmp([$res->code, $res->content],
         [400, "Missing parameter: NewEmailAddress.\n"],
         'POST: the query string is not read');
ok t_cmp(contact('ue_erin'), ['erin@kept', '111'], 'query string: not stored');

# A repeated parameter: the first value wins.
$res = Apache::TestRequest::GET('/srv.asmx/UpdateUserEmail?'
    . "authenticationTicket=$erin&UserName=ue_erin"
    . '&NewEmailAddress=first@x&newemailaddress=second@x');
ok t_cmp($res->content, rest_expect($OK), 'GET: repeated parameter: success');
ok t_cmp(contact('ue_erin'), ['first@x', '111'], 'GET: the first value wins');
soap_set($erin, 'ue_erin', el('NewEmailAddress', 'one@x')
                           . el('NewEmailAddress', 'two@x'));
ok t_cmp(contact('ue_erin'), ['one@x', '111'],
         'SOAP: the first element wins');
get_set($erin, 'ue_erin', 'erin@kept');

# --- bad tickets change nothing
ok t_cmp(get_set('', 'ue_erin', 'x@x')->content, rest_expect($AUTH),
         'GET: empty ticket: [900]');
ok t_cmp(soap_call('UpdateUserEmail', el('UserName', 'ue_erin')
                   . el('NewEmailAddress', 'x@x'))->content,
         soap_expect('UpdateUserEmail', $AUTH), 'SOAP: ticket omitted: [900]');
ok t_cmp(get_set('01234567-89ab-cdef-0123-456789abcdef', 'ue_erin', 'x@x')
             ->content, rest_expect($TICKET), 'GET: unknown ticket: [901]');
ok t_cmp(contact('ue_erin'), ['erin@kept', '111'],
         'bad tickets changed nothing');

# --- a hostile value is stored exactly and comes back escaped
my $v = q{"a" <b> & 'c' x'); DROP TABLE infor_users; --};
rest_post('UpdateUserEmail', authenticationTicket => $erin,
          UserName => 'ue_erin', NewEmailAddress => $v);
ok t_cmp(contact('ue_erin'), [$v, '111'], 'hostile value stored exactly');
my ($email) = rest_get('GetUser', authenticationTicket => $erin,
                       UserName => '')->content =~ /Email="([^"]*)"/;
ok t_cmp($email, '&quot;a&quot; &lt;b&gt; &amp; &apos;c&apos; x&apos;); '
                 . 'DROP TABLE infor_users; --',
         'hostile value read back escaped');
