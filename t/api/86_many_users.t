# Lists over more users than one batch of the store's walk (500): the
# whole list (GetAllUsers, streamed) and pages of GetAllUsers1 come in the
# order the SQL of the lists has always given, and the totals kept by the
# writes (infor_user_counts) are the counts of the table, after inserts,
# changes and deletes by the module and by anyone else.  The users
# (mu_...) are written straight into the database and removed at the end.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use InforTest;

plan tests => 37;

my $N = 1234;
add_user('mu_admin', 'pw-mu-admin', '--admin', '--first', 'Mu',
         '--last', 'Admin');
my $admin = login('mu_admin', 'pw-mu-admin');

# Names that repeat (ties), letter case that differs, a few not ASCII.
db_do(<<"SQL");
WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < $N)
INSERT INTO infor_users (username, name_key, first_name, last_name, email,
                         enabled, read_only, domain, auth_authority,
                         created, updated)
SELECT 'mu_' || x, 'mu_' || x,
       CASE x % 5 WHEN 0 THEN 'Zoë' WHEN 1 THEN 'zoe' WHEN 2 THEN 'ZOE'
                  ELSE 'F' || (x * 7 % 13) END,
       CASE x % 4 WHEN 0 THEN '' ELSE 'L' || (x * 11 % 17) END,
       'mu' || x || '\@Example.com', x % 9 <> 0, x % 4 = 0,
       CASE WHEN x % 3 = 0 THEN 'Dom' ELSE '' END,
       CASE WHEN x % 10 = 0 THEN 'LDAP' ELSE 'Native' END, 0, 0
FROM s
SQL
# What the module keeps for its filters, the writer here folds itself.
db_do("UPDATE infor_users SET fold_user = lower(username),"
      . " fold_first = lower(first_name), fold_last = lower(last_name),"
      . " fold_email = lower(email), fold_auth = lower(auth_authority),"
      . " fold_domain = lower(domain) WHERE username LIKE 'mu!_%' ESCAPE '!'");

# The order of the lists as the SQL before the index per sort code gave it.
my @KEYS = ("lower(first_name || ' ' || last_name)", 'lower(username)',
            "lower(first_name || ' ' || last_name)",
            "lower(last_name || ' ' || first_name)", 'lower(email)',
            'CAST(enabled AS TEXT)', 'lower(auth_authority)',
            'lower(domain)', 'CAST(read_only AS TEXT)');
sub ids_sql {
    my ($sort, $asc, $where, $limit, $offset) = @_;
    my $rows = with_db(sub {
        $_[0]->selectcol_arrayref(
            "SELECT id FROM infor_users $where ORDER BY $KEYS[$sort] "
            . ($asc ? 'ASC' : 'DESC')
            . ', lower(first_name), lower(last_name), id'
            . " LIMIT $limit OFFSET $offset");
    });
    return $rows;
}
sub ids_of { [ $_[0] =~ /<User exists="true" UserID="(\d+)"/g ] }

# ======================================================= GetAllUsers
my $n = db_value('SELECT COUNT(*) FROM infor_users');
my $res = rest_get('GetAllUsers', authenticationTicket => $admin);
ok t_cmp($res->code, 200, 'GetAllUsers: 200');
ok t_cmp($res->header('Content-Length'), undef,
         'GetAllUsers: streamed, no Content-Length');
my $body = $res->content;
ok t_cmp(scalar($body =~ m{\A\Q$DECL\E<response success="true" error=""><users><User .*</User></users></response>\z}s),
         1, 'GetAllUsers: the whole document');
ok t_cmp(scalar(@{ ids_of($body) }), $n, "GetAllUsers: all $n users");
ok t_cmp(ids_of($body), ids_sql(0, 1, '', -1, 0),
         'GetAllUsers: by first + last name, ties by id, as before');
ok t_cmp(scalar(() = $body =~ /<Preferences /g), $n,
         'GetAllUsers: every user in full');

