#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mgmdump -i: a live capture in a namespace sees a kernel host's IGMPv3 and MLDv2 reports
# (MLD behind its Hop-by-Hop header, which a plain "icmp6" filter would miss, RFC 3810 §5),
# stops by itself after -c messages, and on SIGTERM stops cleanly with its --stats.
# Usage: test_live_capture.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/lib.sh"
mgmt_require_root "$0"
mcjoin="$build/tests/netns/mcjoin"
mgmdump="$build/tools/mgmdump"
mgmt_init

ns_add obs
ns_add host
veth_add obs eth0 host eth0
host_versions host eth0 3 2
addr_add obs eth0 198.18.1.1/24
addr_add host eth0 198.18.1.2/24
# The reports of the new link-local addresses' groups (robustness 2, 1 s apart) pass first.
sleep 2.5

# live_dump OUT ERR ARGS...: mgmdump -i eth0 ARGS in obs, in the background, bounded.
live_dump() {
	local out=$1 err=$2
	shift 2
	(exec ip netns exec "$(mgmt_ns_name obs)" timeout 20 "$mgmdump" -i eth0 "$@" \
		>"$out" 2>"$err") &
	MGMT_LAST_PID=$!
	MGMT_PIDS+=("$MGMT_LAST_PID")
	sleep 0.5
}

# -c 4: two state-change reports per family for the new groups (RFC 3376 §5.1 and RFC 3810
# §6.1 send each Robustness Variable = 2 times), then mgmdump stops by itself.
live_dump "$MGMT_TMP/c.jsonl" "$MGMT_TMP/c.err" -c 4 --json
dump=$MGMT_LAST_PID
bg host 10 "$mcjoin" -q -4 -t 8 -i eth0 join 239.7.7.7 sleep 3000
join4=$MGMT_LAST_PID
bg host 10 "$mcjoin" -q -6 -t 8 -i eth0 join ff05::7:7 sleep 3000
join6=$MGMT_LAST_PID
wait "$dump" || mgmt_fail "mgmdump -i -c 4 failed: $(cat "$MGMT_TMP/c.err")"
wait "$join4" || mgmt_fail "mcjoin -4 failed"
wait "$join6" || mgmt_fail "mcjoin -6 failed"
python3 - "$MGMT_TMP/c.jsonl" <<'PY' || mgmt_fail "live capture: $(cat "$MGMT_TMP/c.jsonl")"
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
assert len(msgs) == 4, "%d messages, want 4" % len(msgs)
groups = {(m["protocol"], m["version"], r["group"]) for m in msgs for r in m.get("records", [])}
assert ("igmp", 3, "239.7.7.7") in groups, groups
assert ("mld", 2, "ff05::7:7") in groups, groups
assert all(m["router_alert"] and m["ttl"] == 1 for m in msgs), msgs
PY
echo "live: -c 4 stopped after the IGMPv3 and MLDv2 reports for 239.7.7.7 and ff05::7:7"

# SIGTERM: mgmdump stops, exits 0 and prints its totals (timeout passes TERM on).
live_dump "$MGMT_TMP/t.txt" "$MGMT_TMP/t.err" --stats
dump=$MGMT_LAST_PID
bg host 10 "$mcjoin" -q -4 -t 8 -i eth0 join 239.8.8.8 sleep 1500
wait "$MGMT_LAST_PID" || mgmt_fail "mcjoin -4 failed"
kill -TERM "$dump"
status=0
wait "$dump" || status=$?
[ "$status" -eq 0 ] || mgmt_fail "mgmdump exited $status on SIGTERM: $(cat "$MGMT_TMP/t.err")"
grep -q 'IGMPv3 report 1 record: TO_EX 239.8.8.8 {}' "$MGMT_TMP/t.txt" ||
	mgmt_fail "no TO_EX 239.8.8.8 line: $(cat "$MGMT_TMP/t.txt")"
grep -qE '^mgmdump: [0-9]+ frames, [1-9][0-9]* messages' "$MGMT_TMP/t.err" ||
	mgmt_fail "no --stats after SIGTERM: $(cat "$MGMT_TMP/t.err")"
echo "live: SIGTERM stops mgmdump with status 0 and its --stats"
