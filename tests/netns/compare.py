#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Compares mgmdump --json with tshark -T json --no-duplicate-keys, message by message and
field by field (RFC 3376 §4, RFC 3810 §5 fields), and decodes the exponential codes a third
time here (RFC 3376 §4.1.1, §4.1.7; RFC 3810 §5.1.3, §5.1.9). Standard library only.

  compare.py oracle MGMDUMP.jsonl TSHARK.json [--expect TOKENS]
      every IGMP/MLD message in either output must be in both with equal fields; TOKENS
      (comma separated, e.g. igmp3:report+sources,mld1:done) must each match some message.
  compare.py malformed EXPECTED.json MGMDUMP.jsonl TSHARK.json
      every crafted frame must carry the expected mgmdump error and tshark's expected remark.
Exit status 0 when everything agrees, 1 otherwise."""

import ipaddress
import json
import sys

IGMP_TYPES = {0x11, 0x12, 0x16, 0x17, 0x22}
MLD_TYPES = {130, 131, 132, 143}


def code8(code):
    """8-bit Max Resp Code / QQIC: RFC 3376 §4.1.1 and §4.1.7."""
    if code < 128:
        return code
    return ((code & 0x0F) | 0x10) << (((code >> 4) & 0x07) + 3)


def code16(code):
    """16-bit MLDv2 Maximum Response Code: RFC 3810 §5.1.3."""
    if code < 32768:
        return code
    return ((code & 0x0FFF) | 0x1000) << (((code >> 12) & 0x07) + 3)


def addr(text):
    return str(ipaddress.ip_address(text))


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def num(v):
    """tshark prints numbers in decimal or 0x hex."""
    return int(v, 0) if isinstance(v, str) else int(v)


def find(o, key):
    """First value of key anywhere under o (tshark nests fields in subtrees)."""
    if isinstance(o, dict):
        if key in o:
            return o[key]
        for v in o.values():
            r = find(v, key)
            if r is not None:
                return r
    elif isinstance(o, list):
        for v in o:
            r = find(v, key)
            if r is not None:
                return r
    return None


def find_all(o, key, acc=None):
    acc = [] if acc is None else acc
    if isinstance(o, dict):
        for k, v in o.items():
            if k == key:
                acc.extend(as_list(v))
            else:
                find_all(v, key, acc)
    elif isinstance(o, list):
        for v in o:
            find_all(v, key, acc)
    return acc


# ---- tshark to the common form -------------------------------------------------------------


def tshark_ip(layers, m):
    if "ip" in layers:
        ip = layers["ip"]
        m["family"] = "ipv4"
        m["src"], m["dst"] = addr(ip["ip.src"]), addr(ip["ip.dst"])
        m["ttl"] = num(ip["ip.ttl"])
        m["router_alert"] = find(ip, "ip.opt.ra") is not None
    else:
        ip6 = layers["ipv6"]
        m["family"] = "ipv6"
        m["src"], m["dst"] = addr(ip6["ipv6.src"]), addr(ip6["ipv6.dst"])
        m["ttl"] = num(ip6["ipv6.hlim"])
        m["router_alert"] = find(ip6, "ipv6.opt.router_alert") is not None


def tshark_igmp(g, m):
    t = num(g["igmp.type"])
    m["protocol"], m["type"], m["version"] = "igmp", t, num(g["igmp.version"])
    if t == 0x22:
        m["num_records"] = num(g["igmp.num_grp_recs"])
        recs = []
        for k, v in g.items():
            if not k.startswith("Group Record"):
                continue
            for r in as_list(v):
                recs.append({"type": num(r["igmp.record_type"]),
                             "group": addr(r["igmp.maddr"]),
                             "aux_words": num(r["igmp.aux_data_len"]),
                             "num_sources": num(r["igmp.num_src"]),
                             "sources": [addr(s) for s in as_list(r.get("igmp.saddr"))]})
        m["records"] = recs
        return
    m["group"] = addr(g["igmp.maddr"])
    if t != 0x11:
        return
    if m["version"] == 1:
        # The IGMPv1 "unused" octet is where v2 put the Max Resp Time.
        m["max_resp_code"] = num("0x" + g["igmp.reserved"].replace(":", ""))
        return
    tree = g.get("igmp.max_resp_tree")
    if tree:
        m["max_resp_code"] = 0x80 | num(tree["igmp.max_resp.exp"]) << 4 | num(
            tree["igmp.max_resp.mant"])
    else:
        m["max_resp_code"] = num(g["igmp.max_resp"])
    m["max_resp_ms"] = num(g["igmp.max_resp"]) * 100  # tshark shows tenths of a second
    if m["version"] == 3:
        m["s_flag"] = num(g["igmp.s"]) != 0
        m["qrv"] = num(g["igmp.qrv"])
        m["qqic"] = num(g["igmp.qqic"])
        m["num_sources"] = num(g["igmp.num_src"])
        m["sources"] = [addr(s) for s in as_list(g.get("igmp.saddr"))]


def tshark_mld(c, m):
    t = num(c["icmpv6.type"])
    m["protocol"], m["type"] = "mld", t
    if t == 143:
        m["version"] = 2
        m["num_records"] = num(c["icmpv6.mldr.nb_mcast_records"])
        recs = []
        for r in as_list(c.get("icmpv6.mldr.mar")):
            recs.append({"type": num(r["icmpv6.mldr.mar.record_type"]),
                         "group": addr(r["icmpv6.mldr.mar.multicast_address"]),
                         "aux_words": num(r["icmpv6.mldr.mar.aux_data_len"]),
                         "num_sources": num(r["icmpv6.mldr.mar.nb_sources"]),
                         "sources": [addr(s) for s in
                                     as_list(r.get("icmpv6.mldr.mar.source_address"))]})
        m["records"] = recs
        return
    m["group"] = addr(c["icmpv6.mld.multicast_address"])
    v2 = t == 130 and "icmpv6.mld.flag" in c
    m["version"] = 2 if v2 else 1
    if t != 130:
        return
    if v2:
        m["max_resp_ms"] = num(c["icmpv6.mld.maximum_response_code"])  # tshark decodes it
        f = c["icmpv6.mld.flag_tree"]
        m["s_flag"] = num(f["icmpv6.mld.flag.s"]) != 0
        m["qrv"] = num(f["icmpv6.mld.flag.qrv"])
        m["qqi"] = num(c["icmpv6.mld.qqi"])  # decoded, unlike igmp.qqic
        m["num_sources"] = num(c["icmpv6.mld.nb_sources"])
        m["sources"] = [addr(s) for s in as_list(c.get("icmpv6.mld.source_address"))]
    else:
        m["max_resp_code"] = num(c["icmpv6.mld.maximum_response_delay"])
        m["max_resp_ms"] = m["max_resp_code"]


def tshark_messages(path):
    with open(path) as f:
        frames = json.load(f)
    out = {}
    for fr in frames:
        layers = fr["_source"]["layers"]
        n = num(layers["frame"]["frame.number"])
        m = {}
        if "igmp" in layers and num(layers["igmp"]["igmp.type"]) in IGMP_TYPES:
            tshark_ip(layers, m)
            tshark_igmp(layers["igmp"], m)
        elif "icmpv6" in layers and num(layers["icmpv6"]["icmpv6.type"]) in MLD_TYPES:
            tshark_ip(layers, m)
            tshark_mld(layers["icmpv6"], m)
        else:
            continue
        out[n] = m
    return out


# ---- mgmdump to the common form, checking its own arithmetic on the way -------------------


def mgmdump_messages(path, problems):
    out = {}
    with open(path) as f:
        for line in f:
            j = json.loads(line)
            n = j["frame"]
            if n in out:
                problems.append("frame %d: mgmdump printed two messages" % n)
            if "error" in j:
                problems.append("frame %d: mgmdump says malformed: %s" % (n, j["error"]))
                continue
            m = {k: j[k] for k in ("family", "ttl", "router_alert", "protocol", "type",
                                   "version")}
            m["src"], m["dst"] = addr(j["src"]), addr(j["dst"])
            if "group" in j:
                m["group"] = addr(j["group"])
            if "records" in j:
                m["num_records"] = j["num_records"]
                m["records"] = [{"type": r["type"], "group": addr(r["group"]),
                                 "aux_words": r["aux_words"],
                                 "num_sources": len(r["sources"]),
                                 "sources": [addr(s) for s in r["sources"]]}
                                for r in j["records"]]
            if j.get("kind") == "query":
                check_codes(n, j, problems)
                v3 = "qqic" in j
                if not (m["protocol"] == "mld" and v3):
                    m["max_resp_code"] = j["max_resp_code"]
                if not (m["protocol"] == "igmp" and m["version"] == 1):
                    m["max_resp_ms"] = j["max_resp_ms"]
                if v3:
                    for k in ("s_flag", "qrv"):
                        m[k] = j[k]
                    # tshark shows the IGMP QQIC as on the wire, the MLD one decoded.
                    if m["protocol"] == "igmp":
                        m["qqic"] = j["qqic"]
                    else:
                        m["qqi"] = j["qqi"]
                    m["num_sources"] = len(j["sources"])
                    m["sources"] = [addr(s) for s in j["sources"]]
            out[n] = m
    return out


def check_codes(n, j, problems):
    """The exponential codes decoded here must give mgmdump's values."""
    code, ms = j["max_resp_code"], j["max_resp_ms"]
    if j["protocol"] == "igmp":
        want = {1: 10000, 2: code * 100, 3: code8(code) * 100}[j["version"]]
    else:
        want = code if j["version"] == 1 else code16(code)
    if ms != want:
        problems.append("frame %d: max_resp_code %d means %d ms, mgmdump says %d" %
                        (n, code, want, ms))
    if "qqic" in j and j["qqi"] != code8(j["qqic"]):
        problems.append("frame %d: qqic %d means %d s, mgmdump says %d" %
                        (n, j["qqic"], code8(j["qqic"]), j["qqi"]))


