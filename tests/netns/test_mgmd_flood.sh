#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mgmd under a hostile link (issue 11, "Robustness"): querier mode on two links; an attacker on
# lanA floods valid and malformed IGMP and MLD reports (thousands a second, bounded in count
# and time) for more groups than lanA's limit allows, while a kernel host on lanB joins a group.
# Checks: the host on lanB is served within tens of milliseconds during the flood (measured),
# lanA's state stops at its configured max-groups, the malformed messages and the refused
# records are counted by reason, mgmd's memory stays bounded, mgmd survives and answers.
# Usage: test_mgmd_flood.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/lib.sh"
mgmt_require_root "$0"
mgmt_require ip timeout python3
mgmd="$build/daemon/mgmd"
mgmctl="$build/tools/mgmctl"
flood="$build/tests/netns/igmpflood"
mcjoin="$build/tests/netns/mcjoin"
for b in "$mgmd" "$mgmctl" "$flood" "$mcjoin"; do
	[ -x "$b" ] || mgmt_fail "build first: no $b"
done
mgmt_init

ns_add r
ns_add attacker
ns_add host
veth_add r lanA attacker eth0
veth_add r lanB host eth0
addr_add r lanA 198.18.1.1/24
addr_add r lanB 198.18.2.1/24
addr_add attacker eth0 198.18.1.66/24
addr_add host eth0 198.18.2.10/24
host_versions host eth0 3 2
for h in r host attacker; do
	wait_for 5 sh -c "ip netns exec $(mgmt_ns_name $h) ip -6 addr show scope link |
		grep -q fe80" || mgmt_fail "$h got no link-local address"
done

LIMIT=500
sock="$MGMT_TMP/mgmd.sock"
cat >"$MGMT_TMP/mgmd.conf" <<CONF
interface lanA {
	role querier
	max-groups $LIMIT
	query-interval 5s
	query-response-interval 1s
}
interface lanB {
	role querier
	query-interval 5s
	query-response-interval 1s
	last-member-query-interval 200ms
}
CONF
bg r 60 "$mgmd" -F -f "$MGMT_TMP/mgmd.conf" --socket "$sock" >"$MGMT_TMP/mgmd.log" 2>&1
ctl() {
	ns r "$mgmctl" --socket "$sock" "$@"
}
wait_for 5 ctl show interfaces || {
	cat "$MGMT_TMP/mgmd.log" >&2
	mgmt_fail "mgmd did not start"
}
mgmd_pid=$(ns_pid r mgmd) || mgmt_fail "no mgmd process"
rss() {
	awk '/^VmRSS/ {print $2}' "/proc/$mgmd_pid/status"
}
rss0=$(rss)

# jq-free JSON: python reads mgmctl's --json output.
count_groups() { # IFACE
	ctl --json show groups "$1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["groups"]))'
}
has_group() { # IFACE GROUP
	ctl --json show groups "$1" |
		python3 -c 'import json,sys; g=json.load(sys.stdin)["groups"]; sys.exit(0 if any(x["group-address"]==sys.argv[1] for x in g) else 1)' "$2"
}
stat_of() { # NAME LABEL=VALUE...: the sum of the matching samples
	ctl --json show stats | python3 -c '
import json, sys
name = sys.argv[1]
want = dict(a.split("=", 1) for a in sys.argv[2:])
print(sum(c["value"] for c in json.load(sys.stdin)["counters"]
	if c["name"] == name and all(c["labels"].get(k) == v for k, v in want.items())))' "$@"
}

fails=0
check() { # DESCRIPTION CMD...
	if "${@:2}"; then echo "ok: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi
}

# 4 s of flood, 5 000 messages a second, half malformed, IGMP and MLD at once.
bg attacker 20 "$flood" -4 -i eth0 -s 198.18.1.66 -g 239.100.0.0 -n 5000 -c $((${FLOOD_RATE:-5000} * 4)) -r ${FLOOD_RATE:-5000} \
	-m mixed >"$MGMT_TMP/flood4.out" 2>&1
