#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Malformed packets: gen_malformed.py crafts one bad IGMP/MLD packet per case (bad checksums,
# overruns, bad record types, 9-11 octet queries, non-multicast groups, broken IP headers...);
# mgmdump must print every one with the expected error name, in text, JSON and --stats, and
# tshark must flag each too, or show what compare.py documents as its gap.
# Usage: test_malformed.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/lib.sh"
mgmt_require tshark python3
mgmdump="$build/tools/mgmdump"
[ -x "$mgmdump" ] || mgmt_fail "build $build first (mgmdump)"
mgmt_init

pcap="$MGMT_TMP/malformed.pcap"
python3 "$here/gen_malformed.py" "$pcap" "$MGMT_TMP/expected.json"
"$mgmdump" -r "$pcap" --json >"$MGMT_TMP/mgmdump.jsonl" || mgmt_fail "mgmdump --json failed"
# tshark verifies IGMP and ICMPv6 checksums by default, the IPv4 header's only when asked.
tshark -r "$pcap" -o ip.check_checksum:TRUE -T json --no-duplicate-keys \
	>"$MGMT_TMP/tshark.json" 2>"$MGMT_TMP/tshark.err" ||
	mgmt_fail "tshark failed: $(cat "$MGMT_TMP/tshark.err")"
python3 "$here/compare.py" malformed "$MGMT_TMP/expected.json" "$MGMT_TMP/mgmdump.jsonl" \
	"$MGMT_TMP/tshark.json"

# The text form names the same error on every line, and --stats counts them all.
cases=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' \
	"$MGMT_TMP/expected.json")
"$mgmdump" -r "$pcap" --stats >"$MGMT_TMP/text" 2>"$MGMT_TMP/stats" ||
	mgmt_fail "mgmdump failed"
python3 - "$MGMT_TMP/expected.json" "$MGMT_TMP/text" <<'PY' || mgmt_fail "text form"
import json, sys
exp = json.load(open(sys.argv[1]))
lines = open(sys.argv[2]).read().splitlines()
assert len(lines) == len(exp), "%d lines for %d cases" % (len(lines), len(exp))
for e, line in zip(exp, lines):
    assert " malformed: %s (" % e["error"] in line, "frame %d: %s" % (e["frame"], line)
PY
grep -q "^mgmdump: $cases frames, $cases messages, $cases malformed" "$MGMT_TMP/stats" ||
	mgmt_fail "--stats does not count $cases malformed: $(head -1 "$MGMT_TMP/stats")"
echo "malformed: $cases cases named by mgmdump in JSON, text and --stats"
