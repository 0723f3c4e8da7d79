#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mgmd as RFC 4605 proxy with kernel forwarding, under an FRR PIM router (issue 12):
#
#   src eth0 --- s0 [frr: zebra + pimd, IGMPv3 querier, PIM, RP] d0 ---+
#   src eth1 --- s0 [r6: mgmd router, IPv6 only, MLD querier]    d0 ---+ bridge (sw)
#                                                                      |
#                              up0 [p1: mgmd proxy] down0 --- h2 (IGMPv2 kernel host)
#                                                   down1 --- h3 (IGMPv3 / MLDv2 kernel host)
#                                                   down2 --- up0 [p2: mgmd proxy] down0 --- h4
#
# FRR has no MLD (pim6d is not started): a second mgmd, r6, is the IPv6 querier and router on
# the same link. Checks: an IGMPv2 join (239.1.1.1) and an IGMPv3 INCLUDE {S1} join (232.1.1.1,
# SSM) on p1's hosts, and an IGMPv3 join (239.4.4.4) two proxies down (h4 behind p2): FRR lists
# each in `show ip igmp groups json` (and S1 in `show ip igmp sources json`), the traffic reaches
# the hosts (S2's packets to 232.1.1.1 do not); an MLDv2 INCLUDE join on h3 (ff3e::1:1 with S61)
# reaches r6 as p1's MLDv2 report and its traffic flows; after every host leaves, FRR's and r6's
# membership ends within a bound (printed with the time it took) and the traffic stops at the
# hosts; p1 forgets p2's group (the chain's lower hop withdrawn too).
# Without kernel multicast routing (CONFIG_IP_MROUTE) it skips with status 77:
# `make check-vm VM_TESTS=test_mgmd_proxy_frr` runs it under Debian's kernel.
# Usage: test_mgmd_proxy_frr.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/lib.sh"
mgmt_require_root "$0"
mgmt_require ip timeout jq python3
mgmd="$build/daemon/mgmd"
mgmctl="$build/tools/mgmctl"
mcjoin="$build/tests/netns/mcjoin"
mcsend="$build/tests/netns/mcsend"
mccount="$build/tests/netns/mccount"
for p in "$mgmd" "$mgmctl" "$mcjoin" "$mcsend" "$mccount"; do
	[ -x "$p" ] || mgmt_fail "build first: no $p"
done
FRR=/usr/lib/frr
if [ ! -x $FRR/pimd ] || [ ! -x $FRR/zebra ] || ! command -v vtysh >/dev/null; then
	echo "SKIP: FRR is not installed (Debian package frr; scripts/deps --ensure all installs it)"
	exit 77
fi
mgmt_init
T=$MGMT_TMP

# Kernel multicast routing, probed in a throw-away namespace before anything starts.
ns_add probe
if ! ns probe python3 -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
s.setsockopt(socket.IPPROTO_IP, 200, struct.pack("i", 1))  # MRT_INIT
' 2>/dev/null; then
	echo "SKIP: this kernel ($(uname -r)) has no multicast routing (MRT_INIT fails: CONFIG_IP_MROUTE)"
	exit 77
fi

S1=198.18.20.2 S2=198.18.20.3 S61=2001:db8:20::2


# ---- namespaces ---------------------------------------------------------------------------
for n in src frr r6 sw p1 p2 h2 h3 h4; do ns_add "$n"; done
veth_add src eth0 frr s0
veth_add src eth1 r6 s0
bridge_add sw br0
veth_add frr d0 sw pf
veth_add r6 d0 sw pr
veth_add p1 up0 sw pp
for p in pf pr pp; do bridge_port sw br0 $p; done
veth_add p1 down0 h2 eth0
veth_add p1 down1 h3 eth0
veth_add p1 down2 p2 up0
veth_add p2 down0 h4 eth0
addr_add src eth0 $S1/24
addr_add src eth0 $S2/24
addr_add frr s0 198.18.20.1/24
addr_add src eth1 $S61/64
addr_add r6 s0 2001:db8:20::1/64
addr_add frr d0 198.18.21.1/24
addr_add r6 d0 2001:db8:21::1/64
addr_add p1 up0 198.18.21.2/24
addr_add p1 up0 2001:db8:21::2/64
addr_add p1 down0 198.18.22.1/24
addr_add h2 eth0 198.18.22.10/24
addr_add p1 down1 198.18.23.1/24
addr_add p1 down1 2001:db8:23::1/64
addr_add h3 eth0 198.18.23.10/24
addr_add h3 eth0 2001:db8:23::10/64
addr_add p1 down2 198.18.24.1/24
addr_add p2 up0 198.18.24.2/24
addr_add p2 down0 198.18.25.1/24
addr_add h4 eth0 198.18.25.10/24
host_versions h2 eth0 2 2
host_versions h3 eth0 3 2
host_versions h4 eth0 3 2
for n in frr r6 p1 p2; do
	ns $n sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
