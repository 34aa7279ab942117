# rate.awk -- bench.sh's CPU-per-query comparison at one fixed offered
# rate, from lines
#   name round qps cpu_us_per_query lost sleeps_per_query
# one row per server (medians over the rounds, lost summed), then the
# ratios to the no-lookup responder ("noop"): per round, server CPU per
# query over noop's in the same round, and the median of those with
# their range.  Needs median() and round_ratios() from stats.awk.
#
# With -v pick=PCT it reads the saturated results instead (table.awk's
# lines: name round qps ...) and prints the rate to offer: PCT percent of
# noop's median q/s, at most 80% of rbld's so that it keeps up, in whole
# thousands.

pick {
	k = ++n[$1]; qps[$1, k] = $3
	next
}

{
	if (!($1 in n)) order[++servers] = $1
	k = ++n[$1]
	qps[$1, k] = $3; cpu[$1, k] = $4; lost[$1] += $5; slp[$1, k] = $6
	by_round[$1, $2] = $4; round_seen[$2] = 1
	rounds[$1] = rounds[$1] sprintf(" %.2f", $4)
}

# "median  (N rounds: lo-hi)" of NAME's per-round CPU per query over
# noop's, or (diff) minus noop's in microseconds.
function ratio(name, diff,    m, out, fmt) {
	if (!(m = round_ratios(by_round, round_seen, name, "noop", diff, out)))
		return ""
	fmt = "%.2f  (%d rounds: %.2f-%.2f)"
	if (diff)
		fmt = "%+.2f us  (%d rounds: %+.2f to %+.2f)"
	return sprintf(fmt, out["median"], m, out["lo"], out["hi"])
}

function median_qps(name,    i, v) {
	for (i = 1; i <= n[name]; i++)
		v[i] = qps[name, i]
	return n[name] ? median(v, n[name]) : 0
}

function pick_rate(    r, slow) {
	r = median_qps("noop") * pick / 100
	slow = median_qps("rbld")
	if (slow > 0 && slow * 0.8 < r) r = slow * 0.8
	return r >= 2000 ? int(r / 1000) * 1000 : 1000
}

END {
	if (pick) {
		print pick_rate()
		exit
	}
	printf "%-8s %9s %9s %7s %9s  %s\n", "server", "q/s", "CPU us/q",
		"lost", "sleeps/q", "CPU us/q per round"
	for (s = 1; s <= servers; s++) {
		name = order[s]
		for (i = 1; i <= n[name]; i++) {
			a[i] = qps[name, i]; b[i] = cpu[name, i]; c[i] = slp[name, i]
		}
		printf "%-8s %9.0f %9.2f %7d %9.3f %s\n", name, median(a, n[name]),
			median(b, n[name]), lost[name], median(c, n[name]),
			rounds[name]
	}
	print "(medians over the rounds; lost: summed; sleeps/q: the server's voluntary"
	print " context switches per answered query, the times it waited for a packet)"
	print ""
	if ((t = ratio("rbld", 0)) != "")
		printf "rbld/no-lookup CPU per query:    %s, target <= 1.15\n", t
	if ((t = ratio("rbldnsd", 0)) != "")
		printf "rbldnsd/no-lookup CPU per query: %s\n", t
	if ((t = ratio("rbld", 1)) != "")
		printf "rbld - no-lookup CPU per query:  %s\n", t
}
