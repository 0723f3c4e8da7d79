#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mgmdump's own classic pcap reader (mapped or read(), one thread or several) must print byte
# for byte what libpcap's reader prints (--reader=libpcap), and exit the same way: over every
# capture of tests/data, over variants of one in the other byte order, with nanosecond time
# stamps, with records longer than the snapshot length, cut short or damaged, and over the
# benchmark's capture from bench/gencap (MGMDUMP_READERS_MESSAGES messages, default 1000000).
# Needs no root. Usage: test_readers.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
mgmdump="$build/tools/mgmdump"
gencap="$build/bench/gencap"
data="$here/../data"
messages=${MGMDUMP_READERS_MESSAGES:-1000000}
. "$here/lib.sh"
[ -x "$mgmdump" ] || mgmt_fail "build $build first (mgmdump)"
[ -x "$gencap" ] || mgmt_fail "build $build first (bench/gencap)"
mgmt_init
tmp=$MGMT_TMP
export TZ=UTC
# run OUT ERR ARGS...: mgmdump ARGS with its output in OUT, its errors in ERR; prints the status.
run() {
	local out=$1 err=$2
	shift 2
	"$mgmdump" "$@" >"$out" 2>"$err"
	echo $?
}

# agree NAME FILE ARGS...: every reader of FILE prints what libpcap's does, with the same
# status. Standard input is read both as a file and through a pipe.
agree() {
	local name=$1 file=$2 want got how
	shift 2
	want=$(run "$tmp/want" "$tmp/want.err" --reader=libpcap "$@" -r "$file")
	for how in auto mmap read threads pipe; do
		case $how in
		threads) got=$(run "$tmp/got" "$tmp/got.err" --threads=3 "$@" -r "$file") ;;
		pipe) got=$(run "$tmp/got" "$tmp/got.err" "$@" -r - < <(cat "$file")) ;;
		*) got=$(run "$tmp/got" "$tmp/got.err" --reader=$how "$@" -r "$file") ;;
		esac
		if [ "$got" != "$want" ]; then
			bad "$name ($how): status $got, libpcap's $want: $(head -1 "$tmp/got.err")"
		elif ! cmp -s "$tmp/want" "$tmp/got"; then
			bad "$name ($how): output differs from libpcap's:"
			diff "$tmp/want" "$tmp/got" | head -5
		else
			continue
		fi
		return
	done
	ok "$name: $(wc -l <"$tmp/want") lines and status $want from every reader"
}

