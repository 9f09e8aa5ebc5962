# PostgreSQL goes away and comes back while httpd runs (the infor_pg
# virtual host, the throwaway cluster): no httpd restart is needed.
#
# While the server is down, calls with a live ticket answer a SystemError
# (never "[901] Session expired or Invalid ticket", never "[900]"), and
# the error log has the driver's message.  Once it is back, the module
# reconnects and prepares its statements again by itself: within 2s the
# calls are right again, and then a burst from parallel clients (more
# requests than there are pooled connections, several httpd children) is
# exactly right.  After a quick restart with no request in between, the
# very first calls are right: a statement that fails because its
# connection was lost is retried once on a readied connection; and so
# must be the first use of a connection opened before the restart (the
# infor_pg_idle virtual host).  A connection lost while a write runs: a
# change that is one statement may have been committed, so it is answered
# a SystemError and never run again; a transaction lost before COMMIT is
# run again.
# Skipped without PostgreSQL, a failure in CI (see 95_postgres.t).
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use POSIX ();
use Time::HiRes ();
use InforTest;
use InforTest::Pg ();

my $CLIENTS = 8;

if (!$ENV{INFOR_TEST_PG} && $ENV{CI}) {
    plan tests => 1;
    ok t_cmp('unset', 'set', 'CI needs INFOR_TEST_PG (see 95_postgres.t)');
    exit;
}
plan tests => 32, $ENV{INFOR_TEST_PG} ? 1
    : skip_reason('no PostgreSQL cluster (see 95_postgres.t)');

Apache::TestRequest::module('infor_pg');

my $OK   = '<response success="true" error="" />';
my $GUID = guid_re();
my $SYS  = qr/SystemError: database (?:error|unavailable)/;

sub pg_row { InforTest::Pg::user_row(shift) }
sub expires_of {
    InforTest::Pg::value('SELECT expires FROM infor_sessions WHERE ticket = '
                         . InforTest::Pg::lit(key_of(shift)));
}
sub profile_of {
    my $u = pg_row(shift);
    my $full = join ' ', grep { $_ ne '' } $u->{first_name}, $u->{last_name};
    return { id => $u->{id}, name => $u->{username}, first => $u->{first_name},
             last => $u->{last_name}, full => $full, email => $u->{email} };
}
sub user_ok {
    rest_expect('<response success="true" error="">'
                . user_elem_of(pg_row(shift)) . '</response>');
}
sub get_user {
    rest_get('GetUser', authenticationTicket => shift, UserName => '')
        ->content;
}

