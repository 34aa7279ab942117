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
