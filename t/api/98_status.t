# The module's counters in mod_status: /server-status?auto and the HTML
# page show them, shared by all children, and each call moves exactly the
# counters it should.  The infor_status virtual host has a SQLite file of
# its own: its write lock is held from outside while clients write (lock
# waits), then a table is dropped (store errors).
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use DBI;
use POSIX ();
use InforTest;
use InforTest::Paths ();

plan tests => 20;

my @KEYS = qw(InforRequestsGET InforRequestsPOST InforRequestsSOAP11
              InforRequestsSOAP12 InforAppErrors InforFailedLogins
              InforThrottledLogins InforStoreErrors InforWriteLockWaits
              InforWriteLockWaitMicroseconds InforWrites InforCommits
              InforLogSyncs);
# Moved by the store's writes, which logins make too: checked on their own.
my %WRITES = map { $_ => 1 } qw(InforWrites InforCommits InforLogSyncs);
my $STATUS_DB = InforTest::Paths::db_file('status.db');

# The counters from the ?auto form: (hash of key => value, their order).
sub counters {
    my $body = Apache::TestRequest::GET_BODY('/server-status?auto');
    my (%c, @order);
    while ($body =~ /^(Infor\w+): (\d+)$/mg) {
        $c{$1} = $2;
        push @order, $1;
    }
    return (\%c, \@order);
}

# What changed between two readings, as "key=delta" for every key that
# moved (the write-lock time left out: it is a time).
sub moved {
    my ($a, $b) = @_;
    return join ' ', map { "$_=" . ($b->{$_} - $a->{$_}) }
        grep { $_ ne 'InforWriteLockWaitMicroseconds' && !$WRITES{$_}
               && $b->{$_} != $a->{$_} } @KEYS;
}

my $pw = 'st-Pass-w0rd';
{
    local $InforTest::DB = InforTest::Paths::db_path();   # made if need be
    add_user('st_user', $pw);
}

# --- the ?auto form: every counter, in order, as a number
my ($c0, $order) = counters();
ok t_cmp($order, \@KEYS, '?auto: every counter, once, in order');

# --- one call in each binding, each moving its own counters
my $c = $c0;
my $step = sub {
    my ($what, $expect, $code) = @_;
    # In list context: an answer read in void context makes
    # HTTP::Message warn.
    my @ignored = $code->();
    my ($now) = counters();
    ok t_cmp(moved($c, $now), $expect, $what);
    $c = $now;
};
$step->('GET: a login', 'InforRequestsGET=1',
        sub { login('st_user', $pw) });
$step->('GET: a failed login', 'InforRequestsGET=1 InforAppErrors=1 '
        . 'InforFailedLogins=1',
        sub { login_answer('st_user', 'wrong') });
$step->('POST: a failed login', 'InforRequestsPOST=1 InforAppErrors=1 '
        . 'InforFailedLogins=1',
        sub { rest_post('AuthenticateUser', UID => 'st_user',
                        PWD => 'wrong') });
$step->('SOAP 1.1: a login', 'InforRequestsSOAP11=1',
        sub { soap_call('AuthenticateUser',
                        el(UID => 'st_user') . el(PWD => $pw)) });
$step->('SOAP 1.2: a failed login of a missing user',
        'InforRequestsSOAP12=1 InforAppErrors=1 InforFailedLogins=1',
        sub { soap_call('AuthenticateUser',
                        el(UID => 'st_nobody') . el(PWD => $pw),
                        soap12 => 1) });
$step->('an application error that is no login: [901]',
        'InforRequestsGET=1 InforAppErrors=1',
        sub { rest_get('isValidTicket',
                       AuthenticationTicket => '00000000-0000-0000-0000-'
                                               . '000000000000') });
$step->('a refused request (missing parameter) counts its binding only',
        'InforRequestsGET=1', sub { rest_get('AuthenticateUser',
                                             UID => 'st_user') });
$step->('the WSDL and help pages are no calls', '',
        sub { (Apache::TestRequest::GET_BODY('/srv.asmx?WSDL'),
               Apache::TestRequest::GET_BODY('/srv.asmx')) });

# --- the store's writes: one contact update is one change, in one
# commit, its log synced (SQLite, InforDurability full)
{
    my $ticket = login('st_user', $pw);
    my ($before) = counters();
    rest_get('UpdateUserContactInfo', authenticationTicket => $ticket,
             userName => 'st_user', emailAddress => 'st@example.com',
             mobileNumber => '1');
    my ($after) = counters();
    ok t_cmp([map { $after->{$_} - $before->{$_} }
              qw(InforWrites InforCommits InforLogSyncs)], [1, 1, 1],
             'a contact update: one change, one commit, one log sync');
    $c = $after;
}

# --- shared by all children: many calls on fresh connections (several
# processes serve them) are all counted
{
    my $n = 24;
    for (1 .. $n) {
        Apache::TestRequest::user_agent(reset => 1, keep_alive => 0);
        rest_get('UserExists', authenticationTicket => 'x', userName => 'y');
    }
    my ($now) = counters();
    ok t_cmp(moved($c, $now), "InforRequestsGET=$n InforAppErrors=$n",
             "$n calls on new connections, all counted");
    $c = $now;
}

