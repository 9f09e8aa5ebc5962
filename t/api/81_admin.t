# The administration methods in every binding: CreateUser, DeleteUser,
# DeleteUser1, ChangeUserStatus, ChangeUserType, UpdateUserProfile; the
# exact answers, the database and the audit trail afterwards, and who may
# call them.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use POSIX qw(strftime);
use URI::Escape qw(uri_escape);
use InforTest;

plan tests => 181;

my $OK      = '<response success="true" error="" />';
my $DENIED  = '<response success="false" error="Access denied" />';
my $NO_USER = '<response success="false" error="User not found" />';
my $TAKEN   = '<response success="false" error="Username already exists" />';
my $AUTH    = '<response success="false" error="[900] Authentication failed" />';
my $ROOT_AUTH = '<root success="false" error="[900] Authentication failed" />';
my $ROOT_TICKET = '<root success="false" '
                . 'error="[901] Session expired or Invalid ticket" />';
my $CONFIRM = '<response success="false" error="[2767] Deleting a user '
            . 'needs the administrator&apos;s password: use DeleteUser1." />';

# Every clear-text password this file uses: none may ever be stored in the
# audit trail or written to the access log.
my $ADMIN_PW = 'ad-Secr3t-Adm1n';
my @PASSWORDS = ($ADMIN_PW);
sub pw { push @PASSWORDS, $_[0]; $_[0] }

my $admin_id = add_user('ad_admin', $ADMIN_PW, '--admin', '--first', 'Ada',
                        '--last', 'Min');
add_user('ad_plain', pw('pw-plain-ad'), '--first', 'Pla');
my $admin = login('ad_admin', $ADMIN_PW);
my $plain = login('ad_plain', 'pw-plain-ad');

# The audit rows about a user id, oldest first.
sub audit_rows {
    my $id = shift;
    return InforTest::_with_db(sub {
        @{ $_[0]->selectall_arrayref(
            'SELECT actor_id, actor_name, action, target_id, target_name,'
            . ' target_key, fields, client FROM infor_audit'
            . ' WHERE target_id = ? ORDER BY at, at_us, id', { Slice => {} }, $id) };
    });
}

# The audit row an administrator's call should have left.
sub audit_expect {
    my ($action, $id, $name, $fields) = @_;
    return { actor_id => $admin_id, actor_name => 'ad_admin',
             action => $action, target_id => $id, target_name => $name,
             target_key => lc $name, fields => $fields,
             client => '127.0.0.1' };
}

# The newest audit row about a user id, as a hash.
sub last_audit_row { my @r = audit_rows(shift); $r[-1] }

sub can_login {
    my $a = login_answer(@_);
    return $a =~ /^\Q$DECL\E<root success="true" ticket="/ ? 1 : $a;
}

sub current_user {
    my $ticket = shift;
    return rest_get('GetCurrentUser', authenticationTicket => $ticket)
        ->content;
}

sub row_fields {
    my ($name, @cols) = @_;
    my $r = user_row($name) or return undef;
    return [ @$r{@cols} ];
}

my @ROW = qw(username name_key first_name last_name email domain read_only
             auth_authority enabled is_admin);

# ======================================================= CreateUser
my %create = (DomainName => 'Sales', UserName => 'ad_Nia',
              FirstName => 'Nia', LastName => 'New',
              EmailAddress => 'nia@example.com', Password => pw('nia-pass-1'),
              ReadOnlyUser => 'false', AuthenticationSource => 'native');
# The CreateUser parameters: %create with some values replaced, in the
# documented order (a repeated parameter would count only once: the first).
my @CREATE = qw(DomainName UserName FirstName LastName EmailAddress Password
                ReadOnlyUser AuthenticationSource);
sub cu {
    my %v = (%create, @_);
    return map { ($_, $v{$_}) } grep { exists $v{$_} } @CREATE;
}
my $t0 = time;
my $res = rest_get('CreateUser', authenticationTicket => $admin, %create);
my $nia = user_row('ad_nia');
ok t_cmp($res->code, 200, 'CreateUser GET: HTTP 200');
ok t_cmp($res->header('Content-Type'), 'text/xml; charset=utf-8',
         'CreateUser GET: content type');
ok t_cmp($res->content,
         rest_expect(qq{<response success="true" id="$nia->{id}" error="" />}),
         'CreateUser GET: exact answer with the new id');
ok t_cmp(row_fields('ad_nia', @ROW),
         ['ad_Nia', 'ad_nia', 'Nia', 'New', 'nia@example.com', 'Sales', 0,
          'Native', 1, 0],
         'CreateUser GET: the row (native stored as Native)');
ok t_cmp($nia->{password}, qr/\A\$2y\$04\$[.\/A-Za-z0-9]{53}\z/,
         'CreateUser: a cost-4 bcrypt hash is stored');
ok t_cmp(index($nia->{password}, 'nia-pass-1'), -1,
         'CreateUser: the clear text is not stored');
ok t_cmp(($nia->{last_password_change} >= $t0
          && $nia->{last_password_change} <= time + 1) ? 1 : 0, 1,
         'CreateUser: last_password_change is now');
ok t_cmp(can_login('AD_NIA', 'nia-pass-1'), 1,
         'CreateUser: the new user logs in with the new password');
ok t_cmp(last_audit_row($nia->{id}),
         audit_expect('CreateUser', $nia->{id}, 'ad_Nia', 'created'),
         'CreateUser: audit row');
my @nia_audit = audit_rows($nia->{id});
ok t_cmp(scalar(@nia_audit), 1, 'CreateUser: one audit row');

$res = rest_post('CreateUser', authenticationTicket => $admin,
                 DomainName => '', UserName => 'ad_omar', FirstName => 'Omar',
                 LastName => 'Old', EmailAddress => '',
                 Password => pw('omar-pass-1'), ReadOnlyUser => 'TRUE',
                 AuthenticationSource => 'INFOROUTER');
my $omar = user_row('ad_omar');
ok t_cmp($res->content,
         rest_expect(qq{<response success="true" id="$omar->{id}" error="" />}),
         'CreateUser POST: exact answer');
ok t_cmp(row_fields('ad_omar', @ROW),
         ['ad_omar', 'ad_omar', 'Omar', 'Old', '', '', 1, 'Native', 1, 0],
         'CreateUser POST: read-only, INFOROUTER stored as Native');
