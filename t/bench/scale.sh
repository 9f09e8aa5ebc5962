#!/bin/bash
# `make bench-scale`: the lists, lookups and resets with many users.
#
# For each store it generates BENCH_USERS users straight into the store
# (one SQL statement: a recursive CTE on SQLite, generate_series on
# PostgreSQL; no HTTP), starts one throwaway httpd (conf/httpd.conf, the
# children as www-data, as t/bench/writes.sh does) and times over HTTP,
# with curl, the median of BENCH_REPEAT calls:
#   - GetAllUsers1: the first page (50 rows) of each sort code, ascending
#     and descending; the page at 90% of the list; the first page with
#     each filter; the count alone (NumbeOfRow=0);
#   - GetAllUsers2 and GetAllUsersWithoutDetails, first page;
#   - ForgotPassword for an address nobody has, and for the admin's (the
#     mail command is /bin/true), ForgotPasswordByUserName;
#   - GetUser of one user, also (before the bulk of the users is there)
#     with BENCH_SMALL users, and the ratio of the two;
#   - GetAllUsers: once, its time, its size, and how much the resident
#     memory of the httpd children grew (VmHWM after the call less VmRSS
#     before, the largest over the children).
# PostgreSQL runs in a cluster of the bench's own, removed at the end.
#
# Prints one Markdown table per store.  Not a test: the figures depend on
# the machine.  Run as root from the checkout after `make`:
#   t/bench/scale.sh
# Environment:
#   BENCH_USERS     users generated (1000000)
#   BENCH_REPEAT    calls per timed request; the median is shown (5)
#   BENCH_STORES    stores to measure ("sqlite pgsql")
#   BENCH_ALL       0 skips GetAllUsers (the whole list) (1)
#   BENCH_PORT      httpd port (default: the first free one from 8500)
#   BENCH_PG_PORT   the PostgreSQL socket's port number (5442)
#   BENCH_PG_OPTS   extra postgres options, e.g. "-c shared_buffers=256MB"
#   BENCH_CONF      extra httpd configuration lines
#   BENCH_KEEP      1 keeps the temporary folder (databases) at the end
#   BENCH_SMALL     users when GetUser is first timed (1000; 0: not)
#   BENCH_GETUSER_REPEAT  calls for each GetUser figure (31)
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
nusers=${BENCH_USERS:-1000000}
repeat=${BENCH_REPEAT:-5}
stores=${BENCH_STORES:-sqlite pgsql}
do_all=${BENCH_ALL:-1}
pg_port=${BENCH_PG_PORT:-5442}
pg_opts=${BENCH_PG_OPTS:-}
extra_conf=${BENCH_CONF:-}
keep=${BENCH_KEEP:-0}
small=${BENCH_SMALL:-1000}
getuser_repeat=${BENCH_GETUSER_REPEAT:-31}
adm=$top/mod_infor/inforadm
module=$top/mod_infor/.libs/mod_infor.so
run_user=www-data
page=50

if [ "$(id -u)" != 0 ]; then
    echo "bench-scale: run me as root (httpd's children run as $run_user," >&2
    echo "bench-scale: PostgreSQL as postgres)" >&2
    exit 1
fi
for f in "$module" "$adm"; do
    [ -e "$f" ] || { echo "bench-scale: $f is missing: run make first" >&2
                     exit 1; }
done

dir=$(mktemp -d /tmp/infor-bench-scale.XXXXXX)
chmod 0755 "$dir"
results=$dir/results
: > "$results"
httpd_pidfile=""
pg_data=""
pg_bin=""

bench=bench-scale
# shellcheck source=t/bench/lib.sh
. "$top/t/bench/lib.sh"

cleanup() {
    set +e
    stop_httpd
    stop_pg
    if [ "$keep" = 1 ]; then
        say "bench-scale: kept $dir"
    else
        rm -rf "$dir"
    fi
}
trap cleanup EXIT
trap 'say "bench-scale: interrupted"; exit 130' INT
trap 'exit 143' TERM

start_httpd() {
    local sdir=$1 driver=$2 params=$3 port
    port=$(free_port 8500)
    {
        cat "$top/conf/httpd.conf"
        cat <<CONF

# ---- t/bench/scale.sh
ErrorLog $sdir/error.log
LogLevel error
CustomLog /dev/null infor
<Location /srv.asmx>
    InforMailCommand /bin/true
    # The bench asks for the same resets again and again.
    InforResetThrottle off
</Location>
$extra_conf
CONF
    } > "$sdir/httpd.conf"
    run_httpd "$sdir" "$driver" "$params" "$port" \
        "/srv.asmx/isValidTicket?AuthenticationTicket=x"
}

