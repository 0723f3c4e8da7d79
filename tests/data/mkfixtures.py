#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Writes the committed captures of tests/data: the same IGMP/MLD conversation (every message
kind of RFC 1112, 2236, 3376 §4, 2710 and 3810 §5, mixed with traffic that is not ours) in
every link type mgmdump reads, pcap and pcapng, plus the malformed cases of
tests/netns/gen_malformed.py. tests/netns/test_files.sh compares mgmdump's output on them with
the .txt / .jsonl files here, which a person reviewed.
Usage: mkfixtures.py [--golden MGMDUMP] [DIR] (default: this directory). --golden rewrites the
expected outputs with that mgmdump: only after a deliberate change, and review the diff."""

import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(HERE, "..", "netns"))

import gen_malformed  # noqa: E402
from pcapgen import (DLT_EN10MB, DLT_NULL, DLT_RAW, DLT_SLL, DLT_SLL2, WRAP, a4,  # noqa: E402
                     ether, igmp_packet, igmp_v1v2, igmp_v3_query, igmp_v3_report, ipv4, ipv6,
                     mld_v1, mld_v2_query, mld_v2_report, v3_record, write_pcap, write_pcapng,
                     icmp6_finish, igmp_finish)

Q4, H4 = "198.18.0.1", "198.18.0.2"
Q6, H6 = "fe80::1", "fe80::2"
S1, S2 = "198.18.0.9", "198.18.0.10"
T1, T2 = "2001:db8::9", "2001:db8::a"


def conversation():
    """(IP packet, Ethernet VLAN tags) in order. The tags only apply to the Ethernet file."""
    q = "802.1Q"
    yield igmp_packet(igmp_v1v2(0x11, "0.0.0.0", 0), Q4, "224.0.0.1"), ()
    yield igmp_packet(igmp_v1v2(0x11, "0.0.0.0", 100), Q4, "224.0.0.1"), ((0x8100, 10),)
    yield igmp_packet(igmp_v1v2(0x11, "239.1.1.1", 10), Q4, "239.1.1.1"), ()
    yield igmp_packet(igmp_v3_query(code=100, qrv=2, qqic=125), Q4, "224.0.0.1"), \
        ((0x88A8, 100), (0x8100, 10))
    yield igmp_packet(igmp_v3_query("232.1.1.1", code=0x8A, s=True, qrv=3, qqic=0x90,
                                    sources=[S1, S2]), Q4, "232.1.1.1"), ()
    yield igmp_packet(igmp_v1v2(0x12, "239.1.1.1"), H4, "239.1.1.1"), ()
    yield igmp_packet(igmp_v1v2(0x16, "239.1.1.1"), H4, "239.1.1.1"), ((0x9100, 7),)
    yield igmp_packet(igmp_v1v2(0x17, "239.1.1.1"), H4, "224.0.0.2"), ()
    yield igmp_packet(igmp_v3_report([v3_record(4, "239.1.1.1"),
                                      v3_record(5, "232.1.1.1", [S1, S2], aux=b"\1\2\3\4")]),
                      H4, "224.0.0.22"), ()
    yield igmp_packet(igmp_v3_report([v3_record(t, "239.2.2.%d" % t, [S1][:t % 2])
                                      for t in range(1, 7)]), H4, "224.0.0.22"), ()
    # Not a membership message (DVMRP, type 0x13): shown as ignored (RFC 3376 §4).
    yield igmp_packet(igmp_finish(bytes([0x13, 0, 0, 0, 3, 0xFF, 0, 0])), Q4, "224.0.0.4"), ()
    # Not ours at all: UDP to a group, IPv6 TCP, ICMPv6 echo and neighbour solicitation.
    yield ipv4(b"\0" * 16, H4, "239.1.1.1", ttl=8, tos=0, proto=17, router_alert=False), ()
    yield ipv6(b"\0" * 20, "2001:db8::2", "2001:db8::1", hlim=64, router_alert=False,
               nh=6), ()
    yield ipv6(icmp6_finish(b"\x80\0\0\0\0\1\0\1", H6, "ff02::1"), H6, "ff02::1",
               router_alert=False), ()
    yield ipv6(icmp6_finish(b"\x87\0\0\0\0\0\0\0" + bytes(16), H6, "ff02::1:ff00:1"), H6,
               "ff02::1:ff00:1", hlim=255, router_alert=False), ()
    yield ipv6(mld_v1(130, "::", Q6, "ff02::1", delay=10000), Q6, "ff02::1"), ()
    yield ipv6(mld_v1(131, "ff05::1:1", H6, "ff05::1:1"), H6, "ff05::1:1"), ((0x8100, 10),)
    yield ipv6(mld_v1(132, "ff05::1:1", H6, "ff02::2"), H6, "ff02::2"), ()
    yield ipv6(mld_v2_query(Q6, "ff02::1", code=10000), Q6, "ff02::1"), ()
    yield ipv6(mld_v2_query(Q6, "ff3e::8000:1", group="ff3e::8000:1", code=0x8123, s=True,
                            qrv=7, qqic=0xFF, sources=[T1]), Q6, "ff3e::8000:1"), ()
    yield ipv6(mld_v2_report([v3_record(1, "ff05::1:1", [T1, T2], fam=6),
                              v3_record(2, "ff05::1:2", fam=6),
                              v3_record(6, "ff3e::8000:1", [T1], aux=bytes(8), fam=6)],
                             H6, "ff02::16"), H6, "ff02::16"), ()
    # A host doing duplicate address detection reports from :: (RFC 3810 §5.2.13).
    yield ipv6(mld_v2_report([v3_record(4, "ff02::1:ff00:2", fam=6)], "::", "ff02::16"), "::",
               "ff02::16"), ()
    # The same report without Router Alert: still decoded, -v says "no RA".
    yield ipv4(igmp_v1v2(0x16, "239.3.3.3"), H4, "239.3.3.3", router_alert=False), ()


def ether_frames(items):
    frames = [ether(p, vlans=v) for p, v in items]
    # Not IP at the Ethernet level: ARP, and an 802.3 length field with LLC. Last, so every
    # link type numbers the frames above alike.
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, b"\2\0\0\0\0\1", a4(H4),
                      bytes(6), a4(Q4))
    frames.append(b"\xff" * 6 + b"\2\0\0\0\0\1" + b"\x08\x06" + arp)
    frames.append(b"\x01\x80\xc2\0\0\0" + b"\2\0\0\0\0\1" + struct.pack("!H", 38) +
                  b"\x42\x42\x03" + bytes(35))
    return frames


def golden(mgmdump, out):
    env = dict(os.environ, TZ="UTC")
    for pcap, name in (("messages-en10mb.pcap", "messages"), ("malformed.pcap", "malformed")):
        for args, ext in ((["-v"], "txt"), (["--json"], "jsonl")):
            with open(os.path.join(out, "%s.%s" % (name, ext)), "wb") as f:
                subprocess.run([mgmdump] + args + ["-r", os.path.join(out, pcap)], stdout=f,
                               env=env, check=True)


def main():
    args = sys.argv[1:]
    mgmdump = None
    if args[:1] == ["--golden"]:
        if len(args) < 2:
            sys.exit(__doc__)
        mgmdump, args = args[1], args[2:]
    out = args[0] if args else HERE
    items = list(conversation())
    packets = [p for p, _ in items]
    write_pcap(os.path.join(out, "messages-en10mb.pcap"), DLT_EN10MB, ether_frames(items))
    write_pcapng(os.path.join(out, "messages-en10mb.pcapng"), DLT_EN10MB, ether_frames(items))
    for name, dlt in (("sll", DLT_SLL), ("sll2", DLT_SLL2), ("raw", DLT_RAW),
                      ("null", DLT_NULL)):
        write_pcap(os.path.join(out, "messages-%s.pcap" % name), dlt,
                   [WRAP[dlt](p) for p in packets])
    bad = list(gen_malformed.cases())
    write_pcap(os.path.join(out, "malformed.pcap"), DLT_EN10MB, [ether(p) for _, p, _, _ in bad])
    if mgmdump:
        golden(mgmdump, out)


if __name__ == "__main__":
    main()
