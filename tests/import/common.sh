# common.sh -- shared by the tests/import scenario tests (sourced).
#
#   write_conf [policy lines...]   $CONF for a store in $DB, a trap policy
#                        feeding list "traps" (zone bl.test) with the given
#                        extra policy lines, reputation zone rep.test,
#                        allow list, reporters "feed" (weight 2, token s3cret)
#   init_store           create $DB from $CONF (lists and zones)
#   imp ARGS...          rbl-import -c $CONF ARGS (output in $T/imp.out)
#   trapmsg IP [DATE] [N]  a trap message from IP received at DATE (RFC
#                        5322, default now) through our MX 192.0.2.10
#   dump                 rbl-import dump: evidence, scores, listings
. "$(dirname "$0")/../lib.sh"

[ -x "$B/rbl-import" ] || fail "rbl-import is not built in $B"
GEN="$B/tests/tools/gen-mbox"
APPLY="$B/tests/tools/rbl-confapply"
[ -x "$GEN" ] && [ -x "$APPLY" ] || fail "test tools are not built in $B"

T=$(test_dir)
DB="$T/db"
CONF="$T/rbld.conf"
PORT=""

write_conf() {
	PORT=${PORT:-$(free_port)}
	cat >"$CONF" <<CONF
server:
	listen: 127.0.0.1@$PORT
	database: $DB
	threads: 1
list: traps
	kind: ip
list: rep
	kind: ip
list: allow
	kind: ip
zone: bl.test
	list: traps
zone: rep.test
	list: rep
zone: wl.test
	list: allow
evidence:
	retention: 30d
	batch: 100
trap:
	trusted-network: 192.0.2.0/24
reporter: feed
	weight: 2
	token: s3cret
policy: traps
	list: traps
	threshold: 1
	code-trap: 127.0.0.2
	code-report: 127.0.0.3
	txt-trap: "Spamtrap hit: \$"
	txt-report: "Reported: \$"
	reputation-list: rep
	allow-list: allow
CONF
	for line in "$@"; do printf '\t%s\n' "$line" >>"$CONF"; done
}

init_store() {
	"$APPLY" "$CONF" "$DB" || fail "creating the store"
}

imp() {
	"$B/rbl-import" -c "$CONF" --no-progress "$@" >"$T/imp.out" 2>"$T/imp.err"
}

trapmsg() {	# ip [date] [n]
	d=${2:-$(date -R)}
	cat <<MSG
Return-Path: <spam@spam.example>
Delivered-To: trap@trap.example.org
Received: from localhost (localhost [127.0.0.1])
	by trap.example.org (Postfix) with ESMTP id A${3:-0}; $d
Received: from mx1.example.org (mx1.example.org [192.0.2.10])
	by trap.example.org (Postfix) with ESMTP id B${3:-0}; $d
Received: from spammer.example (host.spam.example [$1])
	by mx1.example.org (Postfix) with ESMTP id C${3:-0}; $d
Received: from forged (forged [203.0.113.7]) by spammer.example
Subject: Buy now ${3:-0}
From: <spam@spam.example>
To: <trap@trap.example.org>

Cheap offer ${3:-0}.
MSG
}

dump() { "$B/rbl-import" -c "$CONF" dump; }

# The value of a summary counter ("evidence added", "duplicates", ...).
counter() { sed -n "s/^ *$1: *//p" "$T/imp.out"; }
