#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A chain of two mgmd proxies (issue 12), membership only, so it runs on any kernel:
#   top (mgmd querier) --- p1 (mgmd proxy) --- p2 (mgmd proxy) --- host (Linux kernel)
# p1 and p2 run with --no-forwarding: p2's router engine learns the kernel host, its upstream
# host engine reports to p1, whose router engine learns that and whose upstream reports to top.
# Checks, with the time each hop took: an IGMPv3 join with a source filter and an MLDv2 join
# reach the top two hops up with the filter intact; a second group of another version
# (IGMPv2 host on p2's second link) merges with it; the leaves withdraw both hops (the top
# forgets the groups within the last-member query time of each hop, measured); p2 stopping
# withdraws what it reported at once (its goodbye report), not after a membership timeout; an
# upstream interface that appears after the hosts joined gets their membership without a
# restart; a static join (mgmctl join) is reported while its downstream link is up only.
# Usage: test_mgmd_proxy_chain.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/lib.sh"
mgmt_require_root "$0"
mgmt_require ip timeout python3
mgmd="$build/daemon/mgmd"
mgmctl="$build/tools/mgmctl"
mcjoin="$build/tests/netns/mcjoin"
for b in "$mgmd" "$mgmctl" "$mcjoin"; do
	[ -x "$b" ] || mgmt_fail "build first: no $b"
done
mgmt_init

for n in top p1 p2 h3 h2; do ns_add "$n"; done
veth_add top eth0 p1 up0
veth_add p1 down0 p2 up0
veth_add p2 down0 h3 eth0
veth_add p2 down1 h2 eth0
addr_add top eth0 198.18.10.1/24
addr_add p1 up0 198.18.10.2/24
addr_add p1 down0 198.18.11.1/24
addr_add p2 up0 198.18.11.2/24
addr_add p2 down0 198.18.12.1/24
addr_add p2 down1 198.18.13.1/24
addr_add h3 eth0 198.18.12.10/24
addr_add h2 eth0 198.18.13.10/24
host_versions h3 eth0 3 2
host_versions h2 eth0 2 2
for n in top p1 p2 h3 h2; do
	wait_for 5 sh -c "ip netns exec $(mgmt_ns_name $n) ip -6 addr show scope link |
		grep -q fe80" || mgmt_fail "$n got no link-local address"
done

# Short timers everywhere: queries every 2 s, last-member queries 200 ms apart.
router_opts='query-interval 2s
	query-response-interval 1s
	last-member-query-interval 200ms'
cat >"$MGMT_TMP/top.conf" <<CONF
interface eth0 {
	role querier
	$router_opts
}
CONF
for p in p1 p2; do
	# p1 also re-reports its whole state every second (keep-joined).
	keep=""
	[ "$p" = p1 ] && keep="keep-joined 1s"
	cat >"$MGMT_TMP/$p.conf" <<CONF
forwarding off
interface up0 {
	role upstream
	$keep
}
interface down* {
	role downstream
	$router_opts
}
CONF
done
for n in top p1 p2; do
	bg "$n" 90 "$mgmd" -F -v -f "$MGMT_TMP/$n.conf" --socket "$MGMT_TMP/$n.sock" \
		>"$MGMT_TMP/$n.log" 2>&1
	wait_for 5 ns "$n" "$mgmctl" --socket "$MGMT_TMP/$n.sock" show interfaces || {
		cat "$MGMT_TMP/$n.log" >&2
		mgmt_fail "mgmd $n did not start"
	}
done

# group NS GROUP MODE [SOURCE]: does mgmd NS hold GROUP with that filter mode (on any
# interface) and, when given, SOURCE forwarded?
group() {
	ns "$1" "$mgmctl" --socket "$MGMT_TMP/$1.sock" --json show groups | python3 -c '
import json, sys
g, mode = sys.argv[1], sys.argv[2]
src = sys.argv[3] if len(sys.argv) > 3 else None
for x in json.load(sys.stdin)["groups"]:
    if x["group-address"] != g or x["filter-mode"] != mode:
        continue
    if src is None or any(s["source-address"] == src and s.get("forwarding")
                          for s in x.get("source", [])):
        sys.exit(0)
sys.exit(1)' "${@:2}"
}
no_group() { # NS GROUP
	! ns "$1" "$mgmctl" --socket "$MGMT_TMP/$1.sock" --json show groups | grep -q "\"$2\""
}

