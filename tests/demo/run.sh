#!/bin/sh
# run.sh -- make run: a demo rbld on a loopback port, with data, in ./var.
#
#   BUILD=build tests/demo/run.sh
#
# The first run creates ./var/db with three zones: bl.rbld.test (an IP
# list: the RFC 5782 test entries plus a few demo listings with TXT
# templates and an exclusion), dbl.rbld.test (a domain list) and
# zen.rbld.test (a combined zone answering from bl and a policy list, one
# A record per list that matches).  Later runs reuse ./var as it is, with
# whatever was added or removed since.  rbld listens on 127.0.0.1, port
# 5353 if free, else another free one; the admin web site (rbl-admin) is
# started too once it is built, with a demo user whose password is printed.
# Logs go to ./var/*.log.  Ctrl-C stops everything.
# Environment (for tests/demo/demo.test): RBL_DEMO_VAR, the directory
# instead of ./var; RBL_DEMO_PORT, the preferred port instead of 5353.
set -u
cd "$(dirname "$0")/../.." || exit 2
TOP=$(pwd)
BUILD=${BUILD:-build}
B=$TOP/$BUILD
VAR=${RBL_DEMO_VAR:-$TOP/var}
DB=$VAR/db
V=${VAR#"$TOP"/}	# as the user should type it, from the top directory
CONF=$VAR/rbld.conf

die() { echo "make run: $*" >&2; exit 1; }
note() { echo "make run: $*"; }

[ -x "$B/rbld" ] || die "$B/rbld is not built yet (run make)"
[ -x "$B/rblctl" ] || die "$B/rblctl is not built yet (run make)"
tests/demo/deps.sh || die "dig and ss are needed (tests/demo/deps.sh)"
mkdir -p "$VAR" || exit 1

# One demo at a time: the database is shared, the ports would differ.
if [ -f "$VAR/run.pid" ] && kill -0 "$(cat "$VAR/run.pid")" 2>/dev/null; then
	die "already running (pid $(cat "$VAR/run.pid")); stop it with Ctrl-C first"
fi
echo $$ > "$VAR/run.pid"

port_busy() {	# port: is anything bound to it on loopback, UDP or TCP?
	ss -Hlnu "sport = :$1" 2>/dev/null | grep -q . ||
		ss -Hlnt "sport = :$1" 2>/dev/null | grep -q .
}

# 5353 is the documented port; mDNS responders often hold it, so any free
# port will do.
pick_port() {	# preferred
	p=$1
	while port_busy "$p"; do
		p=$(( 10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 22000 ))
	done
	echo "$p"
}

write_conf() {	# dns-port [admin-port]
	{ cat <<EOF
# rbld.conf for make run.  Edit it freely: later runs only change the
# listen lines (to free ports); the data lives in db/.
server:
	listen: 127.0.0.1@$1
	database: $DB
	threads: 2
	version: "rbld demo"

list: bl
	kind: ip
	default-code: 127.0.0.2
	default-txt: "Listed in bl.rbld.test: see http://localhost/lookup?ip=\$"

list: policy
	kind: ip
	default-code: 127.0.0.11
	default-txt: "\$ is in an end-user range (demo policy list)"

list: dbl
	kind: name
	default-code: 127.0.1.2
	default-txt: "Domain \$ is listed in dbl.rbld.test"

zone: bl.rbld.test
	list: bl

zone: dbl.rbld.test
	list: dbl

zone: zen.rbld.test
	list: bl
	list: policy
EOF
	[ -n "${2:-}" ] && cat <<EOF

admin:
	listen: 127.0.0.1@$2
	site-name: "rbld demo"
EOF
	} > "$CONF.tmp" && mv "$CONF.tmp" "$CONF"
}

# Keep the user's configuration; point its listen lines at today's ports.
update_conf() {	# dns-port [admin-port]
	awk -v dns="$1" -v adm="${2:-}" '
		/^[A-Za-z-]+:/ { sect = $1; sub(/:.*/, "", sect) }
		sect == "server" && /^[ \t]+listen:/ {
			if (!dns_done++) print "\tlisten: 127.0.0.1@" dns
			next
		}
		sect == "admin" && /^[ \t]+listen:/ && adm != "" {
			if (!adm_done++) print "\tlisten: 127.0.0.1@" adm
			next
		}
		/^admin:/ { have_admin = 1 }
		{ print }
		END {
			if (adm != "" && !have_admin)
				print "\nadmin:\n\tlisten: 127.0.0.1@" adm
		}' "$CONF" > "$CONF.tmp" && mv "$CONF.tmp" "$CONF"
}

ctl() { "$B/rblctl" -c "$CONF" "$@"; }

# Demo listings, added once, when the database is created.
populate() {
	ctl add bl 192.0.2.0/24 --txt 'Spam from $ seen at a demo trap' &&
	ctl add bl '!192.0.2.1' &&
	ctl add bl 198.51.100.7 --code 127.0.0.3 --txt 'Hijacked host $, see http://localhost/lookup?ip=$' &&
	ctl add bl 2001:db8:bad::/48 &&
	ctl add bl 203.0.113.99 --expires 1h --txt 'Temporary listing of $ (expires within the hour)' &&
	ctl add policy 198.51.100.0/24 &&
	ctl add policy 203.0.113.0/24 &&
	ctl add dbl spam.example &&
	ctl add dbl '*.phish.example' --txt 'Phishing domain $'
}

init_database() {
	if [ -d "$DB" ] && [ -e "$DB/data.mdb" ]; then
		note "reusing $DB (remove ./var for a fresh demo)"
		ctl config apply >"$VAR/rblctl.log" 2>&1 ||
			die "rblctl config apply failed: $(tail -n 3 "$VAR/rblctl.log")"
		return
	fi
	note "creating the demo database in $DB"
	rm -rf "$DB"
	{ ctl init && populate; } >"$VAR/rblctl.log" 2>&1 || {
		cat "$VAR/rblctl.log" >&2
		rm -rf "$DB"
		die "could not create the demo database"
	}
}

PIDS=""
# shellcheck disable=SC2317 # called by the trap
stop_all() {
	trap - INT TERM EXIT
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -f "$VAR/run.pid"
	echo
	note "stopped; the data stays in ./var"
}
trap stop_all EXIT
trap 'exit 0' INT TERM

wait_dns() {	# port pid
	i=0
	while [ $i -lt 100 ]; do
		kill -0 "$2" 2>/dev/null || return 1
		dig +time=1 +tries=1 -p "$1" @127.0.0.1 bl.rbld.test SOA \
			2>/dev/null | grep -q 'status: NOERROR' && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

start_rbld() {
	PORT=$(pick_port "${RBL_DEMO_PORT:-5353}")
	APORT=""
	[ -x "$B/rbl-admin" ] && APORT=$(pick_port $((PORT + 1)))
	if [ -f "$CONF" ]; then
		update_conf "$PORT" "$APORT"
	else
		write_conf "$PORT" "$APORT"
	fi
	init_database
	"$B/rbld" -t -c "$CONF" >"$VAR/rbld.log" 2>&1 ||
		die "rbld -t rejects $CONF: $(tail -n 3 "$VAR/rbld.log")"
	"$B/rbld" -c "$CONF" >>"$VAR/rbld.log" 2>&1 &
	RBLD_PID=$!
	PIDS="$PIDS $RBLD_PID"
	wait_dns "$PORT" "$RBLD_PID" ||
		die "rbld did not start: $(tail -n 5 "$VAR/rbld.log")"
}

# rbl-admin, once it is built: user demo, with a fresh password each run
# (printed: it is a loopback-only demo).
start_admin() {
	ADMIN_URL=""
	[ -n "$APORT" ] || return 0
	if ctl user list 2>/dev/null | grep -q '^demo '; then
		verb=passwd
	else
		verb=add
	fi
	ADMIN_PASS=$(ctl user "$verb" demo --random 2>>"$VAR/rblctl.log" |
		awk '{ print $NF }' | tail -n 1)
	if [ -z "$ADMIN_PASS" ]; then
		note "could not set up the demo admin user (see $V/rblctl.log); no admin site"
		return 0
	fi
	"$B/rbl-admin" -c "$CONF" >"$VAR/rbl-admin.log" 2>&1 &
	ADMIN_PID=$!
	PIDS="$PIDS $ADMIN_PID"
	i=0
	until curl -fs -o /dev/null "http://127.0.0.1:$APORT/" 2>/dev/null; do
		kill -0 "$ADMIN_PID" 2>/dev/null && [ $i -lt 50 ] || {
			note "rbl-admin did not start: $(tail -n 3 "$VAR/rbl-admin.log")"
			return 0
		}
		sleep 0.1; i=$((i + 1))
	done
	ADMIN_URL="http://127.0.0.1:$APORT/"
}

banner() {
	d="dig @127.0.0.1 -p $PORT"
	cat <<EOF

rbld $("$B/rbld" --version 2>/dev/null | awk '{ print $NF }') is answering on 127.0.0.1 port $PORT (pid $RBLD_PID); logs in $V/rbld.log.
Try, in another terminal:

  $d 2.0.0.127.bl.rbld.test A +short           # RFC 5782 test entry: 127.0.0.2
  $d 2.0.0.127.bl.rbld.test TXT +short
  $d 1.0.0.127.bl.rbld.test A                  # never listed: NXDOMAIN
  $d 9.2.0.192.bl.rbld.test TXT +short         # in 192.0.2.0/24
  $d 1.2.0.192.bl.rbld.test A                  # excluded: NXDOMAIN
  $d 7.100.51.198.zen.rbld.test A +short       # two lists: 127.0.0.3 and 127.0.0.11
  $d spam.example.dbl.rbld.test TXT +short
  $d www.phish.example.dbl.rbld.test A +short
  $d bl.rbld.test SOA +short

Change the data while it runs; the next query sees it (no reload):

  $BUILD/rblctl -c $V/rbld.conf add bl 192.0.2.200 --code 127.0.0.4 --txt 'Added live: \$'
  $d 200.2.0.192.bl.rbld.test A +short
  $BUILD/rblctl -c $V/rbld.conf lookup bl 192.0.2.9
  $BUILD/rblctl -c $V/rbld.conf del bl 192.0.2.0/24
EOF
	if [ -n "$ADMIN_URL" ]; then
		cat <<EOF

Admin site: $ADMIN_URL   user demo, password $ADMIN_PASS   (logs in $V/rbl-admin.log)
EOF
	fi
	printf '\nCtrl-C stops rbld%s.\n' "${ADMIN_URL:+ and rbl-admin}"
}

start_rbld
start_admin
banner
# Stay in the foreground until Ctrl-C or until rbld ends on its own.
wait "$RBLD_PID"
rc=$?
note "rbld exited with status $rc; last lines of $V/rbld.log:"
tail -n 5 "$VAR/rbld.log" >&2
exit 1
