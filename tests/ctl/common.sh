# common.sh -- shared by the tests/ctl scenario tests (sourced).
#
#   ctl ARGS...            rblctl -d $DB ARGS; fail the test on error
#   ctl_rc WANT ARGS...    run rblctl -d $DB ARGS, require exit status WANT
#                          and a message on stderr; output in $T/out, $T/err
#   snapshot FILE [DIR]    every zone, list and entry of the store in DIR
#                          (default $DB), as text
#   unchanged WHAT ARGS... run a command that must fail with status 1 or 2
#                          and leave the store exactly as it was
#
# A snapshot costs eight rblctl runs (seconds each under ASan on a loaded
# machine), so unchanged first compares the store's bytes (data.mdb): the
# same bytes are the same store.  Only when they differ (a write that
# changed nothing one can see) are the two stores compared as snapshots,
# the one before from a copy of its bytes.
. "$(dirname "$0")/../lib.sh"

[ -x "$B/rblctl" ] || fail "rblctl is not built in $B"

T=$(test_dir)
DB="$T/db"

ctl() {
	"$B/rblctl" -d "$DB" "$@" >"$T/out" 2>"$T/err" ||
		{ cat "$T/out" "$T/err" >&2; fail "rblctl $*"; }
}

ctl_rc() {	# want args...
	want=$1; shift
	"$B/rblctl" -d "$DB" "$@" >"$T/out" 2>"$T/err"
	got=$?
	[ "$got" = "$want" ] ||
		{ cat "$T/out" "$T/err" >&2; fail "rblctl $*: exit $got, want $want"; }
	if [ "$want" != 0 ] && ! grep -q . "$T/err"; then
		fail "rblctl $*: exit $got without a message"
	fi
}

snapshot() {	# file [dir]
	d=${2:-$DB}
	{
		"$B/rblctl" -d "$d" zone list
		for z in $("$B/rblctl" -d "$d" zone list | cut -f1); do
			"$B/rblctl" -d "$d" zone show "$z"
		done
		"$B/rblctl" -d "$d" lists
		for l in $("$B/rblctl" -d "$d" lists | cut -f1); do
			echo "== $l"
			"$B/rblctl" -d "$d" show "$l"
		done
	} >"$1" 2>&1
}

unchanged() {	# what args...
	what=$1; shift
	cp "$DB/data.mdb" "$T/before.mdb"
	"$B/rblctl" -d "$DB" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	case $rc in
	1|2) ;;
	*) cat "$T/out" "$T/err" >&2; fail "$what: exit $rc, want 1 or 2" ;;
	esac
	grep -q . "$T/err" || fail "$what: no error message"
	if ! cmp -s "$DB/data.mdb" "$T/before.mdb"; then
		rm -rf "$T/prev" && mkdir "$T/prev" &&
			cp "$T/before.mdb" "$T/prev/data.mdb" ||
			fail "$what: cannot copy the store"
		snapshot "$T/before" "$T/prev"
		snapshot "$T/after"
		cmp -s "$T/before" "$T/after" ||
			{ diff -u "$T/before" "$T/after" >&2; fail "$what: the store changed"; }
		echo "($what: the store's bytes changed; its snapshot did not)"
	fi
	echo "ok: $what -> exit $rc: $(head -n 1 "$T/err")"
}