f4=$MGMT_LAST_PID
ll=$(ns attacker ip -6 addr show dev eth0 scope link | awk '/inet6/ {sub("/.*", "", $2); print $2}')
bg attacker 20 "$flood" -6 -i eth0 -s "$ll" -g ff1e::100:0 -n 5000 -c $((${FLOOD_RATE:-5000} * 2)) -r $((${FLOOD_RATE:-5000} / 2)) \
	-m mixed >"$MGMT_TMP/flood6.out" 2>&1
f6=$MGMT_LAST_PID
sleep 1

# A member elsewhere joins in the middle of the flood: how long from the kernel host's join
# (mcjoin says so as it joins) until mgmd has the group? One process polls the control
# socket (a file: reachable from here) every 2 ms, so process start-ups are not measured.
seen=$(python3 - "$sock" "$(mgmt_ns_name host)" "$mcjoin" <<'PY'
import json, socket, subprocess, sys, time
path, hostns, mcjoin = sys.argv[1:4]
def has():
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(b'{"command":"show-groups","interface":"lanB"}\n')
    d = b""
    while not d.endswith(b"\n"):
        x = s.recv(65536)
        if not x:
            break
        d += x
    s.close()
    return any(g["group-address"] == "239.9.9.9" for g in json.loads(d)["result"]["groups"])
p = subprocess.Popen(["ip", "netns", "exec", hostns, "timeout", "40", mcjoin, "-i", "eth0",
                      "join", "239.9.9.9", "sleep", "30000"], stdout=subprocess.PIPE, text=True)
p.stdout.readline()  # "mcjoin: eth0: sock 0 join 239.9.9.9", written as it joins
t0 = time.monotonic()
while time.monotonic() - t0 < 3:
    if has():
        print(int((time.monotonic() - t0) * 1000))
        break
    time.sleep(0.002)
else:
    print("")
PY
)
if [ -n "$seen" ]; then
	echo "lanB member served during the flood: ${seen} ms from the host's join to mgmd having it"
	check "lanB join learned within 100 ms during the flood" [ "$seen" -lt 100 ]
else
	check "lanB join learned during the flood" false
fi
wait "$f4" || true
wait "$f6" || true
cat "$MGMT_TMP/flood4.out" "$MGMT_TMP/flood6.out"

n4=$(count_groups lanA)
echo "lanA groups after the flood: $n4 (limit $LIMIT per family)"
check "mgmd still answers after the flood" ctl show interfaces
check "lanA holds at most max-groups ($LIMIT) IGMP+MLD groups each" [ "$n4" -le $((2 * LIMIT)) ]
check "lanA reached its limit (the flood was real)" [ "$n4" -ge "$LIMIT" ]
gl=$(stat_of mgmd_dropped_total interface=lanA reason=group_limit)
mf=$(stat_of mgmd_dropped_total interface=lanA reason=malformed)
echo "lanA drops: group_limit $gl, malformed $mf"
check "records past the limit counted (group_limit)" [ "$gl" -gt 0 ]
check "malformed messages counted" [ "$mf" -gt 1000 ]
check "lanB still has its member" has_group lanB 239.9.9.9
rss1=$(rss)
echo "mgmd RSS: ${rss0} kB before, ${rss1} kB after"
check "RSS grew by less than 16 MB" [ $((rss1 - rss0)) -lt 16384 ]
check "mgmd is alive" kill -0 "$mgmd_pid"
kill -TERM "$mgmd_pid"
for _ in $(seq 1 50); do kill -0 "$mgmd_pid" 2>/dev/null || break; sleep 0.1; done
check "mgmd stopped on SIGTERM" sh -c "! kill -0 $mgmd_pid 2>/dev/null"
if grep -q "runtime error\|AddressSanitizer\|LeakSanitizer" "$MGMT_TMP/mgmd.log"; then
	cat "$MGMT_TMP/mgmd.log" >&2
	check "no sanitizer report" false
fi
[ "$fails" -eq 0 ] || {
	tail -30 "$MGMT_TMP/mgmd.log" >&2
	mgmt_fail "$fails check(s) failed"
}
echo "test_mgmd_flood: all checks passed"
