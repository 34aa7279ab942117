# mta-lib.sh -- run real MTAs against rbld inside a private network
# namespace; sourced by tests/mta/*.test (after nothing else).
#
#   mta_require CMD...       skip (77) unless namespaces work and CMDs exist
#                            (sourcing skips unless root); fail if
#                            rbld/rblctl are not built
#   mta_netns                create namespace $NS: lo up, IPv6 sources,
#                            /etc/netns/$NS/resolv.conf -> 127.0.0.1;
#                            everything is torn down when the test exits
#   nsx CMD...               run CMD inside the namespace
#   rbld_up                  create zone bl.test (ttl 1) in $DB and start
#                            rbld on 127.0.0.1@53 and ::1@53 inside $NS
#                            ($RBLD_CONF_EXTRA, if set, ends its rbld.conf)
#   ctl ARGS...              rblctl -d $DB ARGS (fails the test on error)
#   wait_ttl                 sleep past the zone's TTL so no resolver on
#                            the way can still hold the previous answer
#   expect_reject PORT SRC PATTERN WHAT
#                            swaks from SRC must get a 5xx at RCPT whose
#                            text matches the extended regex PATTERN
#   expect_accept PORT SRC WHAT
#                            swaks from SRC must get the message accepted
#   rbl_scenario PORT MTA    the cases every MTA must pass (see below)
#
# Inside the namespace nothing else listens, so the MTAs and rbld use the
# well-known ports 25 and 53: that is what "rbld as the resolver's server"
# means, and fixed ports cannot collide with anything there.

. "$(dirname "$0")/../lib.sh"

# Before anything touches the disk: namespaces, port 53 and the MTAs' own
# users all need root.
[ "$(id -u)" = 0 ] ||
	skip "needs root: MTA tests run in a private network namespace (ip netns); run make check as root"

ZONE=bl.test
TTL=1
# The MTAs drop to their own users (postfix, Debian-exim), who must reach
# their spools and logs: a checkout may sit where only root can enter
# (/root, a mktemp -d), so the work directory is a world-traversable one
# in /tmp, linked from the usual test directory for inspection.
T_LOGS=$(test_dir)
T=$(mktemp -d /tmp/rbld-mta.XXXXXX)
chmod 755 "$T"
ln -s "$T" "$T_LOGS/work"
DB="$T/db"
NS="rblmta-$TEST_NAME-$$"
NS_MADE=no
EXIM_ROOT="$RBL_TOP/tests/out/exim4-root"
# Sources: .66 listed, .67 unlisted (listed later), .70 answers only the
# query-error code 127.255.255.254 that must never reject mail.
V4_LISTED=127.0.0.66 V4_CLEAN=127.0.0.67 V4_ERROR=127.0.0.70
V6_LISTED=2001:db8::66 V6_CLEAN=2001:db8::67
TXT_TEMPLATE='Listed by test: $'

# A test killed with SIGKILL leaves its namespace behind; remove those of
# dead runs (their name ends in the PID) once nothing runs inside them.
reap_stale_netns() {
	for old in $(ip netns list 2>/dev/null | awk '/^rblmta-/ { print $1 }'); do
		kill -0 "${old##*-}" 2>/dev/null && continue
		[ -z "$(ip netns pids "$old" 2>/dev/null)" ] || continue
		ip netns del "$old" 2>/dev/null && rm -rf "/etc/netns/$old" &&
			echo "note: removed stale namespace $old"
	done
}

mta_require() {
	for cmd; do
		command -v "$cmd" >/dev/null 2>&1 || [ -x "$cmd" ] ||
			skip "$cmd is missing: run tests/check.sh --deps"
	done
	[ -x "$B/rbld" ] || fail "$B/rbld is not built (make BUILD=$BUILD)"
	[ -x "$B/rblctl" ] || fail "$B/rblctl is not built (make BUILD=$BUILD)"
	reap_stale_netns
	ip netns add "$NS" 2>"$T/netns.err" ||
		skip "cannot create a network namespace here: $(cat "$T/netns.err")"
	NS_MADE=yes
}

