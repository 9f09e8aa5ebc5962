package InforTest;
# Helpers for the Apache::Test suite: calling the service in each binding,
# creating accounts with inforadm and reading the SQLite file.
#
# Strings are bytes throughout (no `use utf8` in the tests): what goes on
# the wire, what comes back and what the database holds compare as bytes.
use strict;
use warnings;

use Exporter 'import';
use Apache::Test ();
use Apache::TestRequest ();
use Apache::TestUtil qw(t_cmp);
use DBI ();
use Digest::SHA qw(sha1_hex);
use HTTP::Request ();
use IPC::Open3 qw(open3);
use POSIX qw(strftime);
use Symbol qw(gensym);
use Time::HiRes ();
use Time::Local qw(timegm);
use URI::Escape qw(uri_escape);

use InforTest::Paths ();

our @EXPORT = qw(
    $DECL rest_get rest_post soap_call soap_raw envelope el nil
    soap_expect soap_result rest_expect user_elem_of soap_with fail_resp xml_esc
    adm add_user login login_answer user_row session_rows db_value db_do
    key_of exp_db set_exp has_row n_sessions session_count n_users
    n_audit last_audit contact
    fmt_exp epoch_of user_date user_elem valid_xml
    profile login_rest_re login_soap_re login_xml @METHODS log_since log_line
    log_mark ok_near restart_server guid_re with_db errlog_mark errlog_since
    fork_clients new_mail raw_answer
);

our $DECL = qq{<?xml version="1.0" encoding="utf-8"?>\n};
# The service's path; tests may `local $InforTest::BASE = '/short/srv.asmx'`.
our $BASE = '/srv.asmx';
# The SQLite file adm, add_user and the database helpers use: the main
# test database unless a test sets another, e.g.
# `local $InforTest::DB = InforTest::Paths::db_file('normal.db')`
# for a virtual host of its own.
our $DB;

