# GetUser in every binding: the exact record, who may read whom, names in
# every form the spec allows, escaping of stored values, bad tickets.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use InforTest;

plan tests => 56;

my $DENIED  = '<response success="false" error="Access denied" />';
my $NO_USER = '<response success="false" error="User not found" />';
my $AUTH    = '<response success="false" error="[900] Authentication failed" />';
my $TICKET  = '<response success="false" '
            . 'error="[901] Session expired or Invalid ticket" />';

my $carol_id = add_user('gu_carol', 'pw', '--first', 'Carol', '--last', 'Ng',
                        '--email', 'c@x', '--mobile', '+1 555');
my $dave_id  = add_user('gu_dave', 'pw-dave', '--first', 'Dave');
my $admin_id = add_user('gu_admin', 'pw-admin', '--admin');
my $carol = login('gu_carol', 'pw');
my $admin = login('gu_admin', 'pw-admin');

# The expected <response> for a user: fixed values from the caller, dates
# and id from the database.
sub user_response {
    my ($name, %v) = @_;
    my $row = user_row($name);
    my %a = (FirstName => '', LastName => '', Email => '', MobileNumber => '',
             Enabled => 'TRUE', Domain => '', ReadOnlyUser => 'FALSE',
             Language => 'English', DefaultPortal => '',
             ShowArchives => 'FALSE', ShowHiddens => 'FALSE',
             NotificationType => 'NONE', NotificationTypeId => '0',
             EmailType => 'HTML', AttachDocumentToEmail => 'FALSE', %v);
    return '<response success="true" error="">'
         . qq{<User exists="true" UserID="$row->{id}"}
         . qq{ FirstName="$a{FirstName}" LastName="$a{LastName}"}
         . qq{ Email="$a{Email}" MobileNumber="$a{MobileNumber}"}
         . qq{ Enabled="$a{Enabled}" UserName="$v{UserName}"}
         . qq{ Domain="$a{Domain}"}
         . ' LastLogonDate="' . user_date($row->{last_logon}) . '"'
         . ' LastPasswordChangeDate="'
         . user_date($row->{last_password_change}) . '"'
         . qq{ AuthenticationAuthority="Native"}
         . qq{ ReadOnlyUser="$a{ReadOnlyUser}">}
         . qq{<Preferences Language="$a{Language}"}
         . qq{ DefaultPortal="$a{DefaultPortal}"}
         . qq{ ShowArchives="$a{ShowArchives}" ShowHiddens="$a{ShowHiddens}"}
         . qq{ NotificationType="$a{NotificationType}"}
         . qq{ NotificationTypeId="$a{NotificationTypeId}"}
         . qq{ EmailType="$a{EmailType}"}
         . qq{ AttachDocumentToEmail="$a{AttachDocumentToEmail}" />}
         . '</User></response>';
}

my %CAROL = (UserName => 'gu_carol', FirstName => 'Carol', LastName => 'Ng',
             Email => 'c@x', MobileNumber => '+1 555');

sub get_user {
    my ($ticket, $name) = @_;
    return rest_get('GetUser', authenticationTicket => $ticket,
                    UserName => $name);
}

sub soap_get_user {
    my ($ticket, $children) = @_;
    return soap_call('GetUser', el('AuthenticationTicket', $ticket)
                                . $children);
}

# --- the dates the expectation relies on are really there
my $row = user_row('gu_carol');
ok t_cmp(($row->{last_logon} > 0 && $row->{last_password_change} > 0), 1,
         'carol has a logon date and a password change date');
my $carol_expect = user_response('gu_carol', %CAROL);

# --- GET: the exact record
my $res = get_user($carol, 'gu_carol');
ok t_cmp($res->code, 200, 'GET: HTTP 200');
ok t_cmp($res->header('Content-Type'), 'text/xml; charset=utf-8',
         'GET: content type');
ok t_cmp($res->content, rest_expect($carol_expect), 'GET: exact record');

