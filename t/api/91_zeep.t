# A real SOAP toolkit against the WSDL: Python zeep (Debian python3-zeep)
# reads /srv.asmx?WSDL and calls the service through the SOAP 1.1 and the
# SOAP 1.2 port (t/bin/zeep_client.py).  The result of each call reaches
# the caller as an XML element; a null emailAddress keeps the stored one.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use Digest::SHA qw(sha1_hex);
use IPC::Open3 qw(open3);
use JSON::PP ();
use Symbol qw(gensym);
use InforTest;

plan tests => 52;

# Debian's python3-zeep is importable from the system python only.
my $PYTHON = '/usr/bin/python3';
my $SCRIPT = Apache::Test::vars('t_dir') . '/bin/zeep_client.py';
my $URL    = 'http://' . Apache::TestRequest::hostport() . '/srv.asmx';
my $GUID   = guid_re();
my $DAYS30 = 30 * 86400;
my $PW     = 'zp-Secret-pw-9';
my %MOBILE = (srvSoap => '+1 555 0111', srvSoap12 => '+1 555 0112');

my $uid = add_user('zp_user', $PW, '--first', 'Zeep', '--last', 'Client',
                   '--email', 'zp@kept.example', '--mobile', '000');

# ------------------------------------------------------- run the client

my $t0 = time;
my $err = gensym;
my $pid = open3(my $in, my $out, $err, $PYTHON, $SCRIPT, $URL, 'zp_user',
                $PW);
close $in;
my $json = do { local $/; <$out> } // '';
my $stderr = do { local $/; <$err> } // '';
waitpid $pid, 0;
my $rc = $? >> 8;

ok t_cmp("$rc $stderr", '0 ', 'zeep_client.py runs cleanly');
my $r = eval { JSON::PP->new->decode($json) };
ok t_cmp(ref $r, 'HASH', 'it prints a JSON object') or $r = {};
print "# zeep $r->{zeep}\n" if $r->{zeep};

# zeep read the 4 ports at the address it fetched the WSDL from.
ok t_cmp($r->{ports}, { map { $_ => $URL }
                        qw(srvSoap srvSoap12 srvHttpGet srvHttpPost) },
         'zeep sees the 4 ports of srv, each at the service URL');

