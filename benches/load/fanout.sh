#!/usr/bin/env bash
# Fan-out of a channel being ingested: for each reader count given (default 1000 10000),
# benches/load/fanout.rs starts `dashkit serve --ingest-token`, uploads 4 segments of 500 ms
# CMAF chunks in real time and has that many readers fetch each segment while it is uploaded;
# prints the per-chunk relay delay (p50/p99/max) and the server's memory.
#
#   bash benches/load/fanout.sh [readers...]
set -euo pipefail
cd "$(dirname "$0")/../.."
# Each reader is a connection on both sides (the tool and the server are children of this shell).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 65536
cargo build --release -q -p dashkit-cli -p dashkit-benches --bin dashkit --bin fanout
[[ $# -gt 0 ]] || set -- 1000 10000
for n in "$@"; do
  ./target/release/fanout --readers "$n" --segments "${SEGMENTS:-4}"
done
