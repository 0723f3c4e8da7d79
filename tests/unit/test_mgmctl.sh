#!/usr/bin/env bash
# mgmctl against tests/support/ctl_fixture_server (daemon/control.c answering the documents
# below, shaped as mgmd's results): the human tables, --json, the Prometheus text (HELP/TYPE,
# escaping), the requests mgmctl sends, error replies, no daemon, a daemon that hangs, usage
# errors and their exit codes. No root: the socket lives in a temporary directory.
# Usage: test_mgmctl.sh MGMCTL CTL_FIXTURE_SERVER VERSION
set -u
mgmctl=$1
server=$2
version=$3
dir=$(mktemp -d /tmp/mgmd-test-mgmctl-XXXXXX)
sock=$dir/mgmd.sock
server_pid=
failures=0
cleanup() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
	fi
	rm -rf "$dir"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# check NAME WANT_RC WANT_STDOUT WANT_STDERR -- ARGS...: runs mgmctl --socket $sock ARGS.
check() {
	local name=$1 want_rc=$2 want_out=$3 want_err=$4 rc
	shift 5
	"$mgmctl" --socket "$sock" "$@" >"$dir/out" 2>"$dir/err"
	rc=$?
	[ "$rc" -eq "$want_rc" ] || fail "$name: exit $rc, expected $want_rc"
	printf '%s' "$want_out" | diff -u - "$dir/out" >&2 || fail "$name: standard output differs"
	printf '%s' "$want_err" | diff -u - "$dir/err" >&2 || fail "$name: standard error differs"
	echo "ok: $name"
}

