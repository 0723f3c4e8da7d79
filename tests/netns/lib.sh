# SPDX-License-Identifier: BSD-2-Clause
# Shared helpers of the netns tests and of scripts/demo (sourced, bash). Everything runs inside
# namespaces this file creates, named mgmt-PID-NAME, and is removed by a trap on EXIT, INT and
# TERM, on failure too. Addresses: 198.18.0.0/15 and 2001:db8::/32; groups 239/8 and 232/8.

MGMT_PREFIX="mgmt-$$"
MGMT_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MGMT_NAMESPACES=()
MGMT_PIDS=()
MGMT_TMP=""

mgmt_log() {
	printf '%s\n' "$*" >&2
}

mgmt_fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

mgmt_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "$1: needs root to create network namespaces (try: sudo $1)" >&2
		exit 1
	fi
}

mgmt_require() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || mgmt_fail "missing command: $c (run 'make deps')"
	done
}

mgmt_cleanup() {
	local pid ns
	for pid in "${MGMT_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${MGMT_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	MGMT_PIDS=()
	for ns in "${MGMT_NAMESPACES[@]}"; do
		# Anything still alive in a namespace we made was started by this script.
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
		ip netns del "$ns" 2>/dev/null || true
	done
	MGMT_NAMESPACES=()
	if [ -n "$MGMT_TMP" ] && [ -d "$MGMT_TMP" ] && [ -z "${MGMT_KEEP:-}" ]; then
		rm -rf "$MGMT_TMP"
	fi
}

mgmt_init() {
	trap mgmt_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	MGMT_TMP=$(mktemp -d "/tmp/$MGMT_PREFIX.XXXXXX")
}

# The full name of a namespace from its short name.
mgmt_ns_name() {
	printf '%s-%s' "$MGMT_PREFIX" "$1"
}

# ns NAME CMD...: runs CMD inside namespace NAME.
ns() {
	local n
	n=$(mgmt_ns_name "$1")
	shift
	ip netns exec "$n" "$@"
}

# ns_add NAME: a namespace with loopback up, no IPv6 duplicate address detection (so link-local
# addresses are usable at once) and no forwarding.
ns_add() {
	local n
	n=$(mgmt_ns_name "$1")
	ip netns add "$n" || mgmt_fail "cannot create namespace $n"
	MGMT_NAMESPACES+=("$n")
	ns "$1" ip link set lo up
	ns "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ns "$1" sysctl -qw net.ipv6.conf.all.dad_transmits=0 net.ipv6.conf.default.dad_transmits=0
}

# veth_add NS1 IF1 NS2 IF2: a veth pair between two namespaces, both ends up. Made inside NS1
# with its peer placed in NS2 at once: no name in the root namespace (where a temporary name
# built from a six-digit pid would not fit IFNAMSIZ), and nothing there to collide with.
veth_add() {
	ip -n "$(mgmt_ns_name "$1")" link add "$2" type veth peer name "$4" \
		netns "$(mgmt_ns_name "$3")" || mgmt_fail "cannot create veth $1/$2 - $3/$4"
	ns "$1" ip link set "$2" up
	ns "$3" ip link set "$4" up
}

# bridge_add NS BR: a bridge without multicast snooping, so every report and query floods to
# every port and to the bridge's own capture.
bridge_add() {
	ns "$1" ip link add "$2" type bridge mcast_snooping 0 || mgmt_fail "cannot create bridge"
	ns "$1" ip link set "$2" up
}

# bridge_port NS BR IF
bridge_port() {
	ns "$1" ip link set "$3" master "$2"
}

# addr_add NS IF ADDR/LEN
addr_add() {
	ns "$1" ip addr add "$3" dev "$2" nodad 2>/dev/null || ns "$1" ip addr add "$3" dev "$2"
}