ok t_cmp(can_login('ad_omar', 'omar-pass-1'), 1, 'CreateUser POST: login');

my $soap_create = sub {
    my %v = @_;
    return soap_call('CreateUser', el('AuthenticationTicket', $admin)
        . join '', map { el($_, $v{$_}) }
          qw(DomainName UserName FirstName LastName EmailAddress Password
             ReadOnlyUser AuthenticationSource));
};
$res = $soap_create->(DomainName => 'Legal', UserName => 'ad_Sam',
                      FirstName => 'Sam', LastName => 'Soap',
                      EmailAddress => 'sam@example.com',
                      Password => pw('sam-pass-1'), ReadOnlyUser => '1',
                      AuthenticationSource => 'InfoRouter');
my $sam = user_row('ad_sam');
ok t_cmp($res->code, 200, 'CreateUser SOAP: HTTP 200');
ok t_cmp($res->content,
         soap_expect('CreateUser',
             qq{<response success="true" id="$sam->{id}" error="" />}),
         'CreateUser SOAP: whole envelope');
ok t_cmp(row_fields('ad_sam', @ROW),
         ['ad_Sam', 'ad_sam', 'Sam', 'Soap', 'sam@example.com', 'Legal', 1,
          'Native', 1, 0],
         'CreateUser SOAP: the row');
ok t_cmp(can_login('ad_sam', 'sam-pass-1'), 1, 'CreateUser SOAP: login');

# Another authority is stored as given.
$res = $soap_create->(UserName => 'ad_ldap', FirstName => 'Lee',
                      LastName => 'Dap', Password => '',
                      ReadOnlyUser => 'false',
                      AuthenticationSource => 'CORP-LDAP');
my $ldap = user_row('ad_ldap');
ok t_cmp($res->content,
         soap_expect('CreateUser',
             qq{<response success="true" id="$ldap->{id}" error="" />}),
         'CreateUser SOAP: DomainName and EmailAddress omitted');
ok t_cmp(row_fields('ad_ldap', @ROW),
         ['ad_ldap', 'ad_ldap', 'Lee', 'Dap', '', '', 0, 'CORP-LDAP', 1, 0],
         'CreateUser: another authority is stored as given');
ok t_cmp($ldap->{password}, '', 'CreateUser: empty password stores no hash');

# An empty password: created, but nobody can log in as that user.
my $n = n_users();
$res = rest_get('CreateUser', authenticationTicket => $admin,
                cu(UserName => 'ad_nopw', Password => ''));
my $nopw = user_row('ad_nopw');
ok t_cmp($res->content,
         rest_expect(qq{<response success="true" id="$nopw->{id}" error="" />}),
         'CreateUser: empty password allowed');
ok t_cmp([n_users(), $nopw->{password}, $nopw->{last_password_change}],
         [$n + 1, '', 0], 'CreateUser: no hash, no password change date');
ok t_cmp(login_answer('ad_nopw', ''), rest_expect($ROOT_AUTH),
         'no password: login with an empty password fails [900]');
ok t_cmp(login_answer('ad_nopw', 'nia-pass-1'), rest_expect($ROOT_AUTH),
         'no password: login with any password fails [900]');

# A clash in another letter case: nothing inserted, the first unchanged.
$n = n_users();
my $nia_before = user_row('ad_nia');
$res = rest_get('CreateUser', authenticationTicket => $admin,
                cu(UserName => 'AD_NIA', FirstName => 'Other'));
ok t_cmp($res->content, rest_expect($TAKEN),
         'CreateUser GET: name clash in another case');
$res = $soap_create->(%create, UserName => 'Ad_Nia');
ok t_cmp($res->content, soap_expect('CreateUser', $TAKEN),
         'CreateUser SOAP: name clash');
ok t_cmp([n_users(), user_row('ad_nia')], [$n, $nia_before],
         'name clash: nothing inserted, the existing user unchanged');

# Latin-1 capitals are the same letters too.
$res = rest_get('CreateUser', authenticationTicket => $admin,
                cu(UserName => 'ad_Zoë', Password => pw('zoe-pass-1')));
my $zoe = user_row('ad_zoë');
ok t_cmp($res->content,
         rest_expect(qq{<response success="true" id="$zoe->{id}" error="" />}),
         'CreateUser: a non-ASCII name');
$n = n_users();
$res = rest_get('CreateUser', authenticationTicket => $admin,
                cu(UserName => 'AD_ZOË', Password => pw('zoe-pass-2')));
ok t_cmp([$res->content, n_users()], [rest_expect($TAKEN), $n],
         'CreateUser: the same name with a Latin-1 capital clashes');

# The password policy (default location: 8 characters, not the user name,
# not the email address).
$n = n_users();
$res = rest_get('CreateUser', authenticationTicket => $admin,
                cu(UserName => 'ad_weak', Password => pw('short7!')));
ok t_cmp($res->content,
         rest_expect(fail_resp('Password must be at least 8 characters long.')),
         'CreateUser: password too short');
$res = rest_post('CreateUser', authenticationTicket => $admin,
                 cu(UserName => 'ad_weak', Password => pw('weak')));
ok t_cmp($res->content,
         rest_expect(fail_resp('Password must be at least 8 characters long.')),
         'CreateUser POST: password too short');
$res = rest_post('CreateUser', authenticationTicket => $admin,
                 cu(UserName => 'ad_weakling',
                    Password => pw('AD_WEAKLING')));
ok t_cmp($res->content,
         rest_expect(fail_resp(
             'Password must not be the same as the user name.')),
         'CreateUser: password equal to the user name');
$res = $soap_create->(%create, UserName => 'ad_weak',
                      EmailAddress => 'weak@example.com',
                      Password => pw('Weak@Example.com'));
ok t_cmp($res->content,
         soap_expect('CreateUser', fail_resp(
             'Password must not be the same as the email address.')),
         'CreateUser SOAP: password equal to the email address');
ok t_cmp([n_users(), user_row('ad_weak'), user_row('ad_weakling')],
         [$n, undef, undef], 'policy refusals: no user created');