$body = soap_call('GetAllUsers', el('AuthenticationTicket', $admin))->content;
ok t_cmp(soap_expect('GetAllUsers', soap_result('GetAllUsers', $body)), $body,
         'GetAllUsers SOAP: the envelope around the streamed rows');
ok t_cmp(ids_of($body), ids_sql(0, 1, '', -1, 0), 'GetAllUsers SOAP: order');

# ======================================================= GetAllUsers1
sub page1 {
    my ($start, $rows, $sort, $asc, %f) = @_;
    my %p = (authenticationTicket => $admin, StartingRowNumber => $start,
             NumbeOfRow => $rows, StatusFilter => -1, SortBy => $sort,
             SortAscending => $asc ? 'true' : 'false', %f);
    return rest_get('GetAllUsers1', %p)->content;
}
my @bad;
for my $sort (0 .. 8) {
    for my $asc (1, 0) {
        my $got = page1(1100, 60, $sort, $asc);
        push @bad, "$sort/$asc"
            if join(',', @{ ids_of($got) })
               ne join(',', @{ ids_sql($sort, $asc, '', 60, 1100) })
               || $got !~ /totalusercount="$n"/;
    }
}
ok t_cmp(\@bad, [], 'GetAllUsers1: a page far in, every sort code and '
         . 'direction, as before, with the total');
# A filter few pass (sorted, not walked along the index): same order.
@bad = ();
for my $sort (0 .. 8) {
    for my $asc (1, 0) {
        my $got = page1(3, 20, $sort, $asc, userNameFilter => 'MU_12');
        my $want = ids_sql($sort, $asc,
                           "WHERE username LIKE 'mu!_12%' ESCAPE '!'", 20, 3);
        push @bad, "$sort/$asc"
            if join(',', @{ ids_of($got) }) ne join(',', @$want)
               || @$want != 20;
    }
}
ok t_cmp(\@bad, [], 'GetAllUsers1: a page of a narrow filter, every sort '
         . 'code and direction, as before');
ok t_cmp(ids_of(page1(0, 50, 9, 1)), ids_sql(0, 1, '', 50, 0),
         'GetAllUsers1: an unknown sort code is code 0');

# The counts kept by the writes, by status and type.
sub totals {
    my @t;
    for my $st (-1, 0, 1) {
        my $a = rest_get('GetAllUsers1', authenticationTicket => $admin,
                         StartingRowNumber => 0, NumbeOfRow => 0,
                         StatusFilter => $st, SortBy => 0,
                         SortAscending => 'true')->content;
        push @t, $a =~ /totalusercount="(\d+)"/ ? $1 : 'none';
    }
    for my $ty (1, 2) {
        my $a = rest_get('GetAllUsers2', authenticationTicket => $admin,
                         startingRowNumber => 0, numberOfRow => 0,
                         userStatusFilter => 0, userTypeFilter => $ty,
                         sortBy => 0, sortAscending => 'true')->content;
        push @t, $a =~ /totalusercount="(\d+)"/ ? $1 : 'none';
    }
    return \@t;
}
sub counted {
    return [ map { db_value("SELECT COUNT(*) FROM infor_users $_") }
             '', 'WHERE enabled = 0', 'WHERE enabled = 1',
             'WHERE enabled = 0 AND read_only = 0',
             'WHERE enabled = 0 AND read_only = 1' ];
}
ok t_cmp(totals(), counted(), 'totals: kept counts = the table\'s counts');
db_do("UPDATE infor_users SET enabled = 1 - enabled WHERE username LIKE 'mu!_1%' ESCAPE '!'");
db_do("UPDATE infor_users SET read_only = 1 WHERE username LIKE 'mu!_2%' ESCAPE '!'");
ok t_cmp(totals(), counted(), 'totals after changes by another program');
add_user('mu_extra', 'pw-mu-extra-1');
$res = rest_get('ChangeUserStatus', authenticationTicket => $admin,
                UserName => 'mu_extra', Enabled => 'false');
