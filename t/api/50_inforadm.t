# inforadm, the command-line tool: useradd, passwd, disable, enable, delete,
# list, audit, has-admin, --help, --version, and its refusals (exit 0 done
# or yes, 1 has-admin's no, 2 any error).
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);
use IPC::Open3 qw(open3);
use POSIX qw(strftime);
use Symbol qw(gensym);
use InforTest;
use InforTest::Paths ();

plan tests => 106;

# inforadm may exit before it reads standard input (a usage error): the
# write to its closed pipe must not kill the test.
$SIG{PIPE} = 'IGNORE';

my $BIN = InforTest::Paths::top() . '/mod_infor/inforadm';
my $DB  = InforTest::Paths::db_path();

# Runs inforadm with exactly these arguments: (exit status, out, err).
sub run_adm {
    my ($stdin, @args) = @_;
    my $err = gensym;
    my $pid = open3(my $in, my $out, $err, $BIN, @args);
    print $in $stdin if defined $stdin;
    close $in;
    my $o = do { local $/; <$out> } // '';
    my $e = do { local $/; <$err> } // '';
    waitpid $pid, 0;
    InforTest::Paths::give_to_children();
    return ($? >> 8, $o, $e);
}

my $AUTH_FAILED = rest_expect('<root success="false" '
                              . 'error="[900] Authentication failed" />');

# --- useradd with every field
my $t0 = time;
my ($rc, $out, $err) = adm("pw-one-secret\n", 'useradd', 'adm_One',
    '--first', 'Ann', '--last', 'One', '--email', 'ann@x',
    '--mobile', '+49 1');
my $one = user_row('adm_one');
ok t_cmp([$rc, $err], [0, ''], 'useradd: exit 0, nothing on stderr');
ok t_cmp($out, "added user adm_One (id $one->{id})\n", 'useradd: message');
ok t_cmp([@$one{qw(username first_name last_name email mobile is_admin
                   enabled read_only auth_authority last_logon)}],
         ['adm_One', 'Ann', 'One', 'ann@x', '+49 1', 0, 1, 0, 'Native', 0],
         'useradd: fields stored');
ok t_cmp($one->{password}, qr/\A\$2y\$04\$[.\/A-Za-z0-9]{53}\z/,
         'useradd: a cost-4 bcrypt hash is stored');
ok t_cmp(index($one->{password}, 'pw-one-secret'), -1,
         'useradd: the clear text is not stored');
ok t_cmp(($one->{last_password_change} >= $t0
          && $one->{last_password_change} <= time + 1) ? 1 : 0, 1,
         'useradd: last_password_change is now');
