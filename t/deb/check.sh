#!/bin/sh
# The package as an operator meets it, on this machine's own apache2 (the
# README's "Installing from the Debian package"): builds it (make deb),
# installs it with apt, enables it with a2enmod, starts or reloads
# Debian's apache2 (on a free port when 80 is taken by something else),
# creates an administrator with inforadm, logs in over /srv.asmx, then
# purges the package and checks that nothing of it is left.  The
# machine's apache2 configuration is given back as it was.
#
# Root only: it installs a package.  .ci/run calls it after `make test`;
# by hand: t/deb/check.sh (or `make deb-check`).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
PKG=libapache2-mod-infor
DATA=/var/lib/mod_infor
PW="deb-Check-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"
DEPMODS="dbd apreq2 socache_shmcb"

say()  { echo "deb check: $*"; }
fail() { echo "deb check: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (it installs a package)"
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q installed; then
    fail "$PKG is installed already; purge it first"
fi
[ ! -e "$DATA" ] || fail "$DATA exists already (a database of make run?)"

make --no-print-directory deb >/dev/null
deb=$(ls build/${PKG}_*.deb | tail -n 1)
say "built $deb"

# What to give back afterwards.
set +u
. /etc/apache2/envvars
set -u
pidfile=$APACHE_PID_FILE
running=0
if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    running=1
fi
was_enabled=""
for m in $DEPMODS; do
    [ -e "/etc/apache2/mods-enabled/$m.load" ] && was_enabled="$was_enabled $m"
done
ports=/etc/apache2/ports.conf
cp -p "$ports" "$top/build/ports.conf.orig"

port_free() {
    perl -MIO::Socket::INET -e 'IO::Socket::INET->new(LocalAddr =>
        "0.0.0.0", LocalPort => $ARGV[0], Listen => 1, ReuseAddr => 1)
        or exit 1' "$1"
}

cleanup() {
    rc=$?
    set +e
    if [ "$running" = 0 ] && [ -s "$pidfile" ]; then
        apache2ctl stop >/dev/null 2>&1
        i=0
        while [ -s "$pidfile" ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
    fi
    cp -p "$top/build/ports.conf.orig" "$ports"
    if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q installed; then
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "$PKG" >/dev/null
    fi
    for m in $DEPMODS; do
        case " $was_enabled " in
            *" $m "*) ;;
            *) a2dismod -q -f "$m" >/dev/null 2>&1 ;;
        esac
    done
    [ "$running" = 1 ] && apache2ctl graceful >/dev/null 2>&1
    exit $rc
}
trap cleanup EXIT INT TERM

# --- install and enable, as the README says
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$deb" >/dev/null
say "installed"
[ "$(stat -c '%U:%G %a' "$DATA")" = "www-data:www-data 750" ] \
    || fail "$DATA is not www-data's (postinst)"
for f in /usr/lib/apache2/modules/mod_infor.so /usr/sbin/inforadm \
         /etc/apache2/mods-available/infor.load \
         /etc/apache2/mods-available/infor.conf \
         /usr/share/man/man8/inforadm.8.gz; do
    [ -e "$f" ] || fail "$f is missing"
done
[ ! -e /etc/apache2/mods-enabled/infor.load ] \
    || fail "the module is enabled before a2enmod"
a2enmod -q infor
for m in infor $DEPMODS; do
    [ -e "/etc/apache2/mods-enabled/$m.load" ] || fail "a2enmod: $m not enabled"
done

# --- the first administrator, as the httpd user
printf '%s\n' "$PW" | runuser -u www-data -- \
    inforadm -c -d "$DATA/infor.db" useradd admin --admin >/dev/null
rc=0
runuser -u www-data -- inforadm -d "$DATA/infor.db" has-admin || rc=$?
[ "$rc" = 0 ] || fail "inforadm has-admin answered $rc"

# --- Debian's apache2: reloaded if it runs, else started (port 80, or
# a free one in ports.conf when 80 is taken)
port=80
if [ "$running" = 1 ]; then
    apache2ctl graceful
else
    if ! port_free 80; then
        port=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(
            LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 1)->sockport')
        sed -i "s/^Listen 80\$/Listen $port/" "$ports"
    fi
    apache2ctl configtest 2>/dev/null || fail "apache2ctl configtest"
    apache2ctl start
fi
say "apache2 on port $port"

# --- a login over /srv.asmx, then the ticket checked
answer=$(perl -MHTTP::Tiny -e '
    my ($url, $tries) = ($ARGV[0], 100);
    while ($tries--) {
        my $r = HTTP::Tiny->new(timeout => 5)->get($url);
        if ($r->{status} == 200 && $r->{content} =~ /<root /) {
            print $r->{content};
            exit 0;
        }
        select undef, undef, undef, 0.2;
    }
    exit 1' "http://127.0.0.1:$port/srv.asmx/AuthenticateUser?UID=admin&PWD=$PW") \
    || fail "no answer from /srv.asmx on port $port"
echo "$answer" | grep -Eq '^<root success="true" ticket="[0-9a-f-]{36}" ' \
    || fail "AuthenticateUser answered: $answer"
ticket=$(echo "$answer" | sed -n 's/.*ticket="\([^"]*\)".*/\1/p')
valid=$(perl -MHTTP::Tiny -e 'print HTTP::Tiny->new->get($ARGV[0])->{content}' \
    "http://127.0.0.1:$port/srv.asmx/isValidTicket?AuthenticationTicket=$ticket")
echo "$valid" | grep -q '<root success="true" ' \
    || fail "isValidTicket answered: $valid"
say "logged in as admin over /srv.asmx"

# --- purged: nothing of the package left
if [ "$running" = 0 ]; then
    apache2ctl stop
    i=0
    while [ -s "$pidfile" ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
fi
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "$PKG" >/dev/null
! dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q installed \
    || fail "$PKG still installed"
for f in /usr/lib/apache2/modules/mod_infor.so /usr/sbin/inforadm \
         /etc/apache2/mods-available/infor.load \
         /etc/apache2/mods-available/infor.conf \
         /etc/apache2/mods-enabled/infor.load \
         /etc/apache2/mods-enabled/infor.conf \
         /usr/share/man/man8/inforadm.8.gz "$DATA"; do
    [ ! -e "$f" ] && [ ! -L "$f" ] || fail "$f is left after purge"
done
say "purged cleanly"
say "PASS"
