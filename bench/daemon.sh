#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/run's daemon section: mgmd against igmpproxy and FRR pimd, each in the same namespace
# setup, in one run (issue 11). Usage: bench/daemon.sh BUILD_DIR (as root). Prints its tables
# and "verdict: WHAT: VALUE PASS|MISS" lines for bench/run.
#
#   src (sender) --- wan [ r: the router under test ] lan --- host (members, storm, receiver)
#
# 1. report storm: igmpflood on host sends IGMPv2 reports for N groups at RATE/s to r; per
#    router: CPU time of its processes per report (schedstat, every thread), groups learned,
#    RSS growth per group. A fresh router and fresh namespaces per N.
# 2. join / leave latency (needs kernel multicast routing): a sender at 1 000 packets/s, a
#    kernel member joins and leaves ROUNDS times (mcbench latency), medians; with and without
#    fast leave.
# 3. time and CPU until G joined groups all forward: the sender sprays G groups, the host's
#    reports for all of them arrive at RATE/s, until every group's packets reach the host wire.
# 4. proxy (RFC 4605; needs kernel multicast routing): mgmd --upstream against igmpproxy in one
#    setup, src --- up [FRR pimd, or mgmd router without FRR] --- px [the proxy] --- host: per
#    repetition a fresh proxy, then a kernel member joins (first packet at the host: the join's
#    report went upstream and the stream came down) and leaves (the last packet on the proxy's
#    upstream wire: its withdrawal upstream, "none" when the stream still flows after
#    BENCH_PROXY_BOUND ms); medians and ratios.
# Without kernel multicast routing (MRT_INIT fails) only mgmd in querier mode runs the storm;
# `make bench-vm` runs all of it under Debian's kernel in a VM.
#
# Knobs: BENCH_STORM_SIZES ("1000 10000 50000"), BENCH_STORM_RATE (5000), BENCH_LAT_ROUNDS (5),
# BENCH_FWD_GROUPS (10000), BENCH_FWD_RATE (packets/s of the sender, 2 per group and second),
# BENCH_PEERS ("igmpproxy frr"; "" for mgmd alone), BENCH_PROXY_ROUNDS (5),
# BENCH_PROXY_BOUND (8000 ms), BENCH_PARTS ("storm latency forward proxy": which to run).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/../tests/netns/lib.sh"
mgmt_require_root "$0"
mgmt_require ip timeout python3

mgmd="$build/daemon/mgmd"
mgmctl="$build/tools/mgmctl"
flood="$build/tests/netns/igmpflood"
mcbench="$build/bench/mcbench"
for b in "$mgmd" "$mgmctl" "$flood" "$mcbench"; do
	[ -x "$b" ] || mgmt_fail "build first: no $b"
done

SIZES=${BENCH_STORM_SIZES:-1000 10000 50000}
RATE=${BENCH_STORM_RATE:-5000}
ROUNDS=${BENCH_LAT_ROUNDS:-5}
FWD_GROUPS=${BENCH_FWD_GROUPS:-10000}
# Each group gets a packet every half second (every second under qemu's emulator, which
# cannot send more).
per_group=2
[ -n "${MGMT_IN_VM:-}" ] && per_group=1
FWD_RATE=${BENCH_FWD_RATE:-$((FWD_GROUPS * per_group))}
PEERS=${BENCH_PEERS-igmpproxy frr}
PROXY_ROUNDS=${BENCH_PROXY_ROUNDS:-5}
PROXY_BOUND=${BENCH_PROXY_BOUND:-8000}
PARTS=${BENCH_PARTS:-storm latency forward proxy}
FRR=/usr/lib/frr
part() { [[ " $PARTS " == *" $1 "* ]]; }

mgmt_init
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }
verdict() { # WHAT VALUE PASS|MISS
	printf 'verdict: %s: %s %s\n' "$1" "$2" "$3"
}
pass_if() { # AWK-CONDITION
	awk "BEGIN { print ($1) ? \"PASS\" : \"MISS\" }"
}

# ---- kernel multicast routing here? ---------------------------------------------------------

ns_add probe
routing=0
if ns probe python3 -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
s.setsockopt(socket.IPPROTO_IP, 200, struct.pack("i", 1))  # MRT_INIT
' 2>/dev/null; then
	routing=1
fi
ip netns del "$(mgmt_ns_name probe)"

peers=()
if [ "$routing" = 1 ]; then
	for p in $PEERS; do
		case $p in
		igmpproxy) command -v igmpproxy >/dev/null && peers+=(igmpproxy) ;;
		frr) [ -x "$FRR/pimd" ] && [ -x "$FRR/zebra" ] && command -v vtysh >/dev/null &&
			peers+=(frr) ;;
		esac
	done
	echo "  kernel multicast routing: present ($(uname -r)); routers: mgmd ${peers[*]}"
	missing=""
	for p in $PEERS; do
		case " ${peers[*]} " in *" $p "*) ;; *) missing="$missing $p" ;; esac
	done
	[ -z "$missing" ] || echo "  not installed, left out:$missing (scripts/deps --ensure bench)"