# The strict location: 10 characters, letters, digits and symbols.
{
    local $InforTest::BASE = '/strict/srv.asmx';
    $res = rest_get('CreateUser', authenticationTicket => $admin,
                    cu(UserName => 'ad_strict',
                       Password => pw('nia-pas-1')));
    ok t_cmp($res->content,
             rest_expect(fail_resp(
                 'Password must be at least 10 characters long.')),
             'strict: 10 characters');
    $res = rest_get('CreateUser', authenticationTicket => $admin,
                    cu(UserName => 'ad_strict',
                       Password => pw('abcdefghijk')));
    ok t_cmp($res->content,
             rest_expect(fail_resp('Password must include a digit.')),
             'strict: a digit');
    $res = rest_get('CreateUser', authenticationTicket => $admin,
                    cu(UserName => 'ad_strict',
                       Password => pw('abcdefghij1')));
    ok t_cmp($res->content,
             rest_expect(fail_resp('Password must include a character that '
                                   . 'is neither a letter nor a digit.')),
             'strict: a symbol');
    ok t_cmp(user_row('ad_strict'), undef, 'strict: nothing created');
    $res = rest_get('CreateUser', authenticationTicket => $admin,
                    cu(UserName => 'ad_strict',
                       Password => pw('abc-defg-h1')));
    my $strict = user_row('ad_strict');
    ok t_cmp($res->content,
             rest_expect(qq{<response success="true" id="$strict->{id}" }
                         . 'error="" />'),
             'strict: a password that meets the policy');
}

# The user name: empty, blank, ID:.
$n = n_users();
$res = rest_get('CreateUser', authenticationTicket => $admin,
                cu(UserName => ''));
ok t_cmp($res->content,
         rest_expect(fail_resp(
             q{[903]Required parameter.&apos;UserName&apos;})),
         'CreateUser: empty UserName');
$res = $soap_create->(%create, UserName => '   ');
ok t_cmp($res->content,
         soap_expect('CreateUser',
             fail_resp(q{[903]Required parameter.&apos;UserName&apos;})),
         'CreateUser SOAP: blank UserName');
$res = rest_post('CreateUser', authenticationTicket => $admin,
                 cu(UserName => 'ID:77'));
ok t_cmp($res->content,
         rest_expect(fail_resp('A user name may not start with ID:')),
         'CreateUser: UserName starting with ID:');
$res = rest_get('CreateUser', authenticationTicket => $admin,
                cu(UserName => 'id:ad_x'));
ok t_cmp($res->content,
         rest_expect(fail_resp('A user name may not start with ID:')),
         'CreateUser: UserName starting with id: (any case)');
$res = rest_get('CreateUser', authenticationTicket => $admin,
                cu(UserName => 'ad_nosource', AuthenticationSource => ''));
ok t_cmp($res->content,
         rest_expect(fail_resp(
             q{[903]Required parameter.&apos;AuthenticationSource&apos;})),
         'CreateUser: empty AuthenticationSource');
ok t_cmp(n_users(), $n, 'bad user names and sources: nothing created');

# ReadOnlyUser must be a boolean; absent required parameters.
$res = rest_get('CreateUser', authenticationTicket => $admin,
                cu(UserName => 'ad_maybe', ReadOnlyUser => 'maybe'));
ok t_cmp([$res->code, $res->header('Content-Type'), $res->content],
         [400, 'text/plain; charset=utf-8',
          "Invalid parameter: ReadOnlyUser must be true or false.\n"],
         'CreateUser: ReadOnlyUser=maybe is HTTP 400');
my %partial = cu(UserName => 'ad_maybe');
delete $partial{AuthenticationSource};
$res = rest_post('CreateUser', authenticationTicket => $admin, %partial);
ok t_cmp([$res->code, $res->content],
         [400, "Missing parameter: AuthenticationSource.\n"],
         'CreateUser POST: absent AuthenticationSource is HTTP 400');
ok t_cmp([n_users(), user_row('ad_maybe')], [$n, undef],
         'HTTP 400: nothing created');

# Not an administrator.
$res = rest_get('CreateUser', authenticationTicket => $plain,
                cu(UserName => 'ad_sneaky', Password => 'sneaky-pass'));
ok t_cmp($res->content, rest_expect($DENIED), 'CreateUser: non-admin denied');
$res = soap_call('CreateUser', el('AuthenticationTicket', $plain)
                 . el('UserName', 'ad_sneaky') . el('FirstName', 'S')
                 . el('LastName', 'S') . el('ReadOnlyUser', 'false')
                 . el('AuthenticationSource', 'native'));
ok t_cmp($res->content, soap_expect('CreateUser', $DENIED),
         'CreateUser SOAP: non-admin denied');
$res = rest_get('CreateUser', authenticationTicket => 'not-a-ticket',
                cu(UserName => 'ad_sneaky'));
ok t_cmp($res->content, rest_expect($AUTH), 'CreateUser: bad ticket [900]');
ok t_cmp([n_users(), user_row('ad_sneaky')], [$n, undef],
         'refused callers: nothing created');

# ======================================================= DeleteUser
add_user("ad_del$_", pw("pw-del-$_"), '--first', "Del$_") for 1 .. 8;
my %del_id = map { ("ad_del$_" => user_row("ad_del$_")->{id}) } 1 .. 8;
my $del1 = login('ad_del1', 'pw-del-1');
login('ad_del1', 'pw-del-1');
ok t_cmp(n_sessions($del_id{ad_del1}), 2,
         'ad_del1 has two live sessions');

$res = rest_get('DeleteUser', authenticationTicket => $admin,
                UserName => 'AD_DEL1');
ok t_cmp($res->code, 200, 'DeleteUser GET: HTTP 200');
ok t_cmp($res->content, rest_expect($OK), 'DeleteUser GET: by name');
ok t_cmp([user_row('ad_del1'), n_sessions($del_id{ad_del1})],
         [undef, 0], 'DeleteUser: the row and the sessions are gone');
ok t_cmp(current_user($del1), rest_expect($ROOT_TICKET),
         'DeleteUser: the deleted user\'s ticket gets [901]');
ok t_cmp(login_answer('ad_del1', 'pw-del-1'), rest_expect($ROOT_AUTH),
         'DeleteUser: the deleted user cannot log in');
ok t_cmp(last_audit_row($del_id{ad_del1}),
         audit_expect('DeleteUser', $del_id{ad_del1}, 'ad_del1', 'deleted'),
         'DeleteUser: audit row');

$res = rest_post('DeleteUser', authenticationTicket => $admin,
                 UserName => "ID:$del_id{ad_del2}");
