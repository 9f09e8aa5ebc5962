#!/bin/bash
# `make bench`: what the service's calls cost against a static file served
# by the same httpd, on SQLite and (when it is installed) PostgreSQL, and
# whether the performance targets hold.
#
# For each store it starts one throwaway httpd (conf/httpd.conf plus a
# 100-byte static file) on a free 127.0.0.1 port, children as www-data,
# and measures with wrk, each run bounded in time, at 1, 4, 16 and 64
# connections:
#   - the static file;
#   - GetUser over HTTP GET (UserName empty: the caller);
#   - isValidTicket with a live ticket, and with a well-formed one never
#     issued (answered success="false" with [901], which is what we expect);
#   - UpdateUserContactInfo as a form POST and as SOAP 1.1, one user;
#   - UpdateUserContactInfo POST spread over 32 users (each request takes
#     the next user's ticket), at 1 and 32 connections;
#   - AuthenticateUser (a bcrypt cost 4 password, so that the store's work
#     shows) at 1 and 4 connections, before and after 500,000 expired
#     tickets are added to the store (BENCH_EXPIRED), which the purge then
#     removes in the background while the second run measures.
# PostgreSQL runs in a cluster of the bench's own (initdb as the OS user
# postgres, Unix socket only, in the bench's temp folder), stopped and
# removed at the end, also on failure or Ctrl-C.
#
# Prints one Markdown table per store (requests/s, p99, errors, rate / the
# static file's rate at the same connection count, measured in the same
# run, and the CPU time httpd, and PostgreSQL, spent a request) and the
# targets with "holds" or "misses".  An error is a socket
# error or timeout, a non-2xx answer, or an answer without the expected
# success="true" (see writes.lua).
#
# Run as root from the checkout after `make`:  t/bench/writes.sh
# Environment:
#   BENCH_SECONDS       seconds per wrk run (3)
#   BENCH_CONNS         connection counts ("1 4 16 64")
#   BENCH_SPREAD_CONNS  connection counts of the 32-user writes ("1 32")
#   BENCH_USERS         users of the spread writes (32)
#   BENCH_EXPIRED       expired tickets added for the login runs (500000;
#                       0 skips the login runs)
#   BENCH_LOGIN_CONNS   connection counts of the login runs ("1 4")
#   BENCH_STORES        stores to measure ("sqlite pgsql")
#   BENCH_PORT          httpd port (default: the first free one from 8400)
#   BENCH_PG_PORT       the PostgreSQL socket's port number (5441)
#   BENCH_PG_OPTS       extra postgres options, e.g. "-c fsync=off"
#                       (default: PostgreSQL's defaults, fsync on)
#   BENCH_TIMEOUT       wrk's request timeout (2s)
#   BENCH_SETTLE        seconds to wait after a run of writes, while httpd
#                       finishes the requests wrk left behind (2)
#   BENCH_LOGLEVEL      httpd LogLevel (error); the notes at the end sum
#                       up what httpd logged, start and stop notices aside
#   BENCH_CONF          extra httpd configuration lines, appended to the
#                       generated httpd.conf (e.g. a directive to compare)
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
lua=$top/t/bench/writes.lua
secs=${BENCH_SECONDS:-3}
conns=${BENCH_CONNS:-1 4 16 64}
spread_conns=${BENCH_SPREAD_CONNS-1 32}
nusers=${BENCH_USERS:-32}
nexpired=${BENCH_EXPIRED:-500000}
login_conns=${BENCH_LOGIN_CONNS:-1 4}
stores=${BENCH_STORES:-sqlite pgsql}
pg_port=${BENCH_PG_PORT:-5441}
pg_opts=${BENCH_PG_OPTS:-}
wrk_timeout=${BENCH_TIMEOUT:-2s}
settle=${BENCH_SETTLE:-2}
loglevel=${BENCH_LOGLEVEL:-error}
extra_conf=${BENCH_CONF:-}
adm=$top/mod_infor/inforadm
module=$top/mod_infor/.libs/mod_infor.so
run_user=www-data
clk_tck=$(getconf CLK_TCK)

