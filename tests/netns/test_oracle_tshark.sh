#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Oracle test: real Linux kernel hosts forced to IGMPv1/v2/v3 and MLDv1/v2 join and leave
# (any-source and with source filters) and answer queries that mcjoin builds with libmgm; the
# capture is decoded by mgmdump and by tshark, and compare.py wants every field of every
# message to agree (RFC 3376 §4, RFC 3810 §5). Usage: test_oracle_tshark.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/lib.sh"
mgmt_require_root "$0"
mgmt_require ip dumpcap tshark python3 timeout
mcjoin="$build/tests/netns/mcjoin"
mgmdump="$build/tools/mgmdump"
if [ ! -x "$mcjoin" ] || [ ! -x "$mgmdump" ]; then
	mgmt_fail "build $build first (mcjoin, mgmdump)"
fi
mgmt_init

# q holds the bridge (no snooping, so everything floods), sends the queries and captures;
# h1..h3 are kernel hosts, one per IGMP version, MLDv1 on h1 and h2, MLDv2 on h3.
ns_add q
bridge_add q br0
addr_add q br0 198.18.0.1/24
addr_add q br0 2001:db8::1/64
i=0
for spec in "h1 1 1" "h2 2 1" "h3 3 2"; do
	read -r h igmp mld <<<"$spec"
	i=$((i + 1))
	ns_add "$h"
	veth_add "$h" eth0 q "p$i"
	bridge_port q br0 "p$i"
	host_versions "$h" eth0 "$igmp" "$mld"
	addr_add "$h" eth0 "198.18.0.1$i/24"
	addr_add "$h" eth0 "2001:db8::1$i/64"
done
wait_for 5 sh -c "ip netns exec $(mgmt_ns_name q) ip -6 addr show dev br0 scope link | grep -q fe80" ||
	mgmt_fail "br0 got no link-local address"

cap="$MGMT_TMP/oracle.pcapng"
capture_start q br0 "$cap" 40

S=198.18.0
first_host=${#MGMT_PIDS[@]}
# Hosts: join at once, change their filters at 5 s, stay until the queries are done.
for h in h1 h2; do
	bg "$h" 20 "$mcjoin" -q -4 -t 18 -i eth0 join 239.1.1.1 join 239.2.2.2 sleep 5000 \
		leave 239.1.1.1 sleep 7000
	bg "$h" 20 "$mcjoin" -q -6 -t 18 -i eth0 join ff05::1:1 join ff05::2:2 sleep 5000 \
		leave ff05::1:1 sleep 7000
done
# A group only h2 joins: a v1/v2 host that hears another member's report after its own is no
# longer "the last reporter" and leaves silently (RFC 2236 §6, RFC 2710 §4), so the leave and
# done the test expects must not depend on who reported last.
bg h2 20 "$mcjoin" -q -4 -t 18 -i eth0 join 239.3.3.3 sleep 5000 leave 239.3.3.3 sleep 7000
bg h2 20 "$mcjoin" -q -6 -t 18 -i eth0 join ff05::3:3 sleep 5000 leave ff05::3:3 sleep 7000
bg h3 20 "$mcjoin" -q -4 -t 18 -i eth0 join 239.1.1.1 \
	join-source 232.1.1.1 $S.9 join-source 232.1.1.1 $S.10 \
	filter 239.2.2.2 exclude $S.21,$S.22 sleep 5000 \
	leave-source 232.1.1.1 $S.10 filter 239.2.2.2 include $S.23 block 239.1.1.1 $S.24 \
	sleep 300 leave 239.1.1.1 sleep 7000
bg h3 20 "$mcjoin" -q -6 -t 18 -i eth0 join ff05::1:1 \
	join-source ff3e::8000:1 2001:db8::9 join-source ff3e::8000:1 2001:db8::a \
	filter ff05::2:2 exclude 2001:db8::21,2001:db8::22 sleep 5000 \
	leave-source ff3e::8000:1 2001:db8::a filter ff05::2:2 include 2001:db8::23 \
	block ff05::1:1 2001:db8::24 sleep 300 leave ff05::1:1 sleep 7000
hosts=("${MGMT_PIDS[@]:first_host}")

# The querier: v3 / MLDv2 queries of every kind first (older queries put the hosts into
# compatibility mode, RFC 3376 §7.2.1), then v2 / MLDv1, then IGMPv1.
bg q 20 "$mcjoin" -q -4 -t 18 -i br0 sleep 1500 \
	query v=3 mrt=1000 sleep 1200 \
	query v=3 group=239.1.1.1 mrt=1000 sleep 1200 \
	query v=3 group=232.1.1.1 src=$S.9,$S.30 mrt=800 s=1 qrv=3 qqi=300 sleep 900 \
	query v=3 group=239.9.9.9 mrt=25000 qrv=7 qqi=31744 sleep 1700 \
	query v=2 mrt=1000 sleep 1200 \
	query v=2 group=239.2.2.2 mrt=800 sleep 1200 \
	query v=1 sleep 1500
qpid4=$MGMT_LAST_PID
bg q 20 "$mcjoin" -q -6 -t 18 -i br0 sleep 1600 \
	query v=2 mrt=1000 sleep 1200 \
	query v=2 group=ff05::1:1 mrt=1000 sleep 1200 \
	query v=2 group=ff3e::8000:1 src=2001:db8::9,2001:db8::30 mrt=800 s=1 qrv=3 qqi=300 \
	sleep 900 query v=2 group=ff05::9:9 mrt=40000 sleep 1700 \
	query v=1 mrt=1000 sleep 1200 \
	query v=1 group=ff05::2:2 mrt=800 sleep 2700
qpid6=$MGMT_LAST_PID
wait "$qpid4" || mgmt_fail "IPv4 querier failed"
wait "$qpid6" || mgmt_fail "IPv6 querier failed"
# A host whose join or filter change failed would leave its messages out of the capture.
for p in "${hosts[@]}"; do
	wait "$p" || mgmt_fail "a kernel host's mcjoin failed (see its message above)"
done
capture_stop

"$mgmdump" -r "$cap" --json >"$MGMT_TMP/mgmdump.jsonl" || mgmt_fail "mgmdump failed"
tshark -r "$cap" -T json --no-duplicate-keys >"$MGMT_TMP/tshark.json" 2>"$MGMT_TMP/tshark.err" ||
	mgmt_fail "tshark failed: $(cat "$MGMT_TMP/tshark.err")"

expect=igmp1:query,igmp1:report,igmp2:query,igmp2:report,igmp2:leave
expect+=,igmp3:query,igmp3:query+sources,igmp3:query+S,igmp3:query+exp
expect+=,igmp3:report,igmp3:report+sources
expect+=,igmp3:report+rec1,igmp3:report+rec2,igmp3:report+rec3,igmp3:report+rec4
expect+=,igmp3:report+rec5,igmp3:report+rec6
expect+=,mld1:query,mld1:report,mld1:done
expect+=,mld2:query,mld2:query+sources,mld2:query+S,mld2:query+exp,mld2:report,mld2:report+sources
expect+=,mld2:report+rec1,mld2:report+rec2,mld2:report+rec3,mld2:report+rec4
expect+=,mld2:report+rec5,mld2:report+rec6
python3 "$here/compare.py" oracle "$MGMT_TMP/mgmdump.jsonl" "$MGMT_TMP/tshark.json" \
	--expect "$expect" || {
	MGMT_KEEP=1 # read by mgmt_cleanup in lib.sh
	export MGMT_KEEP
	mgmt_fail "mgmdump and tshark disagree; capture kept in $cap"
}