else
	echo "  kernel multicast routing: absent here (MRT_INIT fails on $(uname -r)): mgmd in querier"
	echo "  mode only; peers, router mode and forwarding latency: make bench-vm"
fi

# ---- namespaces -----------------------------------------------------------------------------

topo_up() {
	ns_add r
	ns_add src
	ns_add host
	veth_add r wan src eth0
	veth_add r lan host eth0
	addr_add r wan 198.18.0.1/24
	addr_add src eth0 198.18.0.2/24
	addr_add r lan 198.18.1.1/24
	addr_add host eth0 198.18.1.10/24
	ns src ip route add default via 198.18.0.1
	ns host ip route add default via 198.18.1.1
	ns r sysctl -qw net.ipv4.ip_forward=1
	# igmpproxy joins every learned group upstream as a member: let it.
	ns r sysctl -qw net.ipv4.igmp_max_memberships=200000
	ns host sysctl -qw net.ipv4.igmp_max_memberships=200000
	# Each membership of a socket is charged to its option memory (net.core.optmem_max, not
	# per namespace before Linux 6.9): the default stops igmpproxy's upstream joins at ~420
	# groups. Raised only in the throw-away VM, never on the host.
	if [ -n "${MGMT_IN_VM:-}" ]; then
		sysctl -qw net.core.optmem_max=67108864
	fi
	host_versions host eth0 0 0
}

topo_down() { # everything but the scratch directory, which the next setup uses again
	MGMT_KEEP=1 mgmt_cleanup
}

# ---- the routers: start ROUTER FAST_LEAVE(0|1); sets RPIDS, the processes to measure -------

RPIDS=()
SOCK=""

start_mgmd() {
	local conf="$MGMT_TMP/mgmd.conf" role=downstream
	[ "$routing" = 1 ] || role=querier
	SOCK="$MGMT_TMP/mgmd.sock"
	{
		echo "max-routes 200000"
		echo "interface lan {"
		echo "	role $role"
		echo "	ipv6 off"
		echo "	max-groups 200000"
		echo "	max-tracked 200000"
		[ "$1" = 1 ] && echo "	fast-leave on"
		echo "}"
		[ "$routing" = 1 ] && printf 'interface wan {\n\trole upstream\n\tipv6 off\n}\n'
		# A probe namespace's interface or lo must not become anything.
		true
	} >"$conf"
	bg r 900 "$mgmd" -F -f "$conf" --socket "$SOCK" >"$MGMT_TMP/mgmd.log" 2>&1
	wait_for 10 ns r "$mgmctl" --socket "$SOCK" show interfaces || {
		cat "$MGMT_TMP/mgmd.log" >&2
		mgmt_fail "mgmd did not start"
	}
	RPIDS=("$(ns_pid r mgmd)")
}

start_igmpproxy() {
	local conf="$MGMT_TMP/igmpproxy.conf"
	{
		[ "$1" = 1 ] && echo "quickleave"
		echo "phyint wan upstream ratelimit 0 threshold 1"
		echo "	altnet 0.0.0.0/0"
		echo "phyint lan downstream ratelimit 0 threshold 1"
	} >"$conf"
	bg r 900 igmpproxy -n "$conf" >"$MGMT_TMP/igmpproxy.log" 2>&1
	wait_for 10 sh -c "[ \$(ip netns exec $(mgmt_ns_name r) cat /proc/net/ip_mr_vif | wc -l) -ge 3 ]" || {
		cat "$MGMT_TMP/igmpproxy.log" >&2
		mgmt_fail "igmpproxy did not start"
	}
	RPIDS=("$(ns_pid r igmpproxy)")
}

vty() {
	ns r vtysh -N "$(mgmt_ns_name r)" "$@" 2>/dev/null
}

