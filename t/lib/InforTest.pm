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
use DBI ();
use HTTP::Request ();
use IPC::Open3 qw(open3);
use Symbol qw(gensym);
use URI::Escape qw(uri_escape);

use InforTest::Paths ();

our @EXPORT = qw(
    $DECL rest_get rest_post soap_call soap_raw envelope el nil
    soap_expect soap_result rest_expect
    adm add_user login user_row session_rows db_value db_do
    restart_server guid_re
);

our $DECL = qq{<?xml version="1.0" encoding="utf-8"?>\n};
# The service's path; tests may `local $InforTest::BASE = '/short/srv.asmx'`.
our $BASE = '/srv.asmx';

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
    my $pid = open3(my $in, my $out, $err, $bin, '-C', '4',
                    '-d', InforTest::Paths::db_path(), @args);
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

# Logs in over GET; returns the ticket.  Dies on failure.
sub login {
    my ($name, $pw) = @_;
    my $body = rest_get('AuthenticateUser', UID => $name, PWD => $pw)
        ->content;
    $body =~ /ticket="([^"]+)"/ or die "login $name failed: $body";
    return $1;
}

sub _dbh {
    return DBI->connect('dbi:SQLite:dbname=' . InforTest::Paths::db_path(),
                        '', '', { RaiseError => 1, AutoCommit => 1,
                                  sqlite_use_immediate_transaction => 0 });
}

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

# Stops and starts httpd (same configuration, same database).
sub restart_server {
    my $server = Apache::Test::config()->server;
    $server->stop;
    $server->start;
}

1;
