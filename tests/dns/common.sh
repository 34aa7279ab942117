# common.sh -- shared by the tests/dns scenario tests (sourced, not run).
#
#   ctl ARGS...          rblctl -d $DB ARGS, failing the test on error
#   start_server [CONF_EXTRA]
#                        write $T/rbld.conf (127.0.0.1 and, if the host has
#                        it, ::1 on a free port, database $DB, plus the
#                        given [server] lines, then the sections in
#                        $T/sections.conf if there is one) and start rbld
#   q ARGS...            dig at the server
#   short ARGS...        dig +short, answers sorted on one line
#   status ARGS...       the rcode dig reports (NOERROR, NXDOMAIN, ...)
#   counts ARGS...       "ANSWER: a, AUTHORITY: n, ADDITIONAL: r"
#   dnsq ARGS...         rbl-dnsq at the server
. "$(dirname "$0")/../lib.sh"

command -v dig >/dev/null 2>&1 || skip "dig is not installed (tests/dns/deps.sh)"
[ -x "$B/rbld" ] || fail "rbld is not built in $B"
[ -x "$B/rblctl" ] || fail "rblctl is not built in $B"
DNSQ="$B/tests/tools/rbl-dnsq"
[ -x "$DNSQ" ] || fail "rbl-dnsq is not built in $B/tests/tools"

T=$(test_dir)
DB="$T/db"
mkdir -p "$DB"
PORT=""
HAVE_V6=no
ip -6 addr show dev lo 2>/dev/null | grep -q '::1' && HAVE_V6=yes

ctl() {
	"$B/rblctl" -d "$DB" "$@" >"$T/ctl.out" 2>&1 ||
		{ cat "$T/ctl.out" >&2; fail "rblctl $*"; }
}

start_server() {	# [extra server: lines]
	PORT=$(free_port)
	{
		echo "server:"
		echo "	listen: 127.0.0.1@$PORT"
		[ $HAVE_V6 = yes ] && echo "	listen: ::1@$PORT"
		echo "	database: $DB"
		echo "	threads: 2"
		echo "	version: rbld-test"
		echo "	identity: none"
		for line in "$@"; do echo "	$line"; done
		if [ -f "$T/sections.conf" ]; then cat "$T/sections.conf"; fi
	} >"$T/rbld.conf"
	start_rbld "$T/rbld.conf" "$PORT" 2>>"$T/rbld.log"
}

q() { dig +time=2 +tries=1 -p "$PORT" @127.0.0.1 "$@"; }
short() { q +short "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }
status() { q "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
counts() {
	q "$@" | sed -n 's/.*QUERY: [0-9]*, \(ANSWER: .*\)$/\1/p'
}
flags() { q "$@" | sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p'; }
dnsq() { "$DNSQ" -p "$PORT" "$@"; }
