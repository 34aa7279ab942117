# lib.sh -- shared helpers for scenario tests (tests/*/*.test), sourced.
#
#   . "$(dirname "$0")/../lib.sh"
#   T=$(test_dir)            per-test scratch directory, emptied
#   port=$(free_port)        an unused loopback TCP+UDP port, not handed
#                            out before in this pass
#   start_rbld CONF PORT     start $BUILD/rbld -c CONF in the background and
#                            wait until it answers on 127.0.0.1@PORT
#   skip "why"               report a skip (exit 77) with the reason
#   fail "why"               report a failure and exit 1
#   expect_eq GOT WANT WHAT  fail unless GOT = WANT
# Every process started with bg_start is killed when the test exits.
set -u
: "${BUILD:=build}"
: "${RBL_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${RBL_TEST_OUT:=$RBL_TOP/tests/out/$BUILD}"
B="$RBL_TOP/$BUILD"
TEST_NAME=$(basename "$0" .test)
BG_PIDS=""

test_dir() {
	d="$RBL_TEST_OUT/$(basename "$(dirname "$0")")-$TEST_NAME.d"
	rm -rf "$d"; mkdir -p "$d"; echo "$d"
}

skip() { echo "skipped: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
	echo "ok: $3"
}

free_port() {
	# Ports handed out are also reserved in $RBL_TEST_OUT/.ports (check.sh
	# empties it with the rest of the pass's output): a port is not
	# listening until its server starts, seconds later for some, and in
	# between another test of the parallel pass (or the same test's next
	# free_port) could pick it too.  Once a web test's rbl-admin lost its
	# port that way: "cannot listen on 127.0.0.1@19634 (in use)".
	_fp_dir=$RBL_TEST_OUT/.ports _fp_try=0
	mkdir -p "$_fp_dir" 2>/dev/null || _fp_dir=""
	while :; do
		# (a tree whose tests ran many times without check.sh, the
		# benchmarks', may have reserved most ports: then not)
		_fp_try=$((_fp_try + 1))
		[ "$_fp_try" -le 200 ] || _fp_dir=""
		# below the kernel's ephemeral range (32768-60999), so a
		# client's source port never takes the server's port
		p=$(( 10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 22000 ))
		ss -Hlnu "sport = :$p" 2>/dev/null | grep -q . && continue
		ss -Hlnt "sport = :$p" 2>/dev/null | grep -q . && continue
		[ -z "$_fp_dir" ] || mkdir "$_fp_dir/$p" 2>/dev/null || continue
		echo "$p"; return
	done
}

bg_start() {	# command... ; sets BG_PID
	"$@" &
	BG_PID=$!
	BG_PIDS="$BG_PIDS $BG_PID"
}

cleanup_bg() {
	for p in $BG_PIDS; do kill "$p" 2>/dev/null; done
	for p in $BG_PIDS; do wait "$p" 2>/dev/null; done
}
trap cleanup_bg EXIT
trap 'exit 130' INT TERM

wait_udp() {	# port [addr]: wait up to 10 s for a DNS answer
	i=0
	while [ $i -lt 100 ]; do
		dig +time=1 +tries=1 -p "$1" @"${2:-127.0.0.1}" version.bind CH TXT \
			>/dev/null 2>&1 && return 0
		sleep 0.1; i=$((i + 1))
	done
	fail "nothing answers on ${2:-127.0.0.1}@$1"
}

start_rbld() {	# conf port [extra args]
	conf=$1 port=$2; shift 2
	bg_start "$B/rbld" -c "$conf" "$@"
	RBLD_PID=$BG_PID
	wait_udp "$port"
}
