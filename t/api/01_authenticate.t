# AuthenticateUser in every binding: the exact answers, what the database
# holds afterwards, the one failure message, [902], missing parameters and
# what the access log may show.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use InforTest;

plan tests => 86;

my $FAIL   = '<root success="false" error="[900] Authentication failed" />';
my $NO_TIX = '<root success="false" '
           . 'error="[902] Ticket generation not allowed" />';
my $GUID   = guid_re();
my $DAYS30 = 30 * 86400;
my $LOG    = Apache::Test::vars('t_logs') . '/access_log';



sub soap_login {
    my ($uid, $pwd) = @_;
    return soap_call('AuthenticateUser', el('UID', $uid) . el('PWD', $pwd));
}

sub whole_log { open my $fh, '<', $LOG or die "$LOG: $!"; local $/; <$fh> }

my $alice_id = add_user('au_alice', 'pw-Alice1', '--first', 'Alice',
                        '--last', 'Anders', '--email', 'alice@au.test');
my $mixed_id = add_user('au_MixedCase', 'pw-mixed', '--first', 'Max',
                        '--email', 'max@au.test');
my $nofirst_id = add_user('au_nofirst', 'pw-nofirst', '--last', 'Solo');
my $zoe_id = add_user("au_Zo\xc3\xab", 'pw-zoe', '--first', "Zo\xc3\xab");
my $esc_id = add_user('au_esc', 'pw-esc', '--first', 'Ann & "Co"',
                      '--last', "<O'Neil>", '--email', 'a&b@au.test');
my $dis_id = add_user('au_dis', 'pw-dis', '--first', 'Dis');
db_do('UPDATE infor_users SET enabled = 0 WHERE id = ?', $dis_id);
my $sysok_id = add_user('au_sysok', 'pw-sysok');
# "sysop" is the name extra.conf gives InforSysadminAccount; another file
# may have made it already, so take it over with a known password.
my $sysop_id;
if (my $row = user_row('sysop')) {
    my ($rc, undef, $e) = adm("pw-sysop\n", 'passwd', 'sysop');
    die "passwd sysop: $e" if $rc;
    $sysop_id = $row->{id};
}
else {
    $sysop_id = add_user('sysop', 'pw-sysop');
}
add_user('au_logger', 'SecretPw123');
add_user('au_log_lc', 'SecretPwLc1');
add_user('au_log_enc', 'SecretPwEnc1');
add_user('au_log_semi', 'SecretPwSemi1');

my @alice = ($alice_id, 'au_alice', 'Alice', 'Anders', 'Alice Anders',
             'alice@au.test');

# ------------------------------------------------------------- GET
my $res = rest_get('AuthenticateUser', UID => 'au_alice', PWD => 'pw-Alice1');
my $now = time;
ok t_cmp($res->code, 200, 'GET: HTTP 200');
ok t_cmp($res->header('Content-Type'), 'text/xml; charset=utf-8',
         'GET: content type');
ok t_cmp($res->content, login_rest_re(profile(@alice)), 'GET: exact answer');
my ($t_get, $exp_get) = $res->content =~ login_rest_re(profile(@alice));
$t_get //= ''; $exp_get //= '';
ok t_cmp($t_get, qr/\A$GUID\z/, 'GET: ticket is a lowercase GUID');
ok_near(epoch_of($exp_get), $now + $DAYS30, 60,
        'GET: expireOn is now + 30 days');

# --- the database afterwards
my @rows = session_rows($alice_id);
ok t_cmp(scalar @rows, 1, 'GET: one session row for the user');
my $row = $rows[0] || {};
ok t_cmp($row->{ticket}, key_of($t_get),
         'session row keyed by the SHA-1 of the ticket');
ok t_cmp($row->{ticket}, qr/\A[0-9a-f]{40}\z/, 'key is 40 lowercase hex');
ok t_cmp(scalar db_value('SELECT COUNT(*) FROM infor_sessions WHERE ticket = ?'
                  . ' OR lower(ticket) = ?', $t_get, $t_get), 0,
         'the ticket itself is stored nowhere');
ok t_cmp($row->{expires}, epoch_of($exp_get),
         'session expires equals expireOn');
