#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mgmd's kernel multicast routing module (daemon/mroute.c, driven by mrtool) against the real
# kernel, IPv4 and IPv6: sender - router - receivers A and B. The kernel's no-cache upcall names
# the sender's (S,G) and the input interface; with an MFC entry towards A only, A's wire carries
# the stream and B's does not; the entry's counters grow; once deleted, forwarding stops; MRT_DONE
# leaves no VIF and no entry behind. A second routing socket on the same table gets the one-line
# "already in use" error, one on another table coexists; the 33rd VIF is refused by name.
# A kernel without multicast routing: checks its error line, then skips (exit 77). About 25 s.
# Usage: test_mroute.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/lib.sh"
mgmt_require_root "$0"
mgmt_require ip timeout python3
mrtool="$build/tests/netns/mrtool"
[ -x "$mrtool" ] || mgmt_fail "build first: no $mrtool"
mgmt_init

G4=239.1.2.3 G6=ff05::db8:1 PORT=5000
S4=198.18.1.1 S6=2001:db8:1::1

ns_add snd
ns_add rtr
ns_add ra
ns_add rb
veth_add snd eth0 rtr uplink
veth_add rtr ra ra eth0
veth_add rtr rb rb eth0
addr_add snd eth0 $S4/24
addr_add snd eth0 $S6/64
ns snd ip route add default via 198.18.1.254
addr_add rtr uplink 198.18.1.254/24
addr_add rtr uplink 2001:db8:1::fe/64
addr_add rtr ra 198.18.2.254/24
addr_add rtr ra 2001:db8:2::fe/64
addr_add ra eth0 198.18.2.1/24
addr_add ra eth0 2001:db8:2::1/64
addr_add rtr rb 198.18.3.254/24
addr_add rtr rb 2001:db8:3::fe/64
addr_add rb eth0 198.18.3.1/24
addr_add rb eth0 2001:db8:3::1/64
# The router forwards; no reverse-path filter between the sender and it (mc_forwarding itself is
# read-only: MRT_INIT sets it).
ns rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
	net.ipv4.conf.uplink.rp_filter=0 net.ipv4.conf.ra.rp_filter=0 net.ipv4.conf.rb.rp_filter=0

# A bounded sender: RATE UDP packets per second to the group for SECONDS, TTL / hop limit 8.
cat >"$MGMT_TMP/send.py" <<'EOF'
import socket, struct, sys, time
fam, group, port, ifname, rate, seconds = sys.argv[1:7]
if fam == "4":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 8)
    mreqn = struct.pack("4s4si", bytes(4), bytes(4), socket.if_nametoindex(ifname))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, mreqn)
else:
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 8)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex(ifname))
end = time.monotonic() + float(seconds)
n = 0
while time.monotonic() < end:
    s.sendto(b"mgmd-mroute %d" % n, (group, int(port)))
    n += 1
    time.sleep(1.0 / float(rate))
EOF

# Counts, on an interface's wire (a packet socket: no IP stack of the receiver in the way), the
# UDP packets to the group that arrive within SECONDS; prints the count.
cat >"$MGMT_TMP/count.py" <<'EOF'
import socket, sys, time
fam, group, ifname, seconds = sys.argv[1:5]
ETH_P_ALL = 3
s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
s.bind((ifname, 0))
want = socket.inet_pton(socket.AF_INET if fam == "4" else socket.AF_INET6, group)
end = time.monotonic() + float(seconds)
n = 0
while True:
    left = end - time.monotonic()
    if left <= 0:
        break
    s.settimeout(left)
    try:
        data, addr = s.recvfrom(65535)
    except socket.timeout:
        break
    if addr[2] == socket.PACKET_OUTGOING:
        continue
    if fam == "4" and len(data) >= 20 and data[0] >> 4 == 4 and data[9] == 17 and data[16:20] == want:
        n += 1
    elif fam == "6" and len(data) >= 40 and data[0] >> 4 == 6 and data[6] == 17 and data[24:40] == want:
        n += 1
print(n)
EOF

# count NS FAMILY GROUP SECONDS: packets to GROUP arriving on NS's eth0 within SECONDS.
count() {
	ns "$1" python3 "$MGMT_TMP/count.py" "$2" "$3" eth0 "$4"
}

# The kernel may lack multicast routing: then the module must say so in its one line.
families=()
for fam in 4 6; do
	cfg=CONFIG_IP_MROUTE
	[ $fam = 6 ] && cfg=CONFIG_IPV6_MROUTE
	if ns rtr "$mrtool" -$fam --open-only --hold-ms 0 >/dev/null 2>"$MGMT_TMP/probe$fam.err"; then
		families+=("$fam")
	elif grep -q "built without multicast routing ($cfg)" "$MGMT_TMP/probe$fam.err"; then
		ok "IPv$fam: kernel without $cfg named in the error: $(cat "$MGMT_TMP/probe$fam.err")"
	else
		cat "$MGMT_TMP/probe$fam.err" >&2
		bad "IPv$fam: mrtool cannot open the multicast routing socket"
	fi