ok t_cmp(totals(), counted(), 'totals after a user added and disabled');
$res = rest_get('DeleteUser', authenticationTicket => $admin,
                UserName => 'mu_extra');
ok t_cmp($res->content, qr/success="true"/, 'DeleteUser');
ok t_cmp(totals(), counted(), 'totals after DeleteUser');

# Filters: the count of a filtered list is the table's.
my $f = page1(0, 10, 0, 1, emailFilter => 'EXAMPLE.COM', StatusFilter => 0);
ok t_cmp($f =~ /totalusercount="(\d+)"/ ? $1 : 'none',
         db_value("SELECT COUNT(*) FROM infor_users WHERE enabled = 0"
                  . " AND email LIKE '%example.com%'"),
         'a filtered total, counted');
$f = page1(0, 10, 0, 1, emailFilter => 'EXAMPLE.COM');
ok t_cmp(scalar(() = $f =~ /<User /g), 10, 'a filtered page');
ok t_cmp(ids_of($f), ids_sql(0, 1, "WHERE email LIKE '%example.com%'", 10, 0),
         'a filtered page, in order');

# Letter case folds for all of Unicode: ZOË finds Zoë, not Zoe.
sub total_of { $_[0] =~ /totalusercount="(\d+)"/ ? $1 : 'none' }
ok t_cmp(total_of(page1(0, 5, 0, 1, firstNameFilter => "ZO\x{c3}\x{8b}")),
         db_value("SELECT COUNT(*) FROM infor_users WHERE first_name = 'Zo\x{c3}\x{ab}'"),
         'firstNameFilter ZOË finds every Zoë');
ok t_cmp(total_of(page1(0, 5, 0, 1, firstNameFilter => 'zOe')),
         db_value("SELECT COUNT(*) FROM infor_users WHERE lower(first_name) = 'zoe'"),
         'firstNameFilter zOe finds zoe and ZOE, not Zoë');
ok t_cmp(total_of(page1(0, 5, 0, 1, userNameFilter => 'MU_12',
                        domainNameFilter => 'dOM')),
         db_value("SELECT COUNT(*) FROM infor_users WHERE username LIKE 'mu!_12%' ESCAPE '!' AND domain = 'Dom'"),
         'userNameFilter and domainNameFilter, any case');

# SQLite answers "contains" filters of 3 characters or more from its
# trigram index (infor_users_fts, schema 4), shorter ones from the table:
# the same users, order and totals as the LIKE of the folded texts, in
# every sort order, both ways, far in, with status and type.
db_do("INSERT INTO infor_users (username, name_key, first_name, last_name,"
      . " email, created, updated, fold_user, fold_first, fold_last,"
      . " fold_email, fold_auth, fold_domain) VALUES ('mu_q', 'mu_q',"
      . " 'Al \"Bo\" 50%_off', 'Ünal', 'q\@x', 0, 0, 'mu_q',"
      . " 'al \"bo\" 50%_off', '\x{c3}\x{bc}nal', 'q\@x', 'native', '')");
