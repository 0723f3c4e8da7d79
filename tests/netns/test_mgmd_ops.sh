#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mgmd as a service manager sees it (querier mode on lo, so any kernel will do): readiness over
# $NOTIFY_SOCKET (READY=1 once set up, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on
# SIGTERM), the capabilities left after setup (exactly CAP_NET_ADMIN + CAP_NET_RAW, with -u
# under nobody's ids; also when started with mgmd.service's bounding set), exit 0 on SIGTERM,
# and refusals naming the missing capability. About 10 s. Usage: test_mgmd_ops.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/lib.sh"
mgmt_require_root "$0"
mgmt_require ip python3 setpriv
mgmd="$build/daemon/mgmd"
[ -x "$mgmd" ] || mgmt_fail "build first: no $mgmd"
getent passwd nobody >/dev/null || mgmt_fail "no user nobody on this machine"
mgmt_init
ns_add q

# The manager's side of sd_notify: one line per datagram (newlines as \n) until stopped.
cat >"$MGMT_TMP/listen.py" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)  # mgmd sends as nobody after -u, like to systemd's socket
s.settimeout(20)
while True:
    try:
        print(s.recv(4096).decode().replace("\n", "\\n"), flush=True)
    except socket.timeout:
        break
PY
# The socket's directory must be reachable by nobody, as /run/systemd is.
run=$MGMT_TMP/run
mkdir -m 0755 "$run"
chmod 0755 "$MGMT_TMP"

# run_mgmd NAME [ARGS...]: mgmd in namespace q under a notify listener; SIGHUP once ready, then
# SIGTERM; leaves the notifications in NAME.notify, its log in NAME.log, its
# /proc/PID/status at readiness in NAME.status.
run_mgmd() {
	local name=$1 lp mp i rc=0
	shift
	python3 "$MGMT_TMP/listen.py" "$run/$name.sock" >"$MGMT_TMP/$name.notify" &
	lp=$!
	MGMT_PIDS+=("$lp")
	for i in $(seq 100); do [ -S "$run/$name.sock" ] && break; sleep 0.05; done
	[ -S "$run/$name.sock" ] || mgmt_fail "notify listener did not start"
	# ip netns exec (and setpriv, in wrap) exec the command: $! is mgmd itself.
	NOTIFY_SOCKET="$run/$name.sock" ip netns exec "$(mgmt_ns_name q)" "${wrap[@]}" "$mgmd" -F --querier lo \
		--socket "$run/$name.ctl" "$@" >"$MGMT_TMP/$name.log" 2>&1 &
	mp=$!
	MGMT_PIDS+=("$mp")
	for i in $(seq 100); do grep -q READY=1 "$MGMT_TMP/$name.notify" && break; sleep 0.05; done
	grep -q READY=1 "$MGMT_TMP/$name.notify" ||
		mgmt_fail "$name: no READY=1 within 5 s; log: $(cat "$MGMT_TMP/$name.log")"
	cat "/proc/$mp/status" >"$MGMT_TMP/$name.status"
	kill -HUP "$mp"
	for i in $(seq 100); do
		[ "$(grep -c READY=1 "$MGMT_TMP/$name.notify")" -ge 2 ] && break
		sleep 0.05
	done
	kill -TERM "$mp"
	wait "$mp" || rc=$?
	[ "$rc" -eq 0 ] || mgmt_fail "$name: exit status $rc on SIGTERM; log: $(cat "$MGMT_TMP/$name.log")"
	kill "$lp" 2>/dev/null || true
	wait "$lp" 2>/dev/null || true
	[ "$(tr '\n' ' ' <"$MGMT_TMP/$name.notify")" = "READY=1 RELOADING=1 READY=1 STOPPING=1 " ] ||
		mgmt_fail "$name: notifications were: $(tr '\n' ' ' <"$MGMT_TMP/$name.notify")"
}

# status_is NAME KEY VALUE: /proc/PID/status's KEY line, its first field.
status_is() {
	local got
	got=$(awk -v k="$2" '$1 == k { print $2; exit }' "$MGMT_TMP/$1.status")
	[ "$got" = "$3" ] || mgmt_fail "$1: $2 is $got, not $3"
}

caps_are_two() {
	status_is "$1" CapEff: 0000000000003000
	status_is "$1" CapPrm: 0000000000003000
	status_is "$1" CapBnd: 0000000000003000
	status_is "$1" CapInh: 0000000000000000
	status_is "$1" CapAmb: 0000000000000000
}

wrap=()
run_mgmd root
caps_are_two root
status_is root Uid: 0

run_mgmd nobody -u nobody
caps_are_two nobody
status_is nobody Uid: "$(id -u nobody)"
status_is nobody Gid: "$(id -g nobody)"

# As systemd starts it from mgmd.service: root, bounding set CAP_NET_ADMIN + CAP_NET_RAW, so
# no CAP_SETPCAP for mgmd to shrink it with; and a user switch needing CAP_SETUID / CAP_SETGID.
wrap=(setpriv --bounding-set=-all,+net_admin,+net_raw --inh-caps=-all)
run_mgmd unit
caps_are_two unit
rc=0
ns q "${wrap[@]}" "$mgmd" -F --querier lo --socket "$run/unit-u.ctl" -u nobody \
	>"$MGMT_TMP/unit-u.log" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || mgmt_fail "-u without CAP_SETUID: exit status $rc, not 1"
grep -qx 'mgmd: error: cannot switch to user nobody: mgmd lacks CAP_SETUID and CAP_SETGID (under systemd: add them to CapabilityBoundingSet=)' \
	"$MGMT_TMP/unit-u.log" || mgmt_fail "-u without CAP_SETUID: $(cat "$MGMT_TMP/unit-u.log")"

# Without capabilities: one line naming the missing one, exit 1, nothing sent to the manager.
rc=0
ns q setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all \
	"$mgmd" -F --querier lo --socket "$run/nocaps.ctl" >"$MGMT_TMP/nocaps.log" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || mgmt_fail "without capabilities: exit status $rc, not 1"
grep -qx 'mgmd: error: mgmd needs CAP_NET_RAW (raw sockets): run it as root or grant it, e.g. AmbientCapabilities= in the unit' \
	"$MGMT_TMP/nocaps.log" || mgmt_fail "without capabilities: $(cat "$MGMT_TMP/nocaps.log")"
echo "test_mgmd_ops: passed"
