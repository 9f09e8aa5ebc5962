# httpd's access control applies to the module's URLs as to any other: a
# closed filesystem (<Directory /> Require all denied) refuses /srv.asmx
# unless a <Location> grants it, and a <Location>'s Require rules decide.
# Nothing runs for a refused call: no session is made.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use InforTest;

plan tests => 12;

my $PW = 'ac-Secret-pw-4711';
my $id = add_user('ac_user', $PW);

# A login at $base on the current server: the status, and whether the
# answer is the module's success.
sub try_login {
    my $base = shift;
    local $InforTest::BASE = $base;
    my $res = rest_get('AuthenticateUser', UID => 'ac_user', PWD => $PW);
    my $ok = $res->content =~ /^\Q$DECL\E<root success="true" ticket="/;
    return $res->code . ($ok ? ' logged in' : '');
}

Apache::TestRequest::module('infor_closed');
my $before = n_sessions($id);
ok t_cmp(try_login('/srv.asmx'), 403,
         '<Directory /> Require all denied, no grant: 403');
my $res = Apache::TestRequest::GET('/srv.asmx?WSDL');
ok t_cmp($res->code, 403, 'the WSDL too');
$res = soap_call('AuthenticateUser', el('UID', 'ac_user') . el('PWD', $PW));
ok t_cmp($res->code, 403, 'and the SOAP endpoint');
ok t_cmp(n_sessions($id), $before, 'no session was made');
ok t_cmp(try_login('/granted/srv.asmx'), '200 logged in',
         '<Location> Require all granted opens it (as conf/infor.conf does)');
ok t_cmp(try_login('/loopback/srv.asmx'), '200 logged in',
         'Require ip 127.0.0.1: the test client gets in');
ok t_cmp(try_login('/elsewhere/srv.asmx'), 403,
         'Require ip of another address: 403');
ok t_cmp(n_sessions($id), $before + 2,
         'a session for each granted login only');

Apache::TestRequest::module('default');
ok t_cmp(try_login('/srv.asmx'), '200 logged in',
         'the main server grants /srv.asmx');
ok t_cmp(try_login('/denied/srv.asmx'), 403,
         '<Location> Require all denied on the handler: 403');
$res = Apache::TestRequest::GET('/denied/srv.asmx?WSDL');
ok t_cmp($res->code, 403, 'the WSDL there too');
ok t_cmp(n_sessions($id), $before + 3, 'no session from the denied one');