cat >"$dir/show-interfaces.json" <<'EOF'
{"interfaces": [
 {"name": "eth0", "ifindex": 2, "stanza": "eth0", "role": "upstream", "oper-status": "up", "mtu": 1500,
  "problems": [], "ipv4": null, "ipv6": null},
 {"name": "eth1", "ifindex": 3, "stanza": "eth*", "role": "downstream", "oper-status": "up", "mtu": 1500,
  "problems": [],
  "ipv4": {"enabled": true, "protocol": "igmp", "version": 3, "running": true, "address": "198.18.1.1",
   "querier": true, "querier-address": "198.18.1.1", "other-querier-present-timer": null,
   "next-query": 83.25, "query-interval": 125, "robustness-variable": 2, "query-max-response-time": 10,
   "last-member-query-interval": 1, "fast-leave": false, "vif": 1, "group-count": 2, "source-count": 3},
  "ipv6": {"enabled": true, "protocol": "mld", "version": 2, "running": true, "address": "fe80::1",
   "querier": false, "querier-address": "fe80::2", "other-querier-present-timer": 212.5,
   "next-query": null, "query-interval": 125, "robustness-variable": 2, "query-max-response-time": 10,
   "last-member-query-interval": 1, "fast-leave": true, "vif": 1, "group-count": 1, "source-count": 0}},
 {"name": "wg0", "ifindex": 7, "stanza": "wg*", "role": "downstream", "oper-status": "down", "mtu": 1420,
  "problems": ["IPv4: no VIF: the kernel's 32 VIFs are all in use", "IPv4: no address yet"],
  "ipv4": {"enabled": true, "protocol": "igmp", "version": 2, "running": false, "address": null,
   "querier": false, "querier-address": null, "other-querier-present-timer": null,
   "next-query": null, "query-interval": 125, "robustness-variable": 2, "query-max-response-time": 10,
   "last-member-query-interval": 1, "fast-leave": false, "vif": null, "group-count": 0, "source-count": 0},
  "ipv6": {"enabled": false, "protocol": "mld", "version": 2, "running": false, "address": null,
   "querier": false, "querier-address": null, "other-querier-present-timer": null,
   "next-query": null, "query-interval": 125, "robustness-variable": 2, "query-max-response-time": 10,
   "last-member-query-interval": 1, "fast-leave": false, "vif": null, "group-count": 0, "source-count": 0}},
 {"name": "ppp0", "ifindex": 0, "stanza": "ppp+", "role": "querier", "oper-status": "absent", "mtu": 0,
  "problems": [], "ipv4": null, "ipv6": null}
]}
EOF
cat >"$dir/show-groups.json" <<'EOF'
{"groups": [
 {"interface": "eth1", "family": "ipv4", "group-address": "239.1.1.1", "filter-mode": "exclude",
  "version": 3, "expire": 201.5, "last-reporter": "198.18.1.10", "static": false,
  "source": [{"source-address": "198.18.0.5", "expire": null, "forwarding": false}]},
 {"interface": "eth1", "family": "ipv4", "group-address": "232.1.1.1", "filter-mode": "include",
  "version": 3, "expire": null, "last-reporter": "198.18.1.11", "static": false,
  "source": [{"source-address": "198.18.0.5", "expire": 12.0, "forwarding": true},
             {"source-address": "198.18.0.6", "expire": 3725.0, "forwarding": true}]},
 {"interface": "eth2", "family": "ipv4", "group-address": "239.255.255.250", "filter-mode": "exclude",
  "version": 2, "expire": null, "last-reporter": null, "static": true, "source": []},
 {"interface": "eth1", "family": "ipv6", "group-address": "ff3e::8000:1", "filter-mode": "include",
  "version": 2, "expire": null, "last-reporter": "fe80::10", "static": false,
  "source": [{"source-address": "2001:db8::5", "expire": 190000.0, "forwarding": true}]}
]}
EOF
cat >"$dir/show-sources.json" <<'EOF'
{"sources": [
 {"interface": "eth1", "family": "ipv4", "group-address": "232.1.1.1", "source-address": "198.18.0.5",
  "expire": 12.0, "forwarding": true},
 {"interface": "eth1", "family": "ipv4", "group-address": "239.1.1.1", "source-address": "198.18.0.5",
  "expire": null, "forwarding": false},
 {"interface": "eth2", "family": "ipv6", "group-address": "ff3e::8000:1", "source-address": "2001:db8::5",
  "expire": 59.96, "forwarding": true}
]}
EOF
cat >"$dir/show-routes.json" <<'EOF'
{"routes": [
 {"family": "ipv4", "source-address": "198.18.0.5", "group-address": "239.1.1.1", "input": "eth0",
  "outputs": ["eth1", "eth2"], "packets": 100, "bytes": 12000, "wrong-if": 0, "age": 12.5},
 {"family": "ipv4", "source-address": "198.18.0.6", "group-address": "232.1.1.1", "input": "eth0",
  "outputs": [], "packets": 7, "bytes": 9100000000, "wrong-if": 3, "age": 4000},
 {"family": "ipv6", "source-address": "2001:db8::5", "group-address": "ff3e::8000:1", "input": "eth0",
  "outputs": ["eth1"], "packets": 0, "bytes": 0, "wrong-if": 0, "age": 0.2}
]}
EOF
# Label values and help texts with the three characters the exposition format escapes.
cat >"$dir/show-stats.json" <<'EOF'
{"counters": [
 {"name": "mgmd_received_queries_total", "help": "IGMP/MLD queries received and accepted",
  "labels": {"interface": "eth1", "family": "ipv4", "version": "3"}, "value": 12},
 {"name": "mgmd_groups", "help": "Groups with members",
  "labels": {"interface": "eth1", "family": "ipv4"}, "value": 2},
 {"name": "mgmd_received_queries_total", "help": "IGMP/MLD queries received and accepted",
  "labels": {"interface": "eth2", "family": "ipv6", "version": "2"}, "value": 0},
 {"name": "mgmd_dropped_total", "help": "Messages dropped: \\ a backslash\nand a \"newline\"",
  "labels": {"interface": "we\"ird\\if\nname", "reason": "bad checksum"}, "value": 5},
 {"name": "mgmd_uptime_seconds", "help": "Seconds since start", "labels": {}, "value": 12.25},
 {"name": "mgmd_groups", "help": "Groups with members",
  "labels": {"interface": "eth0", "family": "ipv4"}, "value": 0}
]}
EOF
cat >"$dir/explain.json" <<'EOF'
{"group": "232.1.1.1", "source": "198.18.0.5", "interfaces": [
 {"interface": "eth1", "family": "ipv4", "forwarded": true,
  "reason": "198.18.1.11 asked for 198.18.0.5 (INCLUDE), source timer 12.0s"},
 {"interface": "eth2", "family": "ipv4", "forwarded": false,
  "reason": "232.1.1.1 is in the SSM range and no host asked for 198.18.0.5"}
]}
EOF
echo '{}' >"$dir/join.json"
echo 'no interface eth9 in the configuration' >"$dir/leave.error"
cat >"$dir/reload.json" <<'EOF'
{"warnings": ["mgmd.conf:12: robustness 1 loses the group at the first lost report"]}
EOF

# No daemon yet: the clear error, naming the socket.
check "no daemon" 1 "" "mgmctl: cannot connect to $sock: No such file or directory (is mgmd running? see --socket)
" -- show groups

"$server" "$sock" "$dir" &
server_pid=$!
for _ in $(seq 100); do
	[ -S "$sock" ] && break
	sleep 0.05
done
[ -S "$sock" ] || {
	echo "FAIL: ctl_fixture_server did not start" >&2
	exit 1
}