if [ "$(id -u)" != 0 ]; then
    echo "bench: run me as root (httpd's children run as $run_user," >&2
    echo "bench: PostgreSQL as postgres)" >&2
    exit 1
fi
for f in "$module" "$adm"; do
    [ -e "$f" ] || { echo "bench: $f is missing: run make first" >&2; exit 1; }
done
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
command -v wrk >/dev/null || { echo "bench: wrk is missing" >&2; exit 1; }

dir=$(mktemp -d /tmp/infor-bench-writes.XXXXXX)
chmod 0755 "$dir"     # www-data and postgres go through it
results=$dir/results
notes=$dir/notes
: > "$results"
: > "$notes"
httpd_pidfile=""
pg_data=""
pg_bin=""

bench=bench
# shellcheck source=t/bench/lib.sh
. "$top/t/bench/lib.sh"

cleanup() {
    set +e
    stop_httpd
    stop_pg
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

# The first port from $1 on that nothing listens on (BENCH_PORT: exactly it).

# ---------------------------------------------------------------- PostgreSQL
# Starts the bench's own cluster; sets pg_params (the DBDParams).

# --------------------------------------------------------------------- httpd
# start_httpd FOLDER DRIVER PARAMS: serves conf/httpd.conf from FOLDER;
# sets base (the URL) and httpd_pidfile.
start_httpd() {
    local sdir=$1 driver=$2 params=$3 port
    port=$(free_port 8400)
    mkdir -p "$sdir/static"
    # 100 bytes, with a marker the Lua script checks.
    printf 'STATIC-OK %089d\n' 0 > "$sdir/static/s.txt"
    {
        cat "$top/conf/httpd.conf"
        cat <<CONF

# ---- t/bench/writes.sh
ErrorLog $sdir/error.log
LogLevel $loglevel
<Directory $sdir/static>
    Require all granted
    # mmap and munmap for every request cost a multi-threaded child more
    # than reading 100 bytes: with mmap the file was the slowest call.
    EnableMMAP Off
</Directory>
$extra_conf
CONF
    } > "$sdir/httpd.conf"
    # The module being rebuilt during a run changes nothing already loaded.
    built=$(date -u -r "$module" '+%Y-%m-%d %H:%M:%S UTC')
    run_httpd "$sdir" "$driver" "$params" "$port" /static/s.txt
}

login() {   # login NAME PASSWORD: prints the ticket
    curl -s -m 10 "$base/srv.asmx/AuthenticateUser?UID=$1&PWD=$2" \
        | sed -n 's/.*ticket="\([^"]*\)".*/\1/p'
}

# ----------------------------------------------------------------- the calls
# set_call CALL: the request of CALL, as writes.lua reads it.
set_call() {
    B_PATH=""; B_METHOD=GET; B_CTYPE=""; B_ACTION=""; B_BODY=""
    B_EXPECT='success="true"'; B_TICKETS=""
    case $1 in
    static)
        B_PATH=/static/s.txt; B_EXPECT=STATIC-OK ;;
    getuser)
        B_PATH="/srv.asmx/GetUser?authenticationTicket=$ticket&UserName=" ;;
    valid)
        B_PATH="/srv.asmx/isValidTicket?AuthenticationTicket=$ticket" ;;
    valid_unknown)
        B_PATH="/srv.asmx/isValidTicket?AuthenticationTicket=$unknown"
        B_EXPECT='[901]' ;;
    post|post_spread)
        B_PATH=/srv.asmx/UpdateUserContactInfo; B_METHOD=POST
        B_CTYPE=application/x-www-form-urlencoded
        B_BODY="authenticationTicket=$ticket&userName=bench&EmailAddress=x@example.com&MobileNumber=123"
        if [ "$1" = post_spread ]; then
            B_BODY="authenticationTicket=@TICKET@&userName=@USER@&EmailAddress=x@example.com&MobileNumber=123"
            B_TICKETS=$tickets
        fi ;;
    login|login_expired)
        B_PATH="/srv.asmx/AuthenticateUser?UID=bench&PWD=bench-pw-1" ;;
    soap)
        B_PATH=/srv.asmx; B_METHOD=POST
        B_CTYPE='text/xml; charset=utf-8'
        # shellcheck disable=SC2089  # the quotes are the header's
        B_ACTION='"http://tempuri.org/UpdateUserContactInfo"'
        B_BODY='<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><UpdateUserContactInfo xmlns="http://tempuri.org/">'"<authenticationTicket>$ticket</authenticationTicket><userName>bench</userName><emailAddress>x@example.com</emailAddress><mobileNumber>123</mobileNumber></UpdateUserContactInfo></soap:Body></soap:Envelope>" ;;
    esac
}

