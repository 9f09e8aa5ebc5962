#!/bin/sh
# Every directive the module defines must be documented in the README and
# shown in conf/infor.conf; and nothing documented may be unknown.
set -eu
cd "$(dirname "$0")/.."

defined=$(grep -o 'AP_INIT_[A-Z0-9]*("Infor[A-Za-z]*"' mod_infor/config.c \
          | sed 's/.*("//; s/"//' | sort -u)
[ -n "$defined" ] || { echo "check_directives: none found" >&2; exit 1; }
status=0
for d in $defined; do
    grep -q "$d" README || { echo "README does not document $d" >&2; status=1; }
    grep -q "$d" conf/infor.conf || { echo "conf/infor.conf lacks $d" >&2; status=1; }
done
for d in $(grep -oh '`Infor[A-Z][A-Za-z]*`' README | tr -d '`'; grep -oh '^ *#\?Infor[A-Z][A-Za-z]*' conf/infor.conf conf/debian/infor.conf | tr -d ' #'); do
    case " $(echo $defined) " in
        *" $d "*) ;;
        *) echo "$d is documented but not defined" >&2; status=1 ;;
    esac
done
[ $status = 0 ] && echo "check_directives: $(echo "$defined" | wc -l) directives documented"
exit $status
