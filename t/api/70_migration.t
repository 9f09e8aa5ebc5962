# A database written by schema version 1 is brought forward on first use,
# by the module (the infor_v1 virtual host serves t/data/schema_v1.sql)
# and by inforadm, without losing accounts or live sessions.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use File::Copy qw(copy);
use InforTest;
use InforTest::Paths ();

plan tests => 19;

my $V1_TICKET = '0f0e0d0c-0b0a-4909-8807-060504030201';
my $v1db = InforTest::Paths::v1_db_path();

sub v1_value {
    my ($sql) = @_;
    # (No shell between: the SQL keeps its double quotes.)
    open(my $fh, '-|', 'sqlite3', $v1db, $sql) or die "sqlite3: $!";
    my $v = do { local $/; <$fh> } // '';
    close $fh;
    InforTest::Paths::give_to_children();
    chomp $v;
    return $v;
}

ok t_cmp(v1_value("SELECT value FROM infor_meta WHERE name = 'schema_version'"),
         '1', 'the fixture starts at schema version 1');

Apache::TestRequest::module('infor_v1');

# The session written by version 1 is still live.
my $res = rest_get('isValidTicket', AuthenticationTicket => $V1_TICKET);
ok t_cmp($res->content,
         qr{^\Q$DECL\E<root success="true" userid="2" username="v1_user" firstName="Zo\x{c3}\x{ab}" lastName="" fullname="Zo\x{c3}\x{ab}" email="zoe\@v1" expireOn="2100-01-01T00:00:00Z" isAuthenticated="True" />$},
         'a version 1 ticket still works');
ok t_cmp(v1_value("SELECT value FROM infor_meta WHERE name = 'schema_version'"),
         '8', 'the module migrated the database to version 8');
ok t_cmp(v1_value("SELECT COUNT(*) FROM sqlite_master WHERE name = 'infor_audit_at'"),
         '0', 'version 5 dropped the audit index infor_audit_order covers');
ok t_cmp(v1_value("SELECT name FROM sqlite_master WHERE name IN ('infor_audit', 'infor_resets') ORDER BY name"),
         "infor_audit\ninfor_resets", 'the new tables exist');
# Version 3: the users counted by status and type, as the fixture has them.
ok t_cmp(v1_value("SELECT group_concat(enabled || '/' || read_only || '=' || n, ' ') FROM (SELECT enabled, read_only, SUM(n) AS n FROM infor_user_counts GROUP BY 1, 2 HAVING SUM(n) <> 0 ORDER BY 1, 2)"),
         v1_value("SELECT group_concat(enabled || '/' || read_only || '=' || n, ' ') FROM (SELECT enabled, read_only, COUNT(*) AS n FROM infor_users GROUP BY 1, 2 ORDER BY 1, 2)"),
         'version 3 counts the users by status and type');
ok t_cmp(v1_value("SELECT fold_user || '|' || fold_first || '|' || fold_email FROM infor_users WHERE username = 'v1_user'"),
         "v1_user|zo\x{c3}\x{ab}|zoe\@v1", 'version 3 folded the texts the filters look in');
# Version 4: the trigram index of those texts holds the users there were.
ok t_cmp(v1_value("SELECT group_concat(rowid, ' ') FROM (SELECT rowid FROM infor_users_fts WHERE infor_users_fts MATCH '{fold_first} : \"zo\x{c3}\x{ab}\"' ORDER BY rowid)"),
         '2', 'version 4 indexed the folded texts');

# Version 7: the values the filters count, as the fixture has them, and
# the index of those values.
my $values = sub {
    my ($col, $text) = @_;
    return "SELECT $col AS c, $text AS v, enabled AS e, read_only AS r,"
         . " COUNT(*) AS n FROM infor_users"
         . " WHERE $text <> '' GROUP BY 2, 3, 4";
};
ok t_cmp(v1_value("SELECT group_concat(x, ' ') FROM (SELECT col || ':' || value || ':' || enabled || '/' || read_only || '=' || n AS x FROM infor_value_counts WHERE n <> 0 ORDER BY col, value, enabled, read_only)"),
         v1_value("SELECT group_concat(x, ' ') FROM (SELECT c || ':' || v || ':' || e || '/' || r || '=' || n AS x FROM ("
                  . join(' UNION ALL ', $values->(0, 'fold_first'),
                         $values->(1, 'fold_last'),
                         $values->(3, "CASE WHEN instr(fold_email, '\@') > 0 THEN substr(fold_email, instr(fold_email, '\@')) ELSE '' END"),
                         $values->(4, 'fold_auth'),
                         $values->(5, 'fold_domain'))
                  . ") ORDER BY c, v, e, r)"),
         'versions 7 and 8 count the users by value (and address part), status and type');
ok t_cmp(v1_value("SELECT group_concat(v.col || ':' || v.value, ' ') FROM infor_value_counts v WHERE v.id IN (SELECT rowid FROM infor_values_fts WHERE infor_values_fts MATCH '{value} : \"zo\x{c3}\x{ab}\"')"),
         "0:zo\x{c3}\x{ab}", 'version 7 indexed the values');
ok t_cmp(v1_value("SELECT group_concat(v.col || ':' || v.value, ' ') FROM infor_value_counts v WHERE v.id IN (SELECT rowid FROM infor_values_fts WHERE infor_values_fts MATCH '{value} : \"\@v1\"')"),
         '3:@v1', 'version 8 indexed the addresses\' parts');

# Accounts and passwords survived.
my $t = login('v1_user', 'v1-user-pw');
ok $t =~ guid_re();
$res = rest_get('GetUser', authenticationTicket => $t, UserName => '');
ok t_cmp($res->content, qr{Email="zoe\@v1" MobileNumber="\+81 90-1234-5678"},
         'contact details survived');
my $admin = login('v1_admin', 'v1-admin-pw');
ok $admin =~ guid_re();

# And a change now leaves its audit row.
$res = rest_get('UpdateUserContactInfo', authenticationTicket => $admin,
                userName => 'v1_user', emailAddress => 'zoe@v2',
                mobileNumber => '');
ok t_cmp($res->content, rest_expect('<response success="true" error="" />'),
         'an update on the migrated database');
ok t_cmp(v1_value("SELECT actor_name || '|' || action || '|' || target_name || '|' || fields FROM infor_audit"),
         'v1_admin|UpdateUserContactInfo|v1_user|email,mobile',
         'with its audit row');

Apache::TestRequest::module('default');

# inforadm migrates too: a fresh copy of the fixture, opened by `list`.
my $copy = InforTest::Paths::data_dir() . '/v1-adm.db';
unlink $copy;
system('sqlite3', $copy, '.read ' . InforTest::Paths::top()
       . '/t/data/schema_v1.sql') == 0 or die;
my $out = `'@{[InforTest::Paths::top()]}/mod_infor/inforadm' -d '$copy' list`;
ok t_cmp($out, qr/^1\tv1_admin\tyes\tyes\told\@admin\t\t-\n2\tv1_user\tno\tyes\tzoe\@v1\t\+81 90-1234-5678\t-\n/m,
         'inforadm lists the version 1 accounts');
ok t_cmp(`sqlite3 '$copy' "SELECT value FROM infor_meta WHERE name = 'schema_version'"`,
         "8\n", 'inforadm migrated its copy');
ok t_cmp(`sqlite3 '$copy' "SELECT COUNT(*) FROM infor_sessions"`, "1\n",
         'the session row survived');
