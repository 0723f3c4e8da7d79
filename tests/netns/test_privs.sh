#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mgmd's privilege drop (daemon/privs.c via privtool) as root in a namespace: afterwards the
# effective, permitted and bounding sets hold exactly CAP_NET_ADMIN and CAP_NET_RAW, nothing is
# inheritable or ambient; raw IGMP/ICMPv6 sockets, an MTU change and the multicast routing API
# still work, setuid() no longer does. With -u nobody the same under nobody's uid and gid,
# without supplementary groups. A kernel without multicast routing only skips the MRT lines.
# About 1 s.
# Usage: test_privs.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
. "$here/lib.sh"
mgmt_require_root "$0"
mgmt_require ip
privtool="$build/tests/netns/privtool"
[ -x "$privtool" ] || mgmt_fail "build first: no $privtool"
getent passwd nobody >/dev/null || mgmt_fail "no user nobody on this machine"
mgmt_init
ns_add p

# field FILE KEY: the value after "KEY" (first word only).
field() {
	awk -v k="$2" '$1 == k { print $2; exit }' "$1"
}

# The bits of CAP_NET_ADMIN (12) and CAP_NET_RAW (13).
TWO=0000000000003000

check_drop() {
	local out=$1 uid=$2 gid=$3 key
	cat "$out" >&2
	for key in CapEff: CapPrm: CapBnd:; do
		[ "$(field "$out" $key)" = $TWO ] ||
			mgmt_fail "$key is $(field "$out" $key), not $TWO (CAP_NET_ADMIN + CAP_NET_RAW)"
	done
	for key in CapInh: CapAmb:; do
		[ "$(field "$out" $key)" = 0000000000000000 ] ||
			mgmt_fail "$key is $(field "$out" $key), not empty"
	done
	[ "$(field "$out" Uid:)" = "$uid" ] || mgmt_fail "uid $(field "$out" Uid:), not $uid"
	[ "$(field "$out" Gid:)" = "$gid" ] || mgmt_fail "gid $(field "$out" Gid:), not $gid"
	# Uid:/Gid: list real, effective, saved and filesystem ids: all four changed.
	[ "$(awk '$1 == "Uid:" { print $2 $3 $4 $5 }' "$out")" = "$uid$uid$uid$uid" ] ||
		mgmt_fail "not every uid is $uid"
	[ "$(field "$out" raw4)" = ok ] || mgmt_fail "raw IGMP socket after the drop: $(field "$out" raw4)"
	[ "$(field "$out" raw6)" = ok ] || mgmt_fail "raw ICMPv6 socket after the drop: $(field "$out" raw6)"
	[ "$(field "$out" setmtu)" = ok ] || mgmt_fail "CAP_NET_ADMIN (MTU change) after the drop: $(field "$out" setmtu)"
	[ "$(field "$out" setuid)" = EPERM ] || mgmt_fail "setuid after the drop: $(field "$out" setuid)"
	local fam
	for fam in 4 6; do
		case "$(field "$out" mrt$fam)" in
		ok) ;;
		ENOPROTOOPT | EOPNOTSUPP) mgmt_log "no IPv$fam multicast routing in this kernel: MRT not checked" ;;
		*) mgmt_fail "MRT init (IPv$fam) after the drop: $(field "$out" mrt$fam)" ;;
		esac
	done
}

out="$MGMT_TMP/root.out"
ns p "$privtool" >"$out" || mgmt_fail "privtool (no user switch) failed"
check_drop "$out" 0 0

out="$MGMT_TMP/nobody.out"
ns p "$privtool" -u nobody >"$out" || mgmt_fail "privtool -u nobody failed"
check_drop "$out" "$(id -u nobody)" "$(id -g nobody)"
[ -z "$(awk '$1 == "Groups:" { print $2 }' "$out")" ] || mgmt_fail "supplementary groups kept"

# A user that does not exist: refused in one sentence, nothing dropped half-way.
if ns p "$privtool" -u mgmd-no-such-user >/dev/null 2>"$MGMT_TMP/err"; then
	mgmt_fail "privtool -u mgmd-no-such-user succeeded"
fi
grep -qx 'privtool: cannot switch to user mgmd-no-such-user: no such user' "$MGMT_TMP/err" ||
	mgmt_fail "unexpected error: $(cat "$MGMT_TMP/err")"
echo "test_privs: passed"
