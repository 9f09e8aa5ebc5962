# Reset mail that cannot hang a worker, in the user's format (issue 8,
# point 7): a mail command that hangs is killed after InforMailTimeout
# (with what it started), one that fails is answered and logged; the mail
# is text/plain for EmailType TEXT and multipart/alternative with an
# escaped text/html part for HTML; ForgotPassword is rate-limited per
# account and per address (InforResetThrottle 2 3 60s on infor_throttle).
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use Time::HiRes qw(time sleep);
use URI::Escape qw(uri_escape);
use InforTest;

plan tests => 27;

my $OK = rest_expect('<root success="true" />');
sub not_sent {
    rest_expect('<root success="false" error="The password reset email '
                . "could not be sent to: $_[0]\" />");
}

# Processes whose command line is exactly $cmd.
sub running {
    my $cmd = shift;
    my @pids;
    for my $d (glob '/proc/[0-9]*') {
        open my $fh, '<', "$d/cmdline" or next;
        my $c = do { local $/; <$fh> } // '';
        close $fh;
        $c =~ s/\0+\z//;
        $c =~ tr/\0/ /;
        push @pids, $d =~ s{/proc/}{}r if $c eq $cmd;
    }
    return @pids;
}
sub fpu {
    my ($name, @h) = @_;
    return Apache::TestRequest::GET("$InforTest::BASE/ForgotPasswordByUserName"
                                    . '?userName=' . uri_escape($name), @h)
        ->content;
}

add_user('rm_text', 'pw-rm-text-1', '--first', 'Tex', '--email',
         'rm_text@rm.test');
add_user('rm_html', 'pw-rm-html-1', '--first', 'H<t>&"ml', '--email',
         'rm_html@rm.test');
db_do(q{UPDATE infor_users SET pref_email_type = 'TEXT' WHERE username = ?},
      'rm_text');
db_do(q{UPDATE infor_users SET pref_email_type = 'HTML' WHERE username = ?},
      'rm_html');
add_user("rm_$_", 'pw-rm-x-1', '--email', "rm_$_\@rm.test") for 'a' .. 'e';

# --- EmailType TEXT: text/plain
ok t_cmp(fpu('rm_text'), $OK, 'TEXT user: sent');
my ($m) = new_mail('rm_text@rm.test');
ok t_cmp($m ? $m->{head}{'content-type'} : '', 'text/plain; charset=utf-8',
         'TEXT user: Content-Type text/plain');
ok t_cmp($m ? $m->{body} : '', qr{\AHello Tex,\n\n.*^http://\S+/resetpassword\.aspx\?username=rm_text&secretText=[0-9a-f-]{36}$}ms,
         'TEXT user: the text with the link');

# --- EmailType HTML: multipart/alternative with text/html
ok t_cmp(fpu('rm_html'), $OK, 'HTML user: sent');
($m) = new_mail('rm_html@rm.test');
my $ct = $m ? $m->{head}{'content-type'} : '';
ok t_cmp($ct, qr{^multipart/alternative; boundary="=_[0-9a-f]{32}"$},
         'HTML user: multipart/alternative');
my ($b) = $ct =~ /boundary="([^"]+)"/;
my @parts = $b && $m ? split /^--\Q$b\E(?:--)?\n/m, $m->{body} : ();
shift @parts;    # the preamble
ok t_cmp(scalar @parts, 2, 'HTML user: two parts');
ok t_cmp($parts[0] // '', qr{\AContent-Type: text/plain; charset=utf-8\n.*\n\nHello H<t>&"ml,\n}s,
         'HTML user: a text part first, values as they are');
ok t_cmp($parts[1] // '', qr{\AContent-Type: text/html; charset=utf-8\n.*\n\n<!DOCTYPE html>}s,
         'HTML user: then a text/html part');
ok t_cmp($parts[1] // '', qr{<p>Hello H&lt;t&gt;&amp;&quot;ml,</p>},
         'HTML user: the first name escaped');
ok t_cmp($parts[1] // '', qr{<a href="http://\S+/resetpassword\.aspx\?username=rm_html&amp;secretText=[0-9a-f-]{36}">},
         'HTML user: the link, & escaped');
