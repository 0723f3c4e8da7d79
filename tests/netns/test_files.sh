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
[ -x "$mgmdump" ] || { echo "FAIL: build $build first (mgmdump)" >&2; exit 1; }
tmp=$(mktemp -d "/tmp/mgmt-$$.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC
passed=0 failed=0

# same NAME EXPECTED_FILE CMD...: CMD's standard output must equal EXPECTED_FILE.
same() {
	local name=$1 want=$2
	shift 2
	if ! "$@" >"$tmp/out" 2>"$tmp/err"; then
		echo "FAIL $name: exit status $?: $(head -3 "$tmp/err")"
		failed=$((failed + 1))
	elif ! diff -u "$want" "$tmp/out" >"$tmp/diff"; then
		echo "FAIL $name: output differs from $(basename "$want"):"
		head -20 "$tmp/diff"
		failed=$((failed + 1))
	else
		echo "ok   $name"
		passed=$((passed + 1))
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

# Time styles, as tcpdump's -t: none, epoch, delta, date, since the first message.
first() {
	"$mgmdump" "$@" -r "$data/messages-en10mb.pcap" | sed -n "${line:-1}p" | cut -d' ' -f1-2
}
check_time() {
	local name=$1 want=$2 got
	shift 2
	got=$(first "$@")
	if [ "$got" = "$want" ]; then
		echo "ok   time $name"
		passed=$((passed + 1))
	else
		echo "FAIL time $name: '$got', want '$want'"
		failed=$((failed + 1))
	fi
}
check_time default "22:13:20.000000 198.18.0.1"
check_time -t "198.18.0.1 >" -t
check_time -tt "1700000000.000000 198.18.0.1" -tt
line=3 check_time -ttt "0.001000 198.18.0.1" -ttt
check_time -tttt "2023-11-14 22:13:20.000000" -tttt
line=12 check_time -ttttt "0.015000 fe80::1" -ttttt

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