call_name() {
    case $1 in
    static)        echo "static file (100 bytes)" ;;
    getuser)       echo "GetUser GET" ;;
    valid)         echo "isValidTicket GET" ;;
    valid_unknown) echo "isValidTicket GET, unknown ticket" ;;
    post)          echo "UpdateUserContactInfo POST" ;;
    soap)          echo "UpdateUserContactInfo SOAP 1.1" ;;
    post_spread)   echo "UpdateUserContactInfo POST, $nusers users" ;;
    login)         echo "AuthenticateUser GET" ;;
    login_expired) echo "AuthenticateUser GET, $nexpired expired tickets" ;;
    esac
}

# check CALL: one request by curl; says so when the answer is unexpected.
check() {
    local out h=()
    set_call "$1"
    [ -n "$B_TICKETS" ] && return 0
    if [ "$B_METHOD" = POST ]; then
        h=(-H "Content-Type: $B_CTYPE")
        [ -n "$B_ACTION" ] && h+=(-H "SOAPAction: $B_ACTION")
        out=$(curl -s -m 10 "${h[@]}" --data-binary "$B_BODY" "$base$B_PATH" || true)
    else
        out=$(curl -s -m 10 "$base$B_PATH" || true)
    fi
    case $out in
    *"$B_EXPECT"*) ;;
    *) say "bench: $(call_name "$1"): unexpected answer: $out"
       echo "$store_name, $(call_name "$1"): the check request got: $out" >> "$notes" ;;
    esac
}

# us_a_call TICKS REQUESTS: CPU clock ticks spread over the requests, in
# µs a request ("" without requests).
us_a_call() {
    awk -v d="$1" -v n="$2" -v hz="$clk_tck" \
        'BEGIN { if (n > 0) printf "%.0f", d * 1e6 / hz / n }'
}

