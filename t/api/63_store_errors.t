# A store that fails is an error, never an answer: a statement or row
# fetch that fails gives the client "SystemError: database error" (or
# "SystemError: database unavailable" when no usable connection can be
# had), never "[901] Session expired or Invalid ticket" for a live ticket,
# never "User not found", never "[900] Authentication failed", and the
# error log one line with the driver's message.  The infor_broken virtual
# host has a SQLite file of its own, broken under the running server:
#
# 1. infor_sessions becomes a view whose every read fails while it is
#    stepped ("malformed JSON") and whose writes are refused: connections
#    still ready, every statement on it fails at run time;
# 2. then it is dropped: the statements fail, and so does readying a
#    connection again (its statements cannot be prepared).
#
# The other virtual hosts are served all along.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use InforTest;
use InforTest::Paths ();

plan tests => 21;

my $GUID    = guid_re();
my $ERR     = 'SystemError: database error';
my $UNAV    = 'SystemError: database unavailable';
my $PW      = 'se-Adm1n-pass';
my %se = (name => 'se_admin', first => 'Sam', last => 'Err',
          full => 'Sam Err', email => 'se@example.com');

sub root_fail { rest_expect(qq{<root success="false" error="$_[0]" />}) }
sub resp_fail { rest_expect(fail_resp($_[0])) }

my ($t, $err_from);
{
    local $InforTest::DB = InforTest::Paths::db_file('broken.db');
    $se{id} = add_user('se_admin', $PW, '--admin', '--first', 'Sam',
                       '--last', 'Err', '--email', 'se@example.com');
    add_user('se_other', 'se-other-pass');
}
sub broken_db {
    local $InforTest::DB = InforTest::Paths::db_file('broken.db');
    return with_db(@_);
}

Apache::TestRequest::module('infor_broken');
# One connection kept alive: one httpd child, whose last used database
# connection serves the next request too.
Apache::TestRequest::user_agent(reset => 1, keep_alive => 1);

$t = login('se_admin', $PW);
my $get_user = sub {
    rest_get('GetUser', authenticationTicket => $t, UserName => shift)
        ->content;
};
my $valid = sub {
    rest_get('isValidTicket', AuthenticationTicket => $t)->content;
};
my $other_elem = do {
    local $InforTest::DB = InforTest::Paths::db_file('broken.db');
    user_elem('se_other');
};
ok t_cmp($get_user->('se_other'),
         rest_expect(qq{<response success="true" error="">$other_elem}
                     . '</response>'),
         'before: GetUser of another user, exact answer');
my $exp = broken_db(sub { $_[0]->selectrow_array(
    'SELECT expires FROM infor_sessions WHERE ticket = ?', undef,
    key_of($t)) });
ok t_cmp($valid->(), rest_expect(valid_xml(\%se, $exp)),
         'before: isValidTicket, exact answer');

# ======================================= 1. every read of sessions fails
$err_from = errlog_mark();
broken_db(sub {
    my $dbh = shift;
    $dbh->do($_) for
        'ALTER TABLE infor_sessions RENAME TO infor_sessions_real',
        q{CREATE VIEW infor_sessions AS SELECT * FROM infor_sessions_real
          WHERE json('not json') IS NOT NULL},
        map { "CREATE TRIGGER infor_sessions_$_ INSTEAD OF $_ ON"
              . " infor_sessions BEGIN"
              . " SELECT RAISE(ABORT, 'infor_sessions is broken'); END" }
            qw(INSERT UPDATE DELETE);
});

my $requests = 0;
ok t_cmp($valid->(), root_fail($ERR),
         'isValidTicket: SystemError: database error, not [901]');
ok t_cmp($get_user->('se_other'), resp_fail($ERR),
         'GetUser of another user: SystemError, not User not found');
ok t_cmp($get_user->('nobody_at_all'), resp_fail($ERR),
         'GetUser of no user: SystemError, not User not found');
ok t_cmp(soap_call('GetUser', el('authenticationTicket', $t)
                   . el('UserName', ''))->content,
         soap_expect('GetUser', fail_resp($ERR)),
         'GetUser SOAP: SystemError');
ok t_cmp(login_answer('se_admin', $PW), root_fail($ERR),
         'AuthenticateUser: the session cannot be written: SystemError, '
         . 'not [900]');
