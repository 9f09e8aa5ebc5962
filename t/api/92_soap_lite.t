# A real Perl SOAP toolkit: SOAP::Lite (Debian libsoap-lite-perl) calls the
# service in document/literal style, as a client written against the
# documentation would, and reads the answers it parses.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
# The trace hook keeps the last request SOAP::Lite sent.
use SOAP::Lite +trace => [ transport => \&keep_request ];
use InforTest;

plan tests => 43;

my $URL    = 'http://' . Apache::TestRequest::hostport() . '/srv.asmx';
my $GUID   = guid_re();
my $DAYS30 = 30 * 86400;
my $PW     = 'sl-Secret-pw-7';
my $FAIL   = '<root success="false" error="[900] Authentication failed" />';

my $uid = add_user('sl_user', $PW, '--first', 'Soap', '--last', 'Lite',
                   '--email', 'sl@kept.example', '--mobile', '000');

my $last_request = '';
sub keep_request {
    my $m = shift;
    $last_request = $m->content if ref $m && $m->isa('HTTP::Request');
}

# SOAP::Lite's SOAP version is global: soapversion('1.2') makes the
# clients made after it (and their envelopes) 1.2 until it is set back.
sub client {
    my %o = @_;
    SOAP::Lite->soapversion($o{soapversion} || '1.1');
    return SOAP::Lite->proxy($URL, timeout => 30)
                     ->default_ns('http://tempuri.org/')
                     ->on_action(sub { "http://tempuri.org/$_[1]" });
}
my $soap = client();

sub p { SOAP::Data->name($_[0])->value($_[1])->type('string') }

# Calls METHOD; returns the SOM and the HTTP answer.
sub call {
    my ($s, $method, @params) = @_;
    my $som = $s->call($method, @params);
    return ($som, $s->transport->http_response);
}

# The attributes of the element at PATH of a SOM, or a description of why
# there are none.
sub attrs {
    my ($som, $path) = @_;
    return 'no answer' unless ref $som;
    return 'Fault: ' . $som->faultstring if $som->fault;
    my $d = $som->dataof($path);
    return $d ? $d->attr : "nothing at $path";
}

# ------------------------------------------------------ AuthenticateUser

my $t0 = time;
my ($som, $http) = call($soap, 'AuthenticateUser', p(UID => 'sl_user'),
                        p(PWD => $PW));
ok t_cmp($http->code, 200, 'AuthenticateUser: HTTP 200');
ok t_cmp($http->header('Content-Type'), 'text/xml; charset=utf-8',
         'AuthenticateUser: text/xml');
ok t_cmp($som->fault ? $som->faultstring : 'no fault', 'no fault',
         'AuthenticateUser: no Fault');
my $auth = attrs($som, '//AuthenticateUserResult/root');
my $ticket = ref $auth ? $auth->{ticket} // '' : '';
my $expire = ref $auth ? $auth->{expireOn} // '' : '';
ok t_cmp($ticket, qr/\A$GUID\z/, 'AuthenticateUser: ticket is a GUID');
my $exp = epoch_of($expire);
ok t_cmp(defined $exp && abs($exp - ($t0 + $DAYS30)) <= 120
         ? 'now + 30 days' : "expireOn '$expire'", 'now + 30 days',
         'AuthenticateUser: expireOn');
ok t_cmp($auth,
         { success => 'true', ticket => $ticket, userid => $uid,
           username => 'sl_user', firstName => 'Soap', lastName => 'Lite',
           fullname => 'Soap Lite', email => 'sl@kept.example',
           expireOn => $expire, isAuthenticated => 'True' },
         'AuthenticateUser: every attribute of <root>, as parsed');
ok t_cmp($http->content,
         soap_expect('AuthenticateUser',
             qq{<root success="true" ticket="$ticket" userid="$uid" }
           . q{username="sl_user" firstName="Soap" lastName="Lite" }
           . q{fullname="Soap Lite" email="sl@kept.example" }
           . qq{expireOn="$expire" isAuthenticated="True" />}),
         'AuthenticateUser: the whole envelope');
ok t_cmp(scalar(() = $som->dataof('//AuthenticateUserResult/*')), 1,
         'AuthenticateUser: one element in the Result');

# A wrong password is an answer, not a Fault.
($som, $http) = call($soap, 'AuthenticateUser', p(UID => 'sl_user'),
                     p(PWD => 'wrong'));