ok t_cmp(($parts[1] // '') =~ /H<t>/ ? 'raw' : 'escaped', 'escaped',
         'HTML user: no raw value in the HTML part');

# --- a mail command that hangs: killed after InforMailTimeout (1 s)
{
    local $InforTest::BASE = '/hangmail/srv.asmx';
    my $emark = errlog_mark();
    my $t0 = time;
    my $got = fpu('rm_text');
    my $took = time - $t0;
    ok t_cmp($got, not_sent('rm_text'), 'hanging command: not sent, answered');
    ok t_cmp($took < 15 ? 'promptly' : "after ${took}s", 'promptly',
             'hanging command: answered long before it would end (30 s)');
    my @dead;
    for (1 .. 40) {
        @dead = (running('sleep 31.25'), running('sleep 31.5'));
        last unless @dead;
        sleep 0.1;
    }
    ok t_cmp(scalar @dead, 0, 'hanging command: it and what it started are gone');
    my @l;
    for (1 .. 20) {
        @l = errlog_since($emark, qr/INFOR0203/);
        last if @l;
        sleep 0.1;
    }
    ok t_cmp($l[0] // '', qr{\[infor:error\] .*INFOR0203: reset mail for user "rm_text" not sent: the mail command did not finish within 1000 ms and was killed$},
             'hanging command: logged at error');
}

# --- a mail command that fails (/bin/false)
{
    local $InforTest::BASE = '/nomail/srv.asmx';
    my $emark = errlog_mark();
    ok t_cmp(fpu('rm_text'), not_sent('rm_text'), 'failing command: not sent');
    ok t_cmp(rest_get('ForgotPassword', emailAddress => 'rm_html@rm.test')
                 ->content, not_sent('rm_html'),
             'failing command: ForgotPassword too');
    my @l;
    for (1 .. 20) {
        @l = errlog_since($emark, qr/INFOR0203/);
        last if @l >= 2;
        sleep 0.1;
    }
    ok t_cmp(join('', @l), qr{INFOR0203: reset mail for user "rm_text" not sent: the mail command failed \(exit 1\)\n.*INFOR0203: reset mail for user "rm_html" not sent: the mail command failed \(exit 1\)}s,
             'failing command: logged for each');
}
new_mail($_) for map { "rm_$_\@rm.test" } qw(text html);

# --- InforResetThrottle 2 3 60s on infor_throttle
Apache::TestRequest::module('infor_throttle');
my @X = ('X-Forwarded-For' => '10.0.2.1');
my @Y = ('X-Forwarded-For' => '10.0.2.2');
my @Z = ('X-Forwarded-For' => '10.0.2.3');
my $emark = errlog_mark();
ok t_cmp([ fpu('rm_a', @X), fpu('rm_a', @X) ], [ $OK, $OK ],
         'reset throttle: 2 mails for rm_a');
ok t_cmp(fpu('rm_a', @X), not_sent('rm_a'),
         'reset throttle: the 3rd for rm_a is held back');
ok t_cmp(fpu('rm_a', @Y), not_sent('rm_a'),
         'reset throttle: per account: from another address too');
ok t_cmp(scalar(new_mail('rm_a@rm.test')), 2, 'reset throttle: 2 mails only');
ok t_cmp([ map { fpu("rm_$_", @Z) } qw(b c) ], [ $OK, $OK ],
         'reset throttle: Z mails rm_b, rm_c');
ok t_cmp(rest_get('ForgotPassword', emailAddress => 'rm_d@rm.test')->content,
         $OK, 'reset throttle: ForgotPassword from 127.0.0.1 for rm_d');
ok t_cmp([ fpu('rm_d', @Z), fpu('rm_e', @Z) ], [ $OK, not_sent('rm_e') ],
         'reset throttle: per address: Z held back after 3 (rm_e)');
ok t_cmp(scalar(new_mail('rm_e@rm.test')), 0, 'reset throttle: no mail for rm_e');
my @l;
for (1 .. 20) {
    @l = errlog_since($emark, qr/INFOR0202/);
    last if @l >= 3;
    sleep 0.1;
}
ok t_cmp(join('', map { /(user "\w+" from [\d.]+): too many reset mails/ ? "$1\n" : "?$_" } @l),
         qq{user "rm_a" from 10.0.2.1\nuser "rm_a" from 10.0.2.2\nuser "rm_e" from 10.0.2.3\n},
         'reset throttle: each refusal logged (INFOR0202)');
Apache::TestRequest::module('default');
