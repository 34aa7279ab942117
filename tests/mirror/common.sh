# common.sh -- helpers for tests/mirror (sourced after ../lib.sh).
#
#   mirror_conf CONF PORT DB DIR LIST ZONE SPEC [EXTRA]
#                           rbld.conf: rbld on 127.0.0.1@PORT, list LIST
#                           mirroring SPEC (a data: value) under DIR,
#                           zone ZONE answering from it; EXTRA is added
#                           to the server section
#   start_watch CONF LOG    rblctl watch in the background
#   imports CONF LIST       imports and refusals so far: "I R"
#   wait_count CONF LIST I R  until imports >= I and refusals >= R (10 s)
#   gen_ip4set FILE SEED N  N lines of ip4set data (/32s, /24s, rbldnsd
#                           short forms, exclusions, own A and TXT)
mirror_conf() {	# conf port db dir list zone spec [server lines]
	cat >"$1" <<EOC
server:
	listen: 127.0.0.1@$2
	database: $3
	threads: 1
${8:-}
mirror:
	directory: $4
	settle: 200ms
	check-interval: 1s

list: $5
	kind: ip
	data: $7

zone: $6
	list: $5
	test-entries: no
	ttl: 300
EOC
}

start_watch() {	# conf log
	bg_start "$B/rblctl" -c "$1" watch -v >>"$2" 2>&1
	WATCH_PID=$BG_PID
}

imports() {	# conf list
	"$B/rblctl" -c "$1" watch --status 2>/dev/null |
		awk -v l="$2" '$1 == l { print $2, $3; f = 1 } END { if (!f) print "0 0" }'
}

wait_count() {	# conf list imports refusals
	i=0
	while :; do
		c=$(imports "$1" "$2")
		[ "${c% *}" -ge "$3" ] && [ "${c#* }" -ge "$4" ] && return 0
		i=$((i + 1))
		[ $i -lt 100 ] || return 1
		sleep 0.1
	done
}

gen_ip4set() {	# file seed n
	awk -v seed="$2" -v n="$3" 'BEGIN { srand(seed)
		print ":127.0.0.2:Listed by mirror.test: $"
		for (i = 0; i < n; i++) {
			a = 1 + int(rand() * 200); b = int(rand() * 256)
			c = int(rand() * 256); d = int(rand() * 256); r = rand()
			if (r < 0.70) printf "%d.%d.%d.%d\n", a, b, c, d
			else if (r < 0.80) printf "%d.%d.%d.0/24\n", a, b, c
			else if (r < 0.85) printf "%d.%d.%d\n", a, b, c
			else if (r < 0.90) printf "%d.%d.%d.%d :127.0.0.3:trap hit $\n", a, b, c, d
			else if (r < 0.95) printf "%d.%d.%d.%d :4\n", a, b, c, d
			else printf "%d.%d.%d.0/24\n!%d.%d.%d.%d\n", a, b, c, a, b, c, d
		}
	}' >"$1"
}

# Names to ask about FILE's data under ZONE: every line's address, its
# neighbours, and addresses nearby that are not listed.
sample_queries() {	# file zone count out
	awk -v zone="$2" -v max="$3" '
		function q(a, b, c, d) { if (d < 0 || d > 255) return
			printf "%d.%d.%d.%d.%s A\n%d.%d.%d.%d.%s TXT\n", d, c, b, a, zone, d, c, b, a, zone }
		/^[!0-9]/ { sub(/^!/, ""); split($1, p, /[.\/]/)
			if (p[4] == "") p[4] = 7
			n++; if (n > max) exit
			q(p[1], p[2], p[3], p[4]); q(p[1], p[2], p[3], p[4] + 1)
			q(p[1], p[2], p[3] + 1 > 255 ? 0 : p[3] + 1, p[4]) }' "$1" >"$4"
}

# The A and TXT answers of 127.0.0.1@PORT to the queries in FILE, as
# sorted "name TYPE data" lines (TTLs left out).
answers() {	# port file
	dig -p "$1" @127.0.0.1 +time=2 +tries=2 +noall +answer +nottlid \
		-f "$2" | sed 's/[	 ][	 ]*/ /g; s/ IN / /' | sort
}
