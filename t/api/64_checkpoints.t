# SQLite's log (the -wal file) is copied back into the database by
# checkpoints that the store runs after a commit, once the log has grown
# past 1000 pages: the bulk outside the write lock, the rest under it, so
# that the next writer starts the log again from its beginning.  Without
# them every write would add to the log for as long as the server runs.
#
# The log is emptied first; then one client writes its contact details
# 2,500 times, each write a commit of its own (at least two pages: the
# user's and the audit row's).  Every answer is exactly success, every
# write is stored and audited, the file is intact, and the log never grew
# past 2,000 pages (without checkpoints it would hold 5,000 or more).
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use InforTest;
use InforTest::Paths ();

plan tests => 5;

my $WRITES    = 2500;
my $MAX_PAGES = 2000;
my $OK = rest_expect('<response success="true" error="" />');

my $user = 'ck_user';
my $id = add_user($user, 'pw-ck-secret');
my $ticket = login($user, 'pw-ck-secret');
my $wal = InforTest::Paths::db_path() . '-wal';

# Empty the log: nothing else writes now.
with_db(sub { $_[0]->selectall_arrayref('PRAGMA wal_checkpoint(TRUNCATE)') });
my $before = -s $wal // 0;

my ($bad, $first_bad) = (0, '');
for my $i (1 .. $WRITES) {
    my $body = rest_post('UpdateUserContactInfo',
                         authenticationTicket => $ticket, userName => $user,
                         emailAddress => "ck$i\@example.com",
                         mobileNumber => "+1 555 $i")->content;
    next if $body eq $OK;
    $first_bad ||= "write $i answered: $body";
    $bad++;
}
ok t_cmp([$bad, $first_bad], [0, ''],
         "$WRITES writes, one after the other: every answer exactly success");
ok t_cmp(contact($user), ["ck$WRITES\@example.com", "+1 555 $WRITES"],
         'the last write is stored');
ok t_cmp(db_value('SELECT COUNT(*) FROM infor_audit WHERE action ='
                  . " 'UpdateUserContactInfo' AND target_id = $id"),
         $WRITES, 'one audit row per write');

# The file's size is the most the log ever held: 32 bytes of header, then
# pages of 4096 bytes with 24 bytes of frame header each.
my $size = -s $wal // 0;
my $pages = $size > 32 ? int(($size - 32) / (4096 + 24)) : 0;
ok t_cmp([$before, $pages <= $MAX_PAGES ? 'bounded' : "$pages pages"],
         [0, 'bounded'],
         "the log, emptied first, never held more than $MAX_PAGES pages"
         . " ($pages)");
ok t_cmp(db_value('PRAGMA integrity_check'), 'ok', 'PRAGMA integrity_check');
