# Throttled, logged guessing (issue 8, point 5), on the infor_throttle
# virtual host: InforLoginThrottle 3 8 60s (3 failures per account and
# address, 8 per address, in a minute), the client address taken from
# X-Forwarded-For (mod_remoteip) so the test can play several clients.
# Held-back logins are answered [900] without a password check, for 1 s,
# then 2 s, ...; the real user at another address is never held back.
# Every refusal is one NOTICE line that conf/fail2ban-infor.conf reads:
# fail2ban-regex runs on the lines this test made.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use File::Temp qw(tempfile);
use Time::HiRes qw(sleep);
use URI::Escape qw(uri_escape);
use InforTest;

plan tests => 36;

my $FAIL  = rest_expect('<root success="false" '
                        . 'error="[900] Authentication failed" />');
my $CODE  = rest_expect('<root success="false" '
                        . 'error="Invalid or expired reset code" />');
my $OK_RE = qr{<root success="true" ticket="};

# Addresses: the attacker, the real user, an address trying many
# accounts, a trusted-password guesser, a reset-code guesser, odd names.
my ($A, $U, $B, $D, $E, $F) = map { "10.0.1.$_" } 1 .. 6;

# GET $method on the throttled host from address $ip; the answer's body.
sub from {
    my ($ip, $method, @pairs) = @_;
    my @kv;
    while (my ($k, $v) = splice @pairs, 0, 2) {
        push @kv, uri_escape($k) . '=' . uri_escape($v);
    }
    my $res = Apache::TestRequest::GET("$InforTest::BASE/$method?"
                                       . join('&', @kv),
                                       'X-Forwarded-For' => $ip);
    return $res->content;
}
sub auth { my ($ip, $u, $p) = @_; from($ip, 'AuthenticateUser', UID => $u, PWD => $p) }

add_user('th_anna', 'th-anna-pw1');
add_user('th_ben', 'th-ben-pw1');

Apache::TestRequest::module('infor_throttle');
my $emark = errlog_mark();
my $amark = log_mark();
my @expect;    # the addresses of the refusals logged, in order

# --- one account from one address: held after 3 failures
push @expect, ($A) x 2;
ok t_cmp(auth($A, 'th_anna', 'guess-1'), $FAIL, 'A: 1st wrong password');
ok t_cmp(auth($A, 'th_anna', 'guess-2'), $FAIL, 'A: 2nd wrong password');
ok t_cmp(auth($A, 'th_anna', 'th-anna-pw1'), $OK_RE,
         'A: right password after 2 failures: in (the pair starts afresh)');
push @expect, ($A) x 4;
ok t_cmp(auth($A, 'th_anna', "guess-$_"), $FAIL, "A: wrong password $_")
    for 3 .. 5;
ok t_cmp(auth($A, 'th_anna', 'th-anna-pw1'), $FAIL,
         'A: right password while held: [900], the answer to a wrong one');

# The real user elsewhere, and another account from A, are not held.
ok t_cmp(auth($U, 'th_anna', 'th-anna-pw1'), $OK_RE,
         'U: the real user at another address logs in');
ok t_cmp(auth($A, 'TH_BEN', 'th-ben-pw1'), $OK_RE,
         'A: another account from the held address logs in');

# The hold grows: 1 s, then 2 s after the next failure.
sleep 1.2;
push @expect, ($A) x 2;
ok t_cmp(auth($A, 'th_anna', 'guess-6'), $FAIL,
         'A: hold over, a wrong password: held again, for 2 s');
sleep 1.1;
ok t_cmp(auth($A, 'th_anna', 'th-anna-pw1'), $FAIL,
         'A: 1.1 s later, the right password is still held back');
sleep 1.1;
ok t_cmp(auth($A, 'th_anna', 'th-anna-pw1'), $OK_RE,
         'A: after the 2 s hold, the right password logs in');

# --- one address, many accounts: held after 8 failures
push @expect, ($B) x 9;
ok t_cmp(join('', map { auth($B, "th_nobody_$_", 'x') eq $FAIL ? 1 : 0 }
                  1 .. 8), '11111111', 'B: 8 unknown accounts: [900] each');
ok t_cmp(auth($B, 'th_ben', 'th-ben-pw1'), $FAIL,
         'B: held, even for an account it never tried');
ok t_cmp(auth($U, 'th_ben', 'th-ben-pw1'), $OK_RE,
         'U: th_ben from another address logs in');

# --- SOAP counts as GET does (one failure from U: not held)
{
    my $res = Apache::TestRequest::POST("$InforTest::BASE",
        'X-Forwarded-For' => $U,
        content_type => 'text/xml; charset=utf-8',
        SOAPAction => '"http://tempuri.org/AuthenticateUser"',
        content => envelope('AuthenticateUser',
                            el('UID', 'th_ben') . el('PWD', 'soap-guess')));
    push @expect, $U;
    ok t_cmp(soap_result('AuthenticateUser', $res->content),
             '<root success="false" error="[900] Authentication failed" />',
             'U: SOAP wrong password: [900]');
}

# --- the trusted password of CreateTicketforUser
{
    local $InforTest::BASE = '/trusted/srv.asmx';
    push @expect, ($D) x 4;
    ok t_cmp(join('', map { from($D, 'CreateTicketforUser',
                                 TrustedUserPwd => "guess$_",
                                 UserName => 'th_ben') eq $FAIL ? 1 : 0 }
                      1 .. 3), '111', 'D: 3 wrong trusted passwords');
    ok t_cmp(from($D, 'CreateTicketforUser', TrustedUserPwd => 'tr&st3d secret',
                  UserName => 'th_ben'), $FAIL,
             'D: the right trusted password while held: [900]');
    ok t_cmp(from($U, 'CreateTicketforUser', TrustedUserPwd => 'tr&st3d secret',
                  UserName => 'th_ben'), qr{<root success="true" ticket="},
             'U: the right trusted password from elsewhere works');
}

# --- reset codes
push @expect, ($E) x 4;
ok t_cmp(join('', map { from($E, 'ChangePasswordUsingSecretText',
                             userName => 'th_ben',
                             secretText => "0badf00d-dead-beef-cafe-00000000000$_",
                             newPassword => 'th-ben-new-1') eq $CODE ? 1 : 0 }
                  1 .. 3), '111', 'E: 3 wrong reset codes');
ok t_cmp(from($E, 'ChangePasswordUsingSecretText', userName => 'th_ben',
              secretText => '0badf00d-dead-beef-cafe-000000000009',
              newPassword => 'th-ben-new-1'), $CODE,
         'E: held: the wrong-code answer, nothing checked');

# --- a name that tries to forge the log line
my $evil = qq{ev"il\\ from 6.6.6.6: x};
push @expect, $F;
ok t_cmp(auth($F, $evil, 'pw'), $FAIL, 'F: a name with " and \\: [900]');

# ------------------------------------------------------------ the logs
my @lines;
for (1 .. 20) {    # the last lines may still be on their way
    @lines = errlog_since($emark, qr/INFOR0201: /);
    last if @lines >= @expect;
    sleep 0.1;
}
ok t_cmp(scalar @lines, scalar @expect,
         'one INFOR0201 line per refused login');
ok t_cmp(scalar(grep { /\[infor:notice\]/ } @lines), scalar @lines,
         'all at level notice');
ok t_cmp((grep { /INFOR0201: auth failure: user "th_anna" from 10\.0\.1\.1: wrong password$/ } @lines) == 6 ? 'yes' : 'no',
         'yes', 'A: "user "th_anna" from 10.0.1.1: wrong password" x 6');
ok t_cmp(scalar(grep { /user "th_anna" from 10\.0\.1\.1: throttled, held [12] s more \(password not checked\)$/ } @lines),
         2, 'A: the held attempts logged as throttled');
ok t_cmp(scalar(grep { /user "th_nobody_\d" from 10\.0\.1\.3: unknown user$/ } @lines),
         8, 'B: unknown users logged');
ok t_cmp(scalar(grep { /user "th_ben" from 10\.0\.1\.4: wrong trusted password$/ } @lines),
         3, 'D: wrong trusted passwords logged');
ok t_cmp(scalar(grep { /user "th_ben" from 10\.0\.1\.5: wrong reset code$/ } @lines),
         3, 'E: wrong reset codes logged');
ok t_cmp(scalar(grep { /user "ev%22il\\\\ from 6\.6\.6\.6: x" from 10\.0\.1\.6: unknown user$/ } @lines),
         1, 'F: the name escaped, the real address after it');
my $all = join '', @lines;
ok t_cmp(join(',', grep { index($all, $_) >= 0 }
                  qw(guess-1 guess-6 th-anna-pw1 th-ben-pw1 soap-guess
                     st3d)), '', 'no password appears in the error log');

# fail2ban's own tool on those lines: every one matched, with the
# client's address (never the one forged in a name).
my ($fh, $file) = tempfile('infor-f2b-XXXXXX', TMPDIR => 1, UNLINK => 1);
print $fh @lines, errlog_since($emark, qr/INFOR0002|INFOR0003/);
close $fh;
my $filter = InforTest::Paths::top() . '/conf/fail2ban-infor.conf';
my @ips = `fail2ban-regex -o ip '$file' '$filter' 2>&1`;
chomp @ips;
ok t_cmp(scalar @ips, scalar @expect, 'fail2ban-regex: every line matched');
ok t_cmp(join(' ', @ips), join(' ', @expect),
         'fail2ban-regex: the right address for each');
my $summary = `fail2ban-regex '$file' '$filter' 2>&1`;
ok t_cmp($summary, qr/^Failregex: ${\ scalar @expect} total/m,
         'fail2ban-regex: its summary agrees');

# The access log's %u shows the name tried on a failed login.
my $line = log_line($amark, qr{AuthenticateUser\?UID=th_nobody_1&});
ok t_cmp($line // '', qr{\sth_nobody_1\s\[},
         '%u shows the name tried on a failure');
ok t_cmp(($line // '') =~ /PWD=x\b/ ? 'leaked' : 'masked', 'masked',
         'the access log line has no password');

Apache::TestRequest::module('default');
