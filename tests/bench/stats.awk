# stats.awk -- what the bench scripts' awk programs share; loaded before
# them (awk -f tests/bench/stats.awk -f PROGRAM).

# The median of v[1..n]; sorts v in place.
function median(v, n,    i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

# Two servers measured in the same rounds, a figure of each per round in
# fig[NAME, ROUND] (rounds: the keys of seen): per round, NAME's figure
# over BASE's (diff: minus BASE's), over the rounds where both ran and
# BASE's is above 0.  Fills out["median"], out["lo"], out["hi"], the
# quartiles out["q1"], out["q3"] (the middle half of the rounds lies
# between them) and returns how many rounds (0: none).  A ratio of medians would pair
# rounds that saw different machines; the per-round ratio pairs runs
# seconds apart, and its range says how much the machine moved.
function round_ratios(fig, seen, name, base, diff, out,    r, m, v) {
	m = 0
	for (r in seen)
		if ((name, r) in fig && (base, r) in fig && fig[base, r] > 0) {
			v[++m] = diff ? fig[name, r] - fig[base, r] \
				      : fig[name, r] / fig[base, r]
			if (m == 1 || v[m] < out["lo"]) out["lo"] = v[m]
			if (m == 1 || v[m] > out["hi"]) out["hi"] = v[m]
		}
	if (m) {
		out["median"] = median(v, m)	# (sorts v)
		out["q1"] = v[int((m + 3) / 4)]
		out["q3"] = v[m + 1 - int((m + 3) / 4)]
	}
	return m
}
