# InforResetAnswers: ForgotPassword and ForgotPasswordByUserName answer as
# infoRouter documents them by default ("No user found with this email",
# "User not found": a caller can tell which accounts exist), and with
# `InforResetAnswers uniform` (here on /uniform/srv.asmx) success whenever
# an address or a name is given, known or not; only the empty ones are
# still told.  The mail goes out as before to the accounts that exist.
use strict;
use warnings FATAL => 'all';
use Apache::Test;
use Apache::TestUtil qw(t_cmp);
use Apache::TestRequest ();
use InforTest;

plan tests => 14;

my $OK = rest_expect('<root success="true" />');
sub refused { rest_expect(qq{<root success="false" error="$_[0]" />}) }


add_user('ra_user', 'ra-pass-1', '--email', 'ra@example.com');

sub uniform {
    my ($method, @pairs) = @_;
    my $q = InforTest::_query(@pairs);
    return Apache::TestRequest::GET("/uniform/srv.asmx/$method?$q")->content;
}

# ------------------------------------------------ documented (default)
ok t_cmp(rest_get('ForgotPassword', emailAddress => 'nobody@example.com')
             ->content,
         refused('No user found with this email'),
         'default: an unknown address is told');
ok t_cmp(rest_get('ForgotPasswordByUserName', userName => 'ra_nobody')
             ->content,
         refused('User not found'), 'default: an unknown name is told');

# ------------------------------------------------ uniform
ok t_cmp(uniform('ForgotPassword', emailAddress => 'nobody@example.com'),
         $OK, 'uniform: an unknown address answers success');
ok t_cmp(uniform('ForgotPasswordByUserName', userName => 'ra_nobody'),
         $OK, 'uniform: an unknown name answers success');
ok t_cmp(scalar new_mail('nobody@example.com'), 0,
         'and no mail went anywhere');

ok t_cmp(uniform('ForgotPassword', emailAddress => 'ra@example.com'),
         $OK, 'uniform: a known address answers success');
ok t_cmp(scalar new_mail('ra@example.com'), 1, 'and its account got the mail');
ok t_cmp(uniform('ForgotPasswordByUserName', userName => 'ra_user'),
         $OK, 'uniform: a known name answers success');
ok t_cmp(scalar new_mail('ra@example.com'), 1,
         'and its account got another');
ok t_cmp(db_value('SELECT COUNT(*) FROM infor_resets r JOIN infor_users u'
                  . ' ON u.id = r.user_id WHERE u.username = ?', 'ra_user'),
         1, 'a reset code is stored for it');

# Hostile strings are no different.
ok t_cmp(uniform('ForgotPassword',
                 emailAddress => q{x' OR '1'='1<&>"@example.com}),
         $OK, 'uniform: a hostile address answers success too');

# The empty ones are still told, as documented.
ok t_cmp(uniform('ForgotPassword', emailAddress => '  '),
         refused('Please enter your Email address.'),
         'uniform: an empty address is still told');
ok t_cmp(uniform('ForgotPasswordByUserName', userName => ''),
         refused('User name field cannot be empty.'),
         'uniform: an empty name is still told');

# SOAP, the same.
my $res = soap_raw(envelope('ForgotPassword',
                         el('emailAddress', 'nobody2@example.com')),
                action => '"http://tempuri.org/ForgotPassword"',
                base => '/uniform/srv.asmx');
ok t_cmp($res->content, soap_expect('ForgotPassword', '<root success="true" />'),
         'uniform over SOAP: an unknown address answers success');