# The users, one statement: x from 1 to N.  Names repeat (so that sorts
# have ties), a tenth are disabled, a seventh read-only, a twentieth LDAP,
# a third in a domain; a few first names are not ASCII.
gen_select() {
    local now=$1
    cat <<SQL
SELECT 'user' || x, 'user' || x, '',
       CASE x % 11 WHEN 0 THEN 'Zoë' WHEN 1 THEN 'Émile' ELSE 'First' || (x * 7919 % 1000) END,
       'Last' || (x * 104729 % 5000),
       'u' || x || '@example' || (x % 50) || '.com', '',
       CASE WHEN x % 10 = 0 THEN 0 ELSE 1 END,
       CASE WHEN x % 7 = 0 THEN 1 ELSE 0 END, 0,
       CASE WHEN x % 3 = 0 THEN 'dom' || (x % 13) ELSE '' END,
       CASE WHEN x % 20 = 0 THEN 'LDAP' ELSE 'Native' END,
       0, $now, $now,
       'user' || x,
       CASE x % 11 WHEN 0 THEN 'zoë' WHEN 1 THEN 'émile' ELSE 'first' || (x * 7919 % 1000) END,
       'last' || (x * 104729 % 5000),
       'u' || x || '@example' || (x % 50) || '.com',
       CASE WHEN x % 20 = 0 THEN 'ldap' ELSE 'native' END,
       CASE WHEN x % 3 = 0 THEN 'dom' || (x % 13) ELSE '' END
SQL
}

# The texts the filters look in, folded as the module folds them (schema
# version 3 on; the module's own writes fill them).
fold_cols=", fold_user, fold_first, fold_last, fold_email, fold_auth, fold_domain"

gen_users() {   # gen_users DRIVER PARAMS LAST [FIRST]: users FIRST..LAST
    local now cols sql from=${4:-1}
    now=$(date +%s)
    cols="username, name_key, password, first_name, last_name, email, mobile,
          enabled, read_only, is_admin, domain, auth_authority,
          last_password_change, created, updated$fold_cols"
    sql="INSERT INTO infor_users ($cols) $(gen_select "$now")"
    if [ "$1" = sqlite3 ]; then
        runuser -u "$run_user" -- sqlite3 -cmd '.timeout 30000' "$2" \
            "WITH RECURSIVE s(x) AS (SELECT $from UNION ALL SELECT x + 1 FROM s
                                     WHERE x < $3) $sql FROM s;
             $(scale_fixup sqlite)" >/dev/null
    else
        psql -q -X "$2" -c "$sql FROM generate_series($from::bigint, $3) AS s(x)" \
             -c "$(scale_fixup pgsql)" -c "VACUUM ANALYZE infor_users" \
             >/dev/null
    fi
}

# What the store keeps besides the rows, made right after a bulk insert
# that bypassed the module (none yet).
scale_fixup() {
    echo "SELECT 1;"
}

# ------------------------------------------------------------ measuring

# timed NAME PATH [EXPECT [REPEAT]]: the median of $repeat (or REPEAT)
# GETs of PATH, in ms.
timed() {
    local name=$1 path=$2 expect=${3:-success=\"true\"} n=${4:-$repeat}
    local i t out times=()
    out=$(curl -s -m 600 "$base$path")
    case $out in
    *"$expect"*) ;;
    *) say "bench-scale: $name: unexpected answer: ${out:0:300}"
       echo "$store|$name|error|" >> "$results"; return 0 ;;
    esac
    for i in $(seq "$n"); do
        t=$(curl -s -m 600 -o /dev/null -w '%{time_total}' "$base$path")
        times+=("$t")
    done
    t=$(printf '%s\n' "${times[@]}" | sort -n |
        awk '{ a[NR] = $1 } END { printf "%.1f", 1000 * a[int((NR + 1) / 2)] }')
    echo "$store|$name|$t|$(detail "$out")" >> "$results"
    printf '  %-8s %-50s %10s ms\n' "$store" "$name" "$t" >&2
    last_ms=$t
}

login() {
    ticket=$(curl -s -m 10 "$base/srv.asmx/AuthenticateUser?UID=bench&PWD=bench-pw-1" \
             | sed -n 's/.*ticket="\([^"]*\)".*/\1/p')
    [ -n "$ticket" ] || { say "bench-scale: login failed"; return 1; }
}

