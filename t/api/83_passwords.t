# Passwords: ChangeUserPassword, the mailed reset (ForgotPassword,
# ForgotPasswordByUserName) and ChangePasswordUsingSecretText.  Exact
# answers in GET, POST and SOAP 1.1, the mails the fake sendmail keeps,
# the database afterwards (hashes, reset codes, audit trail) and that no
# clear password or reset code reaches a log or the database.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use Digest::SHA qw(sha1_hex);
use InforTest;
use InforTest::Paths ();
use POSIX ();

plan tests => 172;

my $OK      = '<root success="true" />';
my $GUID    = guid_re();
my $HP      = Apache::TestRequest::hostport();
my $LOGS    = Apache::Test::vars('t_logs');
my $UNKNOWN = '0badf00d-dead-beef-cafe-000000000083';
my $CUP     = 'ChangeUserPassword';
my $CPS     = 'ChangePasswordUsingSecretText';
my $FPU     = 'ForgotPasswordByUserName';
my $FP      = 'ForgotPassword';

sub fail_root { qq{<root success="false" error="$_[0]" />} }
my $E901     = fail_root('[901] Session expired or Invalid ticket');
my $E900     = fail_root('[900] Authentication failed');
my $RIGHTS   = fail_root('Insufficient rights');
my $NOUSER   = fail_root('User not found');
my $SAME     = fail_root('New password cannot be the same as old password');
my $BADCODE  = fail_root('Invalid or expired reset code');
my $EXTERNAL = fail_root('External authentication - password cannot be '
                         . 'changed');
my $MIN8     = fail_root('Password must be at least 8 characters long.');
my $MIN10    = fail_root('Password must be at least 10 characters long.');
my $MAX72    = fail_root('Password must be at most 72 bytes long.');
my $ISNAME   = fail_root('Password must not be the same as the user name.');
my $ISMAIL   = fail_root('Password must not be the same as the email '
                         . 'address.');
my $DIGIT    = fail_root('Password must include a digit.');
my $SYMBOL   = fail_root('Password must include a character that is '
                         . 'neither a letter nor a digit.');
my $LETTER   = fail_root('Password must include a letter.');

# ------------------------------------------------------------- helpers
# 1 when the password logs the user in, 0 when it gets [900].
sub can_login {
    my ($name, $pw) = @_;
    my $b = rest_get('AuthenticateUser', UID => $name, PWD => $pw)->content;
    return $b =~ /\A\Q$DECL\E<root success="true" ticket="$GUID"/ ? 1
         : $b eq rest_expect($E900) ? 0 : "unexpected: $b";
}

sub hash_of { user_row(shift)->{password} }

sub reset_row {
    my $id = shift;
    my $s = db_value('SELECT secret FROM infor_resets WHERE user_id = ?', $id);
    my $e = db_value('SELECT expires FROM infor_resets WHERE user_id = ?',
                     $id);
    return ($s, $e);
}
sub n_resets {
    scalar db_value('SELECT COUNT(*) FROM infor_resets WHERE user_id = ?',
                    shift);
}

# Exactly one new mail to $to (or undef).
sub one_mail {
    my @m = new_mail(shift);
    return @m == 1 ? $m[0] : undef;
}
# The reset link in a mail, and the code in it.
sub link_of {
    my $m = shift;
    return '' unless $m && $m->{body} =~ m{^(\S+\?username=\S*)$}m;
    return $1;
}
sub code_of {
    my $m = shift;
    return '' unless $m && link_of($m) =~ /[?&]secretText=($GUID)\z/;
    return $1;
}
sub headers_of {
    my $m = shift or return [];
    return [ @{ $m->{head} }{qw(from to subject)} ];
}

# Asks for a reset code for a user by GET and returns it (mailed to $to).
sub mailed_code {
    my ($name, $to) = @_;
    my $b = rest_get($FPU, userName => $name)->content;
    die "$FPU $name: $b" unless $b eq rest_expect($OK);
    return code_of(one_mail($to));
}

sub cup_get {
    my ($t, $name, $pw) = @_;
    return rest_get($CUP, AuthenticationTicket => $t, UserName => $name,
                    NewPassword => $pw)->content;
}
sub cps_get {
    my ($name, $code, $pw) = @_;
    return rest_get($CPS, userName => $name, secretText => $code,
                    newPassword => $pw)->content;
}

# -------------------------------------------------------------- accounts
my %id;
$id{alice} = add_user('pw_alice', 'alice-pw-1', '--first', 'Alice',
                      '--email', 'alice@pw.test');
$id{bob}   = add_user('pw_bob', 'bob-pw-11', '--first', 'Bob',
                      '--email', 'bob@pw.test');
$id{admin} = add_user('pw_admin', 'admin-pw-1', '--admin',
                      '--email', 'admin@pw.test');
$id{ext}   = add_user('pw_ext', 'ext-pw-11', '--first', 'Ed',
                      '--email', 'ext@pw.test');
$id{carol} = add_user('pw_carol', 'carol-pw-1', '--first', 'Carol',
                      '--email', 'carol@pw.test');