sub like { "LIKE '%$_[0]%' ESCAPE '!'" }
my @RARE = (
    [ { emailFilter => '12@EX' }, "WHERE fold_email " . like('12@ex') ],
    [ { emailFilter => '12@EX', firstNameFilter => 'ZOE' },
      "WHERE fold_email " . like('12@ex') . " AND fold_first " . like('zoe') ],
    [ { userNameFilter => 'MU_123' }, "WHERE fold_user " . like('mu!_123') ],
    [ { lastNameFilter => 'L', emailFilter => '11@EXAMPLE.C' },
      "WHERE fold_last " . like('l') . " AND fold_email "
      . like('11@example.c') ],
);
my @CASES = (
    # [ filters, the WHERE of the same users ]
    [ { firstNameFilter => "ZO\x{c3}\x{8b}" },
      "WHERE fold_first " . like("zo\x{c3}\x{ab}") ],
    [ { emailFilter => 'EXAMPLE.COM' }, "WHERE fold_email " . like('example.com') ],
    [ { userNameFilter => 'MU_12' }, "WHERE fold_user " . like('mu!_12') ],
    [ { lastNameFilter => 'l1', userNameFilter => 'mu_1' },
      "WHERE fold_last " . like('l1') . " AND fold_user " . like('mu!_1') ],
    [ { userNameFilter => 'MU_1', emailFilter => '3@EX', domainNameFilter => 'dom' },
      "WHERE fold_user " . like('mu!_1') . " AND fold_email " . like('3@ex')
      . " AND fold_domain " . like('dom') ],
    [ { firstNameFilter => '"BO"' }, "WHERE fold_first " . like('"bo"') ],
    [ { firstNameFilter => '50%_O' }, "WHERE fold_first " . like('50!%!_o') ],
    [ { lastNameFilter => "\x{c3}\x{9c}NA" }, "WHERE fold_last " . like("\x{c3}\x{bc}na") ],
    # A trigram few users hold ("12@", "123", "11@"): the store reads the
    # users holding it and checks every filter's pattern (store_list.c).
    @RARE,
);
my @sbad;
for my $c (@CASES) {
    my ($flt, $where) = @$c;
    my $all = db_value("SELECT COUNT(*) FROM infor_users $where");
    push @sbad, "none pass: $where" if $all == 0;
    for my $sort (0 .. 8) {
        for my $asc (1, 0) {
            for my $start (0, 37) {
                my $got = page1($start, 25, $sort, $asc, %$flt);
                my $want = ids_sql($sort, $asc, $where, 25, $start);
                push @sbad, "$where $sort/$asc/$start"
                    if join(',', @{ ids_of($got) }) ne join(',', @$want)
                       || total_of($got) ne $all;
            }
        }
    }
}
ok t_cmp(\@sbad, [], 'filters: the trigram index finds what LIKE finds, '
         . 'in every order');
# Pages within the few users a rare trigram leads to, and a page that
# ends past the 2,000 rows one pass keeps (SQLite sorts those).
@sbad = ();
for my $c (@RARE, [ { emailFilter => 'EXAMPLE.COM' },
                    "WHERE fold_email " . like('example.com'), 2500 ]) {
    my ($flt, $where, $rows) = @$c;
    for my $sort (0 .. 8) {
        for my $asc (1, 0) {
            for my $start ($rows ? (0) : (0, 3, 7)) {
                my $got = page1($start, $rows || 4, $sort, $asc, %$flt);
                my $want = ids_sql($sort, $asc, $where, $rows || 4, $start);
                push @sbad, "$where $sort/$asc/$start"
                    if join(',', @{ ids_of($got) }) ne join(',', @$want)
                       || (!$start && !@$want);
            }
        }
    }
}
ok t_cmp(\@sbad, [], 'filters: pages of a rare trigram\'s users, and past '
         . 'what one pass keeps');
@sbad = ();
for my $c (@CASES) {
    my ($flt, $where) = @$c;
    for my $st (0, 1) {
        for my $ty (1, 2) {
            my $w = "$where AND enabled = $st AND read_only = "
                    . ($ty == 2 ? 1 : 0);
            my $got = rest_get('GetAllUsers2', authenticationTicket => $admin,
                               startingRowNumber => 2, numberOfRow => 30,
                               userStatusFilter => $st, userTypeFilter => $ty,
                               sortBy => 3, sortAscending => 'false',
                               %$flt)->content;
            push @sbad, "$w"
                if join(',', @{ ids_of($got) })
                   ne join(',', @{ ids_sql(3, 0, $w, 30, 2) })
                   || total_of($got)
                      ne db_value("SELECT COUNT(*) FROM infor_users $w");
        }
    }
}
ok t_cmp(\@sbad, [], 'filters with status and type: as LIKE finds them');
ok t_cmp(total_of(page1(1000, 5, 0, 1, firstNameFilter => "ZO\x{c3}\x{8b}")),
         db_value("SELECT COUNT(*) FROM infor_users WHERE fold_first "
                  . like("zo\x{c3}\x{ab}")),
         'a page past the end of a filtered list: still the total');
