#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mgmd's upstream under a flood of General Queries (membership only, forwarding off, any
# kernel): the proxy holds 300 IGMP and 100 MLD groups (static joins downstream); an attacker
# on the upstream link sends IGMPv3 and MLDv2 General Queries with the smallest Max Resp Time
# (IGMPv3 100 ms as igmpflood encodes it, MLDv2 0 ms), 500 a second each for 3 s. Each answer
# is the whole state (two reports here), so answering as RFC 3376 §5.2 alone says sends
# hundreds to thousands of reports (measured before the limit: 370 IGMPv3, 2 936 MLDv2). Checks: the proxy answers the flood (it is not
# silenced) but at most once a second per family (general answers deferred, counted), what it
# sends stays within that bound, the membership is intact and mgmd's memory bounded afterwards,
# and a query after the flood is answered as usual.
# Usage: test_mgmd_proxy_flood.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/lib.sh"
mgmt_require_root "$0"
mgmt_require ip timeout jq
mgmd="$build/daemon/mgmd"
mgmctl="$build/tools/mgmctl"
flood="$build/tests/netns/igmpflood"
for b in "$mgmd" "$mgmctl" "$flood"; do
	[ -x "$b" ] || mgmt_fail "build first: no $b"
done
mgmt_init

ns_add px
ns_add att
ns_add h
veth_add px u0 att eth0
veth_add px d0 h eth0
addr_add px u0 198.18.30.2/24
addr_add att eth0 198.18.30.66/24
addr_add px d0 198.18.31.1/24
addr_add h eth0 198.18.31.10/24
for n in px att; do
	wait_for 5 sh -c "ip netns exec $(mgmt_ns_name $n) ip -6 addr show scope link |
		grep -q fe80" || mgmt_fail "$n got no link-local address"
done

N4=300 N6=100 SECS=3 RATE=500
{
	echo "forwarding off"
	echo "interface u0 {"
	echo "	role upstream"
	echo "}"
	echo "interface d0 {"
	echo "	role downstream"
	for i in $(seq 0 $((N4 - 1))); do echo "	join 239.30.$((i / 256)).$((i % 256))"; done
	for i in $(seq 0 $((N6 - 1))); do printf '\tjoin ff1e::30:%x\n' "$i"; done
	echo "}"
} >"$MGMT_TMP/px.conf"
sock="$MGMT_TMP/px.sock"
bg px 60 "$mgmd" -F -v -f "$MGMT_TMP/px.conf" --socket "$sock" >"$MGMT_TMP/px.log" 2>&1
ctl() {
	ns px "$mgmctl" --socket "$sock" "$@"
}
wait_for 5 ctl show interfaces || {
	cat "$MGMT_TMP/px.log" >&2
	mgmt_fail "mgmd did not start"
}
mgmd_pid=$(ns_pid px mgmd) || mgmt_fail "no mgmd process"
up() { # FAMILY JQ: a value of u0's upstream of that family
	ctl --json show upstream | jq -r --arg f "$1" ".upstreams[] | select(.family == \$f) | $2"
}
ngroups() { up "$1" '.groups | length'; }
all_groups() { [ "$(ngroups ipv4)" = "$N4" ] && [ "$(ngroups ipv6)" = "$N6" ]; }
timed "the proxy holds its $N4 IGMP and $N6 MLD static groups upstream" 3000 all_groups
# The unsolicited reports of the start are done before the counting begins.
sleep 2
rss() { awk '/^VmRSS/ {print $2}' "/proc/$mgmd_pid/status"; }
rss0=$(rss)
r4=$(up ipv4 '.statistics."reports-sent"')
r6=$(up ipv6 '.statistics."reports-sent"')

ll=$(ns att ip -6 addr show dev eth0 scope link | awk '/inet6/ {sub("/.*", "", $2); print $2}')
bg att 20 "$flood" -4 -i eth0 -s 198.18.30.66 -g 239.0.0.1 -m query -M 0 \
	-c $((RATE * SECS)) -r "$RATE" >"$MGMT_TMP/flood4.out" 2>&1
f4=$MGMT_LAST_PID
bg att 20 "$flood" -6 -i eth0 -s "$ll" -g ff1e::1 -m query -M 0 \
	-c $((RATE * SECS)) -r "$RATE" >"$MGMT_TMP/flood6.out" 2>&1
f6=$MGMT_LAST_PID
wait "$f4" || true
wait "$f6" || true
cat "$MGMT_TMP/flood4.out" "$MGMT_TMP/flood6.out"
sleep 1.2 # the last deferred answers
for f in ipv4 ipv6; do
	q=$(up $f '.statistics."queries-received"')
	d=$(up $f '.statistics."general-answers-deferred"')
	# One answer: the groups' records (8 bytes IGMPv3, 20 MLDv2, no sources) in reports of at
	# most the MTU; at most one answer a second over the flood and the wait after it.
	if [ $f = ipv4 ]; then
		r=$(($(up $f '.statistics."reports-sent"') - r4)) per=$(((N4 * 8 + 1399) / 1400))
	else
		r=$(($(up $f '.statistics."reports-sent"') - r6)) per=$(((N6 * 20 + 1399) / 1400))
	fi
	bound=$(((SECS + 2) * per))
	echo "$f: $q queries received, $r reports sent for them ($per per answer), $d answers deferred"
	check "$f: the flood is answered (not silenced): $r reports" test "$r" -ge "$per"
	check "$f: at most one answer a second: $r reports <= $bound" test "$r" -le "$bound"
	check "$f: the deferrals are counted ($d)" test "$d" -gt 0
done
check "the membership is intact: $N4 IGMP and $N6 MLD groups" all_groups
check "show upstream lists the host engine's drops by reason (none here)" \
	test "$(up ipv4 '.statistics.drops | [.[]] | add')" = 0
rss1=$(rss)
echo "mgmd RSS: ${rss0} kB before the flood, ${rss1} kB after"
if [[ "$(nm -D "$mgmd" 2>/dev/null || true)" == *__asan_init* ]]; then
	echo "(RSS not checked: ASan's quarantine holds freed memory)"
else
	check "RSS grew by less than 4 MB" test $((rss1 - rss0)) -lt 4096
fi
# A single query a second after the flood: answered within its Max Resp Time as usual.
sleep 1
r4=$(up ipv4 '.statistics."reports-sent"')
ns att "$flood" -4 -i eth0 -s 198.18.30.66 -g 239.0.0.1 -m query -M 500 -c 1 >/dev/null
answered() { [ "$(up ipv4 '.statistics."reports-sent"')" -gt "$r4" ]; }
timed "one General Query after the flood: answered within its 500 ms" 1000 answered
check "mgmd is alive" kill -0 "$mgmd_pid"
if grep -q "runtime error\|AddressSanitizer\|LeakSanitizer" "$MGMT_TMP/px.log"; then
	cat "$MGMT_TMP/px.log" >&2
	bad "a sanitizer report in mgmd's log"
fi
tally
