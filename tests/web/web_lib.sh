# web_lib.sh -- helpers for the rbl-admin scenario tests, sourced after
# tests/lib.sh.
#
#   web_setup [admin-line...]  scratch dir $T, ports, $CONF with the
#                              demo lists/zones/policy plus the given
#                              "admin:" lines, store filled by the fixture,
#                              user "admin" with password $ADMIN_PW
#   start_admin                start rbl-admin on $URL, wait until it serves
#   start_dns                  start rbld on 127.0.0.1@$DNS
#   web JAR curl-args...       curl with cookie jar JAR; prints the body
#   code JAR curl-args...      the same, prints only the HTTP status
#   code_to FILE JAR args...   body to FILE, prints the HTTP status
#   csrf_of FILE               the CSRF token in a saved page
#   login JAR USER PASS        log in through the form; prints the status
#   audit_has TEXT             the audit CSV contains TEXT (as admin)
FIX="$B/tests/tools/rbl-admin-fixture"
[ -x "$B/rbl-admin" ] || fail "rbl-admin is not built"
[ -x "$FIX" ] || fail "tests/tools/rbl-admin-fixture is not built"
command -v curl >/dev/null 2>&1 || skip "curl is not installed"
ADMIN_PW="correct horse battery"

web_setup() {
	T=$(test_dir)
	HTTP=$(free_port)
	DNS=$(free_port)
	URL="http://127.0.0.1:$HTTP"
	CONF="$T/rbld.conf"
	cat >"$CONF" <<EOC
server:
    listen: 127.0.0.1@$DNS
    database: $T/db
list: bl
    kind: ip
    default-txt: "listed: \$"
list: allow
    kind: ip
list: dbl
    kind: name
zone: bl.test
    list: bl
zone: dbl.test
    list: dbl
policy: traps
    list: bl
    threshold: 1
    expire-after: 7d
    allow-list: allow
admin:
    listen: 127.0.0.1@$HTTP
EOC
	for line in "$@"; do printf '    %s\n' "$line" >>"$CONF"; done
	"$FIX" "$CONF" setup >"$T/fixture.log" 2>&1 ||
		fail "fixture setup: $(cat "$T/fixture.log")"
	printf '%s\n' "$ADMIN_PW" >"$T/pw"
	"$FIX" "$CONF" user add admin --password-file "$T/pw" ||
		fail "fixture user add"
}

start_admin() {
	bg_start "$B/rbl-admin" -c "$CONF"
	ADMIN_PID=$BG_PID
	i=0
	until curl -s -o /dev/null "$URL/style.css"; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "rbl-admin does not answer on $URL"
		kill -0 "$ADMIN_PID" 2>/dev/null || fail "rbl-admin exited"
		sleep 0.1
	done
}

start_dns() {
	start_rbld "$CONF" "$DNS"
}

web() {
	_w_jar=$1; shift
	curl -s -b "$_w_jar" -c "$_w_jar" "$@"
}

code() {
	_w_jar=$1; shift
	curl -s -o /dev/null -w '%{http_code}' -b "$_w_jar" -c "$_w_jar" "$@"
}

code_to() {	# file jar curl-args: body to FILE, prints the status
	_w_out=$1 _w_jar=$2; shift 2
	curl -s -o "$_w_out" -w '%{http_code}' -b "$_w_jar" -c "$_w_jar" "$@"
}

csrf_of() {
	sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -n 1
}

# Helpers use _w_* names: sh has one variable namespace, and callers
# keep their own $tok, $jar, ...
login() {	# jar user pass
	web "$1" "$URL/login" >"$T/login.html"
	_w_tok=$(csrf_of "$T/login.html")
	code "$1" --data-urlencode "user=$2" --data-urlencode "password=$3" \
		--data-urlencode "csrf=$_w_tok" "$URL/login"
}

audit_has() {
	[ -f "$T/audit.jar" ] || login "$T/audit.jar" admin "$ADMIN_PW" >/dev/null
	web "$T/audit.jar" "$URL/admin/audit.csv" | grep -qF -- "$1"
}

# dig answer (A record) for NAME at rbld, "" when not listed.
dns_a() {
	dig +short +time=2 +tries=2 -p "$DNS" @127.0.0.1 "$1" A
}
