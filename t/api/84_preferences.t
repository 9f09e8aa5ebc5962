# UpdateUserPreferences: the attribute form and the legacy element form,
# in GET, POST and SOAP 1.1 (the XML escaped as text), read back with
# GetUser; partial updates; refused XML (malformed, wrong root, empty,
# DOCTYPE/entities); bad values; permissions; the audit trail.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use InforTest;

plan tests => 75;

my $UUP    = 'UpdateUserPreferences';
my $OK     = '<response success="true" error="" />';
my $E903   = fail_resp('[903]Required parameter.&apos;xmlPreferences&apos;');
my $DENIED = fail_resp('Access denied');
my $NOUSER = fail_resp('User not found');
my $UNKNOWN = '0badf00d-dead-beef-cafe-000000000084';

# The <Preferences> element GetUser shows, attributes in their order.
sub prefs_xml {
    my %p = (Language => 'English', DefaultPortal => '',
             ShowArchives => 'FALSE', ShowHiddens => 'FALSE',
             NotificationType => 'NONE', EmailType => 'HTML',
             AttachDocumentToEmail => 'FALSE', @_);
    my %id = (NONE => 0, INSTANT => 1, 'DAILY REPORT' => 2);
    return qq{<Preferences Language="$p{Language}" }
         . qq{DefaultPortal="$p{DefaultPortal}" }
         . qq{ShowArchives="$p{ShowArchives}" ShowHiddens="$p{ShowHiddens}" }
         . qq{NotificationType="$p{NotificationType}" }
         . qq{NotificationTypeId="$id{$p{NotificationType}}" }
         . qq{EmailType="$p{EmailType}" }
         . qq{AttachDocumentToEmail="$p{AttachDocumentToEmail}" />};
}