def record_key(r):
    return (r["type"], r["group"], r["aux_words"], tuple(r["sources"]))


def compare_one(n, a, b, problems):
    """a: mgmdump, b: tshark. Returns the number of fields compared."""
    fields = 0
    for k in sorted(set(a) | set(b)):
        if k == "records":
            continue
        fields += 1
        if a.get(k) != b.get(k):
            problems.append("frame %d: %s: mgmdump %r, tshark %r" % (n, k, a.get(k), b.get(k)))
    if "records" in a or "records" in b:
        # tshark's --no-duplicate-keys merges identical record keys, losing their order.
        ra = sorted(a.get("records", []), key=record_key)
        rb = sorted(b.get("records", []), key=record_key)
        if len(ra) != len(rb):
            problems.append("frame %d: %d records in mgmdump, %d in tshark" %
                            (n, len(ra), len(rb)))
        for i, (x, y) in enumerate(zip(ra, rb)):
            for k in ("type", "group", "aux_words", "num_sources", "sources"):
                fields += 1
                if x[k] != y[k]:
                    problems.append("frame %d record %d: %s: mgmdump %r, tshark %r" %
                                    (n, i, k, x[k], y[k]))
    return fields


def token(m):
    t = "%s%d:%s" % (m["protocol"], m["version"], kind(m))
    return t


