#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mgmd as querier (no multicast routing needed) on a bridged LAN with real Linux kernel hosts
# (IGMPv2 + MLDv1, IGMPv3 + MLDv2), timers shortened through its configuration file; every
# assertion reads `mgmctl --json`. Covers: `mgmd -n` on good and bad files; mgmctl without a
# daemon; querier election between two mgmd (the lower address wins, RFC 3376 §6.6.2, RFC 3810
# §7.6.2) and the takeover within the Other Querier Present Interval when the querier stops;
# groups with their filter mode, sources and compatibility mode; removal after a leave within
# the Last Member Query Time and after a silent host vanishes within the Group Membership
# Interval (each measured); reload by SIGHUP and by mgmctl keeping membership, an invalid file
# refused naming file:line; SIGTERM (status 0, socket removed); interfaces that appear late
# (pattern and exact name), go down and up, get their address late, are deleted and
# re-created; every query decoded by tshark (checksums, Router Alert, TTL / hop limit 1).
# Takes mgmd and mgmctl from BUILD_DIR, so a sanitizer build runs the sanitized daemon.
# About 45 s. Usage: test_mgmd_querier.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/lib.sh"
mgmt_require_root "$0"
mgmt_require ip timeout jq tshark dumpcap
mgmd="$build/daemon/mgmd"
mgmctl="$build/tools/mgmctl"
mcjoin="$build/tests/netns/mcjoin"
for p in "$mgmd" "$mgmctl" "$mcjoin"; do
	[ -x "$p" ] || mgmt_fail "build first: no $p"
done
mgmt_init

# Timers (ms): GMI = RV * QI + QRI, LMQT = LMQI * LMQC (LMQC defaults to RV), Other Querier
# Present Interval = RV * QI + QRI / 2 (RFC 3376 §8.4, §8.5, §8.14; RFC 3810 §9.4, §9.5, §9.14).
QI=2000 QRI=1000 LMQI=200 RV=2
GMI=$((RV * QI + QRI))
LMQT=$((LMQI * RV))
OQPI=$((RV * QI + QRI / 2))
T=$MGMT_TMP

# conf FILE NAME [QI_S [RV [EXTRA]]]: a querier stanza for NAME with the test's timers.
conf() {
	cat >"$1" <<EOF
# test_mgmd_querier.sh
interface $2 {
	role querier
	query-interval ${3:-$((QI / 1000))}s
	query-response-interval ${QRI}ms
	last-member-query-interval ${LMQI}ms
	robustness ${4:-$RV}
	${5:-}
}
EOF
}