# The httpd that serves all along.
sub httpd_pid {
    open my $fh, '<', Apache::Test::vars('t_logs') . '/httpd.pid' or return 0;
    chomp(my $p = <$fh> // 0);
    return $p;
}
my $httpd = httpd_pid();

# ------------------------------------------------ accounts, tickets
InforTest::Pg::add_user('pgr_user', 'pgr-pass-1', '--first', 'Rita',
                        '--last', 'Cover', '--email', 'rita@example.com');
my %pw = map { ("pgr_c$_" => "pgr-c$_-pass") } 1 .. $CLIENTS;
InforTest::Pg::add_user($_, $pw{$_}) for sort keys %pw;
my $t = login('pgr_user', 'pgr-pass-1');
my %tickets = map { ($_ => login($_, $pw{$_})) } sort keys %pw;

ok t_cmp(get_user($t), user_ok('pgr_user'), 'GetUser works');

# A few rounds each, from parallel clients, so that several children hold
# ready connections.
sub burst {
    my ($rounds, $tag) = @_;
    my @r = fork_clients($CLIENTS, sub {
        my $n = shift;
        my $name = "pgr_c$n";
        my $tk = $tickets{$name};
        my @bad;
        for my $i (1 .. $rounds) {
            my $got = get_user($tk);
            push @bad, "GetUser: $got" unless $got eq user_ok($name);
            $got = rest_post('UpdateUserContactInfo',
                             authenticationTicket => $tk, userName => $name,
                             emailAddress => "$tag$n.$i\@example.com",
                             mobileNumber => "+3 $n $i")->content;
            push @bad, "UpdateUserContactInfo: $got"
                unless $got eq rest_expect($OK);
            $got = soap_call('GetUser', el('authenticationTicket', $tk)
                             . el('UserName', ''))->content;
            push @bad, "GetUser SOAP: $got"
                unless $got eq soap_expect('GetUser',
                    '<response success="true" error="">'
                    . user_elem_of(pg_row($name)) . '</response>');
            $got = rest_get('isValidTicket', AuthenticationTicket => $tk)
                   ->content;
            push @bad, "isValidTicket: $got"
                unless $got eq rest_expect(valid_xml(profile_of($name),
                                                     expires_of($tk)));
            $got = get_user($tk);
            push @bad, "GetUser after the update: $got"
                unless $got eq user_ok($name)
                    && $got =~ /Email="\Q$tag$n.$i\E\@example\.com" MobileNumber="\+3 $n $i"/;
        }
        return @bad ? @bad : 'ok';
    });
    return [map { @$_ } @r];
}

sub stored {
    return [map { my $u = pg_row("pgr_c$_"); "$u->{email}|$u->{mobile}" }
                1 .. $CLIENTS];
}

ok t_cmp(burst(1, 'warm'), [('ok') x $CLIENTS],
         "$CLIENTS clients, 5 requests each: all right before");

# ------------------------------------------------ a quick restart
# No request while PostgreSQL restarts: every ready connection has lost
# its session, unknown to the module until a statement fails on it.
my $err_from = errlog_mark();
InforTest::Pg::restart();
ok t_cmp(InforTest::Pg::running() ? 'running' : 'stopped', 'running',
         'PostgreSQL restarted (pg_ctl stop -m fast, start, same data)');

# The infor_pg_idle virtual host (the same cluster) served nothing so far:
# the connection each child opened when it started has never been used,
# and its session is gone.  Its first use readies it, and that must
# survive the lost session as a statement does: reconnect, ready, answer.
Apache::TestRequest::module('infor_pg_idle');
my @idle = fork_clients(6, sub {
    my $b = login_answer('pgr_user', 'pgr-pass-1');
    return $b =~ login_rest_re(profile_of('pgr_user')) ? 'ok'
                                                     : "answered: $b";
});
Apache::TestRequest::module('infor_pg');
ok t_cmp([map { @$_ } @idle], [('ok') x 6],
         'restarted: the first use of connections opened before the restart '
         . '(infor_pg_idle, 6 logins at once): all right');

ok t_cmp(burst(2, 'restart'), [('ok') x $CLIENTS],
         "restarted, no request in between: $CLIENTS clients x 10 requests "
         . 'on ready connections, the first ones too, all exactly right');
ok t_cmp(stored(), [map { "restart$_.2\@example.com|+3 $_ 2" } 1 .. $CLIENTS],
         'restarted: every update stored');
my @readied = errlog_since($err_from, qr/database connection readied again/);
ok t_cmp([grep { !/\[infor:warn\] .*database connection readied again after: (?:infor_\w+|SELECT .*?): .*(?:server closed the connection|terminating connection|no connection to the server|could not receive data)/ } @readied],
         [], 'restarted: the warnings name the statement and the driver\'s '
         . 'message');
ok t_cmp(scalar(@readied) >= 1 ? 'readied again' : 'no warning',
         'readied again',
         'restarted: connections were readied again (a warning each)');

# ------------------------------------------------ lost in mid-write
# A change that is one statement (a contact change) is its own
# transaction on PostgreSQL: when its connection is lost while it runs,
# it may have been committed, so it is answered a SystemError and never
# run again.  A change in a transaction (a rename) whose connection is
# lost before COMMIT wrote nothing: it is run again on a readied
# connection.  psql holds the user's row, the module's statement waits
# for it, and its backend is ended (pg_terminate_backend, 57P01).
InforTest::Pg::add_user('pgr_boss', 'pgr-boss-pass', '--admin');
my $lost_id = InforTest::Pg::add_user('pgr_lost', 'pgr-lost-pass',
                                      '--email', 'kept@example.com');
my $boss = login('pgr_boss', 'pgr-boss-pass');

# Runs $call in a child while psql holds pgr_lost's row; ends the backend
# that waits for it; then says whether the call waited again within $watch
# seconds (it was run again), lets the row go, and returns that and the
# answer.
sub lost_mid_write {
    my ($call, $watch) = @_;
    my $hold = InforTest::Pg::session();
    print $hold "BEGIN; SELECT 1 FROM infor_users WHERE id = $lost_id"
                . " FOR UPDATE;\n";
    my $until = Time::HiRes::time() + 5;
    Time::HiRes::sleep(0.02)
        until InforTest::Pg::value("SELECT COUNT(*) FROM pg_stat_activity"
                  . " WHERE datname = current_database()"
                  . " AND state = 'idle in transaction'"
                  . " AND query LIKE '%FOR UPDATE%'") >= 1
              || Time::HiRes::time() > $until;
    pipe(my $r, my $w) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        close $r;
        Apache::TestRequest::user_agent(reset => 1, keep_alive => 0);
        print $w $call->();
        close $w;
        POSIX::_exit(0);
    }
    close $w;
    my @out = (InforTest::Pg::await_lock_waiters(1) ? 'waited' : 'no wait');
    push @out, InforTest::Pg::value('SELECT COUNT(pg_terminate_backend(pid))'
        . ' FROM pg_stat_activity WHERE datname = current_database()'
        . " AND wait_event_type = 'Lock'") . ' ended';
    push @out, InforTest::Pg::await_lock_waiters(1, $watch) ? 'run again'
                                                            : 'not run again';
    print $hold "COMMIT;\n";
    close $hold;
    my $answer = do { local $/; <$r> };
    waitpid $pid, 0;
    return (\@out, $answer);
}

