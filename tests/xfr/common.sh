# common.sh -- helpers for tests/xfr (sourced after ../lib.sh).
#
#   xfr_data DIR SEED          rbl-diffgen data and queries into DIR
#   xfr_import DB DIR          zones from it: ip4set ip4trie ip6tset
#                              ip6trie dnset .test and comb.test, and
#                              txt.test from xfr_txt_data
#   start_nsd DIR PORT PRIMARY SOURCE KEY SECRET ZONE...
#   start_knot DIR PORT PRIMARY SOURCE KEY SECRET ZONE...
#                              a secondary of PRIMARY (addr@port) on
#                              127.0.0.1@PORT, transferring from SOURCE,
#                              taking NOTIFY from 127.0.0.1, TSIG KEY;
#                              config, zone files, database, pid file and
#                              control socket all in DIR
#   serial PORT ZONE           the SOA serial 127.0.0.1@PORT answers
#   wait_serial PORT ZONE N    until it is N (30 s at most)
#   ask PORT QUERIES OUT       answer every "name type" line of QUERIES
#                              (TCP), one line per A/TXT record and
#                              "name type asked" per query, sorted
XFR_ZONES="ip4set ip4trie ip6tset ip6trie dnset comb txt"

xfr_data() {	# dir seed
	"$B/tests/tools/rbl-diffgen" "$1" "$2" || fail "rbl-diffgen failed"
	mv "$1/combined.q" "$1/comb.q"
	mv "$1/combined.txt" "$1/comb.txt"
}

xfr_import() {	# db dir
	for t in ip4set ip4trie ip6tset ip6trie dnset; do
		kind=ip; [ $t = dnset ] && kind=name
		"$B/rblctl" -d "$1" zone create $t.test --kind $kind \
			>>"$T/rblctl.log" 2>&1 || fail "zone create $t.test"
		"$B/rblctl" -d "$1" import $t.test "$2/$t.txt" --type $t \
			--replace >>"$T/rblctl.log" 2>&1 || fail "import $t"
	done
	"$B/rblctl" -d "$1" import-zone comb.test "$2/comb.txt" \
		--type combined --replace >>"$T/rblctl.log" 2>&1 ||
		fail "import-zone comb.test"
	xfr_txt_data "$2" 5
	"$B/rblctl" -d "$1" zone create txt.test --kind ip \
		>>"$T/rblctl.log" 2>&1 || fail "zone create txt.test"
	"$B/rblctl" -d "$1" import txt.test "$2/txt4.txt" --type ip4trie \
		--replace >>"$T/rblctl.log" 2>&1 || fail "import txt"
	# shellcheck disable=SC2046
	"$B/rblctl" -d "$1" add txt.test $(cat "$2/txt6.list") \
		--txt 'v6 $ listed' >>"$T/rblctl.log" 2>&1 || fail "add txt6"
}

start_nsd() {	# dir port primary source key secret zone...
	d=$1 port=$2 primary=$3 source=$4 key=$5 secret=$6; shift 6
	mkdir -p "$d"
	{
		echo "server:"
		echo "	ip-address: 127.0.0.1@$port"
		echo "	zonesdir: \"$d\""
		echo "	database: \"\""
		echo "	pidfile: \"$d/nsd.pid\""
		echo "	xfrdfile: \"$d/xfrd.state\""
		echo "	xfrdir: \"$d\""
		echo "	zonelistfile: \"$d/zone.list\""
		echo "	username: \"\""
		echo "	chroot: \"\""
		echo "	verbosity: 2"
		echo "	xfrd-reload-timeout: 0"
		echo "remote-control:"
		echo "	control-enable: yes"
		echo "	control-interface: \"$d/nsd.ctl\""
		echo "key:"
		echo "	name: $key"
		echo "	algorithm: hmac-sha256"
		echo "	secret: \"$secret\""
		for z in "$@"; do
			echo "zone:"
			echo "	name: $z"
			echo "	zonefile: \"$z.zone\""
			echo "	outgoing-interface: $source"
			echo "	request-xfr: $primary $key"
			echo "	allow-notify: 127.0.0.1 $key"
		done
	} >"$d/nsd.conf"
	nsd-checkconf "$d/nsd.conf" || fail "nsd.conf"
	bg_start nsd -d -c "$d/nsd.conf" >"$d/nsd.log" 2>&1
	NSD_PID=$BG_PID
	wait_udp "$port"
}

start_knot() {	# dir port primary source key secret zone...
	d=$1 port=$2 primary=$3 source=$4 key=$5 secret=$6; shift 6
	mkdir -p "$d/zones" "$d/db"
	{
		echo "server:"
		echo "    rundir: \"$d\""
		echo "    pidfile: \"$d/knot.pid\""
		echo "    listen: 127.0.0.1@$port"
		echo "database:"
		echo "    storage: \"$d/db\""
		echo "control:"
		echo "    listen: \"$d/knot.sock\""
		echo "log:"
		echo "  - target: stderr"
		echo "    any: info"
		echo "key:"
		echo "  - id: $key"
		echo "    algorithm: hmac-sha256"
		echo "    secret: $secret"
		echo "remote:"
		echo "  - id: primary"
		echo "    address: $primary"
		echo "    via: $source"
		echo "    key: $key"
		echo "acl:"
		echo "  - id: notify_from_primary"
		echo "    address: 127.0.0.1"
		echo "    key: $key"
		echo "    action: notify"
		echo "template:"
		echo "  - id: default"
		echo "    storage: \"$d/zones\""
		echo "    zonefile-sync: -1"
		echo "    zonefile-load: none"
		echo "    journal-content: changes"
		echo "    master: primary"
		echo "    acl: notify_from_primary"
		echo "zone:"
		for z in "$@"; do
			echo "  - domain: $z"
		done
	} >"$d/knot.conf"
	knotc -c "$d/knot.conf" conf-check >"$d/check.log" 2>&1 ||
		{ cat "$d/check.log" >&2; fail "knot.conf"; }
	bg_start knotd -c "$d/knot.conf" >"$d/knot.log" 2>&1
	KNOT_PID=$BG_PID
	wait_udp "$port"
}

