# AuthenticateUserViaWindows decides by the identity's domain or realm
# whether it may map to an account at all (issue 8, point 4): at /win,
# InforWindowsDomains CORP EXAMPLE.COM; at /winq, only corp and no bare
# names (InforWindowsUnqualified Off).  EVIL\admin and admin@EVIL.REALM
# never reach the local admin.  Basic authentication (t/conf/extra.conf.in,
# users from InforTest::Paths) stands in for Kerberos/NTLM.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use MIME::Base64 qw(encode_base64);
use InforTest;

plan tests => 22;

my $FAIL = '<root success="false" error="[900] Authentication failed" />';

sub basic {
    my ($user, $pw) = @_;
    return (Authorization => 'Basic ' . encode_base64("$user:$pw", ''));
}
# An account another file may have made: reuse it, enabled, or make it.
sub account {
    my ($name, @opts) = @_;
    if (my $row = user_row($name)) {
        db_do('UPDATE infor_users SET enabled = 1 WHERE id = ?', $row->{id});
        return $row->{id};
    }
    return add_user($name, 'pw-not-used-86', @opts);
}
# The answer of AuthenticateUserViaWindows at $base for a Basic identity.
sub win {
    my ($base, $user, $pw, $binding) = @_;
    local $InforTest::BASE = $base;
    if (($binding // 'GET') eq 'SOAP') {
        my $res = soap_with('AuthenticateUserViaWindows', '',
                            basic($user, $pw));
        return soap_result('AuthenticateUserViaWindows', $res->content)
            // $res->content;
    }
    my $res = Apache::TestRequest::GET("$base/AuthenticateUserViaWindows",
                                       basic($user, $pw));
    return $res->code == 200 ? $res->content : 'HTTP ' . $res->code;
}
# The user id whose session a login answer's ticket opened, or ''.
sub owner_of {
    my ($body) = @_;
    my ($t) = $body =~ /ticket="([^"]+)"/ or return '';
    return db_value('SELECT user_id FROM infor_sessions WHERE ticket = ?',
                    key_of($t)) // '';
}

# The schema is made on first use: a call readies it.
rest_get('AuthenticateUser', UID => 'nobody-86', PWD => 'x');
my $admin = account('admin', '--admin');
my $dom   = account('win_dom', '--first', 'Dom');
my $krb   = account('win_krb', '--last', 'Krb');
my $wuser = account('win_user', '--first', 'Win', '--last', 'User');

my $before = session_count();
my $mark = errlog_mark();

# --- /win: CORP and EXAMPLE.COM trusted, bare names accepted (default)
ok t_cmp(win('/win/srv.asmx', 'EVIL\\admin', 'evil-pw'), rest_expect($FAIL),
         'EVIL\\admin: [900], not the local admin');
ok t_cmp(win('/win/srv.asmx', 'EVIL\\admin', 'evil-pw', 'SOAP'), $FAIL,
         'EVIL\\admin over SOAP: [900]');
ok t_cmp(win('/win/srv.asmx', 'admin@EVIL.REALM', 'evil-pw'),
         rest_expect($FAIL), 'admin@EVIL.REALM: [900]');
ok t_cmp(win('/win/srv.asmx', 'CORP\\EVIL\\admin', 'evil-pw'),
         rest_expect($FAIL), 'CORP\\EVIL\\admin (two domains): [900]');
ok t_cmp(win('/win/srv.asmx', '\\admin', 'evil-pw'), rest_expect($FAIL),
         '\\admin (empty domain): [900]');
ok t_cmp(win('/win/srv.asmx', 'CORP\\', 'evil-pw'), rest_expect($FAIL),
         'CORP\\ (empty name): [900]');
ok t_cmp(session_count(), $before, 'untrusted identities: no session row');

ok t_cmp(owner_of(win('/win/srv.asmx', 'CORP\\admin', 'corp-pw')), $admin,
         'CORP\\admin (trusted domain): logs in as admin');
ok t_cmp(owner_of(win('/win/srv.asmx', 'corp\\win_dom', 'dom-pw')), $dom,
         'corp\\win_dom: the domain matches in any case');
ok t_cmp(owner_of(win('/win/srv.asmx', 'win_krb@example.com', 'krb-pw')),
         $krb, 'win_krb@example.com: the realm matches in any case');
ok t_cmp(owner_of(win('/win/srv.asmx', 'win_krb@EXAMPLE.COM', 'krb-pw',
                      'SOAP')), $krb, 'win_krb@EXAMPLE.COM over SOAP');
ok t_cmp(owner_of(win('/win/srv.asmx', 'win_user', 'win-pw')), $wuser,
         'win_user (bare name): accepted by default');

# --- /winq: only corp, no bare names
ok t_cmp(win('/winq/srv.asmx', 'win_user', 'win-pw'), rest_expect($FAIL),
         '/winq win_user (bare name): [900]');
ok t_cmp(win('/winq/srv.asmx', 'win_user', 'win-pw', 'SOAP'), $FAIL,
         '/winq win_user over SOAP: [900]');
ok t_cmp(win('/winq/srv.asmx', 'win_krb@EXAMPLE.COM', 'krb-pw'),
         rest_expect($FAIL), '/winq win_krb@EXAMPLE.COM (not trusted here): [900]');
ok t_cmp(win('/winq/srv.asmx', 'EVIL\\admin', 'evil-pw'), rest_expect($FAIL),
         '/winq EVIL\\admin: [900]');
ok t_cmp(owner_of(win('/winq/srv.asmx', 'CORP\\win_dom', 'dom-pw')), $dom,
         '/winq CORP\\win_dom: logs in');

# --- a disabled account behind a trusted domain is still refused
db_do('UPDATE infor_users SET enabled = 0 WHERE id = ?', $dom);
ok t_cmp(win('/win/srv.asmx', 'CORP\\win_dom', 'dom-pw'), rest_expect($FAIL),
         'CORP\\win_dom disabled: [900]');
db_do('UPDATE infor_users SET enabled = 1 WHERE id = ?', $dom);

# --- the refusals are logged with the identity and the reason
my @lines = errlog_since($mark, qr/INFOR0201: auth failure/);
ok t_cmp(scalar(grep { /user "EVIL\\\\admin" from 127\.0\.0\.1: domain or realm not trusted/ } @lines) >= 3 ? 'logged' : "@lines",
         'logged', 'EVIL\\admin: logged as an untrusted domain');
ok t_cmp(scalar(grep { /user "admin\@EVIL\.REALM" from \S+: domain or realm not trusted/ } @lines),
         1, 'admin@EVIL.REALM: logged');
ok t_cmp(scalar(grep { /user "win_user" from \S+: name without a domain/ } @lines),
         2, '/winq win_user: logged as a bare name');

# --- the access log's %u shows the identity tried
my $log = Apache::Test::vars('t_logs') . '/pid_log';
open my $fh, '<', $log or die "$log: $!";
my @pid = grep { /AuthenticateUserViaWindows/ } <$fh>;
close $fh;
ok t_cmp(scalar(grep { m{ EVIL\\\\admin "GET /win/srv\.asmx/} } @pid) >= 1
             ? 'shown' : 'absent', 'shown', '%u shows EVIL\\admin');
