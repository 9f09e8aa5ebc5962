# Secrets never reach the access log, whichever module answers the call
# and whatever the status: a Require that denies (403), authentication
# (401), core (404, 400), the module's own refusals (404, 405, 413) and
# normal answers.  The request line (%r) and the query string (%q) of
# t/logs/mask_log, and the common log t/logs/access_log, are read.  The
# handler still sees the real values.  Answers are never cached.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use IO::Socket::INET ();
use InforTest;

plan tests => 42;

my $MASK_LOG = Apache::Test::vars('t_logs') . '/mask_log';
my $ACCESS   = Apache::Test::vars('t_logs') . '/access_log';
my $ERRLOG   = Apache::Test::vars('t_logs') . '/error_log';
my $PW = 'lm-Secret-pw-4711';
add_user('lm_user', $PW);

sub size { -s $_[0] || 0 }
my %mark = map { $_ => size($_) } $MASK_LOG, $ACCESS, $ERRLOG;

# Sends a raw request (one connection, closed after the answer); returns
# the status code, the headers (lower-case names) and the body.
sub raw {
    my ($head, $body) = @_;
    my $sock = IO::Socket::INET->new(
        PeerAddr => Apache::TestRequest::hostport(), Timeout => 10)
        or die "connect: $!";
    $head .= "Host: localhost\r\nConnection: close\r\n";
    $head .= 'Content-Length: ' . length($body) . "\r\n" if defined $body;
    print $sock "$head\r\n", $body // '';
    my $res = do { local $/; <$sock> } // '';
    close $sock;
    my ($h, $b) = split /\r\n\r\n/, $res, 2;
    my ($code) = ($h // '') =~ m{^HTTP/1\.\d (\d{3})};
    my %h;
    for (split /\r\n/, $h // '') {
        $h{lc $1} = $2 if /^([^:]+):\s*(.*)$/;
    }
    return ($code // 0, \%h, $b // '');
}

# Each case: name, request head (and body), the status expected, and the
# secrets it carries; a number in a secret keeps it apart from the others.
my $T;    # a live ticket, from the first login
my @secrets = ($PW);
sub secret { my $s = "lm-secret-$_[0]-" . ('x' x 6); push @secrets, $s; $s }

my ($code, $h, $body) = raw("GET /srv.asmx/AuthenticateUser?UID=lm_user"
                            . "&PWD=$PW HTTP/1.1\r\n");
ok t_cmp($code, 200, 'a login over GET: 200');
($T) = $body =~ /ticket="([^"]+)"/;
ok t_cmp($T // '', guid_re(), 'the handler saw the real password: a ticket');
ok t_cmp($h->{'cache-control'}, 'no-store', 'the login answer: no-store');
push @secrets, $T;

# Escaped and differently cased names reach the handler decoded: masked
# too.
($code, $h, $body) = raw("GET /srv.asmx/AuthenticateUser?uid=lm_user"
                         . "&p%57d=$PW HTTP/1.1\r\n");
ok t_cmp($body =~ /success="true" ticket="/ ? 1 : 0, 1,
         'an escaped lower-case PWD works');
push @secrets, $body =~ /ticket="([^"]+)"/;

($code, $h, $body) = raw("GET /srv.asmx/GetUser?authenticationTicket=$T"
                         . "&UserName=lm_user HTTP/1.1\r\n");
ok t_cmp($code, 200, 'GetUser with the ticket in the query: 200');
ok t_cmp($body =~ /<User exists="true" / ? 1 : 0, 1, 'GetUser answered');
ok t_cmp($h->{'cache-control'}, 'no-store', 'the user record: no-store');

