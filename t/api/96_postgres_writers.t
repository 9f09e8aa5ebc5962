# Writers racing on PostgreSQL: the checks a change makes before it
# writes (is the name free?) hold until it commits, because writers are
# serialised (an advisory lock; SQLite's BEGIN IMMEDIATE does the same).
# Twelve clients creating one name at once: one account, eleven
# "Username already exists", never a SystemError.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use POSIX ();
use InforTest;
use InforTest::Paths ();
use InforTest::Pg ();

my $CLIENTS = 12;

if (!$ENV{INFOR_TEST_PG} && $ENV{CI}) {
    plan tests => 1;
    ok t_cmp('unset', 'set', 'CI needs INFOR_TEST_PG (see 95_postgres.t)');
    exit;
}
plan tests => 4, $ENV{INFOR_TEST_PG} ? 1
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
