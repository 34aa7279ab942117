# common.sh -- shared by the tests/harden scenario tests (sourced).
#
#   ctl ARGS...             rblctl -d $DB ARGS, failing the test on error
#   start_policy_server FILE
#                           rbld on 127.0.0.1 (free port, 2 UDP workers,
#                           database $DB) with the sections in FILE added
#                           to its configuration; RBLD_PID, PORT set
#   stop_server             SIGTERM rbld and wait for it
#   burst SRC ARGS...       rbl-burst from SRC at the server (one line)
#   field LINE NAME         the number after NAME in a burst line
#   stat NAME               a counter of the server's statistics file
#   qfrom SRC ARGS...       dig from source address SRC at the server
. "$(dirname "$0")/../lib.sh"

command -v dig >/dev/null 2>&1 || skip "dig is not installed (tests/dns/deps.sh)"
for p in rbld rblctl tests/tools/rbl-burst tests/tools/rbl-qstats; do
	[ -x "$B/$p" ] || skip "$p is not built in $B"
done
T=$(test_dir)
DB="$T/db"
mkdir -p "$DB"
PORT=""

ctl() {
	"$B/rblctl" -d "$DB" "$@" >"$T/ctl.out" 2>&1 ||
		{ cat "$T/ctl.out" >&2; fail "rblctl $*"; }
}

start_policy_server() {	# file with extra sections
	PORT=$(free_port)
	{
		echo "server:"
		echo "	listen: 127.0.0.1@$PORT"
		echo "	database: $DB"
		echo "	threads: 2"
		echo "	pidfile: $T/rbld.pid"
		cat "$1"
	} >"$T/rbld.conf"
	"$B/rbld" -c "$T/rbld.conf" -t >"$T/check.out" 2>&1 ||
		fail "rbld -t: $(cat "$T/check.out")"
	start_rbld "$T/rbld.conf" "$PORT" 2>>"$T/rbld.log"
	# The health check came from 127.0.0.1: tests use other sources.
}

stop_server() {
	kill "$RBLD_PID" 2>/dev/null
	wait "$RBLD_PID" 2>/dev/null
}

burst() {	# src args...
	src=$1; shift
	"$B/tests/tools/rbl-burst" -b "$src" -p "$PORT" 127.0.0.1 "$@"
}
field() { echo "$1" | sed -n "s/.* $2 \([0-9]*\).*/\1/p; s/^$2 \([0-9]*\).*/\1/p" | head -n 1; }
stat() { "$B/tests/tools/rbl-qstats" "$DB/rbld.stats" | sed -n "s/^$1 //p"; }
qfrom() {
	src=$1; shift
	dig +time=2 +tries=1 -b "$src" -p "$PORT" @127.0.0.1 "$@"
}