my $s;
my @cases = (
    [ 'Require all denied', 403,
      "GET /denied/srv.asmx/AuthenticateUser?UID=lm_user&PWD="
      . secret(403) . " HTTP/1.1\r\n" ],
    [ 'Basic authentication missing', 401,
      "GET /win/srv.asmx/AuthenticateUserViaWindows?oldTicket=$T&PWD="
      . secret(401) . " HTTP/1.1\r\n" ],
    [ 'an unknown method', 404,
      "GET /srv.asmx/NoSuchMethod?NewPassword=" . secret('404a')
      . "&SecretText=" . secret('404b') . " HTTP/1.1\r\n" ],
    [ 'a file that is not there (core)', 404,
      "GET /nothing.asmx?PWD=" . secret('404c') . " HTTP/1.1\r\n" ],
    [ 'a method not allowed', 405,
      "PUT /srv.asmx/ChangeUserPassword?AuthenticationTicket=$T"
      . "&NewPassword=" . secret(405) . " HTTP/1.1\r\n", '' ],
    [ 'a body too large', 413,
      "POST /small/srv.asmx/ChangePasswordUsingSecretText?secretText="
      . secret('413a') . "&newPassword=" . secret('413b') . " HTTP/1.1\r\n"
      . "Content-Type: application/x-www-form-urlencoded\r\n",
      'userName=lm_user&x=' . ('y' x 4000) ],
    [ 'a malformed header line (core)', 400,
      "GET /srv.asmx/AuthenticateUser?UID=lm_user&PWD=" . secret('400a')
      . " HTTP/1.1\r\nno colon in this header\r\n" ],
    [ 'a bad escape in the path (core)', 400,
      "GET /srv.asmx/Authenticate%zzUser?UID=lm_user&PWD=" . secret('400b')
      . " HTTP/1.1\r\n" ],
    [ 'the trusted password, wrong', 200,
      "GET /trusted/srv.asmx/CreateTicketforUser?trusteduserpwd="
      . secret('tr') . "&UserName=lm_user HTTP/1.1\r\n" ],
    [ 'DeleteUser1 and CreateUser passwords', 200,
      "GET /srv.asmx/DeleteUser1?authenticationTicket=$T&UserPassword="
      . secret('del') . "&Password=" . secret('cre') . "&UserName=x"
      . " HTTP/1.1\r\n" ],
    [ 'an absolute URI', 200,
      "GET http://localhost/srv.asmx/AuthenticateUser?UID=lm_user&PWD="
      . secret('abs') . " HTTP/1.1\r\n" ],
);
for my $c (@cases) {
    my ($name, $want, $head, $b) = @$c;
    my ($got, $hdr) = raw($head, $b);
    ok t_cmp($got, $want, "$name: $want");
}

# The answers of the module are never cached, refusals and faults too.
($code, $h) = raw("GET /srv.asmx/NoSuchMethod HTTP/1.1\r\n");
ok t_cmp("$code $h->{'cache-control'}", '404 no-store',
         'a refusal: no-store');
my $res = soap_call('AuthenticateUser', '<UID>lm_user</UID>'
                    . '<PWD>' . secret('soap') . '</PWD>');
ok t_cmp($res->header('Cache-Control'), 'no-store', 'a SOAP answer: no-store');
$res = soap_raw('<soap:Envelope');
ok t_cmp($res->code . ' ' . $res->header('Cache-Control'), '500 no-store',
         'a SOAP Fault: no-store');

# mod_status shows the request line of a call in progress: this one waits
# for its body inside the handler.
{
    my $sock = IO::Socket::INET->new(
        PeerAddr => Apache::TestRequest::hostport(), Timeout => 10)
        or die "connect: $!";
    print $sock "POST /srv.asmx/AuthenticateUser?UID=lm_user&PWD="
        . secret('status') . " HTTP/1.1\r\nHost: localhost\r\n"
        . "Content-Type: application/x-www-form-urlencoded\r\n"
        . "Content-Length: 100\r\n\r\nUID=";
    my $page = '';
    for (1 .. 20) {
        select undef, undef, undef, 0.1;
        $page = Apache::TestRequest::GET('/server-status')->content;
        last if $page =~ m{/srv\.asmx/AuthenticateUser\?};
    }
    ok t_cmp(scalar(() = $page =~ m{POST /srv\.asmx/AuthenticateUser\?UID=lm_user&amp;PWD=\*\*\* HTTP/1\.1}g),
             1, 'server-status shows the call in progress, masked');
    ok t_cmp([grep { index($page, $_) >= 0 } @secrets], [],
             'server-status: no password, secret or whole ticket');
    close $sock;
}

# httpd writes the log lines after the answers: wait for the last ones.
my @mask = log_lines($MASK_LOG, $mark{$MASK_LOG}, scalar(@cases) + 6);
sub log_lines {
    my ($file, $from, $want) = @_;
    my @lines;
    for (1 .. 50) {
        open my $fh, '<', $file or die "$file: $!";
        seek $fh, $from, 0;
        @lines = <$fh>;
        close $fh;
        last if @lines >= $want;
        select undef, undef, undef, 0.1;
    }
    return @lines;
}
my @access = log_lines($ACCESS, $mark{$ACCESS}, scalar(@cases) + 6);
ok t_cmp(scalar(@mask) >= @cases + 6, 1, 'mask_log has every line')
    or print STDERR @mask;

for my $log (['mask_log', \@mask], ['access_log', \@access]) {
    my ($name, $lines) = @$log;
    my $all = join '', @$lines;
    ok t_cmp([grep { index($all, $_) >= 0 } @secrets], [],
             "$name: no password, secret or whole ticket");
}