$id{sh1}   = add_user('pw_sh1', 'sh1-pw-11', '--email', 'shared@pw.test');
$id{sh2}   = add_user('pw_sh2', 'sh2-pw-11', '--email', 'Shared@PW.Test');
$id{nomail} = add_user('pw_nomail', 'nomail-pw-1');
$id{strict} = add_user('pw_strict', 'Strict-pw-1!',
                       '--email', 'strict@pw.test');
$id{amp}   = add_user('pw_amp&co', 'amp-pw-111', '--email', 'amp@pw.test');

my $ta = login('pw_alice', 'alice-pw-1');
my $tadmin = login('pw_admin', 'admin-pw-1');
my $text = login('pw_ext', 'ext-pw-11');
my $tstrict = login('pw_strict', 'Strict-pw-1!');
db_do(q{UPDATE infor_users SET auth_authority = 'LDAP1' WHERE id = ?},
      $id{ext});
my @clear;    # every password set or tried: none may be logged

# ================================================== ChangeUserPassword
# --- own password, GET
db_do('UPDATE infor_users SET last_password_change = 0 WHERE id = ?',
      $id{alice});
my $res = rest_get($CUP, AuthenticationTicket => $ta, UserName => 'pw_alice',
                   NewPassword => 'alice-new-1');
push @clear, 'alice-new-1';
ok t_cmp($res->code, 200, 'CUP GET own: HTTP 200');
ok t_cmp($res->header('Content-Type'), 'text/xml; charset=utf-8',
         'CUP GET own: content type');
ok t_cmp($res->content, rest_expect($OK), 'CUP GET own: success');
ok t_cmp(can_login('pw_alice', 'alice-new-1'), 1,
         'CUP GET own: the new password logs in');
ok t_cmp(can_login('pw_alice', 'alice-pw-1'), 0,
         'CUP GET own: the old one gets [900]');
ok_near(user_row('pw_alice')->{last_password_change}, time, 5,
        'CUP GET own: last_password_change is now');
ok t_cmp(last_audit($id{alice}),
         'pw_alice|ChangeUserPassword|pw_alice|password',
         'CUP GET own: audit row names the field, not the value');
ok t_cmp(hash_of('pw_alice'), qr/\A\$2y\$/, 'CUP: stored as a bcrypt hash');

# --- POST
$res = rest_post($CUP, AuthenticationTicket => $ta, UserName => 'pw_alice',
                 NewPassword => 'alice-new-2');
push @clear, 'alice-new-2';
ok t_cmp($res->content, rest_expect($OK), 'CUP POST own: success');
ok t_cmp(can_login('pw_alice', 'alice-new-2'), 1,
         'CUP POST own: the new password logs in');

# --- SOAP, the user name in another case is still one's own
$res = soap_call($CUP, el('AuthenticationTicket', $ta)
                 . el('UserName', 'PW_ALICE')
                 . el('NewPassword', 'alice-new-3'));
push @clear, 'alice-new-3';
ok t_cmp($res->code, 200, 'CUP SOAP own: HTTP 200');
ok t_cmp($res->content, soap_expect($CUP, $OK),
         'CUP SOAP own: whole envelope');
ok t_cmp([ can_login('pw_alice', 'alice-new-3'),
           can_login('pw_alice', 'alice-new-2') ], [ 1, 0 ],
         'CUP SOAP own: new works, previous fails');
ok t_cmp(rest_get('isValidTicket', AuthenticationTicket => $ta)->content,
         qr/success="true"/, 'CUP own: the caller keeps the ticket');

# --- another user's, as a non-administrator
my $bob_hash = hash_of('pw_bob');
my $audits = n_audit();
ok t_cmp(cup_get($ta, 'pw_bob', 'hijacked-1'), rest_expect($RIGHTS),
         'CUP GET another user as non-admin: Insufficient rights');
$res = soap_call($CUP, el('AuthenticationTicket', $ta)
                 . el('UserName', 'pw_bob') . el('NewPassword', 'hijacked-2'));
ok t_cmp($res->content, soap_expect($CUP, $RIGHTS),
         'CUP SOAP another user as non-admin: Insufficient rights');
ok t_cmp(cup_get($ta, 'pw_no_such_user', 'hijacked-3'), rest_expect($RIGHTS),
         'CUP non-admin naming a missing user: Insufficient rights');
ok t_cmp(cup_get($ta, "ID:$id{bob}", 'hijacked-4'), rest_expect($RIGHTS),
         'CUP non-admin naming another by ID: Insufficient rights');
push @clear, map { "hijacked-$_" } 1 .. 4;
ok t_cmp(hash_of('pw_bob'), $bob_hash, 'refused: bob\'s hash unchanged');
ok t_cmp(can_login('pw_bob', 'bob-pw-11'), 1,
         'refused: bob\'s password still works');
ok t_cmp(n_audit(), $audits, 'refused: no audit rows');

# --- as an administrator
$res = rest_post($CUP, AuthenticationTicket => $tadmin, UserName => 'pw_bob',
                 NewPassword => 'bob-by-admin1');