ok_near($row->{created}, $now, 60, 'session created is now');
ok_near(user_row('au_alice')->{last_logon}, $now, 60,
        'infor_users.last_logon set to now');

# ------------------------------------------------------------- POST
$res = rest_post('AuthenticateUser', UID => 'au_alice', PWD => 'pw-Alice1');
ok t_cmp($res->code, 200, 'POST: HTTP 200');
ok t_cmp($res->content, login_rest_re(profile(@alice)), 'POST: exact answer');
my ($t_post, $exp_post) = $res->content =~ login_rest_re(profile(@alice));
$t_post //= '';
ok_near(epoch_of($exp_post), time + $DAYS30, 60, 'POST: expireOn');

# ------------------------------------------------------------- SOAP 1.1
$res = soap_login('au_alice', 'pw-Alice1');
ok t_cmp($res->code, 200, 'SOAP: HTTP 200');
ok t_cmp($res->header('Content-Type'), 'text/xml; charset=utf-8',
         'SOAP: content type');
my $result = soap_result('AuthenticateUser', $res->content) // '';
ok t_cmp($result, login_soap_re(profile(@alice)), 'SOAP: exact result element');
my ($t_soap, $exp_soap) = $result =~ login_soap_re(profile(@alice));
$t_soap //= ''; $exp_soap //= '';
ok t_cmp($res->content,
         soap_expect('AuthenticateUser',
                     login_xml(profile(@alice), $t_soap, $exp_soap)),
         'SOAP: whole envelope');
ok_near(epoch_of($exp_soap), time + $DAYS30, 60, 'SOAP: expireOn');

my %seen = map { $_ => 1 } grep { length } $t_get, $t_post, $t_soap;
ok t_cmp(scalar keys %seen, 3, 'a different ticket on every login');
ok t_cmp([ sort map { $_->{ticket} } session_rows($alice_id) ],
         [ sort map { key_of($_) } $t_get, $t_post, $t_soap ],
         'one session row per login, each keyed by its ticket hash');

# SOAP with a prefix and parameter elements in other letter cases.
my $prefixed = '<?xml version="1.0" encoding="utf-8"?>'
  . '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"'
  . ' xmlns:tns="http://tempuri.org/"><soap:Body><tns:AuthenticateUser>'
  . '<tns:uid>au_alice</tns:uid><tns:Pwd>pw-Alice1</tns:Pwd>'
  . '</tns:AuthenticateUser></soap:Body></soap:Envelope>';
$res = soap_raw($prefixed, action => '"http://tempuri.org/AuthenticateUser"');
ok t_cmp(soap_result('AuthenticateUser', $res->content) // $res->content,
         login_soap_re(profile(@alice)), 'SOAP prefix, uid/Pwd: success');

# ------------------------------------------------- names and letter case
$res = rest_get('AuthenticateUser', UID => 'AU_ALICE', PWD => 'pw-Alice1');
ok t_cmp($res->content, login_rest_re(profile(@alice)), 'UID matched regardless of case');
$res = rest_get('AuthenticateUser', uid => 'au_alice', pwd => 'pw-Alice1');
ok t_cmp($res->content, login_rest_re(profile(@alice)),
         'GET parameter names matched regardless of case');
my @mixed = ($mixed_id, 'au_MixedCase', 'Max', '', 'Max', 'max@au.test');
$res = rest_get('AuthenticateUser', UID => 'AU_MIXEDCASE', PWD => 'pw-mixed');
ok t_cmp($res->content, login_rest_re(profile(@mixed)),
         'username as first written; no stray space without a last name');
$res = rest_post('AuthenticateUser', UID => 'au_mixedcase', PWD => 'pw-mixed');
ok t_cmp($res->content, login_rest_re(profile(@mixed)), 'lowercase UID: same user');
$res = rest_get('AuthenticateUser', UID => 'au_nofirst', PWD => 'pw-nofirst');
ok t_cmp($res->content,
         login_rest_re(profile($nofirst_id, 'au_nofirst', '', 'Solo', 'Solo', '')),
         'no stray space without a first name');
$res = rest_get('AuthenticateUser', UID => "AU_ZO\xc3\x8b", PWD => 'pw-zoe');
ok t_cmp($res->content,
         login_rest_re(profile($zoe_id, "au_Zo\xc3\xab", "Zo\xc3\xab", '', "Zo\xc3\xab", '')),
         'non-ASCII UID matched regardless of case');
