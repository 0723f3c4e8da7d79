#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mgmdump over the committed captures of tests/data: every link type (Ethernet with 802.1Q and
# QinQ tags, Linux cooked SLL and SLL2, raw IP, loopback) in pcap and pcapng must give the
# reviewed text and JSON, and so must the malformed cases. Needs no root; meson runs it with
# the unit tests (and under ASan in check-asan). Usage: test_files.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
mgmdump="$build/tools/mgmdump"
data="$here/../data"
. "$here/lib.sh"
[ -x "$mgmdump" ] || mgmt_fail "build $build first (mgmdump)"
mgmt_init
tmp=$MGMT_TMP
export TZ=UTC

# same NAME EXPECTED_FILE CMD...: CMD's standard output must equal EXPECTED_FILE.
same() {
	local name=$1 want=$2 st=0
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err" || st=$?
	if [ "$st" -ne 0 ]; then
		bad "$name: exit status $st: $(head -3 "$tmp/err")"
	elif ! diff -u "$want" "$tmp/out" >"$tmp/diff"; then
		bad "$name: output differs from $(basename "$want"):"
		head -20 "$tmp/diff"
	else
		ok "$name"
	fi
}

for f in messages-en10mb.pcap messages-en10mb.pcapng messages-sll.pcap messages-sll2.pcap \
	messages-raw.pcap messages-null.pcap; do
	same "$f text" "$data/messages.txt" "$mgmdump" -v -r "$data/$f"
	same "$f json" "$data/messages.jsonl" "$mgmdump" --json -r "$data/$f"
done
same "malformed.pcap text" "$data/malformed.txt" "$mgmdump" -v -r "$data/malformed.pcap"
same "malformed.pcap json" "$data/malformed.jsonl" "$mgmdump" --json -r "$data/malformed.pcap"
same "standard input" "$data/messages.txt" "$mgmdump" -v -r - <"$data/messages-raw.pcap"

# IPv6 traffic that is not MLD is skipped, never called malformed MLD: a first fragment of a
# UDP datagram, a later fragment, an echo request cut short by the snapshot length, an echo
# behind a Destination Options header. A fragmented MLD report is ours and is malformed
# (ip_fragment): MLD is never fragmented.
python3 - "$tmp/other6.pcap" "$here" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[2])
import pcapgen as g
src, dst = "2001:db8::1", "2001:db8::2"
udp = struct.pack("!HHHH", 53, 5353, 1208, 0) + b"x" * 1200
frag_first = g.ipv6(udp, src, dst, ext=bytes([44]) + struct.pack("!BBHI", 17, 0, 1, 7))
frag_later = g.ipv6(b"y" * 64, src, dst, ext=bytes([44]) + struct.pack("!BBHI", 17, 0, 1200, 7))
echo = g.ipv6(bytes([128, 0, 0, 0]) + b"z" * 60, src, dst, router_alert=False)[:50]
dstopt_echo = g.ipv6(bytes([128, 0, 0, 0]) + b"z" * 8, src, dst,
                     ext=bytes([60]) + bytes([58, 0, 1, 4, 0, 0, 0, 0]))
mld = g.mld_v1(131, "ff05::1", "fe80::1", "ff05::1")
frag_mld = g.ipv6(mld, "fe80::1", "ff05::1",
                  ext=bytes([44]) + struct.pack("!BBHI", 58, 0, 1, 9))
g.write_pcap(sys.argv[1], g.DLT_RAW, [frag_first, frag_later, echo, dstopt_echo, frag_mld])
PY
other6=$("$mgmdump" -r "$tmp/other6.pcap" --stats 2>"$tmp/other6.stats")
if [ "$(printf '%s\n' "$other6" | grep -c .)" = 1 ] && printf '%s' "$other6" | grep -q 'ip_fragment' &&
	grep -q '4 other packets skipped' "$tmp/other6.stats"; then
	ok "non-MLD IPv6 skipped, fragmented MLD flagged"
else
	bad "non-MLD IPv6: got:"
	printf '%s\n' "$other6"
	cat "$tmp/other6.stats"
fi

# Hostile timestamps: a microsecond field of 0xffffffff and one of 2 500 000 are carried into
# the seconds, the same instant in every time style, and the JSON stays valid. A second field
# of 0xffffffff is -1 (libpcap reads it signed): with 500 000 microseconds, half a second
# before 1970, in the JSON as in the text.
python3 - "$tmp/badts.pcap" "$here" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[2])
import pcapgen as g
pkt = g.igmp_packet(g.igmp_v1v2(0x16, "239.1.1.1"), "198.18.0.1", "239.1.1.1")
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, g.DLT_RAW))
    for sec, usec in ((1000, 0xFFFFFFFF), (1000, 2500000), (0xFFFFFFFF, 500000)):
        f.write(struct.pack("<IIII", sec, usec, len(pkt), len(pkt)) + pkt)
PY
badts_json=$("$mgmdump" --json -r "$tmp/badts.pcap" |
	python3 -c 'import json, sys; print(" ".join("%.6f" % json.loads(l)["time"] for l in sys.stdin))')
badts_tt=$("$mgmdump" -tt -r "$tmp/badts.pcap" | cut -d' ' -f1 | tr '\n' ' ')
if [ "$badts_json" = "999.999999 1002.500000 -0.500000" ] &&
	[ "$badts_tt" = "999.999999 1002.500000 -0.500000 " ]; then
	ok "hostile timestamps normalised"
else
	bad "hostile timestamps: json '$badts_json' -tt '$badts_tt'"
fi

# Time styles, as tcpdump's -t: none, epoch, delta, date, since the first message.
first() {
	"$mgmdump" "$@" -r "$data/messages-en10mb.pcap" | sed -n "${line:-1}p" | cut -d' ' -f1-2
}
check_time() {
	local name=$1 want=$2 got
	shift 2
	got=$(first "$@")
	if [ "$got" = "$want" ]; then
		ok "time $name"
	else
		bad "time $name: '$got', want '$want'"
	fi
}
check_time default "22:13:20.000000 198.18.0.1"
check_time -t "198.18.0.1 >" -t
check_time -tt "1700000000.000000 198.18.0.1" -tt
line=3 check_time -ttt "0.001000 198.18.0.1" -ttt
check_time -tttt "2023-11-14 22:13:20.000000" -tttt
line=12 check_time -ttttt "0.015000 fe80::1" -ttttt

tally
