#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Builds IGMP (RFC 1112, 2236, 3376 §4) and MLD (RFC 2710, 3810 §5) packets byte by byte,
wraps them in the link layers mgmdump reads and writes pcap or pcapng files. Standard library
only: the tests craft good and deliberately broken packets with it, independent of libmgm."""

import ipaddress
import struct


def inet_checksum(data, start=0):
    """RFC 1071 one's complement sum, folded and complemented."""
    if len(data) % 2:
        data += b"\0"
    s = start + sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def a4(text):
    return ipaddress.IPv4Address(text).packed


def a6(text):
    return ipaddress.IPv6Address(text).packed


# ---- IGMP ----------------------------------------------------------------------------------


def igmp_finish(msg, bad_checksum=False):
    """Fills the checksum at octets 2-3 (RFC 2236 §2.3: the whole IGMP message)."""
    msg = bytearray(msg)
    msg[2:4] = b"\0\0"
    c = inet_checksum(bytes(msg))
    if bad_checksum:
        c ^= 0x5A5A
    msg[2:4] = struct.pack("!H", c)
    return bytes(msg)


def igmp_v1v2(type_, group, code=0, **kw):
    return igmp_finish(struct.pack("!BBH4s", type_, code, 0, a4(group)), **kw)


def igmp_v3_query(group="0.0.0.0", code=100, s=False, qrv=2, qqic=125, sources=(),
                  num_sources=None, **kw):
    n = len(sources) if num_sources is None else num_sources
    body = struct.pack("!BBH4sBBH", 0x11, code, 0, a4(group), (8 if s else 0) | qrv, qqic, n)
    body += b"".join(a4(x) for x in sources)
    return igmp_finish(body, **kw)


def v3_record(rtype, group, sources=(), aux=b"", fam=4, num_sources=None, aux_words=None):
    addr = a4 if fam == 4 else a6
    n = len(sources) if num_sources is None else num_sources
    w = len(aux) // 4 if aux_words is None else aux_words
    return (struct.pack("!BBH", rtype, w, n) + addr(group) + b"".join(addr(x) for x in sources)
            + aux)


def igmp_v3_report(records, num_records=None, **kw):
    n = len(records) if num_records is None else num_records
    return igmp_finish(struct.pack("!BBHHH", 0x22, 0, 0, 0, n) + b"".join(records), **kw)


# ---- MLD -----------------------------------------------------------------------------------


def icmp6_finish(msg, src, dst, bad_checksum=False):
    """ICMPv6 checksum with the RFC 8200 §8.1 pseudo-header."""
    msg = bytearray(msg)
    msg[2:4] = b"\0\0"
    pseudo = a6(src) + a6(dst) + struct.pack("!I3xB", len(msg), 58)
    c = inet_checksum(pseudo + bytes(msg))
    if bad_checksum:
        c ^= 0x5A5A
    msg[2:4] = struct.pack("!H", c)
    return bytes(msg)


def mld_v1(type_, group, src, dst, delay=0, **kw):
    return icmp6_finish(struct.pack("!BBHHH16s", type_, 0, 0, delay, 0, a6(group)), src, dst,
                        **kw)


def mld_v2_query(src, dst, group="::", code=10000, s=False, qrv=2, qqic=125, sources=(),
                 num_sources=None, **kw):
    n = len(sources) if num_sources is None else num_sources
    body = struct.pack("!BBHHH16sBBH", 130, 0, 0, code, 0, a6(group), (8 if s else 0) | qrv,
                       qqic, n)
    body += b"".join(a6(x) for x in sources)
    return icmp6_finish(body, src, dst, **kw)


def mld_v2_report(records, src, dst, num_records=None, **kw):
    n = len(records) if num_records is None else num_records
    return icmp6_finish(struct.pack("!BBHHH", 143, 0, 0, 0, n) + b"".join(records), src, dst,
                        **kw)


# ---- IP ------------------------------------------------------------------------------------


def ipv4(payload, src, dst, ttl=1, tos=0xC0, proto=2, router_alert=True, frag=0,
         bad_checksum=False, total_len=None, options=None):
    opts = (b"\x94\x04\x00\x00" if router_alert else b"") if options is None else options
    ihl = 5 + len(opts) // 4
    tl = 4 * ihl + len(payload) if total_len is None else total_len
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, tl, 0, frag, ttl, proto, 0,
                                a4(src), a4(dst)) + opts)
    c = inet_checksum(bytes(hdr))
    if bad_checksum:
        c ^= 0x1111
    hdr[10:12] = struct.pack("!H", c)
    return bytes(hdr) + payload