my %ticket;
for my $port (qw(srvSoap srvSoap12)) {
    my $p = $r->{$port} || {};
    my ($ns, $ct) = $port eq 'srvSoap'
        ? ('http://schemas.xmlsoap.org/soap/envelope/',
           qr{^text/xml; charset=utf-8$})
        : ('http://www.w3.org/2003/05/soap-envelope',
           qr{^application/soap\+xml; charset=utf-8; action="http://tempuri\.org/(\w+)"$});

    # --- what zeep sent: the binding's envelope and content type
    my @sent = map { my $s = $p->{"${_}_sent"} || {};
                     join ' ', $_, $s->{envelope_ns} // '-',
                         ($s->{content_type} // '') =~ $ct
                             ? 'type-ok' : 'type ' . ($s->{content_type} // '-'),
                         $s->{operation} // '-' }
               qw(AuthenticateUser UpdateUserContactInfo GetUser LogOut);
    ok t_cmp(\@sent,
             [ map { "$_ $ns type-ok {http://tempuri.org/}$_" }
                   qw(AuthenticateUser UpdateUserContactInfo GetUser LogOut) ],
             "$port: zeep sent the binding's envelopes and Content-Type");
    if ($port eq 'srvSoap12') {
        my ($action) = ($p->{UpdateUserContactInfo_sent}{content_type} // '')
            =~ $ct;
        ok t_cmp($action, 'UpdateUserContactInfo',
                 "$port: the action parameter names the operation");
    }
    else {
        ok t_cmp($p->{UpdateUserContactInfo_sent}{soapaction},
                 '"http://tempuri.org/UpdateUserContactInfo"',
                 "$port: SOAPAction from the WSDL");
    }
    ok t_cmp($p->{UpdateUserContactInfo_sent}{params},
             [ map { "{http://tempuri.org/}$_" }
                   qw(authenticationTicket userName mobileNumber) ],
             "$port: emailAddress=None is left out of the request");

    # --- AuthenticateUser: the <root> element with its attributes
    my $auth = $p->{AuthenticateUser} || {};
    ok t_cmp($auth->{error}, undef, "$port AuthenticateUser: no exception");
    ok t_cmp($auth->{tag}, 'root',
             "$port AuthenticateUser: the result is the <root> element "
             . '(no namespace)');
    my $at = $auth->{attrib} || {};
    ok t_cmp($at->{success}, 'true', "$port AuthenticateUser: success");
    ok t_cmp($at->{ticket}, qr/\A$GUID\z/,
             "$port AuthenticateUser: ticket is a GUID");
    $ticket{$port} = $at->{ticket} // '';
    ok t_cmp($at->{userid}, $uid, "$port AuthenticateUser: userid");
    ok t_cmp([ @$at{qw(username firstName lastName fullname email
                      isAuthenticated)} ],
             [ 'zp_user', 'Zeep', 'Client', 'Zeep Client', 'zp@kept.example',
               'True' ],
             "$port AuthenticateUser: username, names, email, isAuthenticated");
    my $exp = epoch_of($at->{expireOn});
    ok t_cmp(defined $exp && abs($exp - ($t0 + $DAYS30)) <= 120
             ? 'now + 30 days' : 'expireOn ' . ($at->{expireOn} // 'missing'),
             'now + 30 days', "$port AuthenticateUser: expireOn");
    ok t_cmp($auth->{order},
             [qw(success ticket userid username firstName lastName fullname
                 email expireOn isAuthenticated)],
             "$port AuthenticateUser: exactly these attributes, in order");
    ok t_cmp($auth->{children}, [], "$port AuthenticateUser: no children");

    # --- UpdateUserContactInfo with emailAddress None
    my $upd = $p->{UpdateUserContactInfo} || {};
    ok t_cmp([ $upd->{tag}, $upd->{order}, $upd->{attrib} ],
             [ 'response', [qw(success error)],
               { success => 'true', error => '' } ],
             "$port UpdateUserContactInfo: <response success=\"true\" "
             . 'error="" />');

    # --- GetUser '' : the caller's record
    my $get = $p->{GetUser} || {};
    ok t_cmp([ $get->{tag}, $get->{order}, $get->{attrib} ],
             [ 'response', [qw(success error)],
               { success => 'true', error => '' } ],
             "$port GetUser: <response success=\"true\" error=\"\">");
    ok t_cmp([ map { $_->{tag} } @{ $get->{children} || [] } ], ['User'],
             "$port GetUser: one <User> child");
    my $u = $p->{User} || {};
    ok t_cmp($u->{Email}, 'zp@kept.example',
             "$port GetUser: Email kept after the None update");
    ok t_cmp($u->{MobileNumber}, $MOBILE{$port},
             "$port GetUser: MobileNumber changed");
    my $row = user_row('zp_user');
    ok t_cmp($u,
             { exists => 'true', UserID => $uid, FirstName => 'Zeep',
               LastName => 'Client', Email => 'zp@kept.example',
               MobileNumber => $MOBILE{$port}, Enabled => 'TRUE',
               UserName => 'zp_user', Domain => '',
               LastLogonDate => user_date($row->{last_logon}),
               LastPasswordChangeDate =>
                   user_date($row->{last_password_change}),
               AuthenticationAuthority => 'Native', ReadOnlyUser => 'FALSE' },
             "$port GetUser: every attribute of <User>");
    my ($user_el) = @{ $get->{children} || [] };
    ok t_cmp($user_el ? $user_el->{order} : undef,
             [qw(exists UserID FirstName LastName Email MobileNumber Enabled
                 UserName Domain LastLogonDate LastPasswordChangeDate
                 AuthenticationAuthority ReadOnlyUser)],
             "$port GetUser: <User> attributes in the documented order");
    ok t_cmp($user_el ? [ map { [ $_->{tag}, $_->{attrib} ] }
                          @{ $user_el->{children} } ] : undef,
             [ [ 'Preferences',
                 { Language => 'English', DefaultPortal => '',
                   ShowArchives => 'FALSE', ShowHiddens => 'FALSE',
                   NotificationType => 'NONE', NotificationTypeId => '0',
                   EmailType => 'HTML', AttachDocumentToEmail => 'FALSE' } ] ],
             "$port GetUser: <Preferences>");

    # --- LogOut, and the ticket is dead afterwards
    my $out_el = $p->{LogOut} || {};
    ok t_cmp([ $out_el->{tag}, $out_el->{order}, $out_el->{attrib} ],
             [ 'root', ['success'], { success => 'true' } ],
             "$port LogOut: <root success=\"true\" />");
    my $after = $p->{GetUserAfterLogOut} || {};
    ok t_cmp([ $after->{tag}, $after->{attrib} ],
             [ 'response', { success => 'false',
                             error => '[901] Session expired or Invalid ticket' } ],
             "$port: the ticket no longer works after LogOut");
}

ok t_cmp($ticket{srvSoap} ne $ticket{srvSoap12} ? 'different' : 'same',
         'different', 'each login gave its own ticket');

# --------------------------------------------------- the database after

my $row = user_row('zp_user');
ok t_cmp([ @$row{qw(email mobile first_name last_name enabled)} ],
         [ 'zp@kept.example', $MOBILE{srvSoap12}, 'Zeep', 'Client', 1 ],
         'database: email kept, mobile from the last (SOAP 1.2) update');
ok t_cmp([ session_rows($uid) ], [], 'database: both sessions ended');
ok t_cmp(db_value('SELECT COUNT(*) FROM infor_sessions WHERE ticket IN (?, ?)',
                  map { sha1_hex(lc $_) } @ticket{qw(srvSoap srvSoap12)}), 0,
         'database: no row for either ticket');
my $audit = db_value(
    q{SELECT group_concat(line, ';') FROM (SELECT actor_name || '|' || action
      || '|' || target_name || '|' || fields AS line
      FROM infor_audit WHERE target_id = ? ORDER BY at, at_us, id)}, $uid);
ok t_cmp([ split /;/, $audit // '' ],
         [ '|inforadm useradd|zp_user|created',
           ('zp_user|UpdateUserContactInfo|zp_user|mobile') x 2 ],
         'audit: created, then two updates of the mobile number only');
