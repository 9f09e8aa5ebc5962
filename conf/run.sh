#!/bin/sh
# `make run`: starts httpd in the foreground with mod_infor on
# 127.0.0.1:$PORT and the SQLite database in $INFOR_DATA_DIR (default
# var/ in the checkout), creating the account "admin" first when the
# database has no administrator.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
PORT=${PORT:-8080}
chosen_dir=${INFOR_DATA_DIR:-}
INFOR_DATA_DIR=${INFOR_DATA_DIR:-$top/var}
adm=$top/mod_infor/inforadm
defines=""

if [ "$(id -u)" = 0 ]; then
    # httpd's children never run as root: they get the data folder, and
    # must be able to reach it.  A checkout in a private home directory is
    # out of their reach; then the default folder moves to /var/lib, with
    # a word about it (a folder given by INFOR_DATA_DIR never moves).
    INFOR_USER=${INFOR_USER:-www-data}
    INFOR_GROUP=${INFOR_GROUP:-$(id -gn "$INFOR_USER")}
    mkdir -p "$INFOR_DATA_DIR"
    chown "$INFOR_USER:$INFOR_GROUP" "$INFOR_DATA_DIR"
    if ! runuser -u "$INFOR_USER" -- test -w "$INFOR_DATA_DIR"; then
        if [ -n "$chosen_dir" ]; then
            echo "run: user $INFOR_USER cannot write $INFOR_DATA_DIR (a" >&2
            echo "run: parent folder is not searchable): choose another." >&2
            exit 1
        fi
        echo "run: $INFOR_USER cannot reach $INFOR_DATA_DIR;"
        INFOR_DATA_DIR=/var/lib/mod_infor
        echo "run: using $INFOR_DATA_DIR instead."
        mkdir -p "$INFOR_DATA_DIR"
    fi
    defines="-DINFOR_AS_ROOT"
    export INFOR_USER INFOR_GROUP
fi
mkdir -p "$INFOR_DATA_DIR"
INFOR_DATA_DIR=$(cd "$INFOR_DATA_DIR" && pwd)

# Another store: INFOR_DBDRIVER=pgsql INFOR_DBDPARAMS="host=... dbname=..."
INFOR_DBDRIVER=${INFOR_DBDRIVER:-sqlite3}
INFOR_DBDPARAMS=${INFOR_DBDPARAMS:-$INFOR_DATA_DIR/infor.db}
store="-t $INFOR_DBDRIVER -d"
[ "$INFOR_DBDRIVER" = sqlite3 ] && store="-c $store"

# has-admin: 0 yes, 1 no, 2 an error (said on stderr).
rc=0
# shellcheck disable=SC2086
"$adm" $store "$INFOR_DBDPARAMS" has-admin || rc=$?
[ "$rc" -le 1 ] || exit 1
if [ "$rc" = 1 ]; then
    pw=${INFOR_ADMIN_PASSWORD:-}
    if [ -z "$pw" ]; then
        pw=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
        echo "Created the administrator account: admin / $pw"
        echo "(shown once; set INFOR_ADMIN_PASSWORD to choose it)"
    fi
    # shellcheck disable=SC2086
    printf '%s\n' "$pw" | "$adm" $store "$INFOR_DBDPARAMS" useradd admin \
        --admin --first System --last Administrator >/dev/null
fi
if [ -n "$defines" ]; then
    # What inforadm (as root) wrote must be the children's too.
    chown -R "$INFOR_USER:$INFOR_GROUP" "$INFOR_DATA_DIR"
fi

INFOR_LISTEN=${INFOR_LISTEN:-127.0.0.1:$PORT}
INFOR_MODULE=$top/mod_infor/.libs/mod_infor.so
export INFOR_DATA_DIR INFOR_LISTEN INFOR_MODULE INFOR_DBDRIVER INFOR_DBDPARAMS
echo "mod_infor on http://$INFOR_LISTEN/srv.asmx (Ctrl-C stops it)"
# shellcheck disable=SC2086
exec /usr/sbin/apache2 -f "$top/conf/httpd.conf" -DFOREGROUND $defines
