# The reading and listing methods: GetCurrentUser, UserExists, GetAllUsers
# and the paged, filtered, sorted lists GetAllUsers1, GetAllUsers2 and
# GetAllUsersWithoutDetails, in every binding.  Other test files share the
# database, so the lists are filtered to this file's users (ls_u_...).
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use InforTest;

plan tests => 152;

my $OK      = '<response success="true" error="" />';
my $DENIED  = '<response success="false" error="Access denied" />';
my $NO_USER = '<response success="false" error="User not found" />';
my $AUTH    = '<response success="false" error="[900] Authentication failed" />';
my $ROOT_AUTH = '<root success="false" error="[900] Authentication failed" />';
my $ROOT_TICKET = '<root success="false" '
                . 'error="[901] Session expired or Invalid ticket" />';
my $UNKNOWN = '01234567-89ab-cdef-0123-456789abcdef';

add_user('ls_admin', 'pw-ls-admin', '--admin', '--first', 'Lis',
         '--last', 'Admin');
add_user('ls_viewer', 'pw-ls-viewer', '--first', 'Vic', '--last', 'Viewer',
         '--email', 'vic@example.com', '--mobile', '+1 555 0100');
my $admin  = login('ls_admin', 'pw-ls-admin');
my $viewer = login('ls_viewer', 'pw-ls-viewer');

sub tf { $_[0] ? 'TRUE' : 'FALSE' }