# measure CALL CONNECTIONS: one wrk run, a line in $results.
measure() {
    local call=$1 c=$2 t=2 out line rps p99 socket non2xx bad how err
    local h0 h1 g0=0 g1=0 n cpu_h cpu_g="" pg_pidfile=/nonexistent
    [ "$c" -lt 2 ] && t=1    # wrk wants at least one connection a thread
    [ "$store" = pgsql ] && pg_pidfile=$pg_data/postmaster.pid
    set_call "$call"
    h0=$(cpu_ticks "$httpd_pidfile"); g0=$(cpu_ticks "$pg_pidfile")
    out=$(BENCH_METHOD=$B_METHOD BENCH_CTYPE=$B_CTYPE BENCH_SOAPACTION=$B_ACTION \
          BENCH_BODY=$B_BODY BENCH_EXPECT=$B_EXPECT BENCH_TICKETS=$B_TICKETS \
          wrk -t"$t" -c"$c" -d"${secs}s" --timeout "$wrk_timeout" -s "$lua" \
              "$base$B_PATH" 2>&1) || true
    h1=$(cpu_ticks "$httpd_pidfile"); g1=$(cpu_ticks "$pg_pidfile")
    line=$(printf '%s\n' "$out" | grep '^BENCH ' || true)
    if [ -z "$line" ]; then
        say "bench: wrk failed on $(call_name "$call") at $c:"
        printf '%s\n' "$out" | tail -n 5 >&2
        echo "$store_name, $(call_name "$call") at $c: wrk failed: $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')" >> "$notes"
        echo "$store|$call|$c|0|0|-1|0|0|0||" >> "$results"
        return 0
    fi
    # shellcheck disable=SC2086  # split into its fields
    set -- $line
    rps=${2#rps=}; p99=${3#p99_ms=}; socket=${5#socket=}
    non2xx=${6#non2xx=}; bad=${7#bad=}
    how="${8#connect=} connect, ${9#read=} read, ${10#write=} write, ${11#timeout=} timeouts"
    err=$((socket + non2xx + bad))
    # CPU time a request (µs): httpd's, and PostgreSQL's; wrk's is not
    # counted.  Where the cost goes, which the rates do not say.
    n=${4#requests=}
    cpu_h=$(us_a_call $((h1 - h0)) "$n")
    [ "$store" = pgsql ] && cpu_g=$(us_a_call $((g1 - g0)) "$n")
    # The requests wrk left in flight are still served: let them finish
    # before the next run measures anything.
    case $call in post*|soap|login*) sleep "$settle" ;; *) sleep 0.3 ;; esac
    echo "$store|$call|$c|$rps|$p99|$err|$socket|$non2xx|$bad|$cpu_h|$cpu_g" >> "$results"
    printf '  %-7s %-38s c=%-3s %10.0f/s  p99 %8.2f ms  errors %s  CPU %s%s µs\n' \
        "$store" "$(call_name "$call")" "$c" "$rps" "$p99" "$err" \
        "${cpu_h:-?}" "${cpu_g:+ + $cpu_g}" >&2
    if [ "$err" -gt 0 ]; then
        line=$(printf '%s\n' "$out" | sed -n 's/^BENCHSAMPLE //p' | head -n 1)
        echo "$store_name, $(call_name "$call") at $c: $socket socket errors ($how), $non2xx non-2xx, $bad not as expected${line:+; first: $line}" >> "$notes"
    fi
}

# add_expired DRIVER PARAMS N: N tickets of the user bench that expired an
# hour ago or earlier, written straight into the store.
add_expired() {
    local now sql
    now=$(date +%s)
    sql="INSERT INTO infor_sessions (ticket, user_id, created, expires, lang)
         SELECT 'expired-' || x, (SELECT id FROM infor_users
                                   WHERE username = 'bench'),
                $now - 90000 - x, $now - 3600 - x, ''"
    # Then the bulk write's own aftermath is settled, as an operator's
    # import would be: the WAL copied into the file (SQLite), the table
    # vacuumed and analysed and a checkpoint taken (PostgreSQL).  What is
    # measured next is a login beside that many expired tickets, and the
    # purge working them off.
    if [ "$1" = sqlite3 ]; then
        runuser -u "$run_user" -- sqlite3 -cmd '.timeout 30000' "$2" \
            "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s
                                     WHERE x < $3) $sql FROM s" \
            "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    else
        psql -q -X "$2" -c "$sql FROM generate_series(1, $3) AS s(x)"
        psql -q -X "$2" -c "VACUUM ANALYZE infor_sessions" -c "CHECKPOINT"
    fi
}

