# Many writers at once on SQLite, through the new write path: every write
# is one transaction, writers of all httpd children queue on one lock and,
# within a child, share a transaction (group commit), each change in a
# savepoint of its own.  Run twice: on the main server (InforDurability
# full, the default) and on the infor_normal virtual host (a file of its
# own, InforDurability normal).
#
# 32 clients, each its own user and ticket, each a new connection per
# request (so several httpd children serve them), log in and then write
# their contact details round after round, as form POSTs and SOAP 1.1
# calls.  Every answer is exactly success, nothing in the error log says
# "database is locked" or SystemError, the file is intact, every user
# holds exactly its last acknowledged write and every write left exactly
# one audit row.  Then a change that fails inside a shared transaction
# fails alone: 24 updates and 8 CreateUser of one new name fired at the
# same moment give 24 acknowledged and stored updates, one account and 7
# "Username already exists".
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use Time::HiRes ();
use InforTest;
use InforTest::Paths ();

my $CLIENTS = 32;
my $ROUNDS  = 20;
my $UPDATERS = 24;     # the race: updates ...
my $CREATORS = 8;      # ... and CreateUser of one name

my @TARGETS = (
    # virtual host, its SQLite file, a tag for names and values
    ['default',      InforTest::Paths::db_path(),          'full'],
    ['infor_normal', InforTest::Paths::db_file('normal.db'), 'normal'],
);

plan tests => 12 * @TARGETS;

my $OK      = '<response success="true" error="" />';
my $TAKEN   = '<response success="false" error="Username already exists" />';
my $GUID    = guid_re();
my $PID_LOG = Apache::Test::vars('t_logs') . '/pid_log';

sub email_of  { my ($tag, $n, $i) = @_; "w$n.r$i\@$tag.example.com" }
sub mobile_of { my ($n, $i) = @_; "+1 555 $n-$i" }

# One UpdateUserContactInfo, as a form POST (even rounds) or SOAP 1.1 (odd
# ones); '' when the answer is exactly success, else a description.
sub update {
    my ($ticket, $user, $email, $mobile, $soap) = @_;
    my ($body, $want);
    if ($soap) {
        $body = soap_call('UpdateUserContactInfo',
                          el('authenticationTicket', $ticket)
                          . el('userName', $user) . el('emailAddress', $email)
                          . el('mobileNumber', $mobile))->content;
        $want = soap_expect('UpdateUserContactInfo', $OK);
    }
    else {
        $body = rest_post('UpdateUserContactInfo',
                          authenticationTicket => $ticket, userName => $user,
                          emailAddress => $email, mobileNumber => $mobile)
                ->content;
        $want = rest_expect($OK);
    }
    return $body eq $want ? '' : ($soap ? 'SOAP' : 'POST') . " answered: $body";
}

