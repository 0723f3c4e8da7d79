#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# libmgm's router engine (routerlab, querier for IGMP and MLD) against real Linux kernel hosts on
# a bridge: an IGMPv2/MLDv1 host and an IGMPv3/MLDv2 host join and leave (any-source, SSM,
# EXCLUDE with a source). Checks the forwarding changes, that membership survives several query
# intervals only because the kernels answer our queries, the last-member queries and withdrawal
# on leave (RFC 3376 §6.4.2, §6.6.3; RFC 3810 §7.4, §7.6.3), and the group compatibility mode
# with an older host present (RFC 3376 §7.3.2, RFC 3810 §8.3.2). About 12 s.
# Usage: test_router_kernel.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/lib.sh"
mgmt_require_root "$0"
mgmt_require ip timeout awk
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
	--rv $RV >"$out" 2>&1
lab=$MGMT_LAST_PID

show() {
	sed 's/^/    | /' "$out" >&2
}
fail() {
	show
	mgmt_fail "$*"
}
# seen FROM TEXT: a line after line FROM whose text after the timestamp is exactly TEXT.
seen() {
	awk -v from="$1" -v want="$2" 'NR > from { sub(/^ *[0-9]+\.[0-9]+ /, "");
		if ($0 == want) f = 1 } END { exit !f }' "$out"
}
# when FROM PREFIX: milliseconds (routerlab's clock) of the first line after FROM whose text
# after the timestamp starts with PREFIX; count FROM PREFIX: how many there are.
when() {
	awk -v from="$1" -v want="$2" 'NR > from { t = $1; sub(/^ *[0-9]+\.[0-9]+ /, "");
		if (index($0, want) == 1) { sub(/\./, "", t); print t + 0; exit } }' "$out"
}
count() {
	awk -v from="$1" -v want="$2" 'NR > from { sub(/^ *[0-9]+\.[0-9]+ /, "");
		if (index($0, want) == 1) n++ } END { print n + 0 }' "$out"
}
expect() {
	wait_for "$1" seen "$2" "$3" || fail "no '$3' within $1 s"
}
lines() {
	wc -l <"$out"
}
labpid() {
	ns_pid router routerlab || fail "routerlab is not running"
}
# table: asks routerlab for its membership table and waits until both families printed it.
table() {
	local before
	before=$(grep -c '^end table mld' "$out" || true)
	kill -USR1 "$(labpid)"
	wait_for 3 sh -c "[ \$(grep -c '^end table mld' '$out') -gt $before ]" ||
		fail "routerlab printed no table"
}

wait_for 5 grep -q 'query igmpv3 general' "$out" || fail "no IGMPv3 general query"
wait_for 5 grep -q 'query mldv2 general' "$out" || fail "no MLDv2 general query"
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

# IGMPv2 / MLDv1 any-source joins: (*,G).
expect 5 0 "fwd + 239.2.0.1 *"
expect 5 0 "fwd + ff05::2:1 *"
# IGMPv3 / MLDv2 SSM INCLUDE: (S,G) per source, never (*,G) (RFC 4604 §2.2.1).
expect 5 0 "fwd + 232.3.0.1 198.18.0.9"
expect 5 0 "fwd + 232.3.0.1 198.18.0.10"
expect 5 0 "fwd + ff3e::3:1 2001:db8::9"
seen 0 "fwd + 232.3.0.1 *" && fail "(*,G) forwarded for an SSM group"
# EXCLUDE {S}: (*,G) forwarded, (S,G) blocked.
expect 5 0 "fwd + 239.3.0.2 *"
expect 5 0 "fwd block 239.3.0.2 198.18.0.66"
expect 5 0 "fwd + ff05::3:2 *"
expect 5 0 "fwd block ff05::3:2 2001:db8::66"
expect 5 0 "fwd + 239.5.5.5 *"
expect 5 0 "fwd + ff05::5:5 *"
echo "joins: (*,G) for v2/MLDv1, (S,G) for SSM, (*,G) + block for EXCLUDE {S}"

# Hold well past GMI: the kernels' unsolicited reports are long spent, so the groups live on
# only because the hosts answer our general queries.
mark=$(lines)
sleep $(((GMI + 2000) / 1000))
queries4=$(count "$mark" "query igmpv3 general")
queries6=$(count "$mark" "query mldv2 general")
[ "$queries4" -ge 3 ] && [ "$queries6" -ge 3 ] ||
	fail "only $queries4 IGMP / $queries6 MLD general queries in $((GMI + 2000)) ms"
awk -v from="$mark" 'NR > from && / fwd (-|unblock) /' "$out" | grep . &&
	fail "forwarding withdrawn while every host stayed joined"
table
tab=$(awk '/ table igmp /{t = ""} {t = t $0 "\n"} END {printf "%s", t}' "$out")
for g in 239.2.0.1 232.3.0.1 239.3.0.2 239.5.5.5 ff05::2:1 ff3e::3:1 ff05::3:2 ff05::5:5; do
	grep -q "^  group $g mode" <<<"$tab" || fail "group $g missing from the table after $GMI ms"
