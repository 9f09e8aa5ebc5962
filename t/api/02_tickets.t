# isValidTicket, LogOut and the ticket check every ticketed call goes
# through: exact answers, the sliding expiry in the database, the [900] /
# [901] split, the ticket cookie, expiry, disabled users, r->user and a
# restart.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use InforTest;

plan tests => 100;

my $E901   = 'error="[901] Session expired or Invalid ticket" />';
my $T901   = qq{<root success="false" $E901};
my $R901   = qq{<response success="false" $E901};
my $R900   = '<response success="false" '
           . 'error="[900] Authentication failed" />';
my $BYE    = '<root success="true" />';
my $GUID   = guid_re();
my $DAYS30 = 30 * 86400;
my $LOG    = Apache::Test::vars('t_logs') . '/access_log';
my $UNKNOWN = '0badf00d-dead-beef-cafe-000000000001';

sub get_user {
    my ($t, $name) = @_;
    return rest_get('GetUser', authenticationTicket => $t,
                    UserName => $name // '');
}
# The head of GetUser's success answer for user id $_[0].
sub get_user_ok {
    my $head = '<response success="true" error="">'
             . qq{<User exists="true" UserID="$_[0]" };
    return qr{\A\Q$DECL$head\E};
}

sub set_contact {
    my ($t, $user, $email) = @_;
    return rest_get('UpdateUserContactInfo', authenticationTicket => $t,
                    userName => $user, emailAddress => $email,
                    mobileNumber => '1');
}

# A GET request with extra headers (a Cookie).
sub get_with {
    my ($path, @headers) = @_;
    return Apache::TestRequest::GET("/srv.asmx/$path", @headers);
}


my %tina = (name => 'tk_tina', first => 'Tina', last => 'Keller',
            full => 'Tina Keller', email => 'tina@tk.test');
$tina{id} = add_user('tk_tina', 'pw-tina', '--first', 'Tina', '--last',
                     'Keller', '--email', 'tina@tk.test');
my %bob = (name => 'tk_bob', first => 'Bob', last => '', full => 'Bob',
           email => '');
$bob{id} = add_user('tk_bob', 'pw-bob', '--first', 'Bob');
my $dis_id     = add_user('tk_dis', 'pw-dis');
my $short_id   = add_user('tk_short', 'pw-short');
my $restart_id = add_user('tk_restart', 'pw-restart', '--first', 'Rex');

# ------------------------------------------------ isValidTicket success
my $t = login('tk_tina', 'pw-tina');
my $e = exp_db($t);
my $res = rest_get('isValidTicket', AuthenticationTicket => $t);
ok t_cmp($res->code, 200, 'isValidTicket GET: HTTP 200');
ok t_cmp($res->header('Content-Type'), 'text/xml; charset=utf-8',
         'isValidTicket GET: content type');
ok t_cmp($res->content, rest_expect(valid_xml(\%tina, $e)),
         'isValidTicket GET: exact answer');
$res = rest_post('isValidTicket', AuthenticationTicket => $t);
ok t_cmp($res->content, rest_expect(valid_xml(\%tina, $e)),
         'isValidTicket POST: exact answer');
$res = soap_call('isValidTicket', el('AuthenticationTicket', $t));
ok t_cmp($res->code, 200, 'isValidTicket SOAP: HTTP 200');
ok t_cmp($res->content, soap_expect('isValidTicket', valid_xml(\%tina, $e)),
         'isValidTicket SOAP: whole envelope');
$res = soap_call('isValidTicket', el('authenticationTicket', $t));
ok t_cmp($res->content, soap_expect('isValidTicket', valid_xml(\%tina, $e)),
         'isValidTicket SOAP: element name in another case');
$res = rest_get('isValidTicket', authenticationticket => $t);
ok t_cmp($res->content, rest_expect(valid_xml(\%tina, $e)),
         'isValidTicket GET: parameter name in another case');
ok t_cmp(exp_db($t), $e, 'isValidTicket leaves the expiry alone');

# --- it does not extend even a nearly expired ticket
my $soon = time + 100;
set_exp($t, $soon);
$res = rest_get('isValidTicket', AuthenticationTicket => $t);
ok t_cmp($res->content, rest_expect(valid_xml(\%tina, $soon)),
         'isValidTicket: expireOn is the stored expiry');
ok t_cmp(exp_db($t), $soon, 'isValidTicket GET: expires unchanged');
soap_call('isValidTicket', el('AuthenticationTicket', $t));
ok t_cmp(exp_db($t), $soon, 'isValidTicket SOAP: expires unchanged');

# ------------------------------------------ other ticketed calls extend
$res = get_user($t);
ok t_cmp($res->content, get_user_ok($tina{id}), 'GetUser with the ticket');
ok_near(exp_db($t), time + $DAYS30, 60,
        'GetUser extends the expiry to now + 30 days');
my $e1 = exp_db($t);
$res = rest_get('isValidTicket', AuthenticationTicket => $t);
ok t_cmp($res->content, rest_expect(valid_xml(\%tina, $e1)),
         'isValidTicket shows the extended expiry');

# --- written at most once a minute
get_user($t);
my $e2 = exp_db($t);
get_user($t);
my $e3 = exp_db($t);
ok t_cmp([ $e2, $e3 ], [ $e1, $e1 ],
         'two GetUser calls in a row: expires not rewritten');
my $behind = time + $DAYS30 - 120;
set_exp($t, $behind);
get_user($t);
ok_near(exp_db($t), time + $DAYS30, 60,
        'two minutes behind: GetUser writes the new expiry');
$behind = time + $DAYS30 - 30;
set_exp($t, $behind);
get_user($t);
ok t_cmp(exp_db($t), $behind, 'thirty seconds behind: not rewritten');
set_exp($t, time + 100);
$res = set_contact($t, 'tk_tina', 'tina@tk.test');
ok t_cmp($res->content, rest_expect('<response success="true" error="" />'),
         'UpdateUserContactInfo with the ticket');
ok_near(exp_db($t), time + $DAYS30, 60,
        'UpdateUserContactInfo extends the expiry too');
# -------------------------------------------------------------- LogOut
for my $b (qw(GET POST SOAP)) {
    my $tl = login('tk_tina', 'pw-tina');
    my ($bye, $valid, $user, $again);
    if ($b eq 'SOAP') {
        $bye   = soap_call('LogOut', el('AuthenticationTicket', $tl))->content;
        $valid = soap_call('isValidTicket',
                           el('AuthenticationTicket', $tl))->content;
        $user  = soap_call('GetUser', el('authenticationTicket', $tl)
                           . el('UserName', ''))->content;
        $again = soap_call('LogOut', el('AuthenticationTicket', $tl))->content;
        ok t_cmp($bye, soap_expect('LogOut', $BYE), "LogOut $b: success");
        ok t_cmp(has_row($tl), 0, "LogOut $b: session row gone");
        ok t_cmp($valid, soap_expect('isValidTicket', $T901),
                 "LogOut $b: isValidTicket afterwards [901]");
        ok t_cmp($user, soap_expect('GetUser', $R901),
                 "LogOut $b: GetUser afterwards [901]");
        ok t_cmp($again, soap_expect('LogOut', $T901),
                 "LogOut $b: LogOut again [901]");
        next;
    }
    my $call = $b eq 'GET' ? \&rest_get : \&rest_post;
    $res = $call->('LogOut', AuthenticationTicket => $tl);
    ok t_cmp([ $res->code, $res->content ], [ 200, rest_expect($BYE) ],
             "LogOut $b: success");
    ok t_cmp(has_row($tl), 0, "LogOut $b: session row gone");
    $res = $call->('isValidTicket', AuthenticationTicket => $tl);
    ok t_cmp($res->content, rest_expect($T901),
             "LogOut $b: isValidTicket afterwards [901]");
    $res = $call->('GetUser', authenticationTicket => $tl, UserName => '');
    ok t_cmp($res->content, rest_expect($R901),
             "LogOut $b: GetUser afterwards [901]");
    $res = $call->('LogOut', AuthenticationTicket => $tl);
    ok t_cmp($res->content, rest_expect($T901),
             "LogOut $b: LogOut again [901]");
}
ok t_cmp(rest_get('isValidTicket', AuthenticationTicket => $t)->content,
         qr/success="true"/, 'LogOut ends only its own session');

# -------------------------------------------------------- ticket errors
for my $m (qw(LogOut isValidTicket)) {
    $res = rest_get($m, AuthenticationTicket => '');
    ok t_cmp($res->content, rest_expect($T901), "$m empty ticket: [901]");
    $res = rest_get($m);
    ok t_cmp([ $res->code, $res->content ], [ 200, rest_expect($T901) ],
             "$m without the parameter: [901]");
    $res = rest_post($m, AuthenticationTicket => 'not-a-guid');
    ok t_cmp($res->content, rest_expect($T901), "$m non-GUID: [901]");
    $res = rest_get($m, AuthenticationTicket => $UNKNOWN);
    ok t_cmp($res->content, rest_expect($T901), "$m unknown GUID: [901]");
    $res = rest_get($m, AuthenticationTicket => "$t-0");
    ok t_cmp($res->content, rest_expect($T901),
             "$m GUID with trailing text: [901]");
    $res = soap_call($m, '');
    ok t_cmp($res->content, soap_expect($m, $T901),
             "$m SOAP without the element: [901]");
    $res = soap_call($m, '<AuthenticationTicket/>');
    ok t_cmp($res->content, soap_expect($m, $T901),
             "$m SOAP empty element: [901]");
}
ok t_cmp(has_row($t), 1, 'bad LogOut calls ended nothing');

my $before = user_row('tk_tina')->{email};
for my $bad ('', 'not-a-guid') {
    my $label = $bad eq '' ? 'empty ticket' : 'non-GUID';
    $res = get_user($bad);
    ok t_cmp($res->content, rest_expect($R900), "GetUser $label: [900]");
    $res = set_contact($bad, 'tk_tina', 'x@bad');
    ok t_cmp($res->content, rest_expect($R900),
             "UpdateUserContactInfo $label: [900]");
    $res = soap_call('GetUser', el('authenticationTicket', $bad)
                     . el('UserName', ''));
    ok t_cmp($res->content, soap_expect('GetUser', $R900),
             "GetUser SOAP $label: [900]");
}
$res = soap_call('GetUser', el('UserName', ''));
ok t_cmp($res->content, soap_expect('GetUser', $R900),
         'GetUser SOAP without the ticket (null): [900]');
$res = rest_get('GetUser', UserName => '');
ok t_cmp([ $res->code, $res->content ],
         [ 400, "Missing parameter: authenticationTicket.\n" ],
         'GetUser GET without the ticket: 400');
$res = get_user($UNKNOWN);
ok t_cmp($res->content, rest_expect($R901), 'GetUser unknown GUID: [901]');
$res = set_contact($UNKNOWN, 'tk_tina', 'x@bad');
ok t_cmp($res->content, rest_expect($R901),
         'UpdateUserContactInfo unknown GUID: [901]');
ok t_cmp(user_row('tk_tina')->{email}, $before, 'bad tickets changed nothing');

# --- the ticket in capitals is the same ticket
$e = exp_db($t);
$res = rest_get('isValidTicket', AuthenticationTicket => uc $t);
ok t_cmp($res->content, rest_expect(valid_xml(\%tina, $e)),
         'isValidTicket with the ticket in capitals');
$res = get_user(uc $t);
ok t_cmp($res->content, get_user_ok($tina{id}),
         'GetUser with the ticket in capitals');
my $tu = login('tk_tina', 'pw-tina');
$res = rest_get('LogOut', AuthenticationTicket => uc $tu);
ok t_cmp($res->content, rest_expect($BYE),
         'LogOut with the ticket in capitals');
ok t_cmp(has_row($tu), 0, 'LogOut in capitals removed the session');

# ------------------------------------------------------------- cookie
my $tc = login('tk_tina', 'pw-tina');
my $tb = login('tk_bob', 'pw-bob');
my $ec = exp_db($tc);
$res = get_with('isValidTicket', Cookie => "ticket=$tc");
ok t_cmp($res->content, rest_expect(valid_xml(\%tina, $ec)),
         'isValidTicket: no parameter, ticket cookie');
$res = get_with('isValidTicket?AuthenticationTicket=', Cookie => "ticket=$tc");
ok t_cmp($res->content, rest_expect(valid_xml(\%tina, $ec)),
         'isValidTicket: empty parameter, ticket cookie');
$res = get_with('isValidTicket', Cookie => "a=1; ticket=$tc; b=2");
ok t_cmp($res->content, rest_expect(valid_xml(\%tina, $ec)),
         'isValidTicket: ticket among other cookies');
$res = get_with("isValidTicket?AuthenticationTicket=$tb",
                Cookie => "ticket=$tc");
ok t_cmp($res->content, rest_expect(valid_xml(\%bob, exp_db($tb))),
         'isValidTicket: the parameter wins over the cookie');
$res = soap_with('isValidTicket', '', Cookie => "ticket=$tc");
ok t_cmp($res->content, soap_expect('isValidTicket', valid_xml(\%tina, $ec)),
         'isValidTicket SOAP: no element, ticket cookie');
$res = get_with('isValidTicket', Cookie => 'ticket=not-a-guid');
ok t_cmp($res->content, rest_expect($T901),
         'isValidTicket: bad ticket cookie: [901]');
$res = get_with('GetUser?authenticationTicket=&UserName=',
                Cookie => "ticket=$tc");
ok t_cmp($res->content, rest_expect($R900),
         'GetUser does not read the cookie: [900]');
$res = get_with('LogOut', Cookie => "ticket=$tc");
ok t_cmp($res->content, rest_expect($BYE), 'LogOut: ticket cookie');
ok t_cmp(has_row($tc), 0, 'LogOut by cookie removed the session');
$res = get_with('isValidTicket', Cookie => "ticket=$tc");
ok t_cmp($res->content, rest_expect($T901),
         'isValidTicket: logged-out cookie ticket: [901]');
$tc = login('tk_tina', 'pw-tina');
$res = soap_with('LogOut', '', Cookie => "ticket=$tc");
ok t_cmp($res->content, soap_expect('LogOut', $BYE), 'LogOut SOAP: cookie');
ok t_cmp(has_row($tc), 0, 'LogOut SOAP by cookie removed the session');

# ------------------------------------------------------------- expiry
my @short;
{
    local $InforTest::BASE = '/short/srv.asmx';
    $res = rest_get('AuthenticateUser', UID => 'tk_short', PWD => 'pw-short');
    my ($ts, $exp) = $res->content =~ /ticket="($GUID)".*expireOn="([^"]+)"/;
    ok t_cmp($exp // '', fmt_exp(exp_db($ts // '') // 0),
             '/short: expireOn is the stored expiry');
    ok_near(exp_db($ts // ''), time + 2, 1, '/short: lifetime 2 seconds');
    push @short, $ts // '', login('tk_short', 'pw-short'),
                 login('tk_short', 'pw-short');
}
ok t_cmp(rest_get('isValidTicket', AuthenticationTicket => $short[0])
         ->content, qr/success="true"/, 'short ticket valid at first');
sleep 3;
ok t_cmp(n_sessions($short_id), 3, 'expired rows still there before use');
$res = rest_get('isValidTicket', AuthenticationTicket => $short[0]);
ok t_cmp($res->content, rest_expect($T901), 'expired: isValidTicket [901]');
ok t_cmp(has_row($short[0]), 0, 'expired: the check deleted the row');
$res = get_user($short[1]);
ok t_cmp($res->content, rest_expect($R901), 'expired: GetUser [901]');
ok t_cmp(has_row($short[1]), 0, 'expired: GetUser deleted the row');
$res = rest_get('LogOut', AuthenticationTicket => $short[2]);
ok t_cmp($res->content, rest_expect($T901), 'expired: LogOut [901]');
ok t_cmp(n_sessions($short_id), 0, 'expired: no rows left');

# ------------------------------------------------------ disabled user
my $td  = login('tk_dis', 'pw-dis');
my $td2 = login('tk_dis', 'pw-dis');
db_do('UPDATE infor_users SET enabled = 0 WHERE id = ?', $dis_id);
$res = rest_get('isValidTicket', AuthenticationTicket => $td);
ok t_cmp($res->content, rest_expect($T901),
         'disabled user: isValidTicket [901]');
ok t_cmp(has_row($td), 0, 'disabled user: session row deleted');
$res = get_user($td2);
ok t_cmp($res->content, rest_expect($R901), 'disabled user: GetUser [901]');
ok t_cmp(has_row($td2), 0, 'disabled user: second session deleted');
db_do('UPDATE infor_users SET enabled = 1 WHERE id = ?', $dis_id);
$res = rest_get('isValidTicket', AuthenticationTicket => $td);
ok t_cmp($res->content, rest_expect($T901),
         're-enabled: the dropped ticket stays dead');

# ----------------------------------------------------- r->user in the log
my $t8 = substr($t, 0, 8);
my $mark = log_mark();
get_user($t, 'tk_tina');
my ($line) = log_line($mark, qr/GetUser\?authenticationTicket=\Q$t8\E/);
ok t_cmp($line // '',
         qr{^\S+\x20\S+\x20tk_tina\x20\[[^\]]+\]\x20"GET\x20/srv\.asmx/GetUser
            \?authenticationTicket=\Q$t8\E\.\.\.&UserName=tk_tina
            \x20HTTP/1\.1"\x20200\x20\d+$}x,
         'access log: %u is the caller of GetUser');
$mark = log_mark();
rest_get('isValidTicket', AuthenticationTicket => $t);
($line) = log_line($mark, qr/isValidTicket\?AuthenticationTicket=\Q$t8\E/);
ok t_cmp($line // '', qr{^\S+ \S+ tk_tina \[},
         'access log: %u is the caller of isValidTicket');
$mark = log_mark();
get_user($UNKNOWN);
($line) = log_line($mark, qr/GetUser\?authenticationTicket=0badf00d/);
ok t_cmp($line // '', qr{^\S+ \S+ - \[},
         'access log: no user for a refused ticket');

# ------------------------------------------------ restart keeps sessions
my $tr = login('tk_restart', 'pw-restart');
my $er = exp_db($tr);
my $PID = Apache::Test::vars('t_logs') . '/httpd.pid';
sub pid_now {
    open my $fh, '<', $PID or return '';
    my $p = <$fh> // '';
    chomp $p;
    return $p;
}
my $pid_before = pid_now();
restart_server();
ok t_cmp(pid_now() ne $pid_before && pid_now() ne '' ? 'new' : 'same', 'new',
         'the server really restarted');
my %rex = (id => $restart_id, name => 'tk_restart', first => 'Rex',
           last => '', full => 'Rex', email => '');
$res = rest_get('isValidTicket', AuthenticationTicket => $tr);
ok t_cmp($res->content, rest_expect(valid_xml(\%rex, $er)),
         'after a restart: the ticket is still valid');
ok t_cmp(exp_db($tr), $er, 'after a restart: expiry unchanged');
$res = rest_get('AuthenticateUser', UID => 'tk_restart', PWD => 'pw-restart');
ok t_cmp($res->content,
         qr/\A\Q$DECL\E<root\x20success="true"\x20ticket="$GUID"
            \x20userid="$restart_id"\x20username="tk_restart"\x20/x,
         'after a restart: the user can still log in');
