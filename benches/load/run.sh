#!/usr/bin/env bash
# Load test of `dashkit serve` on loopback: wrk, 10 s, 64 connections, live segment
# requests (segments.lua). Usage: benches/load/run.sh [threads-for-wrk]
# Needs wrk (Debian: apt-get install wrk). Builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
cargo build --release -q -p dashkit-cli
port=${PORT:-18059}
./target/release/dashkit serve --root fixtures/dash --bind 127.0.0.1:$port --access-log off >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.1; done
# Warm the asset cache (the first request analyses the VoD).
curl -sf -o /dev/null http://127.0.0.1:$port/livesim/ffmpeg_livesim/manifest.mpd
wrk -t "${1:-2}" -c 64 -d 10s --latency -s benches/load/segments.lua http://127.0.0.1:$port
