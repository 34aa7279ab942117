# postfix-lib.sh -- a private Postfix instance inside the test namespace;
# sourced by tests/mta/postfix-*.test after mta-lib.sh.
#
#   postfix_up MAIN_EXTRA SERVICES
#       write $PF/conf/{main,master}.cf (MAIN_EXTRA appended to main.cf,
#       SERVICES = master.cf lines for the SMTP listeners), start the
#       master inside $NS and set PF_MASTER to its PID.
#   postfix_alive   true while that same master process still runs.
#
# The instance has its own config, queue and data directories under $T, no
# chroot (the namespace's /etc/resolv.conf must be the one Postfix reads),
# logs to $PF/maillog, and discards what it accepts.

PF="$T/postfix"

# The internal services every instance needs: smtpd talks to cleanup and
# trivial-rewrite before it answers RCPT; qmgr and discard take the mail.
postfix_master_base() {
	cat <<-'EOF'
	pickup    unix  n  -  n  60    1  pickup
	cleanup   unix  n  -  n  -     0  cleanup
	qmgr      unix  n  -  n  300   1  qmgr
	rewrite   unix  -  -  n  -     -  trivial-rewrite
	bounce    unix  -  -  n  -     0  bounce
	defer     unix  -  -  n  -     0  bounce
	trace     unix  -  -  n  -     0  bounce
	verify    unix  -  -  n  -     1  verify
	flush     unix  n  -  n  1000? 0  flush
	proxymap  unix  -  -  n  -     -  proxymap
	showq     unix  n  -  n  -     -  showq
	error     unix  -  -  n  -     -  error
	retry     unix  -  -  n  -     -  error
	discard   unix  -  -  n  -     -  discard
	anvil     unix  -  -  n  -     1  anvil
	scache    unix  -  -  n  -     1  scache
	postlog   unix-dgram n - n -   1  postlogd
	EOF
}

postfix_up() {	# main_extra services
	mkdir -p "$PF/conf" "$PF/queue" "$PF/data"
	chown postfix:postfix "$PF/data"	# master locks itself in there
	cat >"$PF/conf/main.cf" <<-EOF
	compatibility_level = 3.6
	queue_directory = $PF/queue
	data_directory = $PF/data
	maillog_file = $PF/maillog
	maillog_file_prefixes = $PF
	myhostname = mx.test
	mydomain = test
	mydestination = mx.test
	inet_interfaces = all
	inet_protocols = all
	mynetworks = 127.0.0.0/8 [::1]/128
	alias_maps =
	alias_database =
	local_recipient_maps =
	local_transport = discard
	default_transport = discard
	smtpd_banner = \$myhostname ESMTP
	$1
	EOF
	{ postfix_master_base; printf '%s\n' "$2"; } >"$PF/conf/master.cf"
	nsx postfix -c "$PF/conf" start || {
		cat "$PF/maillog" 2>/dev/null; fail "postfix did not start"
	}
	MTA_STOP="nsx postfix -c $PF/conf abort"
	PF_MASTER=$(tr -d ' ' <"$PF/queue/pid/master.pid")
	kill -0 "$PF_MASTER" || fail "postfix master is not running"
	echo "ok: postfix $(postconf -d -h mail_version) master $PF_MASTER runs in $NS"
}

postfix_alive() {
	[ "$(tr -d ' ' <"$PF/queue/pid/master.pid")" = "$PF_MASTER" ] &&
		kill -0 "$PF_MASTER"
}