start_frr() {
	local p d
	p=$(mgmt_ns_name r)
	d=$MGMT_TMP/frr
	if [ "$1" = 1 ]; then
		echo "  (FRR $("$FRR/pimd" -v 2>/dev/null | head -1 | awk '{print $NF}') has no fast leave: normal leave)"
	fi
	mkdir -p "$d" "/var/run/frr/$p"
	chown frr:frr "$d" "/var/run/frr/$p"
	chmod 755 "$MGMT_TMP"
	bg r 900 "$FRR/zebra" -N "$p" -f /dev/null --log "file:$d/zebra.log" -i "$d/zebra.pid" \
		>"$d/zebra.out" 2>&1
	wait_for 10 vty -c "show version" || mgmt_fail "zebra did not start"
	bg r 900 "$FRR/pimd" -N "$p" -f /dev/null --log "file:$d/pimd.log" -i "$d/pimd.pid" \
		>"$d/pimd.out" 2>&1
	wait_for 10 vty -d pimd -c "show ip pim interface" || mgmt_fail "pimd did not start"
	# The configuration once both run, as vtysh -b does at boot: the RP (this router, so
	# that IGMPv2's (*,G) joins resolve) needs zebra's routes.
	vty -c "configure terminal" -c "interface wan" -c "ip pim" -c "exit" \
		-c "interface lan" -c "ip pim" -c "ip igmp" -c "exit" \
		-c "ip pim rp 198.18.0.1 224.0.0.0/4" >/dev/null || mgmt_fail "FRR configuration failed"
	wait_for 10 sh -c "grep -q lan /proc/net/ip_mr_vif 2>/dev/null || ip netns exec $p grep -q lan /proc/net/ip_mr_vif" ||
		mgmt_fail "pimd made no VIF for lan"
	RPIDS=("$(ns_pid r zebra)" "$(ns_pid r pimd)")
}

# Not a router: mcbench floor, an epoll loop that reads lan's packets and does nothing else,
# in the storm only, so that each router's CPU per report has a floor to be read against.
start_floor() {
	bg r 900 "$mcbench" floor -i lan -t 900 >"$MGMT_TMP/floor.out" 2>&1
	wait_for 10 grep -q ready "$MGMT_TMP/floor.out" || mgmt_fail "mcbench floor did not start"
	RPIDS=("$(ns_pid r mcbench)")
}

stop_router() {
	local p
	for p in "${RPIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	sleep 0.3
}

procs_of() { # ROUTER
	case $1 in
	mgmd) echo "mgmd" ;;
	igmpproxy) echo "igmpproxy" ;;
	frr) echo "zebra+pimd" ;;
	floor) echo "mcbench" ;;
	esac
}

# Groups the router holds on lan, as far as it shows them.
groups_of() { # ROUTER
	case $1 in
	mgmd)
		ns r "$mgmctl" --socket "$SOCK" --json show stats | python3 -c '
import json, sys
print(sum(c["value"] for c in json.load(sys.stdin)["counters"]
	if c["name"] == "mgmd_groups" and c["labels"].get("interface") == "lan"))'
		;;
	igmpproxy)
		# igmpproxy has no view of its table; it joins each group it routes on the upstream
		# interface as a member, and those memberships are the kernel's.
		ns r awk '/^[0-9]/ { on = ($2 == "wan") } on && /^\t\t\t\t[0-9A-F]/ { n++ }
			END { print (n > 1) ? n - 1 : 0 }' /proc/net/igmp # minus 224.0.0.1
		;;
	floor) echo 0 ;;
	frr)
		vty -c "show ip igmp groups json" | python3 -c '
import json, sys
print(json.load(sys.stdin).get("totalGroups", 0))'
		;;
	esac
}