sub _db_path { $DB // InforTest::Paths::db_path() }

my $SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
my $SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
my $XSI    = 'http://www.w3.org/2001/XMLSchema-instance';

sub guid_re { qr/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/ }

sub _query {
    my @pairs = @_;
    my @q;
    while (my ($k, $v) = splice @pairs, 0, 2) {
        push @q, defined $v ? uri_escape($k) . '=' . uri_escape($v)
                            : uri_escape($k);
    }
    return join '&', @q;
}

# GET /srv.asmx/METHOD?name=value&...; a pair with an undef value is sent
# as a bare name.
sub rest_get {
    my ($method, @pairs) = @_;
    my $q = _query(@pairs);
    return Apache::TestRequest::GET("$BASE/$method" . ($q ? "?$q" : ''));
}

# POST /srv.asmx/METHOD with a form body.
sub rest_post {
    my ($method, @pairs) = @_;
    return Apache::TestRequest::POST("$BASE/$method",
        content_type => 'application/x-www-form-urlencoded',
        content      => _query(@pairs));
}

# XML-escapes a value for an element.
sub _esc {
    my $s = shift;
    $s =~ s/&/&amp;/g;
    $s =~ s/</&lt;/g;
    $s =~ s/>/&gt;/g;
    return $s;
}

# XML-escapes a value for an attribute (quotes too).
sub xml_esc {
    my $s = shift;
    $s =~ s/&/&amp;/g; $s =~ s/</&lt;/g; $s =~ s/>/&gt;/g;
    $s =~ s/"/&quot;/g; $s =~ s/'/&apos;/g;
    return $s;
}

# One parameter element; el('x', undef) omits it.
sub el {
    my ($name, $value) = @_;
    return '' unless defined $value;
    return "<$name>" . _esc($value) . "</$name>";
}

# A parameter element that is SOAP null.
sub nil { my $name = shift; qq{<$name xsi:nil="true" />} }

# A SOAP envelope around <METHOD xmlns="http://tempuri.org/">children.
sub envelope {
    my ($method, $children, %o) = @_;
    my $ns = $o{soap12} ? $SOAP12 : $SOAP11;
    return qq{<?xml version="1.0" encoding="utf-8"?>}
         . qq{<soap:Envelope xmlns:soap="$ns" xmlns:xsi="$XSI">}
         . qq{<soap:Body><$method xmlns="http://tempuri.org/">$children}
         . qq{</$method></soap:Body></soap:Envelope>};
}

# POSTs a raw body to the SOAP endpoint.  Options: action (the SOAPAction
# header, default none), content_type, base.
sub soap_raw {
    my ($body, %o) = @_;
    my @h = ('Content-Type' => $o{content_type} || 'text/xml; charset=utf-8');
    push @h, SOAPAction => $o{action} if defined $o{action};
    return Apache::TestRequest::POST($o{base} || $BASE, @h,
                                     content => $body);
}

# A SOAP 1.1 call of METHOD with the given children XML.
sub soap_call {
    my ($method, $children, %o) = @_;
    my $action = exists $o{action} ? $o{action}
                                   : qq{"http://tempuri.org/$method"};
    if ($o{soap12}) {
        return soap_raw(envelope($method, $children, soap12 => 1),
            content_type => 'application/soap+xml; charset=utf-8; '
                          . qq{action="http://tempuri.org/$method"});
    }
    return soap_raw(envelope($method, $children), action => $action);
}

# A SOAP 1.1 call of METHOD with extra request headers (a Cookie).
sub soap_with {
    my ($method, $children, @h) = @_;
    return Apache::TestRequest::POST($BASE,
        'Content-Type' => 'text/xml; charset=utf-8',
        SOAPAction     => qq{"http://tempuri.org/$method"}, @h,
        content        => envelope($method, $children));
}

# The whole SOAP 1.1 answer expected around a result element.
sub soap_expect {
    my ($method, $result) = @_;
    $result =~ s{^<(\w+)}{<$1 xmlns=""};
    return qq{<?xml version="1.0" encoding="utf-8"?>\n}
         . qq{<soap:Envelope xmlns:soap="$SOAP11" xmlns:xsi="$XSI" }
         . qq{xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>}
         . qq{<${method}Response xmlns="http://tempuri.org/">}
         . qq{<${method}Result>$result</${method}Result>}
         . qq{</${method}Response></soap:Body></soap:Envelope>};
}

# The whole GET/POST answer expected for a result element.
sub rest_expect { $DECL . $_[0] }

# A <response> failure element with this error text.
sub fail_resp { qq{<response success="false" error="$_[0]" />} }

# The result element inside a SOAP answer, without its xmlns="".
sub soap_result {
    my ($method, $body) = @_;
    return undef
        unless $body =~ m{<${method}Result>(.*)</${method}Result>}s;
    my $r = $1;
    $r =~ s{^<(\w+) xmlns=""}{<$1};
    return $r;
}

# Runs inforadm against the test database with $stdin as its input.
# Returns (exit status, stdout, stderr).
sub adm {
    my ($stdin, @args) = @_;
    my $bin = InforTest::Paths::top() . '/mod_infor/inforadm';
    my $err = gensym;
    # A file of a test's own ($DB) is made if need be (-c).
    my $pid = open3(my $in, my $out, $err, $bin, '-C', '4',
                    (defined $DB ? '-c' : ()), '-d', _db_path(), @args);
    print $in $stdin if defined $stdin;
    close $in;
    my $o = do { local $/; <$out> } // '';
    my $e = do { local $/; <$err> } // '';
    waitpid $pid, 0;
    my $rc = $? >> 8;
    InforTest::Paths::give_to_children();
    return ($rc, $o, $e);
}

# Creates an account; returns its id.  Dies if inforadm refuses.
sub add_user {
    my ($name, $pw, @opts) = @_;
    my ($rc, $o, $e) = adm("$pw\n", 'useradd', $name, @opts);
    die "useradd $name: $e" if $rc != 0;
    $o =~ /\(id (\d+)\)/ or die "useradd $name: no id in: $o";
    return $1;
}

# The whole answer of a login over GET, whatever it is.
sub login_answer {
    my ($name, $pw) = @_;
    return rest_get('AuthenticateUser', UID => $name, PWD => $pw)->content;
}

# Logs in over GET; returns the ticket.  Dies on failure.
sub login {
    my ($name, $pw) = @_;
    my $body = login_answer($name, $pw);
    $body =~ /ticket="([^"]+)"/ or die "login $name failed: $body";
    return $1;
}

sub _dbh {
    return DBI->connect('dbi:SQLite:dbname=' . _db_path(),
                        '', '', { RaiseError => 1, AutoCommit => 1,
                                  sqlite_use_immediate_transaction => 0 });
}

# Runs $code with a DBI handle on the database (see $DB); returns what it
# returns.  The files stay writable for httpd's children.
sub with_db { goto &_with_db }