done
for n in src r6 p1 h3; do
	wait_for 5 sh -c "ip netns exec $(mgmt_ns_name $n) ip -6 addr show scope link |
		grep -q fe80" || mgmt_fail "$n got no link-local address"
done

# ---- FRR: zebra + pimd in frr, configured through vtysh once both run ----------------------
frrns=$(mgmt_ns_name frr)
frrdir=/var/run/frr/$frrns
cleanup_frr() {
	rm -rf "$frrdir"
}
trap 'mgmt_cleanup; cleanup_frr' EXIT
mkdir -p "$T/frr" "$frrdir"
chown frr:frr "$T/frr" "$frrdir"
chmod 755 "$T"
vty() {
	ns frr vtysh -N "$frrns" "$@" 2>/dev/null
}
bg frr 280 $FRR/zebra -N "$frrns" -f /dev/null --log "file:$T/frr/zebra.log" \
	-i "$T/frr/zebra.pid" >"$T/frr/zebra.out" 2>&1
wait_for 20 vty -c "show version" || mgmt_fail "zebra did not start: $(cat "$T/frr/zebra.out")"
bg frr 280 $FRR/pimd -N "$frrns" -f /dev/null --log "file:$T/frr/pimd.log" \
	-i "$T/frr/pimd.pid" >"$T/frr/pimd.out" 2>&1
wait_for 20 vty -d pimd -c "show ip pim interface" ||
	mgmt_fail "pimd did not start: $(cat "$T/frr/pimd.out")"
# IGMPv3 querier on d0 every 2 s, Max Resp Time 1 s (set first: FRR wants QI >= MRT), last-member queries 500 ms apart (x2);
# FRR itself is the RP so that the any-source group (239/8) forwards.
vty -c "configure terminal" -c "interface s0" -c "ip pim" -c "exit" \
	-c "interface d0" -c "ip pim" -c "ip igmp" -c "ip igmp version 3" \
	-c "ip igmp query-max-response-time 10" -c "ip igmp query-interval 2" \
	-c "ip igmp last-member-query-interval 5" -c "exit" \
	-c "ip pim rp 198.18.20.1 224.0.0.0/4" >"$T/frr/config.out" ||
	mgmt_fail "FRR configuration failed: $(cat "$T/frr/config.out")"
wait_for 20 ns frr grep -q d0 /proc/net/ip_mr_vif || mgmt_fail "pimd made no VIF for d0"
ok "FRR pimd $($FRR/pimd -v 2>/dev/null | head -1 | awk '{print $NF}') runs: IGMPv3 querier and PIM on d0"

# ---- r6: mgmd as IPv6 router (MLD querier on d0, the source behind s0) ---------------------
router_opts='query-interval 2s
	query-response-interval 1s
	last-member-query-interval 200ms'
cat >"$T/r6.conf" <<CONF
interface s0 {
	role upstream
	ipv4 off
}
interface d0 {
	role downstream
	ipv4 off
	$router_opts
}
CONF
# p1 and p2: proxies with kernel forwarding.
for p in p1 p2; do
	cat >"$T/$p.conf" <<CONF
interface up0 {
	role upstream
}
interface down* {
	role downstream
	$router_opts
}
CONF
done
for n in r6 p1 p2; do
	bg $n 280 "$mgmd" -F -v -f "$T/$n.conf" --socket "$T/$n.sock" >"$T/$n.log" 2>&1
	wait_for 20 ns $n "$mgmctl" --socket "$T/$n.sock" show interfaces || {
		sed 's/^/    | /' "$T/$n.log" >&2
		mgmt_fail "mgmd $n did not start"
	}
done
ok "mgmd r6 (IPv6 router), p1 and p2 (proxies, forwarding) run"
ctl() { # NS ARGS...
	local n=$1
	shift
	ns "$n" "$mgmctl" --socket "$T/$n.sock" "$@"
}

# ---- the sender: every source to every group, 10 rounds a second, bounded ------------------
bg src 240 "$mcsend" -4 -q -i eth0 -s $S1 -s $S2 -g 239.1.1.1 -g 232.1.1.1 -g 239.4.4.4 \
	-c 2400 -r 10 -t 240