push @clear, 'bob-by-admin1';
ok t_cmp($res->content, rest_expect($OK), 'CUP admin for bob: success');
ok t_cmp([ can_login('pw_bob', 'bob-by-admin1'),
           can_login('pw_bob', 'bob-pw-11') ], [ 1, 0 ],
         'CUP admin for bob: new works, old fails');
ok t_cmp(last_audit($id{bob}), 'pw_admin|ChangeUserPassword|pw_bob|password',
         'CUP admin for bob: audit row names the admin');
$res = soap_call($CUP, el('AuthenticationTicket', $tadmin)
                 . el('UserName', "ID:$id{bob}")
                 . el('NewPassword', 'bob-by-admin2'));
push @clear, 'bob-by-admin2';
ok t_cmp($res->content, soap_expect($CUP, $OK),
         'CUP SOAP admin naming bob by ID: success');
ok t_cmp(can_login('pw_bob', 'bob-by-admin2'), 1,
         'CUP admin by ID: new password works');
ok t_cmp(cup_get($tadmin, 'pw_no_such_user', 'whatever-1'),
         rest_expect($NOUSER),
         'CUP admin naming a missing user: User not found');
ok t_cmp(cup_get($tadmin, '', 'whatever-1'), rest_expect($NOUSER),
         'CUP admin with an empty user name: User not found');

# --- same password, policy
my $alice_hash = hash_of('pw_alice');
$audits = n_audit();
ok t_cmp(cup_get($ta, 'pw_alice', 'alice-new-3'), rest_expect($SAME),
         'CUP same as old: refused');
$res = soap_call($CUP, el('AuthenticationTicket', $ta)
                 . el('UserName', 'pw_alice')
                 . el('NewPassword', 'alice-new-3'));
ok t_cmp($res->content, soap_expect($CUP, $SAME), 'CUP SOAP same as old');
my @policy = (
    [ 'short1',        $MIN8,   'six characters' ],
    [ 'abcdefg',       $MIN8,   'seven characters' ],
    [ "\xc3\xa9" x 7,  $MIN8,   'seven two-byte characters (14 bytes)' ],
    [ '',              $MIN8,   'empty' ],
    [ 'pw_alice',      $ISNAME, 'the user name' ],
    [ 'PW_Alice',      $ISNAME, 'the user name in another case' ],
    [ 'alice@pw.test', $ISMAIL, 'the email address' ],
    [ 'ALICE@PW.TEST', $ISMAIL, 'the email address in another case' ],
    [ 'x' x 73,        $MAX72,  '73 bytes' ],
    [ "\xc3\xa9" x 37, $MAX72,  '37 characters in 74 bytes' ],
);
for my $p (@policy) {
    my ($pw, $want, $what) = @$p;
    ok t_cmp(cup_get($ta, 'pw_alice', $pw), rest_expect($want),
             "CUP policy: $what");
}
$res = rest_post($CUP, AuthenticationTicket => $ta, UserName => 'pw_alice',
                 NewPassword => 'PW_ALICE');
ok t_cmp($res->content, rest_expect($ISNAME), 'CUP POST policy: user name');
$res = soap_call($CUP, el('AuthenticationTicket', $ta)
                 . el('UserName', 'pw_alice') . el('NewPassword', 'short1'));
ok t_cmp($res->content, soap_expect($CUP, $MIN8), 'CUP SOAP policy: short');
ok t_cmp(hash_of('pw_alice'), $alice_hash,
         'refused passwords: alice\'s hash unchanged');
ok t_cmp(n_audit(), $audits, 'refused passwords: no audit rows');
ok t_cmp(cup_get($ta, 'pw_alice', 'y' x 72), rest_expect($OK),
         'CUP policy: exactly 72 bytes is allowed');
ok t_cmp(can_login('pw_alice', 'y' x 72), 1, '72-byte password logs in');
ok t_cmp(cup_get($ta, 'pw_alice', "\xc3\xa9" x 8), rest_expect($OK),
         'CUP policy: eight two-byte characters are eight characters');
ok t_cmp(can_login('pw_alice', "\xc3\xa9" x 8), 1,
         'non-ASCII password logs in');
ok t_cmp(cup_get($ta, 'pw_alice', 'alice-new-4'), rest_expect($OK),
         'CUP: back to an ASCII password');
push @clear, 'alice-new-4';

# --- the strict policy
{
    local $InforTest::BASE = '/strict/srv.asmx';
    my $h = hash_of('pw_strict');
    my @strict = (
        [ 'Abc1-xyz',     $MIN10,  'eight characters' ],
        [ 'Abcdefgh-ij',  $DIGIT,  'no digit' ],
        [ 'Abcdefgh12',   $SYMBOL, 'no symbol' ],
        [ '1234567890-',  $LETTER, 'no letter' ],
    );
    for my $p (@strict) {
        my ($pw, $want, $what) = @$p;
        push @clear, $pw;
        ok t_cmp(cup_get($tstrict, 'pw_strict', $pw), rest_expect($want),
                 "CUP /strict: $what");
    }
    $res = soap_call($CUP, el('AuthenticationTicket', $tstrict)
                     . el('UserName', 'pw_strict')
                     . el('NewPassword', 'Abcdefgh12'));
    ok t_cmp($res->content, soap_expect($CUP, $SYMBOL),
             'CUP SOAP /strict: no symbol');
    ok t_cmp(hash_of('pw_strict'), $h, '/strict refusals: hash unchanged');
    ok t_cmp(cup_get($tstrict, 'pw_strict', 'Strict-pw-22'), rest_expect($OK),
             'CUP /strict: letters, digits and a symbol: success');
    push @clear, 'Strict-pw-22';
}
ok t_cmp(can_login('pw_strict', 'Strict-pw-22'), 1,
         'strict password logs in');
