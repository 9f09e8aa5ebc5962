# The other logins: AuthenticateUser1 (session language), RenewTicket
# (renewal of a live ticket, or a new one), CreateTicketforUser (the
# trusted password) and AuthenticateUserViaWindows (the user httpd
# authenticated) in every binding: the exact answers, the sessions and
# last logon in the database afterwards, the failures that create nothing.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use MIME::Base64 qw(encode_base64);
use URI::Escape qw(uri_escape);
use InforTest;

plan tests => 206;

my $FAIL    = '<root success="false" error="[900] Authentication failed" />';
my $NO_TIX  = '<root success="false" '
            . 'error="[902] Ticket generation not allowed" />';
my $BAD_FMT = '<root success="false" error="invalid ticket format" />';
my $NO_ID   = '<root success="false" '
            . 'error="[900] Authentication failed - Unauthenticated User." />';
my $T901    = '<root success="false" '
            . 'error="[901] Session expired or Invalid ticket" />';
my $GUID    = guid_re();
my $DAYS30  = 30 * 86400;
my $UNKNOWN = '0badf00d-dead-beef-cafe-00000000080a';
my $SECRET  = 'tr&st3d secret';
my $LOG     = Apache::Test::vars('t_logs') . '/access_log';
my $WIN     = '/win/srv.asmx';
# Where this file's part of the access log starts.
my $LOG_MARK = -s $LOG || 0;

# ------------------------------------------------------------ helpers

sub lang_db {
    scalar db_value('SELECT lang FROM infor_sessions WHERE ticket = ?',
                    key_of(shift));
}
sub owner_db {
    scalar db_value('SELECT user_id FROM infor_sessions WHERE ticket = ?',
                    key_of(shift));
}
sub set_lang {
    my ($t, $lang) = @_;
    db_do('UPDATE infor_sessions SET lang = ? WHERE ticket = ?', $lang,
          key_of($t));
}
sub last_logon { user_row(shift)->{last_logon} }

# This file's part of the access log, once a line matching $re is there:
# httpd writes a line after its answer has gone out, so wait a little.
sub log_text {
    my $re = shift;
    my $all = '';
    for (1 .. 50) {
        open my $fh, '<', $LOG or die "$LOG: $!";
        seek $fh, $LOG_MARK, 0;
        $all = do { local $/; <$fh> } // '';
        close $fh;
        last if $all =~ $re;
        select undef, undef, undef, 0.1;
    }
    return $all;
}



sub is_valid {
    my $t = shift;
    return rest_get('isValidTicket', AuthenticationTicket => $t)->content;
}