nsx() { ip netns exec "$NS" "$@"; }

mta_cleanup() {
	[ $? = 0 ] || MTA_FAILED=yes
	[ $NS_MADE = yes ] || { cleanup_bg; mta_keep_or_remove_work; return; }
	[ -n "${MTA_STOP:-}" ] && $MTA_STOP >/dev/null 2>&1
	# Everything still running in the namespace was started by this test.
	pids=$(ip netns pids "$NS" 2>/dev/null)
	[ -n "$pids" ] && kill $pids 2>/dev/null
	i=0
	while [ -n "$(ip netns pids "$NS" 2>/dev/null)" ] && [ $i -lt 30 ]; do
		sleep 0.1; i=$((i + 1))
	done
	pids=$(ip netns pids "$NS" 2>/dev/null)
	[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	cleanup_bg
	ip netns del "$NS" 2>/dev/null
	rm -rf "/etc/netns/$NS"
	mta_keep_or_remove_work
}

# Keep the work directory of a failed test (its logs), drop a passed one's.
mta_keep_or_remove_work() {
	if [ "${MTA_FAILED:-no}" = no ]; then
		rm -rf "$T" "$T_LOGS/work"
	fi
}
trap mta_cleanup EXIT

mta_netns() {
	nsx ip link set lo up || fail "cannot bring up lo in $NS"
	# 127.0.0.0/8 is on lo already; IPv6 sources need adding.  nodad: a
	# tentative address cannot be bound, and lo has no neighbours anyway.
	for a in $V6_LISTED $V6_CLEAN; do
		nsx ip addr add "$a/128" dev lo nodad ||
			fail "cannot add $a to lo in $NS"
	done
	# ip netns exec bind-mounts /etc/netns/NS/* over /etc/*: every
	# resolver inside (glibc, Postfix, Exim) asks rbld and nothing else.
	mkdir -p "/etc/netns/$NS"
	printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:2\n' \
		>"/etc/netns/$NS/resolv.conf"
	echo "ok: namespace $NS with lo, $V6_LISTED, $V6_CLEAN"
}

ctl() {
	echo "+ rblctl $*"
	"$B/rblctl" -d "$DB" "$@" || fail "rblctl $* failed"
}

rbld_up() {
	ctl zone create "$ZONE"
	ctl zone set "$ZONE" ttl=$TTL neg-ttl=$TTL
	cat >"$T/rbld.conf" <<-EOF
	server:
	    listen: 127.0.0.1@53
	    listen: ::1@53
	    database: $DB
	EOF
	printf '%s\n' "${RBLD_CONF_EXTRA:-}" >>"$T/rbld.conf"
	bg_start nsx "$B/rbld" -c "$T/rbld.conf"
	RBLD_PID=$BG_PID
	i=0
	until nsx dig +time=1 +tries=1 @127.0.0.1 "$ZONE" SOA >/dev/null 2>&1; do
		kill -0 "$RBLD_PID" 2>/dev/null || fail "rbld exited at start"
		i=$((i + 1)); [ $i -lt 100 ] || fail "rbld does not answer in $NS"
		sleep 0.1
	done
	echo "ok: rbld answers on 127.0.0.1@53 in $NS"
}

wait_ttl() { sleep $((TTL + 1)); }

# swaks PORT SRC [ARGS]: one SMTP session; transcript in $T/swaks.out (and
# the test log), exit status in SWAKS_RC, the RCPT reply in RCPT_REPLY.
swaks_from() {
	port=$1 src=$2; shift 2
	case $src in *:*) server=::1 ;; *) server=127.0.0.1 ;; esac
	nsx swaks --server "$server" --port "$port" --local-interface "$src" \
		--helo client.test --from sender@client.test \
		--to postmaster@mx.test --timeout 30 "$@" >"$T/swaks.out" 2>&1
	SWAKS_RC=$?
	sed 's/^/    | /' "$T/swaks.out"
	# The reply to RCPT: every line after "-> RCPT" up to the next command.
	RCPT_REPLY=$(awk '/^ *-> RCPT TO/ { f = 1; next }
		f && /^ *(<-|<\*\*) / { sub(/^ *(<-|<\*\*) +/, ""); print; next }
		f { exit }' "$T/swaks.out" | tr '\n' ' ')
}