ok t_cmp(cup_get($ta, 'pw_alice', 'abcdefghij'), rest_expect($OK),
         'the default policy asks for no digit or symbol');
push @clear, 'abcdefghij';

# --- external authentication
my $ext_hash = hash_of('pw_ext');
ok t_cmp(cup_get($text, 'pw_ext', 'ext-new-pw-1'), rest_expect($EXTERNAL),
         'CUP external user, own: refused');
ok t_cmp(cup_get($tadmin, 'pw_ext', 'ext-new-pw-2'), rest_expect($EXTERNAL),
         'CUP external user, by admin: refused');
$res = soap_call($CUP, el('AuthenticationTicket', $tadmin)
                 . el('UserName', 'pw_ext')
                 . el('NewPassword', 'ext-new-pw-3'));
ok t_cmp($res->content, soap_expect($CUP, $EXTERNAL),
         'CUP SOAP external user: refused');
push @clear, map { "ext-new-pw-$_" } 1 .. 3;
ok t_cmp(hash_of('pw_ext'), $ext_hash, 'external user: hash unchanged');

# --- tickets: this method's documented [901] for every bad ticket
$alice_hash = hash_of('pw_alice');
for my $bad ([ '', 'empty' ], [ 'not-a-guid', 'non-GUID' ],
             [ $UNKNOWN, 'unknown GUID' ]) {
    my ($t, $what) = @$bad;
    ok t_cmp(cup_get($t, 'pw_alice', 'ticketless-1'), rest_expect($E901),
             "CUP GET $what ticket: [901]");
    $res = soap_call($CUP, el('AuthenticationTicket', $t)
                     . el('UserName', 'pw_alice')
                     . el('NewPassword', 'ticketless-1'));
    ok t_cmp($res->content, soap_expect($CUP, $E901),
             "CUP SOAP $what ticket: [901]");
}
$res = rest_post($CUP, AuthenticationTicket => '', UserName => 'pw_alice',
                 NewPassword => 'ticketless-1');
ok t_cmp($res->content, rest_expect($E901), 'CUP POST empty ticket: [901]');
$res = soap_call($CUP, el('UserName', 'pw_alice')
                 . el('NewPassword', 'ticketless-1'));
ok t_cmp($res->content, soap_expect($CUP, $E901),
         'CUP SOAP without the ticket element: [901]');
$res = rest_get($CUP, UserName => 'pw_alice', NewPassword => 'ticketless-1');
ok t_cmp([ $res->code, $res->content ],
         [ 400, "Missing parameter: AuthenticationTicket.\n" ],
         'CUP GET without the ticket parameter: 400');
$res = rest_get($CUP, AuthenticationTicket => $ta, UserName => 'pw_alice');
ok t_cmp([ $res->code, $res->content ],
         [ 400, "Missing parameter: NewPassword.\n" ],
         'CUP GET without NewPassword: 400');
push @clear, 'ticketless-1';
ok t_cmp(hash_of('pw_alice'), $alice_hash, 'bad tickets: hash unchanged');

# ============================================ ForgotPasswordByUserName
# --- GET: the mail, its link, the stored SHA-1
$res = rest_get($FPU, userName => 'pw_carol');
ok t_cmp($res->code, 200, 'FPU GET: HTTP 200');
ok t_cmp($res->content, rest_expect($OK), 'FPU GET: success');
my $m = one_mail('carol@pw.test');
ok t_cmp(headers_of($m),
         [ 'infoRouter <noreply@example.com>', 'carol@pw.test',
           'Password reset' ], 'FPU GET: one mail, From, To, Subject');
my $code = code_of($m);
ok t_cmp(link_of($m), "http://$HP/resetpassword.aspx?username=pw_carol"
         . "&secretText=$code", 'FPU GET: the link');
ok t_cmp($code, qr/\A$GUID\z/, 'FPU GET: the code is a lowercase GUID');
my ($secret, $expires) = reset_row($id{carol});
ok t_cmp($secret // '', sha1_hex(lc $code),
         'FPU: infor_resets holds the SHA-1 of the code');
ok t_cmp(scalar db_value('SELECT COUNT(*) FROM infor_resets WHERE secret = ?',
                         $code), 0, 'FPU: the code itself is not stored');
ok_near($expires, time + 3600, 5, 'FPU: the code lives one hour');
ok t_cmp($m ? $m->{body} : '', qr/^Hello Carol,$/m,
         'FPU: the mail greets the user by first name');
my $carol_first = $code;

