# bench/nginx.sh: bench/run's fronts that keep their connections, sourced
# by it: userapi behind the shipped nginx.conf (scripts/stack's
# ua_nginx_start, the pools of userapi-fcgi-pool), the same pools behind
# Apache's mod_proxy_fcgi (bench/apache-proxy.conf), and the baselines
# behind bench/nginx-baseline.conf over pools of the same size, started
# here with the same spawn-fcgi and multiwatch. Needs bench/run's
# BASE_BIN, DB_URL, UA_* and helpers.

# The baselines' nginx: its run and log directories.
NBASE_RUN=
NBASE_LOG=

# pool_front_cpu PIDFILE PROGRAM POOLDIR...: "own kids" clock ticks: the
# front (PROGRAM's process in PIDFILE and its children: nginx's worker,
# Apache's child) and the processes of the pools whose pid files are in
# the POOLDIRs.
pool_front_cpu() {
	local m own=0 kids=0 f p d
	if m=$(ua_pid_of "$1" "$2"); then
		own=$(awk '{ print $14 + $15 }' "/proc/$m/stat" 2>/dev/null)
		own=$((${own:-0} + $(children_ticks "$m")))
	fi
	shift 2
	for f in $(for d in "$@"; do printf '%s\n' "$d"/*.pid; done); do
		p=$(ua_pid_of "$f" multiwatch) || continue
		kids=$((kids + $(children_ticks "$p")))
	done
	printf '%s %s\n' "$own" "$kids"
}

# pools_ticks: the CPU ticks of every pool's processes (for settle).
pools_ticks() {
	local f p t=0
	for f in "$UA_RUN"/fcgi/*.pid ${NBASE_RUN:+"$NBASE_RUN"/fcgi/*.pid}; do
		p=$(ua_pid_of "$f" multiwatch) || continue
		t=$((t + $(children_ticks "$p")))
	done
	echo "$t"
}

# nbase_pool NAME PROCS: (re)start the pool of baseline fcgi_NAME with
# PROCS processes on NBASE_RUN/fcgi/NAME.sock.
nbase_pool() {
	local name=$1 procs=$2 pidf=$NBASE_RUN/fcgi/$1.pid sock=$NBASE_RUN/fcgi/$1.sock p n=0
	local as=()
	[ "$UA_ROOT_MODE" = 1 ] && as=(-U "$UA_WEB_USER" -G "$UA_WEB_GROUP" -u "$UA_WEB_USER" -g "$UA_WEB_GROUP")
	if p=$(ua_pid_of "$pidf" multiwatch); then ua_kill_wait "$p" 10; fi
	rm -f -- "$sock" "$pidf"
	(ua_close_fds; exec env -i "PATH=$UA_SYSPATH" "BENCH_DATABASE_URL=$DB_URL" setsid \
		spawn-fcgi -n -s "$sock" -M 0660 "${as[@]}" \
		-- /usr/bin/multiwatch -s TERM -f "$procs" -- "$BASE_BIN/fcgi_$name" \
		</dev/null >>"$NBASE_LOG/pools.log" 2>&1) &
	echo "$!" >"$pidf"
	until [ -S "$sock" ] && ua_pid_of "$pidf" multiwatch >/dev/null; do
		[ "$n" -lt 100 ] || { ua_show_tail "$NBASE_LOG/pools.log"; return 1; }
		sleep 0.1
		n=$((n + 1))
	done
}

# nbase_start LISTEN STATIC_PROCS SELECT_PROCS: the baselines' nginx and
# its two pools, in $UA_I/nginx-baseline.
nbase_start() {
	local listen=$1
	NBASE_RUN=$UA_I/nginx-baseline/run
	NBASE_LOG=$UA_I/nginx-baseline/log
	ua_mkdir "$(id -un)" 0755 "$UA_I/nginx-baseline" &&
		ua_mkdir "$(id -un)" 0755 "$NBASE_RUN" &&
		ua_mkdir "$(id -un)" 0755 "$NBASE_RUN/fcgi" &&
		ua_mkdir "$UA_WEB_USER:$UA_WEB_GROUP" 0750 "$NBASE_RUN/nginx" &&
		ua_mkdir "$UA_WEB_USER:$UA_WEB_GROUP" 0755 "$NBASE_LOG" || return 1
	nbase_pool static "$2" && nbase_pool select "$3" || return 1
	sed -e "s|127\.0\.0\.1:8092|$listen|g" -e "s|/run/userapi-bench|$NBASE_RUN|g" \
		-e "s|/var/log/userapi-bench|$NBASE_LOG|g" \
		"$BENCH_DIR/nginx-baseline.conf" >"$NBASE_RUN/nginx.conf" || return 1
	/usr/sbin/nginx -q -t -c "$NBASE_RUN/nginx.conf" || return 1
	(ua_close_fds; exec env -i "PATH=$UA_SYSPATH" /usr/sbin/nginx -c "$NBASE_RUN/nginx.conf" \
		</dev/null >>"$NBASE_LOG/nginx-error.log" 2>&1) || return 1
	ua_split_listen "$listen"
	ua_wait_up "http://$(ua_url_host "$UA_HOST"):$UA_PORT/baseline/static" 30 \
		"$NBASE_RUN/nginx.pid" nginx
}

# nbase_stop: the baselines' nginx and pools, if started.
nbase_stop() {
	local p f
	[ -n "$NBASE_RUN" ] || return 0
	if p=$(ua_pid_of "$NBASE_RUN/nginx.pid" nginx); then ua_kill_wait "$p" 10; fi
	for f in "$NBASE_RUN"/fcgi/*.pid; do
		if p=$(ua_pid_of "$f" multiwatch); then ua_kill_wait "$p" 10; fi
		rm -f -- "$f"
	done
}

# aproxy_start LISTEN / aproxy_stop: Apache with bench/apache-proxy.conf
# in front of userapi's health and users pools and the baselines' pools
# (nbase_start first), in $UA_I/apache-proxy.
APROXY_RUN=
aproxy_args() {
	APROXY_ARGS=(-f "$BENCH_DIR/apache-proxy.conf" -C "Define BENCH_LISTEN $1"
		-C "Define BENCH_RUN_DIR $APROXY_RUN" -C "Define BENCH_LOG_DIR $APROXY_RUN"
		-C "Define BENCH_POOL_DIR $UA_RUN/fcgi" -C "Define BENCH_BASE_POOL_DIR $NBASE_RUN/fcgi")
}
aproxy_start() {
	APROXY_RUN=$UA_I/apache-proxy
	ua_mkdir "$UA_WEB_USER:$UA_WEB_GROUP" 0755 "$APROXY_RUN" || return 1
	aproxy_args "$1"
	env -i "PATH=$UA_SYSPATH" /usr/sbin/apache2 "${APROXY_ARGS[@]}" -t >/dev/null 2>&1 || {
		env -i "PATH=$UA_SYSPATH" /usr/sbin/apache2 "${APROXY_ARGS[@]}" -t
		return 1
	}
	(ua_close_fds; exec env -i "PATH=$UA_SYSPATH" /usr/sbin/apache2 "${APROXY_ARGS[@]}" -k start </dev/null) ||
		return 1
	ua_split_listen "$1"
	ua_wait_up "http://$(ua_url_host "$UA_HOST"):$UA_PORT/health" 30 "$APROXY_RUN/apache2.pid" apache2
}
aproxy_stop() {
	local p
	[ -n "$APROXY_RUN" ] || return 0
	if p=$(ua_pid_of "$APROXY_RUN/apache2.pid" apache2); then ua_kill_wait "$p" 10; fi
	rm -f -- "$APROXY_RUN/apache2.pid"
}
