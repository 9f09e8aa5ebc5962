# The WSDL at /srv.asmx?WSDL: well-formed, a valid WSDL 1.1 document
# (t/data/wsdl11.xsd), its embedded schema a valid XML Schema that real
# request and answer bodies validate against, every operation in every
# port type and binding, and the address the client used.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use File::Spec ();
use File::Temp qw(tempdir);
use IPC::Open3 qw(open3);
use Symbol qw(gensym);
use XML::LibXML ();
use InforTest;

plan tests => 94;

my @OPS = @METHODS;
my @SORTED_OPS = sort @OPS;

my $TNS = 'http://tempuri.org/';
my %NS = (
    wsdl   => 'http://schemas.xmlsoap.org/wsdl/',
    s      => 'http://www.w3.org/2001/XMLSchema',
    soap   => 'http://schemas.xmlsoap.org/wsdl/soap/',
    soap12 => 'http://schemas.xmlsoap.org/wsdl/soap12/',
    http   => 'http://schemas.xmlsoap.org/wsdl/http/',
    mime   => 'http://schemas.xmlsoap.org/wsdl/mime/',
    tns    => $TNS,
    env    => 'http://schemas.xmlsoap.org/soap/envelope/',
);
my $XSD_WSDL = File::Spec->catfile(Apache::Test::vars('t_dir'), 'data',
                                   'wsdl11.xsd');
my $TMP = tempdir(CLEANUP => 1);
my $HOSTPORT = Apache::TestRequest::hostport();

sub xpc {
    my $node = shift;
    my $x = XML::LibXML::XPathContext->new($node);
    $x->registerNs($_, $NS{$_}) for keys %NS;
    return $x;
}

sub spew {
    my ($name, $data) = @_;
    my $path = "$TMP/$name";
    open my $fh, '>:raw', $path or die "$path: $!";
    print $fh $data;
    close $fh;
    return $path;
}

# Runs a command; returns (exit status, stdout . stderr).
sub run {
    my @cmd = @_;
    my $pid = open3(my $in, my $out, undef, @cmd);
    close $in;
    my $o = do { local $/; <$out> } // '';
    waitpid $pid, 0;
    return ($? >> 8, $o);
}

# Errors of validating a document (a string) against a schema object; ''
# when it is valid.
sub invalid {
    my ($schema, $xml) = @_;
    my $doc = eval { XML::LibXML->load_xml(string => $xml) };
    return "not well-formed: $@" unless $doc;
    return eval { $schema->validate($doc); 1 } ? '' : "$@";
}

# The local name of a QName attribute value that must be in the target
# namespace (tns:Foo -> Foo); undef when its prefix is not tns's.
sub tns_local {
    my ($node, $qname) = @_;
    my ($prefix, $local) = $qname =~ /^(?:([^:]+):)?(.+)$/ or return undef;
    my $uri = $node->lookupNamespaceURI($prefix);
    return defined $uri && $uri eq $TNS ? $local : undef;
}

sub wsdl_get {
    my ($path, @headers) = @_;
    return Apache::TestRequest::GET($path, @headers);
}

# --------------------------------------------------- ?WSDL in any case

my @bodies;
for my $q (qw(WSDL wsdl Wsdl)) {
    my $res = wsdl_get("/srv.asmx?$q");
    ok t_cmp($res->code, 200, "?$q: HTTP 200");
    ok t_cmp($res->header('Content-Type'), 'text/xml; charset=utf-8',
             "?$q: Content-Type");
    ok t_cmp(substr($res->content, 0, length $DECL), $DECL,
             "?$q: XML declaration first");
    push @bodies, $res->content;
}
ok t_cmp([ map { $_ eq $bodies[0] ? q{same} : q{different} } @bodies[1, 2] ], [qw(same same)],
         '?wsdl and ?Wsdl give the same document as ?WSDL');
my $wsdl_xml = $bodies[0];

# ----------------------------------------------------------- well-formed

my $wsdl_file = spew('srv.wsdl', $wsdl_xml);
my ($rc, $out) = run('xmllint', '--noout', $wsdl_file);
ok t_cmp("$rc $out", '0 ', 'xmllint --noout: well-formed, no warnings');

