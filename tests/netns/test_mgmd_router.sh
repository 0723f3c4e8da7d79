#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mgmd as multicast router with kernel forwarding: a sender upstream, mgmd in the router
# namespace, three downstream links with one real Linux kernel host each (A: IGMPv2 + MLDv1,
# B: IGMPv3 + MLDv2 with fast leave on its link, C: IGMPv1). Counted on each host's wire
# (mccount): traffic reaches exactly the hosts that asked for it, any-source (IGMPv1, v2,
# MLDv1), INCLUDE and EXCLUDE source filters (RFC 3376 §6.4, RFC 3810 §7.4), SSM ranges only
# with a source (RFC 4604 §2.2.1), exact packet counts, TTL decremented once; `mgmctl show
# routes` has each (S,G) with its input, outputs and packet count; `mgmctl explain` says why per
# interface; after a leave the stream stops within the Last Member Query Time, at once with fast
# leave (both measured); a reload under traffic loses no packet; after B's link goes down and up
# the stream comes back (measured); SIGTERM leaves no VIF and no MFC entry in the kernel.
# Without kernel multicast routing (CONFIG_IP_MROUTE) it skips with status 77:
# `make check-vm VM_TESTS=test_mgmd_router` runs it under Debian's kernel (about 90 s there).
# Usage: test_mgmd_router.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/lib.sh"
mgmt_require_root "$0"
mgmt_require ip timeout jq
mgmd="$build/daemon/mgmd"
mgmctl="$build/tools/mgmctl"
mcjoin="$build/tests/netns/mcjoin"
mcsend="$build/tests/netns/mcsend"
mccount="$build/tests/netns/mccount"
for p in "$mgmd" "$mgmctl" "$mcjoin" "$mcsend" "$mccount"; do
	[ -x "$p" ] || mgmt_fail "build first: no $p"
done
mgmt_init
T=$MGMT_TMP

# Engine timers (ms): LMQT = LMQI * LMQC (LMQC defaults to RV).
# LMQI is longer than in test_mgmd_querier so that a normal leave and a fast leave stay well
# apart under an emulated VM's delays.
QI=2000 QRI=1000 LMQI=500 RV=2
LMQT=$((LMQI * RV))
S1=198.18.1.1 S2=198.18.1.2 S61=2001:db8:1::1 S62=2001:db8:1::2

ctl() {
	"$mgmctl" --socket "$T/mgmd.sock" "$@"
}
between() {
	[ "$1" -ge "$2" ] && [ "$1" -le "$3" ]
}

ns_add snd
ns_add rtr
ns_add ha
ns_add hb
ns_add hc
veth_add snd eth0 rtr up0
veth_add rtr dA ha eth0
veth_add rtr dB hb eth0
veth_add rtr dC hc eth0
addr_add snd eth0 $S1/24
addr_add snd eth0 $S2/24
addr_add snd eth0 $S61/64
addr_add snd eth0 $S62/64
addr_add rtr up0 198.18.1.254/24
addr_add rtr up0 2001:db8:1::fe/64
addr_add rtr dA 198.18.2.254/24
addr_add rtr dA 2001:db8:2::fe/64
addr_add rtr dB 198.18.3.254/24
addr_add rtr dB 2001:db8:3::fe/64
addr_add ha eth0 198.18.2.1/24
addr_add ha eth0 2001:db8:2::1/64
addr_add hb eth0 198.18.3.1/24
addr_add hb eth0 2001:db8:3::1/64
addr_add rtr dC 198.18.4.254/24
addr_add hc eth0 198.18.4.1/24
host_versions ha eth0 2 1
host_versions hb eth0 3 2
host_versions hc eth0 1 1
ns rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
	net.ipv4.conf.up0.rp_filter=0 net.ipv4.conf.dA.rp_filter=0 net.ipv4.conf.dB.rp_filter=0 \
	net.ipv4.conf.dC.rp_filter=0
for n in rtr ha hb hc; do
	wait_for 5 sh -c "ip netns exec $(mgmt_ns_name $n) ip -6 addr show scope link |
		grep -q fe80" || mgmt_fail "$n got no link-local address"
