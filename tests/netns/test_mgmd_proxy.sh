#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mgmd as an RFC 4605 proxy (issue 12) between upstream routers and Linux kernel hosts, with
# --no-forwarding, so it runs on a kernel without multicast routing:
#   up  (mgmd querier) --- u0 [ px: mgmd --no-forwarding ] d0 --- h0 (kernel host)
#   up2 (mgmd querier) --- u1 [                          ] d1 --- h1 (kernel host)
# u0 serves 239.1/16, 232.1/16, ff05::/16, ff3e::/16; u1 serves 239.2/16 with leave-holddown 2s.
# What the upstream queriers learn (mgmctl show groups), what the proxy says it reports (mgmctl
# show upstream) and what crosses the upstream links (mgmdump -i, the whole test) are checked:
# the first join of an IGMPv2 host reaches the querier; the RFC 4605 §4.1 merge of IGMPv3 source
# filters on two links (INCLUDE union, EXCLUDE with INCLUDE, EXCLUDE intersection, a change of
# one link); one of two members leaving changes nothing upstream, the last one withdraws within
# the two last-member query times (timed); MLDv2 join and leave; groups on the upstream whose
# ranges hold them only; leave hold-down (a rejoin within 2 s sends nothing upstream, a leave
# withdraws after 2 s, not sooner); an IGMPv2 querier upstream puts the proxy in v2 mode (v2
# report and leave); the proxy never queries upstream, even with no querier there.
# About 45 s. Usage: test_mgmd_proxy.sh BUILD_DIR
# shellcheck disable=SC2016 # awk and jq programs in single quotes
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/lib.sh"
mgmt_require_root "$0"
mgmt_require ip timeout jq
mgmd="$build/daemon/mgmd"
mgmctl="$build/tools/mgmctl"
mgmdump="$build/tools/mgmdump"
mcjoin="$build/tests/netns/mcjoin"
for b in "$mgmd" "$mgmctl" "$mgmdump" "$mcjoin"; do
	[ -x "$b" ] || mgmt_fail "build first: no $b"
done
mgmt_init
T=$MGMT_TMP
t_start=$(date +%s)

# Router timers of every mgmd here (ms): last-member query time LMQT = LMQI * RV per hop.
QI=2000 QRI=1000 LMQI=200 RV=2
LMQT=$((LMQI * RV))
# A withdrawal crosses two last-member query times (the proxy's downstream, the upstream
# router's); the bound allows 1.2 s more for reports in flight and a loaded machine.
WITHDRAW=$((2 * LMQT + 1200))
HOLD=2000
secs() { # MS as seconds, for the checks' names
	awk -v m="$1" 'BEGIN { printf "%.1f s", m / 1000 }'
}
W="$(secs "$WITHDRAW") (2 x LMQT $(secs "$LMQT") + 1.2 s)"


# ---- namespaces -----------------------------------------------------------------------------
for n in up up2 px h0 h1; do ns_add "$n"; done
veth_add up eth0 px u0
veth_add up2 eth0 px u1
veth_add px d0 h0 eth0
veth_add px d1 h1 eth0
addr_add up eth0 198.18.1.1/24
addr_add px u0 198.18.1.2/24
addr_add up2 eth0 198.18.2.1/24
addr_add px u1 198.18.2.2/24
addr_add px d0 198.18.3.1/24
addr_add h0 eth0 198.18.3.10/24
addr_add px d1 198.18.4.1/24
addr_add h1 eth0 198.18.4.10/24
# h0 starts as an IGMPv2 host (check 1), h1 is IGMPv3; both MLDv2.
host_versions h0 eth0 2 2
host_versions h1 eth0 3 2
lladdr() { # NS IF
	ns "$1" ip -6 -o addr show dev "$2" scope link | awk '{print $4}' | cut -d/ -f1
}
for x in "up eth0" "up2 eth0" "px u0" "px u1" "px d0" "px d1" "h0 eth0" "h1 eth0"; do
	read -r n i <<<"$x"
	wait_for 5 sh -c "ip netns exec $(mgmt_ns_name "$n") ip -6 addr show dev $i scope link |
		grep -q fe80" || mgmt_fail "$n $i got no link-local address"