# --- POST
$res = rest_post('GetUser', authenticationTicket => $carol,
                 UserName => 'gu_carol');
ok t_cmp($res->code, 200, 'POST: HTTP 200');
ok t_cmp($res->content, rest_expect($carol_expect), 'POST: exact record');

# --- SOAP 1.1: the whole envelope
$res = soap_get_user($carol, el('UserName', 'gu_carol'));
ok t_cmp($res->code, 200, 'SOAP: HTTP 200');
ok t_cmp($res->header('Content-Type'), 'text/xml; charset=utf-8',
         'SOAP: content type');
ok t_cmp($res->content, soap_expect('GetUser', $carol_expect),
         'SOAP: whole envelope');

# --- the doc's prefixed form, with an empty <tns:UserName/>
my $prefixed = '<?xml version="1.0" encoding="utf-8"?>'
  . '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"'
  . ' xmlns:tns="http://tempuri.org/"><soap:Body><tns:GetUser>'
  . "<tns:AuthenticationTicket>$carol</tns:AuthenticationTicket>"
  . '<tns:UserName/></tns:GetUser></soap:Body></soap:Envelope>';
$res = soap_raw($prefixed, action => '"http://tempuri.org/GetUser"');
ok t_cmp($res->content, soap_expect('GetUser', $carol_expect),
         'SOAP prefixed, empty UserName: own record');

# --- the caller's own record: empty, whitespace, omitted, null
ok t_cmp(get_user($carol, '')->content, rest_expect($carol_expect),
         'GET: empty UserName is the caller');
ok t_cmp(get_user($carol, "  \t ")->content, rest_expect($carol_expect),
         'GET: whitespace-only UserName is the caller');
ok t_cmp(rest_post('GetUser', authenticationTicket => $carol,
                   UserName => ' ')->content,
         rest_expect($carol_expect), 'POST: blank UserName is the caller');
ok t_cmp(soap_get_user($carol, '')->content,
         soap_expect('GetUser', $carol_expect),
         'SOAP: UserName omitted is the caller');
ok t_cmp(soap_get_user($carol, nil('UserName'))->content,
         soap_expect('GetUser', $carol_expect),
         'SOAP: UserName xsi:nil is the caller');
ok t_cmp(soap_get_user($carol, '<UserName/>')->content,
         soap_expect('GetUser', $carol_expect),
         'SOAP: <UserName/> is the caller');

# --- other spellings of the same user
ok t_cmp(get_user($carol, 'GU_Carol')->content, rest_expect($carol_expect),
         'GET: user name in another letter case');
ok t_cmp(get_user($carol, "ID:$carol_id")->content,
         rest_expect($carol_expect), 'GET: ID:<n>');
ok t_cmp(get_user($carol, "id:$carol_id")->content,
         rest_expect($carol_expect), 'GET: id:<n> in lower case');
ok t_cmp(soap_get_user($carol, el('UserName', "ID:$carol_id"))->content,
         soap_expect('GetUser', $carol_expect), 'SOAP: ID:<n>');
# Parameter names match in any case (DECISIONS).
ok t_cmp(rest_get('GetUser', AuthenticationTicket => $carol,
                  username => 'gu_carol')->content,
         rest_expect($carol_expect), 'GET: parameter names in other cases');
ok t_cmp(soap_call('GetUser', el('authenticationTicket', $carol)
                              . el('userName', 'gu_carol'))->content,
         soap_expect('GetUser', $carol_expect),
         'SOAP: element names in other cases');

# --- permissions
ok t_cmp(get_user($carol, 'gu_dave')->content, rest_expect($DENIED),
         'GET: non-admin reading another user: denied');
ok t_cmp(get_user($carol, "ID:$dave_id")->content, rest_expect($DENIED),
         'GET: non-admin reading another user by id: denied');
ok t_cmp(soap_get_user($carol, el('UserName', 'gu_dave'))->content,
         soap_expect('GetUser', $DENIED), 'SOAP: non-admin: denied');
