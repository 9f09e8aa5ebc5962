# Expired tickets are purged off the request path, in batches: after a
# request's answer is sent, when the virtual host's purge is due (at most
# once per InforPurgeInterval, here 1s on the infor_purge virtual host,
# which serves the main test database), at most 1000 of the oldest expired
# sessions go; a full batch lets the next one follow a second later.
#
# 2,500 expired sessions (and a few live ones) are written straight into
# the database; requests made a second apart each remove one batch, the
# oldest first, until none is left, while every answer stays exact (a
# login too, with the backlog there) and every live session stays.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use Digest::SHA qw(sha1_hex);
use Time::HiRes ();
use InforTest;

plan tests => 19;

my $EXPIRED = 2500;
my $BATCH   = 1000;
my $LIVE    = 5;
my $BASE_T  = 1_000_000;    # expired rows: expires = $BASE_T + i (1970)

my $GUID = guid_re();
my %pu = (name => 'pu_user', first => 'Pu', last => 'Rge', full => 'Pu Rge',
          email => 'pu@example.com');
$pu{id} = add_user('pu_user', 'pu-pass-1', '--first', 'Pu', '--last', 'Rge',
                   '--email', 'pu@example.com');
my $pu_profile = profile(@pu{qw(id name first last full email)});

# Live tickets of the user, written as the module writes them.
my @live = map {
    sprintf '%08x-%04x-4%03x-a%03x-%012x', int rand 2**32, $_,
        int rand 4096, int rand 4096, int rand 2**40;
} 1 .. $LIVE;
my $now = time;
my $others = db_value('SELECT COUNT(*) FROM infor_sessions'
                      . ' WHERE expires <= ?', $now);
with_db(sub {
    my $dbh = shift;
    $dbh->begin_work;
    my $ins = $dbh->prepare('INSERT INTO infor_sessions (ticket, user_id,'
                            . ' created, expires, lang) VALUES (?, ?, ?, ?,'
                            . " 'en')");
    $ins->execute(sha1_hex("pu-expired-$_"), $pu{id}, $BASE_T - 3600,
                  $BASE_T + $_) for 0 .. $EXPIRED - 1;
    $ins->execute(key_of($_), $pu{id}, $now, $now + 3600) for @live;
    $dbh->commit;
});