# The <Preferences> element of a user, as GetUser shows it to $ticket.
sub prefs_of {
    my ($ticket, $name) = @_;
    my $b = rest_get('GetUser', authenticationTicket => $ticket,
                     UserName => $name // '')->content;
    return $b =~ m{(<Preferences [^>]*/>)} ? $1 : "no Preferences in: $b";
}

# The preference columns of a user.
sub prefs_row {
    my $r = user_row(shift);
    return [ @$r{qw(pref_language pref_default_portal pref_show_archives
                    pref_show_hiddens pref_notification pref_email_type
                    pref_attach_document)} ];
}

sub uup_get {
    my ($t, $name, $xml) = @_;
    return rest_get($UUP, authenticationTicket => $t, UserName => $name,
                    xmlPreferences => $xml)->content;
}
sub uup_soap {
    my ($t, $name, $children) = @_;
    return soap_call($UUP, el('AuthenticationTicket', $t)
                     . el('UserName', $name) . $children)->content;
}

my %id;
$id{alice} = add_user('pf_alice', 'pf-alice-1', '--email', 'alice@pf.test');
$id{bob}   = add_user('pf_bob', 'pf-bob-11', '--email', 'bob@pf.test');
$id{admin} = add_user('pf_admin', 'pf-admin-1', '--admin');
my $ta     = login('pf_alice', 'pf-alice-1');
my $tb     = login('pf_bob', 'pf-bob-11');
my $tadmin = login('pf_admin', 'pf-admin-1');

ok t_cmp(prefs_of($ta), prefs_xml(), 'a new user has the default preferences');

# ------------------------------------------------ the attribute form, GET
my $FULL = '<Preferences EmailType="TEXT" Language="Deutsch" '
         . 'AttachDocumentToEmail="true" DefaultPortal="Portal &amp; Co" '
         . 'ShowHiddens="true" ShowArchives="TRUE" '
         . 'NotificationType="DAILY REPORT" />';
my $res = rest_get($UUP, authenticationTicket => $ta, UserName => 'pf_alice',
                   xmlPreferences => $FULL);
ok t_cmp($res->code, 200, 'GET attribute form: HTTP 200');
ok t_cmp($res->header('Content-Type'), 'text/xml; charset=utf-8',
         'GET attribute form: content type');
ok t_cmp($res->content, rest_expect($OK), 'GET attribute form: success');
my %full = (Language => 'Deutsch', DefaultPortal => 'Portal &amp; Co',
            ShowArchives => 'TRUE', ShowHiddens => 'TRUE',
            NotificationType => 'DAILY REPORT', EmailType => 'TEXT',
            AttachDocumentToEmail => 'TRUE');
ok t_cmp(prefs_of($ta),
         '<Preferences Language="Deutsch" DefaultPortal="Portal &amp; Co" '
         . 'ShowArchives="TRUE" ShowHiddens="TRUE" '
         . 'NotificationType="DAILY REPORT" NotificationTypeId="2" '
         . 'EmailType="TEXT" AttachDocumentToEmail="TRUE" />',
         'GetUser shows every preference');
ok t_cmp(prefs_row('pf_alice'),
         [ 'Deutsch', 'Portal & Co', 1, 1, 2, 'TEXT', 1 ],
         'the database holds them');
ok t_cmp(last_audit($id{alice}), 'pf_alice|UpdateUserPreferences|pf_alice|'
         . 'language,default_portal,email_type,show_archives,show_hiddens,'
         . 'notification,attach_document', 'audit row lists every field');

# --- only the attributes present change
$res = rest_get($UUP, authenticationTicket => $ta, UserName => 'pf_alice',
                xmlPreferences => '<Preferences ShowHiddens="false"/>');
ok t_cmp($res->content, rest_expect($OK), 'one attribute: success');
ok t_cmp(prefs_of($ta), prefs_xml(%full, ShowHiddens => 'FALSE'),
         'one attribute: only ShowHiddens changed');
ok t_cmp(last_audit($id{alice}),
         'pf_alice|UpdateUserPreferences|pf_alice|show_hiddens',
         'one attribute: audit names it alone');
%full = (%full, ShowHiddens => 'FALSE');

# --- the legacy element form
my $LEGACY = '<Preferences><Language>en</Language>'
           . '<ShowArchives>False</ShowArchives>'
           . '<NotificationType>INSTANT</NotificationType></Preferences>';
ok t_cmp(uup_get($ta, 'pf_alice', $LEGACY), rest_expect($OK),
         'legacy element form: success');
%full = (%full, Language => 'en', ShowArchives => 'FALSE',
         NotificationType => 'INSTANT');
ok t_cmp(prefs_of($ta), prefs_xml(%full),
         'legacy element form: three preferences changed, the rest kept');
ok t_cmp(last_audit($id{alice}), 'pf_alice|UpdateUserPreferences|pf_alice|'
         . 'language,show_archives,notification',
         'legacy element form: audit fields');
my $LEGACY_ALL = '<Preferences><Language>fr</Language><DefaultPortal />'
    . '<ShowArchives>True</ShowArchives><ShowHiddens>True</ShowHiddens>'
    . '<EmailType>HTML</EmailType><AttachDocumentToEmail>False'
    . '</AttachDocumentToEmail><NotificationType>NONE</NotificationType>'
    . '</Preferences>';
ok t_cmp(uup_get($ta, 'pf_alice', $LEGACY_ALL), rest_expect($OK),
         'the documented legacy example: success');
%full = (Language => 'fr', DefaultPortal => '', ShowArchives => 'TRUE',
         ShowHiddens => 'TRUE', NotificationType => 'NONE',
         EmailType => 'HTML', AttachDocumentToEmail => 'FALSE');
ok t_cmp(prefs_of($ta), prefs_xml(%full),
         'the documented legacy example: every preference');

# --- POST, values in any case, with an XML declaration
$res = rest_post($UUP, authenticationTicket => $ta, UserName => 'PF_ALICE',
    xmlPreferences => '<?xml version="1.0" encoding="utf-8"?>'
    . "\n<Preferences EmailType=\"text\" NotificationType=\"daily report\" "
    . 'AttachDocumentToEmail="True" ShowArchives="0" Language="Deutsch"/>');
ok t_cmp($res->content, rest_expect($OK), 'POST: success');
%full = (%full, EmailType => 'TEXT', NotificationType => 'DAILY REPORT',
         AttachDocumentToEmail => 'TRUE', ShowArchives => 'FALSE',
         Language => 'Deutsch');
ok t_cmp(prefs_of($ta), prefs_xml(%full), 'POST: values in any case');

# --- SOAP: the XML escaped as text
$res = soap_call($UUP, el('AuthenticationTicket', $ta)
    . el('UserName', 'pf_alice')
    . el('xmlPreferences', '<Preferences Language="Fran&#231;ais" '
         . 'DefaultPortal="a&lt;b &quot;c&quot; O&apos;Neil" '
         . 'EmailType="HTML" />'));
ok t_cmp($res->code, 200, 'SOAP: HTTP 200');
ok t_cmp($res->content, soap_expect($UUP, $OK), 'SOAP: whole envelope');
%full = (%full, Language => "Fran\xc3\xa7ais",
         DefaultPortal => 'a&lt;b &quot;c&quot; O&apos;Neil',
         EmailType => 'HTML');
ok t_cmp(prefs_of($ta), prefs_xml(%full),
         'SOAP: stored, and escaped again by GetUser');
ok t_cmp(prefs_row('pf_alice')->[1], q{a<b "c" O'Neil},
         'SOAP: the portal name in the database');
# the doc's XmlPreferences spelling, with the documented ticket element
ok t_cmp(uup_soap($ta, 'pf_alice',
                  el('XmlPreferences', '<Preferences ShowHiddens="false" />')),
         soap_expect($UUP, $OK), 'SOAP XmlPreferences spelling: success');
%full = (%full, ShowHiddens => 'FALSE');
ok t_cmp(prefs_of($ta), prefs_xml(%full), 'SOAP XmlPreferences: stored');
ok t_cmp(uup_soap($ta, 'pf_alice', '<xmlPreferences><![CDATA['
                  . '<Preferences NotificationType="INSTANT"/>]]>'
                  . '</xmlPreferences>'),
         soap_expect($UUP, $OK), 'SOAP: the XML in a CDATA section');
%full = (%full, NotificationType => 'INSTANT');
ok t_cmp(prefs_of($ta), prefs_xml(%full), 'SOAP CDATA: stored');
# the legacy element form through SOAP
ok t_cmp(uup_soap($ta, 'pf_alice', el('xmlPreferences',
                  '<Preferences><DefaultPortal>Home</DefaultPortal>'
                  . '<ShowArchives>True</ShowArchives></Preferences>')),
         soap_expect($UUP, $OK), 'SOAP legacy element form: success');
%full = (%full, DefaultPortal => 'Home', ShowArchives => 'TRUE');
ok t_cmp(prefs_of($ta), prefs_xml(%full), 'SOAP legacy element form: stored');

# --- an empty DefaultPortal clears it; an empty Language keeps it
ok t_cmp(uup_get($ta, 'pf_alice', '<Preferences DefaultPortal="" '
                 . 'Language="" />'), rest_expect($OK),
         'empty DefaultPortal and Language: success');
%full = (%full, DefaultPortal => '');
ok t_cmp(prefs_of($ta), prefs_xml(%full),
         'empty DefaultPortal cleared, empty Language kept');

# ------------------------------------------------------- refused XML
my $before = prefs_of($ta);
my $row    = prefs_row('pf_alice');
my $audits = n_audit();
my @bad = (
    [ '<Preferences Language="Klingon"',            'malformed XML' ],
    [ '<Preferences Language="Klingon">',           'unclosed element' ],
    [ '<Settings Language="Klingon" />',            'another root element' ],
    [ '<preferences Language="Klingon" />' x 2,     'two root elements' ],
    [ '',                                           'empty' ],
    [ 'Language=Klingon',                           'not XML' ],
    [ '<!DOCTYPE Preferences [<!ENTITY x "Klingon">]>'
      . '<Preferences Language="&x;" />',           'an internal entity' ],
    [ '<!DOCTYPE Preferences [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
      . '<Preferences Language="Klingon">&x;</Preferences>',
                                                    'an external entity' ],
    [ '<!DOCTYPE Preferences SYSTEM "http://127.0.0.1:9/p.dtd">'
      . '<Preferences Language="Klingon" />',       'an external DTD' ],
    [ '<!DOCTYPE Preferences><Preferences Language="Klingon" />',
                                                    'a bare DOCTYPE' ],
);
for my $b (@bad) {
    my ($xml, $what) = @$b;
    ok t_cmp(uup_get($ta, 'pf_alice', $xml), rest_expect($E903),
             "GET $what: [903]");
}
$res = rest_post($UUP, authenticationTicket => $ta, UserName => 'pf_alice',
                 xmlPreferences => $bad[6][0]);
ok t_cmp($res->content, rest_expect($E903), 'POST an entity: [903]');
ok t_cmp(uup_soap($ta, 'pf_alice', el('xmlPreferences', $bad[6][0])),
         soap_expect($UUP, $E903), 'SOAP an entity in the text: [903]');
ok t_cmp(uup_soap($ta, 'pf_alice', el('xmlPreferences', $bad[0][0])),
         soap_expect($UUP, $E903), 'SOAP malformed XML: [903]');
ok t_cmp(uup_soap($ta, 'pf_alice', '<xmlPreferences/>'),
         soap_expect($UUP, $E903), 'SOAP empty element: [903]');
ok t_cmp(uup_soap($ta, 'pf_alice', ''), soap_expect($UUP, $E903),
         'SOAP without the element (null): [903]');
ok t_cmp(uup_soap($ta, 'pf_alice', nil('xmlPreferences')),
         soap_expect($UUP, $E903), 'SOAP xsi:nil: [903]');
# XML in the element itself, not escaped, is not a string parameter
ok t_cmp(uup_soap($ta, 'pf_alice',
                  '<xmlPreferences><Preferences Language="Klingon" />'
                  . '</xmlPreferences>'),
         soap_expect($UUP, $E903), 'SOAP unescaped XML child: [903]');
$res = rest_get($UUP, authenticationTicket => $ta, UserName => 'pf_alice');
ok t_cmp([ $res->code, $res->content ],
         [ 400, "Missing parameter: xmlPreferences.\n" ],
         'GET without xmlPreferences: 400');

# --- bad values: the whole update is refused
my @values = (
    [ '<Preferences Language="Klingon" EmailType="PDF" />',
      'Invalid value for EmailType: PDF' ],
    [ '<Preferences><Language>Klingon</Language>'
      . '<EmailType>PDF</EmailType></Preferences>',
      'Invalid value for EmailType: PDF' ],
    [ '<Preferences Language="Klingon" ShowHiddens="maybe" />',
      'Invalid value for ShowHiddens: maybe' ],
    [ '<Preferences Language="Klingon" NotificationType="WEEKLY" />',
      'Invalid value for NotificationType: WEEKLY' ],
    [ '<Preferences AttachDocumentToEmail="" Language="Klingon" />',
      'Invalid value for AttachDocumentToEmail: ' ],
);
for my $v (@values) {
    my ($xml, $err) = @$v;
    ok t_cmp(uup_get($ta, 'pf_alice', $xml), rest_expect(fail_resp($err)),
             "bad value: $err");
}
ok t_cmp(uup_soap($ta, 'pf_alice',
                  el('xmlPreferences', '<Preferences EmailType="PDF" />')),
         soap_expect($UUP, fail_resp('Invalid value for EmailType: PDF')),
         'SOAP bad value: refused');
ok t_cmp(prefs_of($ta), $before, 'refusals: GetUser shows nothing changed');
ok t_cmp(prefs_row('pf_alice'), $row, 'refusals: database unchanged');
ok t_cmp(n_audit(), $audits, 'refusals: no audit rows');

# ------------------------------------------------------ permissions
my $bob_before = prefs_row('pf_bob');
ok t_cmp(uup_get($ta, 'pf_bob', '<Preferences Language="Hijack" />'),
         rest_expect($DENIED), 'another user as non-admin: Access denied');
ok t_cmp(uup_soap($ta, 'pf_bob',
                  el('xmlPreferences', '<Preferences Language="Hijack" />')),
         soap_expect($UUP, $DENIED), 'SOAP another user: Access denied');
ok t_cmp(uup_get($ta, "ID:$id{bob}", '<Preferences Language="Hijack" />'),
         rest_expect($DENIED), 'another user by ID: Access denied');
ok t_cmp(uup_get($ta, 'pf_no_such_user', '<Preferences Language="x" />'),
         rest_expect($DENIED), 'a missing user as non-admin: Access denied');
ok t_cmp(uup_get($ta, 'pf_bob', 'not xml'), rest_expect($DENIED),
         'another user with bad XML: Access denied first');
ok t_cmp(prefs_row('pf_bob'), $bob_before, 'denied: bob unchanged');
ok t_cmp(uup_get($tadmin, 'pf_bob', '<Preferences Language="Nederlands" '
                 . 'NotificationType="INSTANT" />'), rest_expect($OK),
         'admin for bob: success');
ok t_cmp(prefs_of($tb), prefs_xml(Language => 'Nederlands',
                                  NotificationType => 'INSTANT'),
         'admin for bob: bob sees the change');
ok t_cmp(last_audit($id{bob}), 'pf_admin|UpdateUserPreferences|pf_bob|'
         . 'language,notification', 'admin for bob: audit names the admin');
ok t_cmp(uup_get($tadmin, 'pf_no_such_user', '<Preferences Language="x" />'),
         rest_expect($NOUSER), 'admin, missing user: User not found');
ok t_cmp(uup_get($tadmin, '', '<Preferences Language="x" />'),
         rest_expect($NOUSER), 'admin, empty user name: User not found');
ok t_cmp(uup_get($tb, 'pf_bob', '<Preferences ShowHiddens="1" />'),
         rest_expect($OK), 'bob for himself: success');
ok t_cmp(prefs_of($tb), prefs_xml(Language => 'Nederlands',
                                  NotificationType => 'INSTANT',
                                  ShowHiddens => 'TRUE'),
         'bob for himself: stored');

# --------------------------------------------------------- tickets
$before = prefs_row('pf_alice');
for my $bad ([ '', 'empty' ], [ 'not-a-guid', 'non-GUID' ]) {
    my ($t, $what) = @$bad;
    ok t_cmp(uup_get($t, 'pf_alice', '<Preferences Language="x" />'),
             rest_expect(fail_resp('[900] Authentication failed')),
             "$what ticket: [900]");
}
ok t_cmp(uup_get($UNKNOWN, 'pf_alice', '<Preferences Language="x" />'),
         rest_expect(fail_resp('[901] Session expired or Invalid ticket')),
         'unknown ticket: [901]');
ok t_cmp(uup_soap($UNKNOWN, 'pf_alice',
                  el('xmlPreferences', '<Preferences Language="x" />')),
         soap_expect($UUP,
                     fail_resp('[901] Session expired or Invalid ticket')),
         'SOAP unknown ticket: [901]');
ok t_cmp(prefs_row('pf_alice'), $before, 'bad tickets: nothing changed');

# --------------------------------------------- GetUser over SOAP agrees
$res = soap_call('GetUser', el('AuthenticationTicket', $ta)
                 . el('UserName', ''));
ok t_cmp(soap_result('GetUser', $res->content) // '',
         qr{\Q${\ prefs_xml(%full)}\E</User></response>\z},
         'GetUser SOAP shows the same preferences');