def ipv6(payload, src, dst, hlim=1, router_alert=True, nh=58, ext=None, plen=None):
    """IPv6 with a Hop-by-Hop header carrying Router Alert value 0 (RFC 2711, RFC 3810 §5).
    ext replaces the extension headers (first next header 0, or 44 when it starts with a
    fragment header marker 'F'); plen overrides the payload length."""
    first = nh
    if ext is not None:
        first, ext = ext[0], ext[1:]
    elif router_alert:
        ext = struct.pack("!BB", nh, 0) + b"\x05\x02\x00\x00\x01\x00"
        first = 0
    else:
        ext = b""
    n = len(ext) + len(payload) if plen is None else plen
    return struct.pack("!IHBB16s16s", 0x60000000, n, first, hlim, a6(src), a6(dst)) + ext + payload


def igmp_packet(msg, src, dst, **kw):
    return ipv4(msg, src, dst, **kw)


# ---- link layers ---------------------------------------------------------------------------

DLT_NULL, DLT_EN10MB, DLT_RAW, DLT_SLL, DLT_SLL2 = 0, 1, 101, 113, 276

SRC_MAC = bytes.fromhex("020000000001")


def multicast_mac(ip):
    raw = ip if isinstance(ip, bytes) else None
    if raw is None:
        raise ValueError("need packed address")
    if len(raw) == 4:
        return bytes([0x01, 0x00, 0x5E, raw[1] & 0x7F, raw[2], raw[3]])
    return b"\x33\x33" + raw[12:16]


def ip_dst_mac(pkt):
    if pkt[0] >> 4 == 4 and len(pkt) >= 20:
        return multicast_mac(pkt[16:20])
    if len(pkt) >= 40:
        return multicast_mac(pkt[24:40])
    return b"\xff" * 6


def ethertype(pkt):
    return 0x86DD if pkt and pkt[0] >> 4 == 6 else 0x0800


def ether(pkt, vlans=(), etype=None):
    """Ethernet II; vlans is a list of (tpid, vid) outermost first."""
    hdr = ip_dst_mac(pkt) + SRC_MAC
    for tpid, vid in vlans:
        hdr += struct.pack("!HH", tpid, vid)
    return hdr + struct.pack("!H", ethertype(pkt) if etype is None else etype) + pkt


def sll(pkt):
    return struct.pack("!HHH8sH", 0, 1, 6, SRC_MAC + b"\0\0", ethertype(pkt)) + pkt


def sll2(pkt):
    return struct.pack("!HHIHBB8s", ethertype(pkt), 0, 2, 1, 0, 6, SRC_MAC + b"\0\0") + pkt


def null_loop(pkt):
    # DLT_NULL: address family in the capturing host's order (little endian here).
    return struct.pack("<I", 10 if pkt[0] >> 4 == 6 else 2) + pkt


WRAP = {DLT_EN10MB: ether, DLT_SLL: sll, DLT_SLL2: sll2, DLT_RAW: lambda p: p,
        DLT_NULL: null_loop}


# ---- files ---------------------------------------------------------------------------------


def write_pcap(path, linktype, frames, t0=1700000000.0, step=0.001):
    """Classic pcap, microsecond stamps. frames: bytes, already wrapped for linktype."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for i, fr in enumerate(frames):
            usec = int(round((t0 + i * step) * 1e6))
            f.write(struct.pack("<IIII", usec // 1000000, usec % 1000000, len(fr), len(fr)))
            f.write(fr)


def write_pcapng(path, linktype, frames, t0=1700000000.0, step=0.001):
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)

    with open(path, "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        f.write(block(0x00000001, struct.pack("<HHI", linktype, 0, 65535)))
        for i, fr in enumerate(frames):
            usec = int(round((t0 + i * step) * 1e6))
            body = struct.pack("<IIIII", 0, usec >> 32, usec & 0xFFFFFFFF, len(fr), len(fr)) + fr
            f.write(block(0x00000006, body))