$res = rest_get('AuthenticateUser', UID => 'au_esc', PWD => 'pw-esc');
ok t_cmp($res->content,
         login_rest_re(profile($esc_id, 'au_esc', 'Ann &amp; &quot;Co&quot;',
                 '&lt;O&apos;Neil&gt;',
                 'Ann &amp; &quot;Co&quot; &lt;O&apos;Neil&gt;',
                 'a&amp;b@au.test')),
         'profile attributes XML-escaped');

# ------------------------------------------------------------ failures
my $sessions_before = session_count();
my $logon_before = user_row('au_alice')->{last_logon};
$res = rest_get('AuthenticateUser', UID => 'au_alice', PWD => 'wrong');
ok t_cmp($res->code, 200, 'failure: HTTP 200');
ok t_cmp($res->content, rest_expect($FAIL), 'GET wrong password: [900]');
$res = rest_get('AuthenticateUser', UID => 'au_alice', PWD => 'PW-ALICE1');
ok t_cmp($res->content, rest_expect($FAIL), 'password is case sensitive');
$res = rest_post('AuthenticateUser', UID => 'au_alice', PWD => 'wrong');
ok t_cmp($res->content, rest_expect($FAIL), 'POST wrong password: [900]');
$res = soap_login('au_alice', 'wrong');
ok t_cmp($res->content, soap_expect('AuthenticateUser', $FAIL),
         'SOAP wrong password: [900]');
$res = rest_get('AuthenticateUser', UID => 'au_nobody', PWD => 'pw-Alice1');
ok t_cmp($res->content, rest_expect($FAIL), 'GET unknown user: [900]');
$res = soap_login('au_nobody', 'x');
ok t_cmp($res->content, soap_expect('AuthenticateUser', $FAIL),
         'SOAP unknown user: [900]');
$res = rest_get('AuthenticateUser', UID => '', PWD => 'pw-Alice1');
ok t_cmp($res->content, rest_expect($FAIL), 'GET empty UID: [900]');
$res = rest_get('AuthenticateUser', UID => 'au_alice', PWD => '');
ok t_cmp($res->content, rest_expect($FAIL), 'GET empty PWD: [900]');
$res = rest_post('AuthenticateUser', UID => '', PWD => '');
ok t_cmp($res->content, rest_expect($FAIL), 'POST both empty: [900]');
$res = soap_call('AuthenticateUser', el('UID', 'au_alice') . '<PWD/>');
ok t_cmp($res->content, soap_expect('AuthenticateUser', $FAIL),
         'SOAP empty PWD: [900]');
$res = soap_call('AuthenticateUser', '<UID></UID>' . el('PWD', 'pw-Alice1'));
ok t_cmp($res->content, soap_expect('AuthenticateUser', $FAIL),
         'SOAP empty UID: [900]');
$res = rest_get('AuthenticateUser', UID => 'au_dis', PWD => 'pw-dis');
ok t_cmp($res->content, rest_expect($FAIL),
         'GET disabled account, right password: [900]');
$res = soap_login('AU_DIS', 'pw-dis');
ok t_cmp($res->content, soap_expect('AuthenticateUser', $FAIL),
         'SOAP disabled account: [900]');
ok t_cmp(session_count(), $sessions_before, 'no session row for failures');
ok t_cmp(n_sessions($dis_id), 0, 'disabled user has no session');
ok t_cmp(user_row('au_dis')->{last_logon}, 0,
         'failed login leaves last_logon unset');
ok t_cmp(user_row('au_alice')->{last_logon}, $logon_before,
         'wrong password leaves last_logon alone');