done

cat >"$T/mgmd.conf" <<EOF
# test_mgmd_router.sh
interface up0 {
	role upstream
}
interface dA {
	role downstream
	query-interval $((QI / 1000))s
	query-response-interval ${QRI}ms
	last-member-query-interval ${LMQI}ms
	robustness $RV
}
interface dB {
	role downstream
	query-interval $((QI / 1000))s
	query-response-interval ${QRI}ms
	last-member-query-interval ${LMQI}ms
	robustness $RV
	fast-leave on
}
# IGMPv1 hosts answer every query within 10 s, whatever its Max Resp Time (RFC 1112, RFC 3376
# §7.2.1): on C's link the Group Membership Interval must exceed that.
interface dC {
	role downstream
	query-interval 10s
	query-response-interval ${QRI}ms
	last-member-query-interval ${LMQI}ms
	robustness $RV
}
EOF
bg rtr 150 "$mgmd" -F -v -f "$T/mgmd.conf" --socket "$T/mgmd.sock" >"$T/mgmd.log" 2>&1
mgmd_pid=$MGMT_LAST_PID
up_or_gone() {
	ctl show interfaces || ! kill -0 "$mgmd_pid"
}
wait_for 10 up_or_gone || true
if ! ctl show interfaces >/dev/null 2>&1; then
	if ! kill -0 "$mgmd_pid" 2>/dev/null &&
		grep -q "without multicast routing (CONFIG_IP.*MROUTE)" "$T/mgmd.log"; then
		echo "SKIP: this kernel has no multicast routing: $(grep -m1 MROUTE "$T/mgmd.log")"
		exit 77
	fi
	sed 's/^/    | /' "$T/mgmd.log" >&2
	mgmt_fail "mgmd did not come up"
fi
vifs() {
	ctl --json show interfaces | jq -e '[.interfaces[] | select(.name == "up0" or
		.name == "dA" or .name == "dB" or .name == "dC") | .ipv4.vif, .ipv6.vif | numbers] |
		length == 8' \
		>/dev/null
}
wait_for 5 vifs || {
	ctl --json show interfaces >&2
	mgmt_fail "mgmd has no IPv4 and IPv6 VIF on each of up0, dA, dB, dC"
}
ok "mgmd router: VIFs for IPv4 and IPv6 on up0, dA, dB, dC"

# ---- joins ---------------------------------------------------------------------------------------
host() {
	ns_pipe "$1" "$3" 150 "$mcjoin" "$2" -q -t 150 -i eth0 -
}
host ha -4 11
host ha -6 12
host hb -4 13
host hb -6 14
host hc -4 15
# A (IGMPv2, MLDv1): any-source joins; those in the SSM ranges must bring nothing.
echo "join 239.1.1.1" >&11
echo "join 239.5.5.5" >&11
echo "join 232.1.1.1" >&11
echo "join ff05::7" >&12
echo "join ff3e::8" >&12
# C (IGMPv1): any-source.
echo "join 239.1.1.1" >&15
# B (IGMPv3, MLDv2): INCLUDE {S1}, EXCLUDE {S1}, SSM with S2, any-source; MLDv2 likewise.
echo "filter 239.2.2.2 include $S1" >&13
echo "filter 239.3.3.3 exclude $S1" >&13
echo "join-source 232.1.1.1 $S2" >&13
echo "join 239.5.5.5" >&13
echo "filter ff05::6 include $S61" >&14
echo "join-source ff3e::8 $S62" >&14
# has IF GROUP...: mgmd lists each GROUP on IF.
has() {
	local ifn=$1 g
	shift
	json=$(ctl --json show groups "$ifn") || return 1
	for g in "$@"; do
		jq -e --arg g "$g" 'any(.groups[]; ."group-address" == $g)' <<<"$json" >/dev/null ||
			return 1
	done
}
joined() {
	has dA 239.1.1.1 239.5.5.5 ff05::7 && has dB 239.2.2.2 239.3.3.3 232.1.1.1 239.5.5.5 \
		ff05::6 ff3e::8 && has dC 239.1.1.1
}
t0=$(now_ms)
if t=$(within_since "$t0" 5000 joined); then
	ok "joins: mgmd lists every group on dA and dB after $t ms"