my $doc = XML::LibXML->load_xml(string => $wsdl_xml);
my $x = xpc($doc);
my $root = $doc->documentElement;
ok t_cmp('{' . ($root->namespaceURI // '') . '}' . $root->localname,
         "{$NS{wsdl}}definitions", 'root: wsdl:definitions');
ok t_cmp($root->getAttribute('targetNamespace'), $TNS,
         'targetNamespace http://tempuri.org/');

# ------------------------------------------- valid against WSDL 1.1 XSD

my $wsdl_schema = XML::LibXML::Schema->new(location => $XSD_WSDL);
ok t_cmp(invalid($wsdl_schema, $wsdl_xml), '',
         'valid against t/data/wsdl11.xsd (XML::LibXML)');
($rc, $out) = run('xmllint', '--noout', '--schema', $XSD_WSDL, $wsdl_file);
ok t_cmp("$rc $out", "0 $wsdl_file validates\n",
         'valid against t/data/wsdl11.xsd (xmllint --schema)');

# The structure schema is not vacuous: broken variants of the same
# document are refused, a foreign extension where WSDL allows one is not.
my %broken = (
    'binding without type' => sub {
        $_[0] =~ s{(<wsdl:binding name="srvSoap") type="[^"]*"}{$1};
    },
    'part without name' => sub {
        $_[0] =~ s{<wsdl:part name="parameters" }{<wsdl:part };
    },
    'port without binding' => sub {
        $_[0] =~ s{(<wsdl:port name="srvSoap") binding="[^"]*"}{$1};
    },
    'input without message' => sub {
        $_[0] =~ s{<wsdl:input message="[^"]*"}{<wsdl:input};
    },
    'unknown WSDL element' => sub {
        $_[0] =~ s{(<wsdl:service )}{<wsdl:bogus />$1};
    },
    'message after portType' => sub {
        $_[0] =~ s{(<wsdl:binding )}{<wsdl:message name="Late" />$1};
    },
    'two messages of one name' => sub {
        $_[0] =~ s{(<wsdl:message )}{<wsdl:message name="LogOutSoapIn" />$1};
    },
    'foreign element in a portType' => sub {
        $_[0] =~ s{(<wsdl:portType name="srvSoap">)}{$1<x:y xmlns:x="urn:x" />};
    },
    'operation with no input or output' => sub {
        $_[0] =~ s{(<wsdl:portType name="srvSoap">)}
                  {$1<wsdl:operation name="Empty" />};
    },
);
for my $what (sort keys %broken) {
    my $copy = $wsdl_xml;
    ok t_cmp($broken{$what}->($copy) ? 'changed' : 'unchanged', 'changed',
             "variant '$what' made");
    ok t_cmp(invalid($wsdl_schema, $copy) ne '' ? 'refused' : 'accepted',
             'refused', "wsdl11.xsd refuses: $what");
}
{
    my $copy = $wsdl_xml;
    $copy =~ s{(</wsdl:service>)}{<x:ext xmlns:x="urn:x" a="1" />$1};
    $copy =~ s{(<wsdl:binding name="srvSoap" )}{$1xmlns:y="urn:y" y:attr="1" };
    ok t_cmp(invalid($wsdl_schema, $copy), '',
             'wsdl11.xsd accepts foreign extension elements and attributes');
}

# ------------------------------------------------------------- messages

my %message;
for my $m ($x->findnodes('/wsdl:definitions/wsdl:message')) {
    $message{ $m->getAttribute('name') } = $m;
}
my %element;    # the global elements of the embedded schema
for my $e ($x->findnodes('/wsdl:definitions/wsdl:types/s:schema/s:element')) {
    $element{ $e->getAttribute('name') } = $e;
}

# ------------------------------------------------------------ portTypes

my %port_type;
for my $pt ($x->findnodes('/wsdl:definitions/wsdl:portType')) {
    $port_type{ $pt->getAttribute('name') } = $pt;
}
# As ASMX: srvSoap (shared by the SOAP 1.1 and 1.2 bindings), srvHttpGet,
# srvHttpPost; a port type of its own for SOAP 1.2 would do as well.
ok t_cmp([ grep { !/^(srvSoap|srvSoap12|srvHttpGet|srvHttpPost)$/ }
           sort keys %port_type ], [], 'no other port types');
ok t_cmp([ map { $port_type{$_} ? $_ : "no $_" } qw(srvSoap srvHttpGet srvHttpPost) ],
         [qw(srvSoap srvHttpGet srvHttpPost)],
         'port types srvSoap, srvHttpGet, srvHttpPost');

for my $name (sort keys %port_type) {
    my $pt = $port_type{$name};
    my @names = map { $_->getAttribute('name') }
                $x->findnodes('wsdl:operation', $pt);
    ok t_cmp([ sort @names ], \@SORTED_OPS,
             "portType $name: exactly the 27 operations, each once");
    # Every input and output names a message of the document.
    my @dangling;
    for my $io ($x->findnodes('wsdl:operation/wsdl:input'
                              . ' | wsdl:operation/wsdl:output', $pt)) {
        my $m = tns_local($io, $io->getAttribute('message'));
        push @dangling, $io->parentNode->getAttribute('name') . '/'
                        . $io->localname
            unless defined $m && $message{$m};
    }
    ok t_cmp(\@dangling, [], "portType $name: every message resolves");
}

# Document/literal wrapped: the SOAP messages carry one part,
# "parameters", the element NAME in, NAMEResponse out, both declared.
{
    my (@got, @want);
    for my $op ($x->findnodes('wsdl:operation', $port_type{srvSoap})) {
        my $name = $op->getAttribute('name');
        for my $dir (qw(input output)) {
            my ($io) = $x->findnodes("wsdl:$dir", $op);
            my $m = $message{ tns_local($io, $io->getAttribute('message')) };
            my @parts = $x->findnodes('wsdl:part', $m);
            my $el = tns_local($parts[0], $parts[0]->getAttribute('element')
                                          // '');
            push @got, join ' ', $name, $dir, scalar @parts,
                $parts[0]->getAttribute('name'), $el // '-',
                defined $el && $element{$el} ? 'declared' : 'undeclared';
            push @want, join ' ', $name, $dir, 1, 'parameters',
                $dir eq 'input' ? $name : "${name}Response", 'declared';
        }
    }
    ok t_cmp(\@got, \@want,
             'srvSoap messages: one "parameters" part, element NAME / '
             . 'NAMEResponse, declared in the schema');
}

# The result is typed as XML: NAMEResult is mixed content with an
# xs:any, so toolkits hand the caller the result element.
{
    my (@got, @want);
    for my $name (@OPS) {
        my $resp = $element{"${name}Response"};
        my @result = $resp ? $x->findnodes(
            's:complexType/s:sequence/s:element', $resp) : ();
        my $r = $result[0];
        push @got, join ' ', $name, scalar @result,
            $r ? ($r->getAttribute('name'),
                  $r->getAttribute('type') // 'anonymous',
                  $x->findvalue('s:complexType/@mixed', $r),
                  $x->findvalue("count(s:complexType/s:sequence/s:any)", $r))
               : ();
        push @want, join ' ', $name, 1, "${name}Result", 'anonymous',
            'true', 1;
    }
    ok t_cmp(\@got, \@want,
             'every NAMEResponse holds NAMEResult: mixed, with an xs:any');
}

# Request elements and HTTP messages describe the same parameters.
{
    my (@got, @want);
    for my $name (@OPS) {
        my $req = $element{$name};
        my @params = $req ? map { $_->getAttribute('name') }
            $x->findnodes('s:complexType/s:sequence/s:element', $req) : ();
        for my $h (qw(HttpGetIn HttpPostIn)) {
            my $m = $message{"$name$h"};
            push @got, "$name $h: " . join ',', $m
                ? map { $_->getAttribute('name') } $x->findnodes('wsdl:part', $m)
                : 'no message';
            push @want, "$name $h: " . join ',', @params;
        }
    }
    ok t_cmp(\@got, \@want,
             'HttpGetIn/HttpPostIn parts = the request element children');
}

# ------------------------------------------------------------- bindings

my %binding;
for my $b ($x->findnodes('/wsdl:definitions/wsdl:binding')) {
    $binding{ $b->getAttribute('name') } = $b;
}
ok t_cmp([ sort keys %binding ],
         [qw(srvHttpGet srvHttpPost srvSoap srvSoap12)],
         'bindings srvSoap, srvSoap12, srvHttpGet, srvHttpPost');

my %binding_type = (srvSoap => qr/\AsrvSoap\z/, srvSoap12 => qr/\AsrvSoap(12)?\z/,
                    srvHttpGet => qr/\AsrvHttpGet\z/,
                    srvHttpPost => qr/\AsrvHttpPost\z/);
my %used;
for my $name (sort keys %binding) {
    my $b = $binding{$name};
    my $type = tns_local($b, $b->getAttribute('type')) // 'not in tns';
    $used{$type} = 1;
    ok t_cmp($port_type{$type} ? $type : "$type (no such portType)",
             $binding_type{$name}, "binding $name: type names its portType");
    my @names = map { $_->getAttribute('name') }
                $x->findnodes('wsdl:operation', $b);
    ok t_cmp([ sort @names ], \@SORTED_OPS,
             "binding $name: exactly the 27 operations, each once");
}

ok t_cmp([ grep { !$used{$_} } sort keys %port_type ], [],
         'every portType has a binding');

# SOAP 1.1 and 1.2: HTTP transport, document style, literal bodies, the
# soapAction http://tempuri.org/NAME.
for my $v ([ srvSoap => 'soap' ], [ srvSoap12 => 'soap12' ]) {
    my ($name, $p) = @$v;
    my $b = $binding{$name};
    my ($sb) = $x->findnodes("$p:binding", $b);
    ok t_cmp($sb ? $sb->getAttribute('transport') : 'no binding element',
             'http://schemas.xmlsoap.org/soap/http',
             "$name: $p:binding over HTTP");
    my $binding_style = $sb && $sb->getAttribute('style') || 'document';
    my (@got, @want);
    for my $op ($x->findnodes('wsdl:operation', $b)) {
        my $op_name = $op->getAttribute('name');
        my ($so) = $x->findnodes("$p:operation", $op);
        push @got, join ' ', $op_name,
            $so ? ($so->getAttribute('soapAction') // 'none',
                   $so->getAttribute('style') || $binding_style)
                : 'no operation element',
            map { $_ . '=' . ($x->findvalue("wsdl:$_/$p:body/\@use", $op)
                              || 'none') } qw(input output);
        push @want, join ' ', $op_name, "http://tempuri.org/$op_name",
            'document', 'input=literal', 'output=literal';
    }
    ok t_cmp(\@got, \@want,
             "$name: soapAction http://tempuri.org/NAME, document, literal");
}

# HTTP GET and POST: the operation at /NAME, URL-encoded in, XML out.
for my $v ([ srvHttpGet => 'GET', 'http:urlEncoded' ],
           [ srvHttpPost => 'POST',
             'mime:content[@type="application/x-www-form-urlencoded"]' ]) {
    my ($name, $verb, $in) = @$v;
    my $b = $binding{$name};
    ok t_cmp($x->findvalue('http:binding/@verb', $b), $verb,
             "$name: http:binding verb $verb");
    my (@got, @want);
    for my $op ($x->findnodes('wsdl:operation', $b)) {
        my $op_name = $op->getAttribute('name');
        push @got, join ' ', $op_name,
            $x->findvalue('http:operation/@location', $op),
            $x->findvalue("count(wsdl:input/$in)", $op),
            $x->findvalue("count(wsdl:output/mime:mimeXml)", $op);
        push @want, join ' ', $op_name, "/$op_name", 1, 1;
    }
    ok t_cmp(\@got, \@want, "$name: location /NAME, urlencoded in, XML out");
}

# ------------------------------------------------- the list on the index

{
    my $html = Apache::TestRequest::GET('/srv.asmx')->content;
    my @listed = $html =~ m{<a href="/srv\.asmx\?op=([^"]+)">}g;
    ok t_cmp([ sort @listed ],
             [ sort map { $_->getAttribute('name') }
                    $x->findnodes('wsdl:operation', $port_type{srvSoap}) ],
             'the operations of the WSDL are those of the HTML index');
}

# -------------------------------------------------------------- service

sub ports {
    my $d = shift;
    my $px = xpc($d);
    my @services = $px->findnodes('/wsdl:definitions/wsdl:service');
    my @r = map { $_->getAttribute('name') } @services;
    for my $port ($px->findnodes('/wsdl:definitions/wsdl:service/wsdl:port')) {
        my @addr = $px->findnodes(q{*}, $port);
        push @r, join ' ', $port->getAttribute('name'),
            tns_local($port, $port->getAttribute('binding')) // 'no binding',
            map { ($_->prefix // '') . ':' . $_->localname . '='
                  . ($_->getAttribute('location') // '') } @addr;
    }
    return [ sort @r ];
}

sub want_ports {
    my $url = shift;
    return [ sort 'srv',
        "srvSoap srvSoap soap:address=$url",
        "srvSoap12 srvSoap12 soap12:address=$url",
        "srvHttpGet srvHttpGet http:address=$url",
        "srvHttpPost srvHttpPost http:address=$url" ];
}

sub address_check {
    my ($path, $url, $what, @headers) = @_;
    my $res = wsdl_get($path, @headers);
    my $d = eval { XML::LibXML->load_xml(string => $res->content) };
    ok t_cmp($d ? ports($d) : 'not XML: ' . $res->status_line,
             want_ports($url), $what);
}

ok t_cmp(ports($doc), want_ports("http://$HOSTPORT/srv.asmx"),
         'service srv: 4 ports, each at the address the client used');
address_check('/srv.asmx?WSDL', 'http://proxy.example.com:8443/srv.asmx',
              'Host: proxy.example.com:8443 -> address follows it',
              Host => 'proxy.example.com:8443');
address_check('/srv.asmx?wsdl', 'http://proxy.example.com/srv.asmx',
              'Host: proxy.example.com (no port) -> the default port 80',
              Host => 'proxy.example.com');
address_check('/short/srv.asmx?WSDL', "http://$HOSTPORT/short/srv.asmx",
              'another location: the address has its path');

# ------------------------------------------------ the embedded schema

# The s:schema as a document of its own, with the prefixes its QName
# values (s:string, tns:...) use declared on it.
my ($schema_node) = $x->findnodes('/wsdl:definitions/wsdl:types/s:schema');
my $xsd_doc = XML::LibXML::Document->new('1.0', 'utf-8');
my $xsd_root = $xsd_doc->importNode($schema_node);
$xsd_doc->setDocumentElement($xsd_root);
for my $ns ($root->getNamespaces) {
    my ($prefix, $uri) = ($ns->declaredPrefix, $ns->declaredURI);
    next unless defined $prefix;
    $xsd_root->setNamespace($uri, $prefix, 0)
        unless defined $xsd_root->lookupNamespaceURI($prefix);
}
my $xsd_text = $xsd_doc->toString;
my $xsd_file = spew('types.xsd', $xsd_text);
ok t_cmp($xsd_root->getAttribute('targetNamespace'), $TNS,
         'embedded schema: targetNamespace http://tempuri.org/');
ok t_cmp($xsd_root->getAttribute('elementFormDefault'), 'qualified',
         'embedded schema: elementFormDefault qualified');
my $types = eval { XML::LibXML::Schema->new(string => $xsd_text) };
ok t_cmp($types ? 'compiles' : "$@", 'compiles',
         'embedded schema compiles (XML::LibXML)');
ok t_cmp([ sort grep { !/Response$/ } keys %element ], \@SORTED_OPS,
         'embedded schema: a request element per operation');
ok t_cmp([ sort map { s/Response$//r } grep { /Response$/ } keys %element ],
         \@SORTED_OPS, 'embedded schema: a response element per operation');

# Real bodies: what the tests send (and the server accepts) and what the
# server answers validate against the embedded schema.
my $pw = 'ws-Secret-pw-1';
my $uid = add_user('ws_user', $pw, '--email', 'ws@old', '--mobile', '100');
my $ticket = login('ws_user', $pw);

# The first child of soap:Body of an envelope, as a document.
sub body_element {
    my $env = shift;
    my $d = eval { XML::LibXML->load_xml(string => $env) } or return undef;
    my ($el) = xpc($d)->findnodes('/env:Envelope/env:Body/*[1]');
    return undef unless $el;
    my $out = XML::LibXML::Document->new('1.0', 'utf-8');
    $out->setDocumentElement($out->importNode($el));
    return $out->toString;
}

# Sends a SOAP 1.1 request, checks the server's answer, then validates the
# request's and the answer's body elements against the embedded schema
# with xmllint --schema (which compiles the schema first).
sub round_trip {
    my ($method, $children, $result_re, $what) = @_;
    my $env = envelope($method, $children);
    my $res = soap_call($method, $children);
    ok t_cmp($res->code . ' ' . ($res->content =~ $result_re ? 'expected'
                                                              : $res->content),
             '200 expected', "$what: the server accepts it");
    for my $part ([ request => $env ], [ answer => $res->content ]) {
        my $body = body_element($part->[1]);
        my $file = spew("$method-$part->[0].xml", $body // '');
        my ($rc, $out) = run('xmllint', '--noout', '--schema', $xsd_file,
                             $file);
        ok t_cmp("$rc $out", "0 $file validates\n",
                 "$what: the $part->[0] validates (xmllint --schema)");
    }
}

round_trip('AuthenticateUser', el('UID', 'ws_user') . el('PWD', $pw),
           qr{<root xmlns="" success="true" ticket="}, 'AuthenticateUser');
round_trip('UpdateUserContactInfo',
           el('authenticationTicket', $ticket) . el('userName', 'ws_user')
           . el('emailAddress', 'ws@new') . el('mobileNumber', '200'),
           qr{<response xmlns="" success="true" error="" />},
           'UpdateUserContactInfo');
ok t_cmp([ @{ user_row('ws_user') }{qw(email mobile)} ], [ 'ws@new', '200' ],
         'UpdateUserContactInfo: stored');
round_trip('UpdateUserContactInfo',
           el('authenticationTicket', $ticket) . el('userName', 'ws_user')
           . el('mobileNumber', '300'),
           qr{<response xmlns="" success="true" error="" />},
           'UpdateUserContactInfo without emailAddress (null)');
ok t_cmp([ @{ user_row('ws_user') }{qw(email mobile)} ], [ 'ws@new', '300' ],
         'UpdateUserContactInfo with a null email: kept');
round_trip('GetUser', el('authenticationTicket', $ticket) . el('UserName', ''),
           qr{<response xmlns="" success="true" error=""><User exists="true" }
           . qr{UserID="$uid" },
           'GetUser');
round_trip('GetAllUsers1', el('authenticationTicket', $ticket)
           . el('StartingRowNumber', 1) . el('NumbeOfRow', 10)
           . el('StatusFilter', -1) . el('SortBy', 0)
           . el('SortAscending', 'true'),
           qr{<response xmlns="" success="false" error="Access denied" />},
           'GetAllUsers1 (ints and a boolean)');

# ... and what does not fit the operation does not validate.
my %bad = (
    'an unknown child' => envelope('UpdateUserContactInfo',
        el('authenticationTicket', $ticket) . el('userName', 'ws_user')
        . el('bogus', 'x') . el('emailAddress', 'a') . el('mobileNumber', 'b')),
    'children without a namespace' => qq{<UpdateUserContactInfo }
        . qq{xmlns="$TNS"><userName xmlns="">x</userName>}
        . qq{</UpdateUserContactInfo>},
    'a word where an int goes' => envelope('GetAllUsers1',
        el('authenticationTicket', $ticket) . el('StartingRowNumber', 'one')
        . el('NumbeOfRow', 10) . el('StatusFilter', -1) . el('SortBy', 0)
        . el('SortAscending', 'true')),
    'children out of order' => envelope('UpdateUserContactInfo',
        el('userName', 'ws_user') . el('authenticationTicket', $ticket)),
);
for my $what (sort keys %bad) {
    my $body = $bad{$what} =~ /Envelope/ ? body_element($bad{$what})
                                        : $bad{$what};
    ok t_cmp($types && invalid($types, $body) ne '' ? 'refused' : 'accepted',
             'refused', "embedded schema refuses $what");
}
