package InforTest::Paths;
# Where the test database lives, shared by t/TEST.PL and the tests.
use strict;
use warnings;

use Cwd qw(abs_path);
use Digest::MD5 qw(md5_hex);
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);

my $top = abs_path(dirname(__FILE__) . '/../../..');

sub top { $top }

# One directory per checkout, so two checkouts never share a database.
sub data_dir { '/tmp/mod_infor-test-' . substr(md5_hex($top), 0, 10) }

sub db_path { data_dir() . '/infor.db' }

# The database of the migration test, made from t/data/schema_v1.sql.
sub v1_db_path { data_dir() . '/v1.db' }

sub child_ids {
    my $user  = $ENV{APACHE_TEST_USER}  || 'nobody';
    my $group = $ENV{APACHE_TEST_GROUP} || 'nogroup';
    return ((getpwnam $user)[2], (getgrnam $group)[2]);
}

# The fake sendmail: stores each message it is handed in mail/N.eml.
my $SENDMAIL = <<'SH';
#!/bin/sh
# Test stand-in for sendmail -t: keeps the message for the tests to read.
dir=$(dirname "$0")/mail
n=$(date +%s%N)
cat > "$dir/$n.tmp" && mv "$dir/$n.tmp" "$dir/$n.eml"
SH

sub mail_dir { data_dir() . '/mail' }

sub fresh_data_dir {
    my $dir = data_dir();
    remove_tree($dir);
    make_path($dir, { mode => 0755 });
    make_path(mail_dir(), { mode => 0777 });
    # The test server's document root (empty; see t/conf/extra.conf.in).
    make_path("$dir/htdocs", { mode => 0755 });
    open my $sh, '>', "$dir/sendmail.sh" or die "sendmail.sh: $!";
    print $sh $SENDMAIL;
    close $sh;
    chmod 0755, "$dir/sendmail.sh";
    # Basic authentication users for AuthenticateUserViaWindows.
    system('htpasswd', '-cbB', '-C', '4', "$dir/htpasswd", 'win_user',
           'win-pw') == 0 or die "htpasswd failed\n";
    for (['CORP\\win_dom', 'dom-pw'], ['win_krb@EXAMPLE.COM', 'krb-pw'],
         ['win_nobody', 'nobody-pw'],
         # t/api/86_windows_domains.t: trusted and untrusted domains.
         ['EVIL\\admin', 'evil-pw'], ['admin@EVIL.REALM', 'evil-pw'],
         ['CORP\\admin', 'corp-pw'], ['corp\\win_dom', 'dom-pw'],
         ['win_krb@example.com', 'krb-pw'], ['CORP\\EVIL\\admin', 'evil-pw'],
         ['\\admin', 'evil-pw'], ['CORP\\', 'evil-pw']) {
        system('htpasswd', '-bB', '-C', '4', "$dir/htpasswd", @$_) == 0
            or die "htpasswd failed\n";
    }
    system('sqlite3', v1_db_path(), '.read ' . "$top/t/data/schema_v1.sql") == 0
        or die "cannot load t/data/schema_v1.sql\n";
    give_to_children();
}

# Files that root (the test client, inforadm) created must stay writable
# for httpd's children: every SQLite file in the data directory (the
# virtual hosts' own too), with its -wal and -shm.
sub give_to_children {
    return unless $> == 0;
    my ($uid, $gid) = child_ids();
    my $dir = data_dir();
    chown $uid, $gid, $dir, mail_dir(), grep { -e }
        map { my $db = $_; map { "$db$_" } '', '-wal', '-shm' }
        glob "$dir/*.db";
}

# A SQLite file of its own in the data directory (a virtual host's).
sub db_file { data_dir() . '/' . shift }

1;
