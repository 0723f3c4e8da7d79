#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mgmdump's exit status and messages: 0 on success, 1 when the capture cannot be read (the
# message names the file and the reason), 2 on usage errors. Usage: test_exit_status.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
mgmdump="$build/tools/mgmdump"
data="$here/../data"
. "$here/lib.sh"
[ -x "$mgmdump" ] || mgmt_fail "build $build first (mgmdump)"
mgmt_init
tmp=$MGMT_TMP
# expect STATUS PATTERN ARGS...: mgmdump ARGS exits with STATUS and its stderr matches PATTERN
# (an empty PATTERN: stderr stays empty).
expect() {
	local want=$1 pattern=$2 got ok=1
	shift 2
	"$mgmdump" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ -z "$pattern" ]; then
		[ ! -s "$tmp/err" ] || ok=0
	else
		grep -qE -- "$pattern" "$tmp/err" || ok=0
	fi
	if [ "$got" -ne "$want" ] || [ "$ok" -eq 0 ]; then
		bad "mgmdump $* -> status $got (want $want), stderr: $(head -2 "$tmp/err")"
	else
		ok "mgmdump $* -> $got${pattern:+: $(head -1 "$tmp/err")}"
	fi
}

expect 1 "^mgmdump: $tmp/missing.pcap: No such file or directory$" -r "$tmp/missing.pcap"
printf 'not a capture file at all, just text\n' >"$tmp/garbage.pcap"
expect 1 "^mgmdump: $tmp/garbage.pcap: .+" -r "$tmp/garbage.pcap"
mkdir "$tmp/dir.pcap"
expect 1 "^mgmdump: $tmp/dir.pcap: .+" -r "$tmp/dir.pcap"
# A file cut in the middle of a packet: what was read is printed, then the failure.
head -c 300 "$data/messages-en10mb.pcap" >"$tmp/cut.pcap"
expect 1 "^mgmdump: $tmp/cut.pcap: .*truncated" -r "$tmp/cut.pcap"
expect 1 "^mgmdump: mgmt-no-such-if0: .+" -i mgmt-no-such-if0
expect 2 "unknown option" -r "$data/messages-en10mb.pcap" --no-such-option
expect 2 "unknown option" -Z
expect 2 "needs an argument" -r
expect 2 "needs an argument" -r "$data/messages-en10mb.pcap" -c
expect 2 "positive count" -r "$data/messages-en10mb.pcap" -c 0
expect 2 "positive count" -r "$data/messages-en10mb.pcap" -c 12x
expect 2 "exclude each other" -r "$data/messages-en10mb.pcap" -i lo
expect 2 "need -r FILE or -i IFACE"
expect 2 "unexpected argument" -r "$data/messages-en10mb.pcap" extra
expect 0 "" -r "$data/messages-en10mb.pcap"
expect 0 "" --help
expect 0 "" --version
check "--help prints the usage" grep -q '^usage: mgmdump' < <("$mgmdump" --help)
check "--version names mgmdump and libpcap" grep -q '^mgmdump [0-9].*libpcap' \
	< <("$mgmdump" --version)
n=$("$mgmdump" -r "$data/messages-en10mb.pcap" -c 3 | wc -l)
check "-c 3 stops after 3 messages" [ "$n" -eq 3 ]
n=$("$mgmdump" -r "$tmp/cut.pcap" 2>/dev/null | wc -l)
check "a cut file still prints the messages before the cut" [ "$n" -ge 1 ]
tally
