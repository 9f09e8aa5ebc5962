#!/bin/sh
# `make run`: starts httpd in the foreground with mod_infor on
# 127.0.0.1:$PORT and the SQLite database in $INFOR_DATA_DIR, creating the
# account "admin" first when the database has no administrator.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
PORT=${PORT:-8080}
INFOR_DATA_DIR=${INFOR_DATA_DIR:-$top/var}
mkdir -p "$INFOR_DATA_DIR"
INFOR_DATA_DIR=$(cd "$INFOR_DATA_DIR" && pwd)
db=$INFOR_DATA_DIR/infor.db
adm=$top/mod_infor/inforadm
# Another store: INFOR_DBDRIVER=pgsql INFOR_DBDPARAMS="host=... dbname=..."
INFOR_DBDRIVER=${INFOR_DBDRIVER:-sqlite3}
INFOR_DBDPARAMS=${INFOR_DBDPARAMS:-$db}
store="-t $INFOR_DBDRIVER -d"
[ "$INFOR_DBDRIVER" = sqlite3 ] && store="-c $store"

# shellcheck disable=SC2086
if ! "$adm" $store "$INFOR_DBDPARAMS" has-admin 2>/dev/null; then
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

defines=""
if [ "$(id -u)" = 0 ]; then
    # httpd's children never run as root: give them the data directory,
    # and make sure they can reach it at all.
    INFOR_USER=${INFOR_USER:-www-data}
    INFOR_GROUP=${INFOR_GROUP:-$(id -gn "$INFOR_USER")}
    chown -R "$INFOR_USER:$INFOR_GROUP" "$INFOR_DATA_DIR"
    if [ "$INFOR_DBDRIVER" = sqlite3 ] \
       && ! runuser -u "$INFOR_USER" -- test -w "$db"; then
        echo "run: user $INFOR_USER cannot write $db: a parent directory" >&2
        echo "run: is not searchable.  Choose another folder, e.g." >&2
        echo "run:   make run INFOR_DATA_DIR=/var/tmp/mod_infor" >&2
        exit 1
    fi
    defines="-DINFOR_AS_ROOT"
    export INFOR_USER INFOR_GROUP
fi

INFOR_LISTEN=${INFOR_LISTEN:-127.0.0.1:$PORT}
INFOR_MODULE=$top/mod_infor/.libs/mod_infor.so
export INFOR_DATA_DIR INFOR_LISTEN INFOR_MODULE INFOR_DBDRIVER INFOR_DBDPARAMS
echo "mod_infor on http://$INFOR_LISTEN/srv.asmx (Ctrl-C stops it)"
# shellcheck disable=SC2086
exec /usr/sbin/apache2 -f "$top/conf/httpd.conf" -DFOREGROUND $defines