bg src 240 "$mcsend" -6 -q -i eth1 -s $S61 -g ff3e::1:1 -c 2400 -r 10 -t 240

# ---- joins ------------------------------------------------------------------------------------
ns_pipe h2 11 240 "$mcjoin" -4 -q -t 240 -i eth0 -
ns_pipe h3 12 240 "$mcjoin" -4 -q -t 240 -i eth0 -
ns_pipe h3 13 240 "$mcjoin" -6 -q -t 240 -i eth0 -
ns_pipe h4 14 240 "$mcjoin" -4 -q -t 240 -i eth0 -
echo "join 239.1.1.1" >&11
echo "join-source 232.1.1.1 $S1" >&12
echo "join-source ff3e::1:1 $S61" >&13
echo "join 239.4.4.4" >&14

frr_has() { # GROUP: FRR's IGMP lists GROUP on d0
	vty -d pimd -c "show ip igmp groups json" |
		jq -e --arg g "$1" '[.. | objects | select(.group? == $g)] | length > 0'
}
frr_has_source() { # GROUP SOURCE: FRR's IGMP has SOURCE of GROUP
	vty -d pimd -c "show ip igmp sources json" |
		jq -e --arg g "$1" --arg s "$2" \
			'[.. | objects | select(.group? == $g) | .. | objects |
			select(.source? == $s)] | length > 0'
}
mgmd_has() { # NS IF GROUP [SOURCE]: mgmd NS lists GROUP on IF (with SOURCE forwarded)
	ctl "$1" --json show groups "$2" | jq -e --arg g "$3" --arg s "${4:-}" \
		'any(.groups[]; ."group-address" == $g and
		($s == "" or any(.source[]?; ."source-address" == $s and .forwarding)))'
}
timed "chain: p1 learns 239.4.4.4 on down2 from p2's upstream report" 10000 \
	mgmd_has p1 down2 239.4.4.4
timed "FRR lists 239.1.1.1 (h2's IGMPv2 join, reported by p1)" 10000 frr_has 239.1.1.1
timed "FRR lists 232.1.1.1 (h3's IGMPv3 INCLUDE join)" 10000 frr_has 232.1.1.1
timed "FRR has source $S1 of 232.1.1.1 (show ip igmp sources json)" 10000 \
	frr_has_source 232.1.1.1 $S1
timed "FRR lists 239.4.4.4 (h4's join, two proxies down)" 10000 frr_has 239.4.4.4
timed "r6 learns ff3e::1:1 with $S61 from p1's MLDv2 report" 10000 \
	mgmd_has r6 d0 ff3e::1:1 $S61
if [ "$MGMT_FAILED" -ne 0 ]; then
	vty -d pimd -c "show ip igmp groups json" | sed 's/^/    | frr: /'
	ctl p1 show upstream | sed 's/^/    | p1: /'
fi

# ---- traffic reaches the hosts ------------------------------------------------------------------
# count HOST MS: the flows on HOST's wire for MS milliseconds, into $T/HOST.count.
declare -A CPID
count_start() { # HOST MS
	: >"$T/$1.err"
	bg "$1" 60 "$mccount" -i eth0 -t "$2" >"$T/$1.count" 2>"$T/$1.err"
	CPID[$1]=$MGMT_LAST_PID
	wait_for 10 grep -q listening "$T/$1.err" || mgmt_fail "mccount did not start in $1"
}
count_wait() { # HOST...
	local h
	for h in "$@"; do wait "${CPID[$h]}" || bad "mccount in $h failed"; done
}
got() { # HOST SOURCE GROUP: packets counted
	awk -v s="$2" -v g="$3" '$1 == s && $2 == g { n = $3 } END { print n + 0 }' "$T/$1.count"
}
first() { # HOST GROUP: a packet of GROUP reaches HOST's wire within 15 s
	ns "$1" "$mccount" -q -i eth0 -g "$2" -c 1 -t 15000 | grep -q .
}
timed "traffic: 239.1.1.1 reaches h2" 15000 first h2 239.1.1.1
timed "traffic: 232.1.1.1 reaches h3" 15000 first h3 232.1.1.1
timed "traffic: ff3e::1:1 reaches h3 (through r6 and p1)" 15000 first h3 ff3e::1:1
timed "traffic: 239.4.4.4 reaches h4 (through FRR, p1 and p2)" 15000 first h4 239.4.4.4
# A 3 s window with the sender at 10 rounds a second: about 30 packets of each flow asked for.
for h in h2 h3 h4; do count_start $h 3000; done
count_wait h2 h3 h4
atleast() { [ "$(got "$1" "$2" "$3")" -ge 20 ]; }
check "traffic: h2 gets ($S1, 239.1.1.1) and ($S2, 239.1.1.1): $(got h2 $S1 239.1.1.1), $(got h2 $S2 239.1.1.1) in 3 s" \
	sh -c "[ $(got h2 $S1 239.1.1.1) -ge 20 ] && [ $(got h2 $S2 239.1.1.1) -ge 20 ]"
