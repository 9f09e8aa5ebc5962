# InforAuditRetention (30d on the infor_purge server, which serves the main
# database): audit rows older than that are removed in batches of 1,000,
# after answers, once the purge interval (1s there) has passed; newer ones
# stay.  Old rows are written straight into the database.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use Time::HiRes ();
use InforTest;

plan tests => 6;

add_user('ar_user', 'pw-ar-user-1');    # the database, migrated
my $OLD = 1500;
my $day = 86400;
my $now = time;
db_do(<<"SQL");
WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < $OLD)
INSERT INTO infor_audit (at, actor_name, action, target_id, target_name,
                         target_key)
SELECT $now - 31 * $day - x, 'ar_old', 'Old', 0, 'ar_old', 'ar_old' FROM s
SQL
db_do("INSERT INTO infor_audit (at, actor_name, action, target_id,"
      . " target_name, target_key) VALUES (?, 'ar_new', 'New', 0, 'ar_new',"
      . " 'ar_new')", $now - 29 * $day);
my $recent = db_value("SELECT COUNT(*) FROM infor_audit WHERE at >= ?",
                      $now - 30 * $day);

# Requests on the server with the retention, until the old rows are gone
# (two batches, a second or more apart), at most 20 s.
Apache::TestRequest::module('infor_purge');
my $left = $OLD;
for (1 .. 80) {
    rest_get('isValidTicket', AuthenticationTicket => 'x');
    $left = db_value("SELECT COUNT(*) FROM infor_audit WHERE actor_name = 'ar_old'");
    last if !$left;
    Time::HiRes::sleep(0.25);
}
Apache::TestRequest::module('default');
ok t_cmp($left, 0, "the $OLD rows older than 30 days are gone");
ok t_cmp(db_value("SELECT COUNT(*) FROM infor_audit WHERE actor_name = 'ar_new'"),
         1, 'a row of 29 days ago stays');
ok t_cmp(db_value("SELECT COUNT(*) FROM infor_audit WHERE at >= ?",
                  $now - 30 * $day) >= $recent, 1,
         'every row of the last 30 days stays');
ok t_cmp(scalar(grep { /purged 1000 audit rows/ } errlog_lines()), 1,
         'a full batch, logged at debug');

sub errlog_lines {
    open my $fh, '<', Apache::Test::vars('t_logs') . '/error_log' or return ();
    return <$fh>;
}

# The audit rows the store writes (here through inforadm) get the next
# rowid on SQLite: the rows of one shared commit fill one page (random
# ids, which spread PostgreSQL's inserts, t/api/95_postgres.t, would
# dirty one page each); the trail's order is their time (to the
# microsecond).
add_user("ar_key$_", 'pw-ar-key-1') for 1 .. 6;
my $rows = with_db(sub { $_[0]->selectall_arrayref(
    "SELECT id, target_name FROM infor_audit WHERE target_name LIKE"
    . " 'ar!_key_' ESCAPE '!' ORDER BY at, at_us, id") });
ok t_cmp([ map { $_->[1] } @$rows ], [ map { "ar_key$_" } 1 .. 6 ],
         'the audit trail in the order it was written');
my @ids = map { $_->[0] } @$rows;
ok t_cmp([ scalar(grep { $ids[$_] == $ids[$_ - 1] + 1 } 1 .. $#ids),
           scalar(grep { $_ > 2**32 } @ids) ], [ 5, 0 ],
         'audit ids on SQLite: each the next of the one before');