done
PX_U0_LL=$(lladdr px u0) PX_U1_LL=$(lladdr px u1) UP_LL=$(lladdr up eth0) UP2_LL=$(lladdr up2 eth0)

# ---- mgmd instances: NAME's socket $T/NAME.sock, log $T/NAME.log ------------------------------
ctl() {
	local name=$1
	shift
	timeout 5 "$mgmctl" --socket "$T/$name.sock" "$@"
}
# start_mgmd NAME NS ARGS...: mgmd in the foreground in NS; returns when its socket answers.
start_mgmd() {
	local name=$1 n=$2
	shift 2
	rm -f "$T/$name.sock"
	bg "$n" 120 "$mgmd" -F -v --socket "$T/$name.sock" "$@" >>"$T/$name.log" 2>&1
	wait_for 10 ctl "$name" show interfaces || {
		sed 's/^/    | /' "$T/$name.log" >&2
		mgmt_fail "mgmd $name did not come up"
	}
}
# stop_mgmd NAME NS: SIGTERM to mgmd itself; returns once it is gone.
stop_mgmd() {
	local p
	p=$(ns_pid "$2" mgmd) || mgmt_fail "mgmd $1 is not running"
	kill -TERM "$p"
	wait_for 5 test ! -e "/proc/$p" || mgmt_fail "mgmd $1 did not stop on SIGTERM"
}
# querier_conf FILE [IGMP_VERSION]
querier_conf() {
	cat >"$1" <<EOF
interface eth0 {
	role querier
	igmp-version ${2:-3}
	query-interval $((QI / 1000))s
	query-response-interval ${QRI}ms
	last-member-query-interval ${LMQI}ms
	robustness $RV
}
EOF
}
querier_conf "$T/up.conf"
querier_conf "$T/up2.conf"
cat >"$T/px.conf" <<EOF
interface u0 {
	role upstream
	groups 239.1.0.0/16 232.1.0.0/16 ff05::/16 ff3e::/16
}
interface u1 {
	role upstream
	groups 239.2.0.0/16
	leave-holddown $((HOLD / 1000))s
}
interface d* {
	role downstream
	query-interval $((QI / 1000))s
	query-response-interval ${QRI}ms
	last-member-query-interval ${LMQI}ms
	robustness $RV
}
EOF

# The upstream links are captured for the whole test, from before any mgmd starts; mgmdump
# writes its JSON lines when it stops, and they are read at the end.
dump() { # NS FILE
	(exec ip netns exec "$(mgmt_ns_name "$1")" timeout 100 "$mgmdump" -i eth0 --json \
		>"$2" 2>"$2.err") &
	MGMT_PIDS+=($!)
	DUMP_PIDS+=($!)
}
DUMP_PIDS=()
dump up "$T/up.jsonl"
dump up2 "$T/up2.jsonl"
sleep 0.5
start_mgmd up up -f "$T/up.conf"
start_mgmd up2 up2 -f "$T/up2.conf"
t_px=$(now_ms)
start_mgmd px px --no-forwarding -f "$T/px.conf"

