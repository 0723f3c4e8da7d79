#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# `meson install` into a temporary DESTDIR (what `make install DESTDIR=... PREFIX=...` runs):
# every file mgmd ships is installed where it belongs, nothing else is, and the unit's
# ExecStart names the daemon's installed path.
# Usage: test_install.sh BUILD SOURCE PREFIX BINDIR SBINDIR LIBDIR INCLUDEDIR MANDIR DATADIR
#        UNITDIR (directories as meson's options give them, relative to PREFIX or absolute)
set -euo pipefail
[ $# -eq 10 ] || {
	echo "usage: $0 BUILD SOURCE PREFIX BINDIR SBINDIR LIBDIR INCLUDEDIR MANDIR DATADIR UNITDIR" >&2
	exit 2
}
build=$1 src=$2 prefix=$3

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# A meson directory option as an absolute path.
dir() {
	case "$1" in
	/*) printf '%s' "$1" ;;
	*) printf '%s/%s' "$prefix" "$1" ;;
	esac
}
bindir=$(dir "$4") sbindir=$(dir "$5") libdir=$(dir "$6") includedir=$(dir "$7")
mandir=$(dir "$8") datadir=$(dir "$9") unitdir=$(dir "${10}")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/root" >"$tmp/log" 2>&1 ||
	fail "meson install: $(cat "$tmp/log")"

# The explicit list. mgmctl is an administrator's command beside the daemon (mgmctl(8), the
# socket is root's): sbin, like mgmd.
want=(
	"$sbindir/mgmd"
	"$sbindir/mgmctl"
	"$bindir/mgmdump"
	"$mandir/man1/mgmdump.1"
	"$mandir/man5/mgmd.conf.5"
	"$mandir/man8/mgmd.8"
	"$datadir/doc/mgmd/mgmd.conf.example"
	"$unitdir/mgmd.service"
	"$libdir/libmgm.so"
	"$libdir/pkgconfig/libmgm.pc"
)
for h in "$src"/lib/include/mgm/*.h; do
	want+=("$includedir/mgm/$(basename "$h")")
done
want+=("$mandir/man8/mgmctl.8")

for f in "${want[@]}"; do
	[ -e "$tmp/root$f" ] || fail "not installed: $f"
	[ -s "$tmp/root$f" ] || fail "installed empty: $f"
done
for f in "$bindir/mgmdump" "$sbindir/mgmd" "$sbindir/mgmctl"; do
	[ -x "$tmp/root$f" ] || fail "not executable: $f"
done

# Nothing but the list (and libmgm's versioned names beside libmgm.so).
(cd "$tmp/root" && find . ! -type d | sed 's/^\.//' | sort) >"$tmp/got"
printf '%s\n' "${want[@]}" | sort >"$tmp/want"
extra=$(comm -23 "$tmp/got" "$tmp/want" | grep -vE "^$libdir/libmgm\.so\.[0-9.]+$" || true)
[ -z "$extra" ] || fail "installed but not expected: $extra"

grep -qx "ExecStart=$sbindir/mgmd -F .*" "$tmp/root$unitdir/mgmd.service" ||
	fail "mgmd.service's ExecStart does not name $sbindir/mgmd"
echo "install: ${#want[@]} files in place under DESTDIR ($prefix)"