# ---- joins travel two hops up ---------------------------------------------------------------
ns_pipe h3 11 80 "$mcjoin" -4 -q -t 80 -i eth0 -
ns_pipe h2 12 80 "$mcjoin" -4 -q -t 80 -i eth0 -
h3ll=$(ns h3 ip -6 addr show dev eth0 scope link | awk '/inet6/ {sub("/.*", "", $2); print $2}')
[ -n "$h3ll" ] || mgmt_fail "h3 has no link-local address"
ns_pipe h3 13 80 "$mcjoin" -6 -q -t 80 -i eth0 -

echo "join-source 232.1.1.1 198.18.0.10" >&11
timed "IGMPv3 INCLUDE join: p2 learns (232.1.1.1, 198.18.0.10)" 2000 \
	group p2 232.1.1.1 include 198.18.0.10
timed "... p1 learns it from p2's upstream report" 2000 group p1 232.1.1.1 include 198.18.0.10
timed "... the top learns it from p1's upstream report, source intact" 2000 \
	group top 232.1.1.1 include 198.18.0.10

echo "filter 239.5.5.5 exclude 198.18.0.66" >&11
echo "join 239.5.5.5" >&12
timed "EXCLUDE {198.18.0.66} on down0 + IGMPv2 join on down1: p2 merges to EXCLUDE {}" 3000 \
	python3 -c '
import json, subprocess, sys
r = json.loads(subprocess.run(sys.argv[1:], capture_output=True, text=True).stdout)
for u in r["upstreams"]:
    for g in u["groups"]:
        if g["group"] == "239.5.5.5" and g["filter-mode"] == "exclude" and not g["sources"] \
                and len(g["downstream"]) == 2:
            sys.exit(0)
sys.exit(1)' ip netns exec "$(mgmt_ns_name p2)" "$mgmctl" --socket "$MGMT_TMP/p2.sock" --json \
	show upstream
timed "... the top has 239.5.5.5 in EXCLUDE mode" 3000 group top 239.5.5.5 exclude

echo "join ff1e::5:5" >&13
timed "MLDv2 join: the top learns ff1e::5:5 two hops up" 3000 group top ff1e::5:5 exclude

kj() { # the keep-joined rounds p1 counted
	ns p1 "$mgmctl" --socket "$MGMT_TMP/p1.sock" --json show upstream |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["proxy-ipv4"]["keep-joined-rounds"])'
}
kj0=$(kj)
sleep 2.2
kj1=$(kj)
check "keep-joined 1s on p1: $((kj1 - kj0)) unsolicited rounds in 2.2 s (2 expected)" \
	test $((kj1 - kj0)) -ge 1 -a $((kj1 - kj0)) -le 3

# ---- one of two members leaves: nothing changes upstream; the last one: withdrawn ---------
echo "leave 239.5.5.5" >&12
sleep 1.5
check "IGMPv2 member leaves, the EXCLUDE member stays: the top keeps 239.5.5.5" \
	group top 239.5.5.5 exclude
echo "filter 239.5.5.5 include -" >&11
# Each hop: the leave's last-member queries (2 x 200 ms) plus the report's travel.
timed "last member leaves 239.5.5.5: p2 forgets it" 1500 no_group p2 239.5.5.5
timed "... and the top forgets it (withdrawn two hops up)" 2500 no_group top 239.5.5.5
echo "leave-source 232.1.1.1 198.18.0.10" >&11
timed "the INCLUDE source leaves: the top forgets (232.1.1.1, 198.18.0.10)" 2500 \
	no_group top 232.1.1.1

# ---- a static join: reported while its downstream link is up, withdrawn while it is down ----
ctlp2() { ns p2 "$mgmctl" --socket "$MGMT_TMP/p2.sock" "$@"; }
check "mgmctl join down1 239.6.6.6 on p2" ctlp2 join down1 239.6.6.6
timed "static join: the top learns 239.6.6.6 two hops up" 2500 group top 239.6.6.6 exclude
ns p2 ip link set down1 down
timed "p2's down1 goes down: the top forgets the static 239.6.6.6" 2500 no_group top 239.6.6.6
ns p2 ip link set down1 up
timed "down1 up again: the top learns 239.6.6.6 again" 2500 group top 239.6.6.6 exclude
check "mgmctl leave down1 239.6.6.6 on p2" ctlp2 leave down1 239.6.6.6
timed "static leave: the top forgets 239.6.6.6" 2500 no_group top 239.6.6.6

# ---- static joins of one group, any-source and source-specific: the record is their merge --
check "mgmctl join down1 239.7.7.7 (any source) on p2" ctlp2 join down1 239.7.7.7
check "... and join down1 239.7.7.7 198.18.0.77 (one source) beside it" \
	ctlp2 join down1 239.7.7.7 198.18.0.77