sub _with_db {
    my $code = shift;
    my $dbh = _dbh();
    $dbh->sqlite_busy_timeout(10000);
    my @r = $code->($dbh);
    $dbh->disconnect;
    InforTest::Paths::give_to_children();
    return wantarray ? @r : $r[0];
}

# The infor_users row of a user (by name, any case), as a hash.
sub user_row {
    my $name = shift;
    return _with_db(sub {
        $_[0]->selectrow_hashref(
            'SELECT * FROM infor_users WHERE name_key = lower(?)', undef,
            $name);
    });
}

# The sessions of a user id, as hashes.
sub session_rows {
    my $uid = shift;
    return _with_db(sub {
        @{ $_[0]->selectall_arrayref(
            'SELECT * FROM infor_sessions WHERE user_id = ?',
            { Slice => {} }, $uid) };
    });
}

sub db_value {
    my ($sql, @bind) = @_;
    # Always one value (undef when no row), also in list context.
    my $v = _with_db(sub { ($_[0]->selectrow_array($sql, undef, @bind))[0] });
    return $v;
}

sub db_do {
    my ($sql, @bind) = @_;
    return _with_db(sub { $_[0]->do($sql, undef, @bind) });
}

# What infor_sessions.ticket holds for a ticket.
sub key_of { sha1_hex(lc shift) }

# The stored expiry of a ticket's session; undef when it has none.
sub exp_db {
    scalar db_value('SELECT expires FROM infor_sessions WHERE ticket = ?',
                    key_of(shift));
}

# Sets the stored expiry of a ticket's session.
sub set_exp {
    my ($t, $when) = @_;
    db_do('UPDATE infor_sessions SET expires = ? WHERE ticket = ?', $when,
          key_of($t));
}

# 1 when a ticket has a session row, 0 when not.
sub has_row {
    scalar db_value('SELECT COUNT(*) FROM infor_sessions WHERE ticket = ?',
                    key_of(shift));
}

# The number of sessions of a user id.
sub n_sessions {
    scalar db_value('SELECT COUNT(*) FROM infor_sessions WHERE user_id = ?',
                    shift);
}

# The number of sessions of all users.
sub session_count { scalar db_value('SELECT COUNT(*) FROM infor_sessions') }

# The number of accounts.
sub n_users { db_value('SELECT COUNT(*) FROM infor_users') }

# The number of audit rows.
sub n_audit { scalar db_value('SELECT COUNT(*) FROM infor_audit') }

# The newest audit row about a user id, as "actor|action|target|fields".
sub last_audit {
    scalar db_value(q{SELECT actor_name || '|' || action || '|' ||
                      target_name || '|' || fields FROM infor_audit
                      WHERE target_id = ? ORDER BY at DESC, at_us DESC, id DESC LIMIT 1},
                    shift);
}

# The stored [email, mobile] of a user (by name).
sub contact { my $r = user_row(shift); [ $r->{email}, $r->{mobile} ] }

# Unix seconds as an expireOn value, "YYYY-MM-DDThh:mm:ssZ".
sub fmt_exp { strftime('%Y-%m-%dT%H:%M:%SZ', gmtime shift) }