# bench_store STORE NAME DRIVER PARAMS FOLDER
bench_store() {
    local driver=$3 params=$4 sdir=$5 store_opt i c all n t
    store=$1; store_name=$2
    mkdir -p "$sdir"
    if [ "$driver" = sqlite3 ]; then
        store_opt="-c -d"
    else
        store_opt="-t $driver -d"
    fi
    say "== $store_name: creating $((nusers + 1)) users"
    # shellcheck disable=SC2086
    printf 'bench-pw-1\n' | "$adm" -C 4 $store_opt "$params" useradd bench \
        --email old@example.com --mobile 000 >/dev/null
    for i in $(seq -w 1 "$nusers"); do
        # shellcheck disable=SC2086
        printf 'bench-pw-1\n' | "$adm" -C 4 $store_opt "$params" \
            useradd "bench$i" >/dev/null
    done
    start_httpd "$sdir" "$driver" "$params"
    ticket=$(login bench bench-pw-1)
    [ -n "$ticket" ] || { say "bench: login failed on $store_name"; return 1; }
    tickets=$sdir/tickets
    : > "$tickets"
    for i in $(seq -w 1 "$nusers"); do
        t=$(login "bench$i" bench-pw-1)
        [ -n "$t" ] || { say "bench: login of bench$i failed"; return 1; }
        echo "$t bench$i" >> "$tickets"
    done
    chmod 0644 "$tickets"
    unknown=$(cat /proc/sys/kernel/random/uuid)
    for c in static getuser valid valid_unknown post soap; do check "$c"; done
    # Warm up: children, their database connections and statements.
    for c in static getuser post; do
        set_call "$c"
        BENCH_METHOD=$B_METHOD BENCH_CTYPE=$B_CTYPE BENCH_BODY=$B_BODY \
        BENCH_EXPECT=$B_EXPECT wrk -t2 -c64 -d1s --timeout "$wrk_timeout" \
            -s "$lua" "$base$B_PATH" >/dev/null 2>&1 || true
    done
    sleep "$settle"
    say "== $store_name: measuring ($secs s a run) on $base"
    # shellcheck disable=SC2086  # lists of numbers
    all=$(printf '%s\n' $conns $spread_conns | sort -n -u)
    for c in $all; do
        measure static "$c"
        # shellcheck disable=SC2086
        if printf '%s\n' $conns | grep -qx "$c"; then
            for i in getuser valid valid_unknown post soap; do
                measure "$i" "$c"
            done
        fi
        # shellcheck disable=SC2086
        if printf '%s\n' $spread_conns | grep -qx "$c"; then
            measure post_spread "$c"
        fi
    done
    if [ "$nexpired" -gt 0 ]; then
        for c in $login_conns; do measure login "$c"; done
        say "== $store_name: adding $nexpired expired tickets"
        add_expired "$driver" "$params" "$nexpired"
        for c in $login_conns; do measure login_expired "$c"; done
    fi
    stop_httpd
    # httpd's own start and stop notices aside, what did it log?
    n=$(grep -vc ':notice\]' "$sdir/error.log" 2>/dev/null || true)
    if [ "${n:-0}" -gt 0 ]; then
        echo "$store_name: httpd logged $n lines at LogLevel $loglevel; the most frequent: $(grep -v ':notice\]' "$sdir/error.log" \
            | sed 's/^\[[^]]*\] //; s/\[pid [^]]*\] //; s/\[client [^]]*\] //' \
            | sort | uniq -c | sort -rn | head -n 3 | sed 's/^ *//' | tr '\n' ' ')" >> "$notes"
    fi
}

# ------------------------------------------------------------------- the run
say "mod_infor write bench: $(nproc) CPUs, wrk $secs s a run, connections: $conns"
declare -A measured=() built_at=()
built=""
for s in $stores; do
    case $s in
    sqlite)
        bench_store sqlite SQLite sqlite3 "$dir/sqlite/infor.db" "$dir/sqlite"
        measured[sqlite]=1; built_at[sqlite]=$built ;;
    pgsql)
        if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
            say "== PostgreSQL is not installed: skipped"
            continue
        fi
        id postgres >/dev/null 2>&1 || {
            say "bench: no OS user postgres to run the cluster as"; exit 1; }
        say "== PostgreSQL: starting a cluster of its own"
        start_pg
        bench_store pgsql PostgreSQL pgsql "$pg_params" "$dir/pgsql"
        stop_pg
        measured[pgsql]=1; built_at[pgsql]=$built ;;
    *) say "bench: unknown store $s"; exit 2 ;;
    esac
done

