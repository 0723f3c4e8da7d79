#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The built systemd unit: ExecStart names the daemon where meson installs it, the directives
# mgmd(8) documents are there, and systemd-analyze verify accepts the whole file (with the
# daemon's path swapped for /bin/true, which exists before installation; without man page
# lookups). Skips (77) when systemd-analyze is missing, after the text checks.
# Usage: test_systemd_unit.sh UNIT_FILE INSTALLED_MGMD_PATH
set -euo pipefail
unit=${1:?usage: $0 UNIT_FILE INSTALLED_MGMD_PATH}
mgmd=${2:?usage: $0 UNIT_FILE INSTALLED_MGMD_PATH}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

has() {
	grep -qxF -- "$1" "$unit" || fail "$unit has no line '$1'"
}

has "Type=notify"
has "ExecStart=$mgmd -F -f /etc/mgmd/mgmd.conf"
has 'ExecReload=/bin/kill -HUP $MAINPID'
has "Restart=on-failure"
has "RuntimeDirectory=mgmd"
has "CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW"
has "NoNewPrivileges=yes"
has "ProtectSystem=strict"
has "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET"
has "SystemCallFilter=@system-service"
! grep -q '@[A-Z]*@' "$unit" || fail "$unit has an unsubstituted @VARIABLE@"

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "systemd-analyze not installed (Debian systemd): verify skipped"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s#^ExecStart=$mgmd #ExecStart=/bin/true #" "$unit" >"$tmp/mgmd.service"
out=$(systemd-analyze verify --man=no "$tmp/mgmd.service" 2>&1) ||
	fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify warns: $out"
echo "systemd-analyze verify: clean"