done
if [ ${#families[@]} -eq 0 ]; then
	tally || exit 1
	echo "SKIP: this kernel has no multicast routing (CONFIG_IP_MROUTE, CONFIG_IPV6_MROUTE)"
	exit 77
fi

# field FILE EVENT KEY: KEY's value on each line of EVENT in mrtool's output.
field() {
	grep "\"event\":\"$2\"" "$1" | sed -n "s/.*\"$3\":\"\{0,1\}\([^\",}]*\).*/\1/p"
}

run_family() {
	local fam=$1 group=$2 src=$3 out err lab a b after first last rc
	out="$MGMT_TMP/mrtool$fam.out"
	err="$MGMT_TMP/mrtool$fam.err"
	bg rtr 40 "$mrtool" -$fam -t 10 -i uplink -i ra -i rb -o ra --hold-ms 5000 --after-ms 3000 \
		>"$out" 2>"$err"
	lab=$MGMT_LAST_PID
	wait_for 10 grep -q '"event":"ready"' "$out" || {
		cat "$err" >&2
		mgmt_fail "IPv$fam: mrtool did not get ready"
	}
	bg snd 20 python3 "$MGMT_TMP/send.py" $fam "$group" $PORT eth0 20 14
	wait_for 10 grep -q '"event":"installed"' "$out" || {
		cat "$out" "$err" >&2
		mgmt_fail "IPv$fam: no MFC entry installed (no upcall?)"
	}
	check "IPv$fam: no-cache upcall names ($src, $group) arriving on 'uplink'" \
		grep -q "\"kind\":\"nocache\".*\"ifname\":\"uplink\",\"source\":\"$src\",\"group\":\"$group\"" \
		"$out"

	count ra $fam "$group" 1.5 >"$MGMT_TMP/a$fam" &
	a=$!
	count rb $fam "$group" 1.5 >"$MGMT_TMP/b$fam"
	wait $a
	a=$(cat "$MGMT_TMP/a$fam") b=$(cat "$MGMT_TMP/b$fam")
	echo "IPv$fam: with the entry towards A: A saw $a packets, B $b in 1.5 s"
	check "IPv$fam: A's wire carries the stream" test "$a" -gt 10
	check "IPv$fam: B's wire does not" test "$b" -eq 0

	# The table is held: a second routing socket on it gets the one clear line.
	rc=0
	ns rtr "$mrtool" -$fam --open-only --hold-ms 0 -i uplink >/dev/null 2>"$MGMT_TMP/inuse$fam" ||
		rc=$?
	echo "IPv$fam: second process: $(cat "$MGMT_TMP/inuse$fam")"
	check "IPv$fam: a second process on the same table fails" test "$rc" -ne 0
	check "IPv$fam: its error says 'already in use' and names the routers and the table option" \
		grep -q "already in use.*igmpproxy.*smcroute.*pimd.*mrouted.*FRR.*'table' option" \
		"$MGMT_TMP/inuse$fam"
	check "IPv$fam: an instance on table 7 coexists" \
		sh -c "ip netns exec $(mgmt_ns_name rtr) '$mrtool' -$fam -T 7 --open-only \
			--hold-ms 200 -i rb | grep -q '\"table\":7'"

	wait_for 15 grep -q '"event":"deleted"' "$out" || {
		cat "$out" "$err" >&2
		mgmt_fail "IPv$fam: the entry was not deleted"
	}
	after=$(count ra $fam "$group" 1.5)
	echo "IPv$fam: after the delete: A saw $after packets in 1.5 s"
	check "IPv$fam: forwarding stops once the entry is deleted" test "$after" -eq 0
	check "IPv$fam: the kernel has no counters for the deleted entry" \
		test "$(field "$out" deleted counters_after)" = enoent

	rc=0
	wait "$lab" || rc=$?
	check "IPv$fam: mrtool ends by itself, status 0" test "$rc" -eq 0
	check "IPv$fam: mrtool reached MRT_DONE" grep -q '"event":"done"' "$out"
	first=$(field "$out" counters packets | head -1)
	last=$(field "$out" counters packets | tail -1)
	echo "IPv$fam: entry counters: $first packets at 0.5 s, $last at the end;" \
		"$(field "$out" counters bytes | tail -1) bytes"
	check "IPv$fam: the entry's packet counter grows" test "${first:-0}" -gt 0 -a "${last:-0}" -gt "${first:-0}"
	local vifs=/proc/net/ip_mr_vif cache=/proc/net/ip_mr_cache
	[ $fam = 6 ] && vifs=/proc/net/ip6_mr_vif cache=/proc/net/ip6_mr_cache
	check "IPv$fam: after MRT_DONE the kernel holds no VIF" \
		test "$(ns rtr cat $vifs | wc -l)" -le 1
	check "IPv$fam: and no MFC entry" test "$(ns rtr cat $cache | wc -l)" -le 1
	if ! grep -q '"event":"done"' "$out"; then
		sed 's/^/    | /' "$out" "$err" >&2
	fi
}

for fam in "${families[@]}"; do
	if [ "$fam" = 4 ]; then run_family 4 $G4 $S4; else run_family 6 $G6 $S6; fi
done

# The 33rd VIF is refused by name: 34 veth ends inside the router.
for i in $(seq 0 16); do
	ns rtr ip link add "x$i" type veth peer name "y$i"
	ns rtr ip link set "x$i" up
	ns rtr ip link set "y$i" up
done
vifs=()
for i in $(seq 0 16); do vifs+=(-i "x$i" -i "y$i"); done
for fam in "${families[@]}"; do
	rc=0
	ns rtr "$mrtool" -$fam --open-only --hold-ms 0 "${vifs[@]}" >/dev/null \
		2>"$MGMT_TMP/full$fam" || rc=$?
	echo "IPv$fam: 34 interfaces: $(cat "$MGMT_TMP/full$fam")"
	check "IPv$fam: the VIF beyond the kernel's 32 is refused, the limit named" \
		grep -q "all 32 .* are in use.*VIF limit reached" "$MGMT_TMP/full$fam"
	check "IPv$fam: refused with status 1" test "$rc" -eq 1
done

tally