# Every secret parameter shows ***, in %r and %q alike; tickets show their
# first eight characters.
my %want = (
    403   => qr{^403\|GET /denied/srv\.asmx/AuthenticateUser\?UID=lm_user&PWD=\*\*\* HTTP/1\.1\|\?UID=lm_user&PWD=\*\*\*\|/denied/srv\.asmx/AuthenticateUser$},
    401   => qr{^401\|GET /win/srv\.asmx/AuthenticateUserViaWindows\?oldTicket=\Q@{[substr $T, 0, 8]}\E\.\.\.&PWD=\*\*\* HTTP/1\.1\|\?oldTicket=\Q@{[substr $T, 0, 8]}\E\.\.\.&PWD=\*\*\*\|},
    '404a' => qr{^404\|GET /srv\.asmx/NoSuchMethod\?NewPassword=\*\*\*&SecretText=\*\*\* HTTP/1\.1\|\?NewPassword=\*\*\*&SecretText=\*\*\*\|},
    '404c' => qr{^404\|GET /nothing\.asmx\?PWD=\*\*\* HTTP/1\.1\|\?PWD=\*\*\*\|/nothing\.asmx$},
    405   => qr{^405\|PUT /srv\.asmx/ChangeUserPassword\?AuthenticationTicket=\Q@{[substr $T, 0, 8]}\E\.\.\.&NewPassword=\*\*\* HTTP/1\.1\|\?AuthenticationTicket=\Q@{[substr $T, 0, 8]}\E\.\.\.&NewPassword=\*\*\*\|},
    413   => qr{^413\|POST /small/srv\.asmx/ChangePasswordUsingSecretText\?secretText=\*\*\*&newPassword=\*\*\* HTTP/1\.1\|\?secretText=\*\*\*&newPassword=\*\*\*\|},
    '400a' => qr{^400\|GET /srv\.asmx/AuthenticateUser\?UID=lm_user&PWD=\*\*\* HTTP/1\.1\|\?UID=lm_user&PWD=\*\*\*\|},
    '400b' => qr{^400\|GET /srv\.asmx/Authenticate%zzUser\?UID=lm_user&PWD=\*\*\* HTTP/1\.1\|\?UID=lm_user&PWD=\*\*\*\|},
    tr    => qr{^200\|GET /trusted/srv\.asmx/CreateTicketforUser\?trusteduserpwd=\*\*\*&UserName=lm_user HTTP/1\.1\|\?trusteduserpwd=\*\*\*&UserName=lm_user\|},
    del   => qr{^200\|GET /srv\.asmx/DeleteUser1\?authenticationTicket=\Q@{[substr $T, 0, 8]}\E\.\.\.&UserPassword=\*\*\*&Password=\*\*\*&UserName=x HTTP/1\.1\|},
    abs   => qr{^200\|GET http://localhost/srv\.asmx/AuthenticateUser\?UID=lm_user&PWD=\*\*\* HTTP/1\.1\|\?UID=lm_user&PWD=\*\*\*\|/srv\.asmx/AuthenticateUser$},
    login => qr{^200\|GET /srv\.asmx/AuthenticateUser\?UID=lm_user&PWD=\*\*\* HTTP/1\.1\|\?UID=lm_user&PWD=\*\*\*\|/srv\.asmx/AuthenticateUser$},
    esc   => qr{^200\|GET /srv\.asmx/AuthenticateUser\?uid=lm_user&p%57d=\*\*\* HTTP/1\.1\|\?uid=lm_user&p%57d=\*\*\*\|},
);
for my $k (sort keys %want) {
    my $n = grep { /$want{$k}/ } map { s/\n\z//r } @mask;
    ok t_cmp($n, 1, "mask_log: the $k line, masked in %r and %q")
        or print STDERR map { "# $_" } @mask;
}
# The common log format's request line, for the 403 and the 400.
ok t_cmp(scalar(grep { m{"GET /denied/srv\.asmx/AuthenticateUser\?UID=lm_user&PWD=\*\*\* HTTP/1\.1" 403 } } @access),
         1, 'access_log: the 403 line masked');
ok t_cmp(scalar(grep { m{"GET /srv\.asmx/AuthenticateUser\?UID=lm_user&PWD=\*\*\* HTTP/1\.1" 400 } } @access),
         1, 'access_log: the 400 line masked');

# The error log: no secret either (core's 400s note the request there).
open my $fh, '<', $ERRLOG or die "$ERRLOG: $!";
seek $fh, $mark{$ERRLOG}, 0;
my $errs = do { local $/; <$fh> } // '';
close $fh;
ok t_cmp([grep { index($errs, $_) >= 0 } @secrets], [],
         'error_log: no password, secret or whole ticket');
