# size.awk -- scale.sh's size section: rbld on a small and on a large
# store, served at the same time and measured in alternating rounds, from
# lines
#   name round qps cpu_us_per_query lost server_percent client_percent
# (name: the scale's label).  -v small=LABEL -v large=LABEL name the two,
# -v goal=TEXT is what the line says after the ratio.  Prints a row per
# round (q/s and CPU per query of each, large's q/s over small's), then
# the line the goal is read in: the median of the per-round q/s ratios
# with their range (and, from 8 rounds, their middle half), and the median server CPU per query of each with the
# median of its per-round ratios (which still says something when the
# load of the machine, not the servers, set the pace: server shares well
# under 100%).  Needs median() and round_ratios() from stats.awk.

{
	qps[$1, $2] = $3; cpu[$1, $2] = $4; lost[$1] += $5
	srv[$1, $2] = $6; cli[$1, $2] = $7
	seen[$2] = 1
	if ($2 > rounds) rounds = $2
}

function median_cpu(name,    r, m, v) {
	m = 0
	for (r = 1; r <= rounds; r++)
		if ((name, r) in cpu)
			v[++m] = cpu[name, r]
	return m ? median(v, m) : 0
}

END {
	printf "%5s %9s %6s %4s %4s %9s %6s %4s %4s %7s\n", "round",
		small " q/s", "us/q", "srv", "cli", large " q/s", "us/q",
		"srv", "cli", large "/" small
	for (r = 1; r <= rounds; r++) {
		if (!((small, r) in qps) || !((large, r) in qps))
			continue
		printf "%5d %9.0f %6.2f %3.0f%% %3.0f%% %9.0f %6.2f %3.0f%% %3.0f%% %7.2f\n",
			r, qps[small, r], cpu[small, r], srv[small, r],
			cli[small, r], qps[large, r], cpu[large, r],
			srv[large, r], cli[large, r],
			(qps[small, r] > 0 ? qps[large, r] / qps[small, r] : 0)
	}
	if (lost[small] + lost[large] > 0)
		printf "(queries lost: %s %d, %s %d)\n", small, lost[small] + 0,
			large, lost[large] + 0
	if (!(m = round_ratios(qps, seen, large, small, 0, out))) {
		print "size: no round measured both servers"
		exit
	}
	printf "size: rbld %s/%s q/s: %.2f (%d rounds: %.2f-%.2f", large,
		small, out["median"], m, out["lo"], out["hi"]
	if (m >= 8)
		printf ", middle half %.2f-%.2f", out["q1"], out["q3"]
	printf "), %s;", goal
	printf " server CPU/q %.2f/%.2f us", median_cpu(large), median_cpu(small)
	if (round_ratios(cpu, seen, large, small, 0, c))
		printf " (per round %.2fx, %.2f-%.2f)", c["median"], c["lo"], c["hi"]
	printf "\n"
}
