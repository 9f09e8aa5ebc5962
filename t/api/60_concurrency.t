# Several clients at once: logins (write transactions) and updates from
# parallel connections, served by several httpd processes and threads,
# all succeed against the one SQLite file (WAL, busy timeout).
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use InforTest;
use POSIX ();

my $CLIENTS = 8;
my $ROUNDS  = 15;
plan tests => 5;

# Connections are readied (schema check, prepares) once each, not per
# request: count the module's notes about it while the clients run.
my $ERRLOG = Apache::Test::vars('t_logs') . '/error_log';
my $log_from = -s $ERRLOG // 0;

my @ids = map { add_user("cc_user$_", "pw$_") } 1 .. $CLIENTS;

my @pids;
for my $n (1 .. $CLIENTS) {
    pipe(my $r, my $w) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        close $r;
        Apache::TestRequest::user_agent(reset => 1, keep_alive => 0);
        my $bad = 0;
        for my $i (1 .. $ROUNDS) {
            my $t = eval { login("cc_user$n", "pw$n") };
            if (!$t) { $bad++; next }
            my $b = rest_get('UpdateUserContactInfo',
                authenticationTicket => $t, userName => "cc_user$n",
                emailAddress => "u$n.$i\@x", mobileNumber => "$i")->content;
            $bad++ unless $b eq rest_expect(
                '<response success="true" error="" />');
            $b = rest_get('GetUser', authenticationTicket => $t,
                          UserName => '')->content;
            $bad++ unless $b =~ /Email="u$n\.$i\@x" MobileNumber="$i"/;
            $b = rest_get('LogOut', AuthenticationTicket => $t)->content;
            $bad++ unless $b eq rest_expect('<root success="true" />');
        }
        print $w "$bad\n";
        close $w;
        POSIX::_exit(0);
    }
    close $w;
    push @pids, [$pid, $r];
}
my $failures = 0;
for (@pids) {
    my ($pid, $r) = @$_;
    my $line = <$r>;
    $failures += defined $line ? $line : 1000;
    waitpid $pid, 0;
}
ok t_cmp($failures, 0, "$CLIENTS clients x $ROUNDS rounds: every answer right");

my @emails = map { user_row("cc_user$_")->{email} } 1 .. $CLIENTS;
ok t_cmp(\@emails, [map { "u$_.$ROUNDS\@x" } 1 .. $CLIENTS],
         'each user holds its last write');
ok t_cmp(db_value('SELECT COUNT(*) FROM infor_sessions WHERE user_id IN ('
                  . join(',', @ids) . ')'), 0,
         'every session logged out');

# 8 x 15 x 4 requests; at most one readying per worker thread of the test
# server (MaxRequestWorkers 16 in extra.conf.in), however many requests.
my $readied = do {
    open my $fh, '<', $ERRLOG or die "$ERRLOG: $!";
    seek $fh, $log_from, 0;
    scalar grep { /readied a database connection/ } <$fh>;
};
ok t_cmp($readied <= 16 ? 'per connection' : "$readied times",
         'per connection',
         'schema checked and statements prepared per connection, not per '
         . 'request');
ok t_cmp(db_value('PRAGMA journal_mode'), 'wal',
         'the database is in WAL mode: readers never wait for writers');
