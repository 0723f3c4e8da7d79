#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mgmd's netlink module (daemon/netlink.c) against a real kernel, through nlwatch: in a fresh
# namespace, after the first dump, links appear, come up, get IPv4 and IPv6 addresses, change
# MTU, go down and away; each callback must arrive with the right fields. IPv6 addresses are
# reported only once DAD is done (RFC 4862 §5.4) and never when it failed; a bridge port
# leaving its bridge is no link deletion; with a tiny receive buffer and events dropped by
# the kernel, a new dump brings the caller back in step. Reads nlwatch's JSON lines through
# routerlab_events.py. About 15 s.
# Usage: test_netlink.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/lib.sh"
mgmt_require_root "$0"
mgmt_require ip timeout python3
nlwatch="$build/tests/netns/nlwatch"
[ -x "$nlwatch" ] || mgmt_fail "build first: no $nlwatch"
mgmt_init

# w: where nlwatch runs, with DAD on for the links made from now on (one probe, so that an
# address stays tentative for about a second). p: the peer of a veth, holding an address
# that w will try to take (DAD fails).
ns_add w
ns_add p
ns w sysctl -qw net.ipv6.conf.default.accept_dad=1 net.ipv6.conf.default.dad_transmits=1

out="$MGMT_TMP/nlwatch.out"
bg w 60 "$nlwatch" --seconds 55 >"$out" 2>&1
watch=$MGMT_LAST_PID

show() {
	sed 's/^/    | /' "$1" >&2
}
# The matcher's complaints go to a file: polling would fill the log with them; a failure
# shows the last one.
errs="$MGMT_TMP/events.err"
fail() {
	show "$out"
	tail -1 "$errs" >&2
	mgmt_fail "$*"
}
events_start "$out" "$errs"
ifindex() {
	ns w cat "/sys/class/net/$1/ifindex"
}
# tentative IF ADDR: the kernel still holds ADDR on IF as tentative (DAD under way).
tentative() {
	ns w ip -6 addr show dev "$1" tentative | grep -q "inet6 $2/"
}

expect 5 0 event=dump_done
seen 0 event=link ifindex=1 name=lo up=true multicast=false mtu=65536 \
	/ event=addr name=lo family=4 address=127.0.0.1 prefix=8 added=true ||
	fail "the dump lacks lo or 127.0.0.1"
none 0 event=addr address=::1 || fail "::1 (host scope) reported"
ok "dump: lo up, not multicast, MTU 65536, 127.0.0.1/8, no ::1"

# ---- A veth from creation to deletion (this kernel may have no dummy), its peer in p, DAD
# off on it: the addresses come at once. ----
P=$(mgmt_ns_name p)
mark=$(lines)
ns w ip link add d0 mtu 1500 type veth peer name d0p netns "$P"
d0=$(ifindex d0)
ns w sysctl -qw net.ipv6.conf.d0.accept_dad=0
ns p ip link set d0p up
expect 5 "$mark" event=link ifindex="$d0" name=d0 up=false multicast=true mtu=1500
ok "d0 created: link ifindex $d0 name d0 down multicast MTU 1500"

mark=$(lines)
ns w ip link set d0 multicast off
expect 5 "$mark" event=link ifindex="$d0" multicast=false up=false
ns w ip link set d0 multicast on
ns w ip link set d0 up
expect 5 "$mark" event=link ifindex="$d0" name=d0 up=true multicast=true
ok "d0 multicast off and on, then up"

mark=$(lines)
ns w ip addr add 198.18.0.1/24 dev d0
ns w ip addr add 2001:db8::1/64 dev d0
expect 5 "$mark" event=addr ifindex="$d0" name=d0 family=4 address=198.18.0.1 prefix=24 \
	added=true / event=addr ifindex="$d0" family=6 address=2001:db8::1 prefix=64 \
	link_local=false added=true
expect 5 0 event=addr ifindex="$d0" family=6 link_local=true prefix=64 added=true
ok "d0 addresses: 198.18.0.1/24, 2001:db8::1/64 and a link-local /64"