# The index is the table's: after the writes above and below.
sub fts_ok {
    return db_value("SELECT COUNT(*) FROM infor_users_fts") == db_value(
               "SELECT COUNT(*) FROM infor_users")
           && eval { db_do("INSERT INTO infor_users_fts (infor_users_fts)"
                           . " VALUES ('integrity-check')"); 1 } ? 1 : 0;
}
ok t_cmp(fts_ok(), 1, 'the trigram index holds the users, no more');
db_do("UPDATE infor_users SET fold_first = 'qqqzz' WHERE username = 'mu_q'");
ok t_cmp(total_of(page1(0, 5, 0, 1, firstNameFilter => 'QQQZ')), 1,
         'a change by another program: found by its new text');
db_do("DELETE FROM infor_users WHERE username = 'mu_q'");
ok t_cmp([ total_of(page1(0, 5, 0, 1, firstNameFilter => 'QQQZ')), fts_ok() ],
         [0, 1], 'a delete by another program: gone from the index');

# A change through the module refolds what it changes.
add_user('mu_Ren', 'pw-mu-ren-12');
$res = rest_get('UpdateUserProfile', authenticationTicket => $admin,
                UserName => 'mu_ren', NewUserName => "mu_\x{c3}\x{86}r\x{c3}\x{b8}",
                NewFirstName => "\x{c3}\x{85}sa", NewLastName => 'Öberg',
                AuthenticateSource => 'native');
ok t_cmp($res->content, qr/success="true"/, 'UpdateUserProfile');
ok t_cmp([ map { total_of(page1(0, 5, 0, 1, %$_)) }
           { userNameFilter => "\x{c3}\x{a6}R\x{c3}\x{98}" },
           { firstNameFilter => "\x{c3}\x{a5}SA" },
           { lastNameFilter => "\x{c3}\x{b6}BERG" },
           { userNameFilter => 'mu_ren' } ],
         [1, 1, 1, 0], 'the new names found in any case, the old one not');
rest_get('DeleteUser', authenticationTicket => $admin,
         UserName => "mu_\x{c3}\x{86}r\x{c3}\x{b8}");

# ======================================================= cleanup
db_do("DELETE FROM infor_users WHERE username LIKE 'mu!_%' ESCAPE '!'"
      . " AND username <> 'mu_admin'");
ok t_cmp(totals(), counted(), 'totals after a bulk delete');
ok t_cmp(db_value("SELECT COUNT(*) FROM infor_users WHERE username LIKE 'mu!_%' ESCAPE '!'"),
         1, 'only mu_admin is left');
$res = rest_get('GetAllUsers', authenticationTicket => $admin);
ok t_cmp(scalar(@{ ids_of($res->content) }),
         db_value('SELECT COUNT(*) FROM infor_users'),
         'GetAllUsers after the delete');
ok t_cmp(ids_of($res->content), ids_sql(0, 1, '', -1, 0),
         'GetAllUsers after the delete: order');
ok t_cmp(rest_get('GetAllUsers', authenticationTicket => 'x')->content,
         rest_expect('<response success="false" error="[900] Authentication failed" />'),
         'GetAllUsers: a refusal is not streamed');
ok t_cmp(rest_get('GetAllUsers', authenticationTicket => $admin)
             ->header('Content-Type'), 'text/xml; charset=utf-8',
         'GetAllUsers: content type');
