# The HTML pages: /srv.asmx lists the operations, /srv.asmx?op=NAME
# describes one with samples for every binding and a form that calls it.
# Valid HTML5, no JavaScript, everything shown escaped; an unknown
# operation is a 404 page.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use IO::Socket::INET ();
use URI ();
use URI::Escape qw(uri_escape);
use XML::LibXML ();
use InforTest;

plan tests => 341;

my @OPS = @METHODS;
my $HTML     = 'text/html; charset=utf-8';
my $HOSTPORT = Apache::TestRequest::hostport();
my $TNS      = 'http://tempuri.org/';
my %VOID = map { $_ => 1 } qw(area base br col embed hr img input link meta
                              source track wbr);

# ----------------------------------------------------------- page checks

# Every tag that opens closes, in order (void elements excepted); no
# comment or CDATA tricks.  Returns '' or the first problem.
sub balance {
    my $html = shift;
    $html =~ s/\A<!DOCTYPE html>\n?//i or return 'no <!DOCTYPE html>';
    my @stack;
    while ($html =~ m{<(/?)([A-Za-z][A-Za-z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|(<)}g) {
        return 'a raw < in text at offset ' . pos($html) if defined $4;
        my ($close, $tag, $rest) = ($1, lc $2, $3);
        if ($close) {
            my $open = pop @stack // '(nothing)';
            return "</$tag> closes <$open>" if $open ne $tag;
        }
        elsif (!$VOID{$tag} && $rest !~ m{/\s*\z}) {
            push @stack, $tag;
        }
    }
    return @stack ? "<$stack[-1]> never closed" : '';
}

# The page as a DOM: libxml2's HTML parser without recovery, so that a
# parse error fails the test.  Returns (document, error).
sub parse_html {
    my $html = shift;
    my $doc = eval {
        XML::LibXML->load_html(string => $html, recover => 0,
                               suppress_errors => 1, suppress_warnings => 1)
    };
    return ($doc, $doc ? '' : "$@");
}

# What a page must be whatever it shows: HTML5, well-nested, parseable,
# no script, no event handlers, no javascript: URLs, ids unique, every
# label's "for" names an element.  Returns a list of problems.
sub page_problems {
    my $html = shift;
    my @p;
    push @p, 'does not start with <!DOCTYPE html>'
        unless $html =~ /\A<!DOCTYPE html>/;
    push @p, 'no <html lang>' unless $html =~ /<html lang="[a-z]+">/;
    push @p, 'no <meta charset="utf-8">' unless $html =~ /<meta charset="utf-8">/i;
    my $b = balance($html);
    push @p, "tags: $b" if $b;
    my ($doc, $err) = parse_html($html);
    push @p, "HTML parser: $err" if $err;
    push @p, 'has <script' if $html =~ /<script/i;
    push @p, 'has an event handler attribute'
        if $html =~ /<[^>]*\son[a-z]+\s*=/i;
    push @p, 'has a javascript: URL' if $html =~ /javascript:/i;
    if ($doc) {
        my %id;
        for my $n ($doc->findnodes('//*[@id]')) {
            push @p, 'duplicate id ' . $n->getAttribute('id')
                if $id{ $n->getAttribute('id') }++;
        }
        for my $l ($doc->findnodes('//label[@for]')) {
            push @p, 'label for a missing id ' . $l->getAttribute('for')
                unless $id{ $l->getAttribute('for') };
        }
        push @p, 'no <title>' unless $doc->findvalue('//head/title') =~ /\S/;
    }
    return \@p;
}

sub text_of { my $n = shift; my $t = $n->textContent; $t =~ s/\s+/ /g; $t =~ s/^ | $//g; $t }

# ------------------------------------------- what the WSDL says (source)

my $wsdl = XML::LibXML->load_xml(
    string => Apache::TestRequest::GET('/srv.asmx?WSDL')->content);
my $wx = XML::LibXML::XPathContext->new($wsdl);
$wx->registerNs(w => 'http://schemas.xmlsoap.org/wsdl/');
$wx->registerNs(s => 'http://www.w3.org/2001/XMLSchema');
my (%summary, %params, %ptypes);
for my $op ($wx->findnodes('/w:definitions/w:portType[@name="srvSoap"]'
                           . '/w:operation')) {
    $summary{ $op->getAttribute('name') }
        = text_of(($wx->findnodes('w:documentation', $op))[0] // $op);
}
for my $name (@OPS) {
    my @el = $wx->findnodes(
        "/w:definitions/w:types/s:schema/s:element[\@name='$name']"
        . '/s:complexType/s:sequence/s:element');
    $params{$name} = [ map { $_->getAttribute('name') } @el ];
    # The placeholder a sample shows: the XML Schema type's name.
    $ptypes{$name} = [ map { $_->getAttribute('type') =~ s/^\w+://r } @el ];
}
ok t_cmp([ sort keys %summary ], [ sort @OPS ],
         'the WSDL documents the 27 operations (the reference for the pages)');

# -------------------------------------------------------------- the index

my $res = Apache::TestRequest::GET('/srv.asmx');
ok t_cmp($res->code, 200, 'index: HTTP 200');
ok t_cmp($res->header('Content-Type'), $HTML, 'index: text/html; charset=utf-8');
my $index = $res->content;
ok t_cmp(substr($index, 0, 15), '<!DOCTYPE html>', 'index: starts with <!DOCTYPE html>');
ok t_cmp(page_problems($index), [], 'index: valid, well-nested, no script');
my ($idoc) = parse_html($index);
$idoc //= XML::LibXML::Document->new;
ok t_cmp(text_of(($idoc->findnodes('//h1'))[0] // $idoc), 'srv',
         'index: the service name');
ok t_cmp([ map { $_->getAttribute('href') }
           $idoc->findnodes('//a[contains(@href, "WSDL")]') ],
         ['/srv.asmx?WSDL'], 'index: a link to the WSDL');

my @listed = map { my $a = ($_->findnodes('a'))[0];
                   [ $a ? $a->getAttribute('href') : '', $a ? text_of($a) : '' ] }
             $idoc->findnodes('//li');
ok t_cmp([ sort map { $_->[1] } @listed ], [ sort @OPS ],
         'index: exactly the 27 operations');
for my $name (@OPS) {
    my ($li) = $idoc->findnodes("//li[a = '$name']");
    my ($link, $text) = ('', '');
    if ($li) {
        $link = $li->findvalue('a/@href');
        $text = join ' ', map { $_->textContent } grep { $_->nodeName ne 'a' }
                $li->childNodes;
        $text =~ s/\s+/ /g;
        $text =~ s/^ | $//g;
    }
    ok t_cmp([ $link, $li ? text_of(($li->findnodes('a'))[0]) : '', $text ],
             [ "/srv.asmx?op=$name", $name, $summary{$name} ],
             "index: $name, its link and its description");
}

# ------------------------------------------------- one page per operation

for my $name (@OPS) {
    my $res = Apache::TestRequest::GET("/srv.asmx?op=$name");
    my $html = $res->content;
    ok t_cmp([ $res->code, $res->header('Content-Type') ], [ 200, $HTML ],
             "?op=$name: 200 text/html");
    ok t_cmp(page_problems($html), [], "?op=$name: valid, no script");
    my ($doc) = parse_html($html);
    $doc //= XML::LibXML::Document->new;
    ok t_cmp([ text_of(($doc->findnodes('//h1'))[0] // $doc),
               (map { text_of($_) } $doc->findnodes('//h1/following-sibling::p[1]')) ],
             [ $name, $summary{$name} ], "?op=$name: name and description");

    # The parameter table: the names of the WSDL, in order.
    my @rows = map { text_of($_) } $doc->findnodes(
        '//h2[. = "Parameters"]/following-sibling::table[1]/tr/td[1]');
    ok t_cmp(\@rows, $params{$name}, "?op=$name: the parameters");

    # The four samples, in order, each with the binding's details.
    my @h3 = map { text_of($_) } $doc->findnodes('//h3');
    ok t_cmp(\@h3, [ 'SOAP 1.1', 'SOAP 1.2', 'HTTP GET', 'HTTP POST' ],
             "?op=$name: the four sample sections");
    my %sample;
    for my $i (1 .. 4) {
        $sample{ $h3[$i - 1] // $i } = join "\n---\n", map { $_->textContent }
            $doc->findnodes("//h3[$i]/following-sibling::pre"
                            . "[count(preceding-sibling::h3) = $i]");
    }
    my @p = @{ $params{$name} };
    my @t = @{ $ptypes{$name} };
    my $query = join '&', map { "$p[$_]=$t[$_]" } 0 .. $#p;
    my @elements = map { "<$p[$_]>$t[$_]</$p[$_]>" } 0 .. $#p;
    my @problems;
    my $s11 = $sample{'SOAP 1.1'} // '';
    push @problems, 'SOAP 1.1: ' . $_ for grep { index($s11, $_) < 0 }
        "POST /srv.asmx HTTP/1.1\nHost: $HOSTPORT\n",
        'Content-Type: text/xml; charset=utf-8',
        qq{SOAPAction: "$TNS$name"},
        'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"',
        qq{<$name xmlns="$TNS">}, @elements,
        qq{<${name}Response xmlns="$TNS">}, "<${name}Result>";
    my $s12 = $sample{'SOAP 1.2'} // '';
    push @problems, 'SOAP 1.2: ' . $_ for grep { index($s12, $_) < 0 }
        "POST /srv.asmx HTTP/1.1\nHost: $HOSTPORT\n",
        qq{Content-Type: application/soap+xml; charset=utf-8; action="$TNS$name"},
        'xmlns:soap="http://www.w3.org/2003/05/soap-envelope"',
        qq{<$name xmlns="$TNS">}, @elements,
        qq{<${name}Response xmlns="$TNS">}, "<${name}Result>";
    push @problems, 'SOAP 1.2: has a SOAPAction header'
        if $s12 =~ /SOAPAction:/;
    my $get = $sample{'HTTP GET'} // '';
    push @problems, 'HTTP GET: ' . $_ for grep { index($get, $_) < 0 }
        "GET /srv.asmx/$name?$query HTTP/1.1\nHost: $HOSTPORT\n",
        'Content-Type: text/xml; charset=utf-8';
    my $post = $sample{'HTTP POST'} // '';
    push @problems, 'HTTP POST: ' . $_ for grep { index($post, $_) < 0 }
        "POST /srv.asmx/$name HTTP/1.1\nHost: $HOSTPORT\n"
          . "Content-Type: application/x-www-form-urlencoded\n",
        "\n\n$query",
        'Content-Type: text/xml; charset=utf-8';
    ok t_cmp(\@problems, [], "?op=$name: the samples show the binding");

    # The form: POST to the form binding, one input per parameter,
    # password inputs for secrets, a submit button.
    my @forms = $doc->findnodes('//form');
    ok t_cmp([ map { [ $_->getAttribute('method'), $_->getAttribute('action') ] }
               @forms ],
             [ [ 'post', "/srv.asmx/$name" ] ],
             "?op=$name: one <form method=\"post\" action=\"/srv.asmx/$name\">");
    ok t_cmp([ map { [ $_->getAttribute('name'), $_->getAttribute('type') ] }
               $doc->findnodes('//form//input') ],
             [ map { [ $_, /pwd|password|secret/i ? 'password' : 'text' ] } @p ],
             "?op=$name: one input per parameter (password for secrets)");
    ok t_cmp(scalar(() = $doc->findnodes(
                 '//form//button[@type="submit"] | //form//input[@type="submit"]')),
             1, "?op=$name: a submit button");
    ok t_cmp($html =~ m{<form method="post" action="/srv\.asmx/\Q$name\E">}
             ? 'literal' : 'other', 'literal',
             "?op=$name: the form tag as written");
}

# ---------------------------------------- a form post, as a browser does

my $pw = 'hp-Secret-pw-5';
my $uid = add_user('hp_user', $pw, '--email', 'hp@old', '--mobile', '1');

# Fills a page's form and submits it like a browser: every input by name,
# form-encoded, to the action resolved against the page URL.
sub submit {
    my ($name, %values) = @_;
    my $page_url = "http://$HOSTPORT/srv.asmx?op=$name";
    my ($doc) = parse_html(Apache::TestRequest::GET("/srv.asmx?op=$name")
                           ->content);
    my ($form) = $doc ? $doc->findnodes('//form') : ();
    return undef unless $form;
    my $url = URI->new_abs($form->getAttribute('action'), $page_url);
    my $body = join '&', map {
        my $n = $_->getAttribute('name');
        uri_escape($n) . '=' . uri_escape($values{$n} // '')
    } $form->findnodes('.//input[@name]');
    return Apache::TestRequest::POST($url->path_query,
        content_type => 'application/x-www-form-urlencoded',
        content      => $body);
}

$res = submit('AuthenticateUser', UID => 'hp_user', PWD => $pw);
ok t_cmp($res ? $res->code : 'no form', 200, 'form AuthenticateUser: HTTP 200');
ok t_cmp($res ? $res->header('Content-Type') : '', 'text/xml; charset=utf-8',
         'form AuthenticateUser: text/xml');
my $content = $res ? $res->content : '';
my ($ticket) = $content =~ /ticket="([^"]+)"/;
$ticket //= '';
my $GUID = guid_re();
ok t_cmp($content,
         qr{\A\Q$DECL\E<root success="true" ticket="$GUID" userid="$uid" username="hp_user" },
         'form AuthenticateUser: logged in');
ok t_cmp(scalar(my @s = session_rows($uid)), 1, 'form AuthenticateUser: a session');

$res = submit('AuthenticateUser', UID => 'hp_user', PWD => 'wrong');
ok t_cmp($res ? $res->content : '',
         rest_expect('<root success="false" error="[900] Authentication failed" />'),
         'form AuthenticateUser, wrong password: [900]');

$res = submit('UpdateUserContactInfo', authenticationTicket => $ticket,
              userName => 'hp_user', emailAddress => 'hp@form & co',
              mobileNumber => '+1 (555) 0199');
ok t_cmp($res ? $res->content : '',
         rest_expect('<response success="true" error="" />'),
         'form UpdateUserContactInfo: success');
ok t_cmp([ @{ user_row('hp_user') }{qw(email mobile)} ],
         [ 'hp@form & co', '+1 (555) 0199' ],
         'form UpdateUserContactInfo: stored exactly');

# ------------------------------------------------- unknown op: a 404 page

for my $bad ('<script>alert(1)</script>', 'NoSuchOp', q{x" onmouseover="y},
             q{&amp;<b>'}) {
    my $res = Apache::TestRequest::GET('/srv.asmx?op=' . uri_escape($bad));
    my $html = $res->content;
    ok t_cmp([ $res->code, $res->header('Content-Type') ], [ 404, $HTML ],
             "?op=$bad: 404 text/html");
    ok t_cmp(page_problems($html), [], "?op=$bad: valid page, no script");
    my ($doc) = parse_html($html);
    ok t_cmp($doc ? text_of(($doc->findnodes('//code'))[0] // $doc) : '', $bad,
             "?op=$bad: shows the name as text");
}
$res = Apache::TestRequest::GET('/srv.asmx?op=%3Cscript%3Ealert(1)%3C/script%3E');
ok t_cmp($res->content =~ m{<code>&lt;script&gt;alert\(1\)&lt;/script&gt;</code>}
         ? 'escaped' : $res->content, 'escaped',
         '?op=<script>: &lt;script&gt; in the page');
ok t_cmp($res->content =~ /<script/i ? 'raw' : 'none', 'none',
         '?op=<script>: no raw <script');

# ------------------------------------------------------- hostile inputs

# Raw requests, for what a browser or LWP would not send.
sub raw {
    my $req = shift;
    my $s = IO::Socket::INET->new(PeerAddr => $HOSTPORT, Timeout => 10)
        or return '';
    print $s $req;
    local $/;
    my $r = <$s> // '';
    close $s;
    return $r;
}

# A Host header with markup: refused by httpd, or escaped; never raw.
for my $host ('evil"><script>alert(1)</script>', "a<b>c", q{x'y&z}) {
    for my $path ('/srv.asmx?op=GetUser', '/srv.asmx?WSDL', '/srv.asmx') {
        my $r = raw("GET $path HTTP/1.1\r\nHost: $host\r\n"
                    . "Connection: close\r\n\r\n");
        my ($status) = $r =~ m{\AHTTP/1\.1 (\d+)};
        ok t_cmp(($status // 0) =~ /^(200|400)$/
                 && index($r, $host) < 0 && $r !~ /<script|<b>/
                 ? 'safe' : "unsafe: $r", 'safe',
                 "Host '$host' on $path: refused or escaped");
    }
}
# An absolute URI names the host instead of the Host header.
{
    my $r = raw("GET http://evil.example/srv.asmx?op=GetUser HTTP/1.1\r\n"
                . "Host: a.example\r\nConnection: close\r\n\r\n");
    ok t_cmp($r =~ m{\AHTTP/1\.1 200} && $r =~ m{Host: evil\.example\n}
             ? 'follows the URI' : $r, 'follows the URI',
             'absolute request URI: the samples use its host');
}
# A path with markup (the pages repeat the path they were called at).
{
    my $res = Apache::TestRequest::GET('/srv.asmx/%3Cscript%3E/?op=GetUser');
    my $html = $res->content;
    ok t_cmp($html =~ /<script/i ? 'raw' : 'none', 'none',
             'a path with <script>: never raw');
    ok t_cmp($res->code == 200 ? page_problems($html) : [], [],
             'a path with <script>: a valid page (or none)');
}
# HTTP/1.0 without a Host header: the samples are still complete (a Host
# line with some name, every header line after it).
sub sample_headers_missing {
    my $r = shift;
    my ($head, $html) = split /\r\n\r\n/, $r, 2;
    my ($doc) = parse_html($html // '');
    my $text = $doc ? $doc->textContent : '';
    return [ ($head // '') =~ m{\AHTTP/1\.1 (\d+)} ? $1 : $head,
             [ grep { $text !~ $_ }
               qr{^Host: \S+\nContent-Type: text/xml; charset=utf-8\n}m,
               qr{^Host: \S+\nContent-Type: application/soap\+xml; charset=utf-8; }m,
               qr{GET\ /srv\.asmx/LogOut\?AuthenticationTicket=string\ HTTP/1\.1\n
                  Host:\ \S+\nHTTP/1\.1\ 200\ OK}mx,
               qr{^Host: \S+\nContent-Type: application/x-www-form-urlencoded\n}m ] ];
}
ok t_cmp(sample_headers_missing(raw("GET /srv.asmx?op=LogOut HTTP/1.1\r\n"
             . "Host: $HOSTPORT\r\nConnection: close\r\n\r\n")),
         [ 200, [] ], 'HTTP/1.1 with Host: samples with every header line');
ok t_cmp(sample_headers_missing(raw("GET /srv.asmx?op=LogOut HTTP/1.0\r\n\r\n")),
         [ 200, [] ], 'HTTP/1.0 without Host: samples with every header line');

# ------------------------------------------------ the next request is fine

$res = Apache::TestRequest::GET('/srv.asmx');
ok t_cmp([ $res->code, $res->content ], [ 200, $index ],
         'the index afterwards: the same page');
