#!/bin/sh
# Runs Apache::Test files against httpd under valgrind (every child is
# traced) and fails if valgrind reports any error in any process.  Slow:
# a few minutes.  `make valgrind`, or: t/valgrind.sh [t/api/FILE.t ...]
# Files whose checks have tight timing windows are left out by default.
set -eu
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
work=$(mktemp -d /tmp/infor-valgrind.XXXXXX)
# Processes that start as the children's user write their valgrind logs
# here too.  The shell that runs the mail command is not traced (nor what
# it runs): not our code, and slow enough under valgrind to pass
# InforMailTimeout.
chmod 755 "$work"
logs=$work/logs
mkdir -m 1777 "$logs"
cat > "$work/httpd" <<SH
#!/bin/sh
exec valgrind -q --vgdb=no --trace-children=yes --error-exitcode=0 \\
    --trace-children-skip='*/sh' \\
    --log-file=$logs/vg.%p.log /usr/sbin/apache2 "\$@"
SH
chmod 755 "$work/httpd"

[ $# -gt 0 ] || set -- t/api/10_contact_info.t t/api/20_get_user.t \
    t/api/30_update_email.t t/api/40_bad_input.t t/api/81_admin.t \
    t/api/82_lists.t t/api/84_preferences.t t/api/93_soap12.t

status=0
perl t/TEST.PL -clean >/dev/null 2>&1 || true
perl t/TEST.PL -httpd "$work/httpd" -startup_timeout 300 "$@" || status=1
# Back to the plain httpd for the next run.
perl t/TEST.PL -clean >/dev/null 2>&1 || true

# valgrind's own notices about its vgdb pipes are not findings.
found=$(cat "$logs"/vg.*.log 2>/dev/null | grep -v '^==[0-9]*== *$' \
        | grep -v 'vgdb' || true)
if [ -n "$found" ]; then
    echo "valgrind reported:" >&2
    echo "$found" >&2
    status=1
else
    echo "valgrind: no errors in $(ls "$logs" | wc -l) processes"
fi
rm -rf "$work"
exit $status