# GetAllUsersWithoutDetails' <User>: seven attributes, no children.
sub brief_elem {
    my $u = user_row(shift);
    my %e = map { ($_ => xml_esc($u->{$_})) } keys %$u;
    return qq{<User exists="true" UserID="$u->{id}"}
         . qq{ FirstName="$e{first_name}" LastName="$e{last_name}"}
         . qq{ Email="$e{email}" Enabled="} . tf($u->{enabled})
         . qq{" UserName="$e{username}" />};
}

# ======================================================= GetCurrentUser
my $me = '<root success="true">' . user_elem('ls_viewer') . '</root>';
ok t_cmp(scalar($me =~ / LastLogonDate="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d" /),
         1, 'the viewer has a logon date');
my $res = rest_get('GetCurrentUser', authenticationTicket => $viewer);
ok t_cmp($res->code, 200, 'GetCurrentUser GET: HTTP 200');
ok t_cmp($res->header('Content-Type'), 'text/xml; charset=utf-8',
         'GetCurrentUser GET: content type');
ok t_cmp($res->content, rest_expect($me),
         'GetCurrentUser GET: the caller, <root> without error');
ok t_cmp(rest_post('GetCurrentUser', authenticationTicket => $viewer)
             ->content, rest_expect($me), 'GetCurrentUser POST');
$res = soap_call('GetCurrentUser', el('authenticationTicket', $viewer));
ok t_cmp([$res->code, $res->content],
         [200, soap_expect('GetCurrentUser', $me)],
         'GetCurrentUser SOAP: whole envelope');
ok t_cmp(soap_call('GetCurrentUser', el('AuthenticationTicket', $viewer))
             ->content, soap_expect('GetCurrentUser', $me),
         'GetCurrentUser SOAP: AuthenticationTicket element');
ok t_cmp(rest_get('GetCurrentUser', authenticationTicket => $admin)->content,
         rest_expect('<root success="true">' . user_elem('ls_admin')
                     . '</root>'),
         'GetCurrentUser: the administrator gets their own record');
ok t_cmp(rest_get('GetCurrentUser', authenticationTicket => 'not-a-guid')
             ->content, rest_expect($ROOT_AUTH),
         'GetCurrentUser: malformed ticket [900]');
ok t_cmp(rest_post('GetCurrentUser', authenticationTicket => '')->content,
         rest_expect($ROOT_AUTH), 'GetCurrentUser POST: empty ticket [900]');
ok t_cmp(soap_call('GetCurrentUser', '')->content,
         soap_expect('GetCurrentUser', $ROOT_AUTH),
         'GetCurrentUser SOAP: ticket omitted [900]');
ok t_cmp(rest_get('GetCurrentUser', authenticationTicket => $UNKNOWN)
             ->content, rest_expect($ROOT_TICKET),
         'GetCurrentUser: unknown ticket [901]');
$res = rest_get('GetCurrentUser');
ok t_cmp([$res->code, $res->content],
         [400, "Missing parameter: authenticationTicket.\n"],
         'GetCurrentUser GET: ticket parameter absent: 400');

# ======================================================= the list users
# name => [first, last, email, domain, source, enabled, read-only]
my %DATA = (
    ls_u_fox  => ['Zoe', 'Adams', 'Zoe@Omega.example', 'Marketing',
                  'native', 1, 0],
    ls_u_bear => ['adam', 'Young', 'adam@beta.example', 'Sales',
                  'CORP-LDAP', 0, 1],
    ls_u_cat  => ['Mia', 'Brown', 'mia@alpha.example', 'Engineering',
                  'ad-east', 1, 1],
    ls_u_dog  => ['Ben', 'Xu', 'ben@delta.example', 'finance',
                  'OAuth-Google', 1, 0],
    ls_u_eel  => ['Per%cent', 'Carter', 'eel@gamma.example', 'Legal',
                  'legacy-win', 0, 0],
    ls_u_ant  => ['Under_score', 'Diaz', 'ant@kappa.example', 'HR',
                  'zeta-sso', 1, 0],
    # Matches "ls_u_" only if "_" were a wildcard.
    'ls_uxdécoy' => ['Decoy', 'Lsux', 'decoy@example.invalid', 'Decoy',
                   'native', 1, 0],
);
for my $name (sort keys %DATA) {
    my ($first, $last, $email, $domain, $source, $enabled, $ro)
        = @{ $DATA{$name} };
    my $r = rest_post('CreateUser', authenticationTicket => $admin,
                      DomainName => $domain, UserName => $name,
                      FirstName => $first, LastName => $last,
                      EmailAddress => $email, Password => "pw-$name",
                      ReadOnlyUser => $ro ? 'true' : 'false',
                      AuthenticationSource => $source)->content;
    die "CreateUser $name: $r" unless $r =~ /success="true"/;
    rest_get('ChangeUserStatus', authenticationTicket => $admin,
             UserName => $name, StatusCode => 0) unless $enabled;
}
ok t_cmp([map { my $u = user_row($_);
                [@$u{qw(first_name last_name email domain auth_authority
                        enabled read_only)}] } sort keys %DATA],
         [map { my @d = @{ $DATA{$_} };
                $d[4] = 'Native' if $d[4] eq 'native'; \@d } sort keys %DATA],
         'the list users are stored as created');

my @ALL = map { "ls_u_$_" } qw(ant bear cat dog eel fox);   # by user name

sub short { my @n = @_; s/^ls_u_// for @n; @n }
sub full { map { "ls_u_$_" } @_ }

# The expected answer of a paged list: the count and these users.
sub page {
    my ($total, @names) = @_;
    my $users = @names ? '<users>' . join('', map { user_elem($_) } @names)
                         . '</users>'
                       : '<users />';
    return qq{<response success="true" error="" totalusercount="$total">}
         . "$users</response>";
}

sub brief_page {
    my ($total, @names) = @_;
    my $users = @names ? '<users>' . join('', map { brief_elem($_) } @names)
                         . '</users>'
                       : '<users />';
    return qq{<response success="true" error="" totalusercount="$total">}
         . "$users</response>";
}

# GetAllUsers1 over GET (or POST): defaults are the ls_u_ users, all
# states, by user name ascending, 100 a page.
sub list1 {
    my %o = (start => 0, rows => 100, first => '', last => '',
             user => 'ls_u_', email => '', source => '', domain => '',
             status => -1, sort => 1, asc => 'true', post => 0, @_);
    my $call = $o{post} ? \&rest_post : \&rest_get;
    return $call->('GetAllUsers1', authenticationTicket => $admin,
                   StartingRowNumber => $o{start}, NumbeOfRow => $o{rows},
                   firstNameFilter => $o{first}, lastNameFilter => $o{last},
                   userNameFilter => $o{user}, emailFilter => $o{email},
                   authenticationSourceFilter => $o{source},
                   domainNameFilter => $o{domain}, StatusFilter => $o{status},
                   SortBy => $o{sort}, SortAscending => $o{asc})->content;
}

# GetAllUsers2 or GetAllUsersWithoutDetails over GET (or POST).
sub list2 {
    my $method = shift;
    my %o = (start => 0, rows => 100, first => '', last => '',
             user => 'ls_u_', email => '', source => '', domain => '',
             status => -1, type => -1, sort => 1, asc => 'true', post => 0,
             @_);
    my $call = $o{post} ? \&rest_post : \&rest_get;
    return $call->($method, authenticationTicket => $admin,
                   startingRowNumber => $o{start}, numberOfRow => $o{rows},
                   firstNameFilter => $o{first}, lastNameFilter => $o{last},
                   userNameFilter => $o{user}, emailFilter => $o{email},
                   authenticationSourceFilter => $o{source},
                   domainNameFilter => $o{domain},
                   userStatusFilter => $o{status}, userTypeFilter => $o{type},
                   sortBy => $o{sort}, sortAscending => $o{asc})->content;
}

# ======================================================= UserExists
$res = rest_get('UserExists', authenticationTicket => $viewer,
                UserName => 'LS_U_FOX');
ok t_cmp([$res->code, $res->content], [200, rest_expect($OK)],
         'UserExists GET: another user, other case, non-admin caller');
ok t_cmp(rest_post('UserExists', authenticationTicket => $viewer,
                   UserName => 'ls_u_bear')->content, rest_expect($OK),
         'UserExists POST: a disabled user exists');
ok t_cmp(soap_call('UserExists', el('AuthenticationTicket', $viewer)
                   . el('UserName', 'Ls_U_Cat'))->content,
         soap_expect('UserExists', $OK), 'UserExists SOAP');
ok t_cmp(rest_get('UserExists', authenticationTicket => $viewer,
                  UserName => 'ls_viewer')->content, rest_expect($OK),
         'UserExists: the caller');
ok t_cmp(rest_get('UserExists', authenticationTicket => $admin,
                  UserName => 'ls_u_dog')->content, rest_expect($OK),
         'UserExists: an administrator may ask too');
ok t_cmp(rest_get('UserExists', authenticationTicket => $viewer,
                  UserName => 'ls_nobody')->content, rest_expect($NO_USER),
         'UserExists GET: unknown name');
ok t_cmp(rest_get('UserExists', authenticationTicket => $viewer,
                  UserName => 'ls_u_')->content, rest_expect($NO_USER),
         'UserExists: a prefix is not a match');
ok t_cmp(soap_call('UserExists', el('AuthenticationTicket', $viewer)
                   . el('UserName', 'ls_nobody'))->content,
         soap_expect('UserExists', $NO_USER), 'UserExists SOAP: unknown');
ok t_cmp(rest_post('UserExists', authenticationTicket => $viewer,
                   UserName => '')->content, rest_expect($NO_USER),
         'UserExists: empty name');
ok t_cmp(rest_get('UserExists', authenticationTicket => 'bad',
                  UserName => 'ls_u_fox')->content, rest_expect($AUTH),
         'UserExists: bad ticket [900]');
$res = rest_get('UserExists', authenticationTicket => $viewer);
ok t_cmp([$res->code, $res->content], [400, "Missing parameter: UserName.\n"],
         'UserExists GET: UserName absent: 400');

# ======================================================= GetAllUsers
# Every user, in full, by first and last name; the list users in that
# order among the others.
my @BY_NAME = full(qw(bear dog cat eel ant fox));
sub check_all {
    my ($body, $what) = @_;
    my $n = db_value('SELECT COUNT(*) FROM infor_users');
    my @users = $body =~ /(<User )/g;
    ok t_cmp(scalar(@users), $n, "$what: one <User> per user");
    my $shape = qr{\A<response success="true" error=""><users><User .*}
              . qr{</User></users></response>\z}s;
    ok t_cmp(scalar($body =~ $shape), 1,
             "$what: the shape");
    my @pos = map { index($body, user_elem($_)) } @BY_NAME;
    ok t_cmp([grep { $_ < 0 } @pos], [], "$what: the list users, in full");
    ok t_cmp([@pos], [sort { $a <=> $b } @pos],
             "$what: ordered by first and last name");
}
$res = rest_get('GetAllUsers', authenticationTicket => $admin);
ok t_cmp([$res->code, $res->header('Content-Type')],
         [200, 'text/xml; charset=utf-8'], 'GetAllUsers GET: 200, XML');
my $body = $res->content;
ok t_cmp(substr($body, 0, length $DECL), $DECL, 'GetAllUsers GET: XML '
         . 'declaration');
check_all(substr($body, length $DECL), 'GetAllUsers GET');
check_all(substr(rest_post('GetAllUsers', authenticationTicket => $admin)
                     ->content, length $DECL), 'GetAllUsers POST');
$body = soap_call('GetAllUsers', el('AuthenticationTicket', $admin))->content;
ok t_cmp(soap_expect('GetAllUsers', soap_result('GetAllUsers', $body)), $body,
         'GetAllUsers SOAP: the envelope');
check_all(soap_result('GetAllUsers', $body), 'GetAllUsers SOAP');
ok t_cmp(rest_get('GetAllUsers', authenticationTicket => $viewer)->content,
         rest_expect($DENIED), 'GetAllUsers: non-admin denied');

# ======================================================= GetAllUsers1
# Paging (default order: first and last name).
ok t_cmp(list1(sort => 0, start => 0, rows => 2),
         rest_expect(page(6, full(qw(bear dog)))), 'page 1 of 3');
ok t_cmp(list1(sort => 0, start => 2, rows => 2, post => 1),
         rest_expect(page(6, full(qw(cat eel)))), 'page 2 of 3 (POST)');
ok t_cmp(list1(sort => 0, start => 4, rows => 5),
         rest_expect(page(6, full(qw(ant fox)))), 'last page, partly full');
ok t_cmp(list1(sort => 0, start => 6, rows => 2),
         rest_expect(page(6)), 'just past the end: no users, the count');
ok t_cmp(list1(sort => 0, start => 100, rows => 10),
         rest_expect(page(6)), 'far past the end');
ok t_cmp(list1(sort => 0, start => 0, rows => 0),
         rest_expect(page(6)), 'NumbeOfRow=0: no users, the count');
ok t_cmp(list1(sort => 0, start => 3, rows => 0),
         rest_expect(page(6)), 'NumbeOfRow=0 further on: the count');
ok t_cmp(list1(sort => 0, start => 0, rows => 100),
         rest_expect(page(6, @BY_NAME)), 'one page holds all');

# Filters: substrings, any letter case.
my @FILTERS = (
    [first => 'A', [qw(bear cat)]],
    [first => 'zOE', [qw(fox)]],
    [last => 'A', [qw(ant eel fox)]],
    [last => 'dAM', [qw(fox)]],
    [user => 'LS_U_E', [qw(eel)]],
    [user => 'LS_U_D', [qw(dog)]],
    [email => 'OMEGA', [qw(fox)]],
    [email => '.EXAMPLE', [qw(ant bear cat dog eel fox)]],
    [email => 'ta.ex', [qw(bear dog)]],
    [source => 'ldap', [qw(bear)]],
    [source => 'NATIVE', [qw(fox)]],
    [source => '-', [qw(ant bear cat dog eel)]],
    [domain => 'ING', [qw(cat fox)]],
    [domain => 'sales', [qw(bear)]],
    [domain => 'FINANCE', [qw(dog)]],
    [first => 'nobody', []],
);
for my $f (@FILTERS) {
    my ($key, $value, $names) = @$f;
    my @names = full(@$names);
    # A user-name filter replaces the ls_u_ one; the others add to it.
    ok t_cmp(list1($key => $value),
             rest_expect(page(scalar(@names), @names)),
             "GetAllUsers1 filter $key=$value");
}
ok t_cmp(list1(first => 'e', domain => 'r', status => 1),
         rest_expect(page(2, full(qw(ant fox)))), 'filters combine');
ok t_cmp(list1(first => 'e', domain => 'r', status => 1, rows => 1,
               start => 1),
         rest_expect(page(2, full(qw(fox)))),
         'the count is of all pages when filtered');

# Pattern characters are matched literally.
ok t_cmp(list1(first => '%'), rest_expect(page(1, 'ls_u_eel')),
         'a % in a filter is literal');
ok t_cmp(list1(first => '_'), rest_expect(page(1, 'ls_u_ant')),
         'a _ in a filter is literal');
ok t_cmp(list1(first => 'r%c'), rest_expect(page(1, 'ls_u_eel')),
         'r%c matches only itself');
ok t_cmp(list1(first => '!'), rest_expect(page(0)),
         'the escape character ! is literal');
ok t_cmp(list1(user => 'ls_u_'), rest_expect(page(6, @ALL)),
         'userNameFilter ls_u_ leaves out ls_uxdécoy');
ok t_cmp(list1(user => 'ls_u', rows => 0), rest_expect(page(7)),
         'userNameFilter ls_u finds ls_uxdécoy too');
# User names are the same in any letter case, Latin-1 letters included
# (GetUser and UserExists find ls_uxdécoy as LS_UXDÉCOY): so is the filter.
ok t_cmp(rest_get('UserExists', authenticationTicket => $admin,
                  UserName => 'LS_UXDÉCOY')->content, rest_expect($OK),
         'UserExists: LS_UXDÉCOY is ls_uxdécoy');
ok t_cmp(list1(user => 'UXDÉC'), rest_expect(page(1, 'ls_uxdécoy')),
         'userNameFilter: a Latin-1 capital matches its small letter');

# StatusFilter.
ok t_cmp(list1(status => 0), rest_expect(page(2, full(qw(bear eel)))),
         'StatusFilter 0: disabled users');
ok t_cmp(list1(status => 1),
         rest_expect(page(4, full(qw(ant cat dog fox)))),
         'StatusFilter 1: enabled users');
ok t_cmp(list1(status => -1), rest_expect(page(6, @ALL)),
         'StatusFilter -1: all');

# Every sort code, both ways.  Ties (status, type) are broken by first
# and last name, ascending.
my %SORT_ASC = (
    0 => [qw(bear dog cat eel ant fox)],
    1 => [qw(ant bear cat dog eel fox)],
    2 => [qw(bear dog cat eel ant fox)],
    3 => [qw(fox cat eel ant dog bear)],
    4 => [qw(bear ant dog eel cat fox)],
    5 => [qw(bear eel dog cat ant fox)],
    6 => [qw(cat bear eel fox dog ant)],
    7 => [qw(cat dog ant eel fox bear)],
    8 => [qw(dog eel ant fox bear cat)],
);
my %SORT_DESC = (map({ ($_ => [reverse @{ $SORT_ASC{$_} }]) } 0 .. 8),
                 5 => [qw(dog cat ant fox bear eel)],
                 8 => [qw(bear cat dog eel ant fox)]);
sub order_of {
    my $body = shift;
    return [short($body =~ / UserName="(ls_u_\w+)"/g)];
}
for my $code (0 .. 8) {
    my $asc = list1(sort => $code, asc => 'true');
    ok t_cmp([order_of($asc), $asc],
             [$SORT_ASC{$code},
              rest_expect(page(6, full(@{ $SORT_ASC{$code} })))],
             "GetAllUsers1 SortBy=$code ascending");
    my $desc = list1(sort => $code, asc => 'false');
    ok t_cmp([order_of($desc), $desc],
             [$SORT_DESC{$code},
              rest_expect(page(6, full(@{ $SORT_DESC{$code} })))],
             "GetAllUsers1 SortBy=$code descending");
}
ok t_cmp(order_of(list1(sort => 3, asc => '0', start => 1, rows => 3)),
         [qw(dog ant eel)], 'SortAscending=0, a middle page');

# SOAP: the filter elements left out mean no filter.
my $soap1 = sub {
    my %o = (start => 0, rows => 100, status => -1, sort => 1, asc => 'true',
             @_);
    my $c = el('AuthenticationTicket', $admin)
          . el('StartingRowNumber', $o{start}) . el('NumbeOfRow', $o{rows});
    $c .= $o{filters} // '';
    $c .= el('StatusFilter', $o{status}) . el('SortBy', $o{sort})
        . el('SortAscending', $o{asc});
    return soap_call('GetAllUsers1', $c)->content;
};
ok t_cmp($soap1->(filters => el('userNameFilter', 'ls_u_')),
         soap_expect('GetAllUsers1', page(6, @ALL)),
         'GetAllUsers1 SOAP: other filters omitted');
ok t_cmp($soap1->(filters => el('userNameFilter', 'ls_u_')
                             . nil('firstNameFilter') . nil('emailFilter')
                             . '<domainNameFilter/>',
                  sort => 7, asc => 'false', start => 1, rows => 2),
         soap_expect('GetAllUsers1', page(6, full(qw(fox eel)))),
         'GetAllUsers1 SOAP: nil and empty filters, sorted, paged');
my $everyone = db_value('SELECT COUNT(*) FROM infor_users');
ok t_cmp($soap1->(rows => 0),
         soap_expect('GetAllUsers1', page($everyone)),
         'GetAllUsers1 SOAP: every filter omitted counts every user');
ok t_cmp($soap1->(rows => 0, status => 0),
         soap_expect('GetAllUsers1', page(db_value(
             'SELECT COUNT(*) FROM infor_users WHERE enabled = 0'))),
         'GetAllUsers1 SOAP: no filter but the status');
$res = rest_get('GetAllUsers1', authenticationTicket => $admin,
                StartingRowNumber => 0, NumbeOfRow => 0, StatusFilter => -1,
                SortBy => 0, SortAscending => 'true');
ok t_cmp($res->content, rest_expect(page($everyone)),
         'GetAllUsers1 GET: the optional filters absent');

# Malformed and absent parameters.
$res = rest_get('GetAllUsers1', authenticationTicket => $admin,
                StartingRowNumber => 'x', NumbeOfRow => 1, StatusFilter => -1,
                SortBy => 0, SortAscending => 'true');
ok t_cmp([$res->code, $res->content],
         [400, "Invalid parameter: StartingRowNumber must be an integer.\n"],
         'GetAllUsers1: StartingRowNumber=x is HTTP 400');
$res = rest_get('GetAllUsers1', authenticationTicket => $admin,
                StartingRowNumber => 0, NumbeOfRow => 1, StatusFilter => -1,
                SortBy => 0, SortAscending => 'maybe');
ok t_cmp([$res->code, $res->content],
         [400, "Invalid parameter: SortAscending must be true or false.\n"],
         'GetAllUsers1: SortAscending=maybe is HTTP 400');
$res = rest_get('GetAllUsers1', authenticationTicket => $admin,
                StartingRowNumber => 0, StatusFilter => -1, SortBy => 0,
                SortAscending => 'true');
ok t_cmp([$res->code, $res->content],
         [400, "Missing parameter: NumbeOfRow.\n"],
         'GetAllUsers1: NumbeOfRow absent is HTTP 400');
ok t_cmp(rest_get('GetAllUsers1', authenticationTicket => $viewer,
                  StartingRowNumber => 0, NumbeOfRow => 1,
                  StatusFilter => -1, SortBy => 0,
                  SortAscending => 'true')->content,
         rest_expect($DENIED), 'GetAllUsers1: non-admin denied');

# ======================================================= GetAllUsers2
ok t_cmp(list2('GetAllUsers2'), rest_expect(page(6, @ALL)),
         'GetAllUsers2 GET: all list users');
ok t_cmp(list2('GetAllUsers2', type => 1, post => 1),
         rest_expect(page(4, full(qw(ant dog eel fox)))),
         'GetAllUsers2 POST: userTypeFilter 1, authors');
ok t_cmp(list2('GetAllUsers2', type => 2),
         rest_expect(page(2, full(qw(bear cat)))),
         'GetAllUsers2: userTypeFilter 2, read-only users');
ok t_cmp(list2('GetAllUsers2', type => -1, status => 0),
         rest_expect(page(2, full(qw(bear eel)))),
         'GetAllUsers2: userStatusFilter 0');
ok t_cmp(list2('GetAllUsers2', type => 2, status => 1),
         rest_expect(page(1, 'ls_u_cat')),
         'GetAllUsers2: enabled read-only users');
ok t_cmp(list2('GetAllUsers2', type => 2, status => 0),
         rest_expect(page(1, 'ls_u_bear')),
         'GetAllUsers2: disabled read-only users');
ok t_cmp(list2('GetAllUsers2', type => 1, status => 1, sort => 0,
               start => 1, rows => 1),
         rest_expect(page(3, 'ls_u_ant')),
         'GetAllUsers2: filtered count across pages');
ok t_cmp(list2('GetAllUsers2', sort => 0, start => 1, rows => 3),
         rest_expect(page(6, full(qw(dog cat eel)))),
         'GetAllUsers2: a middle page');
ok t_cmp(list2('GetAllUsers2', start => 6, rows => 3),
         rest_expect(page(6)), 'GetAllUsers2: past the end');
ok t_cmp(list2('GetAllUsers2', rows => 0), rest_expect(page(6)),
         'GetAllUsers2: numberOfRow=0');
ok t_cmp(list2('GetAllUsers2', first => '%', last => 'CART'),
         rest_expect(page(1, 'ls_u_eel')),
         'GetAllUsers2: literal %, any case');
ok t_cmp(list2('GetAllUsers2', source => 'OAUTH', domain => 'fin',
               email => 'BEN'),
         rest_expect(page(1, 'ls_u_dog')),
         'GetAllUsers2: source, domain and email filters');
for my $code (0 .. 8) {
    ok t_cmp([order_of(list2('GetAllUsers2', sort => $code, asc => 'true')),
              order_of(list2('GetAllUsers2', sort => $code,
                             asc => 'false'))],
             [$SORT_ASC{$code}, $SORT_DESC{$code}],
             "GetAllUsers2 sortBy=$code both ways");
}
# The doc's SOAP example capitalises the element names.
my $c2 = el('AuthenticationTicket', $admin) . el('StartingRowNumber', 1)
       . el('NumberOfRow', 2) . el('userNameFilter', 'ls_u_')
       . el('UserStatusFilter', -1) . el('UserTypeFilter', 1)
       . el('SortBy', 3) . el('SortAscending', 'true');
ok t_cmp(soap_call('GetAllUsers2', $c2)->content,
         soap_expect('GetAllUsers2', page(4, full(qw(eel ant)))),
         'GetAllUsers2 SOAP: the doc\'s element names, omitted filters');
$res = rest_get('GetAllUsers2', authenticationTicket => $admin,
                startingRowNumber => 0, numberOfRow => 0,
                userStatusFilter => -1, userTypeFilter => -1, sortBy => 0,
                sortAscending => 'true');
ok t_cmp($res->content, rest_expect(page($everyone)),
         'GetAllUsers2 GET: filters absent: every user counted');
$res = rest_get('GetAllUsers2', authenticationTicket => $admin,
                startingRowNumber => 0, numberOfRow => 0,
                userStatusFilter => -1, userTypeFilter => 'two', sortBy => 0,
                sortAscending => 'true');
ok t_cmp([$res->code, $res->content],
         [400, "Invalid parameter: userTypeFilter must be an integer.\n"],
         'GetAllUsers2: userTypeFilter=two is HTTP 400');

# ======================================================= WithoutDetails
my $WD = 'GetAllUsersWithoutDetails';
ok t_cmp(list2($WD), rest_expect(brief_page(6, @ALL)),
         "$WD GET: brief users");
my ($one) = list2($WD, rows => 1) =~ /(<User [^>]*>)/;
ok t_cmp([$one =~ / (\w+)="/g],
         [qw(exists UserID FirstName LastName Email Enabled UserName)],
         "$WD: exactly these attributes, in this order");
ok t_cmp(scalar($one =~ m{ />\z}), 1, "$WD: <User> has no children");
ok t_cmp(list2($WD, post => 1, status => 0),
         rest_expect(brief_page(2, full(qw(bear eel)))),
         "$WD POST: disabled users");
ok t_cmp(list2($WD, type => 2, sort => 4, asc => 'false'),
         rest_expect(brief_page(2, full(qw(cat bear)))),
         "$WD: read-only users by email, descending");
ok t_cmp(list2($WD, sort => 0, start => 2, rows => 2),
         rest_expect(brief_page(6, full(qw(cat eel)))), "$WD: a middle page");
ok t_cmp(list2($WD, start => 10, rows => 2), rest_expect(brief_page(6)),
         "$WD: past the end");
ok t_cmp(list2($WD, rows => 0), rest_expect(brief_page(6)),
         "$WD: numberOfRow=0");
ok t_cmp(list2($WD, first => '_'), rest_expect(brief_page(1, 'ls_u_ant')),
         "$WD: literal _");
ok t_cmp(list2($WD, user => 'LS_U'), rest_expect(brief_page(7,
             sort('ls_uxdécoy', @ALL))), "$WD: user filter in another case");
for my $code (0 .. 8) {
    ok t_cmp([order_of(list2($WD, sort => $code, asc => 'true')),
              order_of(list2($WD, sort => $code, asc => 'false'))],
             [$SORT_ASC{$code}, $SORT_DESC{$code}],
             "$WD sortBy=$code both ways");
}
my $cw = el('AuthenticationTicket', $admin) . el('startingRowNumber', 0)
       . el('numberOfRow', 100) . el('userNameFilter', 'ls_u_')
       . el('domainNameFilter', 'A') . el('userStatusFilter', 1)
       . el('userTypeFilter', -1) . el('sortBy', 7)
       . el('sortAscending', 'true');
ok t_cmp(soap_call($WD, $cw)->content,
         soap_expect($WD, brief_page(2, full(qw(dog fox)))),
         "$WD SOAP: omitted filters, domain filter, enabled");
$cw = el('AuthenticationTicket', $admin) . el('startingRowNumber', 0)
    . el('numberOfRow', 0) . el('userStatusFilter', -1)
    . el('userTypeFilter', -1) . el('sortBy', 0) . el('sortAscending', 1);
ok t_cmp(soap_call($WD, $cw)->content,
         soap_expect($WD, brief_page($everyone)),
         "$WD SOAP: every filter omitted counts every user");
ok t_cmp(soap_call($WD, $cw =~ s/\Q$admin\E/$viewer/r)->content,
         soap_expect($WD, $DENIED), "$WD SOAP: non-admin denied");