# ---- reading the daemons --------------------------------------------------------------------
# q NAME GROUP MODE [SOURCES]: querier NAME holds GROUP once, in MODE, with SOURCES (a sorted
# comma list, "" for none): in INCLUDE mode every source listed, in EXCLUDE mode the sources it
# blocks (those not forwarded).
q() {
	ctl "$1" --json show groups | jq -e --arg g "$2" --arg m "$3" --arg s "${4:-}" '
		[.groups[] | select(."group-address" == $g)] | length == 1 and (.[0] |
		."filter-mode" == $m and
		([(.source // [])[] | select($m == "include" or (.forwarding | not)) |
		."source-address"] | sort) == ($s | split(",") | map(select(length > 0))))' \
		>/dev/null
}
# qv NAME GROUP JQ: GROUP is held once and JQ holds for it.
qv() {
	ctl "$1" --json show groups | jq -e --arg g "$2" \
		"[.groups[] | select(.\"group-address\" == \$g)] | length == 1 and (.[0] | $3)" \
		>/dev/null
}
no_q() { # NAME GROUP
	ctl "$1" --json show groups | jq -e --arg g "$2" \
		'[.groups[] | select(."group-address" == $g)] | length == 0' >/dev/null
}
# upj IF FAMILY JQ: JQ holds for the proxy's upstream IF of FAMILY (ipv4 / ipv6).
upj() {
	ctl px --json show upstream | jq -e --arg i "$1" --arg f "$2" \
		"[.upstreams[] | select(.interface == \$i and .family == \$f)] | length == 1 and
		(.[0] | $3)" >/dev/null
}
upget() { # IF FAMILY JQ: a value of that upstream
	ctl px --json show upstream | jq -r --arg i "$1" --arg f "$2" \
		".upstreams[] | select(.interface == \$i and .family == \$f) | $3"
}
# up IF FAMILY GROUP MODE SOURCES DOWNSTREAMS: the proxy reports GROUP on IF, merged to MODE
# and SOURCES, from the downstream interfaces DOWNSTREAMS (sorted comma lists).
up() {
	upj "$1" "$2" "[.groups[] | select(.group == \"$3\")] | length == 1 and (.[0] |
		.\"filter-mode\" == \"$4\" and (.sources | sort) == (\"$5\" | split(\",\") |
		map(select(length > 0))) and
		([.downstream[].interface] | sort) == (\"$6\" | split(\",\") | map(select(length > 0))))"
}
no_up() { # IF FAMILY GROUP
	upj "$1" "$2" "[.groups[] | select(.group == \"$3\")] | length == 0"
}
pxcount() { # FAMILY COUNTER: a counter of the proxy's membership database
	ctl px --json show upstream | jq -r ".\"proxy-$1\".\"$2\""
}
# hold_ms IF GROUP DOWNSTREAM: the hold-down left on DOWNSTREAM's record (-1: none).
hold_ms() {
	upget "$1" ipv4 ".groups[] | select(.group == \"$2\") | .downstream[] |
		select(.interface == \"$3\") | .\"holddown-ms\""
}
in_hold() { # IF GROUP DOWNSTREAM
	local h
	h=$(hold_ms "$@") && [ -n "$h" ] && [ "$h" -ge 0 ]
}
not_in_hold() {
	local h
	h=$(hold_ms "$@") && [ "$h" = -1 ]
}

# The hosts: one mcjoin per host and family, fed a step at a time.
ns_pipe h0 11 100 "$mcjoin" -4 -q -t 100 -i eth0 -
ns_pipe h1 12 100 "$mcjoin" -4 -q -t 100 -i eth0 -
ns_pipe h0 13 100 "$mcjoin" -6 -q -t 100 -i eth0 -
ns_pipe h1 14 100 "$mcjoin" -6 -q -t 100 -i eth0 -
S1=198.18.0.11 S2=198.18.0.12 S3=198.18.0.13
# Time windows for the capture checks at the end: MARK[NAME]="FROM_MS TO_MS".
declare -A MARK

# ---- 1. the first downstream join (IGMPv2 host) reaches the upstream querier ---------------
# hears IF FAMILY QUERIER VERSION: the proxy's upstream runs and has heard QUERIER.
hears() {
	upj "$1" "$2" ".state == \"running\" and .querier.address == \"$3\" and
		.\"operating-version\" == $4 and .\"configured-version\" == $4"
}
all_hear() {
	hears u0 ipv4 198.18.1.1 3 && hears u0 ipv6 "$UP_LL" 2 &&
		hears u1 ipv4 198.18.2.1 3 && hears u1 ipv6 "$UP2_LL" 2
}
timed_since "the proxy runs on u0 and u1, IGMPv3 and MLDv2, and has heard each querier" "$t_px" \
	$((QI + 2000)) all_hear || ctl px show upstream >&2 || true
check "... u1 serves 239.2.0.0/16 only, with leave-holddown 2000 ms" \
	upj u1 ipv4 '."groups-served" == ["239.2.0.0/16"] and ."leave-holddown-ms" == 2000'
t0=$(now_ms)
echo "join 239.1.1.1" >&11
timed_since "1. IGMPv2 join on d0: the upstream querier learns 239.1.1.1 from the proxy within 2 s" \
	"$t0" 2000 qv up 239.1.1.1 '."filter-mode" == "exclude" and ."last-reporter" == "198.18.1.2"' ||
	ctl up show groups >&2 || true
check "... in IGMPv3 (the proxy's version towards a v3 querier)" qv up 239.1.1.1 '.version == 3'
check "... the proxy's show upstream lists it on u0 from d0" up u0 ipv4 239.1.1.1 exclude "" d0
check "... and not on u1 (not in its ranges)" no_up u1 ipv4 239.1.1.1
t0=$(now_ms)
echo "join 239.1.1.1" >&12
timed_since "... a second member on d1: the proxy lists d0 and d1 for 239.1.1.1" "$t0" 2000 \
	up u0 ipv4 239.1.1.1 exclude "" d0,d1 || true

# ---- 3. one of two members leaves: nothing upstream; the last one: withdrawn ----------------
t0=$(now_ms)
echo "leave 239.1.1.1" >&11
timed_since "3. IGMPv2 leave on d0: the proxy drops d0's record after its LMQT (${LMQT} ms)" "$t0" \
	$((LMQT + 1500)) up u0 ipv4 239.1.1.1 exclude "" d1 || true
sleep_to() { # T0 MS: sleeps until MS ms after T0
	local left=$(($1 + $2 - $(now_ms)))
	[ "$left" -le 0 ] || sleep "$(awk -v l="$left" 'BEGIN { printf "%.3f", l / 1000 }')"
}
sleep_to "$t0" $((2 * LMQT + 600))
MARK[nowithdraw-239.1.1.1]="$t0 $(now_ms)"
check "... still wanted on d1: the upstream querier keeps 239.1.1.1" \
	q up 239.1.1.1 exclude ""
t0=$(now_ms)
echo "leave 239.1.1.1" >&12
timed_since "... the last member (d1, IGMPv3) leaves: the querier's 239.1.1.1 ends within $W" \
	"$t0" "$WITHDRAW" no_q up 239.1.1.1 || ctl up show groups >&2 || true
# The upstream host engine keeps the group until its last TO_IN {} retransmission (robustness
# 2, within the 1 s unsolicited report interval).
timed_since "... and the proxy's u0 lists it no more once its leave retransmissions are done" "$t0" \
	$((WITHDRAW + 1000)) no_up u0 ipv4 239.1.1.1 || true

# ---- 2. IGMPv3 source filters on both links: the RFC 4605 §4.1 merge upstream ----------------
host_versions h0 eth0 3 2
t0=$(now_ms)
echo "filter 232.1.1.1 include $S1" >&11
echo "filter 232.1.1.1 include $S2" >&12
echo "filter 239.1.2.2 exclude $S1" >&11
echo "filter 239.1.2.2 include $S1" >&12
echo "filter 239.1.2.3 exclude $S1,$S2" >&11
echo "filter 239.1.2.3 exclude $S2,$S3" >&12
echo "filter 239.1.2.4 exclude $S1,$S2" >&11
echo "filter 239.1.2.4 include $S2" >&12
# merged GROUP MODE SOURCES DOWNSTREAMS: the proxy's merge on u0 and the querier's state agree.
merged() {
	up u0 ipv4 "$1" "$2" "$3" "$4" && q up "$1" "$2" "$3"
}
timed_since "2. INCLUDE {S1} on d0 + INCLUDE {S2} on d1: upstream INCLUDE {S1, S2}" "$t0" 3000 \
	merged 232.1.1.1 include "$S1,$S2" d0,d1 || true
timed_since "2. EXCLUDE {S1} on d0 + INCLUDE {S1} on d1: upstream EXCLUDE {}" "$t0" 3000 \
	merged 239.1.2.2 exclude "" d0,d1 || true
timed_since "2. EXCLUDE {S1, S2} on d0 + EXCLUDE {S2, S3} on d1: upstream EXCLUDE {S2}" "$t0" 3000 \
	merged 239.1.2.3 exclude "$S2" d0,d1 || true
timed_since "2. EXCLUDE {S1, S2} on d0 + INCLUDE {S2} on d1: upstream EXCLUDE {S1}" "$t0" 3000 \
	merged 239.1.2.4 exclude "$S1" d0,d1 || {
	ctl up show groups >&2
	ctl px show upstream >&2
} || true
t0=$(now_ms)
echo "filter 232.1.1.1 include -" >&12
echo "filter 239.1.2.3 include $S3" >&12
echo "filter 239.1.2.4 include -" >&11
timed_since "2. d1 drops S2 of 232.1.1.1: upstream INCLUDE {S1}, the querier forgets S2" "$t0" \
	"$WITHDRAW" merged 232.1.1.1 include "$S1" d0 || true
timed_since "2. d1 turns to INCLUDE {S3} for 239.1.2.3: upstream EXCLUDE {S1, S2}" "$t0" 3000 \
	merged 239.1.2.3 exclude "$S1,$S2" d0,d1 || true
timed_since "2. the EXCLUDE member of 239.1.2.4 leaves: upstream INCLUDE {S2} (the querier too)" \
	"$t0" "$WITHDRAW" merged 239.1.2.4 include "$S2" d1 || true
for g in 232.1.1.1 239.1.2.2 239.1.2.3 239.1.2.4; do
	echo "filter $g include -" >&11
	echo "filter $g include -" >&12
done

# ---- 5. MLDv2 through the proxy -----------------------------------------------------------
t0=$(now_ms)
echo "join ff05::1:1" >&14
echo "join-source ff3e::1:2 2001:db8::11" >&13
timed_since "5. MLDv2 join on d1: the querier learns ff05::1:1 from the proxy's link-local" "$t0" 2000 \
	qv up ff05::1:1 "(.\"filter-mode\" == \"exclude\") and .version == 2 and
		.\"last-reporter\" == \"$PX_U0_LL\"" || ctl up show groups >&2 || true
timed_since "5. MLDv2 INCLUDE {2001:db8::11} on d0: the querier learns (ff3e::1:2, 2001:db8::11)" \
	"$t0" 2000 q up ff3e::1:2 include 2001:db8::11 || true
check "... the proxy lists ff05::1:1 from d1 on u0 (ipv6)" up u0 ipv6 ff05::1:1 exclude "" d1
check "... and (ff3e::1:2, 2001:db8::11) from d0" up u0 ipv6 ff3e::1:2 include 2001:db8::11 d0
t0=$(now_ms)
echo "leave ff05::1:1" >&14
echo "leave-source ff3e::1:2 2001:db8::11" >&13
timed_since "5. MLDv2 leaves: the querier's ff05::1:1 ends within $W" "$t0" \
	"$WITHDRAW" no_q up ff05::1:1 || true
timed_since "5. ... and (ff3e::1:2, 2001:db8::11) too" "$t0" "$WITHDRAW" no_q up ff3e::1:2 || true

# ---- 6. two upstreams by group ranges -------------------------------------------------------
t0=$(now_ms)
echo "join 239.2.6.6" >&11
echo "join 239.1.6.6" >&11
echo "join 239.3.6.6" >&11
timed_since "6. 239.2.6.6 (range of u1): the second querier learns it" "$t0" 2000 \
	q up2 239.2.6.6 exclude "" || true
timed_since "6. 239.1.6.6 (range of u0): the first querier learns it" "$t0" 2000 \
	q up 239.1.6.6 exclude "" || true
check "6. the proxy lists 239.2.6.6 on u1" up u1 ipv4 239.2.6.6 exclude "" d0
check "... not on u0" no_up u0 ipv4 239.2.6.6
check "... 239.1.6.6 on u0" up u0 ipv4 239.1.6.6 exclude "" d0
check "... not on u1" no_up u1 ipv4 239.1.6.6
check "6. 239.3.6.6 (no range holds it): not on u0" no_up u0 ipv4 239.3.6.6
check "... not on u1" no_up u1 ipv4 239.3.6.6
check "6. the first querier has no 239.2.6.6" no_q up 239.2.6.6
check "... the second no 239.1.6.6" no_q up2 239.1.6.6
check "... neither has 239.3.6.6" eval "no_q up 239.3.6.6 && no_q up2 239.3.6.6"
for g in 239.2.6.6 239.1.6.6 239.3.6.6; do echo "leave $g" >&11; done

# ---- 7. leave hold-down on u1 (2 s) -------------------------------------------------------
t0=$(now_ms)
echo "join 239.2.7.7" >&12
timed_since "7. join 239.2.7.7 on d1: the second querier learns it" "$t0" 2000 \
	q up2 239.2.7.7 exclude "" || true
c0=$(pxcount ipv4 holddown-canceled)
t0=$(now_ms)
echo "leave 239.2.7.7" >&12
timed_since "7. leave: d1's record of 239.2.7.7 is held down after the proxy's LMQT" "$t0" 1500 \
	in_hold u1 239.2.7.7 d1 || true
echo "join 239.2.7.7" >&12
t_rejoin=$(($(now_ms) - t0))
check "... rejoined ${t_rejoin} ms after the leave, within the 2 s hold-down" \
	test "$t_rejoin" -lt "$HOLD"
timed_since "... the hold-down ends with the rejoin (no hold-down left on d1's record)" "$t0" 2500 \
	not_in_hold u1 239.2.7.7 d1 || true
c1=$(pxcount ipv4 holddown-canceled)
check "... the proxy counts the canceled hold-down (holddown-canceled $c0 -> $c1)" \
	test "$c1" -eq $((c0 + 1))
# The querier must hold the group in every answer until well past the hold-down and the
# upstream's LMQT; the capture shows no withdrawal sent in that window (checked at the end).
kept=1
while [ $(($(now_ms) - t0)) -lt $((HOLD + LMQT + 800)) ]; do
	q up2 239.2.7.7 exclude "" || kept=0
	sleep 0.1
done
MARK[nowithdraw-239.2.7.7]="$t0 $(now_ms)"
check "... the second querier kept 239.2.7.7 throughout ($((HOLD + LMQT + 800)) ms)" \
	test "$kept" -eq 1
t0=$(now_ms)
echo "leave 239.2.7.7" >&12
if t=$(within_since "$t0" $((HOLD + WITHDRAW + 1000)) no_q up2 239.2.7.7); then
	check "7. a plain leave: the querier's 239.2.7.7 ends after $t ms, not before the hold-down" \
		test "$t" -ge "$HOLD"
	check "... and within hold-down + $W = $(secs $((HOLD + WITHDRAW)))" \
		test "$t" -le $((HOLD + WITHDRAW))
else
	bad "7. a plain leave: the querier still has 239.2.7.7 after $((HOLD + WITHDRAW + 1000)) ms"
fi
MARK[withdraw-after-hold-239.2.7.7]="$t0 $(now_ms)"

# ---- 9. a reload moves 239.2.0.0/16 from u1 to u0 ----------------------------------------
t0=$(now_ms)
echo "join 239.2.9.9" >&12
timed_since "9. join 239.2.9.9 on d1: the second querier (u1's) learns it" "$t0" 2000 \
	q up2 239.2.9.9 exclude "" || true
cp "$T/px.conf" "$T/px.conf.orig"
sed -i 's|^\tgroups 239.1.0.0/16 |\tgroups 239.1.0.0/16 239.2.0.0/16 |; s|^\tgroups 239.2.0.0/16$|\tgroups 239.4.0.0/16|' \
	"$T/px.conf"
t0=$(now_ms)
t_reload=$t0
check "9. mgmctl reload with 239.2.0.0/16 on u0 and u1 serving 239.4.0.0/16" ctl px reload
timed_since "... the first querier (u0's) learns 239.2.9.9" "$t0" 2000 q up 239.2.9.9 exclude "" ||
	true
timed_since "... the second querier's 239.2.9.9 ends within $W (withdrawn, not left to expire)" \
	"$t0" "$WITHDRAW" no_q up2 239.2.9.9 || ctl up2 show groups >&2 || true
check "... the proxy lists it on u0 only" eval \
	"up u0 ipv4 239.2.9.9 exclude '' d1 && no_up u1 ipv4 239.2.9.9"
echo "leave 239.2.9.9" >&12
timed_since "... left on d1: the first querier's 239.2.9.9 ends within $W" "$(now_ms)" \
	"$WITHDRAW" no_q up 239.2.9.9 || true
cp "$T/px.conf.orig" "$T/px.conf"
MARK[reload-239.2.9.9]="$t_reload $(now_ms)"
check "... the configuration restored (mgmctl reload)" ctl px reload

# ---- 4. an IGMPv2 querier upstream: the proxy reports in v2 -------------------------------
stop_mgmd up up
querier_conf "$T/up.conf" 2
t0=$(now_ms)
start_mgmd up up -f "$T/up.conf"
timed_since "4. the upstream querier restarted as IGMPv2: u0's operating version becomes 2" "$t0" 3000 \
	upj u0 ipv4 '."operating-version" == 2 and ."configured-version" == 3 and
		.querier.version == 2 and ."older-version-querier-present-ms".v2 > 0' ||
	ctl px show upstream >&2 || true
check "... u1 (another querier, IGMPv3) stays in version 3" upj u1 ipv4 '."operating-version" == 3'
check "... MLD on u0 stays version 2" upj u0 ipv6 '."operating-version" == 2'
l0=$(upget u0 ipv4 '.statistics."leaves-sent"')
t0=$(now_ms)
echo "join 239.1.4.4" >&12
timed_since "4. join on d1: the v2 querier learns 239.1.4.4 from an IGMPv2 report of the proxy" "$t0" \
	2000 qv up 239.1.4.4 '.version == 2 and ."last-reporter" == "198.18.1.2"' || true
MARK[v2-join-239.1.4.4]="$t0 $(now_ms)"
t0=$(now_ms)
echo "leave 239.1.4.4" >&12
timed_since "4. leave on d1: the v2 querier's 239.1.4.4 ends within $W" "$t0" \
	"$WITHDRAW" no_q up 239.1.4.4 || true
MARK[v2-leave-239.1.4.4]="$t0 $(now_ms)"
l1=$(upget u0 ipv4 '.statistics."leaves-sent"')
check "... the proxy counts an IGMPv2 leave sent ($l0 -> $l1)" test "$l1" -gt "$l0"

# ---- 8. no querier upstream: the proxy stays silent ---------------------------------------
stop_mgmd up up
t0=$(now_ms)
sleep 4
MARK[no-query]="$t0 $(now_ms)"
check "8. the upstream querier gone: the proxy's u0 keeps running" upj u0 ipv4 \
	'.state == "running"'

# ---- the captures ---------------------------------------------------------------------------
exec 11>&- 12>&- 13>&- 14>&-
for p in "${DUMP_PIDS[@]}"; do
	kill -TERM "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
done
# One line per message, or per group record: time_ms src kind version group record sources.
flat() {
	jq -r '(.time * 1000 | floor) as $t | select(.kind) |
		if .records then .records[] as $r |
			[$t, .src, .kind, .version, $r.group, $r.type_name,
			($r.sources | join(",") | if . == "" then "-" else . end)]
		else [$t, .src, .kind, .version, (.group // "-"), "-", "-"] end | @tsv' "$1"
}
flat "$T/up.jsonl" >"$T/up.tsv" || bad "mgmdump's capture of u0's link is unreadable"
flat "$T/up2.jsonl" >"$T/up2.tsv" || bad "mgmdump's capture of u1's link is unreadable"
# rows FILE FROM TO AWK-CONDITION [G]: the capture's rows in [FROM, TO] ms that match (G: a
# value the condition may use as g).
rows() {
	awk -F '\t' -v a="$2" -v b="$3" -v g="${5:-}" "\$1 >= a && \$1 <= b && ($4)" "$1"
}
# A withdrawal of group g by the proxy: IGMPv2 leave, or a record TO_IN / IS_IN of no source.
wd='($2 == "198.18.1.2" || $2 == "198.18.2.2") && $5 == g && ($3 == "leave" ||
	(($6 == "TO_IN" || $6 == "IS_IN") && $7 == "-"))'

first_q=$(rows "$T/up.tsv" 0 "$t_px" '$3 == "query" && $2 == "198.18.1.1"' | head -1)
check "8. the capture of u0's link began before the proxy started (a querier's query before it)" \
	test -n "$first_q"
n=$(rows "$T/up.tsv" 0 9999999999999 '$3 == "query" && $2 != "198.18.1.1" && $2 != "'"$UP_LL"'"' |
	tee "$T/bad-queries" | wc -l)
check "8. no query on u0's link from anyone but the querier, the whole test ($n)" test "$n" -eq 0
n=$(rows "$T/up2.tsv" 0 9999999999999 '$3 == "query" && ($2 == "198.18.2.2" ||
	$2 == "'"$PX_U1_LL"'")' | wc -l)
check "8. no query on u1's link from the proxy ($n)" test "$n" -eq 0
read -r a b <<<"${MARK[no-query]}"
n=$(rows "$T/up.tsv" "$a" "$b" '$3 == "query"' | wc -l)
check "8. with the querier stopped, no query at all on u0's link for $(((b - a) / 1000)) s ($n)" \
	test "$n" -eq 0
read -r a b <<<"${MARK[nowithdraw-239.1.1.1]}"
n=$(rows "$T/up.tsv" "$a" "$b" "$wd" 239.1.1.1 | wc -l)
check "3. no withdrawal of 239.1.1.1 sent while d1 still wanted it ($n)" test "$n" -eq 0
read -r a b <<<"${MARK[nowithdraw-239.2.7.7]}"
n=$(rows "$T/up2.tsv" "$a" "$b" "$wd" 239.2.7.7 | wc -l)
check "7. no withdrawal of 239.2.7.7 sent for the leave and rejoin within the hold-down ($n)" \
	test "$n" -eq 0
read -r a b <<<"${MARK[withdraw-after-hold-239.2.7.7]}"
w=$(rows "$T/up2.tsv" "$a" "$b" "$wd" 239.2.7.7 | head -1 | cut -f1)
if [ -n "$w" ]; then
	check "7. the proxy's withdrawal of 239.2.7.7 went out $((w - a)) ms after the leave (>= $HOLD)" \
		test $((w - a)) -ge "$HOLD"
else
	bad "7. no withdrawal of 239.2.7.7 captured on u1's link after the plain leave"
fi
read -r a b <<<"${MARK[v2-join-239.1.4.4]}"
n=$(rows "$T/up.tsv" "$a" "$b" '$2 == "198.18.1.2" && $5 == "239.1.4.4" && $3 == "report" &&
	$4 == 2' | wc -l)
m=$(rows "$T/up.tsv" "$a" "$b" '$2 == "198.18.1.2" && $5 == "239.1.4.4" && $4 == 3' | wc -l)
check "4. the join of 239.1.4.4 went upstream as IGMPv2 reports ($n), no IGMPv3 ($m)" \
	test "$n" -ge 1 -a "$m" -eq 0
read -r a b <<<"${MARK[v2-leave-239.1.4.4]}"
n=$(rows "$T/up.tsv" "$a" "$b" '$2 == "198.18.1.2" && $5 == "239.1.4.4" && $3 == "leave" &&
	$4 == 2' | wc -l)
check "4. its withdrawal went upstream as an IGMPv2 leave ($n)" test "$n" -ge 1
read -r a b <<<"${MARK[reload-239.2.9.9]}"
w=$(rows "$T/up2.tsv" "$a" "$b" "$wd" 239.2.9.9 | head -1 | cut -f1)
if [ -n "$w" ]; then
	ok "9. the proxy's withdrawal of 239.2.9.9 on u1's link went out $((w - a)) ms after the reload"
else
	bad "9. no withdrawal of 239.2.9.9 captured on u1's link after the reload"
fi
# Before step 9 moved 239.2.9.9 there (a reload), u0's link carries no group of u1's ranges.
n=$(rows "$T/up.tsv" 0 9999999999999 '$5 ~ /^239\.(2|3)\./ && $5 != "239.2.9.9"' | wc -l)
m=$(rows "$T/up2.tsv" 0 9999999999999 '$3 != "query" && ($5 ~ /^239\.(1|3)\./ ||
	$5 ~ /^232\./ || ($5 ~ /:/ && $5 !~ /^ff02:/))' | wc -l)
check "6. u0's link never carried a group of 239.2/16 or 239.3/16 but the moved 239.2.9.9 ($n), \
u1's none but 239.2/16 ($m)" \
	test "$n" -eq 0 -a "$m" -eq 0

stop_mgmd px px
stop_mgmd up2 up2
if grep -q "runtime error\|AddressSanitizer\|LeakSanitizer" "$T"/*.log; then
	grep -h -A20 "runtime error\|AddressSanitizer\|LeakSanitizer" "$T"/*.log >&2
	bad "a sanitizer reported a problem"
fi
echo "took $(($(date +%s) - t_start)) s"
if ! tally; then
	for n in up up2 px; do
		echo "---- $n.log" >&2
		tail -30 "$T/$n.log" >&2
	done
	exit 1
fi
