# Slow clients cannot hold the server: 60 connections that send their
# headers, a form body or a SOAP envelope one byte a second, against a virtual host with
# short mod_reqtimeout limits (header=2 body=2), are all cut off (408 or
# closed) within a few limits, although only 16 workers serve them all;
# a normal call made meanwhile to the main server is answered.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use IO::Select ();
use IO::Socket::INET ();
use Time::HiRes qw(time sleep);
use InforTest;

plan tests => 7;

my $N = 60;          # slow connections: half dribble headers, half bodies
my $LIMIT = 2;       # the infor_slow virtual host's header and body limit
my $WORKERS = 16;    # MaxRequestWorkers of the test server
# Every slow client is cut off after about $LIMIT once a worker takes it;
# the workers take them $WORKERS at a time.  Generous: the machine is
# shared.
my $BOUND = 3 * $LIMIT * (int($N / $WORKERS) + 1);    # 24 s: never near

my $PW = 'sc-Secret-pw-4711';
add_user('sc_user', $PW);

Apache::TestRequest::module('infor_slow');
my $slow_hp = Apache::TestRequest::hostport();
Apache::TestRequest::module('default');
my $main_hp = Apache::TestRequest::hostport();

$SIG{PIPE} = 'IGNORE';
my $t0 = time;
my (@conns, %by_sock);
for my $i (1 .. $N) {
    my $sock = IO::Socket::INET->new(PeerAddr => $slow_hp, Timeout => 10)
        or die "connect $slow_hp: $!";
    $sock->blocking(0);
    my $c = { sock => $sock, n => $i, got => '', sent => 0 };
    if ($i % 2) {
        # Headers that never end: one more byte a second.
        $c->{kind} = 'header';
        $c->{first} = "GET /srv.asmx/AuthenticateUser?UID=sc_user HTTP/1.1\r\n"
                    . "Host: localhost\r\nX-Slow: ";
    }
    elsif ($i % 4 == 0) {
        # A whole SOAP request head, then the envelope one byte a second.
        $c->{kind} = 'body';
        $c->{first} = "POST /srv.asmx HTTP/1.1\r\nHost: localhost\r\n"
                    . "Content-Length: 1000\r\n"
                    . "Content-Type: text/xml; charset=utf-8\r\n"
                    . "SOAPAction: \"http://tempuri.org/AuthenticateUser\""
                    . "\r\n\r\n<?xml version=\"1.0\"?>";
    }
    else {
        # Whole headers, then a form body one byte a second.
        $c->{kind} = 'body';
        $c->{first} = "POST /srv.asmx/AuthenticateUser HTTP/1.1\r\n"
                    . "Host: localhost\r\nContent-Length: 1000\r\n"
                    . "Content-Type: application/x-www-form-urlencoded\r\n"
                    . "\r\nUID=sc_user&PWD=";
    }
    syswrite $sock, $c->{first};
    push @conns, $c;
    $by_sock{$sock} = $c;
}

# The normal call, a second later, to the main server.
my ($normal, $normal_at, $normal_done, $normal_got) = (undef, 0, 0, '');
my $sel = IO::Select->new(map { $_->{sock} } @conns);
my $next_byte = $t0 + 1;
while ($sel->count && time - $t0 < $BOUND + 2) {
    if (!$normal && time - $t0 >= 1) {
        $normal = IO::Socket::INET->new(PeerAddr => $main_hp, Timeout => 10)
            or die "connect $main_hp: $!";
        syswrite $normal, "GET /srv.asmx/AuthenticateUser?UID=sc_user"
            . "&PWD=$PW HTTP/1.1\r\nHost: localhost\r\nConnection: close"
            . "\r\n\r\n";
        $normal_at = time;
        $normal->blocking(0);
        $sel->add($normal);
    }
    if (time >= $next_byte) {
        for my $c (grep { !$_->{closed} } @conns) {
            my $w = syswrite $c->{sock}, 'x';
            $c->{sent}++ if $w;
        }
        $next_byte += 1;
    }
    for my $s ($sel->can_read(0.1)) {
        my $n = sysread $s, my $buf, 65536;
        next if !defined $n && $!{EAGAIN};
        if ($normal && $s == $normal) {
            $normal_got .= $buf if $n;
            if (!$n) {
                $normal_done = time;
                $sel->remove($s);
                close $s;
            }
            next;
        }
        my $c = $by_sock{$s};
        $c->{got} .= $buf if $n;
        if (!$n) {    # closed (or reset) by the server
            $c->{closed} = time - $t0;
            $sel->remove($s);
            close $s;
        }
    }
}

my @open = grep { !$_->{closed} } @conns;
ok t_cmp(scalar @open, 0, "all $N slow connections were closed by the"
         . " server (within ${BOUND}s)");
my @served = grep { $_->{got} =~ m{^HTTP/1\.1 200 } } @conns;
ok t_cmp(scalar @served, 0, 'none of them was served');
my %status;
$status{($_->{got} =~ m{^HTTP/1\.1 (\d{3})})[0] // 'closed'}++ for @conns;
my @h = grep { $_->{kind} eq 'header' } @conns;
ok t_cmp(scalar(grep { $_->{got} =~ m{^HTTP/1\.1 408 } } @h), scalar @h,
         'slow headers: 408 Request Timeout');
my @b = grep { $_->{kind} eq 'body' } @conns;
# (The module cannot tell a body that timed out from one it could not
# read: it answers 400, or a SOAP Fault with 500, and the connection is
# closed.)
ok t_cmp(scalar(grep { $_->{got} =~ m{^HTTP/1\.1 (?:408|400|500) }
                       || $_->{got} eq '' } @b), scalar @b,
         'slow bodies: refused (408, 400 or a Fault) and closed');
# Each one was cut off long before it could finish: its bytes sent are far
# fewer than the 1000 of the body (or the endless header).
my $most = 0;
for (@conns) { $most = $_->{sent} if $_->{sent} > $most }
ok t_cmp($most < $BOUND + 2 ? 1 : 0, 1,
         "no slow client kept sending for long (most bytes: $most)");

ok t_cmp($normal_got =~ m{\AHTTP/1\.1 200 .*<root success="true" ticket="}s
         ? 'answered' : "not answered: $normal_got", 'answered',
         'the normal call made meanwhile was answered');
my $took = $normal_done ? $normal_done - $normal_at : 999;
ok t_cmp($took < $BOUND ? 1 : 0, 1,
         sprintf('... within the bound (%.1fs; the last slow client was'
                 . ' cut off at %.1fs; statuses: %s)', $took,
                 (sort { $b <=> $a } map { $_->{closed} // 999 } @conns)[0],
                 join(' ', map { "$_=$status{$_}" } sort keys %status)));