timed "the top has 239.7.7.7 in EXCLUDE mode (the any-source join wins)" 2500 \
	group top 239.7.7.7 exclude
check "mgmctl leave down1 239.7.7.7 (the any-source one)" ctlp2 leave down1 239.7.7.7
timed "... the source join stays: the top has (198.18.0.77, 239.7.7.7) in INCLUDE mode" 2500 \
	group top 239.7.7.7 include 198.18.0.77
check "mgmctl leave down1 239.7.7.7 198.18.0.77" ctlp2 leave down1 239.7.7.7 198.18.0.77
timed "... the top forgets 239.7.7.7" 2500 no_group top 239.7.7.7

# ---- a reload that changes a downstream access list: what is reported follows ---------------
echo "join 239.8.8.8" >&12
timed "IGMPv2 join of 239.8.8.8 on p2's down1: the top learns it" 2500 group top 239.8.8.8 exclude
cp "$MGMT_TMP/p2.conf" "$MGMT_TMP/p2.conf.orig"
sed -i 's/^\trole downstream$/&\n\tdeny 239.8.0.0\/16/' "$MGMT_TMP/p2.conf"
check "p2's down* stanza gets 'deny 239.8.0.0/16' (mgmctl reload)" ctlp2 reload
timed "... the top forgets 239.8.8.8 while the host stays a member" 2500 no_group top 239.8.8.8
cp "$MGMT_TMP/p2.conf.orig" "$MGMT_TMP/p2.conf"
check "the deny removed again (mgmctl reload)" ctlp2 reload
timed "... the top learns 239.8.8.8 again" 2500 group top 239.8.8.8 exclude
echo "leave 239.8.8.8" >&12

# ---- p2 stops: its goodbye withdraws what it reported, at once --------------------------------
check "before p2 stops, the top has ff1e::5:5" group top ff1e::5:5 exclude
kill -TERM "$(ns_pid p2 mgmd)"
timed "p2 stopped: p1 forgets ff1e::5:5 (p2's goodbye report, not a timeout)" 1500 \
	no_group p1 ff1e::5:5
timed "... and the top forgets it" 2500 no_group top ff1e::5:5

# ---- an upstream that comes late: what the hosts joined meanwhile is reported when it appears
ns_add p4
ns_add h4
veth_add p4 down0 h4 eth0
addr_add p4 down0 198.18.14.1/24
addr_add h4 eth0 198.18.14.10/24
host_versions h4 eth0 3 2
cat >"$MGMT_TMP/p4.conf" <<CONF
forwarding off
interface up9 {
	role upstream
}
interface down0 {
	role downstream
	$router_opts
}
CONF
bg p4 60 "$mgmd" -F -v -f "$MGMT_TMP/p4.conf" --socket "$MGMT_TMP/p4.sock" >"$MGMT_TMP/p4.log" 2>&1
wait_for 5 ns p4 "$mgmctl" --socket "$MGMT_TMP/p4.sock" show interfaces ||
	mgmt_fail "mgmd p4 did not start"
ns_pipe h4 14 50 "$mcjoin" -4 -q -t 50 -i eth0 -
echo "join 239.4.4.4" >&14
timed "late upstream: p4 learns 239.4.4.4 downstream while up9 does not exist" 2000 \
	group p4 239.4.4.4 exclude
ip -n "$(mgmt_ns_name top)" link add eth9 type veth peer name up9 netns "$(mgmt_ns_name p4)"
addr_add top eth9 198.18.15.1/24
addr_add p4 up9 198.18.15.2/24
ns top ip link set eth9 up
ns p4 ip link set up9 up
cat >"$MGMT_TMP/top.conf" <<CONF
interface eth* {
	role querier
	$router_opts
}
CONF
ns top "$mgmctl" --socket "$MGMT_TMP/top.sock" reload >/dev/null
timed "... up9 appears: the top learns 239.4.4.4 from p4 without a restart" 3000 \
	group top 239.4.4.4 exclude
exec 14>&-

exec 11>&- 12>&- 13>&-
for n in top p1 p4; do
	kill -TERM "$(ns_pid "$n" mgmd)" 2>/dev/null || true
done
sleep 0.5
if grep -q "runtime error\|AddressSanitizer\|LeakSanitizer" "$MGMT_TMP"/*.log; then
	grep -h -A20 "runtime error\|AddressSanitizer\|LeakSanitizer" "$MGMT_TMP"/*.log >&2
	bad "a sanitizer reported a problem"
fi
if ! tally; then
	for n in top p1 p2; do
		echo "---- $n.log" >&2
		tail -25 "$MGMT_TMP/$n.log" >&2
	done
	exit 1
fi