def kind(m):
    t = m["type"]
    if t in (0x11, 130):
        return "query"
    if t in (0x17, 132):
        return "leave" if m["protocol"] == "igmp" else "done"
    return "report"


def tokens_of(m):
    base = token(m)
    out = {base}
    if m.get("sources") or any(r["sources"] for r in m.get("records", [])):
        out.add(base + "+sources")
    if m.get("s_flag"):
        out.add(base + "+S")
    # A Max Resp Code in exponential form: RFC 3376 §4.1.1 (code 128 and up), RFC 3810
    # §5.1.3 (code 32768 and up; tshark gives only the decoded delay, which is then as large).
    if (base == "igmp3:query" and m["max_resp_code"] >= 128 or
            base == "mld2:query" and m["max_resp_ms"] >= 32768):
        out.add(base + "+exp")
    for r in m.get("records", []):
        out.add("%s+rec%d" % (base, r["type"]))
    return out


def oracle(argv):
    expect = []
    if len(argv) >= 4 and argv[2] == "--expect":
        expect = [t for t in argv[3].split(",") if t]
    elif len(argv) != 2:
        sys.exit(__doc__)
    problems = []
    mine = mgmdump_messages(argv[0], problems)
    theirs = tshark_messages(argv[1])
    fields = 0
    for n in sorted(set(mine) | set(theirs)):
        if n not in mine:
            problems.append("frame %d: tshark shows %s, mgmdump nothing" %
                            (n, token(theirs[n])))
        elif n not in theirs:
            problems.append("frame %d: mgmdump shows %s, tshark nothing" % (n, token(mine[n])))
        else:
            fields += compare_one(n, mine[n], theirs[n], problems)
    seen = set()
    for m in theirs.values():
        seen |= tokens_of(m)
    for t in expect:
        if t not in seen:
            problems.append("expected a %s message in the capture; there is none" % t)
    for p in problems:
        print("compare: " + p)
    print("compare: %d messages, %d fields compared, %d disagreements" %
          (len(theirs), fields, len(problems)))
    return 1 if problems else 0