ok t_cmp(get_user($carol, 'gu_no_such_user')->content, rest_expect($DENIED),
         'non-admin naming a missing user: denied');
ok t_cmp(get_user($carol, 'ID:999999')->content, rest_expect($DENIED),
         'non-admin naming a missing id: denied');

# dave never logged in: his LastLogonDate is empty.
my $dave_expect = user_response('gu_dave', UserName => 'gu_dave',
                                FirstName => 'Dave');
ok t_cmp(user_row('gu_dave')->{last_logon}, 0, 'dave never logged in');
ok t_cmp(scalar($dave_expect =~ / LastLogonDate="" /), 1,
         'expected record has an empty LastLogonDate');
ok t_cmp(get_user($admin, 'gu_dave')->content, rest_expect($dave_expect),
         'GET: admin reads another user');
ok t_cmp(soap_get_user($admin, el('UserName', 'GU_DAVE'))->content,
         soap_expect('GetUser', $dave_expect), 'SOAP: admin reads another');
ok t_cmp(get_user($admin, "ID:$carol_id")->content,
         rest_expect($carol_expect), 'admin reads carol by id');
ok t_cmp(get_user($admin, 'gu_no_such_user')->content, rest_expect($NO_USER),
         'admin naming a missing user: User not found');
ok t_cmp(soap_get_user($admin, el('UserName', 'gu_no_such_user'))->content,
         soap_expect('GetUser', $NO_USER), 'SOAP: admin, missing user');
ok t_cmp(get_user($admin, 'ID:999999')->content, rest_expect($NO_USER),
         'admin naming a missing id: User not found');
ok t_cmp(get_user($admin, 'ID:abc')->content, rest_expect($NO_USER),
         'admin naming a malformed id: User not found');

# --- stored flags and preferences come out as documented
db_do('UPDATE infor_users SET enabled = 0, read_only = 1, domain = ?,'
      . ' pref_show_archives = 1, pref_show_hiddens = 1,'
      . ' pref_notification = 2, pref_email_type = ?,'
      . ' pref_attach_document = 1, pref_default_portal = ?'
      . ' WHERE id = ?', 'Sales', 'TEXT', 'Main', $dave_id);
ok t_cmp(get_user($admin, 'gu_dave')->content,
         rest_expect(user_response('gu_dave', UserName => 'gu_dave',
             FirstName => 'Dave', Enabled => 'FALSE', ReadOnlyUser => 'TRUE',
             Domain => 'Sales', ShowArchives => 'TRUE', ShowHiddens => 'TRUE',
             NotificationType => 'DAILY REPORT', NotificationTypeId => '2',
             EmailType => 'TEXT', AttachDocumentToEmail => 'TRUE',
             DefaultPortal => 'Main')),
         'flags and preferences');
db_do('UPDATE infor_users SET pref_notification = 1 WHERE id = ?', $dave_id);
ok t_cmp(scalar(get_user($admin, "gu_dave")->content =~
             / NotificationType="INSTANT" NotificationTypeId="1" /), 1,
         'notification 1 is INSTANT');