ok t_cmp([ $http->code, $som->fault ? 'Fault' : 'no fault' ],
         [ 200, 'no fault' ], 'wrong password: HTTP 200, no Fault');
ok t_cmp(attrs($som, '//AuthenticateUserResult/root'),
         { success => 'false', error => '[900] Authentication failed' },
         'wrong password: success="false" and the [900] error');
ok t_cmp($http->content, soap_expect('AuthenticateUser', $FAIL),
         'wrong password: the whole envelope');

# ------------------------------------------------- UpdateUserContactInfo

# undef goes out as xsi:nil: the stored email stays.
my $request;
($som, $http) = call($soap, 'UpdateUserContactInfo',
                     p(authenticationTicket => $ticket),
                     p(userName => 'sl_user'),
                     SOAP::Data->name('emailAddress')->value(undef),
                     p(mobileNumber => '+49 30 1234'));
$request = $last_request;
ok t_cmp($request =~ m{<emailAddress xsi:nil="true"\s*/>} ? 'nil' : $request,
         'nil', 'SOAP::Lite sent emailAddress as xsi:nil');
ok t_cmp(attrs($som, '//UpdateUserContactInfoResult/response'),
         { success => 'true', error => '' },
         'UpdateUserContactInfo (null email): success');
ok t_cmp($http->content,
         soap_expect('UpdateUserContactInfo',
                     '<response success="true" error="" />'),
         'UpdateUserContactInfo (null email): the whole envelope');
ok t_cmp(contact('sl_user'), [ 'sl@kept.example', '+49 30 1234' ],
         'database: email kept, mobile set');