mark=$(lines)
ns w ip link set d0 mtu 1400
expect 5 "$mark" event=link ifindex="$d0" name=d0 up=true mtu=1400
ok "d0 MTU 1400"

# Down: the kernel drops the link's IPv6 addresses (IPv4 ones stay).
mark=$(lines)
ns w ip link set d0 down
expect 5 "$mark" event=link ifindex="$d0" up=false mtu=1400 \
	/ event=addr ifindex="$d0" address=2001:db8::1 added=false \
	/ event=addr ifindex="$d0" family=6 link_local=true added=false
none "$mark" event=addr ifindex="$d0" family=4 added=false || fail "IPv4 address lost on down"
ok "d0 down: up false, its IPv6 addresses removed, 198.18.0.1 kept"

mark=$(lines)
ns w ip link del d0
expect 5 "$mark" event=link_del ifindex="$d0" name=d0 \
	/ event=addr ifindex="$d0" address=198.18.0.1 added=false
ok "d0 deleted: link_del and 198.18.0.1 removed"

# ---- A bridge port leaving its bridge: the kernel says RTM_DELLINK (AF_BRIDGE). ----
mark=$(lines)
ns w ip link add br0 type bridge
ns w ip link add d1 type veth peer name d1p netns "$P"
d1=$(ifindex d1)
ns w ip link set d1 master br0
ns w ip link set d1 nomaster
expect 5 "$mark" event=link name=br0 / event=link ifindex="$d1" name=d1
sleep 0.3
none "$mark" event=link_del ifindex="$d1" || fail "a port leaving a bridge taken for deletion"
ok "d1 joins and leaves br0: no link_del"

# ---- A veth with DAD: addresses reported once usable, never when DAD failed. ----
mark=$(lines)
ns w ip link add v0 type veth peer name v1 netns "$P"
v0=$(ifindex v0)
# Two seconds per probe: a window wide enough to look while the address is tentative.
ns w sysctl -qw net.ipv6.neigh.v0.retrans_time_ms=2000
ns p ip link set v1 up
addr_add p v1 2001:db8:1::2/64
ns w ip link set v0 up
expect 5 "$mark" event=link ifindex="$v0" name=v0 up=true multicast=true
wait_for 5 ns w sh -c "ip -6 addr show dev v0 tentative | grep -q 'inet6 fe80'" ||
	fail "v0's link-local address never seen tentative"
ll=$(ns w ip -6 addr show dev v0 scope link | sed -n 's|.*inet6 \(fe80[^/]*\)/.*|\1|p')
[ -n "$ll" ] || fail "no link-local address on v0"
# Not reported, while the kernel holds it tentative both before and after looking.
none "$mark" event=addr ifindex="$v0" address="$ll" || fail "$ll reported while tentative"
tentative v0 "$ll" || fail "DAD ended too soon to tell (test timing)"
ok "v0 $ll: not reported while tentative"
expect 8 "$mark" event=addr ifindex="$v0" name=v0 address="$ll" link_local=true prefix=64 \
	added=true
tentative v0 "$ll" && fail "$ll reported while the kernel still holds it tentative"
ok "v0 $ll: reported once DAD is done"

mark=$(lines)
ns w ip addr add 2001:db8:2::1/64 dev v0
wait_for 3 tentative v0 2001:db8:2::1 || fail "2001:db8:2::1 never seen tentative"
none "$mark" event=addr address=2001:db8:2::1 || fail "2001:db8:2::1 reported while tentative"
expect 8 "$mark" event=addr ifindex="$v0" address=2001:db8:2::1 prefix=64 link_local=false \
	added=true
ok "v0 2001:db8:2::1/64 (global): reported once DAD is done"

# 2001:db8:1::2 belongs to the peer: our DAD fails; neither the address nor its removal shows.
mark=$(lines)
ns w ip addr add 2001:db8:1::2/64 dev v0
wait_for 8 sh -c "ip netns exec $(mgmt_ns_name w) ip -6 addr show dev v0 | grep -q dadfailed" ||
	fail "DAD of 2001:db8:1::2 did not fail"