my $lost_from = errlog_mark();
my ($seen, $answer) = lost_mid_write(sub {
    rest_post('UpdateUserContactInfo', authenticationTicket => $boss,
              userName => 'pgr_lost', emailAddress => 'lost@example.com',
              mobileNumber => '1')->content;
}, 1.5);
ok t_cmp($seen, ['waited', '1 ended', 'not run again'],
         'lost in mid-write: the contact change waited, its backend was '
         . 'ended, and it was not run again');
ok t_cmp($answer, qr{\A\Q$DECL\E<response success="false" error="$SYS" />\z},
         'lost in mid-write: the contact change answers a SystemError');
ok t_cmp([pg_row('pgr_lost')->{email},
          InforTest::Pg::value("SELECT COUNT(*) FROM infor_audit WHERE"
                               . " target_id = $lost_id AND action ="
                               . " 'UpdateUserContactInfo'")],
         ['kept@example.com', 0],
         'lost in mid-write: the address as it was, no audit row');
ok t_cmp([errlog_since($lost_from, qr/INFOR0001: /)],
         [qr/INFOR0001: UpdateUserContactInfo: infor_user_update_audit: .*terminating connection due to administrator command/],
         'lost in mid-write: one error line, the statement and the driver\'s '
         . 'message');

($seen, $answer) = lost_mid_write(sub {
    rest_get('UpdateUserProfile', authenticationTicket => $boss,
             UserName => 'pgr_lost', NewUserName => 'pgr_found',
             NewFirstName => 'Fay', NewLastName => 'Ound',
             AuthenticateSource => 'native')->content;
}, 10);    # it reconnects and prepares its statements first
ok t_cmp($seen, ['waited', '1 ended', 'run again'],
         'lost before COMMIT: the rename waited, its backend was ended, and '
         . 'it was run again on a readied connection');