# "YYYY-MM-DDThh:mm:ssZ" -> epoch seconds.
sub epoch_of {
    my @p = ($_[0] // '') =~ /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z\z/
        or return undef;
    return timegm($p[5], $p[4], $p[3], $p[2], $p[1] - 1, $p[0]);
}

# A stored time (unix seconds, 0 = never) as <User> writes it.
sub user_date {
    my $t = shift;
    return $t ? strftime('%Y-%m-%dT%H:%M:%S', gmtime $t) : '';
}

# The full <User> element of a user (GetUser's), from the database row.
sub user_elem { user_elem_of(user_row(shift)) }

# The same from a row already read (any database), as a hash of columns.
sub user_elem_of {
    my $u = shift;
    my %e = map { ($_ => xml_esc($u->{$_})) } keys %$u;
    my @n = ('NONE', 'INSTANT', 'DAILY REPORT');
    my $tf = sub { $_[0] ? 'TRUE' : 'FALSE' };
    return qq{<User exists="true" UserID="$u->{id}"}
         . qq{ FirstName="$e{first_name}" LastName="$e{last_name}"}
         . qq{ Email="$e{email}" MobileNumber="$e{mobile}"}
         . ' Enabled="' . $tf->($u->{enabled}) . '"'
         . qq{ UserName="$e{username}" Domain="$e{domain}"}
         . ' LastLogonDate="' . user_date($u->{last_logon}) . '"'
         . ' LastPasswordChangeDate="'
         . user_date($u->{last_password_change}) . '"'
         . qq{ AuthenticationAuthority="$e{auth_authority}"}
         . ' ReadOnlyUser="' . $tf->($u->{read_only}) . '">'
         . qq{<Preferences Language="$e{pref_language}"}
         . qq{ DefaultPortal="$e{pref_default_portal}"}
         . ' ShowArchives="' . $tf->($u->{pref_show_archives}) . '"'
         . ' ShowHiddens="' . $tf->($u->{pref_show_hiddens}) . '"'
         . qq{ NotificationType="$n[$u->{pref_notification}]"}
         . qq{ NotificationTypeId="$u->{pref_notification}"}
         . qq{ EmailType="$e{pref_email_type}"}
         . ' AttachDocumentToEmail="' . $tf->($u->{pref_attach_document})
         . '" /></User>';
}

# isValidTicket's success element for profile $u expiring at $exp.
sub valid_xml {
    my ($u, $exp) = @_;
    return qq{<root success="true" userid="$u->{id}" }
         . qq{username="$u->{name}" firstName="$u->{first}" }
         . qq{lastName="$u->{last}" fullname="$u->{full}" }
         . qq{email="$u->{email}" expireOn="} . fmt_exp($exp) . q{" }
         . qq{isAuthenticated="True" />};
}

# The access log's size now: where the next requests' lines will start.
sub log_mark {
    my $log = Apache::Test::vars('t_logs') . '/access_log';
    return -s $log || 0;
}

# ok when $got is within $slack seconds of $want; says by how much if not.
sub ok_near {
    my ($got, $want, $slack, $name) = @_;
    my $d = defined $got ? $got - $want : undef;
    local $Test::TestLevel = $Test::TestLevel + 1;    # report the caller
    Test::ok(t_cmp(defined $d && abs($d) <= $slack ? 'near' : 'off by '
                   . (defined $d ? "${d}s" : 'undef'), 'near', $name));
}

# The error log's size now: where the next lines will start.
# Reads one HTTP answer from a kept-alive socket, $$buf holding what was
# read past the previous one: [status, {lower-case header => value},
# body]; undef when the connection ends first.
sub raw_answer {
    my ($sock, $buf) = @_;
    $$buf //= '';
    while ($$buf !~ /\r\n\r\n/) {
        sysread($sock, $$buf, 65536, length $$buf) or return undef;
    }
    $$buf =~ s/\A(.*?)\r\n\r\n//s;
    my $head = $1;
    my ($status) = $head =~ m{\AHTTP/1\.\d (\d+)};
    my %h;
    $h{lc $1} = $2 while $head =~ /^([\w-]+):\s*(.*?)\r?$/mg;
    my $len = $h{'content-length'} // 0;
    while (length $$buf < $len) {
        sysread($sock, $$buf, 65536, length $$buf) or last;
    }
    return [$status, \%h, substr($$buf, 0, $len, '')];
}

sub errlog_mark {
    return -s Apache::Test::vars('t_logs') . '/error_log' || 0;
}

# The error log's lines from byte offset $mark on (see errlog_mark), those
# matching $re when it is given.
sub errlog_since {
    my ($mark, $re) = @_;
    my $log = Apache::Test::vars('t_logs') . '/error_log';
    open my $fh, '<', $log or die "$log: $!";
    seek $fh, $mark, 0;
    my @lines = <$fh>;
    close $fh;
    return defined $re ? grep { /$re/ } @lines : @lines;
}

# Runs $code->($n) in $n_clients forked processes at once (n = 1 ..
# $n_clients), each with a user agent of its own (keep_alive as given,
# default off: each request a new connection, so several httpd children
# serve them).  With `start => EPOCH` (Time::HiRes seconds) every process
# waits for that moment first.  $code returns a list of strings (no
# newlines); returns them per client, as array references, in order.
sub fork_clients {
    my ($n_clients, $code, %o) = @_;
    my @kids;
    for my $n (1 .. $n_clients) {
        pipe(my $r, my $w) or die "pipe: $!";
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            close $r;
            Apache::TestRequest::user_agent(reset => 1,
                                            keep_alive => $o{keep_alive} // 0);
            if ($o{start}) {
                Time::HiRes::sleep(0.005)
                    while Time::HiRes::time() < $o{start};
            }
            my @out = eval { $code->($n) };
            @out = ("died: $@") if $@;
            print $w map { s/\n/ /gr . "\n" } @out;
            close $w;
            POSIX::_exit(0);
        }
        close $w;
        push @kids, [$pid, $r];
    }
    my @all;
    for (@kids) {
        my ($pid, $r) = @$_;
        my @lines = <$r>;
        chomp @lines;
        push @all, \@lines;
        waitpid $pid, 0;
    }
    return @all;
}

# Stops and starts httpd (same configuration, same database).
sub restart_server {
    my $server = Apache::Test::config()->server;
    $server->stop;
    $server->start;
}


# Every method served, in the order of the spec index.
our @METHODS = qw(
    AuthenticateUser AuthenticateUser1 AuthenticateUserViaWindows RenewTicket
    CreateTicketforUser LogOut isValidTicket GetCurrentUser GetUser
    UserExists GetAllUsers GetAllUsers1 GetAllUsers2
    GetAllUsersWithoutDetails CreateUser DeleteUser DeleteUser1
    ChangeUserStatus ChangeUserType UpdateUserProfile UpdateUserContactInfo
    UpdateUserEmail UpdateUserPreferences ChangeUserPassword ForgotPassword
    ForgotPasswordByUserName ChangePasswordUsingSecretText
);

# The profile a login answers with, as the login helpers below take it.
sub profile {
    my %u;
    @u{qw(id name first last full email)} = @_;
    return \%u;
}

# The login methods' success element for profile $u (values as they are
# written, escaped), capturing the ticket and expireOn.
sub login_re {
    my ($u) = @_;
    my $guid = guid_re();
    my $re = qq{<root success="true" ticket="($guid)" userid="$u->{id}" }
           . qq{username="\Q$u->{name}\E" firstName="\Q$u->{first}\E" }
           . qq{lastName="\Q$u->{last}\E" fullname="\Q$u->{full}\E" }
           . qq{email="\Q$u->{email}\E" }
           . qq{expireOn="(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ)" }
           . qq{isAuthenticated="True" />};
    return qr{$re};
}
sub login_rest_re { my $re = login_re(@_); qr{\A\Q$DECL\E$re\z} }
sub login_soap_re { my $re = login_re(@_); qr{\A$re\z} }

# The same element with the ticket and expiry filled in.
sub login_xml {
    my ($u, $ticket, $exp) = @_;
    return qq{<root success="true" ticket="$ticket" userid="$u->{id}" }
         . qq{username="$u->{name}" firstName="$u->{first}" }
         . qq{lastName="$u->{last}" fullname="$u->{full}" }
         . qq{email="$u->{email}" expireOn="$exp" isAuthenticated="True" />};
}

# The access log's lines from byte offset $mark on (see log_mark), waiting
# a little for one that matches $re: httpd writes it after the answer.
sub log_since {
    my ($mark, $re) = @_;
    my $log = Apache::Test::vars('t_logs') . '/access_log';
    my @lines;
    for (1 .. 50) {
        open my $fh, '<', $log or die "$log: $!";
        seek $fh, $mark, 0;
        @lines = <$fh>;
        close $fh;
        last if grep { /$re/ } @lines;
        select undef, undef, undef, 0.1;
    }
    return @lines;
}

# The first access-log line since $mark that matches $re, or undef.
sub log_line {
    my ($mark, $re) = @_;
    my ($line) = grep { /$re/ } log_since($mark, $re);
    return $line;
}

# The mails the test's fake sendmail kept for one address and not yet
# returned (each is returned once), oldest first:
# { head => {lc name => value}, body => text, raw => the whole message }.
my %seen_mail;
sub new_mail {
    my $to = shift;
    my $dir = InforTest::Paths::mail_dir();
    my @out;
    for my $f (sort glob "$dir/*.eml") {
        next if $seen_mail{$f};
        open my $fh, '<', $f or next;
        my $raw = do { local $/; <$fh> };
        close $fh;
        my ($head, $body) = split /\n\n/, $raw, 2;
        my %h = map { /^([\w-]+):[ \t]*(.*)$/ ? (lc $1, $2) : () }
                split /\n/, $head;
        next unless defined $h{to} && $h{to} eq $to;
        $seen_mail{$f} = 1;
        push @out, { head => \%h, body => $body // '', raw => $raw };
    }
    return @out;
}

1;