ok t_cmp(scalar(login_answer('adm_one', 'pw-one-secret') =~
                /^\Q$DECL\E<root success="true" ticket="/), 1,
         'useradd: the user can log in');

# --- --admin, and a password line with CR LF
($rc, $out, $err) = adm("pw-boss\r\n", 'useradd', 'adm_boss', '--admin');
my $boss = user_row('adm_boss');
ok t_cmp([$rc, $out, $err],
         [0, "added user adm_boss (id $boss->{id}) as an administrator\n", ''],
         'useradd --admin: message');
ok t_cmp([$boss->{is_admin}, $boss->{first_name}, $boss->{email}],
         [1, '', ''], 'useradd --admin: stored; other fields empty');
ok t_cmp(scalar(login_answer('adm_boss', 'pw-boss') =~
                /<root success="true" ticket="/), 1,
         'the line end is not part of the password');

# --- refusals of useradd
my $count = n_users();
($rc, $out, $err) = adm("pw\n", 'useradd', 'ADM_ONE');
ok t_cmp([$rc, $out, $err], [2, '', "inforadm: user ADM_ONE already exists\n"],
         'useradd of an existing name in another case: exit 2');
ok t_cmp(user_row('adm_one')->{password}, $one->{password},
         'the existing user is untouched');
# (bytes: "adm_\xC3\xA5sa" is adm_åsa, "ADM_\xC3\x85SA" ADM_ÅSA)
($rc, $out, $err) = adm("pw\n", 'useradd', "adm_\xC3\xA5sa");
ok t_cmp($rc, 0, 'useradd of a non-ASCII name');
($rc, $out, $err) = adm("pw\n", 'useradd', "ADM_\xC3\x85SA");
ok t_cmp([$rc, $out, $err],
         [2, '', "inforadm: user ADM_\xC3\x85SA already exists\n"],
         'useradd of a Latin-1 name in another case: exit 2');
$count = n_users();
($rc, $out, $err) = adm('', 'useradd', 'adm_nopw');
ok t_cmp([$rc, $out, $err],
         [2, '', "inforadm: no password on standard input\n"],
         'useradd without a password: exit 2');
($rc, $out, $err) = adm("\n", 'useradd', 'adm_nopw');
ok t_cmp([$rc, $err], [2, "inforadm: no password on standard input\n"],
         'useradd with an empty password line: exit 2');
($rc, $out, $err) = adm("pw\n", 'useradd', 'adm_opt', '--bogus');
ok t_cmp([$rc, $out, $err],
         [2, '', "inforadm: useradd: unknown or incomplete option --bogus\n"],
         'useradd with an unknown option: exit 2');
($rc, $out, $err) = adm("pw\n", 'useradd', 'adm_opt', '--email');
ok t_cmp([$rc, $err],
         [2, "inforadm: useradd: unknown or incomplete option --email\n"],
         'useradd with an option missing its value: exit 2');
($rc, $out, $err) = adm("pw\n", 'useradd', 'ID:7');
ok t_cmp([$rc, $err], [2, "inforadm: a user name may not start with ID:\n"],
         'useradd ID:7: exit 2');
($rc, $out, $err) = adm("pw\n", 'useradd', "adm_bad\xFF");
ok t_cmp([$rc, $err],
         [2, "inforadm: the user name is not valid UTF-8 text\n"],
         'useradd with an invalid UTF-8 name: exit 2');
($rc, $out, $err) = adm("pw\n", 'useradd', 'adm_ctl', '--first', "a\x01");
ok t_cmp([$rc, $err], [2, "inforadm: --first is not valid UTF-8 text\n"],
         'useradd with a control character in a field: exit 2');
($rc, $out, $err) = adm("pw\n", 'useradd');
ok t_cmp([$rc, $out, scalar($err =~ /^usage: inforadm /)], [2, '', 1],
         'useradd without a name: exit 2 with usage');
ok t_cmp(n_users(), $count, 'refused useradds added nobody');
ok t_cmp(user_row('adm_nopw'), undef, 'adm_nopw does not exist');

# --- passwd
db_do('UPDATE infor_users SET last_password_change = 0 WHERE id = ?',
      $one->{id});
$t0 = time;
($rc, $out, $err) = adm("pw-one-new\n", 'passwd', 'ADM_one');
my $after = user_row('adm_one');
ok t_cmp([$rc, $out, $err], [0, "password changed for adm_One\n", ''],
         'passwd: exit 0 and message');
ok t_cmp(($after->{last_password_change} >= $t0
          && $after->{last_password_change} <= time + 1) ? 1 : 0, 1,
         'passwd: last_password_change set to now');
ok t_cmp([scalar($after->{password} =~ /\A\$2y\$04\$/),
          $after->{password} ne $one->{password} ? 1 : 0,
          index($after->{password}, 'pw-one-new')], [1, 1, -1],
         'passwd: a new bcrypt hash, not the clear text');
ok t_cmp(scalar(login_answer('adm_one', 'pw-one-new') =~
                /<root success="true" ticket="/), 1,
         'passwd: the new password logs in');
ok t_cmp(login_answer('adm_one', 'pw-one-secret'), $AUTH_FAILED,
         'passwd: the old password no longer does');
ok t_cmp([@$after{qw(first_name email mobile is_admin)}],
         ['Ann', 'ann@x', '+49 1', 0], 'passwd: other fields untouched');

($rc, $out, $err) = adm("pw\n", 'passwd', 'adm_missing');
ok t_cmp([$rc, $out, $err], [2, '', "inforadm: no such user: adm_missing\n"],
         'passwd of a missing user: exit 2');
($rc, $out, $err) = adm('', 'passwd', 'adm_one');
ok t_cmp([$rc, $err], [2, "inforadm: no password on standard input\n"],
         'passwd without a password: exit 2');
ok t_cmp(user_row('adm_one')->{password}, $after->{password},
         'refused passwd changed nothing');
($rc, $out, $err) = adm("pw\n", 'passwd', "ID:$one->{id}");
ok t_cmp([$rc, $out], [0, "password changed for adm_One\n"],
         'passwd ID:<n>');
($rc, $out, $err) = adm("pw\n", 'passwd');
ok t_cmp([$rc, scalar($err =~ /^usage: inforadm /)], [2, 1],
         'passwd without a name: exit 2 with usage');

# --- list
($rc, $out, $err) = adm(undef, 'list');
my @lines = split /\n/, $out, -1;
ok t_cmp([$rc, $err], [0, ''], 'list: exit 0');
ok t_cmp($lines[0], "ID\tUSERNAME\tADMIN\tENABLED\tEMAIL\tMOBILE\tLASTLOGON",
         'list: header line');
ok t_cmp(pop @lines, '', 'list: output ends with a line end');
ok t_cmp(scalar(@lines) - 1, n_users(), 'list: one line per user');
my %line = map { (split /\t/)[1] => $_ } @lines[1 .. $#lines];
$one = user_row('adm_one');
ok t_cmp($line{adm_One}, join("\t", $one->{id}, 'adm_One', 'no', 'yes',
                              'ann@x', '+49 1',
                              strftime('%Y-%m-%dT%H:%M:%S',
                                       gmtime $one->{last_logon})),
         'list: a user who logged in');
db_do('UPDATE infor_users SET last_logon = 0, enabled = 0 WHERE id = ?',
      $boss->{id});
($rc, $out, $err) = adm(undef, 'list');
%line = map { (split /\t/)[1] => $_ } split /\n/, $out;
ok t_cmp($line{adm_boss}, "$boss->{id}\tadm_boss\tyes\tno\t\t\t-",
         'list: an admin, disabled, never logged in');
my @ids = map { (split /\t/)[0] } grep { /^\d/ } split /\n/, $out;
ok t_cmp(\@ids, [sort { $a <=> $b } @ids], 'list: ordered by id');

# --- has-admin
($rc) = adm(undef, 'has-admin');
ok t_cmp($rc, 0, 'has-admin: exit 0 when an administrator exists');

# --- the database file, -c, and usage errors
my $dir = tempdir(CLEANUP => 1);
my $new = "$dir/new.db";
($rc, $out, $err) = run_adm(undef, '-d', $new, 'list');
ok t_cmp([$rc, $out, $err],
         [2, '', "inforadm: database $new does not exist (-c creates it)\n"],
         'missing database without -c: exit 2');
ok t_cmp(-e $new ? 'exists' : 'absent', 'absent',
         'missing database: no file created');
($rc, $out, $err) = run_adm("pw\n", '-d', $new, 'useradd', 'adm_x');
ok t_cmp([$rc, -e $new ? 1 : 0], [2, 0],
         'useradd on a missing database without -c: exit 2');
($rc, $out, $err) = run_adm(undef, '-c', '-d', $new, 'has-admin');
ok t_cmp([$rc, -e $new ? 1 : 0], [1, 1],
         '-c creates the database; has-admin: exit 1 when none');
($rc, $out, $err) = run_adm("first\n", '-C', '4', '-d', $new, 'useradd',
                            'adm_first', '--admin');
ok t_cmp([$rc, $out], [0, "added user adm_first (id 1) as an administrator\n"],
         'the first user of a new database');
($rc) = run_adm(undef, '-d', $new, 'has-admin');
ok t_cmp($rc, 0, 'has-admin on the new database: exit 0');
($rc, $out, $err) = run_adm(undef, '-d', $new, 'list');
ok t_cmp($out, "ID\tUSERNAME\tADMIN\tENABLED\tEMAIL\tMOBILE\tLASTLOGON\n"
               . "1\tadm_first\tyes\tyes\t\t\t-\n", 'list of the new database');
($rc, $out, $err) = run_adm("pw\n", '-d', $new, 'useradd', 'adm_default');
ok t_cmp([$rc, db_value_in($new, 'SELECT password FROM infor_users'
                                 . " WHERE name_key = 'adm_default'")],
         [0, qr/\A\$2y\$\d\d\$/], 'useradd without -C stores a bcrypt hash');

($rc, $out, $err) = run_adm(undef, 'list');
ok t_cmp([$rc, $out, scalar($err =~ /\Ausage: inforadm /)], [2, '', 1],
         'no -d: exit 2 with usage');
($rc, $out, $err) = run_adm(undef, '-d', $DB);
ok t_cmp([$rc, scalar($err =~ /\Ausage: inforadm /)], [2, 1],
         'no command: exit 2 with usage');
($rc, $out, $err) = run_adm(undef, '-d', $DB, 'frob');
ok t_cmp([$rc, $out, scalar($err =~
                           /\Ainforadm: unknown command frob\nusage: inforadm /)],
         [2, '', 1],
         'unknown command: exit 2 with a message and usage');
($rc, $out, $err) = run_adm(undef, '-x', '-d', $DB, 'list');
ok t_cmp([$rc, $out], [2, ''], 'unknown global option: exit 2');
($rc, $out, $err) = run_adm("pw\n", '-C', '3', '-d', $DB, 'useradd',
                            'adm_cost');
ok t_cmp([$rc, $err], [2, "inforadm: -C: the bcrypt cost is 4 to 31\n"],
         '-C 3: exit 2');
ok t_cmp(user_row('adm_cost'), undef, '-C 3 added nobody');
($rc, $out, $err) = run_adm(undef, '-h');
ok t_cmp([$rc, scalar($out =~ /\Ausage: inforadm /), $err], [0, 1, ''],
         '-h: usage on standard output, exit 0');

# --- disable, enable, delete, passwd by an operator; each in the audit
# trail as inforadm's
my $victim_id = add_user('adm_vic', 'pw-vic-1');
my $vt = login('adm_vic', 'pw-vic-1');
my $audits = n_audit();
($rc, $out, $err) = adm(undef, 'disable', 'ADM_VIC');
ok t_cmp([$rc, $out, $err], [0, "disabled user adm_vic\n", ''],
         'disable: exit 0 and message');
ok t_cmp([user_row('adm_vic')->{enabled}, n_sessions($victim_id)], [0, 0],
         'disable: stored, and the tickets are gone at once');
ok t_cmp(last_audit($victim_id), '|inforadm disable|adm_vic|enabled',
         'disable: in the audit trail');
ok t_cmp(login_answer('adm_vic', 'pw-vic-1'), $AUTH_FAILED,
         'disable: the account cannot log in');
ok t_cmp(scalar(rest_get('isValidTicket', AuthenticationTicket => $vt)
                ->content =~ /success="false"/), 1,
         'disable: its ticket is dead');
($rc, $out, $err) = adm(undef, 'disable', 'adm_vic');
ok t_cmp([$rc, $out, $err, n_audit()],
         [0, "user adm_vic is already disabled\n", '', $audits + 1],
         'disable of a disabled account: exit 0, nothing written');
($rc, $out, $err) = adm(undef, 'enable', "ID:$victim_id");
ok t_cmp([$rc, $out, $err, user_row('adm_vic')->{enabled}],
         [0, "enabled user adm_vic\n", '', 1], 'enable: exit 0, stored');
ok t_cmp(last_audit($victim_id), '|inforadm enable|adm_vic|enabled',
         'enable: in the audit trail');
($rc, $out, $err) = adm(undef, 'enable', 'adm_vic');
ok t_cmp([$rc, $out], [0, "user adm_vic is already enabled\n"],
         'enable of an enabled account: exit 0');
($rc, $out, $err) = adm("pw-vic-2\n", 'passwd', 'adm_vic');
ok t_cmp([$rc, $out, last_audit($victim_id)],
         [0, "password changed for adm_vic\n",
          '|inforadm passwd|adm_vic|password'],
         'passwd without the old password: exit 0, in the audit trail');
ok t_cmp(scalar(login_answer('adm_vic', 'pw-vic-2') =~
                /<root success="true" ticket="/), 1,
         'passwd: the account logs in with the new password');
login('adm_vic', 'pw-vic-2');
($rc, $out, $err) = adm(undef, 'delete', 'adm_vic');
ok t_cmp([$rc, $out, $err], [0, "deleted user adm_vic (id $victim_id)\n", ''],
         'delete: exit 0 and message');
ok t_cmp([user_row('adm_vic'), n_sessions($victim_id)], [undef, 0],
         'delete: the account and its sessions are gone');
ok t_cmp(last_audit($victim_id), '|inforadm delete|adm_vic|deleted',
         'delete: in the audit trail');
for my $cmd (qw(disable enable delete passwd)) {
    ($rc, $out, $err) = adm("pw\n", $cmd, 'adm_vic');
    ok t_cmp([$rc, $out, $err], [2, '', "inforadm: no such user: adm_vic\n"],
             "$cmd of a missing user: exit 2");
    ($rc, $out, $err) = adm(undef, $cmd);
    ok t_cmp([$rc, $out, scalar($err =~ /\Ausage: inforadm /)], [2, '', 1],
             "$cmd without a name: exit 2 with usage");
}
($rc, $out, $err) = adm(undef, 'delete', 'adm_one', 'adm_boss');
ok t_cmp([$rc, scalar($err =~ /\Ausage: inforadm /),
          user_row('adm_one') ? 1 : 0], [2, 1, 1],
         'delete with two names: exit 2, nothing deleted');

# --- --help for every command: on standard output, exit 0, no database
for my $cmd (qw(useradd passwd disable enable delete list audit has-admin)) {
    ($rc, $out, $err) = run_adm(undef, $cmd, '--help');
    ok t_cmp([$rc, $err, scalar($out =~ /\Ausage:\ inforadm\ \[-t\ DRIVER\]
              \ \[-c\]\ \[-C\ COST\]\ -d\ DATABASE\ \Q$cmd\E\b[^\n]*\n\n\S/x)],
             [0, '', 1], "$cmd --help");
}
($rc, $out, $err) = run_adm(undef, '--help');
ok t_cmp([$rc, $err, scalar($out =~ /\Ausage:\ inforadm\ .*^commands:\n.*
          ^\ \ disable\ NAME\n.*^exit\ status:\ 0/msx)], [0, '', 1],
         '--help: the usage with every command and the exit codes');

# --- --version, and httpd's version line: the release that the Debian
# changelog's first entry names (include/infor.h has it)
open my $changes, '<', InforTest::Paths::top() . '/conf/debian/changelog'
    or die "conf/debian/changelog: $!";
my ($release) = (scalar(<$changes>) // '') =~ /\(([^)]+)\)/;
close $changes;
($rc, $out, $err) = run_adm(undef, '--version');
ok t_cmp([$rc, $out, $err], [0, "inforadm (mod_infor) $release\n", ''],
         "--version: the changelog's release ($release), exit 0");
# The log keeps earlier starts' lines: this server's is the last.
my ($started) = (errlog_since(0, qr/AH00489: .* configured -- resuming/))[-1];
ok t_cmp($started // '', qr{ mod_infor/\Q$release\E },
         "httpd's version line names mod_infor/$release");

# --- has-admin: 1 is "no", 2 an error
my $hdir = tempdir(CLEANUP => 1);
open my $junk, '>', "$hdir/junk.db" or die;
print $junk "this is not an SQLite database\n" x 100;
close $junk;
($rc, $out, $err) = run_adm(undef, '-d', "$hdir/junk.db", 'has-admin');
ok t_cmp([$rc, $out, scalar($err =~ /\Ainforadm: cannot use database /)],
         [2, '', 1], 'has-admin on a file that is no database: exit 2');
($rc, $out, $err) = run_adm(undef, '-t', 'nodriver', '-d', 'x', 'has-admin');
ok t_cmp([$rc, $err],
         [2, "inforadm: no apr_dbd driver nodriver (is "
             . "libaprutil1-dbd-nodriver installed?)\n"],
         'has-admin with an unknown driver: exit 2');

# --- a password typed at a terminal is not echoed (script(1) gives
# inforadm a terminal; the answers are sent after each prompt)
SKIP: {
    skip 'no script(1)', 3 unless -x '/usr/bin/script';
    require IPC::Open2;
    my $cmd = "$BIN -C 4 -d $DB passwd adm_one";
    my $pid = IPC::Open2::open2(my $tout, my $tin, '/usr/bin/script', '-qec',
                                $cmd, '/dev/null');
    my $seen = '';
    my $upto = sub {
        my $re = shift;
        while ($seen !~ $re) {
            my $n = sysread $tout, my $chunk, 256;
            last unless $n;
            $seen .= $chunk;
        }
    };
    $upto->(qr/Password: /);
    print $tin "tty-Secret-1\n";
    $tin->flush;
    $upto->(qr/Again: /);
    print $tin "tty-Secret-1\n";
    $tin->flush;
    $upto->(qr/changed for/);
    close $tin;
    $upto->(qr/\z\A/);   # to the end
    waitpid $pid, 0;
    InforTest::Paths::give_to_children();
    ok t_cmp($? >> 8, 0, 'terminal: exit 0');
    ok t_cmp(index($seen, 'tty-Secret-1'), -1,
             'terminal: the password is not echoed');
    ok t_cmp(scalar(login_answer('adm_one', 'tty-Secret-1') =~
                    /<root success="true" ticket="/), 1,
             'terminal: the typed password was set');
}

# --- audit streams the trail in batches (of 500), oldest first, and
# --before keeps only the rows written before a time: what an operator
# exports before InforAuditRetention removes them.  1,234 rows from 2001
# (two to a second: their order within it is their ids'), written by SQL.
my $T0 = 1000000000;    # 2001-09-09T01:46:40Z
db_do(<<"SQL");
WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 1234)
INSERT INTO infor_audit (at, actor_name, action, target_id, target_name,
                         target_key, fields)
SELECT $T0 + x / 2, 'au_bulk', 'Bulk', 900000 + x, 'au' || x, 'au' || x, x FROM s
SQL
my $AHEAD = "TIME\tACTOR\tACTION\tUSERID\tUSERNAME\tFIELDS\tCLIENT\n";
sub bulk_lines {
    join '', map { strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($T0 + int($_ / 2)))
                   . "\tau_bulk\tBulk\t" . (900000 + $_) . "\tau$_\t$_\t-\n" } @_;
}
($rc, $out, $err) = adm(undef, 'audit');
ok t_cmp([$rc, $err, join('', grep { /\tBulk\t/ } split /^/m, $out)],
         [0, '', bulk_lines(1 .. 1234)],
         'audit: every row, over three batches, in the order written');
($rc, $out, $err) = adm(undef, 'audit', '--before', '2001-09-09T01:55:00Z');
ok t_cmp([$rc, $out, $err], [0, $AHEAD . bulk_lines(1 .. 999), ''],
         'audit --before a UTC time: only the rows written before it');
($rc, $out, $err) = adm(undef, 'audit', '--before', '2001-09-09');
ok t_cmp([$rc, $out, $err], [0, $AHEAD, ''],
         'audit --before a date: midnight UTC; none before it');
($rc, $out, $err) = adm(undef, 'audit', '--before', '30d');
ok t_cmp([$rc, $out, $err], [0, $AHEAD . bulk_lines(1 .. 1234), ''],
         'audit --before 30d: the rows older than 30 days, no others');
($rc, $out, $err) = adm(undef, 'audit', 'AU77', '--before', '30d');
ok t_cmp([$rc, $out, $err], [0, $AHEAD . bulk_lines(77), ''],
         'audit NAME --before: both');
($rc, $out, $err) = adm(undef, 'audit', '--before', 'yesterday');
ok t_cmp([$rc, $out, $err],
         [2, '', "inforadm: audit: --before: 'yesterday' is neither an age"
             . " (90s, 15m, 12h, 30d) nor a UTC date"
             . " (YYYY-MM-DD[THH:MM:SS[Z]])\n"],
         'audit --before with no time it knows: exit 2');
($rc, $out, $err) = adm(undef, 'audit', 'au1', '--before');
ok t_cmp([$rc, $out, $err], [2, '', "inforadm: audit: --before needs one TIME\n"],
         'audit --before without a TIME: exit 2');
($rc, $out, $err) = adm(undef, 'audit', 'au1', 'au2');
ok t_cmp([$rc, $out, $err], [2, '', "inforadm: audit: unexpected argument au2\n"],
         'audit with two names: exit 2');
db_do("DELETE FROM infor_audit WHERE actor_name = 'au_bulk'");

# --- the clear-text passwords are nowhere in the database files
my $bytes = '';
for my $f (grep { -e } map { "$DB$_" } '', '-wal') {
    open my $fh, '<:raw', $f or next;
    local $/;
    $bytes .= <$fh>;
}
ok t_cmp([grep { index($bytes, $_) >= 0 }
          qw(pw-one-secret pw-one-new pw-boss tty-Secret-1)], [],
         'no clear-text password in the database files');

sub db_value_in {
    my ($file, $sql) = @_;
    require DBI;
    my $dbh = DBI->connect("dbi:SQLite:dbname=$file", '', '',
                           { RaiseError => 1 });
    my ($v) = $dbh->selectrow_array($sql);
    $dbh->disconnect;
    return $v;
}