for my $target (@TARGETS) {
    my ($vhost, $file, $tag) = @$target;
    local $InforTest::DB = $file;
    Apache::TestRequest::module($vhost);

    my @names = map { "wr_${tag}_$_" } 1 .. $CLIENTS;
    my %pw = map { ($_ => "pw-$_-secret") } @names;
    my @ids = map { add_user($_, $pw{$_}) } @names;
    my $id_list = join ',', @ids;

    my $err_from = errlog_mark();
    my $pid_from = -s $PID_LOG // 0;
    my $t0 = Time::HiRes::time();

    # Each client: log in, then the rounds; says what went wrong, its
    # ticket and its last acknowledged values.
    my @out = fork_clients($CLIENTS, sub {
        my $n = shift;
        my $user = $names[$n - 1];
        my $body = login_answer($user, $pw{$user});
        my ($ticket) = $body =~ /ticket="($GUID)"/
            or return "bad login answered: $body";
        my @r = ("ticket $ticket");
        my ($email, $mobile) = ('', '');
        for my $i (1 .. $ROUNDS) {
            my ($e, $m) = (email_of($tag, $n, $i), mobile_of($n, $i));
            my $bad = update($ticket, $user, $e, $m, $i % 2);
            if ($bad) {
                push @r, "bad round $i: $bad";
            }
            else {
                ($email, $mobile) = ($e, $m);
            }
        }
        return @r, "last $email|$mobile";
    }, start => Time::HiRes::time() + 0.5);
    my $took = Time::HiRes::time() - $t0;

    my @bad = map { grep { /^bad|^died/ } @$_ } @out;
    ok t_cmp([@bad[0 .. ($#bad < 2 ? $#bad : 2)]], [],
             "$tag: $CLIENTS clients x (login + $ROUNDS updates, POST and "
             . 'SOAP): every answer exactly success (' . scalar(@bad)
             . sprintf(' wrong, %.1fs)', $took));
    my @acked = map { my ($l) = grep { /^last / } @$_; ($l // 'last none')
                      =~ s/^last //r } @out;
    ok t_cmp(\@acked,
             [map { email_of($tag, $_, $ROUNDS) . '|' . mobile_of($_, $ROUNDS) }
                  1 .. $CLIENTS],
             "$tag: every client's last write was acknowledged");
    my $rows = with_db(sub {
        $_[0]->selectall_arrayref('SELECT username, email, mobile FROM'
                                  . " infor_users WHERE id IN ($id_list)") });
    my %stored = map { ($_->[0] => "$_->[1]|$_->[2]") } @$rows;
    ok t_cmp([map { $stored{$_} // 'no row' } @names], \@acked,
             "$tag: each user holds exactly its last acknowledged write");
    ok t_cmp(db_value('SELECT COUNT(*) FROM infor_audit WHERE action ='
                      . " 'UpdateUserContactInfo' AND target_id IN ($id_list)"),
             $CLIENTS * $ROUNDS,
             "$tag: one audit row per acknowledged write, none lost or doubled");
    ok t_cmp(db_value('PRAGMA integrity_check'), 'ok',
             "$tag: PRAGMA integrity_check");
    ok t_cmp([errlog_since($err_from,
                           qr/database is locked|SystemError|INFOR0001/)], [],
             "$tag: the error log has no \"database is locked\", no "
             . 'SystemError, no store error');
    # Who served the updates, from the pid log ("PID USER REQUEST STATUS").
    my %pids;
    if (open my $fh, '<', $PID_LOG) {
        seek $fh, $pid_from, 0;
        while (<$fh>) {
            $pids{$1}++ if /^(\d+) wr_${tag}_\d+ /;
        }
    }
    ok t_cmp(scalar(keys %pids) >= 2 ? 'several' : scalar(keys %pids),
             'several', "$tag: several httpd children served the writers");

    # ------------------------------------------------ a failure fails alone
    my @tickets = map { my ($l) = grep { /^ticket / } @$_;
                        ($l // 'ticket none') =~ s/^ticket //r } @out;
    add_user("wr_${tag}_admin", 'wr-Adm1n-secret', '--admin');
    my $admin = login("wr_${tag}_admin", 'wr-Adm1n-secret');
    my $same = "wr_${tag}_Same";
    $err_from = errlog_mark();
    my @race = fork_clients($UPDATERS + $CREATORS, sub {
        my $n = shift;
        if ($n <= $UPDATERS) {
            my $bad = update($tickets[$n - 1], $names[$n - 1],
                             "race$n\@$tag.example.com", "+9 $n", 0);
            return $bad ? "bad update: $bad" : 'updated';
        }
        # CreateUser: GET for half, SOAP 1.1 for the other half.
        my $soap = $n % 2;
        my @p = (DomainName => '', UserName => $same, FirstName => "N$n",
                 LastName => 'Race', EmailAddress => '', Password => '',
                 ReadOnlyUser => 'false', AuthenticationSource => 'native');
        my ($body, $wrap);
        if ($soap) {
            my $children = el('AuthenticationTicket', $admin);
            for (my $i = 0; $i < @p; $i += 2) {
                $children .= el($p[$i], $p[$i + 1]);
            }
            $body = soap_call('CreateUser', $children)->content;
            $wrap = sub { soap_expect('CreateUser', shift) };
        }
        else {
            $body = rest_get('CreateUser', authenticationTicket => $admin,
                             @p)->content;
            $wrap = \&rest_expect;
        }
        if ($body =~ /id="(\d+)"/
            && $body eq $wrap->(qq{<response success="true" id="$1" error="" />})) {
            return "created $1";
        }
        return $body eq $wrap->($TAKEN) ? 'taken' : "bad create: $body";
    }, start => Time::HiRes::time() + 0.5);
    my @answers = map { $_->[0] // 'no answer' } @race;
    my %kinds;
    $kinds{ $_ =~ s/^created \d+$/created/r }++ for @answers;
    ok t_cmp(\%kinds, { updated => $UPDATERS, created => 1,
                        taken => $CREATORS - 1 },
             "$tag: $UPDATERS updates and $CREATORS CreateUser of one name at "
             . 'once: every update acknowledged, one account, the rest '
             . 'exactly "Username already exists"');
    my ($made) = map { /^created (\d+)$/ ? $1 : () } @answers;
    ok t_cmp(with_db(sub { $_[0]->selectall_arrayref(
                 'SELECT id, username FROM infor_users WHERE name_key = ?',
                 undef, lc $same) }),
             [[$made // 'none', $same]],
             "$tag: exactly one row holds the name, with the id answered");
    ok t_cmp(db_value("SELECT COUNT(*) FROM infor_audit WHERE action ="
                      . " 'CreateUser' AND target_key = ?", lc $same), 1,
             "$tag: one CreateUser audit row: the refused ones left nothing");
    my $raced = with_db(sub { $_[0]->selectall_arrayref(
        'SELECT email, mobile FROM infor_users WHERE id IN ('
        . join(',', @ids[0 .. $UPDATERS - 1]) . ') ORDER BY id') });
    ok t_cmp($raced,
             [map { ["race$_\@$tag.example.com", "+9 $_"] } 1 .. $UPDATERS],
             "$tag: every update that shared a transaction with a failed "
             . 'CreateUser is stored');
    ok t_cmp([errlog_since($err_from,
                           qr/database is locked|SystemError|INFOR0001/)], [],
             "$tag: the race left no store error in the error log");
}

Apache::TestRequest::module('default');