# ---- mgmd instances: NAME's socket $T/NAME.sock, log $T/NAME.log --------------------------------
declare -A MGMD_PID
# start_mgmd NAME NS ARGS...: mgmd in the foreground inside NS; returns when its socket answers.
start_mgmd() {
	local name=$1 n=$2
	shift 2
	rm -f "$T/$name.sock"
	bg "$n" 120 "$mgmd" -F -v --socket "$T/$name.sock" "$@" >"$T/$name.log" 2>&1
	MGMD_PID[$name]=$MGMT_LAST_PID
	wait_for 10 ctl "$name" show interfaces || {
		sed 's/^/    | /' "$T/$name.log" >&2
		mgmt_fail "mgmd $name did not come up"
	}
}
# mgmd_signal NAME SIG: to mgmd itself, not to the timeout around it.
mgmd_signal() {
	local p
	p=$(pgrep -P "${MGMD_PID[$1]}" -x mgmd) || mgmt_fail "mgmd $1 is not running"
	kill "-$2" "$p"
}
ctl() {
	local name=$1
	shift
	"$mgmctl" --socket "$T/$name.sock" "$@"
}
# jctl NAME JQ-EXPR COMMAND...: mgmctl --json COMMAND through jq -e (status: the expression).
jctl() {
	local name=$1 expr=$2
	shift 2
	ctl "$name" --json "$@" | jq -e "$expr" >/dev/null
}
# group NAME GROUP EXPR: GROUP is listed once by mgmd NAME and EXPR holds for it.
group() {
	ctl "$1" --json show groups | jq -e --arg g "$2" \
		"[.groups[] | select(.\"group-address\" == \$g)] | length == 1 and (.[0] | $3)" \
		>/dev/null
}
no_group() {
	ctl "$1" --json show groups | jq -e --arg g "$2" \
		'[.groups[] | select(."group-address" == $g)] | length == 0' >/dev/null
}
# gget NAME GROUP JQ: a field of a group (empty when the group is not there).
gget() {
	ctl "$1" --json show groups | jq -r --arg g "$2" \
		".groups[] | select(.\"group-address\" == \$g) | $3"
}
# fam NAME IF FAMILY EXPR: EXPR holds for the interface's ipv4 / ipv6 object.
fam() {
	ctl "$1" --json show interfaces | jq -e --arg i "$2" \
		"[.interfaces[] | select(.name == \$i) | .$3] | length == 1 and (.[0] | $4)" \
		>/dev/null
}
fget() {
	ctl "$1" --json show interfaces | jq -r --arg i "$2" \
		".interfaces[] | select(.name == \$i) | .$3"
}
# counter NAME COUNTER [FAMILY]: the sum of a counter's samples (of one family when given).
counter() {
	ctl "$1" --json show stats | jq --arg n "$2" --arg f "${3:-}" \
		'[.counters[] | select(.name == $n and ($f == "" or .labels.family == $f)) |
		.value] | add // 0'
}
# gone_ms NAME T0 LIMIT_MS GROUP...: polls mgmd NAME's groups until each GROUP is gone; prints
# "GROUP ABSENT SEEN DUE" for each, in ms since T0 (epoch ms): the first answer without it, the
# last one with it, and when that one's timer said it would go (SEEN + its expire, the latest of
# its sources' in INCLUDE mode; "-" without timer). A loaded machine answers slowly; DUE is
# exact whatever the polling rate. ABSENT is "-" when GROUP is still there after LIMIT_MS.
gone_ms() {
	local name=$1 t0=$2 limit=$3 json t g e left
	local -A absent=() seen=() due=() now=()
	shift 3
	while :; do
		json=$(ctl "$name" --json show groups) || continue
		t=$(($(now_ms) - t0))
		now=()
		while read -r g e; do
			now[$g]=$e
		done < <(jq -r '.groups[] | "\(."group-address") \(.expire //
			([.source[].expire | numbers] | max) // "-")"' <<<"$json")
		left=0
		for g in "$@"; do
			[ -z "${absent[$g]:-}" ] || continue
			if [ -n "${now[$g]:-}" ]; then
				seen[$g]=$t
				e=${now[$g]}
				if [ "$e" = - ]; then
					due[$g]=-
				else
					due[$g]=$((t + $(awk -v e="$e" 'BEGIN { printf "%d", e * 1000 }')))
				fi
				left=$((left + 1))
			else
				absent[$g]=$t
			fi
		done
		if [ "$left" -eq 0 ] || [ "$t" -gt "$limit" ]; then
			break
		fi
		sleep 0.01
	done
	for g in "$@"; do
		echo "$g ${absent[$g]:--} ${seen[$g]:--} ${due[$g]:--}"
	done
}
# between VALUE LOW HIGH
between() {
	[ "$1" -ge "$2" ] && [ "$1" -le "$3" ]
}
# sleep_until T0 MS: sleeps until MS ms after T0 (epoch ms), if that is still to come.
sleep_until() {
	local left=$(($1 + $2 - $(now_ms)))
	[ "$left" -le 0 ] || sleep "$(awk -v l="$left" 'BEGIN { printf "%.3f", l / 1000 }')"
}
lladdr() {
	ns "$1" ip -6 -o addr show dev "${2:-eth0}" scope link | awk '{print $4}' | cut -d/ -f1
}

# ---- mgmd -n and mgmctl without a daemon (no namespace needed) --------------------------------
conf "$T/good.conf" eth0
rc=0
"$mgmd" -n -f "$T/good.conf" >"$T/n.out" 2>&1 || rc=$?
check "mgmd -n on a good file: status 0 ($(head -1 "$T/n.out"))" test "$rc" -eq 0
conf "$T/bad.conf" eth0 2 0 # robustness 0, on line 7
rc=0
"$mgmd" -n -f "$T/bad.conf" >"$T/n.out" 2>&1 || rc=$?
echo "mgmd -n bad.conf: $(head -1 "$T/n.out")"
check "mgmd -n on a bad value: status 1" test "$rc" -eq 1
check "its error names bad.conf:7 and robustness" grep -q "bad.conf:7: .*robustness" "$T/n.out"
printf 'interface eth0 {\n\trole querier\n\tquery-interval 2\n}\n' >"$T/bad2.conf"
rc=0
"$mgmd" -n -f "$T/bad2.conf" >"$T/n.out" 2>&1 || rc=$?
echo "mgmd -n bad2.conf: $(head -1 "$T/n.out")"
check "mgmd -n on a time without unit: status 1, bad2.conf:3 named" \
	sh -c "[ $rc -eq 1 ] && grep -q 'bad2.conf:3: .*query-interval' '$T/n.out'"
conf "$T/bad3.conf" eth0 2 2 "query-response-interval 3s"
rc=0
"$mgmd" -n -f "$T/bad3.conf" >"$T/n.out" 2>&1 || rc=$?
echo "mgmd -n bad3.conf: $(head -1 "$T/n.out")"
check "mgmd -n on an option given twice: status 1, bad3.conf:8 named" \
	sh -c "[ $rc -eq 1 ] && grep -q 'bad3.conf:8:' '$T/n.out'"

rc=0
"$mgmctl" --socket "$T/none.sock" show groups >"$T/c.out" 2>&1 || rc=$?
echo "mgmctl without daemon: $(head -1 "$T/c.out")"
check "mgmctl without a daemon: status 1" test "$rc" -eq 1
check "its error names the socket and asks whether mgmd runs" \
	grep -q "cannot connect to $T/none.sock: No such file or directory (is mgmd running" \
	"$T/c.out"

# ---- the LAN: a bridge without snooping; two mgmd, three kernel hosts ---------------------------
ns_add sw
bridge_add sw br0
i=0
for spec in "q1 0 0 198.18.0.1" "q2 0 0 198.18.0.2" "h2 2 1 198.18.0.12" "h3 3 2 198.18.0.13" \
	"h4 3 2 198.18.0.14"; do
	read -r h igmp mld a4 <<<"$spec"
	i=$((i + 1))
	ns_add "$h"
	veth_add "$h" eth0 sw "p$i"
	bridge_port sw br0 "p$i"
	host_versions "$h" eth0 "$igmp" "$mld"
	addr_add "$h" eth0 "$a4/24"
done
# Fixed link-local addresses for the routers (EUI-64 of the MAC): fe80::ff:fe00:1 and :2.
for i in 1 2; do
	ns "q$i" ip link set eth0 down
	ns "q$i" ip link set eth0 address "02:00:00:00:00:0$i"
	ns "q$i" ip link set eth0 up
done
for h in q1 q2 h2 h3 h4; do
	wait_for 5 sh -c "ip netns exec $(mgmt_ns_name $h) ip -6 addr show dev eth0 scope link |
		grep -q fe80" || mgmt_fail "$h got no link-local address"
done
[ "$(lladdr q1)" = fe80::ff:fe00:1 ] || mgmt_fail "q1's link-local is $(lladdr q1)"
capture_start sw br0 "$T/lan.pcapng" 100

# ---- election: q2 (higher addresses) first, then q1 takes over ---------------------------------
conf "$T/q1.conf" eth0
conf "$T/q2.conf" eth0
start_mgmd q2 q2 -f "$T/q2.conf"
q2_alone() {
	fam q2 eth0 ipv4 .querier && fam q2 eth0 ipv6 .querier
}
within_since "$(now_ms)" 3000 q2_alone >/dev/null || bad "q2 alone is not querier"
t0=$(now_ms)
start_mgmd q1 q1 -f "$T/q1.conf"
elected() {
	fam q1 eth0 ipv4 '.querier and ."querier-address" == "198.18.0.1"' &&
		fam q1 eth0 ipv6 '.querier and ."querier-address" == "fe80::ff:fe00:1"' &&
		fam q2 eth0 ipv4 '(.querier | not) and ."querier-address" == "198.18.0.1" and
			."other-querier-present-timer" != null' &&
		fam q2 eth0 ipv6 '(.querier | not) and ."querier-address" == "fe80::ff:fe00:1"'
}
if t=$(within_since "$t0" 3000 elected); then
	ok "election: q1 (198.18.0.1, fe80::ff:fe00:1) is querier, q2 defers to it, $t ms after q1's start"
else
	bad "election: q1 did not win within 3 s"
	ctl q1 --json show interfaces >&2 || true
	ctl q2 --json show interfaces >&2 || true
fi

# ---- hosts join ------------------------------------------------------------------------------------
host() {
	ns_pipe "$1" "$3" 100 "$mcjoin" "$2" -q -t 100 -i eth0 -
}
host h2 -4 11
host h2 -6 12
host h3 -4 13
host h3 -6 14
host h4 -4 15
host h4 -6 16
S=198.18.0
echo "join 239.1.1.2" >&11
echo "join 239.1.1.5" >&11
echo "join ff05::1:2" >&12
echo "filter 239.1.1.3 include $S.21,$S.22" >&13
echo "filter 239.1.1.4 exclude $S.23" >&13
echo "join 239.1.1.5" >&13
echo "join-source ff3e::1:3 2001:db8::21" >&14
echo "filter ff05::1:4 exclude 2001:db8::23" >&14
echo "join 239.1.1.6" >&15
echo "join ff05::1:6" >&16
t0=$(now_ms)
H2LL=$(lladdr h2) H3LL=$(lladdr h3)
# shellcheck disable=SC2016 # jq's own variables
joined() {
	group q1 239.1.1.2 '."filter-mode" == "exclude" and .version == 2 and .source == [] and
		."last-reporter" == "198.18.0.12" and .expire > 0 and .family == "ipv4" and
		.interface == "eth0"' &&
		group q1 ff05::1:2 "(.\"filter-mode\" == \"exclude\") and .version == 1 and
			.\"last-reporter\" == \"$H2LL\"" &&
		group q1 239.1.1.3 '."filter-mode" == "include" and .version == 3 and
			([.source[]."source-address"] | sort) == ["198.18.0.21", "198.18.0.22"] and
			all(.source[]; .forwarding and .expire > 0)' &&
		group q1 239.1.1.4 '."filter-mode" == "exclude" and .version == 3 and
			[.source[] | ."source-address", .forwarding] == ["198.18.0.23", false]' &&
		group q1 239.1.1.5 '."filter-mode" == "exclude" and .version == 2' &&
		group q1 ff3e::1:3 "(.\"filter-mode\" == \"include\") and .version == 2 and
			[.source[].\"source-address\"] == [\"2001:db8::21\"] and
			.\"last-reporter\" == \"$H3LL\"" &&
		group q1 ff05::1:4 '."filter-mode" == "exclude" and .version == 2 and
			[.source[] | ."source-address", .forwarding] == ["2001:db8::23", false]' &&
		group q1 239.1.1.6 '."filter-mode" == "exclude" and .version == 3' &&
		group q1 ff05::1:6 '."filter-mode" == "exclude" and .version == 2'
}
if t=$(within_since "$t0" 4000 joined); then
	ok "joins: every group with its filter mode, sources and compatibility mode after $t ms"
else
	bad "joins: the groups are not as expected"
	ctl q1 --json show groups >&2 || true
fi
check "q2 (not querier) learned the groups too" \
	group q2 239.1.1.3 '."filter-mode" == "include" and (.source | length) == 2'
ctl q1 show groups | sed 's/^/    | /'

# ---- hold past GMI while h4 vanishes silently ----------------------------------------------------
# h4's port leaves the bridge: its answers no longer reach anyone, and it never says goodbye.
gq0=$(counter q1 mgmd_general_queries_sent_total)
ns sw ip link set p5 nomaster
t0=$(now_ms)
json=$(ctl q1 --json show groups)
te=$(($(now_ms) - t0))
e4=$(jq -r '.groups[] | select(."group-address" == "239.1.1.6") | .expire' <<<"$json")
e6=$(jq -r '.groups[] | select(."group-address" == "ff05::1:6") | .expire' <<<"$json")
echo "h4 cut off; $te ms later mgmd says 239.1.1.6 expires in $e4 s, ff05::1:6 in $e6 s" \
	"(GMI $GMI ms)"
exp_ms() {
	awk -v e="$1" 'BEGIN { printf "%d", e * 1000 }'
}
gone_ms q1 "$t0" $((GMI + 1500)) 239.1.1.6 ff05::1:6 >"$T/gone"
for spec in "239.1.1.6 $e4" "ff05::1:6 $e6"; do
	read -r g e <<<"$spec"
	e=$((te + $(exp_ms "$e")))
	read -r _ absent seen due < <(grep "^$g " "$T/gone")
	if [ "$absent" = - ]; then
		bad "silent host: $g still there $((GMI + 1500)) ms after h4 went silent"
		continue
	fi
	echo "silent host: $g removed $due ms after h4 went silent by its last timer" \
		"(seen at $seen, absent at $absent; the timer at the cut said $e ms, GMI $GMI ms)"
	check "silent host: $g's timer at the cut is at most GMI" test "$e" -le $((GMI + te))
	check "silent host: $g's timer ran down untouched (due $due ms, at the cut $e ms)" \
		between "$due" $((e - 100)) $((e + 100))
	check "silent host: $g removed on time (absent at $absent ms, due $due ms)" \
		between "$absent" $((due - 50)) $((due + 1000))
done
# The others live on only because h2 and h3 answer the general queries.
sleep_until "$t0" $((GMI + 1000))
for g in 239.1.1.2 ff05::1:2 239.1.1.3 239.1.1.4 239.1.1.5 ff3e::1:3 ff05::1:4; do
	group q1 "$g" true || bad "hold: $g lost after $(($(now_ms) - t0)) ms (> GMI)"
done
gq=$(($(counter q1 mgmd_general_queries_sent_total) - gq0))
check "hold: the groups of the answering hosts survive GMI; $gq general queries sent meanwhile" \
	test "$gq" -ge 4

# ---- leaves: gone within the Last Member Query Time -----------------------------------------------
sq0=$(($(counter q1 mgmd_group_queries_sent_total) + $(counter q1 mgmd_group_source_queries_sent_total)))
t0=$(now_ms)
echo "leave 239.1.1.2" >&11
echo "leave 239.1.1.5" >&11
echo "leave ff05::1:2" >&12
echo "leave 239.1.1.3" >&13
echo "leave ff05::1:4" >&14
gone_ms q1 "$t0" $((LMQT + 3000)) 239.1.1.2 ff05::1:2 239.1.1.3 ff05::1:4 >"$T/gone"
for spec in "239.1.1.2 IGMPv2 leave" "ff05::1:2 MLDv1 done" \
	"239.1.1.3 IGMPv3 BLOCK of the INCLUDE sources" "ff05::1:4 MLDv2 TO_IN({}) from EXCLUDE"; do
	read -r g how <<<"$spec"
	read -r _ absent seen due < <(grep "^$g " "$T/gone")
	if [ "$absent" = - ]; then
		bad "leave ($how): $g still there $((LMQT + 3000)) ms after the leave"
		continue
	fi
	# A poll slower than LMQT has no answer inside it: then only 'absent' bounds it.
	if [ "$due" = - ] || [ "$due" -gt $((LMQT + 1000)) ]; then
		check "leave ($how): $g gone by $absent ms (LMQT $LMQT ms; polls too slow for more)" \
			test "$absent" -le $((LMQT + 1500))
		continue
	fi
	check "leave ($how): $g removed $due ms after the leave by its timer, LMQT $LMQT ms (seen at $seen, absent at $absent)" \
		between "$due" $((LMQT - 50)) $((LMQT + 400))
	check "leave ($how): $g removed when its timer ran out (absent at $absent ms)" \
		between "$absent" $((due - 50)) $((due + 1000))
done
sleep_until "$t0" $((LMQT + 1500))
check "leave: 239.1.1.5 stays, h3 still wants it" group q1 239.1.1.5 true
sq=$(($(counter q1 mgmd_group_queries_sent_total) + $(counter q1 mgmd_group_source_queries_sent_total) -
	sq0))
check "leave: $sq group(-and-source)-specific queries sent (at least LMQC = $RV per leave)" \
	test "$sq" -ge $((4 * RV))

# ---- the querier stops: q2 takes over within the Other Querier Present Interval --------------------
o4=$(fget q2 eth0 'ipv4."other-querier-present-timer"')
o6=$(fget q2 eth0 'ipv6."other-querier-present-timer"')
t0=$(now_ms)
echo "q1 stopped at $t0"
mgmd_signal q1 TERM
rc=0
wait "${MGMD_PID[q1]}" || rc=$?
check "SIGTERM: mgmd q1 exits with status 0" test "$rc" -eq 0
check "SIGTERM: its control socket is removed" test ! -e "$T/q1.sock"
rc=0
ctl q1 show interfaces >"$T/c.out" 2>&1 || rc=$?
check "mgmctl against the stopped daemon: status 1, a clear error ($(head -1 "$T/c.out"))" \
	sh -c "[ $rc -eq 1 ] && grep -q 'cannot connect to $T/q1.sock.*is mgmd running' '$T/c.out'"
# Both families polled in the same rounds.
t4=- t6=-
while [ "$t4" = - ] || [ "$t6" = - ]; do
	json=$(ctl q2 --json show interfaces eth0) || json=""
	t=$(($(now_ms) - t0))
	[ "$t4" != - ] || ! jq -e '.interfaces[0].ipv4.querier' <<<"$json" >/dev/null || t4=$t
	[ "$t6" != - ] || ! jq -e '.interfaces[0].ipv6.querier' <<<"$json" >/dev/null || t6=$t
	[ "$t" -le $((OQPI + 2000)) ] || break
	sleep 0.02
done
for spec in "ipv4 $o4 $t4" "ipv6 $o6 $t6"; do
	read -r f o t <<<"$spec"
	if [ "$t" != - ]; then
		check "takeover ($f): q2 querier $t ms after q1 stopped (its timer said $o s; OQPI $OQPI ms)" \
			between "$t" $((OQPI - QI - 500)) $((OQPI + 500))
	else
		bad "takeover ($f): q2 not querier $((OQPI + 2000)) ms after q1 stopped"
	fi
done
check "q2 now names itself querier" fam q2 eth0 ipv4 '."querier-address" == "198.18.0.2"'

# ---- reload (on q2, now the querier): membership kept, invalid file refused --------------------
# The takeover itself may end a membership and re-create it: the hosts' last answers to q1 can
# be up to QRI/2 older than GMI when q2's first query is answered (OQPI = GMI - QRI/2, RFC 3376
# §8.5; a host's random delay decides). The count starts once that query is answered.
sleep $(((QRI + 300) / 1000)).$(((QRI + 300) % 1000 / 100))
added0=$(counter q2 mgmd_groups_added_total)
reloads0=$(counter q2 mgmd_reloads_total)
conf "$T/q2.conf" eth0 3
mgmd_signal q2 HUP
t0=$(now_ms)
if t=$(within_since "$t0" 2000 fam q2 eth0 ipv4 '."query-interval" == 3'); then
	ok "SIGHUP: query-interval 3 s in force after $t ms"
else
	bad "SIGHUP: query-interval not changed"
fi
check "SIGHUP: counted in mgmd_reloads_total" test "$(counter q2 mgmd_reloads_total)" -eq $((reloads0 + 1))
conf "$T/q2.conf" eth0 3 3
rc=0
ctl q2 reload >"$T/r.out" 2>&1 || rc=$?
check "mgmctl reload: status 0" test "$rc" -eq 0
check "mgmctl reload: robustness 3 in force" fam q2 eth0 ipv6 '."robustness-variable" == 3'
kept() {
	group q2 239.1.1.5 true && group q2 ff3e::1:3 true &&
		[ "$(counter q2 mgmd_groups_added_total)" -eq "$added0" ]
}
if kept; then
	ok "reloads: membership kept (239.1.1.5, ff3e::1:3 still there, no group re-created)"
else
	bad "reloads: membership kept (239.1.1.5, ff3e::1:3 still there, no group re-created)"
	echo "    groups added: $added0 before the reloads, $(counter q2 mgmd_groups_added_total) after"
	ctl q2 show groups | sed 's/^/    | /'
fi
conf "$T/q2.conf" eth0 2 2 "last-member-query-interval 5" # line 8: twice, and no unit
rc=0
ctl q2 reload >"$T/r.out" 2>&1 || rc=$?
echo "mgmctl reload of an invalid file: $(head -1 "$T/r.out")"
check "mgmctl reload of an invalid file: status 1, the error names q2.conf:8" \
	sh -c "[ $rc -eq 1 ] && grep -q '^mgmctl: .*q2.conf:8' '$T/r.out'"
fail0=$(counter q2 mgmd_reload_failures_total)
mgmd_signal q2 HUP
refused() {
	[ "$(counter q2 mgmd_reload_failures_total)" -gt "$fail0" ]
}
wait_for 2 refused ||
	bad "SIGHUP with an invalid file: not counted as a refused reload"
check "invalid file: the running configuration stays (query-interval 3, robustness 3)" \
	fam q2 eth0 ipv4 '."query-interval" == 3 and ."robustness-variable" == 3'
check "invalid file: the log says the reload was refused and names q2.conf:8" \
	grep -q "reload refused.*q2.conf:8" "$T/q2.log"
check "invalid file: membership kept" group q2 239.1.1.5 true

# ---- interfaces that come late, go down, get an address late, are deleted and re-created -------
ns_add late
conf "$T/late.conf" 'veth*'
conf "$T/lan9.conf" lan9
tail -n +2 "$T/lan9.conf" >>"$T/late.conf"
start_mgmd late late -f "$T/late.conf"
check "late: lan9 (exact name, absent) is shown as waited for" \
	jctl late '.interfaces[] | select(.name == "lan9") | ."oper-status" == "absent" and
		(.problems[0] | test("does not exist"))' show interfaces
# mk_host NS IF ADDR4: a host namespace behind veth IF of the mgmd namespace 'late'.
mk_host() {
	ip -n "$(mgmt_ns_name late)" link add "$2" type veth peer name eth0 netns "$(mgmt_ns_name "$1")"
	host_versions "$1" eth0 3 2
	addr_add "$1" eth0 "$3/24"
	ns late ip link set "$2" up
	ns "$1" ip link set eth0 up
}
ns_add ha
t0=$(now_ms)
mk_host ha vethA 198.18.5.2
addr_add late vethA 198.18.5.1/24
host ha -4 21
host ha -6 22
echo "join 239.5.5.1" >&21
echo "join ff05::5:1" >&22
served_a() {
	group late 239.5.5.1 '.interface == "vethA"' && group late ff05::5:1 true &&
		fam late vethA ipv4 '.querier and .address == "198.18.5.1"'
}
if t=$(within_since "$t0" 5000 served_a); then
	ok "late: vethA (pattern veth*) created after start is served: querier, groups learned in $t ms"
else
	bad "late: vethA not served"
	ctl late --json show interfaces >&2 || true
fi
ifindex0=$(fget late vethA ifindex)

ns late ip link set vethA down
t0=$(now_ms)
if t=$(within_since "$t0" 2000 jctl late '.interfaces[] | select(.name == "vethA") |
	."oper-status" == "down"' show interfaces); then
	ok "link down: vethA shown down after $t ms"
else
	bad "link down: vethA not shown down"
fi
echo "link down: groups on vethA meanwhile: $(ctl late --json show groups vethA |
	jq -c '[.groups[]."group-address"]')"
ns late ip link set vethA up
t0=$(now_ms)
served_again() {
	fam late vethA ipv4 .querier && group late 239.5.5.1 true
}
if t=$(within_since "$t0" $((QI + QRI + 2000)) served_again); then
	ok "link up: vethA querier again, 239.5.5.1 learned again $t ms after the link came up"
else
	bad "link up: vethA not served again"
fi

ns_add hb
mk_host hb lan9 198.18.6.2
t0=$(now_ms)
if t=$(within_since "$t0" 3000 fam late lan9 ipv4 '(.querier | not) and .address == null'); then
	ok "no address: lan9 (exact name) appears, IPv4 not querier without an address ($t ms)"
else
	bad "no address: lan9's IPv4 state unexpected"
	ctl late --json show interfaces lan9 >&2 || true
fi
check "no address: mgmctl names the problem" jctl late '.interfaces[] | select(.name == "lan9") |
	any(.problems[]; test("IPv4.*no IPv4 address"))' show interfaces
check "no address: MLD runs on the link-local address meanwhile" \
	fam late lan9 ipv6 ".querier and .address == \"$(lladdr late lan9)\""
addr_add late lan9 198.18.6.1/24
t0=$(now_ms)
if t=$(within_since "$t0" 2000 fam late lan9 ipv4 '.querier and .address == "198.18.6.1"'); then
	ok "address added: lan9 IPv4 querier $t ms after 198.18.6.1 was added"
else
	bad "address added: lan9 IPv4 not querier"
fi

ns late ip link del vethA
t0=$(now_ms)
gone_a() {
	no_group late 239.5.5.1 &&
		jctl late '[.interfaces[] | select(.name == "vethA")] == []' show interfaces
}
if t=$(within_since "$t0" 2000 gone_a); then
	ok "deleted: vethA and its groups gone after $t ms"
else
	bad "deleted: vethA still shown"
fi
exec 21>&- 22>&-
t0=$(now_ms)
mk_host ha vethA 198.18.5.2
addr_add late vethA 198.18.5.1/24
host ha -4 23
echo "join 239.5.5.1" >&23
if t=$(within_since "$t0" 5000 served_again); then
	ok "re-created: vethA served again, group learned $t ms after it was re-created" \
		"(ifindex $ifindex0 -> $(fget late vethA ifindex))"
else
	bad "re-created: vethA not served"
fi

# ---- every query on the LAN is mgmd's: tshark decodes each cleanly ----------------------------
capture_stop
tshark -r "$T/lan.pcapng" -o ip.check_checksum:TRUE \
	-Y 'igmp.type == 0x11 || icmpv6.type == 130' -T fields -E separator=';' \
	-e frame.number -e ip.src -e ipv6.src -e ip.ttl -e ipv6.hlim -e ip.checksum.status \
	-e igmp.checksum.status -e icmpv6.checksum.status -e ip.opt.type -e ipv6.opt.type \
	-e ip.dsfield.dscp -e igmp.maddr -e icmpv6.mld.multicast_address -e _ws.malformed \
	-e _ws.expert.severity -e ipv6.tclass.dscp >"$T/queries.txt" 2>"$T/tshark.err" ||
	mgmt_fail "tshark failed: $(cat "$T/tshark.err")"
# Fields: 1 frame, 2 ip.src, 3 ipv6.src, 4 ttl, 5 hlim, 6 ip cksum, 7 igmp cksum, 8 icmpv6 cksum,
# 9 IPv4 option types, 10 IPv6 option types, 11 IPv4 DSCP, 12/13 group, 14 malformed,
# 15 expert, 16 IPv6 DSCP.
# Checksum status 1 is "good"; option type 148 is IPv4 Router Alert, IPv6 Hop-by-Hop option 5.
awk -F';' '
	$2 != "" { v4++; if ($4 != 1 || $6 != 1 || $7 != 1 || $9 !~ /(^|,)148(,|$)/ || $11 != 48) bad4++
		if ($12 != "0.0.0.0") gs4++ }
	$3 != "" { v6++; if ($5 != 1 || $8 != 1 || $10 !~ /(^|,)(5|0x05)(,|$)/ || $16 != 48) bad6++
		if ($13 != "::") gs6++ }
	$14 != "" || $15 ~ /[0-9]/ { odd++ }
	END { printf "%d %d %d %d %d %d %d\n", v4, bad4, v6, bad6, gs4, gs6, odd }' \
	"$T/queries.txt" >"$T/q.sum"
read -r v4 bad4 v6 bad6 gs4 gs6 odd <"$T/q.sum"
echo "tshark: $v4 IGMP queries ($gs4 group-specific), $v6 MLD queries ($gs6 group-specific)"
check "tshark: IGMP queries sent" test "$v4" -ge 10 -a "$gs4" -ge 4
check "tshark: MLD queries sent" test "$v6" -ge 10 -a "$gs6" -ge 2
check "tshark: every IGMP query with TTL 1, Router Alert, DSCP CS6, good IP and IGMP checksums" \
	test "$bad4" -eq 0
check "tshark: every MLD query with hop limit 1, Router Alert, DSCP CS6, good ICMPv6 checksum" \
	test "$bad6" -eq 0
check "tshark: no query malformed or with an expert remark" test "$odd" -eq 0
if [ "$((bad4 + bad6 + odd))" -ne 0 ]; then
	head -20 "$T/queries.txt" | sed 's/^/    | /'
fi

# ---- the end: SIGTERM for the others, no sanitizer report -------------------------------------
for name in q2 late; do
	mgmd_signal "$name" TERM
	rc=0
	wait "${MGMD_PID[$name]}" || rc=$?
	check "SIGTERM: mgmd $name exits with status 0, socket removed" \
		test "$rc" -eq 0 -a ! -e "$T/$name.sock"
done
for name in q1 q2 late; do
	if grep -qE 'runtime error|Sanitizer|LeakSanitizer' "$T/$name.log"; then
		bad "sanitizer report from mgmd $name"
		grep -E -A20 'runtime error|Sanitizer' "$T/$name.log" | head -40 | sed 's/^/    | /'
	fi
done
if [ "$MGMT_FAILED" -ne 0 ]; then
	for name in q1 q2 late; do
		echo "---- mgmd $name log (last lines)"
		tail -25 "$T/$name.log" | sed 's/^/    | /'
	done
fi
tally