# ---- malformed packets ---------------------------------------------------------------------


def tshark_says(frame, want):
    """True when tshark's dissection of frame shows what want names."""
    layers = frame["_source"]["layers"]
    kind_ = want[0]
    if kind_ == "checksum":
        st = find_all(layers, "igmp.checksum.status") + find_all(layers,
                                                                  "icmpv6.checksum.status")
        return "0" in st
    if kind_ == "ip_checksum":
        return "0" in find_all(layers, "ip.checksum.status")
    if kind_ == "malformed":
        return "_ws.malformed" in layers or bool(find_all(layers, "_ws.malformed"))
    if kind_ == "fragment":
        more = find_all(layers, "ip.flags.mf") + find_all(layers, "ipv6.fraghdr.more")
        return "1" in more and "igmp" not in layers and "icmpv6" not in layers
    if kind_ == "expert":
        return any(want[1] in str(msg) for msg in find_all(layers, "_ws.expert.message"))
    if kind_ == "field":
        vals = [str(v) for v in find_all(layers, want[1])]
        return want[2] in vals
    raise ValueError("unknown tshark expectation %r" % (want,))


def malformed(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    with open(argv[0]) as f:
        expected = json.load(f)
    mine = {}
    with open(argv[1]) as f:
        for line in f:
            j = json.loads(line)
            mine[j["frame"]] = j
    with open(argv[2]) as f:
        theirs = {num(fr["_source"]["layers"]["frame"]["frame.number"]): fr
                  for fr in json.load(f)}
    bad = 0 if expected else 1  # no case at all checks nothing
    for e in expected:
        n, probs = e["frame"], []
        j = mine.get(n)
        if j is None:
            probs.append("mgmdump printed nothing")
        elif j.get("error") != e["error"]:
            probs.append("mgmdump says %s, want %s" % (j.get("error", "no error"), e["error"]))
        elif not j.get("error_message"):
            probs.append("mgmdump gives no error_message")
        if n not in theirs:
            probs.append("tshark has no frame %d" % n)
        elif not tshark_says(theirs[n], e["tshark"]):
            probs.append("tshark does not show %s" % " ".join(e["tshark"]))
        print("%s frame %2d %-34s mgmdump %-20s tshark %s%s" %
              ("ok  " if not probs else "FAIL", n, e["name"], e["error"],
               " ".join(e["tshark"]), "" if not probs else ": " + "; ".join(probs)))
        bad += bool(probs)
    extra = set(mine) - {e["frame"] for e in expected}
    if extra:
        print("FAIL mgmdump printed messages for unexpected frames %s" % sorted(extra))
        bad += 1
    print("compare: %d malformed cases, %d failed" % (len(expected), bad))
    return 1 if bad else 0


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("oracle", "malformed"):
        sys.exit(__doc__)
    return oracle(sys.argv[2:]) if sys.argv[1] == "oracle" else malformed(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