# GetUser of the user in the middle of the first LAST users, the median of
# $getuser_repeat calls (a lookup takes about a millisecond: the median of
# a few is noise), after as many calls to warm up.
time_getuser() {  # time_getuser NAME LAST
    local i
    for i in $(seq "$getuser_repeat"); do
        curl -s -o /dev/null "$base/srv.asmx/GetUser?authenticationTicket=$ticket&UserName=user$(($2 / 2))"
    done
    timed "$1" "/srv.asmx/GetUser?authenticationTicket=$ticket&UserName=user$(($2 / 2))" \
          'success="true"' "$getuser_repeat"
}

# The totalusercount of an answer, if any.
detail() {
    printf '%s' "$1" | head -c 400 | sed -n 's/.*totalusercount="\([0-9]*\)".*/total \1/p'
}

children() {
    local ppid
    ppid=$(cat "$httpd_pidfile")
    ps -o pid= --ppid "$ppid" | tr -d ' '
}

kb() {  # kb PID FIELD: a /proc/PID/status field in kB (0 if gone)
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

# The whole list, once: time, size, and the children's memory growth.
measure_all() {
    local pid t size grow=0 g before_max=0
    declare -A before=()
    for pid in $(children); do
        before[$pid]=$(kb "$pid" VmRSS)
        [ "${before[$pid]:-0}" -gt "$before_max" ] && before_max=${before[$pid]}
    done
    out=$(curl -s -m 1200 -o "$dir/all.xml" -w '%{time_total} %{size_download}' \
          "$base/srv.asmx/GetAllUsers?authenticationTicket=$ticket")
    t=${out% *}; size=${out#* }
    for pid in $(children); do
        g=$(( $(kb "$pid" VmHWM) - ${before[$pid]:-0} ))
        [ "$g" -gt "$grow" ] && grow=$g
    done
    n=$(grep -o '<User ' "$dir/all.xml" | wc -l)
    rm -f "$dir/all.xml"
    t=$(awk -v t="$t" 'BEGIN { printf "%.0f", 1000 * t }')
    echo "$store|GetAllUsers (whole list)|$t|$n users, $((size / 1048576)) MB, child RSS +$((grow / 1024)) MB (largest child before: $((before_max / 1024)) MB)" >> "$results"
    say "  $store GetAllUsers: $t ms, $n users, $size bytes, RSS +$grow kB"
}

g1() {  # g1 START ROWS SORT ASC [FILTERS [STATUS]]: a GetAllUsers1 path
    echo "/srv.asmx/GetAllUsers1?authenticationTicket=$ticket&StartingRowNumber=$1&NumbeOfRow=$2&StatusFilter=${6:--1}&SortBy=$3&SortAscending=$4${5:-}"
}

bench_store() {  # bench_store STORE NAME DRIVER PARAMS FOLDER
    local driver=$3 params=$4 sdir=$5 opt s a
    store=$1; store_name=$2
    mkdir -p "$sdir"
    [ "$driver" = sqlite3 ] && opt="-c -d" || opt="-t $driver -d"
    say "== $store_name: the admin, then $nusers users"
    # shellcheck disable=SC2086
    printf 'bench-pw-1\n' | "$adm" -C 4 $opt "$params" useradd bench --admin \
        --first Bench --last Admin --email bench@example.com >/dev/null
    [ "$driver" = sqlite3 ] && chown -R "$run_user:$run_user" "$sdir"
    local from=1
    small_ms=""
    if [ "$small" -gt 1 ] && [ "$small" -lt "$nusers" ]; then
        # GetUser with few users (the admin and small - 1 more), the
        # same server and store, before the others are added.
        gen_users "$driver" "$params" $((small - 1))
        start_httpd "$sdir" "$driver" "$params"
        login
        say "== $store_name: GetUser with $small users"
        time_getuser "GetUser with $small users" $((small - 1))
        small_ms=$last_ms
        stop_httpd
        from=$small
    fi
    s=$(date +%s.%N)
    gen_users "$driver" "$params" "$nusers" "$from"
    s=$(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", 1000 * (b - a) }')
    echo "$store|generating $nusers users (SQL, not over HTTP)|$s|" >> "$results"
    say "   generated in $s ms"
    start_httpd "$sdir" "$driver" "$params"
    login
    # Warm the children and the store's caches.
    for s in 1 2 3 4; do curl -s -o /dev/null "$base$(g1 0 $page 0 true)"; done
    say "== $store_name: measuring on $base (median of $repeat)"
    timed "GetAllUsers1 first page, SortBy=0" "$(g1 0 $page 0 true)"
    timed "GetAllUsers1 page at 90%" "$(g1 $((nusers * 9 / 10)) $page 0 true)"
    timed "GetAllUsers1 count only (NumbeOfRow=0)" "$(g1 0 0 0 true)"
    for s in 1 2 3 4 5 6 7 8; do
        timed "GetAllUsers1 first page, SortBy=$s" "$(g1 0 $page $s true)"
    done
    for s in 0 1 2 3 4 5 6 7 8; do
        timed "GetAllUsers1 first page, SortBy=$s descending" "$(g1 0 $page $s false)"
    done
    for a in "firstNameFilter=zo%C3%8B" "lastNameFilter=ast42" \
             "userNameFilter=USER12345" "emailFilter=%40example7.com" \
             "authenticationSourceFilter=ldap" "domainNameFilter=dom7" \
             "userNameFilter=user9" "emailFilter=example" "userNameFilter=9"; do
        timed "GetAllUsers1 first page, $a" "$(g1 0 $page 0 true "&$a")"
    done
    timed "GetAllUsers1 first page, StatusFilter=0" "$(g1 0 $page 0 true "" 0)"
    timed "GetAllUsers1 page at 80%, StatusFilter=1" \
        "$(g1 $((nusers * 8 / 10)) $page 0 true "" 1)"
    timed "GetAllUsers2 first page" "/srv.asmx/GetAllUsers2?authenticationTicket=$ticket&startingRowNumber=0&numberOfRow=$page&userStatusFilter=-1&userTypeFilter=-1&sortBy=1&sortAscending=true"
    timed "GetAllUsersWithoutDetails first page" "/srv.asmx/GetAllUsersWithoutDetails?authenticationTicket=$ticket&startingRowNumber=0&numberOfRow=$page&userStatusFilter=-1&userTypeFilter=-1&sortBy=1&sortAscending=true"
    timed "ForgotPassword, unknown address" \
        "/srv.asmx/ForgotPassword?emailAddress=nobody%40example.org" \
        "No user found with this email"
    timed "ForgotPassword, one user (mail: /bin/true)" \
        "/srv.asmx/ForgotPassword?emailAddress=U777%40EXAMPLE27.com"
    timed "ForgotPasswordByUserName (mail: /bin/true)" \
        "/srv.asmx/ForgotPasswordByUserName?userName=user777"
    timed "GetUser" "/srv.asmx/GetUser?authenticationTicket=$ticket&UserName=user$((nusers / 2))"
    if [ -n "$small_ms" ]; then
        time_getuser "GetUser with $((nusers + 1)) users (median of $getuser_repeat)" "$nusers"
        echo "$store|GetUser with $((nusers + 1)) users / with $small users|$(awk -v a="$last_ms" -v b="$small_ms" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')|target ≤ 1.2|" >> "$results"
    fi
    [ "$do_all" = 1 ] && measure_all
    stop_httpd
    if [ "$driver" = sqlite3 ]; then
        echo "$store|database size|$(du -m "$params" | cut -f1) MB|" >> "$results"
    else
        echo "$store|database size|$(psql -X -At "$params" -c "SELECT pg_database_size('infor') / 1048576") MB|" >> "$results"
    fi
    return 0
}

say "mod_infor scale bench: $nusers users, $(nproc) CPUs"
declare -A measured=()
for s in $stores; do
    case $s in
    sqlite)
        bench_store sqlite SQLite sqlite3 "$dir/sqlite/infor.db" "$dir/sqlite"
        [ "$keep" = 1 ] || rm -f "$dir/sqlite/infor.db"*
        measured[sqlite]=1 ;;
    pgsql)
        if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
            say "== PostgreSQL is not installed: skipped"; continue
        fi
        say "== PostgreSQL: a cluster of its own"
        start_pg
        bench_store pgsql PostgreSQL pgsql "$pg_params" "$dir/pgsql"
        stop_pg
        [ "$keep" = 1 ] || rm -rf "$dir/pgdata"
        measured[pgsql]=1 ;;
    *) say "bench-scale: unknown store $s"; exit 2 ;;
    esac
done

commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo
echo "## mod_infor scale bench ($(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit plus any uncommitted changes)"
echo
echo "$nusers generated users, $(nproc) CPUs shared, curl and httpd on the same"
echo "machine; each figure the median of $repeat calls over HTTP, in ms."
for s in sqlite pgsql; do
    [ -n "${measured[$s]:-}" ] || continue
    [ $s = sqlite ] && name=SQLite || name=PostgreSQL
    echo
    echo "### $name"
    echo
    echo "| call | ms | notes |"
    echo "|---|--:|---|"
    awk -F'|' -v s="$s" '$1 == s { printf "| %s | %s | %s |\n", $2, $3, $4 }' "$results"
done
