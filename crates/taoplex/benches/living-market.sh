#!/usr/bin/env bash
# The living-market benchmarks of the README, as a user runs them (release build):
#   1. `taoplex node --fast-forward 50400` on the default genesis: blocks/s (from its log);
#   2. `taoplex up` (`--history 7d`) on a fresh data dir until the terminal serves its
#      overview, indexed week included;
#   3. `taoplex up` again on that data dir until the terminal answers its first page.
# Usage: crates/taoplex/benches/living-market.sh [path/to/taoplex]
set -euo pipefail
bin=${1:-target/release/taoplex}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

now() { date +%s.%N; }

# Runs `$@` in the background with stdout in $work/out, until a line matches $pattern.
start_until() {
    local pattern=$1; shift
    : > "$work/out"
    "$@" > "$work/out" 2> "$work/err" &
    pid=$!
    until grep -q "$pattern" "$work/out"; do
        kill -0 "$pid" 2>/dev/null || { cat "$work/err"; exit 1; }
        sleep 0.05
    done
}

stop() { kill -INT "$pid"; wait "$pid" || true; }

echo "== node --fast-forward 50400"
start_until "JSON-RPC on" "$bin" node --data-dir "$work/node" --rpc-addr 127.0.0.1:0 \
    --block-time manual --fast-forward 50400
grep -o 'fast-forwarding: done in [0-9.]* s\|blocks_per_second=[0-9]*' "$work/err" | tr '\n' ' '
echo
stop

echo "== up --history 7d, fresh data dir, until the overview is served"
t0=$(now)
start_until "taoplex terminal: http://" "$bin" up --data-dir "$work/up" --no-dojo \
    --rpc-addr 127.0.0.1:0 --terminal-addr 127.0.0.1:0
addr=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/out" | tail -1)
curl -sf "$addr/api/v1/overview?limit=1" > /dev/null
echo "served a filled overview after $(echo "$(now) - $t0" | bc) s"
stop

echo "== up on the existing data dir, until the first page"
t0=$(now)
start_until "taoplex terminal: http://" "$bin" up --data-dir "$work/up" --no-dojo \
    --rpc-addr 127.0.0.1:0 --terminal-addr 127.0.0.1:0
addr=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/out" | tail -1)
curl -sf "$addr/" > /dev/null
echo "first page after $(echo "$(now) - $t0" | bc) s"
stop