# --- POST, SOAP, the name in another case: a new code each time
$res = rest_post($FPU, userName => 'PW_CAROL');
ok t_cmp($res->content, rest_expect($OK), 'FPU POST (name in capitals)');
$m = one_mail('carol@pw.test');
$code = code_of($m);
ok t_cmp(link_of($m), "http://$HP/resetpassword.aspx?username=pw_carol"
         . "&secretText=$code", 'FPU POST: the link names the stored name');
ok t_cmp($code ne $carol_first ? 'new' : 'same', 'new',
         'FPU POST: a new code');
$res = soap_call($FPU, el('userName', 'pw_carol'));
ok t_cmp($res->content, soap_expect($FPU, $OK), 'FPU SOAP: whole envelope');
$m = one_mail('carol@pw.test');
my $soap_code = code_of($m);
ok t_cmp($soap_code, qr/\A$GUID\z/, 'FPU SOAP: a mail with a code');
ok t_cmp((reset_row($id{carol}))[0] // '', sha1_hex($soap_code),
         'FPU: only the latest code is stored');
ok t_cmp(n_resets($id{carol}), 1, 'FPU: one code per user');

# --- the user name is escaped in the link
$res = rest_get($FPU, userName => 'pw_amp&co');
ok t_cmp($res->content, rest_expect($OK), 'FPU user name with &: success');
$m = one_mail('amp@pw.test');
ok t_cmp(link_of($m), "http://$HP/resetpassword.aspx?username=pw_amp%26co"
         . '&secretText=' . code_of($m), 'FPU: the user name is %-escaped');

# --- the link names the server, never the client's Host header (a
# forged Host would send the victim's code to another site)
$res = Apache::TestRequest::GET("/srv.asmx/$FPU?userName=pw_carol",
                                Host => 'evil.example:80');
ok t_cmp($res->content, rest_expect($OK), 'FPU with a forged Host: success');
$m = one_mail('carol@pw.test');
ok t_cmp(link_of($m), "http://$HP/resetpassword.aspx?username=pw_carol"
         . '&secretText=' . code_of($m),
         'FPU with a forged Host: the link still names this server');
$res = Apache::TestRequest::GET("/srv.asmx/$FP?emailAddress=bob\@pw.test",
                                Host => 'evil.example:80');
$m = one_mail('bob@pw.test');
ok t_cmp(link_of($m), "http://$HP/resetpassword.aspx?username=pw_bob"
         . '&secretText=' . code_of($m),
         'FP with a forged Host: the link still names this server');

# --- /strict: the configured link, the short lifetime
{
    local $InforTest::BASE = '/strict/srv.asmx';
    $res = rest_get($FPU, userName => 'pw_strict');
    ok t_cmp($res->content, rest_expect($OK), 'FPU /strict: success');
    $m = one_mail('strict@pw.test');
    ok t_cmp(link_of($m), 'https://docs.example.com/reset?username=pw_strict'
             . '&secretText=' . code_of($m), 'FPU /strict: InforResetURL');
    ok_near((reset_row($id{strict}))[1], time + 2, 2,
            'FPU /strict: the code lives 2 seconds');
}

# --- errors
ok t_cmp(rest_get($FPU, userName => '')->content,
         rest_expect(fail_root('User name field cannot be empty.')),
         'FPU GET empty: refused');
ok t_cmp(soap_call($FPU, '<userName/>')->content,
         soap_expect($FPU, fail_root('User name field cannot be empty.')),
         'FPU SOAP empty: refused');
ok t_cmp(soap_call($FPU, '')->content,
         soap_expect($FPU, fail_root('User name field cannot be empty.')),
         'FPU SOAP null: refused');
ok t_cmp(rest_get($FPU, userName => 'pw_no_such_user')->content,
         rest_expect($NOUSER), 'FPU unknown user: User not found');
ok t_cmp(soap_call($FPU, el('userName', 'pw_no_such_user'))->content,
         soap_expect($FPU, $NOUSER), 'FPU SOAP unknown user: User not found');
$res = rest_get($FPU);
ok t_cmp([ $res->code, $res->content ],
         [ 400, "Missing parameter: userName.\n" ],
         'FPU GET without userName: 400');
{
    local $InforTest::BASE = '/nomail/srv.asmx';
    ok t_cmp(rest_get($FPU, userName => 'pw_carol')->content,
             rest_expect(fail_root('The password reset email could not be '
                                   . 'sent to: pw_carol')),
             'FPU /nomail: the mail cannot be sent');
}
ok t_cmp(scalar new_mail('carol@pw.test'), 0, 'FPU /nomail: no mail kept');
ok t_cmp(rest_get($FPU, userName => 'pw_nomail')->content,
         rest_expect(fail_root('The password reset email could not be sent '
                               . 'to: pw_nomail')),
         'FPU account without an email address: not sent');
ok t_cmp(n_resets($id{nomail}), 0, 'FPU without an address: no code stored');

# --- external authentication: advice, no code
$res = rest_get($FPU, userName => 'pw_ext');
ok t_cmp($res->content, rest_expect($OK), 'FPU external user: success');
$m = one_mail('ext@pw.test');
ok t_cmp(headers_of($m),
         [ 'infoRouter <noreply@example.com>', 'ext@pw.test',
           'Password reset' ], 'FPU external user: a mail');