# A GET/POST answer checked against login_rest_re: returns (ticket, expireOn),
# both '' when the answer is something else.
sub parse_rest {
    my ($u, $body) = @_;
    my ($t, $e) = ($body // '') =~ login_rest_re($u);
    return ($t // '', $e // '');
}
sub parse_soap {
    my ($u, $method, $body) = @_;
    my ($t, $e) = (soap_result($method, $body // '') // '') =~ login_soap_re($u);
    return ($t // '', $e // '');
}

# A query string.
sub query {
    my @pairs = @_;
    my @q;
    while (my ($k, $v) = splice @pairs, 0, 2) {
        push @q, uri_escape($k) . '=' . uri_escape($v);
    }
    return join '&', @q;
}

# Requests with extra headers (Cookie, Authorization), at $InforTest::BASE.
sub get_h {
    my ($method, $pairs, @h) = @_;
    my $q = query(@$pairs);
    return Apache::TestRequest::GET("$InforTest::BASE/$method"
                                    . ($q ? "?$q" : ''), @h);
}
sub post_h {
    my ($method, $pairs, @h) = @_;
    return Apache::TestRequest::POST("$InforTest::BASE/$method", @h,
        content_type => 'application/x-www-form-urlencoded',
        content      => query(@$pairs));
}
sub basic {
    my ($user, $pw) = @_;
    return (Authorization => 'Basic ' . encode_base64("$user:$pw", ''));
}

# An account that the suite may have made already (the Basic users have
# fixed names): reuse it, enabled, or make it.
sub account {
    my ($name, $pw, @opts) = @_;
    if (my $row = user_row($name)) {
        my ($rc, undef, $e) = adm("$pw\n", 'passwd', $name);
        die "passwd $name: $e" if $rc;
        db_do('UPDATE infor_users SET enabled = 1 WHERE id = ?', $row->{id});
        return $row->{id};
    }
    return add_user($name, $pw, @opts);
}
# The expected profile of an account, from its row.
sub profile_of {
    my $name = shift;
    my $r = user_row($name) or die "no user $name";
    my $full = join ' ', grep { length } $r->{first_name}, $r->{last_name};
    return { id => $r->{id}, name => $r->{username},
             first => $r->{first_name}, last => $r->{last_name},
             full => $full, email => $r->{email} };
}

# ------------------------------------------------------------- accounts
add_user('lg_anna', 'pw-anna', '--first', 'Anna', '--last', 'Lang',
         '--email', 'anna@lg.test');
add_user('lg_ben', 'pw-ben', '--first', 'Ben');
add_user('lg_trust', 'pw-trust', '--first', 'Tru', '--last', 'Sted',
         '--email', 'trust@lg.test');
my $dis_id = add_user('lg_dis', 'pw-dis');
db_do('UPDATE infor_users SET enabled = 0 WHERE id = ?', $dis_id);
add_user('lg_late', 'pw-late');
# "sysop" is extra.conf's InforSysadminAccount at /sys; another file may
# have made it already.
account('sysop', 'pw-sysop');
account('win_user', 'pw-not-used', '--first', 'Win', '--last', 'User',
        '--email', 'win@lg.test');
account('win_dom', 'pw-not-used', '--first', 'Dom');
account('win_krb', 'pw-not-used', '--last', 'Krb');

my %anna  = %{ profile_of('lg_anna') };
my %ben   = %{ profile_of('lg_ben') };
my %trust = %{ profile_of('lg_trust') };
my %sysop = %{ profile_of('sysop') };
my %wuser = %{ profile_of('win_user') };
my %wdom  = %{ profile_of('win_dom') };
my %wkrb  = %{ profile_of('win_krb') };

my ($res, $t, $e, $before, $now);

# ==================================================== AuthenticateUser1
$now = time;
$res = rest_get('AuthenticateUser1', UID => 'lg_anna', PWD => 'pw-anna',
                Lang => 'DE');
ok t_cmp($res->code, 200, 'A1 GET: HTTP 200');
ok t_cmp($res->header('Content-Type'), 'text/xml; charset=utf-8',
         'A1 GET: content type');
ok t_cmp($res->content, login_rest_re(\%anna), 'A1 GET: exact answer');
($t, $e) = parse_rest(\%anna, $res->content);
ok_near(epoch_of($e), $now + $DAYS30, 60, 'A1 GET: expireOn now + 30 days');
ok t_cmp(exp_db($t), epoch_of($e), 'A1 GET: stored expiry is expireOn');
ok t_cmp(lang_db($t), 'de', 'A1 Lang=DE: session lang "de"');
ok t_cmp(owner_db($t), $anna{id}, 'A1 GET: session of the user');
ok_near(last_logon('lg_anna'), $now, 60, 'A1 GET: last_logon set');

$res = rest_post('AuthenticateUser1', UID => 'LG_ANNA', PWD => 'pw-anna',
                 Lang => 'xx');
ok t_cmp($res->content, login_rest_re(\%anna), 'A1 POST: exact answer');
($t) = parse_rest(\%anna, $res->content);
ok t_cmp(lang_db($t), 'en', 'A1 Lang=xx: the first InforLanguages entry');

$res = soap_call('AuthenticateUser1', el('UID', 'lg_anna')
                 . el('PWD', 'pw-anna') . el('Lang', 'Tr'));
ok t_cmp($res->code, 200, 'A1 SOAP: HTTP 200');
($t, $e) = parse_soap(\%anna, 'AuthenticateUser1', $res->content);
ok t_cmp($res->content,
         soap_expect('AuthenticateUser1', login_xml(\%anna, $t, $e)),
         'A1 SOAP: whole envelope');
ok t_cmp(lang_db($t), 'tr', 'A1 SOAP Lang=Tr: session lang "tr"');

my %lang_cases = (
    'GET Lang=nl' => sub {
        rest_get('AuthenticateUser1', UID => 'lg_anna', PWD => 'pw-anna',
                 Lang => 'nl') },
    'GET without Lang' => sub {
        rest_get('AuthenticateUser1', UID => 'lg_anna', PWD => 'pw-anna') },
    'GET Lang empty' => sub {
        rest_get('AuthenticateUser1', UID => 'lg_anna', PWD => 'pw-anna',
                 Lang => '') },
    'POST without Lang' => sub {
        rest_post('AuthenticateUser1', UID => 'lg_anna', PWD => 'pw-anna') },
    'POST Lang=FR' => sub {
        rest_post('AuthenticateUser1', UID => 'lg_anna', PWD => 'pw-anna',
                  Lang => 'FR') },
);
my %lang_want = ('GET Lang=nl' => 'nl', 'GET without Lang' => '',
                 'GET Lang empty' => '', 'POST without Lang' => '',
                 'POST Lang=FR' => 'fr');
for my $case (sort keys %lang_cases) {
    $res = $lang_cases{$case}->();
    ($t) = parse_rest(\%anna, $res->content);
    ok t_cmp($res->content, login_rest_re(\%anna), "A1 $case: exact answer");
    ok t_cmp(lang_db($t), $lang_want{$case},
             "A1 $case: session lang '$lang_want{$case}'");
}
for my $c ([ 'without Lang', '' ], [ 'empty Lang', '<Lang/>' ],
           [ 'nil Lang', nil('Lang') ]) {
    $res = soap_call('AuthenticateUser1', el('UID', 'lg_anna')
                     . el('PWD', 'pw-anna') . $c->[1]);
    ($t) = parse_soap(\%anna, 'AuthenticateUser1', $res->content);
    ok t_cmp(length $t ? lang_db($t) : 'no ticket', '',
             "A1 SOAP $c->[0]: session lang ''");
}

# --- failures
$before = session_count();
my $logon = last_logon('lg_anna');
$res = rest_get('AuthenticateUser1', UID => 'lg_anna', PWD => 'wrong',
                Lang => 'de');
ok t_cmp([ $res->code, $res->content ], [ 200, rest_expect($FAIL) ],
         'A1 GET wrong password: [900]');
$res = rest_post('AuthenticateUser1', UID => 'lg_anna', PWD => 'PW-ANNA');
ok t_cmp($res->content, rest_expect($FAIL), 'A1 POST wrong password: [900]');
$res = soap_call('AuthenticateUser1', el('UID', 'lg_anna')
                 . el('PWD', 'wrong') . el('Lang', 'de'));
ok t_cmp($res->content, soap_expect('AuthenticateUser1', $FAIL),
         'A1 SOAP wrong password: [900]');
$res = rest_get('AuthenticateUser1', UID => 'lg_nobody', PWD => 'pw-anna',
                Lang => 'de');
ok t_cmp($res->content, rest_expect($FAIL), 'A1 unknown user: [900]');
$res = rest_get('AuthenticateUser1', UID => 'lg_dis', PWD => 'pw-dis',
                Lang => 'de');
ok t_cmp($res->content, rest_expect($FAIL), 'A1 disabled user: [900]');
$res = soap_call('AuthenticateUser1', el('UID', 'lg_anna'));
ok t_cmp($res->content, soap_expect('AuthenticateUser1', $FAIL),
         'A1 SOAP without PWD: [900]');
$res = rest_get('AuthenticateUser1', PWD => 'pw-anna', Lang => 'de');
ok t_cmp([ $res->code, $res->content ], [ 400, "Missing parameter: UID.\n" ],
         'A1 GET without UID: 400');
$res = rest_post('AuthenticateUser1', UID => 'lg_anna', Lang => 'de');
ok t_cmp([ $res->code, $res->content ], [ 400, "Missing parameter: PWD.\n" ],
         'A1 POST without PWD: 400');
ok t_cmp(session_count(), $before, 'A1 failures: no session row');
ok t_cmp(last_logon('lg_anna'), $logon, 'A1 failures: last_logon unchanged');

# --- /sys: the InforSysadminAccount gets no ticket
my $sysop_n = n_sessions($sysop{id});
{
    local $InforTest::BASE = '/sys/srv.asmx';
    $res = rest_get('AuthenticateUser1', UID => 'sysop', PWD => 'pw-sysop',
                    Lang => 'de');
    ok t_cmp([ $res->code, $res->content ], [ 200, rest_expect($NO_TIX) ],
             'A1 /sys GET sysop: [902]');
    $res = rest_post('AuthenticateUser1', UID => 'SYSOP', PWD => 'pw-sysop');
    ok t_cmp($res->content, rest_expect($NO_TIX), 'A1 /sys POST SYSOP: [902]');
    $res = soap_call('AuthenticateUser1', el('UID', 'sysop')
                     . el('PWD', 'pw-sysop') . el('Lang', 'fr'));
    ok t_cmp($res->content, soap_expect('AuthenticateUser1', $NO_TIX),
             'A1 /sys SOAP sysop: [902]');
    $res = rest_get('AuthenticateUser1', UID => 'sysop', PWD => 'wrong');
    ok t_cmp($res->content, rest_expect($FAIL),
             'A1 /sys sysop, wrong password: [900]');
    $res = rest_get('AuthenticateUser1', UID => 'lg_anna', PWD => 'pw-anna',
                    Lang => 'de');
    ok t_cmp($res->content, login_rest_re(\%anna), 'A1 /sys: another user logs in');
}
ok t_cmp(n_sessions($sysop{id}), $sysop_n, 'A1 /sys: no session for sysop');

# ========================================================== RenewTicket
sub renew_get  { rest_get('RenewTicket', @_) }
sub renew_post { rest_post('RenewTicket', @_) }
sub renew_soap {
    my %a = @_;
    return soap_call('RenewTicket', join '', map { el($_, $a{$_}) }
                     grep { exists $a{$_} } qw(UID PWD Lang OldTicket));
}

# --- a live ticket of the same user: the same ticket, window reset
for my $b (qw(GET POST SOAP)) {
    my $old = login('lg_anna', 'pw-anna');
    set_exp($old, time + 100);
    my $n = n_sessions($anna{id});
    my %args = (UID => 'lg_anna', PWD => 'pw-anna', Lang => 'De',
                OldTicket => uc $old);
    $now = time;
    my ($got, $exp);
    if ($b eq 'SOAP') {
        $res = renew_soap(%args);
        ($got, $exp) = parse_soap(\%anna, 'RenewTicket', $res->content);
        ok t_cmp($res->content,
                 soap_expect('RenewTicket', login_xml(\%anna, $old, $exp)),
                 "Renew $b live ticket (in capitals): the same ticket back");
    }
    else {
        $res = $b eq 'GET' ? renew_get(%args) : renew_post(%args);
        ($got, $exp) = parse_rest(\%anna, $res->content);
        ok t_cmp($res->content,
                 rest_expect(login_xml(\%anna, $old, $exp)),
                 "Renew $b live ticket (in capitals): the same ticket back");
    }
    ok_near(exp_db($old), $now + $DAYS30, 60,
            "Renew $b: expires reset to now + 30 days");
    ok t_cmp(exp_db($old), epoch_of($exp), "Renew $b: expireOn is stored");
    ok t_cmp(lang_db($old), 'de', "Renew $b: session lang updated");
    ok t_cmp(n_sessions($anna{id}), $n, "Renew $b: no new session row");
}

# --- the language follows the call; an unknown one is the default
$t = login('lg_anna', 'pw-anna');
set_lang($t, 'fr');
$res = renew_get(UID => 'lg_anna', PWD => 'pw-anna', Lang => 'xx',
                 OldTicket => $t);
ok t_cmp((parse_rest(\%anna, $res->content))[0], $t,
         'Renew Lang=xx: same ticket');
ok t_cmp(lang_db($t), 'en', 'Renew Lang=xx: session lang "en"');
$res = renew_get(UID => 'lg_anna', PWD => 'pw-anna', Lang => '',
                 OldTicket => $t);
ok t_cmp(lang_db($t), '', 'Renew empty Lang: the profile language ("")');

# --- no old ticket: a new one
for my $c ([ 'GET without OldTicket', sub {
                 renew_get(UID => 'lg_anna', PWD => 'pw-anna', Lang => 'nl') } ],
           [ 'GET empty OldTicket', sub {
                 renew_get(UID => 'lg_anna', PWD => 'pw-anna', Lang => 'nl',
                           OldTicket => '') } ],
           [ 'POST without OldTicket', sub {
                 renew_post(UID => 'lg_anna', PWD => 'pw-anna', Lang => 'nl') } ]) {
    my $n = n_sessions($anna{id});
    $now = time;
    $res = $c->[1]->();
    my ($nt, $ne) = parse_rest(\%anna, $res->content);
    ok t_cmp($res->content, login_rest_re(\%anna), "Renew $c->[0]: exact answer");
    ok t_cmp(n_sessions($anna{id}), $n + 1, "Renew $c->[0]: a new session");
    ok t_cmp([ has_row($nt), lang_db($nt), exp_db($nt) ],
             [ 1, 'nl', epoch_of($ne) ], "Renew $c->[0]: its row");
}
{
    my $n = n_sessions($anna{id});
    $res = renew_soap(UID => 'lg_anna', PWD => 'pw-anna', Lang => 'nl');
    my ($nt, $ne) = parse_soap(\%anna, 'RenewTicket', $res->content);
    ok t_cmp($res->content,
             soap_expect('RenewTicket', login_xml(\%anna, $nt, $ne)),
             'Renew SOAP without OldTicket: whole envelope');
    ok t_cmp(n_sessions($anna{id}), $n + 1,
             'Renew SOAP without OldTicket: a new session');
    $res = soap_call('RenewTicket', el('UID', 'lg_anna')
                     . el('PWD', 'pw-anna') . nil('OldTicket'));
    ok t_cmp(soap_result('RenewTicket', $res->content) // '', login_soap_re(\%anna),
             'Renew SOAP nil OldTicket: success');
    ok t_cmp(n_sessions($anna{id}), $n + 2,
             'Renew SOAP nil OldTicket: a new session');
}

# --- the old ticket of another user: a new ticket for UID
my $tb = login('lg_ben', 'pw-ben');
my $ben_exp = time + 100;
set_exp($tb, $ben_exp);
set_lang($tb, 'tr');
for my $b (qw(GET SOAP)) {
    my %args = (UID => 'lg_anna', PWD => 'pw-anna', Lang => 'fr',
                OldTicket => $tb);
    my ($nt, $ne);
    if ($b eq 'GET') {
        $res = renew_get(%args);
        ($nt, $ne) = parse_rest(\%anna, $res->content);
        ok t_cmp($res->content, login_rest_re(\%anna),
                 "Renew $b another user's ticket: a login for UID");
    }
    else {
        $res = renew_soap(%args);
        ($nt, $ne) = parse_soap(\%anna, 'RenewTicket', $res->content);
        ok t_cmp(soap_result('RenewTicket', $res->content) // '',
                 login_soap_re(\%anna),
                 "Renew $b another user's ticket: a login for UID");
    }
    ok t_cmp($nt ne $tb && length $nt ? 'new' : 'same', 'new',
             "Renew $b another user's ticket: a new ticket");
    ok t_cmp([ owner_db($nt), lang_db($nt) ], [ $anna{id}, 'fr' ],
             "Renew $b another user's ticket: the new session is UID's");
    ok t_cmp([ owner_db($tb), exp_db($tb), lang_db($tb) ],
             [ $ben{id}, $ben_exp, 'tr' ],
             "Renew $b another user's ticket: that session untouched");
}

# --- an expired or unknown ticket: a new one
$t = login('lg_anna', 'pw-anna');
set_exp($t, time - 10);
$res = renew_get(UID => 'lg_anna', PWD => 'pw-anna', OldTicket => $t);
my ($nt) = parse_rest(\%anna, $res->content);
ok t_cmp($res->content, login_rest_re(\%anna), 'Renew expired ticket: success');
ok t_cmp($nt ne $t && length $nt ? 'new' : 'same', 'new',
         'Renew expired ticket: a new ticket');
ok t_cmp(is_valid($t), rest_expect($T901),
         'Renew expired ticket: the old one stays dead');
ok t_cmp(is_valid($nt), rest_expect(valid_xml(\%anna, exp_db($nt))),
         'Renew expired ticket: the new one is valid');
$before = session_count();
$res = renew_post(UID => 'lg_anna', PWD => 'pw-anna', OldTicket => $UNKNOWN);
($nt) = parse_rest(\%anna, $res->content);
ok t_cmp($res->content, login_rest_re(\%anna), 'Renew unknown GUID: success');
ok t_cmp([ $nt ne $UNKNOWN ? 'new' : 'same', has_row($UNKNOWN),
           owner_db($nt) ], [ 'new', 0, $anna{id} ],
         'Renew unknown GUID: a new ticket, the GUID not adopted');

# --- OldTicket that is not a GUID: refused before the credentials
$t = login('lg_anna', 'pw-anna');
$before = session_count();
$logon = last_logon('lg_anna');
$res = renew_get(UID => 'lg_anna', PWD => 'pw-anna', OldTicket => 'not-a-guid');
ok t_cmp([ $res->code, $res->content ], [ 200, rest_expect($BAD_FMT) ],
         'Renew GET not-a-guid: invalid ticket format');
$res = renew_get(UID => 'lg_anna', PWD => 'wrong', OldTicket => 'not-a-guid');
ok t_cmp($res->content, rest_expect($BAD_FMT),
         'Renew GET not-a-guid and wrong password: format checked first');
$res = renew_post(UID => 'lg_nobody', PWD => 'x', OldTicket => 'not-a-guid');
ok t_cmp($res->content, rest_expect($BAD_FMT),
         'Renew POST not-a-guid, unknown user: invalid ticket format');
$res = renew_soap(UID => 'lg_anna', PWD => 'wrong', OldTicket => 'not-a-guid');
ok t_cmp($res->content, soap_expect('RenewTicket', $BAD_FMT),
         'Renew SOAP not-a-guid and wrong password: invalid ticket format');
$res = renew_get(UID => 'lg_anna', PWD => 'pw-anna', OldTicket => "$t-0");
ok t_cmp($res->content, rest_expect($BAD_FMT),
         'Renew GUID with trailing text: invalid ticket format');
$res = renew_get(UID => 'lg_anna', PWD => 'pw-anna', OldTicket => "{$t}");
ok t_cmp($res->content, rest_expect($BAD_FMT),
         'Renew GUID in braces: invalid ticket format');

# --- a valid old ticket but the wrong password: [900], nothing renewed
my $texp = time + 100;
set_exp($t, $texp);
set_lang($t, 'nl');
$res = renew_get(UID => 'lg_anna', PWD => 'wrong', Lang => 'de',
                 OldTicket => $t);
ok t_cmp($res->content, rest_expect($FAIL),
         'Renew GET live ticket, wrong password: [900]');
$res = renew_post(UID => 'lg_anna', PWD => '', Lang => 'de', OldTicket => $t);
ok t_cmp($res->content, rest_expect($FAIL),
         'Renew POST live ticket, empty password: [900]');
$res = renew_soap(UID => 'lg_anna', PWD => 'wrong', Lang => 'de',
                  OldTicket => $t);
ok t_cmp($res->content, soap_expect('RenewTicket', $FAIL),
         'Renew SOAP live ticket, wrong password: [900]');
$res = renew_get(UID => 'lg_ben', PWD => 'pw-anna', OldTicket => $t);
ok t_cmp($res->content, rest_expect($FAIL),
         'Renew another UID with the password of the ticket owner: [900]');
ok t_cmp([ exp_db($t), lang_db($t) ], [ $texp, 'nl' ],
         'Renew failures: the old session unchanged');
ok t_cmp(session_count(), $before, 'Renew failures: no session row');
ok t_cmp(last_logon('lg_anna'), $logon, 'Renew failures: last_logon unchanged');

# --- a disabled account cannot renew its ticket
{
    my $late_id = user_row('lg_late')->{id};
    my $tl = login('lg_late', 'pw-late');
    db_do('UPDATE infor_users SET enabled = 0 WHERE id = ?', $late_id);
    my $n = session_count();
    $res = renew_get(UID => 'lg_late', PWD => 'pw-late', OldTicket => $tl);
    ok t_cmp($res->content, rest_expect($FAIL),
             'Renew disabled account: [900]');
    ok t_cmp(session_count() <= $n ? 'none' : 'created', 'none',
             'Renew disabled account: no new session');
    db_do('UPDATE infor_users SET enabled = 1 WHERE id = ?', $late_id);
}

# --- missing parameters
$res = renew_get(PWD => 'pw-anna', OldTicket => $t);
ok t_cmp([ $res->code, $res->content ], [ 400, "Missing parameter: UID.\n" ],
         'Renew GET without UID: 400');
$res = renew_post(UID => 'lg_anna');
ok t_cmp([ $res->code, $res->content ], [ 400, "Missing parameter: PWD.\n" ],
         'Renew POST without PWD: 400');
ok t_cmp([ exp_db($t), lang_db($t) ], [ $texp, 'nl' ],
         'Renew 400s: the old session unchanged');

# --- the ticket cookie
{
    my $tc = login('lg_anna', 'pw-anna');
    set_exp($tc, time + 100);
    $now = time;
    $res = get_h('RenewTicket', [ UID => 'lg_anna', PWD => 'pw-anna',
                                  Lang => 'tr' ],
                 Cookie => "ticket=$tc");
    my ($ct, $ce) = parse_rest(\%anna, $res->content);
    ok t_cmp($res->content, rest_expect(login_xml(\%anna, $tc, $ce)),
             'Renew GET no OldTicket, ticket cookie: that ticket renewed');
    ok_near(exp_db($tc), $now + $DAYS30, 60, 'Renew by cookie: expiry reset');
    ok t_cmp(lang_db($tc), 'tr', 'Renew by cookie: lang updated');

    set_exp($tc, time + 100);
    $res = post_h('RenewTicket', [ UID => 'lg_anna', PWD => 'pw-anna',
                                   OldTicket => '' ],
                  Cookie => "a=1; ticket=" . uc($tc) . "; b=2");
    ($ct, $ce) = parse_rest(\%anna, $res->content);
    ok t_cmp($res->content, rest_expect(login_xml(\%anna, $tc, $ce)),
             'Renew POST empty OldTicket, cookie among others: renewed');

    set_exp($tc, time + 100);
    $res = soap_with('RenewTicket',
                     el('UID', 'lg_anna') . el('PWD', 'pw-anna'),
                     Cookie => "ticket=$tc");
    ($ct, $ce) = parse_soap(\%anna, 'RenewTicket', $res->content);
    ok t_cmp($res->content,
             soap_expect('RenewTicket', login_xml(\%anna, $tc, $ce)),
             'Renew SOAP no OldTicket, ticket cookie: renewed');
    ok_near(exp_db($tc), time + $DAYS30, 60, 'Renew SOAP by cookie: expiry');

    my $tp = login('lg_anna', 'pw-anna');
    set_exp($tc, time + 100);
    $res = get_h('RenewTicket', [ UID => 'lg_anna', PWD => 'pw-anna',
                                  OldTicket => $tp ],
                 Cookie => "ticket=$tc");
    ($ct) = parse_rest(\%anna, $res->content);
    ok t_cmp($ct, $tp, 'Renew: OldTicket wins over the cookie');
    ok_near(exp_db($tc), time + 100, 5, 'Renew: the cookie ticket left alone');

    $res = get_h('RenewTicket', [ UID => 'lg_anna', PWD => 'wrong' ],
                 Cookie => "ticket=$tc");
    ok t_cmp($res->content, rest_expect($FAIL),
             'Renew by cookie, wrong password: [900]');
    ok_near(exp_db($tc), time + 100, 5,
            'Renew by cookie, wrong password: not renewed');
}

# --- /sys: no ticket for the sysadmin account, even with an old one
{
    local $InforTest::BASE = '/sys/srv.asmx';
    my $n = n_sessions($sysop{id});
    $res = renew_get(UID => 'sysop', PWD => 'pw-sysop', Lang => 'de');
    ok t_cmp($res->content, rest_expect($NO_TIX), 'Renew /sys sysop: [902]');
    $res = renew_soap(UID => 'sysop', PWD => 'pw-sysop');
    ok t_cmp($res->content, soap_expect('RenewTicket', $NO_TIX),
             'Renew /sys SOAP sysop: [902]');
    ok t_cmp(n_sessions($sysop{id}), $n, 'Renew /sys: no session for sysop');
}

# ================================================== CreateTicketforUser
my $CT_RE = qr{<root success="true" ticket="($GUID)" />};
{
    local $InforTest::BASE = '/trusted/srv.asmx';
    my @tix;
    $now = time;
    $res = rest_get('CreateTicketforUser', TrustedUserPwd => $SECRET,
                    UserName => 'lg_trust');
    ok t_cmp($res->code, 200, 'CT GET: HTTP 200');
    ok t_cmp($res->content, qr{\A\Q$DECL\E$CT_RE\z}, 'CT GET: exact answer');
    push @tix, $res->content =~ $CT_RE;
    ok_near(last_logon('lg_trust'), $now, 60, 'CT GET: last_logon set');

    $res = rest_post('CreateTicketforUser', TrustedUserPwd => $SECRET,
                     UserName => 'LG_TRUST');
    ok t_cmp($res->content, qr{\A\Q$DECL\E$CT_RE\z},
             'CT POST (name in capitals): exact answer');
    push @tix, $res->content =~ $CT_RE;

    $res = soap_call('CreateTicketforUser', el('TrustedUserPwd', $SECRET)
                     . el('UserName', 'lg_trust'));
    my ($st) = (soap_result('CreateTicketforUser', $res->content) // '')
               =~ /\A$CT_RE\z/;
    $st //= '';
    ok t_cmp($res->content,
             soap_expect('CreateTicketforUser',
                         qq{<root success="true" ticket="$st" />}),
             'CT SOAP: whole envelope');
    push @tix, $st;

    my %seen = map { $_ => 1 } grep { length } @tix;
    ok t_cmp(scalar keys %seen, 3, 'CT: a new ticket on every call');
    for my $i (0 .. $#tix) {
        my $tt = $tix[$i] // '';
        ok t_cmp(is_valid($tt), rest_expect(valid_xml(\%trust, exp_db($tt))),
                 "CT ticket $i: isValidTicket accepts it as lg_trust's");
        ok_near(exp_db($tt), $now + $DAYS30, 60,
                "CT ticket $i: expires now + 30 days");
    }
    ok t_cmp(lang_db($tix[0] // ''), '', 'CT: session lang ""');

    # --- failures
    $before = session_count();
    $logon = last_logon('lg_trust');
    for my $c ([ 'wrong secret', 'tr&st3d secreT', 'lg_trust' ],
               [ 'secret prefix', 'tr&st3d', 'lg_trust' ],
               [ 'secret plus a space', "$SECRET ", 'lg_trust' ],
               [ 'empty secret', '', 'lg_trust' ],
               [ 'unknown user', $SECRET, 'lg_nobody' ],
               [ 'empty user name', $SECRET, '' ],
               [ 'disabled user', $SECRET, 'lg_dis' ]) {
        $res = rest_get('CreateTicketforUser', TrustedUserPwd => $c->[1],
                        UserName => $c->[2]);
        ok t_cmp([ $res->code, $res->content ], [ 200, rest_expect($FAIL) ],
                 "CT GET $c->[0]: [900]");
    }
    $res = rest_post('CreateTicketforUser', TrustedUserPwd => 'wrong',
                     UserName => 'lg_trust');
    ok t_cmp($res->content, rest_expect($FAIL), 'CT POST wrong secret: [900]');
    $res = soap_call('CreateTicketforUser', el('TrustedUserPwd', 'wrong')
                     . el('UserName', 'lg_trust'));
    ok t_cmp($res->content, soap_expect('CreateTicketforUser', $FAIL),
             'CT SOAP wrong secret: [900]');
    $res = soap_call('CreateTicketforUser', el('UserName', 'lg_trust'));
    ok t_cmp($res->content, soap_expect('CreateTicketforUser', $FAIL),
             'CT SOAP without the secret (null): [900]');
    $res = soap_call('CreateTicketforUser', el('TrustedUserPwd', $SECRET)
                     . el('UserName', 'lg_dis'));
    ok t_cmp($res->content, soap_expect('CreateTicketforUser', $FAIL),
             'CT SOAP disabled user: [900]');
    $res = rest_get('CreateTicketforUser', UserName => 'lg_trust');
    ok t_cmp([ $res->code, $res->content ],
             [ 400, "Missing parameter: TrustedUserPwd.\n" ],
             'CT GET without TrustedUserPwd: 400');
    $res = rest_post('CreateTicketforUser', TrustedUserPwd => $SECRET);
    ok t_cmp([ $res->code, $res->content ],
             [ 400, "Missing parameter: UserName.\n" ],
             'CT POST without UserName: 400');
    ok t_cmp(session_count(), $before, 'CT failures: no session row');
    ok t_cmp(last_logon('lg_trust'), $logon,
             'CT failures: last_logon unchanged');
}

# --- where no InforTrustedUserPassword is set, nobody gets in
$before = session_count();
$res = rest_get('CreateTicketforUser', TrustedUserPwd => $SECRET,
                UserName => 'lg_trust');
ok t_cmp($res->content, rest_expect($FAIL),
         'CT /srv.asmx (no trusted password) GET: [900]');
$res = rest_post('CreateTicketforUser', TrustedUserPwd => '',
                 UserName => 'lg_trust');
ok t_cmp($res->content, rest_expect($FAIL),
         'CT /srv.asmx empty secret: [900]');
$res = soap_call('CreateTicketforUser', el('TrustedUserPwd', $SECRET)
                 . el('UserName', 'lg_trust'));
ok t_cmp($res->content, soap_expect('CreateTicketforUser', $FAIL),
         'CT /srv.asmx SOAP: [900]');
ok t_cmp(session_count(), $before, 'CT /srv.asmx: no session row');

# --- the secret never reaches the access log
{
    my $all = log_text(qr{CreateTicketforUser\?TrustedUserPwd=[^"]*"\s});
    my @lines = grep { m{/trusted/srv\.asmx/CreateTicketforUser\?} }
                split /\n/, $all;
    ok t_cmp(scalar(grep { m{\?TrustedUserPwd=\*\*\*&UserName=lg_trust } }
                    @lines) ? 1 : 0, 1,
             'CT log: the GET line shows TrustedUserPwd=***');
    ok t_cmp($all =~ /st3d/ ? 'leaked' : 'absent', 'absent',
             'CT log: the secret never appears');
}

# =========================================== AuthenticateUserViaWindows
sub win_get {
    my ($pairs, @h) = @_;
    local $InforTest::BASE = $WIN;
    return get_h('AuthenticateUserViaWindows', $pairs, @h);
}
sub win_post {
    my ($pairs, @h) = @_;
    local $InforTest::BASE = $WIN;
    return post_h('AuthenticateUserViaWindows', $pairs, @h);
}
sub win_soap {
    my ($children, @h) = @_;
    local $InforTest::BASE = $WIN;
    return soap_with('AuthenticateUserViaWindows', $children, @h);
}
my @WU = basic('win_user', 'win-pw');

# --- no httpd authentication at /srv.asmx
$before = session_count();
$res = rest_get('AuthenticateUserViaWindows');
ok t_cmp([ $res->code, $res->content ], [ 200, rest_expect($NO_ID) ],
         'Win /srv.asmx GET: unauthenticated user');
$res = rest_post('AuthenticateUserViaWindows', language => 'de',
                 oldTicket => '');
ok t_cmp($res->content, rest_expect($NO_ID),
         'Win /srv.asmx POST: unauthenticated user');
$res = soap_call('AuthenticateUserViaWindows', el('language', 'de'));
ok t_cmp($res->content, soap_expect('AuthenticateUserViaWindows', $NO_ID),
         'Win /srv.asmx SOAP: unauthenticated user');
$res = get_h('AuthenticateUserViaWindows', [], @WU);
ok t_cmp($res->content, rest_expect($NO_ID),
         'Win /srv.asmx with an unchecked Authorization header: still none');
ok t_cmp(session_count(), $before, 'Win /srv.asmx: no session row');

# --- Basic win_user:win-pw
$now = time;
$res = win_get([], @WU);
ok t_cmp($res->code, 200, 'Win GET win_user: HTTP 200');
ok t_cmp($res->content, login_rest_re(\%wuser), 'Win GET win_user: exact answer');
my ($tw, $ew) = parse_rest(\%wuser, $res->content);
ok_near(epoch_of($ew), $now + $DAYS30, 60, 'Win GET: expireOn');
ok t_cmp([ owner_db($tw), exp_db($tw), lang_db($tw) ],
         [ $wuser{id}, epoch_of($ew), '' ], 'Win GET: the session row');
ok t_cmp(is_valid($tw), rest_expect(valid_xml(\%wuser, epoch_of($ew))),
         'Win GET: the ticket works');
ok_near(last_logon('win_user'), $now, 60, 'Win GET: last_logon set');

$res = win_post([ language => 'fr', oldTicket => '' ], @WU);
ok t_cmp($res->content, login_rest_re(\%wuser), 'Win POST win_user: exact answer');
my ($tw2) = parse_rest(\%wuser, $res->content);
ok t_cmp(lang_db($tw2), 'fr', 'Win POST language=fr: session lang "fr"');
ok t_cmp($tw2 ne $tw ? 'new' : 'same', 'new', 'Win POST: a new ticket');

$res = win_soap(el('language', 'TR'), @WU);
my ($tw3, $ew3) = parse_soap(\%wuser, 'AuthenticateUserViaWindows',
                             $res->content);
ok t_cmp($res->content,
         soap_expect('AuthenticateUserViaWindows',
                     login_xml(\%wuser, $tw3, $ew3)),
         'Win SOAP win_user: whole envelope');
ok t_cmp(lang_db($tw3), 'tr', 'Win SOAP language=TR: session lang "tr"');

$res = win_get([ language => 'xx' ], @WU);
my ($tw4) = parse_rest(\%wuser, $res->content);
ok t_cmp(lang_db($tw4), 'en', 'Win language=xx: the default "en"');

# --- the domain and the realm are stripped
$res = win_get([ language => 'de' ], basic('CORP\\win_dom', 'dom-pw'));
ok t_cmp($res->content, login_rest_re(\%wdom), 'Win CORP\\win_dom: login as win_dom');
my ($td) = parse_rest(\%wdom, $res->content);
ok t_cmp([ owner_db($td), lang_db($td) ], [ $wdom{id}, 'de' ],
         'Win CORP\\win_dom: session of win_dom');
$res = win_soap('', basic('CORP\\win_dom', 'dom-pw'));
ok t_cmp(soap_result('AuthenticateUserViaWindows', $res->content) // '',
         login_soap_re(\%wdom), 'Win SOAP CORP\\win_dom: login as win_dom');
$res = win_get([], basic('win_krb@EXAMPLE.COM', 'krb-pw'));
ok t_cmp($res->content, login_rest_re(\%wkrb),
         'Win win_krb@EXAMPLE.COM: login as win_krb');
my ($tk) = parse_rest(\%wkrb, $res->content);
ok t_cmp(is_valid($tk), rest_expect(valid_xml(\%wkrb, exp_db($tk))),
         'Win win_krb: the ticket works');
$res = win_post([], basic('win_krb@EXAMPLE.COM', 'krb-pw'));
ok t_cmp($res->content, login_rest_re(\%wkrb), 'Win POST win_krb@EXAMPLE.COM');

# --- no account, disabled account, bad Basic password
$before = session_count();
$res = win_get([], basic('win_nobody', 'nobody-pw'));
ok t_cmp([ $res->code, $res->content ], [ 200, rest_expect($FAIL) ],
         'Win win_nobody (no account): [900]');
$res = win_soap(el('language', 'de'), basic('win_nobody', 'nobody-pw'));
ok t_cmp($res->content, soap_expect('AuthenticateUserViaWindows', $FAIL),
         'Win SOAP win_nobody: [900]');
db_do('UPDATE infor_users SET enabled = 0 WHERE id = ?', $wkrb{id});
$res = win_get([], basic('win_krb@EXAMPLE.COM', 'krb-pw'));
ok t_cmp($res->content, rest_expect($FAIL), 'Win disabled win_krb: [900]');
db_do('UPDATE infor_users SET enabled = 0 WHERE id = ?', $wdom{id});
$res = win_post([], basic('CORP\\win_dom', 'dom-pw'));
ok t_cmp($res->content, rest_expect($FAIL), 'Win disabled win_dom: [900]');
db_do('UPDATE infor_users SET enabled = 1 WHERE id IN (?, ?)', $wkrb{id},
      $wdom{id});
$res = win_get([], basic('win_user', 'wrong'));
ok t_cmp($res->code, 401, 'Win bad Basic password: HTTP 401 from httpd');
ok t_cmp($res->content =~ /<root/ ? 'module' : 'httpd', 'httpd',
         'Win bad Basic password: the module never answered');
$res = win_soap('', basic('win_user', 'wrong'));
ok t_cmp($res->code, 401, 'Win SOAP bad Basic password: HTTP 401');
$res = win_get([]);
ok t_cmp($res->code, 401, 'Win without credentials: HTTP 401');
ok t_cmp(session_count(), $before, 'Win failures: no session row');

# --- oldTicket
$res = win_get([ oldTicket => 'bad' ], @WU);
ok t_cmp([ $res->code, $res->content ], [ 200, rest_expect($BAD_FMT) ],
         'Win GET oldTicket=bad: invalid ticket format');
$res = win_soap(el('oldTicket', 'bad'), @WU);
ok t_cmp($res->content,
         soap_expect('AuthenticateUserViaWindows', $BAD_FMT),
         'Win SOAP oldTicket=bad: invalid ticket format');
$res = win_get([ oldTicket => 'bad' ], basic('win_nobody', 'nobody-pw'));
ok t_cmp($res->content, rest_expect($BAD_FMT),
         'Win oldTicket=bad, no account: the format is checked first');
ok t_cmp(session_count(), $before, 'Win bad oldTicket: no session row');

for my $b (qw(GET POST SOAP)) {
    set_exp($tw, time + 100);
    set_lang($tw, '');
    my $n = n_sessions($wuser{id});
    $now = time;
    my ($got, $exp);
    if ($b eq 'SOAP') {
        $res = win_soap(el('language', 'nl') . el('oldTicket', uc $tw), @WU);
        ($got, $exp) = parse_soap(\%wuser, 'AuthenticateUserViaWindows',
                                  $res->content);
        ok t_cmp($res->content,
                 soap_expect('AuthenticateUserViaWindows',
                             login_xml(\%wuser, $tw, $exp)),
                 "Win $b live oldTicket (in capitals): the same ticket");
    }
    else {
        my @a = ([ language => 'nl', oldTicket => uc $tw ], @WU);
        $res = $b eq 'GET' ? win_get(@a) : win_post(@a);
        ($got, $exp) = parse_rest(\%wuser, $res->content);
        ok t_cmp($res->content,
                 rest_expect(login_xml(\%wuser, $tw, $exp)),
                 "Win $b live oldTicket (in capitals): the same ticket");
    }
    ok_near(exp_db($tw), $now + $DAYS30, 60, "Win $b: expiry reset");
    ok t_cmp([ exp_db($tw), lang_db($tw), n_sessions($wuser{id}) ],
             [ epoch_of($exp), 'nl', $n ],
             "Win $b: expireOn stored, lang updated, no new row");
}

# The ticket cookie, when oldTicket is absent.
set_exp($tw, time + 100);
$res = win_get([], @WU, Cookie => "ticket=$tw");
my ($cw, $cew) = parse_rest(\%wuser, $res->content);
ok t_cmp($res->content, rest_expect(login_xml(\%wuser, $tw, $cew)),
         'Win no oldTicket, ticket cookie: that ticket renewed');
ok_near(exp_db($tw), time + $DAYS30, 60, 'Win by cookie: expiry reset');

# Another user's ticket, an expired one: a new ticket for win_user.
my $ta = login('lg_anna', 'pw-anna');
my $ta_exp = time + 100;
set_exp($ta, $ta_exp);
$res = win_get([ oldTicket => $ta ], @WU);
my ($wn) = parse_rest(\%wuser, $res->content);
ok t_cmp($res->content, login_rest_re(\%wuser),
         "Win another user's oldTicket: a login for win_user");
ok t_cmp([ $wn ne $ta ? 'new' : 'same', owner_db($wn) ],
         [ 'new', $wuser{id} ], "Win another user's oldTicket: a new ticket");
ok t_cmp([ owner_db($ta), exp_db($ta) ], [ $anna{id}, $ta_exp ],
         "Win another user's oldTicket: that session untouched");
set_exp($tw, time - 10);
$res = win_get([ oldTicket => $tw ], @WU);
($wn) = parse_rest(\%wuser, $res->content);
ok t_cmp([ length $wn && $wn ne $tw ? 'new' : 'same', is_valid($tw) ],
         [ 'new', rest_expect($T901) ],
         'Win expired oldTicket: a new ticket, the old one stays dead');

# ------------------------------------------------------- the access log
{
    my $tl = login('lg_anna', 'pw-anna');
    my $t8 = substr($tl, 0, 8);
    renew_get(UID => 'lg_anna', PWD => 'pw-anna', Lang => 'de',
              OldTicket => $tl);
    win_get([ language => 'de', oldTicket => $tl ], @WU);
    my $all = log_text(qr{AuthenticateUserViaWindows\?language=de&oldTicket=
                          \Q$t8\E\.\.\.\x20HTTP}x);
    ok t_cmp($all, qr{"GET\x20/srv\.asmx/RenewTicket\?UID=lg_anna&PWD=\*\*\*
                      &Lang=de&OldTicket=\Q$t8\E\.\.\.\x20HTTP/1\.1"\x20200\x20}x,
             'log: RenewTicket shows PWD=*** and OldTicket as 8 chars + ...');
    ok t_cmp($all, qr{\x20win_user\x20\[[^\]]+\]\x20"GET\x20/win/srv\.asmx/
                      AuthenticateUserViaWindows\?language=de&oldTicket=
                      \Q$t8\E\.\.\.\x20HTTP/1\.1"\x20200\x20}x,
             'log: AuthenticateUserViaWindows shows oldTicket as 8 chars + ...');
    ok t_cmp([ $all =~ /pw-anna/ ? 'leaked' : 'absent',
               $all =~ /\Q$tl\E/ ? 'leaked' : 'absent' ],
             [ 'absent', 'absent' ],
             'log: neither the password nor a whole old ticket appears');
}