ok t_cmp($res->content, rest_expect($OK), 'DeleteUser POST: by ID:<n>');
ok t_cmp(user_row('ad_del2'), undef, 'DeleteUser POST: row gone');
ok t_cmp(last_audit_row($del_id{ad_del2}),
         audit_expect('DeleteUser', $del_id{ad_del2}, 'ad_del2', 'deleted'),
         'DeleteUser by id: audit row names the user');

$res = soap_call('DeleteUser', el('AuthenticationTicket', $admin)
                               . el('UserName', 'ad_del3'));
ok t_cmp($res->content, soap_expect('DeleteUser', $OK), 'DeleteUser SOAP');
ok t_cmp(user_row('ad_del3'), undef, 'DeleteUser SOAP: row gone');

$n = n_users();
$res = rest_get('DeleteUser', authenticationTicket => $admin,
                UserName => 'ad_del1');
ok t_cmp($res->content, rest_expect($NO_USER),
         'DeleteUser: an already deleted user: User not found');
$res = soap_call('DeleteUser', el('AuthenticationTicket', $admin)
                               . el('UserName', 'ID:999999'));
ok t_cmp($res->content, soap_expect('DeleteUser', $NO_USER),
         'DeleteUser SOAP: unknown id: User not found');
$res = rest_get('DeleteUser', authenticationTicket => $admin, UserName => '');
ok t_cmp($res->content, rest_expect($NO_USER),
         'DeleteUser: empty UserName: User not found');

$res = rest_get('DeleteUser', authenticationTicket => $plain,
                UserName => 'ad_del4');
ok t_cmp($res->content, rest_expect($DENIED), 'DeleteUser: non-admin denied');
$res = rest_get('DeleteUser', authenticationTicket => $plain,
                UserName => 'ad_plain');
ok t_cmp($res->content, rest_expect($DENIED),
         'DeleteUser: non-admin deleting themselves denied');
$res = rest_get('DeleteUser', authenticationTicket => $admin,
                UserName => 'AD_ADMIN');
ok t_cmp($res->content, rest_expect($DENIED),
         'DeleteUser: an administrator deleting themselves: denied');
$res = rest_get('DeleteUser', authenticationTicket => $admin,
                UserName => "ID:$admin_id");
ok t_cmp($res->content, rest_expect($DENIED),
         'DeleteUser: deleting themselves by id: denied');
ok t_cmp([n_users(), defined user_row('ad_del4'), defined user_row('ad_plain'),
          defined user_row('ad_admin')], [$n, 1, 1, 1],
         'refused deletions: nothing deleted');

# Deletion needs the password at /strict: DeleteUser is refused there.
{
    local $InforTest::BASE = '/strict/srv.asmx';
    $res = rest_get('DeleteUser', authenticationTicket => $admin,
                    UserName => 'ad_del4');
    ok t_cmp($res->content, rest_expect($CONFIRM),
             'strict: DeleteUser GET refused with [2767]');
    $res = rest_post('DeleteUser', authenticationTicket => $admin,
                     UserName => 'ad_del4');
    ok t_cmp($res->content, rest_expect($CONFIRM),
             'strict: DeleteUser POST refused with [2767]');
    $res = soap_call('DeleteUser', el('AuthenticationTicket', $admin)
                                   . el('UserName', 'ad_del4'));
    ok t_cmp($res->content, soap_expect('DeleteUser', $CONFIRM),
             'strict: DeleteUser SOAP refused with [2767]');
    ok t_cmp(defined user_row('ad_del4') ? 1 : 0, 1,
             'strict: DeleteUser deleted nothing');
}

# ======================================================= DeleteUser1
my $del5 = login('ad_del5', 'pw-del-5');
{
    local $InforTest::BASE = '/strict/srv.asmx';
    $res = rest_get('DeleteUser1', authenticationTicket => $admin,
                    UserPassword => $ADMIN_PW, UserName => 'ad_del4');
    ok t_cmp($res->content, rest_expect($OK),
             'strict: DeleteUser1 GET with the caller\'s password');
    ok t_cmp(user_row('ad_del4'), undef, 'DeleteUser1 GET: row gone');
    ok t_cmp(last_audit_row($del_id{ad_del4}),
             audit_expect('DeleteUser1', $del_id{ad_del4}, 'ad_del4',
                          'deleted'),
             'DeleteUser1: audit row');

    $n = n_users();
    $res = rest_get('DeleteUser1', authenticationTicket => $admin,
                    UserPassword => pw('ad-Wr0ng-Guess'),
                    UserName => 'ad_del5');
    ok t_cmp($res->content, rest_expect($AUTH),
             'DeleteUser1 GET: wrong password [900]');
    $res = rest_post('DeleteUser1', authenticationTicket => $admin,
                     UserPassword => 'pw-del-5', UserName => 'ad_del5');
    ok t_cmp($res->content, rest_expect($AUTH),
             'DeleteUser1 POST: the target\'s password is not the caller\'s');
    $res = soap_call('DeleteUser1', el('AuthenticationTicket', $admin)
                     . el('UserPassword', '') . el('UserName', 'ad_del5'));
    ok t_cmp($res->content, soap_expect('DeleteUser1', $AUTH),
             'DeleteUser1 SOAP: empty password [900]');
    ok t_cmp([n_users(), defined user_row('ad_del5') ? 1 : 0,
              n_sessions($del_id{ad_del5})], [$n, 1, 1],
             'wrong password: nothing deleted, the session kept');

    $res = rest_post('DeleteUser1', authenticationTicket => $admin,
                     UserPassword => $ADMIN_PW, UserName => 'ad_del5');
    ok t_cmp($res->content, rest_expect($OK), 'DeleteUser1 POST');
    ok t_cmp([user_row('ad_del5'), n_sessions($del_id{ad_del5})],
             [undef, 0], 'DeleteUser1 POST: row and sessions gone');
    ok t_cmp(current_user($del5), rest_expect($ROOT_TICKET),
             'DeleteUser1: the deleted user\'s ticket gets [901]');

    $res = soap_call('DeleteUser1', el('AuthenticationTicket', $admin)
                     . el('UserPassword', $ADMIN_PW)
                     . el('UserName', 'AD_DEL6'));
    ok t_cmp($res->content, soap_expect('DeleteUser1', $OK),
             'DeleteUser1 SOAP');
    ok t_cmp(user_row('ad_del6'), undef, 'DeleteUser1 SOAP: row gone');

    $res = rest_get('DeleteUser1', authenticationTicket => $admin,
                    UserPassword => $ADMIN_PW, UserName => 'ad_del6');
    ok t_cmp($res->content, rest_expect($NO_USER),
             'DeleteUser1: User not found');
    $res = rest_get('DeleteUser1', authenticationTicket => $admin,
                    UserPassword => $ADMIN_PW, UserName => 'ad_admin');
    ok t_cmp($res->content, rest_expect($DENIED),
             'DeleteUser1: deleting themselves denied');
    $res = rest_get('DeleteUser1', authenticationTicket => $plain,
                    UserPassword => 'pw-plain-ad', UserName => 'ad_del7');
    ok t_cmp($res->content, rest_expect($DENIED),
             'DeleteUser1: non-admin denied');
    ok t_cmp([defined user_row('ad_del7') ? 1 : 0,
              defined user_row('ad_admin') ? 1 : 0], [1, 1],
             'DeleteUser1 refusals: nothing deleted');
}
# Without the confirmation switch, DeleteUser1 works too.
$res = rest_get('DeleteUser1', authenticationTicket => $admin,
                UserPassword => $ADMIN_PW, UserName => 'ad_del7');
