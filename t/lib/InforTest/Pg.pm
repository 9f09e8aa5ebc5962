package InforTest::Pg;
# A throwaway PostgreSQL cluster for the suite, when PostgreSQL is
# installed: t/TEST.PL starts it in the data directory and stops it when
# it ends; t/api/95_postgres.t serves it and reads it with psql,
# 96_postgres_writers.t also holds transactions open in a psql session of
# its own, and 97_postgres_recovery.t stops and starts its server while
# httpd runs (stop_server, start_server, restart).
#
# The cluster listens on a Unix socket only, in a directory of its own, so
# it can neither collide with the system's cluster nor be reached from the
# network.  As root it runs as the OS user postgres (the Debian package
# makes it), which initdb and postgres need: they refuse to run as root.
use strict;
use warnings;

use File::Path qw(make_path);
use IO::Handle ();
use POSIX ();
use Time::HiRes ();

use InforTest::Paths ();

# Only part of the socket's name: the cluster has no TCP port.
my $PORT = 5439;

sub cluster    { InforTest::Paths::data_dir() . '/pg' }
sub socket_dir { InforTest::Paths::data_dir() . '/pgsock' }
sub log_file   { InforTest::Paths::data_dir() . '/pg.log' }

# What DBDParams, inforadm -d and $ENV{INFOR_TEST_PG} hold.
sub params {
    return 'host=' . socket_dir() . " port=$PORT dbname=infor user=infor";
}

# The bin directory of the newest installed server (Debian keeps each
# major version in /usr/lib/postgresql/N/bin); undef when there is none.
sub bin_dir {
    my @bins = sort { $b->[0] <=> $a->[0] }
               map  { m{/postgresql/(\d+)[^/]*/bin/initdb\z} ? [$1, $_] : () }
               glob '/usr/lib/postgresql/*/bin/initdb';
    return undef unless @bins;
    (my $dir = $bins[0][1]) =~ s{/initdb\z}{};
    return $dir;
}

# Whose the cluster's files are: postgres as root, else the caller.
sub _owner {
    return ($>, (split ' ', $))[0]) unless $> == 0;
    my ($uid, $gid) = (getpwnam 'postgres')[2, 3];
    return defined $uid ? ($uid, $gid) : ();
}

# In a child process: become the cluster's owner, in /, with the output
# appended to the log.
sub _as_owner {
    my ($uid, $gid) = @_;
    if ($> == 0) {
        $) = "$gid $gid";
        $( = $gid;
        POSIX::setuid($uid);
        POSIX::_exit(126) if $> != $uid || $< != $uid;
    }
    chdir '/';
    open STDIN, '<', '/dev/null';
    open STDOUT, '>>', log_file() or POSIX::_exit(126);
    open STDERR, '>&', \*STDOUT;
    $SIG{PIPE} = 'DEFAULT';
}

# Runs a server program as the cluster's owner; true when it exits 0.
sub _run {
    my @cmd = @_;
    my @owner = _owner() or return 0;
    # fork flushes STDOUT: if that is a pipe closed early (| head), only
    # the output may end, not this run (in END a Perl handler is too late).
    local $SIG{PIPE} = 'IGNORE';
    my $pid = fork;
    return 0 unless defined $pid;
    if (!$pid) {
        _as_owner(@owner);
        exec { $cmd[0] } @cmd or POSIX::_exit(127);
    }
    waitpid $pid, 0;
    return $? == 0;
}

# True while a postmaster runs on the cluster.
sub running {
    my $bin = bin_dir() or return 0;
    return -e cluster() . '/postmaster.pid'
        && _run("$bin/pg_ctl", 'status', '-s', '-D', cluster());
}

# The postmaster this process started (and so must reap).
my $postmaster = 0;