ok t_cmp($m && $m->{body} !~ /secretText|$GUID/ ? 'no code' : 'code',
         'no code', 'FPU external user: the mail holds no code');
ok t_cmp($m ? $m->{body} : '', qr/administrator/,
         'FPU external user: the mail says to ask the administrator');
ok t_cmp(n_resets($id{ext}), 0, 'FPU external user: no code stored');

# ======================================================= ForgotPassword
$res = rest_get($FP, emailAddress => 'SHARED@pw.test');
ok t_cmp($res->content, rest_expect($OK), 'FP GET shared address: success');
my $m1 = one_mail('shared@pw.test');
my $m2 = one_mail('Shared@PW.Test');
my ($c1, $c2) = (code_of($m1), code_of($m2));
ok t_cmp([ link_of($m1), link_of($m2) ],
         [ "http://$HP/resetpassword.aspx?username=pw_sh1&secretText=$c1",
           "http://$HP/resetpassword.aspx?username=pw_sh2&secretText=$c2" ],
         'FP: each account gets its own mail, to its own spelling');
ok t_cmp(headers_of($m1)->[0] // '', 'infoRouter <noreply@example.com>',
         'FP: From');
ok t_cmp($c1 ne '' && $c1 ne $c2 ? 'distinct' : 'same', 'distinct',
         'FP: each account its own code');
ok t_cmp([ (reset_row($id{sh1}))[0], (reset_row($id{sh2}))[0] ],
         [ sha1_hex($c1), sha1_hex($c2) ], 'FP: both codes stored as SHA-1');
$res = rest_post($FP, emailAddress => 'carol@pw.test');
ok t_cmp($res->content, rest_expect($OK), 'FP POST: success');
$m = one_mail('carol@pw.test');
my $carol_fp = code_of($m);
ok t_cmp(link_of($m), "http://$HP/resetpassword.aspx?username=pw_carol"
         . "&secretText=$carol_fp", 'FP POST: the mail');
$res = soap_call($FP, el('emailAddress', 'Bob@PW.test'));
ok t_cmp($res->content, soap_expect($FP, $OK), 'FP SOAP: whole envelope');
$m = one_mail('bob@pw.test');
my $bob_code = code_of($m);
ok t_cmp(link_of($m), "http://$HP/resetpassword.aspx?username=pw_bob"
         . "&secretText=$bob_code", 'FP SOAP: the mail');
my $NOMAIL = fail_root('Please enter your Email address.');
ok t_cmp(rest_get($FP, emailAddress => '')->content, rest_expect($NOMAIL),
         'FP empty address: refused');
ok t_cmp(rest_get($FP, emailAddress => "  \t ")->content,
         rest_expect($NOMAIL), 'FP blank address: refused');
ok t_cmp(soap_call($FP, '<emailAddress/>')->content,
         soap_expect($FP, $NOMAIL), 'FP SOAP empty address: refused');
ok t_cmp(rest_get($FP, emailAddress => 'nobody@pw.test')->content,
         rest_expect(fail_root('No user found with this email')),
         'FP unknown address: No user found');
{
    local $InforTest::BASE = '/nomail/srv.asmx';
    ok t_cmp(rest_get($FP, emailAddress => 'shared@pw.test')->content,
             rest_expect(fail_root('The password reset email could not be '
                                   . 'sent to: pw_sh1, pw_sh2')),
             'FP /nomail: names every account not reached');
}

# ======================================== ChangePasswordUsingSecretText
my $carol_hash = hash_of('pw_carol');
$audits = n_audit();
$code = $carol_fp;    # the latest code mailed to carol
ok t_cmp(cps_get('pw_carol', $UNKNOWN, 'carol-new-1'), rest_expect($BADCODE),
         'CPS wrong GUID: refused');
ok t_cmp(cps_get('pw_carol', 'not-a-guid', 'carol-new-1'),
         rest_expect($BADCODE), 'CPS non-GUID: refused');
ok t_cmp(cps_get('pw_carol', "$code-0", 'carol-new-1'),
         rest_expect($BADCODE), 'CPS code with trailing text: refused');
ok t_cmp(cps_get('pw_carol', '', 'carol-new-1'), rest_expect($BADCODE),
         'CPS empty code: refused');
ok t_cmp(cps_get('pw_carol', $bob_code, 'carol-new-1'),
         rest_expect($BADCODE), 'CPS another user\'s live code: refused');
ok t_cmp(cps_get('pw_sh1', $code, 'carol-new-1'), rest_expect($BADCODE),
         'CPS the code with another user: refused');
ok t_cmp(cps_get('pw_carol', $soap_code, 'carol-new-1'),
         rest_expect($BADCODE), 'CPS a replaced code: refused');
ok t_cmp(cps_get('pw_carol', $carol_first, 'carol-new-1'),
         rest_expect($BADCODE), 'CPS the first, replaced code: refused');
