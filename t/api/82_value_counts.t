# The totals of lists filtered on one counted text (first or last name,
# authentication source, domain: schema 7; an address's part from its
# first '@', for a filter that begins with '@': schema 8) come from
# infor_value_counts, which triggers keep as users are created, renamed,
# given other addresses, disabled, made read-only and deleted through the
# module.  After each round of changes:
# the table holds exactly the users' values by status and type; every
# total, for every status and type, is the number of users that pass,
# counted in infor_users itself; and every page is the page the same list
# gives with a second filter all these users pass (a list the counts do
# not serve).  On SQLite and on PostgreSQL (where the tests have it), each
# in a database of its own (infor_values, infor_pg_values); and on
# PostgreSQL again in a database whose texts sort as ICU's en-US orders
# them, not by their bytes (infor_pg_values_icu, when the server has ICU),
# as many production databases do: there a list never walks from where a
# value's users begin (store.c, pg_bytewise), and every total and page
# must still be right.  (`Åaqvx` sorts there before `Ann Qvx`, by bytes
# after it.)
use strict;
use warnings FATAL => 'all';
use feature 'fc';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use DBI;
use Encode qw(encode_utf8 decode_utf8);
use InforTest;
use InforTest::Paths ();
use InforTest::Pg ();

my $PER_STORE = 11;
my @stores = ('sqlite');
push @stores, 'pgsql' if $ENV{INFOR_TEST_PG};
push @stores, 'pgsql-icu' if $ENV{INFOR_TEST_PG} && InforTest::Pg::value(
    "SELECT COUNT(*) FROM pg_database WHERE datname = 'infor_values_icu'");
# Without a cluster (or ICU) the PostgreSQL parts are skipped (in CI
# 95_postgres fails then).
plan tests => $PER_STORE * 3;

my $PW = 'vc-Adm1n-pass';
my $DB = InforTest::Paths::db_file('values.db');
my $OK = '<response success="true" error="" />';

# Rows of a query on the store's database.
sub rows {
    my ($store, $sql, @bind) = @_;
    if ($store =~ /^pgsql/) {
        my $i = 0;
        $sql =~ s/\?/InforTest::Pg::lit($bind[$i++])/ge;
        return InforTest::Pg::rows($sql);
    }
    my $dbh = DBI->connect("dbi:SQLite:dbname=$DB", '', '',
                           { RaiseError => 1, AutoCommit => 1 });
    $dbh->sqlite_busy_timeout(10000);
    my $r = $dbh->selectall_arrayref($sql, undef, @bind);
    $dbh->disconnect;
    InforTest::Paths::give_to_children();
    return @$r;
}

# Runs a statement that returns no rows.
sub run_sql {
    my ($store, $sql) = @_;
    return InforTest::Pg::rows($sql) if $store =~ /^pgsql/;
    my $dbh = DBI->connect("dbi:SQLite:dbname=$DB", '', '',
                           { RaiseError => 1, AutoCommit => 1 });
    $dbh->sqlite_busy_timeout(10000);
    $dbh->do($sql);
    $dbh->disconnect;
    InforTest::Paths::give_to_children();
    return;
}

# A filter's LIKE pattern, folded as the module folds (these filters need
# no more than fc); texts are UTF-8 bytes, as the database has them.
sub like_of {
    my $t = encode_utf8(fc(decode_utf8(shift)));
    $t =~ s/([!%_])/!$1/g;
    return "%$t%";
}

# Each filter, its column, and its col in infor_value_counts.
my @COLS = (['firstNameFilter', 'fold_first', 0],
            ['lastNameFilter', 'fold_last', 1],
            ['emailFilter', 'fold_email', 3],
            ['authenticationSourceFilter', 'fold_auth', 4],
            ['domainNameFilter', 'fold_domain', 5]);
# The text infor_value_counts counts of a column: an address's part from
# its first '@' ('' without one).
sub counted_text {
    my ($store, $col) = @_;
    return $col unless $col eq 'fold_email';
    my $at = $store =~ /^pgsql/ ? "strpos($col, '\@')" : "instr($col, '\@')";
    return "CASE WHEN $at > 0 THEN substr($col, $at) ELSE '' END";
}
my %FILTERS = (
    firstNameFilter => ['qvx', 'QVXANN', 'zoë', 'ZOË', 'é', 'a', 'zzqvx',
                        'renamed', 'nobody-qvx'],
    lastNameFilter => ['qvxlast', 'LAST3', 'x_1', '0%', '9', 'qvx_'],
    authenticationSourceFilter => ['ldap', 'qvx', 'native', 'windows d', 'w'],
    domainNameFilter => ['qvxdom', 'DOM2', 'é', 'q'],
    # Only a filter that begins with '@' is counted; the last four are
    # not (the totals are checked all the same).
    emailFilter => ['@qvx', '@QVX.EXAMPLE', '@example.org', '@', '@a@',
                    '@é', '@q', '@b@qvx.org', 'qvx', 'g@', 'vc1', 'no-at'],
);
# The filters whose pages are compared, in every order.
# (Filters of 1 or 2 characters take the LIKE way, not the trigrams.)
my %PAGED = (
    firstNameFilter => ['qvx', 'qvxann', 'zzqvx', 'qvxzoë', 'a'],
    lastNameFilter => ['qvxlast', 'qvx_', '9'],
    authenticationSourceFilter => ['ldap-qvx', 'qvx w', 'w'],
    domainNameFilter => ['qvxdom', 'q'],
    emailFilter => ['@qvx', '@example.org', '@q', '@'],
);