# The user's expired sessions: how many, and the oldest expiry left.
sub mine {
    my ($n, $oldest) = with_db(sub { $_[0]->selectrow_array(
        'SELECT COUNT(*), MIN(expires) FROM infor_sessions'
        . ' WHERE user_id = ? AND expires <= ?', undef, $pu{id}, time) });
    return [$n, $oldest // 'none'];
}

# Waits (up to 2s) until the user's expired sessions are no longer $from;
# returns what they are then, and when that was seen.
sub after_purge {
    my $from = shift;
    my $until = Time::HiRes::time() + 2;
    my $m = mine();
    while ($m->[0] == $from && Time::HiRes::time() < $until) {
        Time::HiRes::sleep(0.05);
        $m = mine();
    }
    return ($m, Time::HiRes::time());
}

# Waits until a second has passed since $since: the next purge is due.
sub a_second_after {
    my $since = shift;
    Time::HiRes::sleep(0.05) while Time::HiRes::time() < $since + 1.05;
}

sub live_left {
    my $keys = with_db(sub { $_[0]->selectcol_arrayref(
        'SELECT ticket FROM infor_sessions WHERE user_id = ? AND expires > ?'
        . ' ORDER BY ticket', undef, $pu{id}, time) });
    return $keys;
}

ok t_cmp(mine(), [$EXPIRED, $BASE_T], "$EXPIRED expired sessions written");

Apache::TestRequest::module('infor_purge');
my $err_from = errlog_mark();

# ------------------------------------------------ the first batch
my $body = login_answer('pu_user', 'pu-pass-1');
ok t_cmp($body, login_rest_re($pu_profile),
         "a login with $EXPIRED expired sessions waiting: exact answer");
my ($login) = $body =~ /ticket="($GUID)"/;
push @live, $login // 'none';
my $live_keys = [sort map { key_of($_) } @live];

my ($m, $seen) = after_purge($EXPIRED);
ok t_cmp($m, [$EXPIRED - $BATCH, $BASE_T + $BATCH],
         'after that request, one batch: the oldest 1000 are gone');
ok t_cmp(live_left(), $live_keys, 'every live session is there');

# No request, no purge.
a_second_after($seen);
ok t_cmp(mine(), [$EXPIRED - $BATCH, $BASE_T + $BATCH],
         'a second later, without a request, nothing more went');

# ------------------------------------------------ the second batch
my $t = $live[0];
my $res = rest_get('isValidTicket', AuthenticationTicket => $t);
ok t_cmp($res->content, rest_expect(valid_xml(\%pu, exp_db($t))),
         'isValidTicket with a live ticket, the backlog there: exact answer');
($m, $seen) = after_purge($EXPIRED - $BATCH);
ok t_cmp($m, [$EXPIRED - 2 * $BATCH, $BASE_T + 2 * $BATCH],
         'a request a second later: the next batch, the next oldest');
ok t_cmp(live_left(), $live_keys, 'every live session is still there');

# ------------------------------------------------ the rest
a_second_after($seen);
$res = rest_get('GetUser', authenticationTicket => $live[1], UserName => '');
ok t_cmp($res->content,
         rest_expect('<response success="true" error="">'
                     . user_elem('pu_user') . '</response>'),
         'GetUser with another live ticket: exact answer');
($m, $seen) = after_purge($EXPIRED - 2 * $BATCH);
ok t_cmp($m, [0, 'none'], 'a second later again: the last of them');
# Other tests' expired sessions went with that batch, or go in the next.
my $all = db_value('SELECT COUNT(*) FROM infor_sessions WHERE expires <= ?',
                   time);
for (1 .. 3) {
    last if !$all;
    a_second_after($seen);
    rest_get('isValidTicket', AuthenticationTicket => $live[2]);
    my $until = Time::HiRes::time() + 2;
    do {
        Time::HiRes::sleep(0.05);
        $all = db_value('SELECT COUNT(*) FROM infor_sessions'
                        . ' WHERE expires <= ?', time);
    } while ($all && Time::HiRes::time() < $until);
    $seen = Time::HiRes::time();
}
ok t_cmp($all, 0, 'no expired session is left in the database');
ok t_cmp(live_left(), $live_keys,
         'every live session remains, the login\'s too');

# The tickets still work, and the purges were logged (debug, on this
# virtual host): batches of 1000, 1000, then the rest.
for my $i (0 .. 2) {
    my $tk = $live[$i];
    ok t_cmp(rest_get('isValidTicket', AuthenticationTicket => $tk)->content,
             rest_expect(valid_xml(\%pu, exp_db($tk))),
             "live ticket $i still valid");
}
ok t_cmp(rest_get('LogOut', AuthenticationTicket => $login)->content,
         rest_expect('<root success="true" />'),
         'the login\'s ticket logs out');
my @purged = map { /purged (\d+) expired tickets/ ? $1 : () }
             errlog_since($err_from);
my $third = $EXPIRED - 2 * $BATCH + $others;
ok t_cmp([@purged[0 .. 2]], [$BATCH, $BATCH, $third > $BATCH ? $BATCH : $third],
         'the error log (debug): batches of 1000, 1000, then the rest');
my $sum = 0;
$sum += $_ for @purged;
ok t_cmp($sum, $EXPIRED + $others,
         'the purges removed exactly the expired sessions');
ok t_cmp([errlog_since($err_from, qr/\[infor:(?:error|warn)/)], [],
         'no error or warning from the module meanwhile');

Apache::TestRequest::module('default');
