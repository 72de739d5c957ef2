#!/usr/bin/env bash
# Makes the 1-hour asset of issue #5's speed comparison (`dashkit analyze` against dashlivesim's
# vodanalyzer): 3 Representations (video 320x180 at 150 kbit/s and 256x144 at 90 kbit/s, AAC
# stereo at 48 kbit/s), 2 s segments, 1,800 segments each, in dashlivesim's layout
# (`<rep>/init.mp4`, `<rep>/<n>.m4s`), plus `livesim.mpd`, the same MPD reshaped by
# `dashkit analyze --write-mpd` into the AdaptationSet-level form vodanalyzer can read.
#
#   bash benches/analyze/make_1h.sh /tmp/analyzeperf-asset      # then: see benches/analyze/run.sh
#
# Needs ffmpeg (Debian's, `apt-get install -y ffmpeg`) and a built dashkit (DASHKIT=..., default
# target/release/dashkit). Scratch output only (about 130 MB): never commit it.
set -euo pipefail
OUT="${1:?usage: make_1h.sh OUT_DIR}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DASHKIT="${DASHKIT:-$ROOT/target/release/dashkit}"
FFMPEG="${FFMPEG:-ffmpeg}"
DUR=3600
# Audio stops 50 ms early so its last AAC frame (priming included) ends before the hour: no
# stray 1,801st audio segment, and the short last one stays within vodanalyzer's 100 ms drift.
ADUR=3599.95
dir="$OUT/asset_1h"
rm -rf "$dir"
# ffmpeg 5.1's dash muxer does not create the per-Representation directories.
mkdir -p "$dir/0" "$dir/1" "$dir/2"
(cd "$dir" && "$FFMPEG" -nostdin -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=320x180:rate=25:duration=$DUR" \
  -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=$ADUR" \
  -filter_complex "[0:v]split=2[v0][v1t];[v1t]scale=256:144[v1]" \
  -map '[v0]' -map '[v1]' -map 1:a \
  -c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p -bf 0 \
  -g 50 -keyint_min 50 -sc_threshold 0 -x264-params "open-gop=0:threads=1" \
  -b:v:0 150k -b:v:1 90k -c:a aac -b:a 48k -ar 48000 -ac 2 \
  -fflags +bitexact -flags:v +bitexact -flags:a +bitexact -map_metadata -1 \
  -avoid_negative_ts make_zero -f dash -dash_segment_type mp4 -seg_duration 2 \
  -use_template 1 -use_timeline 0 -adaptation_sets "id=0,streams=v id=1,streams=a" \
  -init_seg_name '$RepresentationID$/init.mp4' -media_seg_name '$RepresentationID$/$Number$.m4s' \
  manifest.mpd)
"$DASHKIT" analyze "$dir/manifest.mpd" --write-mpd "$dir/livesim.mpd" -o "$(mktemp -d)" >/dev/null
for r in 0 1 2; do echo "rep $r: $(ls "$dir/$r" | grep -c '\.m4s$') segments"; done
du -sh "$dir"