# host_versions NS IF IGMP MLD: forces the kernel's IGMP and MLD version on IF (0 = automatic)
# and shortens the unsolicited report intervals so tests need not wait for the defaults.
host_versions() {
	ns "$1" sh -c "echo $3 > /proc/sys/net/ipv4/conf/$2/force_igmp_version &&
		echo $4 > /proc/sys/net/ipv6/conf/$2/force_mld_version" ||
		mgmt_fail "cannot force IGMP/MLD versions on $2"
	ns "$1" sysctl -qw "net.ipv4.conf.$2.igmpv2_unsolicited_report_interval=200" \
		"net.ipv4.conf.$2.igmpv3_unsolicited_report_interval=200" \
		"net.ipv6.conf.$2.mldv1_unsolicited_report_interval=200" \
		"net.ipv6.conf.$2.mldv2_unsolicited_report_interval=200"
}

# bg NS SECONDS CMD...: CMD in the background inside NS, killed after SECONDS at the latest.
# The pid lands in MGMT_LAST_PID and is cleaned up on exit.
bg() {
	local n t=$2
	n=$(mgmt_ns_name "$1")
	shift 2
	# exec, so the pid is timeout's own and a signal to it reaches the command.
	(exec ip netns exec "$n" timeout "$t" "$@") &
	MGMT_LAST_PID=$!
	MGMT_PIDS+=("$MGMT_LAST_PID")
}

# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds; fails after SECONDS.
wait_for() {
	local t=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -le $((t * 10)) ] || return 1
		sleep 0.1
	done
}

# ns_pid NS COMM: the pid of the process named COMM in namespace NS, for a signal meant for it
# and not for the timeout around it (SIGUSR1 would kill timeout); fails when there is none.
ns_pid() {
	local p
	for p in $(ip netns pids "$(mgmt_ns_name "$1")" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && echo "$p" && return 0
	done
	return 1
}

# ns_pipe NS FD SECONDS CMD...: CMD inside NS, killed after SECONDS at the latest, reading its
# standard input from this shell's descriptor FD: `echo STEP >&FD` feeds it a line at a time
# (mcjoin -), so memberships stay up between steps. Closing FD ends it.
ns_pipe() {
	local n fd=$2 t=$3
	n=$(mgmt_ns_name "$1")
	shift 3
	eval "exec $fd> >(exec ip netns exec \"\$n\" timeout \"\$t\" \"\$@\")"
	MGMT_PIDS+=($!)
}

# capture_start NS IF FILE [SECONDS]: dumpcap on IF into FILE (pcapng, or pcap when FILE ends
# in .pcap), stopping by itself after SECONDS (default 60). Returns once dumpcap captures.
capture_start() {
	local n=$1 ifc=$2 file=$3 t=${4:-60} fmt=-n log
	case "$file" in *.pcap) fmt=-P ;; esac
	log="$file.log"
	: >"$file.log"
	n=$(mgmt_ns_name "$n")
	(exec ip netns exec "$n" timeout $((t + 5)) dumpcap -q -i "$ifc" "$fmt" -a "duration:$t" \
		-w "$file" >"$log" 2>&1) &
	MGMT_CAPTURE_PID=$!
	MGMT_PIDS+=("$MGMT_CAPTURE_PID")
	wait_for 10 grep -q "Capturing on" "$log" || {
		cat "$log" >&2
		mgmt_fail "dumpcap did not start on $ifc"
	}
	# dumpcap says so just before its first read; give the socket a moment.
	sleep 0.3
}