ok t_cmp(cps_get('pw_no_such_user', $code, 'carol-new-1'),
         rest_expect($NOUSER), 'CPS unknown user: User not found');
ok t_cmp(cps_get('pw_ext', $UNKNOWN, 'ext-new-pw-4'), rest_expect($EXTERNAL),
         'CPS external user: refused');
ok t_cmp(cps_get('pw_carol', $code, 'short1'), rest_expect($MIN8),
         'CPS policy: too short');
ok t_cmp(cps_get('pw_carol', $code, 'PW_CAROL'), rest_expect($ISNAME),
         'CPS policy: the user name');
ok t_cmp(cps_get('pw_carol', $code, 'Carol@pw.test'), rest_expect($ISMAIL),
         'CPS policy: the email address');
ok t_cmp(cps_get('pw_carol', $code, 'z' x 73), rest_expect($MAX72),
         'CPS policy: 73 bytes');
ok t_cmp(cps_get('pw_carol', $code, 'carol-pw-1'), rest_expect($SAME),
         'CPS same as old: refused');
$res = soap_call($CPS, el('userName', 'pw_carol') . el('secretText', $code)
                 . el('newPassword', 'carol-pw-1'));
ok t_cmp($res->content, soap_expect($CPS, $SAME), 'CPS SOAP same as old');
$res = soap_call($CPS, el('userName', 'pw_carol') . el('secretText', $UNKNOWN)
                 . el('newPassword', 'carol-new-1'));
ok t_cmp($res->content, soap_expect($CPS, $BADCODE), 'CPS SOAP wrong code');
push @clear, 'carol-new-1', 'ext-new-pw-4';
ok t_cmp([ hash_of('pw_carol'), n_audit(), n_resets($id{carol}) ],
         [ $carol_hash, $audits, 1 ],
         'refusals: hash unchanged, no audit row, the code kept');

# --- success (GET)
db_do('UPDATE infor_users SET last_password_change = 0 WHERE id = ?',
      $id{carol});
$res = rest_get($CPS, userName => 'pw_carol', secretText => $code,
                newPassword => 'carol-reset-1');
push @clear, 'carol-reset-1';
ok t_cmp($res->code, 200, 'CPS GET: HTTP 200');
ok t_cmp($res->content, rest_expect($OK), 'CPS GET with the mailed code');
ok t_cmp([ can_login('pw_carol', 'carol-reset-1'),
           can_login('pw_carol', 'carol-pw-1') ], [ 1, 0 ],
         'CPS: new password works, old fails');
ok t_cmp(n_resets($id{carol}), 0, 'CPS: the code is deleted');
ok t_cmp(last_audit($id{carol}),
         'pw_carol|ChangePasswordUsingSecretText|pw_carol|password',
         'CPS: audit row, the user as actor');
ok t_cmp(scalar db_value(q{SELECT actor_id FROM infor_audit WHERE target_id = ?
                           ORDER BY at DESC, at_us DESC, id DESC LIMIT 1}, $id{carol}),
         $id{carol}, 'CPS: audit actor id is the user');
ok_near(user_row('pw_carol')->{last_password_change}, time, 5,
        'CPS: last_password_change is now');
ok t_cmp(cps_get('pw_carol', $code, 'carol-reset-2'), rest_expect($BADCODE),
         'CPS: a second use of the code is refused');
ok t_cmp(can_login('pw_carol', 'carol-reset-1'), 1,
         'CPS second use: the password is unchanged');
ok t_cmp(cps_get('pw_bob', $bob_code, 'bob-reset-11'), rest_expect($OK),
         'CPS: bob\'s code, refused for carol, works for bob');
push @clear, 'bob-reset-11';

# --- POST; a new request replaces the code
my $old = mailed_code('pw_carol', 'carol@pw.test');
$res = rest_post($FP, emailAddress => 'carol@pw.test');
my $new = code_of(one_mail('carol@pw.test'));
ok t_cmp($new ne '' && $new ne $old ? 'new' : 'same', 'new',
         'a new ForgotPassword mails a new code');
$res = rest_post($CPS, userName => 'pw_carol', secretText => $old,
                 newPassword => 'carol-reset-2');
ok t_cmp($res->content, rest_expect($BADCODE),
         'CPS POST with the replaced code: refused');
$res = rest_post($CPS, userName => 'pw_carol', secretText => $new,
                 newPassword => 'carol-reset-2');
ok t_cmp($res->content, rest_expect($OK), 'CPS POST with the new code');
push @clear, 'carol-reset-2';
ok t_cmp(can_login('pw_carol', 'carol-reset-2'), 1, 'CPS POST: new password');

# --- SOAP, the code in capitals and the user name in another case
$code = mailed_code('pw_carol', 'carol@pw.test');
$res = soap_call($CPS, el('userName', 'Pw_Carol') . el('secretText', uc $code)
                 . el('newPassword', 'carol-reset-3'));
push @clear, 'carol-reset-3';
ok t_cmp($res->content, soap_expect($CPS, $OK),
         'CPS SOAP: code in capitals, name in another case');
ok t_cmp([ can_login('pw_carol', 'carol-reset-3'), n_resets($id{carol}) ],
         [ 1, 0 ], 'CPS SOAP: new password, code deleted');
