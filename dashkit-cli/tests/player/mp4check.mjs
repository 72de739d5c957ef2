#!/usr/bin/env node
// Parse MP4 files with mp4box.js (GPAC's JavaScript parser, independent of dashkit) and print ONE
// JSON line per input: the errors and warnings mp4box.js logged, the top-level boxes, and per
// track the samples it extracted (count, bytes, durations, a hash over every sample's size,
// duration, composition offset and sync flag), so a caller can compare a progressive input with
// its fragmented output sample by sample.
//
//   node mp4check.mjs FILE...                 each file on its own
//   node mp4check.mjs --concat INIT SEG...     init + media segments as one stream (what a player
//                                              appends), reported as one line
//
// Exit code: 0 when every input parsed without an error or a warning, 1 otherwise, 2 on bad
// arguments or an unreadable file.

import { createFile, Log } from 'mp4box';
import { readFileSync } from 'node:fs';

// mp4box.js reports through Log, which writes to console.warn / console.error: collect them.
let sink = null;
const realWarn = console.warn;
const realError = console.error;
// One message is mp4box.js talking about its own storage, not about the file: a stream of
// CMAF segments has one styp per segment, which mp4box.js notes when it turns the field into an
// array. It goes to `notes`, not `warnings`.
const BENIGN = [/Found multiple boxes of type styp but no array exists/];
console.warn = (...a) => {
  if (!sink) return realWarn(...a);
  const m = a.slice(1).join(' ');
  (BENIGN.some((r) => r.test(m)) ? sink.notes : sink.warnings).push(m);
};
console.error = (...a) => (sink ? sink.errors.push(a.slice(1).join(' ')) : realError(...a));
Log.setLogLevel(Log.warn);

// FNV-1a 64 over a stream of integers (as decimal text), for compact per-track sample digests.
function fnv() {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = (1n << 64n) - 1n;
  return {
    add(n) {
      for (const c of String(n) + ',') {
        h ^= BigInt(c.charCodeAt(0));
        h = (h * prime) & mask;
      }
    },
    hex: () => h.toString(16).padStart(16, '0'),
  };
}

function check(name, buffers) {
  const report = { file: name, ok: false, errors: [], warnings: [], notes: [], boxes: [], fragmented: null, tracks: [] };
  sink = report;
  const file = createFile(true); // keep mdat data: samples are extracted, not just listed
  file.onError = (module, msg) => report.errors.push(`[${module}] ${msg}`);
  let info = null;
  const perTrack = new Map();
  file.onReady = (i) => {
    info = i;
    for (const t of i.tracks) {
      perTrack.set(t.id, {
        count: 0, bytes: 0, sync: 0, duration: 0, first_dts: null, first_cts: null, hash: fnv(),
      });
      file.setExtractionOptions(t.id, null, { nbSamples: 1000 });
    }
    file.start();
  };
  file.onSamples = (id, _user, samples) => {
    const s = perTrack.get(id);
    for (const x of samples) {
      if (s.first_dts === null) { s.first_dts = x.dts; s.first_cts = x.cts; }
      s.count++;
      s.bytes += x.size;
      s.duration += x.duration;
      if (x.is_sync) s.sync++;
      s.hash.add(x.size); s.hash.add(x.duration); s.hash.add(x.cts - x.dts); s.hash.add(x.is_sync ? 1 : 0);
    }
    if (samples.length > 0) file.releaseUsedSamples(id, samples[samples.length - 1].number + 1);
  };
  try {
    let pos = 0;
    for (const b of buffers) {
      const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
      ab.fileStart = pos;
      pos += b.byteLength;
      file.appendBuffer(ab);
    }
    file.flush();
  } catch (e) {
    report.errors.push(`exception: ${e && e.message ? e.message : e}`);
  }
  sink = null;
  report.boxes = (file.boxes || []).map((b) => b.type);
  if (!info) {
    report.errors.push('no moov: mp4box.js never reported the file ready');
  } else {
    report.fragmented = info.isFragmented;
    report.brands = info.brands;
    report.mime = info.mime;
    for (const t of info.tracks) {
      const s = perTrack.get(t.id);
      report.tracks.push({
        id: t.id,
        type: t.type,
        codec: t.codec,
        timescale: t.timescale,
        width: t.video ? t.video.width : null,
        height: t.video ? t.video.height : null,
        samples: s.count,
        sync_samples: s.sync,
        bytes: s.bytes,
        duration: s.duration,
        first_dts: s.first_dts,
        first_cts: s.first_cts,
        digest: s.hash.hex(),
      });
      if (s.count === 0) report.errors.push(`track ${t.id}: no samples extracted`);
    }
  }
  report.ok = report.errors.length === 0 && report.warnings.length === 0;
  return report;
}

function main() {
  const args = process.argv.slice(2);
  if (args.length === 0) {
    realError('usage: mp4check.mjs FILE... | --concat INIT SEG...');
    process.exit(2);
  }
  let reports;
  try {
    if (args[0] === '--concat') {
      if (args.length < 2) throw new Error('--concat needs an init segment');
      reports = [check(args.slice(1).join('+'), args.slice(1).map((f) => readFileSync(f)))];
    } else {
      reports = args.map((f) => check(f, [readFileSync(f)]));
    }
  } catch (e) {
    realError(`mp4check: ${e.message}`);
    process.exit(2);
  }
  for (const r of reports) process.stdout.write(JSON.stringify(r) + '\n');
  process.exit(reports.every((r) => r.ok) ? 0 : 1);
}

main();