else
	bad "joins: not every group listed"
	ctl show groups >&2 || true
fi

# ---- traffic: exactly to the hosts that asked ------------------------------------------------------
# Every source sends to every group: 30 rounds at 10 a second, for IPv4 and IPv6 at once.
N=30
# count_start HOST: mccount on HOST's wire until count_stop HOST (an emulated VM starts
# processes too slowly for fixed windows).
declare -A COUNT_PID
count_start() {
	: >"$T/$1.err"
	bg "$1" 60 "$mccount" -i eth0 -p 5000 -t 50000 >"$T/$1.count" 2>"$T/$1.err"
	COUNT_PID[$1]=$MGMT_LAST_PID
	wait_for 10 grep -q listening "$T/$1.err" || mgmt_fail "mccount did not start in $1"
}
# count_stop HOST...: ends the counts (after a moment for packets in flight); they print.
count_stop() {
	local h
	sleep 0.3
	for h in "$@"; do
		kill -TERM "${COUNT_PID[$h]}" 2>/dev/null || true
		wait "${COUNT_PID[$h]}" || bad "mccount in $h failed"
	done
}
count_start ha
count_start hb
count_start hc
bg snd 20 "$mcsend" -4 -q -i eth0 -s $S1 -s $S2 -g 239.1.1.1 -g 239.2.2.2 -g 239.3.3.3 \
	-g 232.1.1.1 -g 239.5.5.5 -c $N -r 10
send4=$MGMT_LAST_PID
bg snd 20 "$mcsend" -6 -q -i eth0 -s $S61 -s $S62 -g ff05::6 -g ff05::7 -g ff3e::8 -c $N -r 10
send6=$MGMT_LAST_PID
wait "$send4" || bad "mcsend IPv4 failed"
wait "$send6" || bad "mcsend IPv6 failed"
count_stop ha hb hc

# got HOST SOURCE GROUP: the packets mccount counted.
got() {
	awk -v s="$2" -v g="$3" '$1 == s && $2 == g { n = $3 } END { print n + 0 }' "$T/$1.count"
}
# expect_flows HOST WANTED...: each WANTED "S,G" arrived N times, every other flow of the
# matrix not at all.
expect_flows() {
	local h=$1 s g n want wrong=""
	shift
	for s in $S1 $S2; do
		for g in 239.1.1.1 239.2.2.2 239.3.3.3 232.1.1.1 239.5.5.5; do
			want=0
			[[ " $* " == *" $s,$g "* ]] && want=$N
			n=$(got "$h" "$s" "$g")
			[ "$n" -eq "$want" ] || wrong+=" ($s,$g): $n, want $want;"
		done
	done
	for s in $S61 $S62; do
		for g in ff05::6 ff05::7 ff3e::8; do
			want=0
			[[ " $* " == *" $s,$g "* ]] && want=$N
			n=$(got "$h" "$s" "$g")
			[ "$n" -eq "$want" ] || wrong+=" ($s,$g): $n, want $want;"
		done
	done
	if [ -z "$wrong" ]; then
		ok "traffic: $h got exactly its $# flows, $N packets each, nothing else"
	else
		bad "traffic: $h:$wrong"
		sed 's/^/    | /' "$T/$h.count"
	fi
}
# A: 239.1.1.1 and 239.5.5.5 from both, ff05::7 from both; not 232.1.1.1 nor ff3e::8 (SSM
# without source), not B's groups.
expect_flows ha $S1,239.1.1.1 $S2,239.1.1.1 $S1,239.5.5.5 $S2,239.5.5.5 \
	$S61,ff05::7 $S62,ff05::7
# B: INCLUDE {S1} only S1, EXCLUDE {S1} only S2, SSM (S2, 232.1.1.1), 239.5.5.5 from both,
# MLDv2 INCLUDE {S61} and SSM (S62, ff3e::8).
expect_flows hb $S1,239.2.2.2 $S2,239.3.3.3 $S2,232.1.1.1 $S1,239.5.5.5 $S2,239.5.5.5 \
	$S61,ff05::6 $S62,ff3e::8