$res = rest_get($CPS, userName => 'pw_carol', secretText => $code);
ok t_cmp([ $res->code, $res->content ],
         [ 400, "Missing parameter: newPassword.\n" ],
         'CPS GET without newPassword: 400');

# --- single use holds when several clients race with the same code
my @race;
for my $round (1 .. 8) {
    my $name = "pw_race$round";
    add_user($name, 'race-pw-111', '--email', "race$round\@pw.test");
    my $rc = mailed_code($name, "race$round\@pw.test");
    my @kids;
    for my $k (1 .. 8) {
        pipe(my $r, my $w) or die "pipe: $!";
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            close $r;
            Apache::TestRequest::user_agent(reset => 1, keep_alive => 0);
            my $b = cps_get($name, $rc, "race-new-$k");
            print $w $b eq rest_expect($OK) ? 'ok'
                   : $b eq rest_expect($BADCODE) ? 'refused' : 'other', "\n";
            close $w;
            POSIX::_exit(0);
        }
        close $w;
        push @kids, [ $pid, $r ];
    }
    my %n;
    for (@kids) {
        my ($pid, $r) = @$_;
        my $l = <$r> // "lost\n";
        chomp $l;
        $n{$l}++;
        waitpid $pid, 0;
    }
    push @race, join ',', map { "$_=$n{$_}" } sort keys %n;
    push @clear, map { "race-new-$_" } 1 .. 8;
}
ok t_cmp(\@race, [ ('ok=1,refused=7') x 8 ],
         'CPS: 8 clients use one code at once (8 rounds): one succeeds');

# --- the strict policy, and expiry, at /strict
{
    local $InforTest::BASE = '/strict/srv.asmx';
    $res = rest_get($FPU, userName => 'pw_strict');
    $code = code_of(one_mail('strict@pw.test'));
    # keep the code alive while the policy is tried
    db_do('UPDATE infor_resets SET expires = ? WHERE user_id = ?',
          time + 600, $id{strict});
    ok t_cmp(cps_get('pw_strict', $code, 'Abcdefghij1'), rest_expect($SYMBOL),
             'CPS /strict: no symbol');
    ok t_cmp(cps_get('pw_strict', $code, 'Abc-1'), rest_expect($MIN10),
             'CPS /strict: too short');
    ok t_cmp(cps_get('pw_strict', $code, 'Strict-pw-33'), rest_expect($OK),
             'CPS /strict: a strong password');
    push @clear, 'Abcdefghij1', 'Strict-pw-33';
    ok t_cmp(can_login('pw_strict', 'Strict-pw-33'), 1,
             'CPS /strict: new password works');

    my $h = hash_of('pw_strict');
    $res = rest_get($FPU, userName => 'pw_strict');
    $code = code_of(one_mail('strict@pw.test'));
    sleep 3;
    ok t_cmp(cps_get('pw_strict', $code, 'Strict-pw-44'),
             rest_expect($BADCODE), 'CPS /strict: expired after 2 s');
    push @clear, 'Strict-pw-44';
    ok t_cmp(hash_of('pw_strict'), $h, 'expired code: hash unchanged');
}

# ============================================= nothing clear is kept
my %codes = map { $_ => 1 } grep { $_ ne '' }
            $carol_first, $soap_code, $c1, $c2, $carol_fp, $old, $new, $code,
            $bob_code;
# Wait until the access log holds the last request.
rest_get('isValidTicket', AuthenticationTicket => '', pw83marker => 'end');
my $log = '';
for (1 .. 50) {
    $log = '';
    for my $f ('access_log', 'pid_log', 'error_log') {
        open my $fh, '<', "$LOGS/$f" or next;
        $log .= do { local $/; <$fh> };
    }
    last if $log =~ /pw83marker=end.*\n.*pw83marker=end/s;
    select undef, undef, undef, 0.1;
}
ok t_cmp($log =~ /NewPassword=\*\*\*[ &]/ && $log =~ /secretText=\*\*\*&/
         && $log =~ /newPassword=\*\*\*[ &]/ ? 'masked' : 'not masked',
         'masked',
         'the logs show the secret parameters masked');
my @in_log = grep { index($log, $_) >= 0 } @clear, keys %codes;
ok t_cmp("@in_log", '',
         'no clear password or reset code in the access, pid or error log');
my $audit_text = db_value(q{SELECT group_concat(actor_name || '|' || action
    || '|' || target_name || '|' || fields || '|' || client, char(10))
    FROM infor_audit}) // '';
my @in_audit = grep { index($audit_text, $_) >= 0 } @clear, keys %codes;
ok t_cmp("@in_audit", '', 'no clear password or reset code in infor_audit');
my $dbfiles = '';
for my $f (map { InforTest::Paths::db_path() . $_ } '', '-wal') {
    open my $fh, '<:raw', $f or next;
    $dbfiles .= do { local $/; <$fh> };
}
my @in_db = grep { index($dbfiles, $_) >= 0 } @clear, keys %codes;
ok t_cmp("@in_db", '',
         'no clear password or reset code in the database files');