ok t_cmp($answer, rest_expect($OK), 'lost before COMMIT: the rename succeeds');
ok t_cmp([@{ pg_row('pgr_found') // {} }{qw(id first_name email)},
          InforTest::Pg::value("SELECT COUNT(*) FROM infor_audit WHERE"
                               . " target_id = $lost_id AND action ="
                               . " 'UpdateUserProfile'")],
         [$lost_id, 'Fay', 'kept@example.com', 1],
         'lost before COMMIT: renamed once, one audit row');
ok t_cmp(rest_post('UpdateUserContactInfo', authenticationTicket => $boss,
                   userName => 'pgr_found', emailAddress => 'found@example.com',
                   mobileNumber => '2')->content
         . pg_row('pgr_found')->{email},
         rest_expect($OK) . 'found@example.com',
         'after both: a contact change is stored');

# ------------------------------------------------ PostgreSQL stops
# Whatever happens below, the cluster runs again when this file ends (for
# the files after it; t/TEST.PL stops it at the end of the run).
my $stopped;
END {
    if ($stopped && !InforTest::Pg::running()) {
        local $?;
        eval { InforTest::Pg::start_server() };
    }
}
$err_from = errlog_mark();
$stopped = 1;
InforTest::Pg::stop_server();
ok t_cmp(InforTest::Pg::running() ? 'running' : 'stopped', 'stopped',
         'PostgreSQL stopped');

my $body = rest_get('isValidTicket', AuthenticationTicket => $t)->content;
ok t_cmp($body, qr{\A\Q$DECL\E<root success="false" error="$SYS" />\z},
         'down: isValidTicket with a live ticket: a SystemError, not [901]');
$body = get_user($t);
ok t_cmp($body, qr{\A\Q$DECL\E<response success="false" error="$SYS" />\z},
         'down: GetUser: a SystemError');
$body = soap_call('GetUser', el('authenticationTicket', $t)
                  . el('UserName', 'pgr_c1'))->content;
ok t_cmp(soap_result('GetUser', $body) // $body,
         qr{\A<response success="false" error="$SYS" />\z},
         'down: GetUser SOAP of another user: a SystemError, not User not '
         . 'found');
$body = rest_post('UpdateUserContactInfo', authenticationTicket => $t,
                  userName => 'pgr_user', emailAddress => 'down@example.com',
                  mobileNumber => '0')->content;
ok t_cmp($body, qr{\A\Q$DECL\E<response success="false" error="$SYS" />\z},
         'down: UpdateUserContactInfo: a SystemError');
ok t_cmp(login_answer('pgr_user', 'pgr-pass-1'),
         qr{\A\Q$DECL\E<root success="false" error="$SYS" />\z},
         'down: AuthenticateUser: a SystemError, not [900]');
my @down = fork_clients($CLIENTS, sub {
    my $n = shift;
    my $b = rest_get('isValidTicket',
                     AuthenticationTicket => $tickets{"pgr_c$n"})->content;
    return $b =~ m{\A\Q$DECL\E<root success="false" error="$SYS" />\z}
        ? 'SystemError' : "answered: $b";
});
ok t_cmp([map { @$_ } @down], [('SystemError') x $CLIENTS],
         "down: $CLIENTS clients at once: every one a SystemError");
# Each failed request logs one line: with the driver's message when a
# statement failed on a connection the server dropped; when mod_dbd could
# not connect at all, mod_dbd's own line before it (same thread) has it.
my @lines = errlog_since($err_from);
my @logged = grep { /INFOR0001: / } @lines;
ok t_cmp(scalar @logged, 5 + $CLIENTS,
         'down: one error log line per failed request');
my (%dbd_said, @unexplained);
my $DRIVER = qr/server closed the connection|terminating connection|could not connect|connection to server .* failed|no connection to the server/;
for (@lines) {
    my ($thread) = /\[pid (\d+:tid \d+)\]/ or next;
    if (/\[dbd:error\] .*$DRIVER/) {
        $dbd_said{$thread} = 1;
    }
    elsif (/INFOR0001: (?:isValidTicket|GetUser|UpdateUserContactInfo|AuthenticateUser): (.*)/) {
        my $what = $1;
        push @unexplained, $_
            unless $what =~ /^(?:infor_\w+|SELECT .*|SET .*): .*$DRIVER/
                || ($what =~ /^no database connection from mod_dbd/
                    && delete $dbd_said{$thread});
    }
}
ok t_cmp(\@unexplained, [],
         'down: each has the driver\'s message (PostgreSQL ended the '
         . 'connection, or could not be reached: then in mod_dbd\'s line)');

# ------------------------------------------------ PostgreSQL is back
InforTest::Pg::start_server();
my $back = Time::HiRes::time();
ok t_cmp(InforTest::Pg::running() ? 'running' : 'stopped', 'running',
         'PostgreSQL started again on the same data directory');
my $want = user_ok('pgr_user');
my $got = get_user($t);
while ($got ne $want && Time::HiRes::time() < $back + 2) {
    Time::HiRes::sleep(0.05);
    $got = get_user($t);
}
ok t_cmp($got, $want, 'back: GetUser with the same ticket right again');
ok t_cmp(Time::HiRes::time() - $back <= 2 ? 'within 2s' : 'later',
         'within 2s', 'back: within 2 seconds');
$err_from = errlog_mark();
ok t_cmp(burst(1, 'back'), [('ok') x $CLIENTS],
         "back: $CLIENTS clients, 5 requests each, all exactly right");
ok t_cmp(stored(), [map { "back$_.1\@example.com|+3 $_ 1" } 1 .. $CLIENTS],
         'back: every update stored');
ok t_cmp([errlog_since($err_from, qr/INFOR0001: /)], [],
         'back: no store error in the burst');

ok t_cmp(httpd_pid(), $httpd, 'the same httpd served all along');

Apache::TestRequest::module('default');