# ----------------------------------------------- /sys: InforSysadminAccount
my $sysop_sessions = n_sessions($sysop_id);
{
    local $InforTest::BASE = '/sys/srv.asmx';
    $res = rest_get('AuthenticateUser', UID => 'sysop', PWD => 'pw-sysop');
    ok t_cmp($res->code, 200, '/sys sysop: HTTP 200');
    ok t_cmp($res->content, rest_expect($NO_TIX),
             '/sys sysop, right password: [902]');
    $res = rest_post('AuthenticateUser', UID => 'SysOp', PWD => 'pw-sysop');
    ok t_cmp($res->content, rest_expect($NO_TIX),
             '/sys sysop in another case: [902]');
    $res = soap_login('sysop', 'pw-sysop');
    ok t_cmp($res->content, soap_expect('AuthenticateUser', $NO_TIX),
             '/sys SOAP sysop: [902]');
    $res = rest_get('AuthenticateUser', UID => 'sysop', PWD => 'wrong');
    ok t_cmp($res->content, rest_expect($FAIL),
             '/sys sysop, wrong password: [900]');
    ok t_cmp(n_sessions($sysop_id), $sysop_sessions,
             '/sys: no session for sysop');
    $res = rest_get('AuthenticateUser', UID => 'au_sysok', PWD => 'pw-sysok');
    ok t_cmp($res->content,
             login_rest_re(profile($sysok_id, 'au_sysok', '', '', '', '')),
             '/sys: another user logs in');
    $res = soap_login('au_sysok', 'pw-sysok');
    ok t_cmp(soap_result('AuthenticateUser', $res->content) // '',
             login_soap_re(profile($sysok_id, 'au_sysok', '', '', '', '')),
             '/sys: another user logs in over SOAP');
}
$res = rest_get('AuthenticateUser', UID => 'sysop', PWD => 'pw-sysop');
ok t_cmp($res->content, login_rest_re(profile($sysop_id, 'sysop', '', '', '', '')),
         'sysop logs in where no InforSysadminAccount is set');

# -------------------------------------------------- missing parameters
$sessions_before = session_count();
$res = rest_get('AuthenticateUser', PWD => 'pw-Alice1');
ok t_cmp($res->code, 400, 'GET without UID: 400');
ok t_cmp($res->header('Content-Type'), 'text/plain; charset=utf-8',
         'GET without UID: text/plain');
ok t_cmp($res->content, "Missing parameter: UID.\n",
         'GET without UID: message');
$res = rest_get('AuthenticateUser', UID => 'au_alice');
ok t_cmp([ $res->code, $res->content ], [ 400, "Missing parameter: PWD.\n" ],
         'GET without PWD: 400');
$res = rest_get('AuthenticateUser');
ok t_cmp([ $res->code, $res->content ], [ 400, "Missing parameter: UID.\n" ],
         'GET without any parameter: 400 naming UID');
$res = rest_post('AuthenticateUser', PWD => 'pw-Alice1');
ok t_cmp([ $res->code, $res->content ], [ 400, "Missing parameter: UID.\n" ],
         'POST without UID: 400');
$res = soap_call('AuthenticateUser', el('PWD', 'pw-Alice1'));
ok t_cmp($res->code, 200, 'SOAP without UID: HTTP 200');
ok t_cmp($res->content, soap_expect('AuthenticateUser', $FAIL),
         'SOAP without UID (null): [900]');
$res = soap_call('AuthenticateUser', nil('UID') . el('PWD', 'pw-Alice1'));
ok t_cmp($res->content, soap_expect('AuthenticateUser', $FAIL),
         'SOAP xsi:nil UID: [900]');
$res = soap_call('AuthenticateUser', el('UID', 'au_alice'));
ok t_cmp($res->content, soap_expect('AuthenticateUser', $FAIL),
         'SOAP without PWD: [900]');
ok t_cmp(session_count(), $sessions_before,
         'missing parameters create no session');