for f in "$data"/*.pcap "$data"/*.pcapng; do
	agree "$(basename "$f") -v" "$f" -v
	agree "$(basename "$f") --json" "$f" --json
done
agree "messages-en10mb.pcap -tt" "$data/messages-en10mb.pcap" -tt
agree "messages-en10mb.pcap -ttt" "$data/messages-en10mb.pcap" -ttt
agree "messages-en10mb.pcap -c 5" "$data/messages-en10mb.pcap" -v -c 5

# Variants of one capture, rewritten record by record: each is read by libpcap and by the
# walker, which must agree; the first four must also still give the reviewed text.
python3 - "$data/messages-en10mb.pcap" "$tmp" <<'EOF'
import struct, sys
src, out = sys.argv[1], sys.argv[2]
raw = open(src, 'rb').read()
magic, vmaj, vmin, zone, sig, snap, link = struct.unpack('<IHHiIII', raw[:24])
assert magic == 0xa1b2c3d4, 'tests/data capture is little-endian microseconds'
recs, pos = [], 24
while pos < len(raw):
    sec, usec, cap, orig = struct.unpack('<IIII', raw[pos:pos + 16])
    recs.append((sec, usec, orig, raw[pos + 16:pos + 16 + cap]))
    pos += 16 + cap

def write(name, order='<', nsec=False, version=(2, 4), snaplen=snap, caplen_of=None):
    m = 0xa1b23c4d if nsec else 0xa1b2c3d4
    b = bytearray(struct.pack(order + 'IHHiIII', m, version[0], version[1], 0, 0, snaplen, link))
    for i, (sec, usec, orig, frame) in enumerate(recs):
        frac = usec * 1000 + 999 if nsec else usec
        cap = caplen_of(i, len(frame)) if caplen_of else len(frame)
        b += struct.pack(order + 'IIII', sec, frac, cap, orig) + frame
    open(f'{out}/{name}', 'wb').write(b)
    return b

write('be-usec.pcap', '>')
write('le-nsec.pcap', nsec=True)
write('be-nsec.pcap', '>', nsec=True)
write('le-usec-snap0.pcap', snaplen=0)
write('snap60.pcap', snaplen=60)
write('be-snap60.pcap', '>', snaplen=60)
write('v23.pcap', version=(2, 3))
write('v22.pcap', '>', version=(2, 2))
# Record 3 claims more than libpcap allows any record (262144 octets).
write('huge-caplen.pcap', caplen_of=lambda i, n: 300000 if i == 2 else n)
# Record 3 claims more than the file has left, though less than the limit.
write('long-caplen.pcap', caplen_of=lambda i, n: 200000 if i == 2 else n)
whole = write('whole.pcap')
first = 24 + 16 + len(recs[0][3])
second = first + 16 + len(recs[1][3])
open(f'{out}/third-record-offset', 'w').write(f'{second}\n')
open(f'{out}/cut-in-header.pcap', 'wb').write(whole[:second + 9])
open(f'{out}/cut-in-frame.pcap', 'wb').write(whole[:second + 16 + 5])
open(f'{out}/cut-at-record.pcap', 'wb').write(whole[:second])
open(f'{out}/cut-in-file-header.pcap', 'wb').write(whole[:20])
open(f'{out}/empty.pcap', 'wb').write(b'')
# Time stamps out of order, negative, at the ends of their 32 bits, microseconds past a million.
stamps = [(1700000000, 5), (1700000000, 999999), (1699999999, 1), (0, 0), (0x7fffffff, 1999999),
          (0x80000000, 3), (0xffffffff, 0xffffffff), (5, 0x80000000), (1700000001, 0)]
b = bytearray(whole[:24])
for i, (sec, frac) in enumerate(stamps * 3):
    _, _, orig, frame = recs[i % len(recs)]
    b += struct.pack('<IIII', sec, frac, len(frame), orig) + frame
open(f'{out}/odd-times.pcap', 'wb').write(b)
EOF
for v in be-usec le-nsec be-nsec le-usec-snap0; do
	if "$mgmdump" -v -r "$tmp/$v.pcap" 2>&1 | cmp -s - "$data/messages.txt"; then
		ok "$v.pcap gives the reviewed text"
	else
		bad "$v.pcap does not give the reviewed text"
	fi
done
for v in be-usec le-nsec be-nsec le-usec-snap0 snap60 be-snap60 v23 v22 huge-caplen long-caplen \
	cut-in-header cut-in-frame cut-at-record cut-in-file-header empty; do
	agree "$v.pcap" "$tmp/$v.pcap" -v
done
for t in -tt -ttt -tttt -ttttt; do
	agree "odd-times.pcap $t" "$tmp/odd-times.pcap" $t
done

# A damaged file: the walker names the file and the offset of the bad record, after printing
# what came before it.
# expect_err NAME FILE PATTERN
expect_err() {
	local st
	st=$(run "$tmp/out" "$tmp/err" -r "$2")
	if [ "$st" -eq 1 ] && grep -qE "^mgmdump: $2: $3" "$tmp/err"; then
		ok "$1: $(head -1 "$tmp/err")"
	else
		bad "$1: status $st, stderr: $(head -2 "$tmp/err")"
	fi
}
third=$(cat "$tmp/third-record-offset")
expect_err "cut in a record header" "$tmp/cut-in-header.pcap" \
	"truncated record header at offset $third: 9 of 16 octets"
expect_err "cut in a frame" "$tmp/cut-in-frame.pcap" \
	"truncated record at offset $third: [0-9]+ captured octets announced, 5 present"
expect_err "caplen over libpcap's limit" "$tmp/huge-caplen.pcap" \
	"damaged record at offset $third: captured length 300000 is over the limit of 262144"
expect_err "caplen past the end" "$tmp/long-caplen.pcap" \
	"truncated record at offset $third: 200000 captured octets announced"
n=$("$mgmdump" -r "$tmp/huge-caplen.pcap" 2>/dev/null | wc -l)
check "the two messages before a damaged record are printed ($n)" [ "$n" -eq 2 ]

# The options of the debugging aids.
refused() { # STATUS PATTERN ARGS...: mgmdump ARGS exits with STATUS, PATTERN on stderr
	local want=$1 pattern=$2 st
	shift 2
	st=$(run "$tmp/out" "$tmp/err" "$@")
	[ "$st" -eq "$want" ] && grep -q "$pattern" "$tmp/err"
}
check "--reader=fast is refused" refused 2 "reader wants" --reader=fast -r "$data/messages-en10mb.pcap"
check "--threads=0 is refused" refused 2 "threads wants" --threads=0 -r "$data/messages-en10mb.pcap"
check "--reader=mmap on a pipe fails" refused 1 "cannot map" --reader=mmap -r /dev/stdin \
	< <(cat "$data/messages-en10mb.pcap")

# The benchmark's capture: every reader and thread count against libpcap's, on the text the
# benchmark times, on -v, and (on a tenth of it) on JSON.
# big NAME STATUS FILE ARGS...: like agree, through cmp, without keeping two copies of the
# output; libpcap's reader must also exit with STATUS and print something, so that every reader
# failing alike on a broken capture is no pass.
big() {
	local name=$1 status=$2 file=$3 how want st extra
	shift 3
	"$mgmdump" --reader=libpcap "$@" -r "$file" >"$tmp/want" 2>"$tmp/want.err"
	want=$?
	if [ "$want" -ne "$status" ] || [ ! -s "$tmp/want" ]; then
		bad "$name: libpcap's reader exits $want (want $status) after $(wc -l <"$tmp/want")" \
			"lines: $(head -1 "$tmp/want.err")"
		return
	fi
	for how in auto --threads=1 --threads=2 --reader=read; do
		extra=()
		[ "$how" = auto ] || extra=("$how")
		"$mgmdump" "${extra[@]}" "$@" -r "$file" 2>"$tmp/got.err" | cmp -s - "$tmp/want"
		st=("${PIPESTATUS[@]}")
		if [ "${st[0]}" -ne "$want" ] || [ "${st[1]}" -ne 0 ]; then
			bad "$name ($how): status ${st[0]} (libpcap's $want), or the output differs"
			return
		fi
	done
	ok "$name: $(wc -l <"$tmp/want") lines and status $want alike from every reader"
}
"$gencap" -n "$messages" "$tmp/bench.pcap" 2>/dev/null || bad "gencap failed"
"$gencap" -n $((messages / 10)) "$tmp/bench10.pcap" 2>/dev/null || bad "gencap failed"
big "bench capture ($messages messages)" 0 "$tmp/bench.pcap"
big "bench capture -v" 0 "$tmp/bench.pcap" -v
big "bench capture -tttt" 0 "$tmp/bench.pcap" -tttt
big "bench capture --json (a tenth)" 0 "$tmp/bench10.pcap" --json
big "bench capture -ttt (a tenth)" 0 "$tmp/bench10.pcap" -ttt
# --stats: the threads' counts add up to one thread's.
want=$("$mgmdump" --reader=libpcap --stats -r "$tmp/bench.pcap" 2>&1 >/dev/null)
grep -qE "^mgmdump: $messages frames, $messages messages" <<<"$want" ||
	bad "bench capture --stats from libpcap's reader: $(head -1 <<<"$want")"
for how in --reader=auto --threads=2 --reader=read; do
	got=$("$mgmdump" "$how" --stats -r "$tmp/bench.pcap" 2>&1 >/dev/null)
	[ "$got" = "$want" ] || { bad "bench capture --stats ($how) differ: $got"; break; }
done
[ "$got" = "$want" ] && ok "bench capture --stats alike from every reader"
# Cut in the middle of a record well into the file: the threads stop where one thread does.
head -c $(($(stat -c %s "$tmp/bench.pcap") / 2 + 7)) "$tmp/bench.pcap" >"$tmp/bench-cut.pcap"
big "bench capture cut in half" 1 "$tmp/bench-cut.pcap"

tally
