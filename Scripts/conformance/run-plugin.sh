#!/usr/bin/env bash
# Feeds bpf_conformance .data files to the plugin exactly as bpf_conformance_runner does: one plugin process per
# file, memory as one argv string of "xx  " per byte (absent when the test has no memory), the program as the same
# hex on stdin plus a newline, r0 parsed as hex from stdout, exit status 0 required.
#
#   Scripts/conformance/run-plugin.sh [--engine jit|interpreter] [FILE.data ...]
#                                     (default: the plugin's default engine, the JIT; every file in ../shared/conformance/tests)
#   PLUGIN=path/to/bpf-conformance-plugin to use another build (default: builds and uses the debug one).
#
# The runner assembles `-- asm` with its own assembler; we use ours (`plugin --assemble`) for that step only.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
tests_dir=${TESTS_DIR:-$here/../shared/conformance/tests}
if [ -z "${PLUGIN:-}" ]; then
    (cd "$here" && swift build --product bpf-conformance-plugin >/dev/null) || { echo "build failed" >&2; exit 2; }
    PLUGIN="$here/.build/debug/bpf-conformance-plugin"
fi
engine=()
if [ "${1:-}" = "--engine" ]; then
    [ $# -ge 2 ] || { echo "--engine needs jit or interpreter" >&2; exit 2; }
    engine=(--engine "$2"); shift 2
fi
if [ $# -eq 0 ]; then set -- "$tests_dir"/*.data; fi

# Prints the lines of section $2 of file $1 (sections start with "-- name"; "#" starts a comment).
section() {
    awk -v want="$2" '
        /^--/ { sub(/^-- */, ""); cur = $0; next }
        cur ~ "^" want { sub(/#.*/, ""); print }' "$1"
}
hexbytes() { tr -s ' \t\n' '\n' | grep -v '^$' | while read -r b; do printf '%02x  ' "$((16#$b))"; done; }

pass=0; fail=0; failed=()
errors=$(mktemp); trap 'rm -f "$errors"' EXIT
for file in "$@"; do
    name=$(basename "$file")
    expected=$(section "$file" result | tr -d ' \t' | grep -v '^$' | head -1)
    [ -z "$expected" ] && { echo "SKIP $name (no result)"; continue; }
    program=$(section "$file" asm | "$PLUGIN" --assemble) || { echo "FAIL $name (assembly)"; fail=$((fail+1)); failed+=("$name"); continue; }
    memory=$(section "$file" mem | hexbytes)
    if [ -n "$memory" ]; then
        out=$(printf '%s\n' "$program" | "$PLUGIN" "$memory" "${engine[@]}" 2>"$errors"); status=$?
    else
        out=$(printf '%s\n' "$program" | "$PLUGIN" "${engine[@]}" 2>"$errors"); status=$?
    fi
    # Compare as 64-bit values, as the runner does (std::stoull(s, 16) vs the -- result value).
    # (bash arithmetic wraps both sides to the same signed 64-bit value.)
    hex=$(printf '%s' "$out" | head -1 | tr -d ' \t'); hex=${hex#0x}
    got=""; [[ "$hex" =~ ^[0-9a-fA-F]{1,16}$ ]] && got=$((16#$hex))
    if [[ "$expected" == 0x* ]]; then want=$((16#${expected#0x})); else want=$((expected)); fi
    if [ $status -eq 0 ] && [ -n "$got" ] && [ "$got" = "$want" ]; then
        pass=$((pass+1))
    else
        fail=$((fail+1)); failed+=("$name")
        echo "FAIL $name: status $status, output '$out', stderr '$(cat "$errors")', expected $expected"
    fi
done
echo "Passed $pass out of $((pass+fail)) (failed $fail)"
[ $fail -eq 0 ]
