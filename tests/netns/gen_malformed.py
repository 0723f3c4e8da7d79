#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Writes a pcap of crafted malformed IGMP/MLD packets, one per case, and a JSON list saying
which libmgm error mgmdump must name for each frame (RFC 3376 §4, RFC 3810 §5, RFC 2236 §2,
RFC 2710 §3) and what tshark is expected to say about it. Usage: gen_malformed.py OUT.pcap
OUT.json. The cases are also what tests/data/malformed.pcap holds."""

import json
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from pcapgen import (DLT_EN10MB, ether, igmp_finish, igmp_packet, igmp_v1v2, igmp_v3_query,
                     igmp_v3_report, ipv4, ipv6, mld_v1, mld_v2_query, mld_v2_report,
                     v3_record, write_pcap)

H4 = "198.18.0.2"
LL = "fe80::2"
S1, S2 = "198.18.0.9", "198.18.0.10"


def igmp_case(msg, dst="224.0.0.22", **kw):
    return igmp_packet(msg, H4, dst, **kw)


def mld_case(msg, dst="ff02::16", **kw):
    return ipv6(msg, LL, dst, **kw)


def cases():
    """(name, packet, mgmdump error, tshark expectation). The tshark expectation is
    ("checksum",): checksum status Bad; ("malformed",): a Malformed Packet exception;
    ("ip_checksum",): IPv4 header checksum Bad (with ip.check_checksum on); ("fragment",): IP
    more-fragments flag and no IGMP layer; ("expert", TEXT): an expert item containing TEXT;
    ("field", NAME, VALUE): tshark flags nothing and shows field NAME with VALUE, a gap
    documented next to the case."""
    rep = v3_record(4, "239.1.1.1")
    allow = v3_record(5, "232.1.1.1", [S1, S2])
    yield ("igmp_v2_report_bad_checksum",
           igmp_case(igmp_v1v2(0x16, "239.1.1.1", bad_checksum=True), "239.1.1.1"),
           "checksum", ("checksum",))
    yield ("igmp_v3_report_bad_checksum",
           igmp_case(igmp_v3_report([rep], bad_checksum=True)), "checksum", ("checksum",))
    # Two records announced, one present: the second is read past the end.
    yield ("igmp_v3_report_record_overrun", igmp_case(igmp_v3_report([rep], num_records=2)),
           "record_overrun", ("malformed",))
    yield ("igmp_v3_report_source_overrun",
           igmp_case(igmp_v3_report([v3_record(5, "232.1.1.1", [S1], num_sources=3)])),
           "source_overrun", ("malformed",))
    yield ("igmp_v3_report_aux_overrun",
           igmp_case(igmp_v3_report([v3_record(1, "239.1.1.1", [S1], aux_words=2)])),
           "aux_overrun", ("malformed",))
    # Gap: tshark shows record types outside 1-6 as "Unknown" without an expert item;
    # RFC 3376 §4.2.12 defines only 1-6 and §4.2.16 says to ignore other records.
    yield ("igmp_v3_report_record_type_7",
           igmp_case(igmp_v3_report([v3_record(7, "239.1.1.1")])), "record_type",
           ("field", "igmp.record_type", "7"))
    yield ("igmp_v3_report_record_type_0",
           igmp_case(igmp_v3_report([allow, v3_record(0, "239.1.1.1")])), "record_type",
           ("field", "igmp.record_type", "0"))
    # Gap: RFC 3376 §4.2.12 wants a multicast group and §4.2.13 unicast sources; tshark
    # shows whatever address is there.
    yield ("igmp_v3_report_group_unicast",
           igmp_case(igmp_v3_report([v3_record(4, "198.18.0.1")])), "group_not_multicast",
           ("field", "igmp.maddr", "198.18.0.1"))
    yield ("igmp_v3_report_source_multicast",
           igmp_case(igmp_v3_report([v3_record(5, "232.1.1.1", ["224.1.1.1"])])),
           "source_not_unicast", ("field", "igmp.saddr", "224.1.1.1"))
    # Gap: RFC 3376 §7.1 makes a 9-11 octet query no query of any version; tshark decodes
    # it as IGMPv2.
    yield ("igmp_query_9_octets",
           igmp_case(igmp_finish(igmp_v1v2(0x11, "0.0.0.0", 100) + b"\0"), "224.0.0.1"),
           "length", ("field", "igmp.version", "2"))
    yield ("igmp_query_11_octets",
           igmp_case(igmp_finish(igmp_v1v2(0x11, "0.0.0.0", 100) + b"\0\0\0"), "224.0.0.1"),
           "length", ("field", "igmp.version", "2"))
    yield ("igmp_v3_query_source_overrun",
           igmp_case(igmp_v3_query("232.1.1.1", sources=[S1], num_sources=4), "232.1.1.1"),
           "source_overrun", ("malformed",))
    # Gap: a query's group is zero or multicast (RFC 2236 §2.4); tshark shows any address.
    yield ("igmp_v2_query_group_unicast",
           igmp_case(igmp_v1v2(0x11, "198.18.0.1", 100), "224.0.0.1"), "group_not_multicast",
           ("field", "igmp.maddr", "198.18.0.1"))
    yield ("igmp_v2_report_group_unicast",
           igmp_case(igmp_v1v2(0x16, "10.1.2.3"), "239.1.1.1"), "group_not_multicast",
           ("field", "igmp.maddr", "10.1.2.3"))
    # Gap: 224.0.0.1 is never reported (RFC 2236 §6, RFC 3376 §5); tshark has no such rule.
    yield ("igmp_v2_report_all_systems",
           igmp_case(igmp_v1v2(0x16, "224.0.0.1"), "224.0.0.1"), "report_all_systems",
           ("field", "igmp.maddr", "224.0.0.1"))
    yield ("igmp_short_4_octets",
           igmp_case(igmp_finish(b"\x16\x00\x00\x00"), "239.1.1.1"), "short", ("malformed",))
    yield ("igmp_v3_report_short_header",
           igmp_case(igmp_finish(b"\x22\x00\x00\x00\x00\x00"), "224.0.0.22"), "short",
           ("malformed",))
    # tshark leaves the IPv4 header checksum unverified unless ip.check_checksum is on.
    yield ("ipv4_bad_header_checksum",
           igmp_case(igmp_v1v2(0x16, "239.1.1.1"), "239.1.1.1", bad_checksum=True),
           "ip_checksum", ("ip_checksum",))
    yield ("ipv4_fragment",
           igmp_case(igmp_v1v2(0x16, "239.1.1.1"), "239.1.1.1", frag=0x2000), "ip_fragment",
           ("fragment",))
    # An option claiming 40 octets inside a 4-octet option area.
    yield ("ipv4_option_overrun",
           igmp_case(igmp_v1v2(0x16, "239.1.1.1"), "239.1.1.1", options=b"\x94\x28\x00\x00"),
           "ip_option", ("expert", "goes past end of options"))
    yield ("ipv4_total_length_past_end",
           igmp_case(igmp_v1v2(0x16, "239.1.1.1"), "239.1.1.1", total_len=200), "ip_header",
           ("expert", "total length exceeds packet length"))
    # MLD.
    mrec = v3_record(4, "ff05::1:1", fam=6)
    yield ("mld_v1_report_bad_checksum",
           mld_case(mld_v1(131, "ff05::1:1", LL, "ff05::1:1", bad_checksum=True), "ff05::1:1"),
           "checksum", ("checksum",))
    yield ("mld_v2_report_bad_checksum",
           mld_case(mld_v2_report([mrec], LL, "ff02::16", bad_checksum=True)), "checksum",
           ("checksum",))
    # Gap: tshark stops at the end of the data and says nothing about the two records that
    # were announced and are missing (RFC 3810 §5.2.10: Nr records follow).
    yield ("mld_v2_report_record_overrun",
           mld_case(mld_v2_report([mrec], LL, "ff02::16", num_records=3)), "record_overrun",
           ("field", "icmpv6.mldr.nb_mcast_records", "3"))
    yield ("mld_v2_report_source_overrun",
           mld_case(mld_v2_report([v3_record(5, "ff05::1:1", ["2001:db8::9"], fam=6,
                                             num_sources=2)], LL, "ff02::16")),
           "source_overrun", ("malformed",))
    yield ("mld_v2_report_record_type_9",
           mld_case(mld_v2_report([v3_record(9, "ff05::1:1", fam=6)], LL, "ff02::16")),
           "record_type", ("field", "icmpv6.mldr.mar.record_type", "9"))
    # Gap: RFC 3810 §8.1 makes a 25-27 octet query neither MLDv1 nor MLDv2; tshark decodes
    # it as MLDv1.
    yield ("mld_query_26_octets", mld_case(mld_query_26(), "ff02::1"), "length",
           ("field", "icmpv6.mld.maximum_response_delay", "1000"))
    yield ("mld_v2_query_source_overrun",
           mld_case(mld_v2_query(LL, "ff02::1", sources=["2001:db8::9"], num_sources=5),
                    "ff02::1"), "source_overrun", ("malformed",))
    yield ("mld_v1_report_short", mld_case(mld_v1_short(), "ff05::1:1"), "short",
           ("malformed",))
    yield ("mld_v1_report_group_unicast",
           mld_case(mld_v1(131, "2001:db8::1", LL, "ff05::1:1"), "ff05::1:1"),
           "group_not_multicast", ("field", "icmpv6.mld.multicast_address", "2001:db8::1"))
    yield ("mld_v1_report_all_nodes",
           mld_case(mld_v1(131, "ff02::1", LL, "ff02::1"), "ff02::1"), "report_all_systems",
           ("field", "icmpv6.mld.multicast_address", "ff02::1"))
    good = mld_v1(131, "ff05::1:1", LL, "ff05::1:1")
    # A Hop-by-Hop option whose length runs past the header (RFC 8200 §4.2).
    yield ("ipv6_hop_by_hop_option_overrun",
           ipv6(good, LL, "ff05::1:1", ext=b"\x00\x3a\x00\x05\x09\x00\x00\x01\x00"),
           "ip_option", ("expert", "Invalid Length"))
    yield ("ipv6_payload_length_past_end", ipv6(good, LL, "ff05::1:1", plen=400), "ip_header",
           ("expert", "payload length exceeds framing length"))
    # A first fragment (offset 0, M=1) of an MLD message: RFC 3810 §5 messages are never
    # fragmented.
    yield ("ipv6_fragment",
           ipv6(good, LL, "ff05::1:1",
                ext=b"\x00\x2c\x00\x05\x02\x00\x00\x01\x00" + b"\x3a\x00\x00\x01\x00\x00\x00\x07"),
           "ip_fragment", ("fragment",))


def mld_query_26():
    from pcapgen import icmp6_finish
    body = mld_v1(130, "::", LL, "ff02::1", delay=1000) + b"\0\0"
    return icmp6_finish(body, LL, "ff02::1")


def mld_v1_short():
    from pcapgen import icmp6_finish
    return icmp6_finish(mld_v1(131, "ff05::1:1", LL, "ff05::1:1")[:20], LL, "ff05::1:1")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_malformed.py OUT.pcap OUT.json")
    rows = list(cases())
    write_pcap(sys.argv[1], DLT_EN10MB, [ether(p) for _, p, _, _ in rows])
    with open(sys.argv[2], "w") as f:
        json.dump([{"frame": i + 1, "name": n, "error": e, "tshark": list(t)}
                   for i, (n, _, e, t) in enumerate(rows)], f, indent=1)


if __name__ == "__main__":
    main()