# ---------------------------------------------------------------- the report
# field STORE CALL C N: field N (4 rps, 5 p99, 6 errors) of a result line.
field() {
    awk -F'|' -v s="$1" -v k="$2" -v c="$3" -v n="$4" \
        '$1 == s && $2 == k && $3 == c { print $n; exit }' "$results"
}
ratio() {   # ratio A B: A / B with two decimals, or n/a
    awk -v a="${1:-}" -v b="${2:-}" \
        'BEGIN { if (a == "" || b == "" || b + 0 <= 0) print "n/a";
                 else printf "%.2f\n", a / b }'
}
verdict() { # verdict VALUE OP LIMIT: holds/misses
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
        if (v == "n/a" || v == "") { print "not measured"; exit }
        ok = (op == ">=") ? (v + 0 >= l + 0) : (v + 0 <= l + 0)
        print ok ? "**holds**" : "**misses**" }'
}

commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo
echo "## mod_infor bench ($(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit plus any uncommitted changes)"
echo
echo "$(nproc) CPUs, wrk and httpd on the same machine;"
echo "wrk -t2 (-t1 at 1 connection), $secs s a run, the static file with EnableMMAP Off;"
echo "PostgreSQL options: ${pg_opts:-the defaults (fsync on)}."
echo "÷ static: the call's rate over the static file's rate at the same connection count, in the same run."
echo "CPU µs a call: the CPU time httpd (and PostgreSQL's processes) spent during the run over the requests wrk counted; wrk's own is not in it."
for s in sqlite pgsql; do
    [ -n "${measured[$s]:-}" ] || continue
    [ $s = sqlite ] && name=SQLite || name=PostgreSQL
    echo
    echo "### $name"
    echo
    echo "mod_infor.so built ${built_at[$s]}."
    echo
    if [ $s = sqlite ]; then
        cpu_title="CPU µs a call (httpd)"
    else
        cpu_title="CPU µs a call (httpd + PostgreSQL)"
    fi
    echo "| call | connections | requests/s | p99 (ms) | errors | ÷ static | $cpu_title |"
    echo "|---|--:|--:|--:|--:|--:|--:|"
    for k in static getuser valid valid_unknown post soap post_spread login login_expired; do
        awk -F'|' -v s="$s" -v k="$k" '$1 == s && $2 == k { print $3 }' "$results" |
        while read -r c; do
            rps=$(field "$s" "$k" "$c" 4)
            p99=$(field "$s" "$k" "$c" 5)
            err=$(field "$s" "$k" "$c" 6)
            cpu=$(field "$s" "$k" "$c" 10)
            [ -n "$(field "$s" "$k" "$c" 11)" ] &&
                cpu="$cpu + $(field "$s" "$k" "$c" 11)"
            [ "$err" = -1 ] && err="wrk failed"
            printf '| %s | %s | %.0f | %.2f | %s | %s | %s |\n' "$(call_name "$k")" \
                "$c" "$rps" "$p99" "$err" \
                "$(ratio "$rps" "$(field "$s" static "$c" 4)")" "${cpu:-n/a}"
        done
    done
done