# capture_stop: ends the capture started last and waits until the file is complete. TERM, not
# INT: a background job of a script ignores SIGINT; timeout passes TERM on to dumpcap.
capture_stop() {
	sleep 0.3
	kill -TERM "$MGMT_CAPTURE_PID" 2>/dev/null || true
	wait "$MGMT_CAPTURE_PID" 2>/dev/null || true
}
# now_ms: the wall clock in epoch milliseconds.
now_ms() {
	local t=${EPOCHREALTIME//[!0-9]/}
	echo $((t / 1000))
}
# within_since T0 LIMIT_MS CMD...: polls CMD every 20 ms; prints the ms since T0 (epoch ms) once
# it holds; fails once LIMIT_MS have passed since T0.
within_since() {
	local t0=$1 limit=$2
	shift 2
	while :; do
		if "$@" >/dev/null 2>&1; then
			echo $(($(now_ms) - t0))
			return 0
		fi
		[ $(($(now_ms) - t0)) -le "$limit" ] || return 1
		sleep 0.02
	done
}
# within LIMIT_MS CMD...: the same from now.
within() {
	local limit=$1
	shift
	within_since "$(now_ms)" "$limit" "$@"
}
# timed_since NAME T0 LIMIT_MS CMD...: a check that CMD holds within LIMIT_MS of T0, reported
# with the time it took.
timed_since() {
	local name=$1 t0=$2 limit=$3 t
	shift 3
	if t=$(within_since "$t0" "$limit" "$@"); then
		ok "$name ($t ms, bound $limit ms)"
	else
		bad "$name (not within $limit ms)"
		return 1
	fi
}
# timed NAME LIMIT_MS CMD...: the same from now; a failure is counted and the test goes on.
timed() {
	local name=$1 limit=$2
	shift 2
	timed_since "$name" "$(now_ms)" "$limit" "$@" || true
}


# Tallies, for the tests that go on after a failed case and sum up at the end (tally).
MGMT_PASSED=0
MGMT_FAILED=0
ok() {
	echo "ok   $*"
	MGMT_PASSED=$((MGMT_PASSED + 1))
}
bad() {
	echo "FAIL $*"
	MGMT_FAILED=$((MGMT_FAILED + 1))
}
# check NAME CMD...: ok or bad on CMD's status.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}
# tally: the totals, as the last command of a test: fails when any case failed.
tally() {
	echo "$MGMT_PASSED passed, $MGMT_FAILED failed"
	[ "$MGMT_FAILED" -eq 0 ]
}

# ---- JSON event lines (routerlab --json, nlwatch) read through routerlab_events.py ----------
# events_start FILE [ERRFILE]: one routerlab_events.py --serve over FILE for the whole test (a
# Python start takes a second and more on a loaded machine); its complaints go to ERRFILE.
# Then, with FROM a line number of FILE (lines) and a SET KEY=VALUE words that one JSON line
# must all match:
#   ev [--after LINE] [--last-table] MODE SET [/ SET]...   the raw request
#   seen FROM SET...   every set matches some line after FROM;   none FROM SET...: none does
#   count FROM SET...  how many lines match, per set
#   when FROM SET...   the t_ms of each set's first match, '-' for none
#   expect SECONDS FROM SET...   seen within SECONDS, or the test's fail()
MGMT_EVENTS_FILE=""
events_start() {
	MGMT_EVENTS_FILE=$1
	coproc EVENTS { exec python3 "$MGMT_LIB_DIR/routerlab_events.py" --serve "$1" 2>"${2:-/dev/stderr}"; }
	# The readers exist only in tests that start the server, so that a test's own
	# count() or expect() is never shadowed by them.
	ev() {
		local line rc=2
		echo "$*" >&"${EVENTS[1]}"
		while IFS= read -r -t 30 line <&"${EVENTS[0]}"; do
			case $line in
			"END "*)
				rc=${line#END }
				break
				;;
			esac
			printf '%s\n' "$line"
		done
		return "$rc"
	}
	seen() {
		local from=$1
		shift
		ev --after "$from" any "$@"
	}
	none() {
		local from=$1
		shift
		ev --after "$from" none "$@"
	}
	count() {
		local from=$1
		shift
		ev --after "$from" count "$@"
	}
	when() {
		local from=$1
		shift
		ev --after "$from" first-ms "$@" || true
	}
	expect() {
		local t=$1
		shift
		wait_for "$t" seen "$@" || fail "not every one of $* within $t s"
	}
	lines() {
		wc -l <"$MGMT_EVENTS_FILE"
	}
}
