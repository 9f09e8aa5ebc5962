# Writers racing on PostgreSQL, which runs them in parallel: there is no
# lock of the module's (no advisory lock), so the check a change makes
# before it writes (is the name free?) may pass for several at once, and
# uniqueness comes from the unique index on the name key: CreateUser is
# INSERT ... ON CONFLICT DO NOTHING (no row inserted: "Username already
# exists"), and a rename that meets the index after a concurrent one
# committed answers the same.
# Twelve clients creating one name at once: one account, eleven
# "Username already exists", never a SystemError.  Eight users renamed
# onto one new name at once: one rename, seven "Username already exists",
# the others keep their names.  And the index's part made certain: a psql
# session holds an uncommitted row with a name while the module creates
# the same name, or renames a user onto it; the module's statement waits,
# and when the session commits it answers "Username already exists".
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use POSIX ();
use Time::HiRes ();
use InforTest;
use InforTest::Paths ();
use InforTest::Pg ();

my $CLIENTS = 12;

if (!$ENV{INFOR_TEST_PG} && $ENV{CI}) {
    plan tests => 1;
    ok t_cmp('unset', 'set', 'CI needs INFOR_TEST_PG (see 95_postgres.t)');
    exit;
}
plan tests => 16, $ENV{INFOR_TEST_PG} ? 1
    : skip_reason('no PostgreSQL cluster (see 95_postgres.t)');

Apache::TestRequest::module('infor_pg');

# Where the error log stands now: only what this file causes counts.
my $LOG = InforTest::Paths::top() . '/t/logs/error_log';
my $log_from = -s $LOG // 0;

# The first administrator, through inforadm on the cluster.
my $adm = InforTest::Paths::top() . '/mod_infor/inforadm';
open my $p, '|-', $adm, '-C', '4', '-t', 'pgsql', '-d', $ENV{INFOR_TEST_PG},
    'useradd', 'pgw_admin', '--admin' or die "inforadm: $!";
print $p "pgw-Adm1n-secret\n";
close $p or die "inforadm useradd pgw_admin failed\n";
my $admin = login('pgw_admin', 'pgw-Adm1n-secret');

