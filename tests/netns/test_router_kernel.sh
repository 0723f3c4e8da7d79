#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# libmgm's router engine (routerlab, querier for IGMP and MLD) against real Linux kernel hosts on
# a bridge: an IGMPv2/MLDv1 host and an IGMPv3/MLDv2 host join and leave (any-source, SSM,
# EXCLUDE with a source). Checks the forwarding changes, that membership survives several query
# intervals only because the kernels answer our queries, the last-member queries and withdrawal
# on leave (RFC 3376 §6.4.2, §6.6.3; RFC 3810 §7.4, §7.6.3), and the group compatibility mode
# with an older host present (RFC 3376 §7.3.2, RFC 3810 §8.3.2). Reads routerlab's --json
# output through routerlab_events.py. About 12 s.
# Usage: test_router_kernel.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/lib.sh"
mgmt_require_root "$0"
mgmt_require ip timeout python3
mcjoin="$build/tests/netns/mcjoin"
routerlab="$build/tests/netns/routerlab"
[ -x "$routerlab" ] || mgmt_fail "build first: no $routerlab"
mgmt_init

# Engine timers (ms). GMI = RV * QI + QRI = 5 s; LMQT = LMQI * LMQC = 0.6 s.
QI=2000 QRI=1000 LMQI=300 RV=2
LMQT=$((LMQI * RV))
GMI=$((RV * QI + QRI))

# sw holds the bridge (no snooping: everything floods); router and the hosts hang off it.
ns_add sw
bridge_add sw br0
i=0
for spec in "router 3 2 198.18.0.1" "old 2 1 198.18.0.2" "new 3 2 198.18.0.3"; do
	read -r h igmp mld a4 <<<"$spec"
	i=$((i + 1))
	ns_add "$h"
	veth_add "$h" eth0 sw "p$i"
	bridge_port sw br0 "p$i"
	host_versions "$h" eth0 "$igmp" "$mld"
	addr_add "$h" eth0 "$a4/24"
done
for h in router old new; do
	wait_for 5 sh -c "ip netns exec $(mgmt_ns_name $h) ip -6 addr show dev eth0 scope link |
		grep -q fe80" || mgmt_fail "$h got no link-local address"
done

out="$MGMT_TMP/routerlab.out"
bg router 40 "$routerlab" -4 -6 -i eth0 --seconds 35 --qi $QI --qri $QRI --lmqi $LMQI \
	--rv $RV --json >"$out" 2>&1
lab=$MGMT_LAST_PID

show() {
	sed 's/^/    | /' "$out" >&2
}
fail() {
	show
	mgmt_fail "$*"
}
events_start "$out"
labpid() {
	ns_pid router routerlab || fail "routerlab is not running"
}
# tables: how many membership tables routerlab printed (the MLD one comes last).
tables() {
	count 0 event=table_end proto=mld
}
# table: asks routerlab for its membership table and waits until both families printed it.
table() {
	local before
	before=$(tables)
	kill -USR1 "$(labpid)"
	wait_for 3 more_tables "$before" || fail "routerlab printed no table"
}
more_tables() {
	[ "$(tables)" -gt "$1" ]
}
# row SET [/ SET]...: each set matches a row of the last table (per protocol); no_row: none.
row() {
	ev --last-table any "$@"
}
no_row() {
	ev --last-table none "$@"
}
Q4="event=query proto=igmp version=3" Q6="event=query proto=mld version=2"

# shellcheck disable=SC2086
expect 5 0 $Q4 general=true / $Q6 general=true
echo "routerlab is querier for IGMPv3 and MLDv2 on eth0"

# One mcjoin per host and family, steps fed through a pipe so memberships stay up.
host() {
	ns_pipe "$1" "$3" 40 "$mcjoin" "$2" -q -t 40 -i eth0 -
}
host old -4 11
host old -6 12
host new -4 13
host new -6 14

