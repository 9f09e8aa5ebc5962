# Expired tickets are purged off the request path, in batches, by each
# child's maintenance thread: once a virtual host has served a call, its
# purge is due at most once per InforPurgeInterval (here 1s on the
# infor_purge virtual host, which serves the main test database; the
# other hosts of that database purge once an hour), whichever child claims
# it; at most 1000 of the oldest expired sessions go at a time, and a full
# batch lets the next one follow a second later, with no request needed.
#
# 2,500 expired sessions (and a few live ones) are written straight into
# the database; one login starts the purges, which remove a batch a
# second, the oldest first, until none is left, while every answer stays
# exact (a login too, with the backlog there) and every live session stays.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use Digest::SHA qw(sha1_hex);
use Time::HiRes ();
use InforTest;

plan tests => 18;

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

# Waits (up to 3s) until the user's expired sessions are no longer $from;
# returns what they are then.
sub after_purge {
    my $from = shift;
    my $until = Time::HiRes::time() + 3;
    my $m = mine();
    while ($m->[0] == $from && Time::HiRes::time() < $until) {
        Time::HiRes::sleep(0.05);
        $m = mine();
    }
    return $m;
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

my $m = after_purge($EXPIRED);
ok t_cmp($m, [$EXPIRED - $BATCH, $BASE_T + $BATCH],
         'after that call, one batch: the oldest 1000 are gone');
ok t_cmp(live_left(), $live_keys, 'every live session is there');

# ------------------------------------------------ the second batch
# No request between the batches: the backlog is worked off by itself.
$m = after_purge($EXPIRED - $BATCH);
ok t_cmp($m, [$EXPIRED - 2 * $BATCH, $BASE_T + 2 * $BATCH],
         'without a request, the next batch follows: the next oldest');
ok t_cmp(live_left(), $live_keys, 'every live session is still there');
my $t = $live[0];
my $res = rest_get('isValidTicket', AuthenticationTicket => $t);
ok t_cmp($res->content, rest_expect(valid_xml(\%pu, exp_db($t))),
         'isValidTicket with a live ticket, the backlog there: exact answer');

# ------------------------------------------------ the rest
$res = rest_get('GetUser', authenticationTicket => $live[1], UserName => '');
ok t_cmp($res->content,
         rest_expect('<response success="true" error="">'
                     . user_elem('pu_user') . '</response>'),
         'GetUser with another live ticket: exact answer');
$m = after_purge($EXPIRED - 2 * $BATCH);
ok t_cmp($m, [0, 'none'], 'a second later again: the last of them');
# Other tests' expired sessions went with that batch, or go in the next.
my $all = db_value('SELECT COUNT(*) FROM infor_sessions WHERE expires <= ?',
                   time);
my $until = Time::HiRes::time() + 5;
while ($all && Time::HiRes::time() < $until) {
    Time::HiRes::sleep(0.05);
    $all = db_value('SELECT COUNT(*) FROM infor_sessions WHERE expires <= ?',
                    time);
}
ok t_cmp($all, 0, 'no expired session is left in the database');
ok t_cmp(live_left(), $live_keys,
         'every live session remains, the login\'s too');

# The tickets still work, and the purges were logged (debug, on this
# virtual host, by the maintenance thread): batches of 1000, 1000, then the rest.
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