# --- hostile stored values are escaped
db_do('UPDATE infor_users SET first_name = ? WHERE id = ?',
      q{<b>"&'</b>}, $carol_id);
my %hostile = (%CAROL, FirstName => '&lt;b&gt;&quot;&amp;&apos;&lt;/b&gt;');
$res = get_user($carol, '');
ok t_cmp($res->content, rest_expect(user_response('gu_carol', %hostile)),
         'GET: markup in a stored value is escaped');
ok t_cmp(soap_get_user($carol, '')->content,
         soap_expect('GetUser', user_response('gu_carol', %hostile)),
         'SOAP: markup in a stored value is escaped');

# A control character that XML 1.0 forbids is dropped; the answer stays
# well-formed.
db_do('UPDATE infor_users SET first_name = ?, last_name = ? WHERE id = ?',
      "Ca\x01rol", "N\x1Fg\x7F", $carol_id);
$res = get_user($carol, '');
my $body = $res->content;
ok t_cmp($body, rest_expect(user_response('gu_carol', %CAROL,
                                          LastName => "Ng\x7F")),
         'GET: a forbidden control character is dropped');
ok t_cmp(scalar($body =~ /[\x00-\x08\x0B\x0C\x0E-\x1F]/), '',
         'GET: no forbidden byte in the answer');
my $soap_body = soap_get_user($carol, '')->content;
ok t_cmp(scalar($soap_body =~ /[\x00-\x08\x0B\x0C\x0E-\x1F]/), '',
         'SOAP: no forbidden byte in the answer');
# With XML::LibXML, both answers must parse (Test.pm's skip() otherwise).
my $no_libxml = eval { require XML::LibXML; 1 } ? 0
              : 'XML::LibXML not installed';
skip($no_libxml, sub {
        my $doc = eval { XML::LibXML->load_xml(string => $body) };
        $doc ? $doc->documentElement->findvalue('User/@FirstName')
             : "parse error: $@";
     }, 'Carol', 'GET answer parses; FirstName without the control character');
skip($no_libxml, sub {
        eval { XML::LibXML->load_xml(string => $soap_body) }
            ? 'parsed' : "parse error: $@";
     }, 'parsed', 'SOAP answer parses');
db_do('UPDATE infor_users SET first_name = ?, last_name = ? WHERE id = ?',
      'Carol', 'Ng', $carol_id);

# --- bad tickets
ok t_cmp(get_user('', 'gu_carol')->content, rest_expect($AUTH),
         'GET: empty ticket: [900]');
ok t_cmp(get_user('not-a-guid', 'gu_carol')->content, rest_expect($AUTH),
         'GET: malformed ticket: [900]');
ok t_cmp(soap_call('GetUser', el('UserName', 'gu_carol'))->content,
         soap_expect('GetUser', $AUTH), 'SOAP: ticket omitted: [900]');
ok t_cmp(soap_get_user('', el('UserName', 'gu_carol'))->content,
         soap_expect('GetUser', $AUTH), 'SOAP: empty ticket: [900]');
ok t_cmp(get_user('01234567-89ab-cdef-0123-456789abcdef', 'gu_carol')
             ->content, rest_expect($TICKET),
         'GET: unknown well-formed ticket: [901]');
# GET/POST with the required ticket parameter absent altogether: 400
# (DECISIONS, "GET/POST parameter absent").
$res = rest_get('GetUser', UserName => 'gu_carol');
ok t_cmp([$res->code, $res->header('Content-Type'), $res->content],
         [400, 'text/plain; charset=utf-8',
          "Missing parameter: authenticationTicket.\n"],
         'GET: ticket parameter absent: 400');
$res = rest_get('GetUser', authenticationTicket => $carol);
ok t_cmp([$res->code, $res->content],
         [400, "Missing parameter: UserName.\n"],
         'GET: UserName parameter absent: 400');

# --- the ticket in upper case is the same ticket
ok t_cmp(get_user(uc $carol, '')->content, rest_expect($carol_expect),
         'GET: ticket in upper case');

# --- the ticket of a user who is now disabled: [901], and it is dropped
db_do('UPDATE infor_users SET enabled = 0 WHERE id = ?', $carol_id);
ok t_cmp(get_user($carol, '')->content, rest_expect($TICKET),
         'disabled user: [901]');
my @sessions = session_rows($carol_id);
ok t_cmp(scalar(@sessions), 0, 'disabled user: ticket dropped');
db_do('UPDATE infor_users SET enabled = 1 WHERE id = ?', $carol_id);
ok t_cmp(soap_get_user($carol, '')->content, soap_expect('GetUser', $TICKET),
         're-enabled user: the dropped ticket stays dead');