expect_reject() {	# port src pattern what
	swaks_from "$1" "$2" --quit-after RCPT
	case $RCPT_REPLY in
	5[0-9][0-9]*) ;;
	*) fail "$4: want a 5xx at RCPT from $2, got '${RCPT_REPLY:-no reply}' (swaks exit $SWAKS_RC)" ;;
	esac
	echo "$RCPT_REPLY" | grep -Eq -- "$3" ||
		fail "$4: RCPT reply '$RCPT_REPLY' lacks /$3/"
	echo "ok: $4: $RCPT_REPLY"
}

expect_accept() {	# port src what
	swaks_from "$1" "$2"
	case $RCPT_REPLY in
	250*) ;;
	*) fail "$3: want 250 at RCPT from $2, got '${RCPT_REPLY:-no reply}' (swaks exit $SWAKS_RC)" ;;
	esac
	[ "$SWAKS_RC" = 0 ] || fail "$3: message from $2 not accepted (swaks exit $SWAKS_RC)"
	echo "ok: $3: RCPT $RCPT_REPLY, message accepted"
}

# The listings every scenario starts from.
rbl_listings() {
	ctl add "$ZONE" "$V4_LISTED" --txt "$TXT_TEMPLATE"
	ctl add "$ZONE" "$V6_LISTED" --txt "$TXT_TEMPLATE"
	ctl add "$ZONE" "$V4_ERROR" --code 127.255.255.254 \
		--txt 'Query error: open resolver (must never reject)'
	# Without this answer the "error code is ignored" cases prove nothing.
	got=$(nsx dig +short @127.0.0.1 "$(echo $V4_ERROR |
		awk -F. '{ print $4 "." $3 "." $2 "." $1 }').$ZONE" A)
	expect_eq "$got" 127.255.255.254 "rbld answers $V4_ERROR with the error code"
}

# rbl_scenario PORT MTA CHECK_ALIVE: listed rejected with rbld's TXT,
# unlisted accepted, error code ignored, IPv6 rejected, a delisting and a
# new listing take effect for the next connection while the MTA keeps
# running (CHECK_ALIVE is a command that fails if the MTA restarted).
rbl_scenario() {
	port=$1 mta=$2 alive=$3
	expect_reject "$port" $V4_LISTED "Listed by test: $V4_LISTED" \
		"$mta rejects listed $V4_LISTED with rbld's TXT"
	expect_accept "$port" $V4_CLEAN "$mta accepts unlisted $V4_CLEAN"
	expect_accept "$port" $V4_ERROR \
		"$mta ignores 127.255.255.254 (query error) for $V4_ERROR"
	expect_reject "$port" $V6_LISTED "Listed by test: $V6_LISTED" \
		"$mta rejects listed IPv6 $V6_LISTED with rbld's TXT"
	expect_accept "$port" $V6_CLEAN "$mta accepts unlisted IPv6 $V6_CLEAN"

	ctl del "$ZONE" "$V4_LISTED"
	ctl add "$ZONE" "$V4_CLEAN" --txt "$TXT_TEMPLATE"
	wait_ttl
	expect_accept "$port" $V4_LISTED \
		"$mta accepts $V4_LISTED after rblctl del, no restart"
	expect_reject "$port" $V4_CLEAN "Listed by test: $V4_CLEAN" \
		"$mta rejects $V4_CLEAN listed while it runs"
	$alive || fail "$mta restarted or died during the test"
	echo "ok: $mta kept running (same process) through all changes"
}