echo "join 239.2.0.1" >&11
echo "join 239.5.5.5" >&11
echo "join ff05::2:1" >&12
echo "join ff05::5:5" >&12
echo "join-source 232.3.0.1 198.18.0.9" >&13
echo "join-source 232.3.0.1 198.18.0.10" >&13
echo "filter 239.3.0.2 exclude 198.18.0.66" >&13
echo "join 239.5.5.5" >&13
echo "join-source ff3e::3:1 2001:db8::9" >&14
echo "filter ff05::3:2 exclude 2001:db8::66" >&14
echo "join ff05::5:5" >&14

# IGMPv2 / MLDv1 any-source joins: (*,G). IGMPv3 / MLDv2 SSM INCLUDE: (S,G) per source, never
# (*,G) (RFC 4604 §2.2.1). EXCLUDE {S}: (*,G) forwarded, (S,G) blocked.
F="event=fwd change=+"
# shellcheck disable=SC2086
expect 5 0 $F group=239.2.0.1 any_source=true / $F group=ff05::2:1 any_source=true \
	/ $F group=232.3.0.1 source=198.18.0.9 / $F group=232.3.0.1 source=198.18.0.10 \
	/ $F group=ff3e::3:1 source=2001:db8::9 \
	/ $F group=239.3.0.2 any_source=true / event=fwd change=block group=239.3.0.2 \
	source=198.18.0.66 / $F group=ff05::3:2 any_source=true / event=fwd change=block \
	group=ff05::3:2 source=2001:db8::66 \
	/ $F group=239.5.5.5 any_source=true / $F group=ff05::5:5 any_source=true
none 0 event=fwd group=232.3.0.1 any_source=true to=forward ||
	fail "(*,G) forwarded for an SSM group"
echo "joins: (*,G) for v2/MLDv1, (S,G) for SSM, (*,G) + block for EXCLUDE {S}"

# Hold well past GMI: the kernels' unsolicited reports are long spent, so the groups live on
# only because the hosts answer our general queries.
mark=$(lines)
sleep $(((GMI + 2000) / 1000))
# shellcheck disable=SC2086
read -r queries4 queries6 <<<"$(count "$mark" $Q4 general=true / $Q6 general=true)"
[ "$queries4" -ge 3 ] && [ "$queries6" -ge 3 ] ||
	fail "only $queries4 IGMP / $queries6 MLD general queries in $((GMI + 2000)) ms"
none "$mark" event=fwd "change=-|unblock" ||
	fail "forwarding withdrawn while every host stayed joined"
table
# Every group is there. A v2 host and a v3 host on one group: IGMPv2 compatibility (RFC 3376
# §7.3.2); MLDv1 with an MLDv1 host (RFC 3810 §8.3.2). The older host timer keeps running from
# their answers.
G=event=group
row $G group=239.2.0.1 / $G group=ff05::2:1 / $G group=ff3e::3:1 / $G group=ff05::3:2 \
	/ $G group=239.5.5.5 mode=exclude compat=2 / $G group=ff05::5:5 mode=exclude compat=1 \
	/ $G group=239.3.0.2 mode=exclude compat=3 \
	/ event=source group=239.3.0.2 source=198.18.0.66 timer_ms=-1 fwd=block \
	/ $G group=232.3.0.1 mode=include compat=3 num_sources=2 ||
	fail "the table after $GMI ms is not as expected"
no_row event=drop reason=malformed || fail "routerlab saw malformed messages from Linux"
echo "hold: $queries4 IGMP and $queries6 MLD general queries answered; nothing withdrawn;" \
	"239.5.5.5 in IGMPv2 and ff05::5:5 in MLDv1 compatibility mode"

# Leaves, all at once.
mark=$(lines)
echo "leave 239.2.0.1" >&11
echo "leave 239.5.5.5" >&11
echo "leave ff05::2:1" >&12
echo "leave ff05::5:5" >&12
echo "leave-source 232.3.0.1 198.18.0.10" >&13
echo "leave 239.3.0.2" >&13
echo "leave-source ff3e::3:1 2001:db8::9" >&14
echo "leave ff05::3:2" >&14

