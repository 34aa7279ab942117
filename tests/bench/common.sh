# common.sh -- what make bench's scripts share (bench.sh, scale.sh,
# mirror.sh, import.sh), sourced from the top of the tree after the
# script's own `set -u` and cd there:
#
#   BENCH_NAME=bench-scale BENCH_OUT=bench-scale
#   . tests/bench/common.sh
#
# BENCH_NAME is the prefix of its messages; BENCH_OUT names its work
# directory W (tests/out/BENCH_OUT) and its report REPORT
# (tests/out/BENCH_OUT.txt).  It sets ZONE (bench.rbld.test, the zone of
# the benchmark data), RBL_TOP (exported) and BUILD (default build),
# sources tests/lib.sh (B, free_port, bg_start, start_rbld, cleanup on
# exit), and offers:
#   say TEXT / die TEXT            a message on stderr / and exit 1
#   bench_tools [-d] [-r] PROG...  every $B/PROG must be built (die
#                                  otherwise); dig and /usr/bin/time,
#                                  -d: dnsperf, -r: rbldnsd too, installed
#                                  by tests/bench/deps.sh when missing
#   bench_rbld CONF DB [LINES]     write CONF (listen on a free port,
#                                  database DB, LINES more of the server
#                                  section) and start rbld on it: PORT,
#                                  BG_PID; not waited for (bench_wait_zone)
#   bench_rbldnsd DATA ZONE LOG    start rbldnsd on a copy of DATA in a
#                                  directory its own user can read: PORT,
#                                  BG_PID, RBLDNSD_DIR (removed on exit)
#   bench_wait_zone PORT NAME ZONE [TRIES]  wait (0.1 s a try, default 300)
#                                  until NAME answers ZONE's SOA on PORT
#   cpu_ticks PID, rss_kb PID, rss_mb PID, loadavg
#   cpu_ns PID                     on-CPU nanoseconds of PID's live threads
#                                  (schedstat: finer than cpu_ticks' 10 ms)
#   sleeps PID                     voluntary context switches of PID's live
#                                  threads (a server's waits for packets)
#   now, since T0                  seconds (date +%s.%N) and how many since
#   dnsperf_summary FILE           dnsperf's output -> "sent completed lost qps"
RBL_TOP=$(pwd)
export RBL_TOP
BUILD=${BUILD:-build}
. tests/lib.sh

: "${BENCH_NAME:=bench}"
: "${BENCH_OUT:=bench}"
W=$RBL_TOP/tests/out/$BENCH_OUT
REPORT=$W.txt
ZONE=bench.rbld.test
RBLDNSD_DIR=""

say() { echo "$BENCH_NAME: $*" >&2; }
die() { echo "$BENCH_NAME: $*" >&2; exit 1; }

bench_tools() {	# [-d] [-r] prog...
	need=" dig"
	while :; do
		case ${1:-} in
		-d) need="$need dnsperf"; shift ;;
		-r) need="$need rbldnsd"; shift ;;
		*) break ;;
		esac
	done
	for c in $need; do
		command -v "$c" >/dev/null && [ -x /usr/bin/time ] && continue
		say "installing$need (tests/bench/deps.sh)"
		tests/bench/deps.sh || die "tests/bench/deps.sh failed"
		break
	done
	for p in "$@"; do
		[ -x "$B/$p" ] || die "$B/$p is missing: run make tests first"
	done
}

bench_rbld() {	# conf db [more lines of the server section]
	PORT=$(free_port)
	printf 'server:\n\tlisten: 127.0.0.1@%s\n\tdatabase: %s\n%s\n' \
		"$PORT" "$2" "${3:-}" > "$1"
	bg_start "$B/rbld" -c "$1"
}

# rbldnsd drops to its own user: give it a directory it can read.
bench_rbldnsd() {	# data zone log
	[ -n "$RBLDNSD_DIR" ] && rm -rf "$RBLDNSD_DIR"
	RBLDNSD_DIR=$(mktemp -d /tmp/rbld-bench.XXXXXX)
	cp "$1" "$RBLDNSD_DIR/data.txt"
	chmod 755 "$RBLDNSD_DIR"
	chmod 644 "$RBLDNSD_DIR/data.txt"
	PORT=$(free_port)
	bg_start rbldnsd -n -u rbldns -b 127.0.0.1/"$PORT" -w "$RBLDNSD_DIR" \
		"$2":ip4set:data.txt >"$3" 2>&1
}

bench_cleanup() {
	cleanup_bg
	[ -n "$RBLDNSD_DIR" ] && rm -rf "$RBLDNSD_DIR"
	return 0
}
trap bench_cleanup EXIT

bench_wait_zone() {	# port name zone [tries]
	i=0
	while [ $i -lt "${4:-300}" ]; do
		dig +time=1 +tries=1 -p "$1" @127.0.0.1 "$3" SOA 2>/dev/null |
			grep -q 'status: NOERROR' && return 0
		sleep 0.1; i=$((i + 1))
	done
	die "$2 does not answer for $3 on port $1"
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
sleeps() {
	cat /proc/"$1"/task/*/status |
		awk '/^voluntary_ctxt_switches:/ { s += $2 } END { print s + 0 }'
}
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ s += $1 } END { printf "%.0f", s }'; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
rss_mb() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

dnsperf_summary() {	# file -> "sent completed lost qps"
	awk '/Queries sent:/ { s = $3 } /Queries completed:/ { c = $3 }
	     /Queries lost:/ { l = $3 } /Queries per second:/ { q = $4 }
	     END { printf "%d %d %d %.0f\n", s, c, l, q }' "$1"
}