# C: 239.1.1.1 from both.
expect_flows hc $S1,239.1.1.1 $S2,239.1.1.1
# shellcheck disable=SC2016 # awk's own fields
check "traffic: forwarded once, TTL / hop limit 8 - 1 = 7 at the hosts" \
	awk '$6 != 7 { bad = 1 } END { exit bad }' "$T/ha.count" "$T/hb.count" "$T/hc.count"

# ---- mgmctl show routes: every (S,G) with its outputs and the kernel's counters ----------------
ctl --json show routes >"$T/routes.json"
ctl show routes | sed 's/^/    | /'
# route S G OUTPUTS: the route from up0 with exactly these outputs (comma-separated, sorted)
# and N packets.
route() {
	jq -e --arg s "$1" --arg g "$2" --arg o "$3" --argjson n $N \
		'[.routes[] | select(."source-address" == $s and ."group-address" == $g)] |
		length == 1 and .[0].input == "up0" and (.[0].outputs | sort | join(",")) == $o and
		.[0].packets == $n' "$T/routes.json" >/dev/null
}
wrong=""
for spec in "$S1 239.1.1.1 dA,dC" "$S2 239.1.1.1 dA,dC" "$S1 239.2.2.2 dB" "$S2 239.2.2.2 -" \
	"$S1 239.3.3.3 -" "$S2 239.3.3.3 dB" "$S1 232.1.1.1 -" "$S2 232.1.1.1 dB" \
	"$S1 239.5.5.5 dA,dB" "$S2 239.5.5.5 dA,dB" "$S61 ff05::6 dB" "$S62 ff05::6 -" \
	"$S61 ff05::7 dA" "$S62 ff05::7 dA" "$S61 ff3e::8 -" "$S62 ff3e::8 dB"; do
	read -r s g o <<<"$spec"
	[ "$o" != - ] || o=""
	route "$s" "$g" "$o" || wrong+=" ($s,$g)->[$o];"
done
if [ -z "$wrong" ]; then
	ok "show routes: all 16 (S,G) from up0 with the right outputs and $N packets each"
else
	bad "show routes: not as expected:$wrong"
	cat "$T/routes.json" >&2
fi

# ---- explain: one line per interface ---------------------------------------------------------------
# explained GROUP SOURCE IF FORWARDED REGEX: explain's entry for IF.
explained() {
	local json
	json=$(ctl --json explain "$1" "$2") || return 1
	jq -e --arg i "$3" --argjson f "$4" --arg r "$5" \
		'[.interfaces[] | select(.interface == $i)] | length == 1 and
		.[0].forwarded == $f and (.[0].reason | test($r; "i"))' <<<"$json" >/dev/null && return 0
	jq -c --arg i "$3" '.interfaces[] | select(.interface == $i)' <<<"$json" | sed 's/^/    | /'
	return 1
}
check "explain ($S1, 239.2.2.2): forwarded to dB (INCLUDE)" \
	explained 239.2.2.2 $S1 dB true "INCLUDE"
check "explain ($S1, 239.2.2.2): not to dA (no member)" \
	explained 239.2.2.2 $S1 dA false "no member"
check "explain ($S2, 239.2.2.2): not to dB (other sources only)" \
	explained 239.2.2.2 $S2 dB false "INCLUDE"
check "explain ($S1, 239.3.3.3): not to dB (EXCLUDE blocks it)" \
	explained 239.3.3.3 $S1 dB false "EXCLUDE"
check "explain ($S1, 232.1.1.1): not to dA (SSM range, no source asked)" \
	explained 232.1.1.1 $S1 dA false "SSM|no member"
check "explain ($S1, 239.1.1.1): up0 is the input" explained 239.1.1.1 $S1 up0 false "input"
ctl explain 232.1.1.1 $S2 >"$T/explain.txt" 2>&1 || true
sed 's/^/    | /' "$T/explain.txt"
check "explain, human: one line per interface naming it and its family" \
	sh -c "grep -q '^dA ipv4: ' '$T/explain.txt' && grep -q '^dB ipv4: ' '$T/explain.txt' &&
		grep -q '^up0 ipv4: ' '$T/explain.txt'"