# All children wait at the same moment, then create the same name.
my $start = time + 2;
my @kids;
for my $n (1 .. $CLIENTS) {
    pipe(my $r, my $w) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        close $r;
        Apache::TestRequest::user_agent(reset => 1, keep_alive => 0);
        select(undef, undef, undef, 0.05) while time < $start;
        my $body = rest_get('CreateUser', authenticationTicket => $admin,
            DomainName => '', UserName => 'pgw_Same', FirstName => "N$n",
            LastName => 'Race', EmailAddress => '', Password => '',
            ReadOnlyUser => 'false', AuthenticationSource => 'native')
            ->content;
        my ($error) = $body =~ /error="([^"]*)"/;
        print $w(($body =~ /success="true"/ ? 'created' : $error // $body),
                 "\n");
        close $w;
        POSIX::_exit(0);
    }
    close $w;
    push @kids, [$pid, $r];
}
my %answers;
for (@kids) {
    my ($pid, $r) = @$_;
    chomp(my $line = <$r> // 'no answer');
    $answers{$line}++;
    waitpid $pid, 0;
}

ok t_cmp(\%answers,
         { created => 1, 'Username already exists' => $CLIENTS - 1 },
         "$CLIENTS parallel CreateUser of one name: one account, the rest "
         . 'refused by name');
ok t_cmp(InforTest::Pg::value("SELECT COUNT(*) FROM infor_users"
                              . " WHERE name_key = 'pgw_same'"),
         1, 'one row holds the name');
ok t_cmp(InforTest::Pg::value("SELECT COUNT(*) FROM infor_audit"
                              . " WHERE target_key = 'pgw_same'"),
         1, 'one audit row: no change without its row, and no row without');
my $log = do {
    open my $fh, '<', $LOG or die "$LOG: $!";
    seek $fh, $log_from, 0;
    local $/;
    <$fh> // '';
};
ok t_cmp(scalar(() = $log =~ /CreateUser: .*infor_users_name_key/g), 0,
         'no unique-constraint failure reached the error log');

# ======================================================= a rename race
my $RENAMERS = 8;
my $OK    = '<response success="true" error="" />';
my $TAKEN = '<response success="false" error="Username already exists" />';
my %ids = map { ("pgw_r$_" => InforTest::Pg::add_user("pgw_r$_", "pgw-r$_-pass")) }
          1 .. $RENAMERS;
$log_from = -s $LOG // 0;
my @renames = fork_clients($RENAMERS, sub {
    my $n = shift;
    my @p = (UserName => "pgw_r$n", NewUserName => 'pgw_Renamed',
             NewFirstName => "R$n", NewLastName => 'Race',
             AuthenticateSource => 'native');
    my ($body, $ok, $taken);
    if ($n % 2) {    # SOAP 1.1 for half, GET for the others
        my $children = el('AuthenticationTicket', $admin);
        for (my $i = 0; $i < @p; $i += 2) {
            $children .= el($p[$i], $p[$i + 1]);
        }
        $body = soap_call('UpdateUserProfile', $children)->content;
        ($ok, $taken) = map { soap_expect('UpdateUserProfile', $_) }
                        $OK, $TAKEN;
    }
    else {
        $body = rest_get('UpdateUserProfile', authenticationTicket => $admin,
                         @p)->content;
        ($ok, $taken) = map { rest_expect($_) } $OK, $TAKEN;
    }
    return $body eq $ok ? "renamed $n" : $body eq $taken ? 'taken' : $body;
}, start => Time::HiRes::time() + 0.5);
my @said = map { $_->[0] // 'no answer' } @renames;
my %kinds;
$kinds{ s/^renamed \d+$/renamed/r }++ for @said;
ok t_cmp(\%kinds, { renamed => 1, taken => $RENAMERS - 1 },
         "$RENAMERS users renamed onto one new name at once: one rename, "
         . 'the rest exactly "Username already exists"');
my ($winner) = map { /^renamed (\d+)$/ ? $1 : () } @said;
$winner //= 0;
ok t_cmp([InforTest::Pg::rows("SELECT id, username, first_name, last_name"
                              . " FROM infor_users"
                              . " WHERE name_key = 'pgw_renamed'")],
         [[$ids{"pgw_r$winner"} // 'none', 'pgw_Renamed', "R$winner", 'Race']],
         'one row holds the new name: the one whose rename was acknowledged');
ok t_cmp([map { $_->[0] } InforTest::Pg::rows(
             "SELECT name_key FROM infor_users WHERE name_key LIKE 'pgw!_r_'"
             . " ESCAPE '!' ORDER BY id")],
         [map { "pgw_r$_" } grep { $_ != $winner } 1 .. $RENAMERS],
         'the others keep their names');
my $id_list = join ',', values %ids;
ok t_cmp(InforTest::Pg::value("SELECT COUNT(*) FROM infor_users"
                              . " WHERE id IN ($id_list)"
                              . " AND (first_name <> '' OR last_name <> '')"),
         1,
         'the refused renames changed nothing else either');
ok t_cmp([InforTest::Pg::rows("SELECT target_id, target_name FROM infor_audit"
                              . " WHERE action = 'UpdateUserProfile'"
                              . " AND target_id IN ($id_list)")],
         [[$ids{"pgw_r$winner"} // 'none', 'pgw_Renamed']],
         'one audit row, the acknowledged rename\'s');
$log = do {
    open my $fh, '<', $LOG or die "$LOG: $!";
    seek $fh, $log_from, 0;
    local $/;
    <$fh> // '';
};
ok t_cmp([$log =~ /^.*(?:INFOR0001|SystemError|infor_users_name_key).*$/mg], [],
         'no store error and no unique-constraint failure in the error log');

# ======================================================= the index decides
# The module's check (is the name free?) cannot see a row another
# transaction has not committed: only the unique index stops it.  A psql
# session holds such a row while the module's call runs in a child; the
# call waits on the index; the session commits; the call is refused.
sub held {
    my ($hold_sql, $call) = @_;
    my $psql = InforTest::Pg::session();
    print $psql "BEGIN;\n$hold_sql;\n";
    # Once psql has run both, its session is idle in the transaction.
    my $until = Time::HiRes::time() + 5;
    Time::HiRes::sleep(0.02)
        while InforTest::Pg::value("SELECT COUNT(*) FROM pg_stat_activity"
                                   . " WHERE state = 'idle in transaction'")
              < 1 && Time::HiRes::time() < $until;
    pipe(my $r, my $w) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        close $r;
        Apache::TestRequest::user_agent(reset => 1, keep_alive => 0);
        print $w $call->() =~ s/\n/\\n/gr, "\n";
        close $w;
        POSIX::_exit(0);
    }
    close $w;
    my $waited = InforTest::Pg::await_lock_waiters(1) ? 'waited' : 'no wait';
    print $psql "COMMIT;\n";
    close $psql;
    chomp(my $answer = <$r> // 'no answer');
    waitpid $pid, 0;
    return ($waited, $answer =~ s/\\n/\n/gr);
}

my %h = map { ("pgw_h$_" => InforTest::Pg::add_user("pgw_h$_", "pgw-h$_-pass")) }
        1 .. 2;
$log_from = -s $LOG // 0;
my @got = held("UPDATE infor_users SET username = 'pgw_Held',"
               . " name_key = 'pgw_held' WHERE name_key = 'pgw_h1'",
               sub { rest_get('UpdateUserProfile',
                              authenticationTicket => $admin,
                              UserName => 'pgw_h2', NewUserName => 'PGW_held',
                              NewFirstName => 'H', NewLastName => 'Two',
                              AuthenticateSource => 'native')->content });
ok t_cmp(\@got, ['waited', rest_expect($TAKEN)],
         'a rename onto a name another transaction holds uncommitted waits, '
         . 'then is refused: "Username already exists"');
ok t_cmp([InforTest::Pg::rows("SELECT id, name_key, first_name FROM"
                              . " infor_users WHERE id IN ($h{pgw_h1},"
                              . " $h{pgw_h2}) ORDER BY id")],
         [[$h{pgw_h1}, 'pgw_held', ''], [$h{pgw_h2}, 'pgw_h2', '']],
         'the session\'s rename stands; the refused one changed nothing');
ok t_cmp(InforTest::Pg::value("SELECT COUNT(*) FROM infor_audit WHERE"
                              . " target_id = $h{pgw_h2} AND action ="
                              . " 'UpdateUserProfile'"), 0,
         'the refused rename left no audit row');

@got = held("INSERT INTO infor_users (username, name_key, created, updated)"
            . " VALUES ('pgw_Pending', 'pgw_pending', 0, 0)",
            sub { soap_call('CreateUser', el('AuthenticationTicket', $admin)
                            . el('DomainName', '')
                            . el('UserName', 'pgw_PENDING')
                            . el('FirstName', 'P') . el('LastName', 'Q')
                            . el('EmailAddress', '') . el('Password', '')
                            . el('ReadOnlyUser', 'false')
                            . el('AuthenticationSource', 'native'))->content });
ok t_cmp(\@got, ['waited', soap_expect('CreateUser', $TAKEN)],
         'CreateUser of a name another transaction inserts uncommitted waits '
         . '(ON CONFLICT), then is refused: "Username already exists"');
ok t_cmp([InforTest::Pg::rows("SELECT username, first_name, created FROM"
                              . " infor_users WHERE name_key = 'pgw_pending'")],
         [['pgw_Pending', '', 0]], 'one row: the session\'s');
$log = do {
    open my $fh, '<', $LOG or die "$LOG: $!";
    seek $fh, $log_from, 0;
    local $/;
    <$fh> // '';
};
ok t_cmp([$log =~ /^.*(?:INFOR0001|SystemError).*$/mg], [],
         'neither refusal is a store error in the error log');