check "show interfaces" 0 "INTERFACE  ROLE        STATE   PROTOCOL  QUERIER   TIMER  GROUPS  SOURCES  VIF
eth0       upstream    up      -         -             -       -        -    -
eth1       downstream  up      IGMPv3    self      1m23s       2        3    1
eth1       downstream  up      MLDv2     fe80::2   3m32s       1        0    1
wg0        downstream  down    IGMPv2    waiting       -       0        0    -
wg0        downstream  down    MLDv2     disabled      -       0        0    -
ppp0       querier     absent  -         -             -       -        -    -

wg0: IPv4: no VIF: the kernel's 32 VIFs are all in use
wg0: IPv4: no address yet
" "" -- show interfaces

check "show interfaces IF" 0 "INTERFACE  ROLE        STATE  PROTOCOL  QUERIER  TIMER  GROUPS  SOURCES  VIF
eth1       downstream  up     IGMPv3    self     1m23s       2        3    1
eth1       downstream  up     MLDv2     fe80::2  3m32s       1        0    1
" "" -- show interfaces eth1

check "show groups" 0 "INTERFACE  GROUP            MODE     COMPAT  EXPIRES  LAST REPORTER
eth1       239.1.1.1        exclude  IGMPv3  3m21s    198.18.1.10
             198.18.0.5     block            -
eth1       232.1.1.1        include  IGMPv3  -        198.18.1.11
             198.18.0.5     forward          12.0s
             198.18.0.6     forward          1h02m
eth2       239.255.255.250  exclude  IGMPv2  -        static
eth1       ff3e::8000:1     include  MLDv2   -        fe80::10
             2001:db8::5    forward          2d04h
" "" -- show groups

check "show groups IF" 0 "INTERFACE  GROUP            MODE     COMPAT  EXPIRES  LAST REPORTER
eth2       239.255.255.250  exclude  IGMPv2  -        static
" "" -- show groups eth2

check "show sources" 0 "INTERFACE  GROUP         SOURCE       EXPIRES  FORWARDING
eth1       232.1.1.1     198.18.0.5   12.0s    yes
eth1       239.1.1.1     198.18.0.5   -        no
eth2       ff3e::8000:1  2001:db8::5  59.9s    yes
" "" -- show sources

check "show routes" 0 "SOURCE       GROUP         INPUT  OUTPUTS    PACKETS       BYTES  WRONG IF    AGE
198.18.0.5   239.1.1.1     eth0   eth1,eth2      100       12000         0  12.5s
198.18.0.6   232.1.1.1     eth0   -                7  9100000000         3  1h06m
2001:db8::5  ff3e::8000:1  eth0   eth1             0           0         0   0.2s
" "" -- show routes

stats='mgmd_dropped_total{interface="we\"ird\\if\nname",reason="bad checksum"} 5
mgmd_groups{interface="eth0",family="ipv4"} 0
mgmd_groups{interface="eth1",family="ipv4"} 2
mgmd_received_queries_total{interface="eth1",family="ipv4",version="3"} 12
mgmd_received_queries_total{interface="eth2",family="ipv6",version="2"} 0
mgmd_uptime_seconds 12.25
'
check "show stats" 0 "$stats" "" -- show stats
check "stats" 0 "$stats" "" -- stats

check "stats --prometheus" 0 '# HELP mgmd_dropped_total Messages dropped: \\ a backslash\nand a "newline"
# TYPE mgmd_dropped_total counter
mgmd_dropped_total{interface="we\"ird\\if\nname",reason="bad checksum"} 5
# HELP mgmd_groups Groups with members
# TYPE mgmd_groups gauge
mgmd_groups{interface="eth1",family="ipv4"} 2
mgmd_groups{interface="eth0",family="ipv4"} 0
# HELP mgmd_received_queries_total IGMP/MLD queries received and accepted
# TYPE mgmd_received_queries_total counter
mgmd_received_queries_total{interface="eth1",family="ipv4",version="3"} 12
mgmd_received_queries_total{interface="eth2",family="ipv6",version="2"} 0
# HELP mgmd_uptime_seconds Seconds since start
# TYPE mgmd_uptime_seconds gauge
mgmd_uptime_seconds 12.25
' "" -- stats --prometheus

check "explain" 0 "eth1 ipv4: forwarded: 198.18.1.11 asked for 198.18.0.5 (INCLUDE), source timer 12.0s
eth2 ipv4: not forwarded: 232.1.1.1 is in the SSM range and no host asked for 198.18.0.5
" "" -- explain 232.1.1.1 198.18.0.5

