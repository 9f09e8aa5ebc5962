#!/bin/sh
# Measures what writing a ticket's sliding expiry costs, and what the
# refresh interval saves: GetUser with InforTicketRefresh 60s (the default:
# the expiry is written at most once a minute) against InforTicketRefresh
# 0 (written on every call), in one run, on one server, so that the ratio
# holds even on a busy machine.  Run it as root from the checkout after
# `make`:  t/bench/ticket_refresh.sh [SECONDS]
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-5}
port=${BENCH_PORT:-8391}
dir=$(mktemp -d /tmp/infor-bench.XXXXXX)
trap 'kill "$(cat "$dir/httpd.pid" 2>/dev/null)" 2>/dev/null; sleep 1; rm -rf "$dir"' EXIT

command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
printf 'bench-pw-1\n' | "$top/mod_infor/inforadm" -C 4 -c -d "$dir/infor.db" \
    useradd bench >/dev/null
chown -R www-data:www-data "$dir"

{
    cat "$top/conf/httpd.conf"
    cat <<'CONF'
LogLevel error
CustomLog /dev/null infor
<Location /always/srv.asmx>
    SetHandler infor
    Require all granted
    InforTicketRefresh 0
</Location>
CONF
} > "$dir/httpd.conf"

INFOR_DATA_DIR=$dir INFOR_LISTEN=127.0.0.1:$port \
INFOR_DBDRIVER=sqlite3 INFOR_DBDPARAMS=$dir/infor.db \
INFOR_MODULE=$top/mod_infor/.libs/mod_infor.so \
INFOR_USER=www-data INFOR_GROUP=www-data \
    /usr/sbin/apache2 -f "$dir/httpd.conf" -DINFOR_AS_ROOT -k start
sleep 1

base=http://127.0.0.1:$port
ticket() {
    curl -s "$base/srv.asmx/AuthenticateUser?UID=bench&PWD=bench-pw-1" \
        | sed -n 's/.*ticket="\([^"]*\)".*/\1/p'
}
rate() {   # requests per second of wrk on a URL
    wrk -t2 -c8 -d"${secs}s" "$1" | awk '/Requests\/sec/ {print $2}'
}

t1=$(ticket)
t2=$(ticket)
lazy=$(rate "$base/srv.asmx/GetUser?authenticationTicket=$t1&UserName=")
always=$(rate "$base/always/srv.asmx/GetUser?authenticationTicket=$t2&UserName=")
check=$(rate "$base/srv.asmx/isValidTicket?AuthenticationTicket=$t1")

echo "GetUser, expiry written at most once a minute: $lazy requests/s"
echo "GetUser, expiry written on every call:        $always requests/s"
echo "isValidTicket (never writes):                  $check requests/s"
awk -v a="$lazy" -v b="$always" \
    'BEGIN { printf "ratio lazy/always: %.2f\n", a / b }'
