#!/usr/bin/env bash
# Live segment requests a second through one nginx edge (deploy/nginx/edge.conf.template) with
# a warm cache, against the origin (`dashkit serve`) alone, paired in one run on loopback with wrk
# (2 threads, 64 connections, $SECONDS_PER_RUN s per run, alternating rounds).
#
#   bash benches/load/edge.sh [rounds]
#
# Needs wrk, nginx, envsubst and curl (Debian: apt-get install -y wrk nginx-light gettext-base
# curl); nginx runs unprivileged under a temporary EDGE_DIR. The paths are the newest 100 live
# segments of both Representations of fixtures/dash/ffmpeg_livesim (cacheable until they leave
# the 5-minute window); every one is fetched once through the edge before measuring, so the
# edge answers from its cache. Prints each run's line, the medians and the edge/origin ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS="${1:-3}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-8}"
for t in wrk nginx envsubst curl; do
  command -v "$t" >/dev/null || [[ -x /usr/sbin/$t ]] || { echo "$t is missing (apt-get install -y wrk nginx-light gettext-base curl)" >&2; exit 2; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
cargo build --release -q -p dashkit-cli
W="$(mktemp -d)"
chmod 755 "$W"
DK=${DK_PORT:-18071}
EDGE=${EDGE_PORT:-18072}
BACKUP=${BACKUP_PORT:-18073} # nothing listens there
./target/release/dashkit serve --root fixtures/dash --bind 127.0.0.1:$DK --access-log off >/dev/null &
dk_pid=$!
ng_pid=
cleanup() {
  kill "$dk_pid" 2>/dev/null || true
  [[ -n "$ng_pid" ]] && kill "$ng_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$DK/healthz >/dev/null && break; sleep 0.1; done

export EDGE_LISTEN=127.0.0.1:$EDGE ORIGIN=127.0.0.1:$DK BACKUP_ORIGIN=127.0.0.1:$BACKUP EDGE_DIR="$W/edge"
mkdir -p "$EDGE_DIR/logs" "$EDGE_DIR/tmp"
envsubst '$EDGE_LISTEN $ORIGIN $BACKUP_ORIGIN $EDGE_DIR' <deploy/nginx/edge.conf.template |
  sed 's|access_log .* edge;|access_log off;|' >"$EDGE_DIR/edge.conf" # no log IO in the figure
"$NGINX" -p "$EDGE_DIR" -c edge.conf -e logs/error.log &
ng_pid=$!
for _ in $(seq 100); do curl -sf http://$EDGE_LISTEN/healthz >/dev/null && break; sleep 0.1; done

newest=$(($(date +%s) / 2 - 3))
: >"$W/live.txt"
for i in $(seq 0 99); do
  for r in 0 1; do echo "/livesim/ffmpeg_livesim/$r/$((newest - i)).m4s" >>"$W/live.txt"; done
done
# Warm the edge's cache, and check it holds what the origin answers.
while read -r p; do curl -sf -o /dev/null "http://$EDGE_LISTEN$p"; done <"$W/live.txt"
p=$(head -1 "$W/live.txt")
[[ "$(curl -sf -D- -o /dev/null "http://$EDGE_LISTEN$p" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache-status" {print $2}')" == HIT ]] ||
  { echo "the edge does not answer $p from its cache" >&2; exit 1; }
cmp <(curl -sf "http://$EDGE_LISTEN$p") <(curl -sf "http://127.0.0.1:$DK$p")

run() { # port label -> prints requests/s
  local out
  out=$(WRK_PATHS="$W/live.txt" wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" --latency -s benches/load/paths.lua "http://127.0.0.1:$1" | grep '^RESULT')
  echo "$2 $out" >&2
  sed -E 's/.*rps=([0-9]+).*/\1/' <<<"$out"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
: >"$W/ratios"
for _ in $(seq "$ROUNDS"); do
  e=$(run "$EDGE" edge)
  o=$(run "$DK" origin)
  echo "$e" >>"$W/edge.rps"
  echo "$o" >>"$W/origin.rps"
  awk -v e="$e" -v o="$o" 'BEGIN { printf "%.3f\n", e / o }' >>"$W/ratios"
done
echo
echo "live segments: edge (warm cache) median $(median <"$W/edge.rps")/s, origin alone median $(median <"$W/origin.rps")/s, ratio edge/origin median $(median <"$W/ratios") (per round: $(tr '\n' ' ' <"$W/ratios"))"