# ---- leaves: the stream stops within LMQT, at once with fast leave ----------------------------
# 40 rounds a second for 4 s; the hosts leave once the router has forwarded 10 packets of each
# flow. A (no fast leave): 239.1.1.1 and ff05::7. B (fast leave): 239.5.5.5, which A keeps,
# and ff05::6.
count_start ha
count_start hb
bg snd 20 "$mcsend" -4 -q -i eth0 -s $S1 -g 239.1.1.1 -g 239.5.5.5 -c 160 -r 40
send4=$MGMT_LAST_PID
bg snd 20 "$mcsend" -6 -q -i eth0 -s $S61 -g ff05::7 -g ff05::6 -c 160 -r 40
send6=$MGMT_LAST_PID
# flowing: each route's kernel counter is 10 past the first phase's N.
flowing() {
	ctl --json show routes | jq -e --argjson n $((N + 10)) '[.routes[] |
		select(."source-address" == "198.18.1.1" or ."source-address" == "2001:db8:1::1") |
		select(."group-address" | IN("239.1.1.1", "239.5.5.5", "ff05::7", "ff05::6")) |
		.packets >= $n] | length == 4 and all' >/dev/null
}
wait_for 10 flowing || bad "leave: the streams did not start"
t0=$(now_ms)
echo "leave 239.1.1.1" >&11
echo "leave ff05::7" >&12
echo "leave 239.5.5.5" >&13
echo "leave ff05::6" >&14
wait "$send4" "$send6" || true
count_stop ha hb
# last HOST SOURCE GROUP: ms from the leave to the last packet of the flow at the host.
last() {
	awk -v s="$2" -v g="$3" -v t0="$t0" '$1 == s && $2 == g { print $5 - t0; f = 1 }
		END { if (!f) print "none" }' "$T/$1.count"
}
for spec in "ha $S1 239.1.1.1 IGMPv2" "ha $S61 ff05::7 MLDv1"; do
	read -r h s g how <<<"$spec"
	t=$(last "$h" "$s" "$g")
	if [ "$t" = none ]; then
		bad "leave ($how, $g): no packet reached $h at all"
		continue
	fi
	check "leave ($how, $g): last packet at $h $t ms after the leave (LMQT $LMQT ms)" \
		between "$t" $((LMQT - 100)) $((LMQT + 800))
done
for spec in "hb $S1 239.5.5.5 IGMPv3" "hb $S61 ff05::6 MLDv2"; do
	read -r h s g how <<<"$spec"
	t=$(last "$h" "$s" "$g")
	if [ "$t" = none ]; then
		bad "fast leave ($how, $g): no packet reached $h at all"
		continue
	fi
	check "fast leave ($how, $g): last packet at $h $t ms after the leave (not LMQT)" \
		between "$t" -100 $((LMQT / 4))
done
check "fast leave on B's link leaves A's copy of 239.5.5.5 alone: all 160 packets" \
	test "$(got ha $S1 239.5.5.5)" -eq 160
if [ "$MGMT_FAILED" -ne 0 ]; then
	echo "leave at $t0; what the hosts counted (source group packets first last ttl seq seq):"
	sed 's/^/    | ha: /' "$T/ha.count"
	sed 's/^/    | hb: /' "$T/hb.count"
	ctl show routes | sed 's/^/    | /'
fi

v1_kept() {
	ctl --json show groups dC | jq -e '[.groups[] | select(."group-address" == "239.1.1.1")] |
		length == 1 and .[0].version == 1' >/dev/null
}
check "IGMPv1 host: C's 239.1.1.1 kept by its answers, in IGMPv1 compatibility mode" v1_kept

