#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Finds events and table rows in the output of routerlab --json (one JSON object per line;
lines that are not JSON, such as messages on standard error, are skipped). Standard library only.

  routerlab_events.py FILE [--after LINE] [--last-table] MODE SET [/ SET]...
  routerlab_events.py --serve FILE

A SET is KEY=VALUE words: an object matches it when every KEY's member, as text (true / false,
null; a list as its items joined by spaces), equals VALUE or one of VALUE's alternatives
separated by '|'. Only the objects after line LINE (default 0) are looked at; --last-table keeps
only the rows of each protocol's last table. Several sets in one call save a Python start each.
MODE is one of
  any      exit status 0 when every set matches some object; else 1, naming the first that
           does not on standard error
  none     exit status 0 when no set matches any object; else 1, naming the first that does
  count    print how many objects match, per set, separated by spaces
  first-ms print t_ms of each set's first match, one a line ('-' and exit status 1 if none)
--serve answers such requests, one a line on standard input (the words after FILE, separated by
spaces), each with its output and then a line "END STATUS": one Python start for a whole test."""

import json
import sys

MODES = ("any", "none", "count", "first-ms")


def text(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return " ".join(text(x) for x in v)
    return str(v)


def parse_sets(words):
    sets, cur = [], []
    for w in words + ["/"]:
        if w == "/":
            if not cur:
                usage("an empty set")
            sets.append(cur)
            cur = []
            continue
        key, eq, want = w.partition("=")
        if not eq:
            usage(f"not KEY=VALUE: {w}")
        cur.append((key, want.split("|")))
    return sets


def load(path, after, last_table):
    objs = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if n <= after or not line.startswith("{"):
                continue
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if isinstance(o, dict):
                objs.append(o)
    if last_table:
        last = {}
        for o in objs:
            if "table" in o:
                last[o["proto"]] = max(last.get(o["proto"], 0), o["table"])
        objs = [o for o in objs if "table" in o and o["table"] == last[o["proto"]]]
    return objs


def usage(why=None):
    raise SystemExit(f"routerlab_events.py: {why}" if why else __doc__)


def query(path, args):
    """One request: prints its answer, returns the exit status."""
    after, last_table = 0, False
    while args and args[0].startswith("--"):
        if args[0] == "--after" and len(args) > 1:
            after, args = int(args[1]), args[2:]
        elif args[0] == "--last-table":
            last_table, args = True, args[1:]
        else:
            usage()
    if len(args) < 2 or args[0] not in MODES:
        usage()
    mode, sets = args[0], parse_sets(args[1:])
    objs = load(path, after, last_table)
    hits = [[o for o in objs if all(k in o and text(o[k]) in w for k, w in s)] for s in sets]

    def name(i):
        return " ".join(k + "=" + "|".join(w) for k, w in sets[i])

    if mode == "count":
        print(" ".join(str(len(h)) for h in hits))
        return 0
    if mode == "first-ms":
        for h in hits:
            print(h[0]["t_ms"] if h else "-")
        return 0 if all(hits) else 1
    for i, h in enumerate(hits):
        if mode == "any" and not h:
            print(f"routerlab_events.py: nothing matches {name(i)}", file=sys.stderr)
            return 1
        if mode == "none" and h:
            print(f"routerlab_events.py: {name(i)} matches {json.dumps(h[0])}", file=sys.stderr)
            return 1
    return 0


def serve(path):
    for line in sys.stdin:
        try:
            rc = query(path, line.split())
        except SystemExit as e:
            print(e, file=sys.stderr)
            rc = 2
        print(f"END {rc}", flush=True)
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--serve":
        return serve(argv[2])
    if len(argv) < 4:
        usage()
    return query(argv[1], argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