check "traffic: h3 gets ($S1, 232.1.1.1): $(got h3 $S1 232.1.1.1) in 3 s" atleast h3 $S1 232.1.1.1
check "traffic: h3 does not get ($S2, 232.1.1.1), not in its INCLUDE filter: $(got h3 $S2 232.1.1.1)" \
	test "$(got h3 $S2 232.1.1.1)" -eq 0
check "traffic: h3 gets ($S61, ff3e::1:1): $(got h3 $S61 ff3e::1:1) in 3 s" atleast h3 $S61 ff3e::1:1
check "traffic: h4 gets ($S1, 239.4.4.4): $(got h4 $S1 239.4.4.4) in 3 s" atleast h4 $S1 239.4.4.4
check "traffic: h2 gets nothing it did not ask for" \
	test "$(awk '$2 != "239.1.1.1" { n += $3 } END { print n + 0 }' "$T/h2.count")" -eq 0
check "traffic: h4 gets nothing it did not ask for" \
	test "$(awk '$2 != "239.4.4.4" { n += $3 } END { print n + 0 }' "$T/h4.count")" -eq 0
if [ "$MGMT_FAILED" -ne 0 ]; then
	for h in h2 h3 h4; do sed "s/^/    | $h: /" "$T/$h.count"; done
	ctl p1 show routes | sed 's/^/    | p1: /'
fi

# ---- leaves: the upstream membership ends, the traffic stops ------------------------------
echo "leave 239.1.1.1" >&11
echo "leave-source 232.1.1.1 $S1" >&12
echo "leave-source ff3e::1:1 $S61" >&13
echo "leave 239.4.4.4" >&14
# Bound: p1's last-member queries (2 x 200 ms), its report upstream, FRR's last-member
# queries (2 x 500 ms) and pimd's own work, with room for an emulated VM: 10 s.
not() { ! "$@"; }
timed "leave: FRR's membership of 239.1.1.1 ends" 10000 not frr_has 239.1.1.1
timed "leave: FRR's membership of 232.1.1.1 ends" 10000 not frr_has 232.1.1.1
timed "leave: p1 forgets 239.4.4.4 on down2 (p2 withdrew it)" 10000 not mgmd_has p1 down2 239.4.4.4
timed "leave: FRR's membership of 239.4.4.4 ends (withdrawn two hops up)" 10000 \
	not frr_has 239.4.4.4
timed "leave: r6 forgets ff3e::1:1 (p1's MLDv2 withdrawal)" 10000 not mgmd_has r6 d0 ff3e::1:1
# Whatever was in flight at the moment is gone after 0.5 s; then 2 s of silence is asked.
sleep 0.5
for h in h2 h3 h4; do count_start $h 2000; done
count_wait h2 h3 h4
check "leave: the traffic stopped at h2 (239.1.1.1: $(got h2 $S1 239.1.1.1) packets in 2 s)" \
	test "$(awk '{ n += $3 } END { print n + 0 }' "$T/h2.count")" -eq 0
check "leave: the traffic stopped at h3 (232.1.1.1: $(got h3 $S1 232.1.1.1), ff3e::1:1: $(got h3 $S61 ff3e::1:1) packets in 2 s)" \
	test "$(awk '{ n += $3 } END { print n + 0 }' "$T/h3.count")" -eq 0
check "leave: the traffic stopped at h4 (239.4.4.4: $(got h4 $S1 239.4.4.4) packets in 2 s)" \
	test "$(awk '{ n += $3 } END { print n + 0 }' "$T/h4.count")" -eq 0

exec 11>&- 12>&- 13>&- 14>&-
for n in r6 p1 p2; do
	kill -TERM "$(ns_pid $n mgmd)" 2>/dev/null || true
done
sleep 0.3
if ! tally; then
	for n in r6 p1 p2; do
		echo "---- $n.log (last lines)" >&2
		tail -20 "$T/$n.log" >&2
	done
	tail -20 "$T/frr/pimd.log" >&2 || true
	exit 1
fi