# UpdateUserContactInfo: the address $mail, its %d the number $i.
sub set_mail {
    my ($ticket, $user, $mail, $i) = @_;
    return rest_get('UpdateUserContactInfo', authenticationTicket => $ticket,
                    userName => $user, emailAddress => $mail =~ s/%d/$i/gr,
                    mobileNumber => '')->content;
}

sub list {
    my ($ticket, %o) = @_;
    # (A parameter given twice counts once, the first time.)
    my %f = ((map { ($_->[0] => '') } @COLS), $o{col} => $o{text});
    return rest_get('GetAllUsers2', authenticationTicket => $ticket,
                    startingRowNumber => $o{start} // 0,
                    numberOfRow => $o{rows} // 0,
                    %f, userNameFilter => $o{user} // '',
                    userStatusFilter => $o{status} // -1,
                    userTypeFilter => $o{type} // -1,
                    sortBy => $o{sort} // 1,
                    sortAscending => $o{asc} // 'true')->content;
}

# What infor_value_counts holds, and what it should, as text.
sub held {
    my $store = shift;
    my @h = rows($store, 'SELECT col, value, enabled, read_only, SUM(n)'
                 . ' FROM infor_value_counts GROUP BY 1, 2, 3, 4'
                 . ' HAVING SUM(n) <> 0 ORDER BY 1, 2, 3, 4');
    my @want = rows($store, join(' UNION ALL ', map {
        my $text = counted_text($store, $_->[1]);
        "SELECT $_->[2], $text, enabled, read_only, COUNT(*)"
        . " FROM infor_users WHERE $text <> '' GROUP BY 2, 3, 4" } @COLS)
        . ' ORDER BY 1, 2, 3, 4');
    return map { join "\n", map { join '|', @$_ } @$_ } \@h, \@want;
}

# Every filter, status and type whose total is not the users that pass.
sub wrong_totals {
    my ($store, $ticket) = @_;
    my @wrong;
    for my $c (@COLS) {
        for my $text (@{ $FILTERS{$c->[0]} }) {
            for my $status (-1, 0, 1) {
                for my $type (-1, 1, 2) {
                    my $sql = "SELECT COUNT(*) FROM infor_users"
                            . " WHERE $c->[1] LIKE ? ESCAPE '!'";
                    $sql .= " AND enabled = $status" if $status >= 0;
                    $sql .= ' AND read_only = ' . ($type == 2 ? 1 : 0)
                        if $type >= 0;
                    my ($want) = rows($store, $sql, like_of($text));
                    my ($got) = list($ticket, col => $c->[0], text => $text,
                                     status => $status, type => $type)
                        =~ /totalusercount="(\d+)"/;
                    push @wrong, "$c->[0]=$text $status/$type: "
                        . ($got // 'none') . " for $want->[0]"
                        if ($got // -1) != $want->[0];
                }
            }
        }
    }
    return \@wrong;
}

# Every filter, order and page that differs from the same page with a
# second filter (userNameFilter vc_: all these users).
sub wrong_pages {
    my $ticket = shift;
    my @wrong;
    for my $c (@COLS) {
        for my $text (@{ $PAGED{$c->[0]} }) {
            for my $s ([0, 'true'], [0, 'false'], [1, 'false'],
                       map { [$_, 'true'] } 1 .. 8) {
                for my $p ([0, 5], [0, 1], [2, 1], [0, 100]) {
                    my %o = (col => $c->[0], text => $text, sort => $s->[0],
                             asc => $s->[1], start => $p->[0],
                             rows => $p->[1]);
                    my $got = list($ticket, %o);
                    my $want = list($ticket, %o, user => 'vc_');
                    push @wrong, "$c->[0]=$text sort $s->[0] $s->[1]"
                        . " from $p->[0]" if $got ne $want;
                }
            }
        }
    }
    return \@wrong;
}

for my $store (@stores) {
    my $name = { sqlite => 'SQLite', pgsql => 'PostgreSQL',
                 'pgsql-icu' => 'PostgreSQL (ICU order)' }->{$store};
    if ($store =~ /^pgsql/) {
        # The cluster's database infor_values or infor_values_icu (libpq
        # takes the last dbname), served by infor_pg_values(_icu).
        my $icu = $store eq 'pgsql-icu' ? '_icu' : '';
        $ENV{INFOR_TEST_PG} .= " dbname=infor_values$icu";
        Apache::TestRequest::module("infor_pg_values$icu");
        InforTest::Pg::add_user('vc_admin', $PW, '--admin');
    }
    else {
        Apache::TestRequest::module('infor_values');
        local $InforTest::DB = $DB;
        add_user('vc_admin', $PW, '--admin');
    }
    my $admin = login('vc_admin', $PW);
    # (QvxZOË and Qvxzoë fold alike, but SQLite's lower() sorts the first
    # before the second: a walk that starts at a value's users must start
    # before both.)
    my @FIRST = ('Qvxann', 'QvxBéa', 'QvxZOË', 'Qvxzoë', 'Ann Qvx', 'Zzqvx');
    my @SOURCE = ('Native', 'LDAP-qvx', 'Qvx Windows Domain');
    my @DOMAIN = ('', 'qvxdom1', 'QVXDOM2', 'qvxdomé');
    # Addresses: none, no '@', two '@'s, letter case and non-ASCII.
    my @MAIL = ('vc%d@example.org', 'VC%d@Qvx.Example.ORG', 'vc%d@qvxé.test',
                '', 'vc%d', 'vc%d@a@qvx.org', 'vc%d@b@QVX.org');
    my @answers;
    for my $i (1 .. 48) {
        push @answers, rest_get('CreateUser', authenticationTicket => $admin,
            UserName => "vc_u$i",
            FirstName => $i > 46 ? 'Åaqvx' : $FIRST[$i % 6],
            LastName => $i % 7 ? 'Qvxlast' . ($i % 7) : 'Qvx_100%',
            EmailAddress => $MAIL[$i % 7] =~ s/%d/$i/gr, Password => '',
            ReadOnlyUser => $i % 5 ? 'false' : 'true',
            AuthenticationSource => $SOURCE[$i % 3],
            DomainName => $DOMAIN[$i % 4])->content;
    }
    s/ id="\d+" / id="" / for @answers;
    ok t_cmp([ grep { $_ ne rest_expect('<response success="true" id=""'
                                        . ' error="" />') } @answers ],
             [], "$name: 48 users created");

    @answers = ();
    for my $i (grep { $_ % 4 == 1 } 1 .. 48) {
        push @answers, rest_get('ChangeUserStatus',
            authenticationTicket => $admin, UserName => "vc_u$i",
            StatusCode => 0)->content;
    }
    for my $i (grep { $_ % 6 == 2 || $_ % 5 == 0 } 1 .. 48) {
        push @answers, rest_get('ChangeUserType',
            authenticationTicket => $admin, userName => "vc_u$i",
            userType => $i % 5 ? 2 : 1)->content;
    }
    for my $i (grep { $_ % 8 == 3 } 1 .. 48) {
        push @answers, rest_get('UpdateUserProfile',
            authenticationTicket => $admin, UserName => "vc_u$i",
            NewUserName => "vc_u$i", NewFirstName => 'Qvxrenamed',
            NewLastName => 'Qvxlast9',
            AuthenticateSource => 'LDAP-qvx')->content;
    }
    # Addresses moved to another part, out of one, into one, and within
    # one (the part unchanged).
    my %moved = (5 => 'vc%d@QVXmoved.org', 6 => 'no-at-%d', 7 => 'x%d@qvxé.test');
    for my $i (grep { $moved{$_ % 8} } 1 .. 48) {
        push @answers, set_mail($admin, "vc_u$i", $moved{$i % 8}, $i);
    }
    ok t_cmp([ grep { $_ ne rest_expect($OK) } @answers ], [],
             "$name: statuses, types and names changed");
    my ($held, $want) = held($store);
    ok t_cmp($held, $want, "$name: infor_value_counts holds the users'"
             . ' values by status and type');
    ok t_cmp(wrong_totals($store, $admin), [],
             "$name: every total is the users that pass");
    ok t_cmp(wrong_pages($admin), [],
             "$name: every page as without the counts");

    # The order is the database's own: a first page by first name is the
    # users as SQL sorts them (ICU: Åaqvx first; by bytes: last).
    my $order = "ORDER BY lower(first_name || ' ' || last_name),"
              . ' lower(first_name), lower(last_name), id';
    my @want_names = map { $_->[0] } rows($store, "SELECT username FROM"
        . " infor_users WHERE fold_first LIKE '%qvx%' $order LIMIT 30");
    my @got_names = list($admin, col => 'firstNameFilter', text => 'QVX',
                         sort => 0, rows => 30) =~ /UserName="([^"]*)"/g;
    ok t_cmp("@got_names", "@want_names",
             "$name: a page by first name in the database's order");

    # Deleted users, and names and addresses changed back: the counts
    # follow.
    @answers = ();
    for my $i (grep { $_ % 9 == 4 } 1 .. 48) {
        push @answers, rest_get('DeleteUser', authenticationTicket => $admin,
                                UserName => "vc_u$i")->content;
    }
    for my $i (grep { $moved{$_ % 8} && $_ % 9 != 4 } 1 .. 48) {
        push @answers, set_mail($admin, "vc_u$i", $MAIL[$i % 7], $i);
    }
    for my $i (grep { $_ % 8 == 3 } 1 .. 48) {
        push @answers, rest_get('UpdateUserProfile',
            authenticationTicket => $admin, UserName => "vc_u$i",
            NewUserName => "vc_u$i", NewFirstName => 'QvxZOË',
            NewLastName => '', AuthenticateSource => 'native')->content;
        push @answers, set_mail($admin, "vc_u$i", 'vc%d@a@Qvx.org', $i);
        push @answers, rest_get('ChangeUserStatus',
            authenticationTicket => $admin, UserName => "vc_u$i",
            StatusCode => 1)->content;
    }
    ($held, $want) = held($store);
    ok t_cmp([ (grep { $_ ne rest_expect($OK) } @answers), $held ],
             [ $want ], "$name: after deletions and changes back, the"
             . ' counts as the users');
    ok t_cmp(wrong_totals($store, $admin), [],
             "$name: every total again the users that pass");
    ok t_cmp(wrong_pages($admin), [],
             "$name: every page again as without the counts");

    # The totals do come from infor_value_counts: 1,000 users more for
    # one value (by SQL, then undone) show in the lists with one filter
    # that value passes, on the FTS5 way (3 characters or more) and the
    # LIKE way, and not in a list with two filters.
    my $row = "col = 0 AND value = 'qvxann' AND enabled = 1 AND read_only = 0";
    my ($want1) = rows($store, "SELECT COUNT(*) FROM infor_users"
                      . " WHERE fold_first = 'qvxann'");
    my ($want_a) = rows($store, "SELECT COUNT(*) FROM infor_users"
                        . " WHERE fold_first LIKE '%a%'");
    run_sql($store, "UPDATE infor_value_counts SET n = n + 1000 WHERE $row"
            . " AND slot = (SELECT MIN(slot) FROM infor_value_counts"
            . " WHERE $row)");
    my @got = map { list($admin, col => 'firstNameFilter', @$_)
                    =~ /totalusercount="(\d+)"/ }
              [text => 'qvxann'], [text => 'a'],
              [text => 'qvxann', user => 'vc_'];
    run_sql($store, "UPDATE infor_value_counts SET n = n - 1000 WHERE $row"
            . " AND n >= 1000");
    ok t_cmp(\@got, [$want1->[0] + 1000, $want_a->[0] + 1000, $want1->[0]],
             "$name: one filter's totals are the value counts'");

    # The same for an address's part: a filter that begins with '@'
    # counts by the parts, one that does not counts the users.
    $row = "col = 3 AND value = '\@example.org' AND enabled = 1"
         . " AND read_only = 0";
    my ($want_at, $want_no) = map {
        rows($store, "SELECT COUNT(*) FROM infor_users"
             . " WHERE fold_email LIKE '%$_%'") } '@example.org',
        'example.org';
    run_sql($store, "UPDATE infor_value_counts SET n = n + 1000 WHERE $row"
            . " AND slot = (SELECT MIN(slot) FROM infor_value_counts"
            . " WHERE $row)");
    @got = map { list($admin, col => 'emailFilter', text => $_)
                 =~ /totalusercount="(\d+)"/ } '@example.org', 'example.org';
    run_sql($store, "UPDATE infor_value_counts SET n = n - 1000 WHERE $row"
            . " AND n >= 1000");
    ok t_cmp(\@got, [$want_at->[0] + 1000, $want_no->[0]],
             "$name: an '\@' filter's totals are the parts' counts");
}

for my $i (@stores .. 2) {
    skip($i == 1 ? 'no PostgreSQL cluster' : 'no ICU in the cluster', 0)
        for 1 .. $PER_STORE;
}
