#!/usr/bin/env bash
# Whole-process speed of `dashkit analyze` against dashlivesim's vodanalyzer on the 1-hour
# asset of benches/analyze/make_1h.sh (issue #5), both doing the same job on the same MPD
# (livesim.mpd, the form vodanalyzer reads), page cache warm. Checks first that both write the
# same .cfg/.dat bytes.
#
#   bash benches/analyze/make_1h.sh /tmp/analyzeperf-asset
#   DASHLIVESIM=/path/to/dash-live-source-simulator bash benches/analyze/run.sh /tmp/analyzeperf-asset
#
# Needs hyperfine and perf, python3, a dash-live-source-simulator checkout (tested at
# bc852e60f041), and a release dashkit (DASHKIT=..., default target/release/dashkit).
set -euo pipefail
ASSET="${1:?usage: run.sh ASSET_DIR (from make_1h.sh)}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DASHKIT="${DASHKIT:-$ROOT/target/release/dashkit}"
: "${DASHLIVESIM:?set DASHLIVESIM to a dash-live-source-simulator checkout}"
MPD="$(cd "$ASSET/asset_1h" && pwd)/livesim.mpd"
VOD="$(mktemp -d)"
OUT="$(mktemp -d)"
trap 'rm -rf "$VOD" "$OUT"' EXIT
cd "$VOD" # vodanalyzer writes into the current directory
vod=(env "PYTHONPATH=$DASHLIVESIM" python3 -m dashlivesim.vodanalyzer.dashanalyzer "$MPD")
dk=("$DASHKIT" analyze "$MPD" -o "$OUT")
"${vod[@]}" >/dev/null
"${dk[@]}" >/dev/null
for f in asset_1h.cfg asset_1h_video.dat asset_1h_audio.dat; do
  cmp "$VOD/$f" "$OUT/$f"
done
echo "outputs byte-identical"
hyperfine -N -w 3 -r "${RUNS:-30}" "${vod[*]}" "${dk[*]}"
for cmd in vod dk; do
  declare -n c="$cmd"
  echo "== perf stat: $cmd"
  perf stat -r "${RUNS:-30}" "${c[@]}" 2>&1 >/dev/null | grep -E "task-clock|elapsed"
done
# The floor under any tool that must read each segment's moof: Python's start alone.
hyperfine -N -w 3 -r "${RUNS:-30}" "python3 -c pass"