# ---- reload under traffic: no packet of an unchanged group lost -----------------------------------
# B's SSM channels stream while the file changes dA's query interval: SIGHUP, then mgmctl reload.
count_start hb
bg snd 20 "$mcsend" -4 -q -i eth0 -s $S2 -g 232.1.1.1 -c 80 -r 40
send4=$MGMT_LAST_PID
bg snd 20 "$mcsend" -6 -q -i eth0 -s $S62 -g ff3e::8 -c 80 -r 40
send6=$MGMT_LAST_PID
sleep 0.5
sed -i "0,/query-interval $((QI / 1000))s/s//query-interval 3s/" "$T/mgmd.conf"
kill -HUP "$(pgrep -P "$mgmd_pid" -x mgmd)"
sleep 0.5
sed -i "0,/query-interval 3s/s//query-interval 4s/" "$T/mgmd.conf"
rc=0
ctl reload >/dev/null || rc=$?
check "reload under traffic: mgmctl reload succeeds" test "$rc" -eq 0
wait "$send4" "$send6" || true
count_stop hb
check "reload under traffic: dA's query interval is 4 s now" \
	sh -c "'$mgmctl' --socket '$T/mgmd.sock' --json show interfaces dA |
		jq -e '.interfaces[0].ipv4.\"query-interval\" == 4' >/dev/null"
check "reload under traffic: every packet of ($S2, 232.1.1.1) reached B ($(got hb $S2 232.1.1.1)/80)" \
	test "$(got hb $S2 232.1.1.1)" -eq 80
check "reload under traffic: every packet of ($S62, ff3e::8) reached B ($(got hb $S62 ff3e::8)/80)" \
	test "$(got hb $S62 ff3e::8)" -eq 80

# ---- B's link goes down and up while its channel streams: forwarding comes back ----------------
# The second count starts while the link is down (its socket does not need the carrier), so a
# slow VM's process start does not eat into the time measured.
count_start hb
bg snd 60 "$mcsend" -4 -q -i eth0 -s $S2 -g 232.1.1.1 -c 2000 -r 40
send4=$MGMT_LAST_PID
sleep 1
count_stop hb
before=$(got hb $S2 232.1.1.1)
ns rtr ip link set dB down
count_start hb
sleep 1
tup=$(now_ms)
ns rtr ip link set dB up
sleep $(((QI + QRI + 1000) / 1000))
kill "$send4" 2>/dev/null || true
wait "$send4" || true
count_stop hb
first=$(awk -v s=$S2 -v t0="$tup" '$1 == s && $2 == "232.1.1.1" { print $4 - t0 }' "$T/hb.count")
echo "link down/up: B got $before packets before dB went down, $(got hb $S2 232.1.1.1) after it" \
	"came back, the first ${first:-(none)} ms after"
check "link down/up: ($S2, 232.1.1.1) reaches B again within QI + QRI of dB coming up" \
	test -n "$first" -a "${first:-0}" -le $((QI + QRI))
routed_b() {
	ctl --json show routes | jq -e --arg s $S2 '[.routes[] | select(."source-address" == $s and
		."group-address" == "232.1.1.1")] | .[0].outputs == ["dB"]' >/dev/null
}
check "link down/up: the route's output is dB again" routed_b

# ---- SIGTERM: the kernel is clean -----------------------------------------------------------------
p=$(pgrep -P "$mgmd_pid" -x mgmd) || mgmt_fail "mgmd is not running"
kill -TERM "$p"
rc=0
wait "$mgmd_pid" || rc=$?
check "SIGTERM: mgmd exits with status 0" test "$rc" -eq 0
check "SIGTERM: the control socket is removed" test ! -e "$T/mgmd.sock"
for f in ip_mr_vif ip_mr_cache ip6_mr_vif ip6_mr_cache; do
	check "SIGTERM: /proc/net/$f is empty" test "$(ns rtr cat "/proc/net/$f" | wc -l)" -le 1
done
if grep -qE 'runtime error|Sanitizer' "$T/mgmd.log"; then
	bad "sanitizer report from mgmd"
fi
if [ "$MGMT_FAILED" -ne 0 ]; then
	echo "---- mgmd log (last lines)"
	tail -40 "$T/mgmd.log" | sed 's/^/    | /'
fi
tally