ns w ip addr del 2001:db8:1::2/64 dev v0
ns w ip addr add 198.18.1.1/24 dev v0
expect 5 "$mark" event=addr address=198.18.1.1 added=true
none "$mark" event=addr address=2001:db8:1::2 || fail "an address whose DAD failed reported"
ok "v0 2001:db8:1::2 (DAD failed): never reported, added or removed"

# Carrier lost (peer down): no longer up; back when the peer comes back.
mark=$(lines)
ns p ip link set v1 down
expect 5 "$mark" event=link ifindex="$v0" up=false
ns p ip link set v1 up
expect 5 "$mark" event=link ifindex="$v0" up=true
ok "v0 carrier lost and back: up false, then up true"

mark=$(lines)
ns w ip link del v0
expect 5 "$mark" event=link_del ifindex="$v0"
ok "v0 deleted"
none 0 event=stats || fail "nlwatch ended early"
seen 0 event=dump_done dumps=1 || fail "no first dump"
none 0 event=dump_done dumps=2 || fail "a second dump without a reason"
kill -TERM "$watch"
wait "$watch" || true
# As root (CAP_NET_ADMIN) the module's 4 MiB hold past net.core.rmem_max; the kernel shows
# twice what was asked.
seen 0 event=stats malformed=0 overruns=0 dumps=1 rcvbuf=8388608 || fail "nlwatch's counters"
ok "nlwatch: no malformed message, no overrun, one dump, a 4 MiB receive buffer"

# ---- Events dropped by the kernel: a 4 KiB receive buffer, 40 links made while nlwatch
# does not read (veth pairs, both ends here). d2 is deleted meanwhile: the new dump must not bring it back. ----
out2="$MGMT_TMP/nlwatch2.out"
ns w ip link add d2 type veth peer name d2p netns "$P"
d2=$(ifindex d2)
bg w 30 "$nlwatch" --seconds 25 --rcvbuf 4096 --stall 3000 >"$out2" 2>&1
watch2=$MGMT_LAST_PID
wait_for 5 grep -q '"event":"stall"' "$out2" || {
	show "$out2"
	mgmt_fail "nlwatch --stall did not stall"
}
batch="$MGMT_TMP/links.batch"
for i in $(seq 1 40); do
	echo "link add x$i type veth peer name y$i"
	echo "link set y$i up"
	echo "link set x$i up"
	echo "address add 198.18.2.$i/32 dev x$i"
done >"$batch"
echo "link del d2" >>"$batch"
ns w ip -batch "$batch"
wait_for 10 grep -q '"dumps":2' "$out2" || {
	show "$out2"
	mgmt_fail "no new dump after the overrun"
}
kill -TERM "$watch2"
wait "$watch2" || true
# From the last dump_start on: every link and address there is, none that is gone.
from=$(grep -n '"event":"dump_start"' "$out2" | tail -1 | cut -d: -f1)
sets=()
for i in $(seq 1 40); do
	sets+=(event=link name="x$i" up=true / event=addr name="x$i" address="198.18.2.$i" / )
done
unset 'sets[${#sets[@]}-1]'
python3 "$here/routerlab_events.py" "$out2" --after "$((from - 1))" any "${sets[@]}" || {
	show "$out2"
	mgmt_fail "the new dump lacks links or addresses"
}
python3 "$here/routerlab_events.py" "$out2" --after "$((from - 1))" none \
	event=link ifindex="$d2" || {
	show "$out2"
	mgmt_fail "the new dump brings back d2, deleted meanwhile"
}
python3 "$here/routerlab_events.py" "$out2" any event=stats malformed=0 \
	overruns="$(seq -s'|' 1 99)" || {
	show "$out2"
	mgmt_fail "no overrun counted"
}
ok "overrun: counted, a new dump with all 40 new links and addresses, without d2"
tally