serial() {	# port zone
	dig +time=1 +tries=1 +short -p "$1" @127.0.0.1 "$2" SOA 2>/dev/null |
		awk 'NF >= 7 { print $3; exit }'
}

wait_serial() {	# port zone serial
	i=0
	while [ "$(serial "$1" "$2")" != "$3" ]; do
		i=$((i + 1))
		[ $i -lt 150 ] || return 1
		sleep 0.2
	done
}

# Over TCP (rbl-dnsq, one process for all the names of a type: 256
# pipelined queries per connection, a connection after another): on this
# shared machine other processes were seen answering UDP datagrams on
# ports they share with SO_REUSEPORT; a TCP connection only reaches the
# server under test.  NXDOMAIN and NOERROR without records both mean
# "not listed": a zone file has to make excluded names exist
# (xfr_expand.h), so only the records are compared.
ask() {	# port queries output
	: >"$3.raw"
	for t in A TXT; do
		awk -v t=$t '$2 == t { print $1 }' "$2" | sort -u >"$3.$t"
		"$B/tests/tools/rbl-dnsq" --tcp -p "$1" -t $t --names "$3.$t" \
			>>"$3.raw" 2>&1
	done
	awk '
		/^rcode: / { rc = $2; next }
		/^question: / { q = tolower($2) " " $4; s = "asked"
				if (rc == "SERVFAIL" || rc == "REFUSED") s = rc
				print q, s; next }
		/^answer: / && ($5 == "A" || $5 == "TXT") {
			r = $5; for (i = 6; i <= NF; i++) r = r " " $i
			print q, r; next }
		/^error: |^rbl-dnsq: / { print "ERROR", $0 }
	' "$3.raw" | sort -u >"$3"
}

# Compare two answer files; fail with the first differences.
same_answers() {	# what a b queries
	for f in "$2" "$3"; do
		grep -q '^ERROR\| SERVFAIL$\| REFUSED$' "$f" &&
			fail "$1: bad replies in $f (see $f.raw)"
	done
	if ! diff -u "$2" "$3" >"$T/$1.diff"; then
		head -n 40 "$T/$1.diff"
		fail "$1: answers differ ($(grep -c '^[-+][^-+]' "$T/$1.diff") lines, $T/$1.diff)"
	fi
	nq=$(tr A-Z a-z <"$4" | sort -u | wc -l)
	for f in "$2" "$3"; do
		n=$(grep -c ' asked$' "$f")
		[ "$n" = "$nq" ] || fail "$1: $n answers to $nq queries in $f"
	done
	listed=$(grep -c ' A 127\.' "$2")
	txt=$(grep -c ' TXT ' "$2")
	[ "$listed" -gt 1000 ] || fail "$1: only $listed listed answers"
	echo "ok: $1: $nq queries, $listed A and $txt TXT records, identical"
}

# Data where every TXT uses "$" and every listing is small enough for
# one name per address (xfr-txt-expand 256): /24, /25, /28, /32 and
# IPv6 /120, /124, /128, exclusions inside.  Secondaries must give the
# very TXT rbld gives.  Writes DIR/txt4.txt (ip4trie), DIR/txt6.list
# (rblctl add arguments) and DIR/txt.q (query names).
xfr_txt_data() {	# dir seed
	awk -v seed="$2" -v d="$1" '
	function q4(a, b, c, x) { printf "%d.%d.%d.%d\n", x, c, b, a > (d "/txt.q") }
	function hex(n, w,   s) { s = sprintf("%0" w "x", n); return s }
	function q6(nibs,   i, r) { r = substr(nibs, 32, 1)
		for (i = 31; i >= 1; i--) r = r "." substr(nibs, i, 1)
		print r > (d "/txt.q") }
	BEGIN { srand(seed)
		print ":2:Listed $, see http://bl.example/lookup?ip=$" > (d "/txt4.txt")
		for (i = 0; i < 60; i++) {
			a = 1 + int(rand() * 222); b = int(rand() * 256)
			c = int(rand() * 256); len = (i % 4 == 0) ? 24 : (i % 4 == 1) ? 25 : (i % 4 == 2) ? 28 : 32
			size = 2 ^ (32 - len); base = int(rand() * 256 / size) * size
			txt = (i % 3 == 0) ? " :3:own text for $ ($$ literal)" : ""
			printf "%d.%d.%d.%d/%d%s\n", a, b, c, base, len, txt > (d "/txt4.txt")
			for (k = 0; k < 4; k++) q4(a, b, c, base + int(rand() * size))
			q4(a, b, c, (base + size) % 256)
			if (len < 32) {
				x = base + int(rand() * size)
				printf "!%d.%d.%d.%d\n", a, b, c, x > (d "/txt4.txt")
				q4(a, b, c, x)
			}
		}
		for (i = 0; i < 30; i++) {
			h = hex(int(rand() * 65536), 4); k = int(rand() * 4096)
			len = (i % 3 == 0) ? 120 : (i % 3 == 1) ? 124 : 128
			size = 2 ^ (128 - len); base = int(k / size) * size
			printf "2001:db8:%s:0:0:0:0:%s/%d\n", h, hex(base, 4), len > (d "/txt6.list")
			for (j = 0; j < 4; j++)
				q6("20010db8" h "0000000000000000" hex(base + int(rand() * size), 4))
		}
	}'
}