# The pid postmaster.pid names and its status line ("ready" once it
# accepts connections), or ().
sub _pid_file {
    open my $fh, '<', cluster() . '/postmaster.pid' or return ();
    my @l = <$fh>;
    chomp @l;
    return ($l[0], ($l[7] // '') =~ s/\s+\z//r);
}

# The postgres options of the cluster (after -D): no TCP, the socket in
# its own directory.
sub _server_opts {
    return ('-c', 'listen_addresses=', '-c',
            'unix_socket_directories=' . socket_dir(), '-p', $PORT,
            '-c', 'fsync=off');
}

# Makes and starts a new cluster with the database "infor" (superuser
# "infor", trusted on the socket).  Returns the seconds it took, or undef
# when PostgreSQL is not installed; dies when it is and fails.
#
# The postmaster is this process's child (not pg_ctl's, which would leave
# it to init): stop() reaps it, so no zombie outlives the run.
sub start {
    my $bin = bin_dir() or return undef;
    my $t0 = [Time::HiRes::gettimeofday()];
    my @owner = _owner()
        or die "PostgreSQL: no OS user postgres to run the cluster as\n";
    make_path(cluster(), { mode => 0700 });
    make_path(socket_dir(), { mode => 0755 });
    open my $log, '>', log_file() or die log_file() . ": $!\n";
    close $log;
    chown @owner, cluster(), socket_dir(), log_file();
    chmod 0700, cluster();

    my $sock = socket_dir();
    _run("$bin/initdb", '-D', cluster(), '-A', 'trust', '-U', 'infor',
         '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync')
        or die _failed('initdb');
    my $pid = do { local $SIG{PIPE} = 'IGNORE'; fork }
        // die "PostgreSQL: fork: $!\n";
    if (!$pid) {
        POSIX::setsid();    # no terminal signals: END stops it
        _as_owner(@owner);
        exec "$bin/postgres", '-D', cluster(), _server_opts()
            or POSIX::_exit(127);
    }
    $postmaster = $pid;
    # Up when postmaster.pid says "ready" (as pg_ctl start -w waits).
    until (((_pid_file())[1] // '') eq 'ready') {
        if (waitpid($pid, POSIX::WNOHANG()) == $pid) {
            $postmaster = 0;
            die _failed('postgres');
        }
        die _failed('postgres (not ready after 60s)')
            if Time::HiRes::tv_interval($t0) > 60;
        Time::HiRes::sleep(0.02);
    }
    # infor_values: a database of its own for t/api/82_value_counts.t.
    for my $db ('infor', 'infor_values') {
        _run("$bin/createdb", '-h', $sock, '-p', $PORT, '-U', 'infor', $db)
            or die _failed('createdb');
    }
    # And infor_values_icu, whose texts sort as ICU's en-US orders them
    # (not by their bytes), when the server has ICU (15 and later, built
    # with it): without it, that part of 82_value_counts.t is skipped.
    _run("$bin/createdb", '-h', $sock, '-p', $PORT, '-U', 'infor',
         '-T', 'template0', '--locale-provider=icu', '--icu-locale=en-US',
         'infor_values_icu');
    return Time::HiRes::tv_interval($t0);
}

# Stops the cluster if it runs (fast: open sessions are ended).  Also when
# a test stopped and started the server again (stop_server, start_server):
# whichever postmaster postmaster.pid names is stopped, and the one start()
# made is reaped.
sub stop {
    my $bin = bin_dir() or return;
    my $ok = 1;
    if (-e cluster() . '/postmaster.pid') {
        $ok = _run("$bin/pg_ctl", '-D', cluster(), '-m', 'fast', '-w',
                   'stop');
    }
    if ($postmaster) {
        kill 'QUIT', $postmaster unless $ok;    # immediate shutdown
        waitpid $postmaster, 0;
    }
    $postmaster = 0;
}

# For tests, while the suite runs: stops the server of the cluster (fast:
# open sessions are ended, as a crash or an administrator would), keeping
# its data.  Dies when pg_ctl fails.
sub stop_server {
    my $bin = bin_dir() or die "PostgreSQL is not installed\n";
    _run("$bin/pg_ctl", '-D', cluster(), '-m', 'fast', '-w', 'stop')
        or die _failed('pg_ctl stop');
}

# Starts the server again on the same data directory (no initdb), with
# the same options, and waits until it accepts connections.  Its
# postmaster is pg_ctl's, not this process's: stop() (pg_ctl stop) ends it.
sub start_server {
    my $bin = bin_dir() or die "PostgreSQL is not installed\n";
    my $opts = join ' ', map { "'$_'" } _server_opts();
    _run("$bin/pg_ctl", '-D', cluster(), '-w', '-t', '30', '-l', log_file(),
         '-o', $opts, 'start')
        or die _failed('pg_ctl start');
}

# Both: a restart of the server, the data kept.
sub restart {
    stop_server();
    start_server();
}

sub _failed {
    my $what = shift;
    my $log = '';
    if (open my $fh, '<', log_file()) {
        my @l = <$fh>;
        $log = join '', @l > 20 ? @l[-20 .. -1] : @l;
    }
    return "PostgreSQL: $what failed; the end of " . log_file() . ":\n$log";
}

# The rows psql reads for one statement, as array references, from the
# cluster in $ENV{INFOR_TEST_PG}: values are bytes, exactly as stored
# (NULL reads as "").  Dies when psql fails.
sub rows {
    my $sql = shift;
    my %p = map { split /=/, $_, 2 } split ' ', $ENV{INFOR_TEST_PG} // '';
    my $bin = bin_dir() or die "psql: PostgreSQL is not installed\n";
    open my $fh, '-|', "$bin/psql", '-X', '-q', '-v', 'ON_ERROR_STOP=1',
        '-h', $p{host}, '-p', $p{port}, '-U', $p{user}, '-d', $p{dbname},
        '-At', '-F', "\x1f", '-R', "\x1e", '-c', $sql
        or die "psql: $!\n";
    my $out = do { local $/; <$fh> } // '';
    close $fh or die "psql failed on: $sql\n";
    return () if $out eq '';    # no row; one row of one "" is "\n"
    $out =~ s/\n\z//;
    return map { [$_ eq '' ? '' : split /\x1f/, $_, -1] }
           $out eq '' ? '' : split /\x1e/, $out, -1;
}

# The first value of the first row; undef when there is no row.
sub value { my @r = rows(shift); @r ? $r[0][0] : undef }

# A psql session of its own on the cluster, to hold a transaction open
# while the module works: returns a handle; what is printed to it runs at
# once (statements end with ";"), its output is discarded, and closing it
# ends the session.  Dies when psql cannot be started.
sub session {
    my %p = map { split /=/, $_, 2 } split ' ', $ENV{INFOR_TEST_PG} // '';
    my $bin = bin_dir() or die "psql: PostgreSQL is not installed\n";
    open my $fh, '|-', "$bin/psql", '-X', '-q', '-v', 'ON_ERROR_STOP=1',
        '-h', $p{host}, '-p', $p{port}, '-U', $p{user}, '-d', $p{dbname},
        '-o', '/dev/null'
        or die "psql: $!\n";
    $fh->autoflush(1);
    return $fh;
}

# Waits (up to $timeout seconds, default 5) until $n backends of the
# database wait for a lock; true when they do.
sub await_lock_waiters {
    my ($n, $timeout) = @_;
    my $until = Time::HiRes::time() + ($timeout // 5);
    while (Time::HiRes::time() < $until) {
        return 1 if value("SELECT COUNT(*) FROM pg_stat_activity WHERE"
                          . " datname = current_database() AND"
                          . " wait_event_type = 'Lock'") >= $n;
        Time::HiRes::sleep(0.02);
    }
    return 0;
}

# A value as an SQL string literal.
sub lit { my $s = shift; $s =~ s/'/''/g; "'$s'" }

# inforadm against the cluster: (exit status, stdout, stderr).
sub adm {
    my ($stdin, @args) = @_;
    require IPC::Open3;
    require Symbol;
    my $err = Symbol::gensym();
    my $pid = IPC::Open3::open3(my $in, my $out, $err,
        InforTest::Paths::top() . '/mod_infor/inforadm', '-C', '4',
        '-t', 'pgsql', '-d', $ENV{INFOR_TEST_PG}, @args);
    print $in $stdin if defined $stdin;
    close $in;
    my $o = do { local $/; <$out> } // '';
    my $e = do { local $/; <$err> } // '';
    waitpid $pid, 0;
    return ($? >> 8, $o, $e);
}

# Creates an account with inforadm; returns its id.  Dies if it fails.
sub add_user {
    my ($name, $pw, @opts) = @_;
    my ($rc, $o, $e) = adm("$pw\n", 'useradd', $name, @opts);
    die "inforadm -t pgsql useradd $name: $e" if $rc != 0;
    $o =~ /\(id (\d+)\)/ or die "useradd $name: no id in: $o";
    return $1;
}

# The columns of an infor_users row, as InforTest::user_elem_of takes them.
my @USER_COLS = qw(id username name_key password first_name last_name email
                   mobile enabled read_only is_admin domain auth_authority
                   last_logon last_password_change pref_language
                   pref_default_portal pref_show_archives pref_show_hiddens
                   pref_notification pref_email_type pref_attach_document);

# The infor_users row of a user (by name, any case), as a hash; undef when
# there is none.
sub user_row {
    my ($r) = rows('SELECT ' . join(', ', @USER_COLS) . ' FROM infor_users'
                   . ' WHERE name_key = ' . lit(lc shift));
    return $r ? { map { ($USER_COLS[$_] => $r->[$_]) } 0 .. $#USER_COLS }
              : undef;
}

1;
