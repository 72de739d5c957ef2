#!/usr/bin/env bash
# Builds the fuzz seed corpus from fixtures/, one directory per fuzz target:
#
#   bash fuzz/seed.sh [OUT_DIR]      # default: fuzz/corpus-seed (git-ignored)
#
# The corpus is generated, never committed: fixtures/ is the single source of truth. Targets
# without seeds here get an empty directory (libFuzzer starts from nothing). Idempotent: OUT_DIR
# is removed and rebuilt. Seeds are small: media segments as they are, progressive MP4s cut to
# their first 16 KiB (moov is in front, so the sample tables are whole).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/fuzz/corpus-seed}"
FIX="$ROOT/fixtures"

rm -rf "$OUT"
mkdir -p "$OUT"/{mpd_patch,hls_parse,mpd_parse,template,bmff_index,bmff_rewrite,bmff_samples,timeline_rescale,analyze_segment,fragment_plan,cmaf_incremental,cenc_boxes,clearkey_license,slice_header}

# A seed file name: the fixture path relative to fixtures/, with '/' turned into '__'.
seed_name() { local rel="${1#"$FIX"/}"; echo "${rel//\//__}"; }

# mpd_parse: every MPD, valid and invalid.
while IFS= read -r -d '' f; do
  cp "$f" "$OUT/mpd_parse/$(seed_name "$f")"
done < <(find "$FIX" -name '*.mpd' -print0 | sort -z)

