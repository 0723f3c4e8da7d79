#!/bin/sh
# libmgm.so exports exactly the functions its public headers declare: no internal symbol leaks
# into the ABI, and no declared function is missing. Usage: check-exports.sh LIBMGM_SO HEADER...
set -eu
so=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -ohE '\bmgm_[a-z0-9_]+[[:space:]]*\(' "$@" | sed 's/[[:space:]]*($//' | sort -u >"$tmp/declared"
nm -D --defined-only "$so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u >"$tmp/exported"
if ! diff -u "$tmp/declared" "$tmp/exported"; then
	echo "check-exports: $so: exported functions differ from the public headers (- declared only, + exported only)" >&2
	exit 1
fi
echo "check-exports: $(wc -l <"$tmp/exported") functions, all declared in the public headers"
