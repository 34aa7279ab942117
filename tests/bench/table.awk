# table.awk -- bench.sh's summary: one row per server from lines
#   name round qps cpu_us_per_query lost rss_kb client_cpu_percent
# then the ratios the targets are stated in.  -v db_kb, data_kb: sizes on
# disk of rbld's LMDB directory and of rbldnsd's data file; -v brief=1:
# no legend and no size ratio (a second table of the same run).  Needs
# median() from stats.awk (awk -f tests/bench/stats.awk -f table.awk).

{
	if (!($1 in n)) order[++servers] = $1
	k = ++n[$1]
	qps[$1, k] = $3; cpu[$1, k] = $4
	lost[$1] += $5; rss[$1] = $6; client[$1, k] = $7
	rounds[$1] = rounds[$1] sprintf(" %.0fk", $3 / 1000)
}

END {
	printf "%-8s %9s %9s %7s %7s %10s %7s  %s\n", "server", "q/s",
		"CPU us/q", "lost", "RSS MB", "disk kB", "client",
		"q/s per round"
	for (s = 1; s <= servers; s++) {
		name = order[s]
		for (i = 1; i <= n[name]; i++) {
			a[i] = qps[name, i]; b[i] = cpu[name, i]; c[i] = client[name, i]
		}
		mq[name] = median(a, n[name]); mc[name] = median(b, n[name])
		disk = name ~ /^rbld(-mt|-key)?$/ ? db_kb : name == "rbldnsd" ? data_kb : "-"
		printf "%-8s %9.0f %9.2f %7d %7.1f %10s %6.0f%% %s\n", name,
			mq[name], mc[name], lost[name], rss[name] / 1024, disk,
			median(c, n[name]), rounds[name]
	}
	if (!brief) {
		print "(q/s, CPU and client: medians over the rounds; lost: summed; disk: LMDB"
		print " directory for rbld, the ip4set data file for rbldnsd; client: dnsperf's"
		print " CPU time over the run's wall time, in CPUs; it sends from one thread,"
		print " so near 100% the client, not the server, sets the pace; rbld: one UDP"
		print " worker like rbldnsd, rbld-mt: the default, one per CPU; rbld-key:"
		print " one worker, the zone accepts keys, every query carries one)"
	}
	print ""
	if (mq["rbldnsd"] > 0)
		printf "rbld/rbldnsd queries/s:          %.2f  (target >= 1.8)\n",
			mq["rbld"] / mq["rbldnsd"]
	if (mq["rbldnsd"] > 0 && mq["rbld-mt"] > 0)
		printf "rbld-mt/rbldnsd queries/s:       %.2f\n",
			mq["rbld-mt"] / mq["rbldnsd"]
	if (mq["noop"] > 0)
		printf "rbld/no-lookup queries/s:        %.2f\n", mq["rbld"] / mq["noop"]
	if (mq["rbld"] > 0 && mq["rbld-key"] > 0)
		printf "rbld-key/rbld queries/s:         %.3f  (goal >= 0.95)\n",
			mq["rbld-key"] / mq["rbld"]
	if (mq["rbldnsd"] > 0)
		printf "no-lookup/rbldnsd queries/s:     %.2f  (the most any server reaches here)\n",
			mq["noop"] / mq["rbldnsd"]
	# Saturated, each server runs at its own rate and batch size: the
	# target is read at the fixed rate (rate.awk), not here.
	if (mc["noop"] > 0)
		printf "rbld/no-lookup CPU per query:    %.2f  (saturated, each at its own rate)\n",
			mc["rbld"] / mc["noop"]
	if (mc["noop"] > 0)
		printf "rbldnsd/no-lookup CPU per query: %.2f  (saturated)\n",
			mc["rbldnsd"] / mc["noop"]
	if (data_kb > 0 && !brief)
		printf "rbld store / rbldnsd file size:  %.2f\n", db_kb / data_kb
}