# CPU nanoseconds of every thread of the processes (schedstat: exact, unlike the 10 ms ticks of
# /proc/PID/stat).
cpu_ns() {
	local p t sum=0 v
	for p in "$@"; do
		for t in /proc/"$p"/task/*/schedstat; do
			read -r v _ <"$t" 2>/dev/null || continue
			sum=$((sum + v))
		done
	done
	echo "$sum"
}

rss_kb() {
	local p sum=0 v
	for p in "$@"; do
		v=$(awk '/^VmRSS/ { print $2 }' "/proc/$p/status")
		sum=$((sum + v))
	done
	echo "$sum"
}

# Waits until the processes are idle (less than 2 ms of CPU in 300 ms, after at least MIN_S
# seconds), at most MAX_S seconds: a router still working through a backlog is measured whole.
settle() { # MIN_S MAX_S
	local start=$SECONDS a b
	sleep "$1"
	a=$(cpu_ns "${RPIDS[@]}")
	while [ $((SECONDS - start)) -lt "$2" ]; do
		sleep 0.3
		b=$(cpu_ns "${RPIDS[@]}")
		[ $((b - a)) -lt 2000000 ] && return 0
		a=$b
	done
}

# ---- 1. report storm ------------------------------------------------------------------------

declare -A STORM_CPU STORM_LEARNED STORM_RSS

storm() { # ROUTER N
	local router=$1 n=$2 c0 c1 r0 r1 t0 t1 learned per_us rss_b out
	topo_up
	"start_$router" 0
	sleep 1
	c0=$(cpu_ns "${RPIDS[@]}")
	r0=$(rss_kb "${RPIDS[@]}")
	t0=$EPOCHREALTIME
	out=$(ns host "$flood" -4 -i eth0 -s 198.18.1.66 -g 239.100.0.0 -n "$n" -c "$n" -r "$RATE" \
		-m valid -t $((n / RATE + 30)))
	settle 0.5 60
	c1=$(cpu_ns "${RPIDS[@]}")
	r1=$(rss_kb "${RPIDS[@]}")
	t1=$EPOCHREALTIME
	learned=$(groups_of "$router" || echo 0)
	for p in "${RPIDS[@]}"; do
		kill -0 "$p" 2>/dev/null || echo "  $router: process $p died during the storm"
	done
	stop_router
	topo_down
	per_us=$(calc "($c1 - $c0) / 1000 / $n" 2)
	rss_b=$(calc "($r1 - $r0) * 1024 / ($learned > 0 ? $learned : 1)" 0)
	STORM_CPU[$router,$n]=$per_us
	STORM_LEARNED[$router,$n]=$learned
	STORM_RSS[$router,$n]=$rss_b
	[ "$router" = floor ] && learned=- rss_b=-
	printf '  %-10s %-11s %7d %9s %10s %9d %9d %9s   %s\n' "$router" "$(procs_of "$router")" \
		"$n" "$per_us" "$learned" "$r0" "$r1" "$rss_b" \
		"$(calc "$t1 - $t0" 1) s; ${out#igmpflood: }"
}

if part storm; then
echo
echo "  1. report storm: IGMPv2 reports for N groups at $RATE/s from one host on lan; mgmd as"
echo "     $([ "$routing" = 1 ] && echo "router (upstream wan, downstream lan)" || echo "querier on lan"); a fresh router per N; CPU of every thread"
echo "     (schedstat) from the storm's start until the router is idle again"
printf '  %-10s %-11s %7s %9s %10s %9s %9s %9s   %s\n' router processes N "us/report" learned \
	"RSS0 kB" "RSS1 kB" "B/group" "storm to idle; sender"
for router in floor mgmd "${peers[@]}"; do
	for n in $SIZES; do
		storm "$router" "$n"
	done
done

# mgmd's verdicts, and each peer's figures beside them.
all_learned=1 worst=0 first="" last=""
for n in $SIZES; do
	[ "${STORM_LEARNED[mgmd,$n]}" -eq "$n" ] || all_learned=0
	worst=$(awk "BEGIN { print (${STORM_CPU[mgmd,$n]} > $worst) ? ${STORM_CPU[mgmd,$n]} : $worst }")
	[ -n "$first" ] || first=$n
	last=$n
done
learned_list=$(for n in $SIZES; do printf '%s/%s ' "${STORM_LEARNED[mgmd,$n]}" "$n"; done)
verdict "storm, mgmd learns every group" "${learned_list% }" \
	"$([ $all_learned = 1 ] && echo PASS || echo MISS)"
cpu_list=$(for n in $SIZES; do printf '%s ' "${STORM_CPU[mgmd,$n]}"; done)
verdict "storm, mgmd CPU <= 5 us/report at every N" "${cpu_list% } us (N=${SIZES// //})" \
	"$(pass_if "$worst <= 5")"
verdict "storm, mgmd RSS < 300 B/group (N=$last)" "${STORM_RSS[mgmd,$last]} B/group" \
	"$(pass_if "${STORM_RSS[mgmd,$last]} < 300")"
echo
echo "  floor: an epoll loop that only reads the packets (no router) costs $(for n in $SIZES; do printf '%s ' "${STORM_CPU[floor,$n]}"; done)us/report here;"
echo "  mgmd above it: $(for n in $SIZES; do printf '%s ' "$(calc "${STORM_CPU[mgmd,$n]} - ${STORM_CPU[floor,$n]}" 2)"; done)us/report"
if [ "$first" != "$last" ]; then
	echo "  mgmd CPU/report at N=$last vs N=$first: $(calc "${STORM_CPU[mgmd,$last]} / ${STORM_CPU[mgmd,$first]}" 2)x"
fi
for p in "${peers[@]}"; do
	for n in $SIZES; do
		printf '  %-10s N=%-6d CPU/report %sx mgmd; groups learned %s (mgmd %s); RSS/group %sx mgmd\n' \
			"$p" "$n" "$(calc "${STORM_CPU[$p,$n]} / ${STORM_CPU[mgmd,$n]}" 1)" \
			"${STORM_LEARNED[$p,$n]}" "${STORM_LEARNED[mgmd,$n]}" \
			"$(calc "${STORM_RSS[$p,$n]} / (${STORM_RSS[mgmd,$n]} > 0 ? ${STORM_RSS[mgmd,$n]} : 1)" 1)"
	done
done
fi

if [ "$routing" != 1 ]; then
	exit 0
fi

# ---- 2. join and leave latency --------------------------------------------------------------

declare -A LAT_JOIN LAT_LEAVE

latency() { # ROUTER FAST
	local router=$1 fast=$2 out sum spray_t
	topo_up
	"start_$router" "$fast"
	spray_t=$((ROUNDS * 8 + 15))
	bg src "$spray_t" "$mcbench" spray -i eth0 -g 239.2.2.2 -n 1 -r 1000 -t "$spray_t" >/dev/null
	sleep 1.5
	out=$(ns host "$mcbench" latency -i eth0 -g 239.2.2.2 -n "$ROUNDS" -t $((ROUNDS * 8 + 10)))
	stop_router
	topo_down
	sum=$(tail -1 <<<"$out")
	LAT_JOIN[$router,$fast]=$(python3 -c 'import json,sys; print("%.1f" % json.loads(sys.argv[1])["join_median_ms"])' "$sum")
	LAT_LEAVE[$router,$fast]=$(python3 -c 'import json,sys; print("%.1f" % json.loads(sys.argv[1])["leave_median_ms"])' "$sum")
	printf '  %-10s %-10s %12s %12s   rounds: %s\n' "$router" "$([ "$fast" = 1 ] && echo on || echo off)" \
		"${LAT_JOIN[$router,$fast]}" "${LAT_LEAVE[$router,$fast]}" \
		"$(python3 -c '
import json, sys
print(" ".join("%.1f/%.1f" % (r["join_ms"], r["leave_ms"])
	for r in map(json.loads, sys.stdin) if "round" in r))' <<<"$out")"
}

if part latency; then
echo
echo "  2. join and leave latency: sender at 1 000 packets/s, a kernel host (IGMP automatic) joins"
echo "     and leaves $ROUNDS times; median ms from the join to the first packet on its wire, and"
echo "     from the leave to the last packet (join/leave ms of each round at the end)"
printf '  %-10s %-10s %12s %12s\n' router fast-leave "join ms" "leave ms"
for router in mgmd "${peers[@]}"; do
	for fast in 0 1; do
		[ "$router" = frr ] && [ "$fast" = 1 ] && continue
		latency "$router" "$fast"
	done
done
verdict "latency, mgmd fast leave < 5 ms" "${LAT_LEAVE[mgmd,1]} ms" "$(pass_if "${LAT_LEAVE[mgmd,1]} >= 0 && ${LAT_LEAVE[mgmd,1]} < 5")"
for p in "${peers[@]}"; do
	printf '  %-10s join %sx mgmd, leave %sx mgmd' "$p" \
		"$(calc "${LAT_JOIN[$p,0]} / (${LAT_JOIN[mgmd,0]} > 0 ? ${LAT_JOIN[mgmd,0]} : 0.1)" 1)" \
		"$(calc "${LAT_LEAVE[$p,0]} / ${LAT_LEAVE[mgmd,0]}" 1)"
	if [ -n "${LAT_LEAVE[$p,1]:-}" ]; then
		printf ', fast leave %sx mgmd' "$(calc "${LAT_LEAVE[$p,1]} / (${LAT_LEAVE[mgmd,1]} > 0 ? ${LAT_LEAVE[mgmd,1]} : 0.1)" 1)"
	fi
	echo
done
fi

# ---- 3. time and CPU until every joined group forwards --------------------------------------

fwd_all() { # ROUTER
	local router=$1 c0 c1 t0 out seen all secs wait_s=$((FWD_GROUPS / RATE + 30)) spray_t
	spray_t=$((wait_s + 15))
	topo_up
	"start_$router" 0
	bg src "$spray_t" "$mcbench" spray -i eth0 -g 239.50.0.0 -n "$FWD_GROUPS" -r "$FWD_RATE" \
		-t "$spray_t" >/dev/null
	# The sender runs before anyone joins: the routers see (S,G) traffic without members.
	sleep 2
	coproc SEEN { exec ip netns exec "$(mgmt_ns_name host)" timeout $((wait_s + 5)) \
		"$mcbench" seen -i eth0 -g 239.50.0.0 -n "$FWD_GROUPS" -t "$wait_s"; }
	MGMT_PIDS+=("$SEEN_PID")
	read -r -t 10 _ <&"${SEEN[0]}" || mgmt_fail "mcbench seen did not start"
	c0=$(cpu_ns "${RPIDS[@]}")
	t0=$EPOCHREALTIME
	ns host "$flood" -4 -i eth0 -s 198.18.1.10 -g 239.50.0.0 -n "$FWD_GROUPS" -c "$FWD_GROUPS" \
		-r "$RATE" -m valid -t $((FWD_GROUPS / RATE + 30)) >/dev/null
	read -r out <&"${SEEN[0]}" || out='{}'
	c1=$(cpu_ns "${RPIDS[@]}")
	stop_router
	topo_down
	seen=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("seen", 0))' "$out")
	all=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("all_ms", -1))' "$out")
	if awk "BEGIN { exit !($all > 0) }"; then
		secs=$(calc "$all / 1000 - $t0" 2)
	else
		secs="-"
	fi
	FWD_SECS[$router]=$secs
	FWD_CPU[$router]=$(calc "($c1 - $c0) / 1e9" 3)
	FWD_SEEN[$router]=$seen
	printf '  %-10s %8s %10s %12s\n' "$router" "$secs" "$seen/$FWD_GROUPS" "${FWD_CPU[$router]}"
}

declare -A FWD_SECS FWD_CPU FWD_SEEN
if part forward; then
echo
echo "  3. until $FWD_GROUPS joined groups all forward: the sender sprays them ($FWD_RATE packets/s),"
echo "     then the host's reports for all arrive at $RATE/s; from the first report until every"
echo "     group's packets reached the host's wire, and the router's CPU meanwhile"
printf '  %-10s %8s %10s %12s\n' router seconds forwarded "CPU s"
for router in mgmd "${peers[@]}"; do
	fwd_all "$router"
done
verdict "forwarding, mgmd forwards all $FWD_GROUPS joined groups" "${FWD_SEEN[mgmd]}/$FWD_GROUPS in ${FWD_SECS[mgmd]} s, CPU ${FWD_CPU[mgmd]} s" \
	"$([ "${FWD_SEEN[mgmd]}" = "$FWD_GROUPS" ] && echo PASS || echo MISS)"
for p in "${peers[@]}"; do
	printf '  %-10s %s of %s groups forwarded' "$p" "${FWD_SEEN[$p]}" "$FWD_GROUPS"
	if [ "${FWD_SECS[$p]}" != - ] && [ "${FWD_SECS[mgmd]}" != - ]; then
		printf ', time %sx mgmd' "$(calc "${FWD_SECS[$p]} / ${FWD_SECS[mgmd]}" 1)"
	fi
	printf ', CPU %sx mgmd\n' "$(calc "${FWD_CPU[$p]} / (${FWD_CPU[mgmd]} > 0 ? ${FWD_CPU[mgmd]} : 0.001)" 1)"
done
fi

# ---- 4. proxy: upstream join latency and withdrawal, mgmd against igmpproxy -----------------

PXG=239.7.7.7
vty_up() {
	ns up vtysh -N "$(mgmt_ns_name up)" "$@" 2>/dev/null
}
# The upstream router of the proxy part: FRR pimd when installed (IGMPv3 querier on d0 every
# 2 s, last-member queries 500 ms apart, itself the RP), else mgmd as router with the same
# timers. Sets UPSTREAM.
start_upstream() {
	local p d
	p=$(mgmt_ns_name up)
	if [ -x "$FRR/pimd" ] && [ -x "$FRR/zebra" ] && command -v vtysh >/dev/null; then
		UPSTREAM=frr
		d=$MGMT_TMP/frr-up
		mkdir -p "$d" "/var/run/frr/$p"
		chown frr:frr "$d" "/var/run/frr/$p"
		chmod 755 "$MGMT_TMP"
		bg up 1800 "$FRR/zebra" -N "$p" -f /dev/null --log "file:$d/zebra.log" \
			-i "$d/zebra.pid" >"$d/zebra.out" 2>&1
		wait_for 20 vty_up -c "show version" || mgmt_fail "zebra did not start"
		bg up 1800 "$FRR/pimd" -N "$p" -f /dev/null --log "file:$d/pimd.log" \
			-i "$d/pimd.pid" >"$d/pimd.out" 2>&1
		wait_for 20 vty_up -d pimd -c "show ip pim interface" || mgmt_fail "pimd did not start"
		vty_up -c "configure terminal" -c "interface s0" -c "ip pim" -c "exit" \
			-c "interface d0" -c "ip pim" -c "ip igmp" -c "ip igmp version 3" \
			-c "ip igmp query-max-response-time 10" -c "ip igmp query-interval 2" \
			-c "ip igmp last-member-query-interval 5" -c "exit" \
			-c "ip pim rp 198.18.30.1 224.0.0.0/4" >"$d/config.out" ||
			mgmt_fail "FRR configuration failed: $(cat "$d/config.out")"
		wait_for 20 ns up grep -q d0 /proc/net/ip_mr_vif || mgmt_fail "pimd made no VIF for d0"
	else
		UPSTREAM=mgmd
		printf 'interface s0 {\n\trole upstream\n\tipv6 off\n}\ninterface d0 {\n\trole downstream\n\tipv6 off\n\tquery-interval 2s\n\tquery-response-interval 1s\n\tlast-member-query-interval 500ms\n}\n' \
			>"$MGMT_TMP/up.conf"
		bg up 1800 "$mgmd" -F -f "$MGMT_TMP/up.conf" --socket "$MGMT_TMP/up.sock" \
			>"$MGMT_TMP/up.log" 2>&1
		wait_for 20 ns up "$mgmctl" --socket "$MGMT_TMP/up.sock" show interfaces ||
			mgmt_fail "mgmd (upstream router) did not start"
	fi
}
# Does the upstream router hold PXG on d0?
upstream_has() {
	if [ "$UPSTREAM" = frr ]; then
		vty_up -d pimd -c "show ip igmp groups json" |
			python3 -c 'import json, sys
d = json.load(sys.stdin)
def walk(o):
    if isinstance(o, dict):
        return o.get("group") == sys.argv[1] or any(walk(v) for v in o.values())
    return isinstance(o, list) and any(walk(v) for v in o)
sys.exit(0 if walk(d) else 1)' "$PXG"
	else
		ns up "$mgmctl" --socket "$MGMT_TMP/up.sock" --json show groups d0 | grep -q "\"$PXG\""
	fi
}

upstream_clear() { ! upstream_has; }

start_proxy() { # mgmd|igmpproxy: sets PXPID
	if [ "$1" = mgmd ]; then
		printf 'interface up0 {\n\trole upstream\n\tipv6 off\n}\ninterface down0 {\n\trole downstream\n\tipv6 off\n}\n' \
			>"$MGMT_TMP/px.conf"
		bg px 120 "$mgmd" -F -f "$MGMT_TMP/px.conf" --socket "$MGMT_TMP/px.sock" \
			>"$MGMT_TMP/px-mgmd.log" 2>&1
		wait_for 20 ns px "$mgmctl" --socket "$MGMT_TMP/px.sock" show interfaces || {
			cat "$MGMT_TMP/px-mgmd.log" >&2
			mgmt_fail "mgmd (proxy) did not start"
		}
	else
		printf 'phyint up0 upstream ratelimit 0 threshold 1\n\taltnet 0.0.0.0/0\nphyint down0 downstream ratelimit 0 threshold 1\nphyint lo disabled\n' \
			>"$MGMT_TMP/px-igmpproxy.conf"
		bg px 120 igmpproxy -n "$MGMT_TMP/px-igmpproxy.conf" >"$MGMT_TMP/px-igmpproxy.log" 2>&1
		wait_for 20 sh -c "[ \$(ip netns exec $(mgmt_ns_name px) cat /proc/net/ip_mr_vif | wc -l) -ge 3 ]" || {
			cat "$MGMT_TMP/px-igmpproxy.log" >&2
			mgmt_fail "igmpproxy did not start"
		}
	fi
	PXPID=$MGMT_LAST_PID
}

stop_proxy() {
	kill -TERM "$PXPID" 2>/dev/null || true
	wait "$PXPID" 2>/dev/null || true
	# Nothing of it left in the kernel for the next one: no VIF.
	wait_for 10 sh -c "[ \$(ip netns exec $(mgmt_ns_name px) cat /proc/net/ip_mr_vif | wc -l) -le 1 ]" ||
		echo "  (the proxy's VIFs outlived it)"
}

declare -A PX_JOIN PX_STOP
proxy_round() { # PROXY REP
	local px=$1 rep=$2 out line join stop gone
	start_proxy "$px"
	# The upstream router has forgotten the previous proxy's membership (its goodbye, or a
	# Group Membership Interval at most).
	gone=$(
		t0=$EPOCHREALTIME
		wait_for 15 upstream_clear || echo "-"
		calc "$EPOCHREALTIME - $t0" 1
	)
	out=$(ns host "$mcbench" latency -i eth0 -g $PXG -n 1 -H 300 -Q 500 -W 5000 \
		-U "$(mgmt_ns_name px):up0" -B "$PROXY_BOUND" -t $((PROXY_BOUND / 1000 + 20)))
	stop_proxy
	line=$(head -1 <<<"$out")
	join=$(python3 -c 'import json,sys; print("%.1f" % json.loads(sys.argv[1])["join_ms"])' "$line")
	stop=$(python3 -c 'import json,sys; print("%.1f" % json.loads(sys.argv[1])["upstream_stop_ms"])' "$line")
	PX_JOIN[$px,$rep]=$join
	PX_STOP[$px,$rep]=$stop
	printf '  %-10s %3d %12s %18s   (upstream clear of the group before it: %s s)\n' "$px" "$rep" \
		"$join" "$([ "$stop" = -1.0 ] && echo "none in ${PROXY_BOUND} ms" || echo "$stop")" \
		"${gone//$'\n'/ }"
}

median_of() { # VALUES...: the median of those >= 0, or -1 when none
	python3 -c 'import statistics, sys
v = [float(x) for x in sys.argv[1:] if float(x) >= 0]
print("%.1f" % statistics.median(v) if v else -1)' "$@"
}

if part proxy; then
	ns_add src
	ns_add up
	ns_add px
	ns_add host
	veth_add src eth0 up s0
	veth_add up d0 px up0
	veth_add px down0 host eth0
	addr_add src eth0 198.18.30.2/24
	addr_add up s0 198.18.30.1/24
	addr_add up d0 198.18.31.1/24
	addr_add px up0 198.18.31.2/24
	addr_add px down0 198.18.32.1/24
	addr_add host eth0 198.18.32.10/24
	ns src ip route add default via 198.18.30.1
	ns px ip route add default via 198.18.31.1
	ns host ip route add default via 198.18.32.1
	for n in up px; do
		ns $n sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0
	done
	host_versions host eth0 0 0
	start_upstream
	px_list=(mgmd)
	if command -v igmpproxy >/dev/null && [[ " $PEERS " == *" igmpproxy "* ]]; then
		px_list+=(igmpproxy)
	fi
	spray_t=$((PROXY_ROUNDS * ${#px_list[@]} * (PROXY_BOUND / 1000 + 25) + 30))
	bg src "$spray_t" "$mcbench" spray -i eth0 -g $PXG -n 1 -r 1000 -t "$spray_t" >/dev/null
	echo
	echo "  4. proxy: src --- $UPSTREAM (upstream router, IGMPv3 querier) --- proxy --- host; the"
	echo "     sender at 1 000 packets/s to $PXG; per repetition a fresh proxy (${px_list[*]}"
	echo "     in turn, default settings: no fast leave), a kernel host joins: ms until the first"
	echo "     packet at the host (report upstream, stream down); it leaves after 300 ms: ms until"
	echo "     the last packet on the proxy's upstream wire (silence of 500 ms after it; none when"
	echo "     it still flows ${PROXY_BOUND} ms after the leave)"
	printf '  %-10s %3s %12s %18s\n' proxy rep "join ms" "withdrawn ms"
	for ((rep = 1; rep <= PROXY_ROUNDS; rep++)); do
		for px in "${px_list[@]}"; do
			proxy_round "$px" "$rep"
		done
	done
	declare -A PXJ PXS PXN
	for px in "${px_list[@]}"; do
		js=() ss=() n=0
		for ((rep = 1; rep <= PROXY_ROUNDS; rep++)); do
			js+=("${PX_JOIN[$px,$rep]}")
			ss+=("${PX_STOP[$px,$rep]}")
			[ "${PX_STOP[$px,$rep]}" = -1.0 ] || n=$((n + 1))
		done
		PXJ[$px]=$(median_of "${js[@]}")
		PXS[$px]=$(median_of "${ss[@]}")
		PXN[$px]=$n
		if [ "$n" -eq 0 ]; then
			w="none within $(calc "$PROXY_BOUND / 1000" 1) s in $PROXY_ROUNDS of $PROXY_ROUNDS"
		else
			w="median ${PXS[$px]} ms ($n of $PROXY_ROUNDS withdrawn within $PROXY_BOUND ms)"
		fi
		printf '  %-10s join median %s ms; upstream withdrawal: %s\n' "$px" "${PXJ[$px]}" "$w"
	done
	for px in "${px_list[@]}"; do
		[ "$px" = mgmd ] && continue
		printf '  %-10s join %sx mgmd' "$px" \
			"$(calc "${PXJ[$px]} / (${PXJ[mgmd]} > 0 ? ${PXJ[mgmd]} : 0.1)" 1)"
		if [ "${PXN[$px]}" -gt 0 ] && [ "${PXN[mgmd]}" -gt 0 ]; then
			printf ', withdrawal %sx mgmd\n' "$(calc "${PXS[$px]} / ${PXS[mgmd]}" 1)"
		elif [ "${PXN[mgmd]}" -gt 0 ]; then
			printf ', withdrawal: mgmd %s ms, %s none within %s s\n' "${PXS[mgmd]}" "$px" \
				"$(calc "$PROXY_BOUND / 1000" 1)"
		else
			echo
		fi
	done
	verdict "proxy, mgmd withdraws upstream within 4.5 s (median, $UPSTREAM upstream)" \
		"${PXS[mgmd]} ms, ${PXN[mgmd]}/$PROXY_ROUNDS rounds" \
		"$(pass_if "${PXN[mgmd]} == $PROXY_ROUNDS && ${PXS[mgmd]} >= 0 && ${PXS[mgmd]} < 4500")"
	topo_down
fi