# --------------------------------------------------------- access log
my $mark = log_mark();
$res = rest_get('AuthenticateUser', UID => 'au_logger', PWD => 'SecretPw123');
my ($t_log) = $res->content =~ /ticket="($GUID)"/;
ok t_cmp(defined $t_log, 1, 'log: GET login with PWD=SecretPw123 succeeds');
$t_log //= 'no-ticket-----------------------------';
my @lines = log_since($mark, qr/UID=au_logger/);
my ($line) = grep { /UID=au_logger/ } @lines;
ok t_cmp($line // '',
         qr{"GET\x20/srv\.asmx/AuthenticateUser\?UID=au_logger&PWD=\*\*\*
            \x20HTTP/1\.1"\x20200\x20}x,
         'log: the login line shows PWD=***');

$mark = log_mark();
rest_get('AuthenticateUser', PWD => 'SecretPw123');
@lines = log_since($mark, qr/AuthenticateUser\?PWD=/);
($line) = grep { /AuthenticateUser\?PWD=/ } @lines;
ok t_cmp($line // '', qr{AuthenticateUser\?PWD=\*\*\* HTTP/1\.1" 400 },
         'log: a refused request masks PWD too');

my $t8 = substr($t_log, 0, 8);
$mark = log_mark();
rest_get('isValidTicket', AuthenticationTicket => $t_log);
rest_get('GetUser', authenticationTicket => $t_log, UserName => '');
@lines = log_since($mark, qr/GetUser\?/);
ok t_cmp((grep { m{isValidTicket\?AuthenticationTicket=\Q$t8\E\.\.\. } }
          @lines) ? 1 : 0, 1,
         'log: isValidTicket line shows the ticket as 8 chars + ...');
ok t_cmp((grep { m{GetUser\?authenticationTicket=\Q$t8\E\.\.\.&UserName= } }
          @lines) ? 1 : 0, 1,
         'log: GetUser line shows the ticket as 8 chars + ...');

# Other spellings the decoder accepts must be masked as well.
$mark = log_mark();
$res = Apache::TestRequest::GET(
    '/srv.asmx/AuthenticateUser?uid=au_log_lc&pwd=SecretPwLc1');
ok t_cmp($res->content, qr/success="true"/, 'log: lowercase pwd= logs in');
@lines = log_since($mark, qr/au_log_lc/);
ok t_cmp(join('', @lines) =~ /SecretPwLc1/ ? 'leaked' : 'masked', 'masked',
         'log: lowercase pwd= is masked');

$mark = log_mark();
$res = Apache::TestRequest::GET(
    '/srv.asmx/AuthenticateUser?UID=au_log_enc&%50WD=SecretPwEnc1');
ok t_cmp($res->content, qr/success="true"/,
         'log: percent-encoded name %50WD logs in');
@lines = log_since($mark, qr/au_log_enc/);
ok t_cmp(join('', @lines) =~ /SecretPwEnc1/ ? 'leaked' : 'masked', 'masked',
         'log: percent-encoded parameter name %50WD is masked');

$mark = log_mark();
$res = Apache::TestRequest::GET(
    '/srv.asmx/AuthenticateUser?UID=au_log_semi;PWD=SecretPwSemi1');
ok t_cmp($res->content, qr/success="true"/, 'log: ";" separator logs in');
@lines = log_since($mark, qr/au_log_semi/);
ok t_cmp(join('', @lines) =~ /SecretPwSemi1/ ? 'leaked' : 'masked', 'masked',
         'log: PWD after a ";" separator is masked');

my $t_odd = login('au_log_lc', 'SecretPwLc1');
$mark = log_mark();
$res = Apache::TestRequest::GET(
    "/srv.asmx/isValidTicket?Authentication%54icket=$t_odd");
ok t_cmp($res->content, qr/success="true"/,
         'log: encoded name Authentication%54icket is read');
@lines = log_since($mark, qr/isValidTicket/);
ok t_cmp(join('', @lines) =~ /\Q$t_odd\E/ ? 'leaked' : 'masked', 'masked',
         'log: ticket under a percent-encoded name is masked');
$mark = log_mark();
$res = Apache::TestRequest::GET(
    "/srv.asmx/isValidTicket?x=1;AuthenticationTicket=$t_odd");
ok t_cmp($res->content, qr/success="true"/,
         'log: ticket after a ";" separator is read');
@lines = log_since($mark, qr/isValidTicket/);
ok t_cmp(join('', @lines) =~ /\Q$t_odd\E/ ? 'leaked' : 'masked', 'masked',
         'log: ticket after a ";" separator is masked');

my $all = whole_log();
ok t_cmp($all =~ /SecretPw123/ ? 'leaked' : 'absent', 'absent',
         'log: never contains the password SecretPw123');
ok t_cmp($all =~ /\Q$t_log\E/ ? 'leaked' : 'absent', 'absent',
         'log: never contains the whole ticket');
my @after = $all =~ /\Q$t8\E(.{0,3})/g;
ok t_cmp([ grep { $_ ne '...' } @after ], [],
         'log: the ticket appears only as its first 8 chars + ...');