done
# A v2 host and a v3 host on one group: IGMPv2 compatibility (RFC 3376 §7.3.2); MLDv1 with
# an MLDv1 host (RFC 3810 §8.3.2). The older host timer keeps running from their answers.
grep -q "^  group 239.5.5.5 mode exclude compat v2 " <<<"$tab" || fail "239.5.5.5 not in v2 mode"
grep -q "^  group ff05::5:5 mode exclude compat v1 " <<<"$tab" || fail "ff05::5:5 not in MLDv1 mode"
grep -q "^  group 239.3.0.2 mode exclude compat v3 " <<<"$tab" || fail "239.3.0.2 not in v3 mode"
grep -q "^    source 198.18.0.66 timer -1 fwd block" <<<"$tab" || fail "198.18.0.66 not blocked"
grep -q "^  group 232.3.0.1 mode include compat v3 .* sources 2 " <<<"$tab" ||
	fail "232.3.0.1 not INCLUDE with 2 sources"
grep -q "drop malformed" <<<"$tab" && fail "routerlab saw malformed messages from Linux"
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
lastmember() {
	local q w tq tw
	q=$2 w=$3
	expect 5 "$1" "$w"
	tq=$(when "$1" "$q")
	[ -n "$tq" ] || fail "no '$q' before '$w'"
	tw=$(when "$1" "$w")
	[ "$tw" -ge $((tq + LMQT - 100)) ] && [ "$tw" -le $((tq + LMQT + 1500)) ] ||
		fail "'$w' $((tw - tq)) ms after '$q', want about LMQT $LMQT ms"
	echo "  '$q' then '$w' after $((tw - tq)) ms"
}
# IGMPv2 leave / MLDv1 done: Q(G), retransmitted LMQC times (RFC 2236 §3, RFC 3376 §6.6.3.1).
lastmember "$mark" "query igmpv3 239.2.0.1 mrt ${LMQI}ms" "fwd - 239.2.0.1 *"
lastmember "$mark" "query mldv2 ff05::2:1 mrt ${LMQI}ms" "fwd - ff05::2:1 *"
n=$(count "$mark" "query igmpv3 239.2.0.1 mrt")
[ "$n" -eq "$RV" ] || fail "$n Q(G) for 239.2.0.1, want LMQC = $RV"
# v3 BLOCK of an INCLUDE source: Q(G,S) (RFC 3376 §6.4.2, §6.6.3.2); the other source stays.
lastmember "$mark" "query igmpv3 232.3.0.1 {198.18.0.10} mrt" "fwd - 232.3.0.1 198.18.0.10"
lastmember "$mark" "query mldv2 ff3e::3:1 {2001:db8::9} mrt" "fwd - ff3e::3:1 2001:db8::9"
# v3 TO_IN {} from EXCLUDE {S}: Q(G); then (*,G) withdrawn and S unblocked.
lastmember "$mark" "query igmpv3 239.3.0.2 mrt" "fwd - 239.3.0.2 *"
expect 2 "$mark" "fwd unblock 239.3.0.2 198.18.0.66"
lastmember "$mark" "query mldv2 ff05::3:2 mrt" "fwd - ff05::3:2 *"
expect 2 "$mark" "fwd unblock ff05::3:2 2001:db8::66"
# The old host left a group the new host still wants: Q(G) goes out, the new host answers it,
# so the group stays (RFC 3376 §6.6.3.1: the timer is only lowered, reports refresh it).
[ -n "$(when "$mark" "query igmpv3 239.5.5.5 mrt ${LMQI}ms")" ] || fail "no Q(G) for 239.5.5.5"
[ -n "$(when "$mark" "query mldv2 ff05::5:5 mrt ${LMQI}ms")" ] || fail "no Q(G) for ff05::5:5"
sleep $(((LMQT + 1500) / 1000 + 1))
for w in "fwd - 232.3.0.1 198.18.0.9" "fwd - 239.5.5.5 *" "fwd - ff05::5:5 *"; do
	seen "$mark" "$w" && fail "'$w' although a member stayed"
done
echo "leaves: Q(G) / Q(G,S) then withdrawal after about LMQT; groups other members keep stay"

# SIGTERM: routerlab stops and prints its final table.
kill -TERM "$(labpid)"
wait "$lab" || fail "routerlab exited with $?"
tail -n 30 "$out" | grep -q '^end table mld' || fail "no final table"
grep -qE 'runtime error|Sanitizer' "$out" && fail "sanitizer report from routerlab"
tab=$(awk '/ table igmp /{t = ""} {t = t $0 "\n"} END {printf "%s", t}' "$out")
grep -q "^  group 232.3.0.1 mode include compat v3 .* sources 1 " <<<"$tab" ||
	fail "232.3.0.1 should keep 198.18.0.9 only"
grep -q "^  group 239.2.0.1 " <<<"$tab" && fail "239.2.0.1 still in the final table"
echo "routerlab: final table as expected"