# Values that need escaping, both ways.
my $odd = q{o'd"d<&>@x.example};
($som, $http) = call($soap, 'UpdateUserContactInfo',
                     p(authenticationTicket => $ticket),
                     p(userName => 'sl_user'), p(emailAddress => $odd),
                     p(mobileNumber => '1 & 2'));
ok t_cmp(attrs($som, '//UpdateUserContactInfoResult/response'),
         { success => 'true', error => '' },
         'UpdateUserContactInfo (escaped values): success');
ok t_cmp(contact('sl_user'), [ $odd, '1 & 2' ],
         'database: the values exactly as sent');

# Another user's record: refused inside the result.
add_user('sl_other', 'sl-Other-pw-1', '--email', 'other@x');
($som, $http) = call($soap, 'UpdateUserContactInfo',
                     p(authenticationTicket => $ticket),
                     p(userName => 'sl_other'), p(emailAddress => 'h@x'),
                     p(mobileNumber => '9'));
ok t_cmp([ $http->code, attrs($som, '//UpdateUserContactInfoResult/response') ],
         [ 200, { success => 'false', error => 'Access denied' } ],
         'UpdateUserContactInfo on another user: Access denied');
ok t_cmp(user_row('sl_other')->{email}, 'other@x', 'database: other unchanged');

# ---------------------------------------------------------------- GetUser

($som, $http) = call($soap, 'GetUser', p(authenticationTicket => $ticket),
                     p(UserName => ''));
ok t_cmp($http->code, 200, 'GetUser: HTTP 200');
ok t_cmp(attrs($som, '//GetUserResult/response'),
         { success => 'true', error => '' }, 'GetUser: <response> attributes');
my $row = user_row('sl_user');
my $user = attrs($som, '//GetUserResult/response/User');
ok t_cmp($user,
         { exists => 'true', UserID => $uid, FirstName => 'Soap',
           LastName => 'Lite', Email => $odd, MobileNumber => '1 & 2',
           Enabled => 'TRUE', UserName => 'sl_user', Domain => '',
           LastLogonDate => user_date($row->{last_logon}),
           LastPasswordChangeDate => user_date($row->{last_password_change}),
           AuthenticationAuthority => 'Native', ReadOnlyUser => 'FALSE' },
         'GetUser: every attribute of <User>, unescaped by the parser');
ok t_cmp(attrs($som, '//GetUserResult/response/User/Preferences'),
         { Language => 'English', DefaultPortal => '',
           ShowArchives => 'FALSE', ShowHiddens => 'FALSE',
           NotificationType => 'NONE', NotificationTypeId => '0',
           EmailType => 'HTML', AttachDocumentToEmail => 'FALSE' },
         'GetUser: <Preferences>');
ok t_cmp($http->content =~ m{ Email="o&apos;d&quot;d&lt;&amp;&gt;\@x\.example"
                              \s MobileNumber="1\s&amp;\s2"\s}x
         ? 'escaped' : $http->content, 'escaped',
         'GetUser: the values are escaped on the wire');
ok t_cmp($user->{LastLogonDate}, qr/\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\z/,
         'GetUser: LastLogonDate set by the login');

# The same through the SOAP 1.2 binding of the toolkit.
my $soap12 = client(soapversion => '1.2');
($som, $http) = call($soap12, 'GetUser', p(authenticationTicket => $ticket),
                     p(UserName => 'sl_user'));
ok t_cmp([ $http->code, $http->header('Content-Type') ],
         [ 200, 'application/soap+xml; charset=utf-8' ],
         'SOAP 1.2 GetUser: HTTP 200, application/soap+xml');
ok t_cmp($last_request
             =~ m{<soap:Envelope [^>]*xmlns:soap="http://www\.w3\.org/2003/05/soap-envelope"}
         ? 'SOAP 1.2' : $last_request, 'SOAP 1.2',
         'SOAP 1.2 GetUser: SOAP::Lite sent a 1.2 envelope');
ok t_cmp(attrs($som, '//GetUserResult/response/User'), $user,
         'SOAP 1.2 GetUser: the same <User>');
$soap = client();    # back to SOAP 1.1

# ----------------------------------------------------------------- LogOut

($som, $http) = call($soap, 'LogOut', p(AuthenticationTicket => $ticket));
ok t_cmp($last_request
             =~ m{<soap:Envelope [^>]*xmlns:soap="http://schemas\.xmlsoap\.org/soap/envelope/"}
         ? 'SOAP 1.1' : $last_request, 'SOAP 1.1',
         'LogOut: SOAP::Lite is back to SOAP 1.1');
ok t_cmp([ $http->code, attrs($som, '//LogOutResult/root') ],
         [ 200, { success => 'true' } ], 'LogOut: <root success="true" />');
ok t_cmp($http->content, soap_expect('LogOut', '<root success="true" />'),
         'LogOut: the whole envelope');
ok t_cmp([ session_rows($uid) ], [], 'database: no session left');

($som, $http) = call($soap, 'LogOut', p(AuthenticationTicket => $ticket));
ok t_cmp(attrs($som, '//LogOutResult/root'),
         { success => 'false',
           error => '[901] Session expired or Invalid ticket' },
         'LogOut again: [901]');
($som, $http) = call($soap, 'GetUser', p(authenticationTicket => $ticket),
                     p(UserName => ''));
ok t_cmp(attrs($som, '//GetUserResult/response'),
         { success => 'false',
           error => '[901] Session expired or Invalid ticket' },
         'GetUser after LogOut: [901]');
ok t_cmp(scalar(() = $som->dataof('//GetUserResult/response/User')), 0,
         'GetUser after LogOut: no <User>');

# ------------------------------------------- toolkit errors are Faults

# A method the service does not have: a SOAP Fault the toolkit reports.
($som, $http) = call($soap, 'NoSuchMethod', p(x => 1));
ok t_cmp($http->code, 500, 'unknown method: HTTP 500');
ok t_cmp($som->fault ? 'Fault' : 'no fault', 'Fault',
         'unknown method: SOAP::Lite sees a Fault');
ok t_cmp($som->faultcode, 'soap:Client', 'unknown method: faultcode');
ok t_cmp($som->faultstring, qr/NoSuchMethod/,
         'unknown method: faultstring names it');

# The next call is served normally.
($som, $http) = call($soap, 'AuthenticateUser', p(UID => 'SL_USER'),
                     p(PWD => $PW));
my $again = attrs($som, '//AuthenticateUserResult/root');
ok t_cmp(ref $again ? [ @$again{qw(success username userid)} ] : $again,
         [ 'true', 'sl_user', $uid ],
         'after the Fault: a login (name in another case) works');
ok t_cmp(ref $again ? $again->{ticket} : '', qr/\A$GUID\z/,
         'after the Fault: a new ticket');
ok t_cmp(ref $again && $again->{ticket} ne $ticket ? 'new' : 'same', 'new',
         'after the Fault: not the old ticket');
ok t_cmp(scalar(my @live = session_rows($uid)), 1, 'database: one live session');