# mpd_patch: every MPD (as both the old and the new document).
cp "$OUT"/mpd_parse/* "$OUT/mpd_patch/"

# hls_parse: every playlist under fixtures/ (fixtures/hls/), and the playlists `dashkit hls`
# writes for the DASH fixtures when the tool is built (target/debug or target/release).
while IFS= read -r -d '' f; do
  cp "$f" "$OUT/hls_parse/$(seed_name "$f")"
done < <(find "$FIX" -name '*.m3u8' -print0 | sort -z)
DASHKIT_BIN=""
for b in "$ROOT/target/release/dashkit" "$ROOT/target/debug/dashkit"; do
  [[ -x "$b" ]] && { DASHKIT_BIN="$b"; break; }
done
if [[ -n "$DASHKIT_BIN" ]]; then
  for d in ffmpeg_number ffmpeg_timeline shaka_live shaka_ondemand; do
    [[ -f "$FIX/dash/$d/manifest.mpd" ]] || continue
    tmp="$(mktemp -d)"
    "$DASHKIT_BIN" hls "$FIX/dash/$d/manifest.mpd" -o "$tmp" >/dev/null &&
      for f in "$tmp"/*.m3u8; do cp "$f" "$OUT/hls_parse/dashkit__${d}__$(basename "$f")"; done
    rm -rf "$tmp"
  done
fi

# template: every distinct @media / @initialization template string found in the MPDs.
find "$FIX" -name '*.mpd' -print0 | sort -z | xargs -0 cat |
  grep -oE '(media|initialization)="[^"]*"' | sed -E 's/^[a-z]+="(.*)"$/\1/' | sort -u |
  { n=0; while IFS= read -r t; do printf '%s' "$t" >"$OUT/template/t$n"; n=$((n + 1)); done; }

# bmff_index / bmff_rewrite: init and media segments from the packagers, and on-demand files.
while IFS= read -r -d '' f; do
  for t in bmff_index bmff_rewrite analyze_segment; do cp "$f" "$OUT/$t/$(seed_name "$f")"; done
done < <(find "$FIX/dash" -type f \( -name '*.m4s' -o -name '*.mp4' \) -size -64k -print0 | sort -z)

# cmaf_incremental: two piece-size bytes, then an init segment followed by a media segment.
for d in "$FIX"/dash/ffmpeg_number; do
  [[ -d "$d" ]] || continue
  { printf '\x07\xfe'; cat "$d/init-1.m4s" "$d/chunk-1-00002.m4s"; } >"$OUT/cmaf_incremental/ffmpeg_audio_2"
done
for d in "$FIX"/dash/shaka_live/audio; do
  [[ -d "$d" ]] || continue
  { printf '\x00\x40'; cat "$d/init.mp4" "$d/1.m4s"; } >"$OUT/cmaf_incremental/shaka_audio_1"
done

# bmff_samples: moov-first progressive files (prefix) plus one init+media segment pair.
if [[ -d "$FIX/media" ]]; then
  for f in "$FIX"/media/*.mp4; do head -c 16384 "$f" >"$OUT/bmff_samples/$(seed_name "$f")"; done
fi
# fragment_plan: the whole progressive files (the target finds the moov itself).
if [[ -d "$FIX/media" ]]; then
  for f in "$FIX"/media/*.mp4; do cp "$f" "$OUT/fragment_plan/$(seed_name "$f")"; done
fi
for d in "$FIX"/dash/ffmpeg_number; do
  [[ -d "$d" ]] || continue
  cat "$d/init-0.m4s" "$d/chunk-0-00001.m4s" >"$OUT/bmff_samples/ffmpeg_number_video_1.mp4"
  cat "$d/init-1.m4s" "$d/chunk-1-00001.m4s" >"$OUT/bmff_samples/ffmpeg_number_audio_1.mp4"
done

# slice_header: 0x81, the avcC of the ffmpeg H.264 init (one length byte, then the record), then
# the first 64 bytes of its IDR slice and of its first non-IDR slice (the header is in them).
# (HEVC inputs, 0xC1 and an hvcC, are left to the fuzzer: the fixture's hvcC is over 255 bytes.)
for d in "$FIX"/dash/ffmpeg_number; do
  [[ -d "$d" ]] || continue
  python3 - "$d/init-0.m4s" "$d/chunk-0-00001.m4s" "$OUT/slice_header" <<'PY'
import struct, sys
init, seg, out = (open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(), sys.argv[3])
at = init.index(b"avcC")
avcc = init[at + 4:at - 4 + struct.unpack(">I", init[at - 4:at])[0]]
mdat = seg.index(b"mdat") + 4
pos, seen = mdat, set()
while pos + 4 <= len(seg) and len(seen) < 2:
    n = struct.unpack(">I", seg[pos:pos + 4])[0]
    nal = seg[pos + 4:pos + 4 + n]
    kind = nal[0] & 0x1F if nal else 0
    if kind in (1, 5) and kind not in seen:
        seen.add(kind)
        open(f"{out}/ffmpeg_avc_type{kind}", "wb").write(bytes([0x81, len(avcc)]) + avcc + nal[:64])
    pos += 4 + n
PY
done

# timeline_rescale takes (i64, u32, u32): a few hand-picked 16-byte inputs (value, from, to, LE).
python3 - "$OUT/timeline_rescale" <<'PY'
import struct, sys
cases = [(0, 1, 1), (2000, 1000, 90000), (-1, 3, 2), (2**63 - 1, 1, 90000), (-2**63, 90000, 1),
         (180000, 90000, 48000), (1, 2**32 - 1, 1)]
for i, (v, a, b) in enumerate(cases):
    open(f"{sys.argv[1]}/c{i}", "wb").write(struct.pack("<qII", v, a, b))
PY

# Regression inputs (fixtures/regress/<issue>-<target>-<what>.<ext>) seed their own target.
if [[ -d "$FIX/regress" ]]; then
  for t in "$OUT"/*/; do
    t="$(basename "$t")"
    while IFS= read -r -d '' f; do cp "$f" "$OUT/$t/regress__$(basename "$f")"; done \
      < <(find "$FIX/regress" -type f -name "*-$t-*" -print0)
  done
fi

for d in "$OUT"/*/; do
  echo "seed: $(basename "$d"): $(find "$d" -type f | wc -l) files, $(du -sh "$d" | cut -f1)"
done