ok t_cmp(rest_get('LogOut', AuthenticationTicket => $t)->content,
         root_fail($ERR), 'LogOut: SystemError');
$requests += 6;

# From several connections (so several children, fresh connections too):
# the same, every time.
my @many = fork_clients(8, sub {
    my @got = ($valid->(), $get_user->(''));
    return map { s/\n/\\n/gr } @got;
});
ok t_cmp([map { @$_ } @many],
         [map { s/\n/\\n/gr } map { (root_fail($ERR), resp_fail($ERR)) }
              1 .. 8],
         '8 clients at once, each isValidTicket and GetUser: all exactly '
         . 'SystemError: database error');
$requests += 16;

my @store_errors = errlog_since($err_from, qr/INFOR0001: /);
ok t_cmp(scalar @store_errors, $requests,
         'one error log line per failed request');
ok t_cmp([grep { !/\[infor:error\] .*INFOR0001: (isValidTicket|GetUser|LogOut): infor_session_get: malformed JSON$|INFOR0001: AuthenticateUser: infor_session_insert: infor_sessions is broken$/ }
               @store_errors], [],
         'each names the operation, the statement and the driver\'s message');
ok t_cmp(scalar(grep { /INFOR0001: AuthenticateUser: infor_session_insert: infor_sessions is broken$/ } @store_errors),
         1, 'the failed write of the login is logged with its message');

# The other virtual hosts are served meanwhile.
sub main_server_works {
    my $what = shift;
    Apache::TestRequest::module('default');
    my $name = "se_main_$what";
    my $id = add_user($name, 'se-main-pass');
    my $body = login_answer($name, 'se-main-pass');
    my ($tk) = $body =~ /ticket="($GUID)"/;
    my $res = rest_get('isValidTicket', AuthenticationTicket => $tk // 'x')
              ->content;
    Apache::TestRequest::module('infor_broken');
    return $res eq rest_expect(valid_xml(
        profile($id, $name, '', '', '', ''), exp_db($tk // 'x')))
        ? 'served' : "answered: $body / $res";
}
ok t_cmp(main_server_works('1'), 'served',
         'the main server logs in and checks tickets meanwhile');

# ======================================= 2. the table dropped
# The kept-alive connection's child was just served: its database
# connection is ready; the next request there meets the dropped table.
ok t_cmp($valid->(), root_fail($ERR), 'warm: still SystemError');
$err_from = errlog_mark();
broken_db(sub {
    $_[0]->do($_) for 'DROP VIEW infor_sessions',
                      'DROP TABLE infor_sessions_real';
});
ok t_cmp($valid->(), root_fail($ERR),
         'table dropped: isValidTicket on a ready connection: SystemError: '
         . 'database error, not [901]');
# That connection is now readied again on its next use, which fails too:
# no usable connection can be had ("database unavailable").
my $either = sub {
    my ($got, $make) = @_;
    return $got eq $make->($ERR) || $got eq $make->($UNAV)
        ? 'SystemError' : $got;
};
ok t_cmp($either->($get_user->('se_other'), \&resp_fail), 'SystemError',
         'table dropped: GetUser of another user: SystemError, not User '
         . 'not found');
ok t_cmp($either->($valid->(), \&root_fail), 'SystemError',
         'table dropped: isValidTicket again: SystemError');
ok t_cmp($either->(login_answer('se_admin', $PW), \&root_fail),
         'SystemError', 'table dropped: AuthenticateUser: SystemError');
@many = fork_clients(6, sub {
    my $v = $valid->();
    my $g = $get_user->('');
    return (($v eq root_fail($ERR) || $v eq root_fail($UNAV)) ? 'ok'
                                                             : "bad: $v",
            ($g eq resp_fail($ERR) || $g eq resp_fail($UNAV)) ? 'ok'
                                                             : "bad: $g");
});
ok t_cmp([map { @$_ } @many], [('ok') x 12],
         '6 clients at once: every answer a SystemError');
ok t_cmp(scalar(() = errlog_since($err_from,
             qr/INFOR0001: isValidTicket: infor_session_\w+: no such table: infor_sessions$/)),
         qr/^[1-9]/, 'the error log names the failure: no such table');
ok t_cmp(main_server_works('2'), 'served',
         'the main server is still served');

Apache::TestRequest::module('default');
Apache::TestRequest::user_agent(reset => 1);