# lastmember FROM QUERY WITHDRAWAL: the group(-and-source)-specific query is sent, then the
# forwarding is withdrawn LMQT later by routerlab's clock (not GMI: that would be a timeout).
# QUERY and WITHDRAWAL are sets, KEY=VALUE words in one string.
lastmember() {
	local q w tq tw ms
	q=$2 w=$3
	# shellcheck disable=SC2086
	expect 5 "$1" $w
	# A command substitution, not < <(...): that one runs on after the two reads, and would
	# then race the next request for the one server's answers.
	# shellcheck disable=SC2086
	ms=$(when "$1" $q / $w)
	{ read -r tq && read -r tw; } <<<"$ms"
	[ "$tq" != - ] || fail "no '$q' before '$w'"
	[ "$tw" -ge $((tq + LMQT - 100)) ] && [ "$tw" -le $((tq + LMQT + 1500)) ] ||
		fail "'$w' $((tw - tq)) ms after '$q', want about LMQT $LMQT ms"
	echo "  '$q' then '$w' after $((tw - tq)) ms"
}
# IGMPv2 leave / MLDv1 done: Q(G), retransmitted LMQC times (RFC 2236 §3, RFC 3376 §6.6.3.1).
W="event=fwd change=-"
lastmember "$mark" "$Q4 group=239.2.0.1 sources= max_resp_ms=$LMQI" \
	"$W group=239.2.0.1 any_source=true"
lastmember "$mark" "$Q6 group=ff05::2:1 sources= max_resp_ms=$LMQI" \
	"$W group=ff05::2:1 any_source=true"
# shellcheck disable=SC2086
n=$(count "$mark" $Q4 group=239.2.0.1 sources=)
[ "$n" -eq "$RV" ] || fail "$n Q(G) for 239.2.0.1, want LMQC = $RV"
# v3 BLOCK of an INCLUDE source: Q(G,S) (RFC 3376 §6.4.2, §6.6.3.2); the other source stays.
lastmember "$mark" "$Q4 group=232.3.0.1 sources=198.18.0.10" \
	"$W group=232.3.0.1 source=198.18.0.10"
lastmember "$mark" "$Q6 group=ff3e::3:1 sources=2001:db8::9" "$W group=ff3e::3:1 source=2001:db8::9"
# v3 TO_IN {} from EXCLUDE {S}: Q(G); then (*,G) withdrawn and S unblocked.
lastmember "$mark" "$Q4 group=239.3.0.2 sources=" "$W group=239.3.0.2 any_source=true"
lastmember "$mark" "$Q6 group=ff05::3:2 sources=" "$W group=ff05::3:2 any_source=true"
expect 2 "$mark" event=fwd change=unblock group=239.3.0.2 source=198.18.0.66 \
	/ event=fwd change=unblock group=ff05::3:2 source=2001:db8::66
# The old host left a group the new host still wants: Q(G) goes out, the new host answers it,
# so the group stays (RFC 3376 §6.6.3.1: the timer is only lowered, reports refresh it).
# shellcheck disable=SC2086
seen "$mark" $Q4 group=239.5.5.5 sources= max_resp_ms=$LMQI \
	/ $Q6 group=ff05::5:5 sources= max_resp_ms=$LMQI || fail "no Q(G) for 239.5.5.5 / ff05::5:5"
sleep $(((LMQT + 1500) / 1000 + 1))
# shellcheck disable=SC2086
none "$mark" $W group=232.3.0.1 source=198.18.0.9 / $W group=239.5.5.5 any_source=true \
	/ $W group=ff05::5:5 any_source=true || fail "withdrawn although a member stayed"
echo "leaves: Q(G) / Q(G,S) then withdrawal after about LMQT; groups other members keep stay"

# SIGTERM: routerlab stops and prints its final table.
before=$(tables)
kill -TERM "$(labpid)"
wait "$lab" || fail "routerlab exited with $?"
[ "$(tables)" -gt "$before" ] || fail "no final table"
grep -qE 'runtime error|Sanitizer' "$out" && fail "sanitizer report from routerlab"
row $G group=232.3.0.1 mode=include compat=3 num_sources=1 \
	/ event=source group=232.3.0.1 source=198.18.0.9 ||
	fail "232.3.0.1 should keep 198.18.0.9 only"
no_row $G group=239.2.0.1 || fail "239.2.0.1 still in the final table"
echo "routerlab: final table as expected"