echo
echo "### Targets"
echo
echo "| target | measured | goal | verdict |"
echo "|---|--:|--:|---|"
if [ -n "${measured[sqlite]:-}" ]; then
    v=$(ratio "$(field sqlite post 64 4)" "$(field sqlite post 4 4)")
    echo "| SQLite UpdateUserContactInfo POST: rate at 64 / rate at 4 | $v | ≥ 0.9 | $(verdict "$v" '>=' 0.9) |"
    v=$(ratio "$(field sqlite post 16 4)" "$(field sqlite static 16 4)")
    echo "| SQLite UpdateUserContactInfo POST: rate at 16 / static at 16 | $v | ≥ 0.30 | $(verdict "$v" '>=' 0.30) |"
    v=$(field sqlite post 16 5); v=${v:+$(printf '%.2f' "$v")}
    echo "| SQLite UpdateUserContactInfo POST: p99 at 16 (ms) | ${v:-n/a} | ≤ 20 | $(verdict "${v:-n/a}" '<=' 20) |"
    v=$(awk -F'|' '$1 == "sqlite" && $2 == "post" { n++; s += ($6 < 0 ? 1e9 : $6) }
                   END { print n ? s : "n/a" }' "$results")
    echo "| SQLite UpdateUserContactInfo POST: errors, all connection counts | $v | 0 | $(verdict "$v" '<=' 0) |"
fi
if [ -n "${measured[pgsql]:-}" ]; then
    # shellcheck disable=SC2086
    lo=$(printf '%s\n' $spread_conns | sort -n | head -n 1)
    # shellcheck disable=SC2086
    hi=$(printf '%s\n' $spread_conns | sort -n | tail -n 1)
    v=$(ratio "$(field pgsql post_spread "$hi" 4)" "$(field pgsql post_spread "$lo" 4)")
    echo "| PostgreSQL writes over $nusers users: rate at $hi / rate at $lo | $v | ≥ 2 | $(verdict "$v" '>=' 2) |"
    worst=""; detail=""
    for c in $conns; do
        v=$(ratio "$(field pgsql valid "$c" 4)" "$(field pgsql valid_unknown "$c" 4)")
        detail="$detail${detail:+, }$v at $c"
        [ "$v" = n/a ] && continue
        worst=$(awk -v a="$v" -v b="$worst" 'BEGIN { print (b == "" || a > b) ? a : b }')
    done
    echo "| PostgreSQL isValidTicket: known rate / unknown rate, worst ($detail) | ${worst:-n/a} | ≤ 2 | $(verdict "${worst:-n/a}" '<=' 2) |"
else
    echo "| PostgreSQL targets | PostgreSQL not installed or not asked for | | not measured |"
fi
for s in sqlite pgsql; do
    [ -n "${measured[$s]:-}" ] || continue
    [ $s = sqlite ] && name=SQLite || name=PostgreSQL
    # Judged where the server is busy (16 connections or more), as the
    # issue's 0.85 was: with fewer, a rate is one client's round trips,
    # and a 100-byte file's take no database read at all.  The ratios at
    # every count are shown.
    worst=""; detail=""
    for c in $conns; do
        v=$(ratio "$(field "$s" getuser "$c" 4)" "$(field "$s" static "$c" 4)")
        detail="$detail${detail:+, }$v at $c"
        [ "$v" = n/a ] || [ "$c" -lt 16 ] && continue
        worst=$(awk -v a="$v" -v b="$worst" 'BEGIN { print (b == "" || a < b) ? a : b }')
    done
    echo "| $name GetUser / static, worst at 16 connections or more ($detail) | ${worst:-n/a} | ≥ 0.85 | $(verdict "${worst:-n/a}" '>=' 0.85) |"
    [ "$nexpired" -gt 0 ] || continue
    worst=""; detail=""
    for c in $login_conns; do
        v=$(ratio "$(field "$s" login_expired "$c" 4)" "$(field "$s" login "$c" 4)")
        detail="$detail${detail:+, }$v at $c"
        [ "$v" = n/a ] && continue
        worst=$(awk -v a="$v" -v b="$worst" 'BEGIN { print (b == "" || a < b) ? a : b }')
    done
    echo "| $name AuthenticateUser with $nexpired expired tickets / without, worst ($detail) | ${worst:-n/a} | ≥ 0.8 | $(verdict "${worst:-n/a}" '>=' 0.8) |"
done

if grep -q ' [1-9][0-9]* read, ' "$notes"; then
    printf '%s\n' "Read errors without timeouts are most likely kept-alive connections that httpd closed under wrk: after MaxKeepAliveRequests (unlimited in conf/httpd.conf), or a child's when the event MPM stops it (see MinSpareThreads/MaxSpareThreads)." >> "$notes"
fi
if [ -s "$notes" ]; then
    echo
    echo "Notes:"
    echo
    sed 's/^/- /' "$notes"
fi