check "explain --json" 0 '{
  "group": "232.1.1.1",
  "source": "198.18.0.5",
  "interfaces": [
    {
      "interface": "eth1",
      "family": "ipv4",
      "forwarded": true,
      "reason": "198.18.1.11 asked for 198.18.0.5 (INCLUDE), source timer 12.0s"
    },
    {
      "interface": "eth2",
      "family": "ipv4",
      "forwarded": false,
      "reason": "232.1.1.1 is in the SSM range and no host asked for 198.18.0.5"
    }
  ]
}
' "" -- --json explain 232.1.1.1

check "show routes --json" 0 '{
  "routes": [
    {
      "family": "ipv4",
      "source-address": "198.18.0.5",
      "group-address": "239.1.1.1",
      "input": "eth0",
      "outputs": [
        "eth1",
        "eth2"
      ],
      "packets": 100,
      "bytes": 12000,
      "wrong-if": 0,
      "age": 12.5
    },
    {
      "family": "ipv4",
      "source-address": "198.18.0.6",
      "group-address": "232.1.1.1",
      "input": "eth0",
      "outputs": [
      ],
      "packets": 7,
      "bytes": 9100000000,
      "wrong-if": 3,
      "age": 4000
    },
    {
      "family": "ipv6",
      "source-address": "2001:db8::5",
      "group-address": "ff3e::8000:1",
      "input": "eth0",
      "outputs": [
        "eth1"
      ],
      "packets": 0,
      "bytes": 0,
      "wrong-if": 0,
      "age": 0.2
    }
  ]
}
' "" -- show routes -j

check "join" 0 "" "" -- join eth1 239.1.1.1
check "join --json" 0 "{
}
" "" -- join --json eth1 232.1.1.1 198.18.0.5
check "error reply" 1 "" "mgmctl: no interface eth9 in the configuration
" -- leave eth9 239.1.1.1 198.18.0.5
check "reload warnings" 0 "" "mgmctl: warning: mgmd.conf:12: robustness 1 loses the group at the first lost report
" -- reload

# What mgmctl asked, in order.
cat >"$dir/want-requests" <<'EOF'
{"command":"show-interfaces"}
{"command":"show-interfaces","interface":"eth1"}
{"command":"show-groups"}
{"command":"show-groups","interface":"eth2"}
{"command":"show-sources"}
{"command":"show-routes"}
{"command":"show-stats"}
{"command":"show-stats"}
{"command":"show-stats"}
{"command":"explain","group":"232.1.1.1","source":"198.18.0.5"}
{"command":"explain","group":"232.1.1.1"}
{"command":"show-routes"}
{"command":"join","interface":"eth1","group":"239.1.1.1"}
{"command":"join","interface":"eth1","group":"232.1.1.1","source":"198.18.0.5"}
{"command":"leave","interface":"eth9","group":"239.1.1.1","source":"198.18.0.5"}
{"command":"reload"}
EOF
diff -u "$dir/want-requests" "$dir/requests" >&2 || fail "requests differ"

# Usage errors: exit 2, nothing sent.
usage() {
	check "usage: $1" 2 "" "mgmctl: $1
Try 'mgmctl --help'.
" -- "${@:2}"
}
usage "unknown command 'shwo'" shwo groups
usage "cannot show 'group': interfaces, groups, sources, upstream, routes or stats" show group
usage "show what? interfaces, groups, sources, upstream, routes or stats" show
usage "too many arguments for show" show routes eth1
usage "too many arguments for join" join eth1 239.1.1.1 198.18.0.5 extra
usage "join needs an interface and a group" join eth1
usage "explain needs a group" explain
usage "--prometheus goes with stats only" show groups --prometheus
usage "--json and --prometheus exclude each other" --json stats --prometheus
usage "unknown option --jsno" --jsno show groups
usage "--timeout wants seconds (0 < SEC <= 86400): soon" --timeout soon reload
diff -u "$dir/want-requests" "$dir/requests" >&2 || fail "a usage error sent a request"

"$mgmctl" --version >"$dir/out" 2>&1 || fail "--version: exit $?"
[ "$(cat "$dir/out")" = "mgmctl $version" ] || fail "--version: $(cat "$dir/out")"
"$mgmctl" --help >"$dir/out" 2>&1 || fail "--help: exit $?"
grep -q '^usage: mgmctl \[--socket PATH\]' "$dir/out" || fail "--help: no usage line"
"$mgmctl" >"$dir/out" 2>&1
[ $? -eq 2 ] || fail "no command: exit is not 2"

# A daemon that does not answer in time.
echo 2000 >"$dir/show-routes.sleep"
check "timeout" 1 "" "mgmctl: no reply from mgmd on $sock within 0.3 s (see --timeout)
" -- --timeout 0.3 show routes

if [ "$failures" -ne 0 ]; then
	echo "test_mgmctl: $failures failures" >&2
	exit 1
fi
echo "test_mgmctl: all passed"