# --- the HTML page
{
    my $html = Apache::TestRequest::GET_BODY('/server-status');
    my ($now) = counters();
    ok t_cmp(scalar($html =~ m{<h2>mod_infor</h2>\n<table\ border="0">\n
        <tr><th\ align="left">HTTP\ GET\ calls</th><td\ align="right">
        \Q$now->{InforRequestsGET}\E</td></tr>\n}x), 1,
        'the HTML page: a mod_infor table with the same figures');
    ok t_cmp([map { scalar($html =~ /<th align="left">\Q$_\E<\/th>/) }
              'Failed logins', 'Throttled logins', 'Store errors',
              'Write-lock waits', 'Write-lock wait time (us)',
              'Changes written', 'Transactions committed',
              'SQLite log syncs'],
             [1, 1, 1, 1, 1, 1, 1, 1], 'the HTML page: every counter');
}

# --- write-lock waits: the SQLite file's write lock is held from outside
# while clients in several processes write.  The first writer takes the
# module's lock and waits in SQLite; the others, in other processes,
# wait for the module's lock (a child has at most 4 threads, and 8
# clients write at once).  Held well under the store's busy timeout.
Apache::TestRequest::module('infor_status');
{
    local $InforTest::DB = $STATUS_DB;
    add_user("st_w$_", "st-w$_-pass") for 1 .. 8;
}
login('st_w1', 'st-w1-pass');   # the file has its schema, WAL on
$c = (counters())[0];
my @kids;
for my $n (1 .. 8) {
    pipe(my $go_r, my $go_w) or die "pipe: $!";
    pipe(my $res_r, my $res_w) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        close $go_w;
        close $res_r;
        Apache::TestRequest::user_agent(reset => 1, keep_alive => 0);
        <$go_r>;
        my $body = login_answer("st_w$n", "st-w$n-pass");
        print $res_w ($body =~ /<root success="true" ticket="/ ? 1 : 0),
                     "\n";
        close $res_w;
        POSIX::_exit(0);
    }
    close $go_r;
    close $res_w;
    push @kids, [$pid, $go_w, $res_r];
}
my $dbh = DBI->connect("dbi:SQLite:dbname=$STATUS_DB", '', '',
                       { RaiseError => 1, AutoCommit => 1 });
$dbh->sqlite_busy_timeout(10000);
$dbh->do('BEGIN IMMEDIATE');
syswrite $_->[1], "go\n" for @kids;
select undef, undef, undef, 1.2;
$dbh->do('COMMIT');
$dbh->disconnect;
my $logged = 0;
for (@kids) {
    my ($pid, $go_w, $res_r) = @$_;
    close $go_w;
    my $line = <$res_r>;
    $logged += $line // 0;
    waitpid $pid, 0;
}
InforTest::Paths::give_to_children();
my ($now) = counters();
ok t_cmp($logged, 8, 'the 8 logins under a held lock all succeeded');
ok t_cmp([$now->{InforWriteLockWaits} > $c->{InforWriteLockWaits} ? 1 : 0,
          $now->{InforWriteLockWaitMicroseconds}
              > $c->{InforWriteLockWaitMicroseconds} ? 1 : 0],
         [1, 1], 'write-lock waits counted, with their time');
ok t_cmp($now->{InforWriteLockWaits} - $c->{InforWriteLockWaits} <= 7
         ? 1 : 0, 1, 'at most one wait per writer but the first');
ok t_cmp(moved({ %$c, InforWriteLockWaits => 0 },
               { %$now, InforWriteLockWaits => 0 }), 'InforRequestsGET=8',
         'nothing else moved: no store error');
$c = $now;

# --- store errors: the sessions table is gone; a login fails with a
# store error (the failed statement), and is no failed login
{
    local $InforTest::DB = $STATUS_DB;
    with_db(sub { $_[0]->do('DROP TABLE infor_sessions') });
}
# The 8 logins above may have left this vhost's connections in several
# children: a readied one fails its statement ("database error"), one
# opened now cannot be readied ("database unavailable"), as in
# 63_store_errors.  Either is one store error.
my $body = login_answer('st_w2', 'st-w2-pass');
my %broken = map { rest_expect(qq{<root success="false" error="$_" />})
                   => $_ }
             'SystemError: database error', 'SystemError: database unavailable';
ok t_cmp($broken{$body} ? 'SystemError' : $body, 'SystemError',
         'a login on a broken store: SystemError');
($now) = counters();
ok t_cmp(moved($c, $now), 'InforRequestsGET=1 InforStoreErrors=1',
         'a store error counted once; no application error, no failed login');
$c = $now;

# --- the throttle's counter: no throttle refused anything here
ok t_cmp($c->{InforThrottledLogins} - $c0->{InforThrottledLogins}, 0,
         'throttled logins: none');
