#!/usr/bin/env bash
# dashkit serve against nginx serving the same bytes as static files, paired in one run on
# loopback with wrk (2 threads, 64 connections, $SECONDS_PER_RUN s per run, alternating rounds).
#
#   bash benches/load/vs_nginx.sh [rounds]
#
# Needs wrk, nginx and curl (Debian: apt-get install -y wrk nginx-light curl); nginx runs
# unprivileged from a temporary prefix, so root is not needed. What it measures:
#   live    live segments (/livesim/...) of fixtures/dash/ffmpeg_livesim, the newest 100 of both
#           Representations; nginx serves the very bytes dashkit answered, saved as files;
#   vod     the same VoD files under /dash/vod/ from both;
#   m3u8    live HLS media playlists of a 5-minute window (tsbd_300, 150 segments) of both
#           Representations (issue 16: target >= 40,000/s); nginx serves the very bytes dashkit
#           answered, saved as files (a static playlist is the floor of any live one);
#   mpd     live MPDs with a SegmentTimeline and a 5-minute window (dashkit only: nginx has no
#           equivalent; the target is an absolute rate).
# Prints each run's line and, per kind, the median requests/s and dashkit/nginx ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS="${1:-3}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-8}"
for t in wrk nginx curl; do
  command -v "$t" >/dev/null || [[ -x /usr/sbin/$t ]] || { echo "$t is missing (apt-get install -y wrk nginx-light curl)" >&2; exit 2; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
cargo build --release -q -p dashkit-cli
W="$(mktemp -d)"
chmod 755 "$W"
DK=${DK_PORT:-18061}
NG=${NG_PORT:-18062}
./target/release/dashkit serve --root fixtures/dash --bind 127.0.0.1:$DK --access-log off >/dev/null &
dk_pid=$!
cleanup() {
  kill "$dk_pid" 2>/dev/null || true
  [[ -f "$W/nginx.pid" ]] && kill "$(cat "$W/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$DK/healthz >/dev/null && break; sleep 0.1; done

# The paths: the newest 100 live segments of both Representations (2 s segments, AST 0), and every
# VoD file of the asset.
newest=$(($(date +%s) / 2 - 3))
: >"$W/live.txt"
for i in $(seq 0 99); do
  for r in 0 1; do echo "/livesim/ffmpeg_livesim/$r/$((newest - i)).m4s" >>"$W/live.txt"; done
done
(cd fixtures/dash && find ffmpeg_livesim -name '*.m4s' | sort | sed 's|^|/dash/vod/|') >"$W/vod.txt"
echo "/livesim/segtimeline_1/tsbd_300/ffmpeg_livesim/manifest.mpd" >"$W/mpd.txt"
printf '%s\n' /livesim/tsbd_300/ffmpeg_livesim/manifest_0.m3u8 \
  /livesim/tsbd_300/ffmpeg_livesim/manifest_1.m3u8 >"$W/m3u8.txt"

# nginx's document root: the bytes dashkit answered for each live path, and the VoD files.
mkdir -p "$W/www" "$W/logs"
while read -r p; do
  mkdir -p "$W/www$(dirname "$p")"
  curl -sf -o "$W/www$p" "http://127.0.0.1:$DK$p"
done < <(cat "$W/live.txt" "$W/m3u8.txt")
mkdir -p "$W/www/dash/vod"
cp -r fixtures/dash/ffmpeg_livesim "$W/www/dash/vod/"
chmod -R a+rX "$W/www"
cat >"$W/nginx.conf" <<CONF
worker_processes auto;
pid $W/nginx.pid;
error_log $W/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  default_type application/octet-stream;
  client_body_temp_path $W/tmp_body;
  proxy_temp_path $W/tmp_proxy;
  fastcgi_temp_path $W/tmp_fcgi;
  uwsgi_temp_path $W/tmp_uwsgi;
  scgi_temp_path $W/tmp_scgi;
  server {
    listen 127.0.0.1:$NG;
    root $W/www;
  }
}
CONF
"$NGINX" -p "$W" -c "$W/nginx.conf" -e "$W/logs/error.log"
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$NG$(head -1 "$W/live.txt")" && break; sleep 0.1; done
cmp <(curl -sf "http://127.0.0.1:$NG$(head -1 "$W/live.txt")") <(curl -sf "http://127.0.0.1:$DK$(head -1 "$W/live.txt")")

run() { # kind port -> prints requests/s
  local out
  out=$(WRK_PATHS="$W/$1.txt" wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" --latency -s benches/load/paths.lua "http://127.0.0.1:$2" | grep '^RESULT')
  echo "$1 $3 $out" >&2
  sed -E 's/.*rps=([0-9]+).*/\1/' <<<"$out"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A R
for kind in live vod m3u8; do
  : >"$W/$kind.ratios"
  for _ in $(seq "$ROUNDS"); do
    n=$(run "$kind" "$NG" nginx)
    d=$(run "$kind" "$DK" dashkit)
    echo "$n" >>"$W/$kind.nginx"
    echo "$d" >>"$W/$kind.dashkit"
    awk -v d="$d" -v n="$n" 'BEGIN { printf "%.3f\n", d / n }' >>"$W/$kind.ratios"
  done
  R[$kind]="nginx median $(median <"$W/$kind.nginx")/s, dashkit median $(median <"$W/$kind.dashkit")/s, ratio dashkit/nginx median $(median <"$W/$kind.ratios") (per round: $(tr '\n' ' ' <"$W/$kind.ratios"))"
done
: >"$W/mpd.dashkit"
for _ in $(seq "$ROUNDS"); do run mpd "$DK" dashkit >>"$W/mpd.dashkit"; done
echo
echo "live segments: ${R[live]}"
echo "vod files:     ${R[vod]}"
echo "HLS media playlists (5-min window): ${R[m3u8]}"
echo "live MPD (SegmentTimeline, 5-min window): dashkit median $(median <"$W/mpd.dashkit")/s"
