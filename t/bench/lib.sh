# Shared by the benchmarks (t/bench/writes.sh, t/bench/scale.sh), which
# source it after setting: bench (the name in messages), dir (their temp
# folder), pg_port, pg_opts, module (the module's .so) and run_user (the
# children's).  They keep httpd_pidfile, base, pg_data, pg_bin and
# pg_params in these variables.
# shellcheck shell=bash disable=SC2154,SC2034

say() { printf '%s\n' "$*" >&2; }

stop_httpd() {
    local pid
    [ -n "$httpd_pidfile" ] || return 0
    pid=$(cat "$httpd_pidfile" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    httpd_pidfile=""
}

stop_pg() {
    local pid
    [ -n "$pg_data" ] || return 0
    if [ -e "$pg_data/postmaster.pid" ]; then
        if ! (cd / && runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_data" \
                  -m fast -w -t 30 stop >/dev/null 2>&1); then
            pid=$(head -n 1 "$pg_data/postmaster.pid" 2>/dev/null || true)
            [ -n "$pid" ] && kill -QUIT "$pid" 2>/dev/null
            sleep 1
        fi
    fi
    pg_data=""
}

# cpu_ticks PIDFILE: the CPU time, in clock ticks, that the server whose
# main process PIDFILE names has spent: the main process and its live
# children (all their threads, user and system), and the children it has
# reaped (cutime, cstime).  0 when it is not running.
cpu_ticks() {
    local main t=0 p f
    main=$(head -n 1 "$1" 2>/dev/null || true)
    [ -n "$main" ] || { echo 0; return; }
    for p in "$main" $(pgrep -P "$main" || true); do
        # shellcheck disable=SC2207  # the fields of one line
        f=($(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null)) || continue
        # After "pid (comm) ": utime and stime are the 12th and 13th
        # fields, cutime and cstime the 14th and 15th.
        t=$((t + ${f[11]:-0} + ${f[12]:-0}))
        [ "$p" = "$main" ] && t=$((t + ${f[13]:-0} + ${f[14]:-0}))
    done
    echo "$t"
}

free_port() {
    local p=${BENCH_PORT:-$1}
    [ -n "${BENCH_PORT:-}" ] && { echo "$p"; return; }
    while [ "$p" -lt 65000 ]; do
        if command -v ss >/dev/null; then
            [ -z "$(ss -Hltn "sport = :$p")" ] && { echo "$p"; return; }
        elif ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"; return
        fi
        p=$((p + 1))
    done
    echo "$bench: no free port" >&2
    return 1
}

# A throwaway cluster in $dir, as the OS user postgres, Unix socket only.
start_pg() {
    local sock=$dir/pgsock log=$dir/pg.log
    pg_bin=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    pg_data=$dir/pgdata
    install -d -o postgres -g postgres -m 0700 "$pg_data"
    install -d -o postgres -g postgres -m 0755 "$sock"
    install -o postgres -g postgres -m 0644 /dev/null "$log"
    if ! (cd / && runuser -u postgres -- "$pg_bin/initdb" -D "$pg_data" \
              -A trust -U infor -E UTF8 --locale=C.UTF-8 --no-sync \
              >>"$log" 2>&1); then
        tail -n 20 "$log" >&2; say "$bench: initdb failed"; return 1
    fi
    # No TCP (listen_addresses empty): only the socket in our folder.
    if ! (cd / && runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_data" \
              -l "$log" -w -t 60 -o "-c listen_addresses='' \
              -c unix_socket_directories='$sock' -p $pg_port $pg_opts" \
              start >/dev/null 2>&1); then
        tail -n 20 "$log" >&2; say "$bench: postgres did not start"; return 1
    fi
    "$pg_bin/createdb" -h "$sock" -p "$pg_port" -U infor infor
    pg_params="host=$sock port=$pg_port dbname=infor user=infor"
}

# run_httpd FOLDER DRIVER PARAMS PORT PROBE: starts httpd on FOLDER's
# httpd.conf (the children as $run_user) and waits until PROBE (a path)
# answers; sets base (the URL) and httpd_pidfile.
run_httpd() {
    local sdir=$1 driver=$2 params=$3 port=$4 probe=$5 i
    chown -R "$run_user:$run_user" "$sdir"
    INFOR_DATA_DIR=$sdir INFOR_LISTEN=127.0.0.1:$port \
    INFOR_DBDRIVER=$driver INFOR_DBDPARAMS=$params INFOR_MODULE=$module \
    INFOR_USER=$run_user INFOR_GROUP=$run_user \
        /usr/sbin/apache2 -f "$sdir/httpd.conf" -DINFOR_AS_ROOT -k start
    httpd_pidfile=$sdir/httpd.pid
    base=http://127.0.0.1:$port
    for i in $(seq 100); do
        curl -sf -m 2 -o /dev/null "$base$probe" && return 0
        sleep 0.1
    done
    say "$bench: httpd did not answer on $base"
    tail -n 20 "$sdir/error.log" >&2 || true
    return 1
}