ok t_cmp([$res->content, user_row('ad_del7')], [rest_expect($OK), undef],
         'DeleteUser1 at the default location');

# The access log masks UserPassword.  The line of a request is written as
# it ends, so wait for the last DeleteUser1 line to be there.
my $log_file = Apache::Test::vars('t_logs') . '/access_log';
my $log = '';
for (1 .. 50) {
    open my $fh, '<', $log_file or die "$log_file: $!";
    $log = do { local $/; <$fh> };
    close $fh;
    last if $log =~ m{"GET /srv\.asmx/DeleteUser1\?[^"]*UserName=ad_del7 };
    select undef, undef, undef, 0.1;
}
ok t_cmp(scalar($log =~ m{"GET\ /srv\.asmx/DeleteUser1\?authenticationTicket=
                          [0-9a-f]{8}\.\.\.&UserPassword=\*\*\*
                          &UserName=ad_del7\ HTTP/1\.1"}x), 1,
         'access log: the DeleteUser1 line shows UserPassword=***');
ok t_cmp([grep { index($log, $_) >= 0 || index($log, uri_escape($_)) >= 0 }
          $ADMIN_PW, 'ad-Wr0ng-Guess', 'pw-del-5'], [],
         'access log: no UserPassword value appears');
# Nor does any other log.
my $other_logs = '';
for my $f (grep { $_ ne $log_file } glob(Apache::Test::vars('t_logs') . '/*')) {
    open my $fh, '<', $f or next;
    $other_logs .= do { local $/; <$fh> };
    close $fh;
}
ok t_cmp([grep { index($other_logs, $_) >= 0 }
          $ADMIN_PW, 'ad-Wr0ng-Guess', 'pw-del-5'], [],
         'error and pid logs: no UserPassword value appears');

# ======================================================= ChangeUserStatus
my $stat_id = add_user('ad_stat', pw('pw-stat-1'), '--first', 'Stat');
my $stat = login('ad_stat', 'pw-stat-1');
$res = rest_get('ChangeUserStatus', authenticationTicket => $admin,
                UserName => 'AD_STAT', StatusCode => '0');
ok t_cmp($res->content, rest_expect($OK), 'ChangeUserStatus GET 0');
ok t_cmp([user_row('ad_stat')->{enabled}, n_sessions($stat_id)],
         [0, 0], 'disabled: stored, the live sessions deleted at once');
ok t_cmp(scalar(rest_get('GetUser', authenticationTicket => $admin,
                         UserName => 'ad_stat')->content
                =~ / Enabled="FALSE" UserName="ad_stat" /), 1,
         'disabled: GetUser says Enabled="FALSE"');
ok t_cmp(current_user($stat), rest_expect($ROOT_TICKET),
         'disabled: the user\'s ticket gets [901]');
ok t_cmp(login_answer('ad_stat', 'pw-stat-1'), rest_expect($ROOT_AUTH),
         'disabled: login fails [900]');
ok t_cmp(last_audit_row($stat_id),
         audit_expect('ChangeUserStatus', $stat_id, 'ad_stat', 'enabled'),
         'ChangeUserStatus: audit row');

$res = rest_post('ChangeUserStatus', authenticationTicket => $admin,
                 UserName => 'ad_stat', StatusCode => '1');
ok t_cmp($res->content, rest_expect($OK), 'ChangeUserStatus POST 1');
ok t_cmp(user_row('ad_stat')->{enabled}, 1, 'enabled again: stored');
ok t_cmp(scalar(rest_get('GetUser', authenticationTicket => $admin,
                         UserName => 'ad_stat')->content
                =~ / Enabled="TRUE" UserName="ad_stat" /), 1,
         'enabled again: GetUser says Enabled="TRUE"');
ok t_cmp(can_login('ad_stat', 'pw-stat-1'), 1, 'enabled again: login works');
ok t_cmp(current_user($stat), rest_expect($ROOT_TICKET),
         'enabled again: the old ticket stays dead');

$stat = login('ad_stat', 'pw-stat-1');
$res = soap_call('ChangeUserStatus', el('AuthenticationTicket', $admin)
                 . el('UserName', "ID:$stat_id") . el('StatusCode', '0'));
ok t_cmp($res->content, soap_expect('ChangeUserStatus', $OK),
         'ChangeUserStatus SOAP 0 (by id)');
ok t_cmp([user_row('ad_stat')->{enabled}, n_sessions($stat_id)],
         [0, 0], 'SOAP disabled: stored, sessions gone');
$res = soap_call('ChangeUserStatus', el('AuthenticationTicket', $admin)
                 . el('UserName', 'ad_stat') . el('StatusCode', '1'));
ok t_cmp([$res->content, user_row('ad_stat')->{enabled}],
         [soap_expect('ChangeUserStatus', $OK), 1],
         'ChangeUserStatus SOAP 1');

my $BAD_STATUS = fail_resp('Invalid StatusCode: 0 disables a user, '
                           . '1 enables one.');
$n = db_value('SELECT COUNT(*) FROM infor_audit WHERE target_id = ?',
              $stat_id);
$res = rest_get('ChangeUserStatus', authenticationTicket => $admin,
                UserName => 'ad_stat', StatusCode => '2');
ok t_cmp($res->content, rest_expect($BAD_STATUS), 'StatusCode 2 refused');
$res = soap_call('ChangeUserStatus', el('AuthenticationTicket', $admin)
                 . el('UserName', 'ad_stat') . el('StatusCode', '-1'));
ok t_cmp($res->content, soap_expect('ChangeUserStatus', $BAD_STATUS),
         'SOAP StatusCode -1 refused');
$res = rest_get('ChangeUserStatus', authenticationTicket => $admin,
                UserName => 'ad_stat', StatusCode => 'abc');
ok t_cmp([$res->code, $res->header('Content-Type'), $res->content],
         [400, 'text/plain; charset=utf-8',
          "Invalid parameter: StatusCode must be an integer.\n"],
         'StatusCode=abc is HTTP 400');
$res = rest_get('ChangeUserStatus', authenticationTicket => $admin,
                UserName => 'ad_admin', StatusCode => '0');
ok t_cmp($res->content, rest_expect($DENIED),
         'ChangeUserStatus: disabling oneself denied');
$res = rest_get('ChangeUserStatus', authenticationTicket => $admin,
                UserName => 'ad_nobody', StatusCode => '0');
ok t_cmp($res->content, rest_expect($NO_USER),
         'ChangeUserStatus: User not found');
ok t_cmp([user_row('ad_stat')->{enabled}, user_row('ad_admin')->{enabled},
          db_value('SELECT COUNT(*) FROM infor_audit WHERE target_id = ?',
                   $stat_id)],
         [1, 1, $n], 'refused status changes: nothing changed or audited');
ok t_cmp(current_user($admin) =~ /^\Q$DECL\E<root success="true">/ ? 1 : 0,
         1, 'the administrator is still logged in');

# ======================================================= ChangeUserType
my $type_id = add_user('ad_type', pw('pw-type-1'));
$res = rest_get('ChangeUserType', authenticationTicket => $admin,
                userName => 'ad_TYPE', userType => '2');
ok t_cmp($res->content, rest_expect($OK), 'ChangeUserType GET 2');
ok t_cmp(user_row('ad_type')->{read_only}, 1, 'type 2: read_only=1');
ok t_cmp(scalar(rest_get('GetUser', authenticationTicket => $admin,
                         UserName => 'ad_type')->content
                =~ / ReadOnlyUser="TRUE">/), 1,
         'type 2: GetUser says ReadOnlyUser="TRUE"');
ok t_cmp(last_audit_row($type_id),
         audit_expect('ChangeUserType', $type_id, 'ad_type', 'read_only'),
         'ChangeUserType: audit row');
$res = rest_post('ChangeUserType', authenticationTicket => $admin,
                 userName => 'ad_type', userType => '1');
ok t_cmp([$res->content, user_row('ad_type')->{read_only}],
         [rest_expect($OK), 0], 'ChangeUserType POST 1: an author');
ok t_cmp(scalar(rest_get('GetUser', authenticationTicket => $admin,
                         UserName => 'ad_type')->content
                =~ / ReadOnlyUser="FALSE">/), 1,
         'type 1: GetUser says ReadOnlyUser="FALSE"');
# The doc's SOAP example capitalises the elements.
$res = soap_call('ChangeUserType', el('AuthenticationTicket', $admin)
                 . el('UserName', 'ad_type') . el('UserType', '2'));
ok t_cmp([$res->content, user_row('ad_type')->{read_only}],
         [soap_expect('ChangeUserType', $OK), 1], 'ChangeUserType SOAP 2');

my $BAD_TYPE = fail_resp('Invalid userType: 1 is an author, '
                         . '2 a read-only user.');
$res = rest_get('ChangeUserType', authenticationTicket => $admin,
                userName => 'ad_type', userType => '3');
ok t_cmp($res->content, rest_expect($BAD_TYPE), 'userType 3 refused');
$res = soap_call('ChangeUserType', el('AuthenticationTicket', $admin)
                 . el('userName', 'ad_type') . el('userType', '0'));
ok t_cmp($res->content, soap_expect('ChangeUserType', $BAD_TYPE),
         'SOAP userType 0 refused');
$res = rest_get('ChangeUserType', authenticationTicket => $admin,
                userName => 'ad_type', userType => 'x');
ok t_cmp([$res->code, $res->content],
         [400, "Invalid parameter: userType must be an integer.\n"],
         'userType=x is HTTP 400');
$res = rest_get('ChangeUserType', authenticationTicket => $admin,
                userName => 'ad_nobody', userType => '1');
ok t_cmp($res->content, rest_expect($NO_USER),
         'ChangeUserType: User not found');
ok t_cmp(user_row('ad_type')->{read_only}, 1,
         'refused type changes: nothing changed');

# ======================================================= UpdateUserProfile
my $prof_id = add_user('ad_prof', pw('pw-prof-1'), '--first', 'P',
                       '--last', 'Q', '--email', 'prof@example.com');
my $prof = login('ad_prof', 'pw-prof-1');
my @PROF = qw(username name_key first_name last_name auth_authority email);
$res = rest_get('UpdateUserProfile', authenticationTicket => $admin,
                UserName => 'AD_PROF', NewUserName => 'ad_Prof2',
                NewFirstName => 'Pro', NewLastName => 'File',
                AuthenticateSource => 'CORP-LDAP');
ok t_cmp($res->content, rest_expect($OK), 'UpdateUserProfile GET: rename');
ok t_cmp([user_row('ad_prof'), row_fields('ad_prof2', @PROF, 'id')],
         [undef, ['ad_Prof2', 'ad_prof2', 'Pro', 'File', 'CORP-LDAP',
                  'prof@example.com', $prof_id]],
         'rename: stored under the new name, same id, email untouched');
ok t_cmp(last_audit_row($prof_id),
         audit_expect('UpdateUserProfile', $prof_id, 'ad_Prof2',
                      'username,first_name,last_name,authentication_source'),
         'UpdateUserProfile: audit row names the new name');
ok t_cmp(current_user($prof),
         rest_expect('<root success="true">' . user_elem('ad_prof2')
                     . '</root>'),
         'rename: the existing ticket works and shows the new name');
ok t_cmp(scalar(user_elem('ad_prof2') =~ / FirstName="Pro" LastName="File" /
                && user_elem('ad_prof2') =~ / UserName="ad_Prof2" /
                && user_elem('ad_prof2')
                   =~ / AuthenticationAuthority="CORP-LDAP" /) ? 1 : 0, 1,
         'rename: GetCurrentUser shows the new name and source');
ok t_cmp(login_answer('ad_prof', 'pw-prof-1'), rest_expect($ROOT_AUTH),
         'rename: the old name no longer logs in');

# A clash with another user, in any case: nothing changes.
my $prof_before = user_row('ad_prof2');
$n = db_value('SELECT COUNT(*) FROM infor_audit WHERE target_id = ?',
              $prof_id);
$res = rest_post('UpdateUserProfile', authenticationTicket => $admin,
                 UserName => 'ad_prof2', NewUserName => 'AD_PLAIN',
                 NewFirstName => 'X', NewLastName => 'Y',
                 AuthenticateSource => 'native');
ok t_cmp($res->content, rest_expect($TAKEN),
         'UpdateUserProfile POST: clash in another case');
$res = soap_call('UpdateUserProfile', el('AuthenticationTicket', $admin)
                 . el('UserName', 'ad_prof2') . el('NewUserName', 'ad_Nia')
                 . el('NewFirstName', 'X') . el('NewLastName', 'Y')
                 . el('AuthenticateSource', 'native'));
ok t_cmp($res->content, soap_expect('UpdateUserProfile', $TAKEN),
         'UpdateUserProfile SOAP: clash');
ok t_cmp([user_row('ad_prof2'), user_row('ad_plain')->{username},
          db_value('SELECT COUNT(*) FROM infor_audit WHERE target_id = ?',
                   $prof_id)],
         [$prof_before, 'ad_plain', $n], 'clash: nothing changed');

# A pure change of letter case is allowed.
$res = soap_call('UpdateUserProfile', el('AuthenticationTicket', $admin)
                 . el('UserName', 'ad_prof2') . el('NewUserName', 'AD_PROF2')
                 . el('NewFirstName', 'Pia') . el('NewLastName', 'Case')
                 . el('AuthenticateSource', 'inforouter'));
ok t_cmp($res->content, soap_expect('UpdateUserProfile', $OK),
         'UpdateUserProfile SOAP: a pure case change');
ok t_cmp(row_fields('ad_prof2', @PROF),
         ['AD_PROF2', 'ad_prof2', 'Pia', 'Case', 'Native',
          'prof@example.com'], 'case change: stored, inforouter is Native');
ok t_cmp(last_audit_row($prof_id),
         audit_expect('UpdateUserProfile', $prof_id, 'AD_PROF2',
                      'username,first_name,last_name,authentication_source'),
         'case change: audit row');

# The same name: only the other fields change.
$res = rest_get('UpdateUserProfile', authenticationTicket => $admin,
                UserName => 'AD_PROF2', NewUserName => 'AD_PROF2',
                NewFirstName => 'Pat', NewLastName => 'Same',
                AuthenticateSource => 'Native');
ok t_cmp($res->content, rest_expect($OK), 'UpdateUserProfile: same name');
ok t_cmp(row_fields('ad_prof2', @PROF),
         ['AD_PROF2', 'ad_prof2', 'Pat', 'Same', 'Native',
          'prof@example.com'], 'same name: the other fields stored');
ok t_cmp(last_audit_row($prof_id)->{fields},
         'first_name,last_name,authentication_source',
         'same name: audit fields without username');
ok t_cmp(can_login('ad_prof2', 'pw-prof-1'), 1,
         'renamed user logs in with the new name and the old password');

$prof_before = user_row('ad_prof2');
$res = rest_get('UpdateUserProfile', authenticationTicket => $admin,
                UserName => 'ad_prof2', NewUserName => '',
                NewFirstName => 'E', NewLastName => 'E',
                AuthenticateSource => 'native');
ok t_cmp($res->content,
         rest_expect(fail_resp(
             q{[903]Required parameter.&apos;NewUserName&apos;})),
         'UpdateUserProfile: empty NewUserName');
$res = rest_get('UpdateUserProfile', authenticationTicket => $admin,
                UserName => 'ad_prof2', NewUserName => 'ID:12',
                NewFirstName => 'E', NewLastName => 'E',
                AuthenticateSource => 'native');
ok t_cmp($res->content,
         rest_expect(fail_resp('A user name may not start with ID:')),
         'UpdateUserProfile: NewUserName starting with ID:');
$res = soap_call('UpdateUserProfile', el('AuthenticationTicket', $admin)
                 . el('UserName', 'ad_prof2') . el('NewUserName', 'ad_prof3')
                 . el('NewFirstName', 'E') . el('NewLastName', 'E'));
ok t_cmp($res->content,
         soap_expect('UpdateUserProfile', fail_resp(
             q{[903]Required parameter.&apos;AuthenticateSource&apos;})),
         'UpdateUserProfile SOAP: AuthenticateSource omitted');
$res = rest_get('UpdateUserProfile', authenticationTicket => $admin,
                UserName => 'ad_nobody', NewUserName => 'ad_nobody2',
                NewFirstName => 'E', NewLastName => 'E',
                AuthenticateSource => 'native');
ok t_cmp($res->content, rest_expect($NO_USER),
         'UpdateUserProfile: User not found');
ok t_cmp(user_row('ad_prof2'), $prof_before,
         'refused profile updates: nothing changed');

# ======================================================= permission sweep
# A non-administrator gets "Access denied" from every administrative
# method, in GET and SOAP, and nothing in infor_users or the audit trail
# changes.
sub snapshot {
    return InforTest::_with_db(sub {
        my $dbh = shift;
        my $rows = $dbh->selectall_arrayref(
            'SELECT * FROM infor_users ORDER BY id');
        my $audit = $dbh->selectrow_array('SELECT COUNT(*) FROM infor_audit');
        return join("\n", map { join "\t", map { $_ // 'NULL' } @$_ } @$rows)
             . "\naudit rows: $audit";
    });
}
my %sweep = (
    CreateUser => [DomainName => '', UserName => 'ad_sweep',
                   FirstName => 'S', LastName => 'W', EmailAddress => '',
                   Password => 'sweep-pass-1', ReadOnlyUser => 'false',
                   AuthenticationSource => 'native'],
    DeleteUser => [UserName => 'ad_nia'],
    DeleteUser1 => [UserPassword => 'pw-plain-ad', UserName => 'ad_nia'],
    ChangeUserStatus => [UserName => 'ad_nia', StatusCode => '0'],
    ChangeUserType => [userName => 'ad_nia', userType => '2'],
    UpdateUserProfile => [UserName => 'ad_nia', NewUserName => 'ad_sweep',
                          NewFirstName => 'S', NewLastName => 'W',
                          AuthenticateSource => 'native'],
    GetAllUsers => [],
    GetAllUsers1 => [StartingRowNumber => 0, NumbeOfRow => 10,
                     firstNameFilter => '', lastNameFilter => '',
                     userNameFilter => '', emailFilter => '',
                     authenticationSourceFilter => '',
                     domainNameFilter => '', StatusFilter => -1,
                     SortBy => 0, SortAscending => 'true'],
    GetAllUsers2 => [startingRowNumber => 0, numberOfRow => 10,
                     firstNameFilter => '', lastNameFilter => '',
                     userNameFilter => '', emailFilter => '',
                     authenticationSourceFilter => '',
                     domainNameFilter => '', userStatusFilter => -1,
                     userTypeFilter => -1, sortBy => 0,
                     sortAscending => 'true'],
);
$sweep{GetAllUsersWithoutDetails} = $sweep{GetAllUsers2};
# Self-targeted calls are refused too.
my %self = (DeleteUser => [UserName => 'ad_plain'],
            ChangeUserStatus => [UserName => 'ad_plain', StatusCode => '1'],
            ChangeUserType => [userName => 'ad_plain', userType => '1'],
            UpdateUserProfile => [UserName => 'ad_plain',
                                  NewUserName => 'ad_plain',
                                  NewFirstName => 'Me', NewLastName => 'Me',
                                  AuthenticateSource => 'native']);
my $snap = snapshot();
for my $m (sort keys %sweep) {
    my @args = @{ $sweep{$m} };
    ok t_cmp(rest_get($m, authenticationTicket => $plain, @args)->content,
             rest_expect($DENIED), "sweep: $m GET denied");
    my $children = el('AuthenticationTicket', $plain);
    for (my $i = 0; $i < @args; $i += 2) {
        $children .= el($args[$i], $args[$i + 1]);
    }
    ok t_cmp(soap_call($m, $children)->content, soap_expect($m, $DENIED),
             "sweep: $m SOAP denied");
}
for my $m (sort keys %self) {
    ok t_cmp(rest_post($m, authenticationTicket => $plain, @{ $self{$m} })
                 ->content,
             rest_expect($DENIED), "sweep: $m on oneself POST denied");
}
ok t_cmp(snapshot(), $snap,
         'sweep: infor_users and the audit trail are unchanged');

# ======================================================= the audit trail
my $hist_id;
$res = rest_get('CreateUser', authenticationTicket => $admin,
                DomainName => '', UserName => 'ad_hist', FirstName => 'H',
                LastName => 'I', EmailAddress => '',
                Password => pw('pw-hist-secret'), ReadOnlyUser => 'false',
                AuthenticationSource => 'native');
($hist_id) = $res->content =~ / id="(\d+)"/;
rest_get('ChangeUserType', authenticationTicket => $admin,
         userName => 'ad_hist', userType => '2');
rest_get('ChangeUserStatus', authenticationTicket => $admin,
         UserName => 'ad_hist', StatusCode => '0');
rest_get('UpdateUserProfile', authenticationTicket => $admin,
         UserName => 'ad_hist', NewUserName => 'ad_hist2',
         NewFirstName => 'Hi', NewLastName => 'St',
         AuthenticateSource => 'native');
rest_get('ChangeUserPassword', AuthenticationTicket => $admin,
         UserName => 'ad_hist2', NewPassword => pw('pw-hist-newer'));

# The expected inforadm audit lines of ad_hist, from the first $_[0] rows.
my $HEADER = "TIME\tACTOR\tACTION\tUSERID\tUSERNAME\tFIELDS\tCLIENT\n";
my @hist = (['CreateUser', 'ad_hist', 'created'],
            ['ChangeUserType', 'ad_hist', 'read_only'],
            ['ChangeUserStatus', 'ad_hist', 'enabled'],
            ['UpdateUserProfile', 'ad_hist2',
             'username,first_name,last_name,authentication_source'],
            ['ChangeUserPassword', 'ad_hist2', 'password'],
            ['DeleteUser', 'ad_hist2', 'deleted']);
sub hist_lines {
    my $rows = shift;
    my $out = $HEADER;
    for my $i (0 .. $rows - 1) {
        my $at = db_value('SELECT at FROM infor_audit WHERE target_id = ?'
                          . " ORDER BY at, at_us, id LIMIT 1 OFFSET $i", $hist_id);
        my ($action, $name, $fields) = @{ $hist[$i] };
        $out .= strftime('%Y-%m-%dT%H:%M:%SZ', gmtime($at // 0))
              . "\tad_admin\t$action\t$hist_id\t$name\t$fields\t127.0.0.1\n";
    }
    return $out;
}
my ($rc, $out, $err) = adm(undef, 'audit', 'AD_HIST2');
ok t_cmp([$rc, $err], [0, ''], 'inforadm audit: exit 0, nothing on stderr');
ok t_cmp($out, hist_lines(5),
         'inforadm audit: the whole history of a user, under its old name too');
rest_get('DeleteUser', authenticationTicket => $admin, UserName => 'ad_hist2');
($rc, $out, $err) = adm(undef, 'audit', 'ad_hist2');
ok t_cmp([$rc, $out, $err], [0, hist_lines(6), ''],
         'inforadm audit: a deleted user\'s whole history, by its last name');
($rc, $out, $err) = adm(undef, 'audit', 'ad_nia');
ok t_cmp($out,
         "TIME\tACTOR\tACTION\tUSERID\tUSERNAME\tFIELDS\tCLIENT\n"
       . strftime('%Y-%m-%dT%H:%M:%SZ', gmtime db_value(
             'SELECT at FROM infor_audit WHERE target_id = ?', $nia->{id}))
       . "\tad_admin\tCreateUser\t$nia->{id}\tad_Nia\tcreated\t127.0.0.1\n",
         'inforadm audit: a user created over the API');

# No password, in any form, is in the audit trail.
my $trail = InforTest::_with_db(sub {
    join "\n", map { join "\t", map { $_ // '' } @$_ }
        @{ $_[0]->selectall_arrayref('SELECT * FROM infor_audit') };
});
ok t_cmp([grep { index($trail, $_) >= 0 } @PASSWORDS], [],
         'no clear-text password in the audit trail');
ok t_cmp(scalar($trail =~ /\$2y\$/), '', 'no password hash in the audit trail');
