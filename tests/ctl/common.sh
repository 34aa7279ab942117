# common.sh -- shared by the tests/ctl scenario tests (sourced).
#
#   ctl ARGS...            rblctl -d $DB ARGS; fail the test on error
#   ctl_rc WANT ARGS...    run rblctl -d $DB ARGS, require exit status WANT
#                          and a message on stderr; output in $T/out, $T/err
#   snapshot FILE          every zone, list and entry, as text
#   unchanged WHAT ARGS... run a command that must fail with status 1 or 2
#                          and leave the store exactly as it was
#
# A snapshot costs eight rblctl runs (seconds each under ASan on a loaded
# machine), so the "after" of one unchanged is the "before" of the next
# as long as no other command ran in between: ctl and ctl_rc forget it.
. "$(dirname "$0")/../lib.sh"

[ -x "$B/rblctl" ] || fail "rblctl is not built in $B"

T=$(test_dir)
DB="$T/db"

ctl() {
	rm -f "$T/after"
	"$B/rblctl" -d "$DB" "$@" >"$T/out" 2>"$T/err" ||
		{ cat "$T/out" "$T/err" >&2; fail "rblctl $*"; }
}

ctl_rc() {	# want args...
	want=$1; shift
	rm -f "$T/after"
	"$B/rblctl" -d "$DB" "$@" >"$T/out" 2>"$T/err"
	got=$?
	[ "$got" = "$want" ] ||
		{ cat "$T/out" "$T/err" >&2; fail "rblctl $*: exit $got, want $want"; }
	if [ "$want" != 0 ] && ! grep -q . "$T/err"; then
		fail "rblctl $*: exit $got without a message"
	fi
}

snapshot() {	# file
	{
		"$B/rblctl" -d "$DB" zone list
		for z in $("$B/rblctl" -d "$DB" zone list | cut -f1); do
			"$B/rblctl" -d "$DB" zone show "$z"
		done
		"$B/rblctl" -d "$DB" lists
		for l in $("$B/rblctl" -d "$DB" lists | cut -f1); do
			echo "== $l"
			"$B/rblctl" -d "$DB" show "$l"
		done
	} >"$1" 2>&1
}

unchanged() {	# what args...
	what=$1; shift
	if [ -f "$T/after" ]; then
		mv "$T/after" "$T/before"
	else
		snapshot "$T/before"
	fi
	"$B/rblctl" -d "$DB" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	case $rc in
	1|2) ;;
	*) cat "$T/out" "$T/err" >&2; fail "$what: exit $rc, want 1 or 2" ;;
	esac
	grep -q . "$T/err" || fail "$what: no error message"
	snapshot "$T/after"
	cmp -s "$T/before" "$T/after" ||
		{ diff -u "$T/before" "$T/after" >&2; fail "$what: the store changed"; }
	echo "ok: $what -> exit $rc: $(head -n 1 "$T/err")"
}
