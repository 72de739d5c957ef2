#!/usr/bin/env node
// Play an MPD in dash.js inside headless Chromium and print ONE JSON line describing what the
// player did. Used by dashkit-cli/tests/player.rs; runnable by hand:
//
//   node play.mjs --url http://127.0.0.1:8059/livesim/x/manifest.mpd --seconds 30 --low-latency
//
// Options:
//   --url <mpd>              the manifest (required)
//   --seconds <n>            how long to play, counted from the first `playing` event (default 8)
//   --low-latency            dash.js low-latency settings: liveDelay = --target-latency,
//                            liveCatchup on (playback rate -/+ 50 %, maxDrift 0.5 s)
//   --target-latency <s>     target live latency with --low-latency (default 2)
//   --startup-timeout <s>    give up when nothing plays by then (default 20)
//   --chromium <path>        browser binary (default $CHROMIUM or /usr/bin/chromium)
//   --switch-quality <s>     turn ABR off and, once playing, ask dash.js for the next video
//                            Representation every <s> seconds (cycling); the report lists the
//                            requests (quality_requests) and the switches rendered
//                            (quality_rendered)
//   --debug                  dash.js debug log level, browser console copied to stderr
//
// The page's own origin is `http://player.invalid` (served by request interception, never by the
// network), so every media request is cross-origin: a server without CORS fails here as it would
// in a real deployment. When the MPD has no UTCTiming, dash.js's default time source (an external
// host) is replaced by `http://player.invalid/time`, answered from this machine's clock.
//
// Exit codes: 0 played (playhead advanced, no player error); 1 played badly (a dash.js ERROR
// event, a media element error, or no progress); 2 the harness itself failed (arguments, browser
// launch, page crash, timeout). The JSON line is printed in every case.

import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { readFileSync, existsSync } from 'node:fs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PAGE_ORIGIN = 'http://localhost:9';

function parseArgs(argv) {
  const o = {
    url: null,
    seconds: 8,
    lowLatency: false,
    targetLatency: 2,
    startupTimeout: 20,
    chromium: process.env.CHROMIUM || '/usr/bin/chromium',
    debug: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    const num = () => {
      const v = Number(val());
      if (!Number.isFinite(v) || v < 0) throw new Error(`${a} needs a non-negative number`);
      return v;
    };
    switch (a) {
      case '--url': o.url = val(); break;
      case '--seconds': o.seconds = num(); break;
      case '--low-latency': o.lowLatency = true; break;
      case '--target-latency': o.targetLatency = num(); break;
      case '--startup-timeout': o.startupTimeout = num(); break;
      case '--chromium': o.chromium = val(); break;
      case '--switch-quality': o.switchQuality = num(); break;
      case '--debug': o.debug = true; break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!o.url) throw new Error('--url <mpd> is required');
  return o;
}

// Runs inside the page: builds the player, records events and samples into window.__dk.
function pageMain(cfg) {
  const t0 = performance.now();
  const now = () => Math.round(performance.now() - t0) / 1000;
  const dk = {
    version: dashjs.Version || null,
    errors: [],
    media_errors: [],
    stalls: [],
    period_switches: [],
    clock_offsets: [],
    playhead: [],
    latency: [],
    quality_requests: [],
    quality_rendered: [],
    first_playing_at: null,
    done: false,
  };
  window.__dk = dk;
  const video = document.querySelector('video');
  video.muted = true;
  video.autoplay = true;
  const player = dashjs.MediaPlayer().create();
  dk.version = player.getVersion();
  const settings = {
    debug: { logLevel: cfg.debug ? dashjs.Debug.LOG_LEVEL_DEBUG : dashjs.Debug.LOG_LEVEL_WARNING },
    streaming: {
      utcSynchronization: {
        defaultTimingSource: {
          scheme: 'urn:mpeg:dash:utc:http-iso:2014',
          value: cfg.timeUrl,
        },
      },
    },
  };
  if (cfg.lowLatency) {
    settings.streaming.delay = { liveDelay: cfg.targetLatency };
    settings.streaming.liveCatchup = {
      enabled: true,
      maxDrift: 0.5,
      playbackRate: { min: -0.5, max: 0.5 },
    };
  }
  if (cfg.switchQuality) {
    settings.streaming.abr = { autoSwitchBitrate: { video: false } };
  }
  player.updateSettings(settings);
  const E = dashjs.MediaPlayer.events;
  player.on(E.QUALITY_CHANGE_RENDERED, (e) => {
    const r = e.newRepresentation || {};
    dk.quality_rendered.push({ t: now(), media_type: e.mediaType || null, id: r.id ?? null });
  });
  if (cfg.switchQuality) {
    let next = 0;
    video.addEventListener('playing', () => {
      if (dk.switching) return;
      dk.switching = setInterval(() => {
        try {
          const reps = player.getRepresentationsByType('video') || [];
          if (reps.length === 0) return;
          next = (next + 1) % reps.length;
          dk.quality_requests.push({ t: now(), index: next, id: reps[next].id ?? null });
          player.setRepresentationForTypeByIndex('video', next, true);
        } catch (err) {
          dk.errors.push({ t: now(), code: null, message: 'switch: ' + String(err && err.message ? err.message : err) });
        }
      }, cfg.switchQuality * 1000);
    });
  }
  player.on(E.ERROR, (e) => {
    const err = e.error || {};
    dk.errors.push({
      t: now(),
      code: typeof err.code === 'number' ? err.code : null,
      message: String(err.message ?? e.message ?? JSON.stringify(e.error ?? e)).slice(0, 500),
    });
  });
  // Multi-Period streams: every switch to a new Period, with that Period's id.
  player.on(E.PERIOD_SWITCH_COMPLETED, (e) => {
    const to = e.toStreamInfo || {};
    const from = e.fromStreamInfo || {};
    dk.period_switches.push({
      t: now(),
      from: from.id ?? null,
      id: to.id ?? null,
      start: typeof to.start === 'number' ? to.start : null,
    });
  });
  // dash.js's estimate of server time minus this clock (milliseconds), from each UTC sync: the clock
  // it checks segment availability against (dash.js core event 'updateTimeSyncOffset').
  player.on('updateTimeSyncOffset', (e) => {
    dk.clock_offsets.push({ t: now(), offset_ms: typeof e.offset === 'number' ? e.offset : null });
  });
  player.on(E.BUFFER_EMPTY, (e) => {
    dk.stalls.push({ t: now(), kind: 'buffer_empty', media_type: e.mediaType || null });
  });
  video.addEventListener('waiting', () => {
    dk.stalls.push({ t: now(), kind: 'waiting', media_type: null });
  });
  video.addEventListener('playing', () => {
    if (dk.first_playing_at === null) dk.first_playing_at = now();
  });
  video.addEventListener('error', () => {
    const m = video.error;
    dk.media_errors.push({ t: now(), code: m ? m.code : null, message: m ? m.message : '' });
  });
  const finite = (x) => (typeof x === 'number' && Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);
  dk.sample = () => {
    dk.playhead.push([now(), finite(video.currentTime)]);
    if (player.isReady() && player.isDynamic()) {
      dk.latency.push([now(), finite(player.getCurrentLiveLatency())]);
    }
  };
  dk.summary = () => {
    const rep = (type) => {
      try {
        const r = player.getCurrentRepresentationForType(type);
        if (!r) return null;
        return {
          id: r.id ?? null,
          codecs: r.codecs ?? null,
          bandwidth: r.bandwidth ?? null,
          width: r.width || null,
          height: r.height || null,
        };
      } catch (_) {
        return null;
      }
    };
    let dynamic = null;
    let target = null;
    try { dynamic = player.isDynamic(); } catch (_) { /* not ready */ }
    try { target = finite(player.getTargetLiveDelay()); } catch (_) { /* not live */ }
    return {
      dynamic,
      target_live_delay: target,
      video_width: video.videoWidth || null,
      video_height: video.videoHeight || null,
      video_representation: rep('video'),
      audio_representation: rep('audio'),
      ended: video.ended,
      paused: video.paused,
      ready_state: video.readyState,
      playback_rate: video.playbackRate,
      dropped_frames: video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality().droppedVideoFrames : null,
      decoded_frames: video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality().totalVideoFrames : null,
    };
  };
  player.initialize(video, cfg.url, true);
}

function pageHtml() {
  return '<!doctype html><html><head><meta charset="utf-8"><title>dashkit player</title>' +
    '<script src="/dash.all.min.js"></script></head>' +
    '<body><video width="640" height="360" muted autoplay playsinline></video></body></html>';
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const started = Date.now();
  const result = {
    ok: false,
    url: null,
    low_latency: false,
    dashjs_version: null,
    chromium_version: null,
    seconds_requested: null,
    seconds_played: 0,
    startup_s: null,
    playhead_advanced: false,
    playhead_start: null,
    playhead_end: null,
    playhead: [],
    errors: [],
    media_errors: [],
    page_errors: [],
    stalls: [],
    period_switches: [],
    clock_offsets: [],
    stalls_after_start: 0,
    latency: [],
    requests: { manifest: 0, segments: 0, time: 0, other: 0 },
    http_failures: [],
    request_failures: [],
    external_requests: [],
    video: null,
    harness_error: null,
  };
  let exitCode = 2;
  let browser = null;
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    result.harness_error = `arguments: ${e.message}`;
    process.stdout.write(JSON.stringify(result) + '\n');
    process.exit(2);
  }
  result.url = opts.url;
  result.low_latency = opts.lowLatency;
  result.seconds_requested = opts.seconds;
  // Backstop: whatever hangs, the process ends with a JSON line.
  const hardLimitMs = (opts.startupTimeout + opts.seconds + 30) * 1000;
  const killer = setTimeout(() => {
    result.harness_error = `hard timeout after ${hardLimitMs / 1000} s`;
    process.stdout.write(JSON.stringify(result) + '\n');
    if (browser) browser.close().catch(() => {});
    process.exit(2);
  }, hardLimitMs);
  try {
    if (!existsSync(opts.chromium)) throw new Error(`no browser at ${opts.chromium} (apt-get install chromium)`);
    const dashPath = HERE + 'node_modules/dashjs/dist/modern/umd/dash.all.min.js';
    if (!existsSync(dashPath)) throw new Error(`no ${dashPath} (npm ci in ${HERE})`);
    const dashSource = readFileSync(dashPath);
    const mediaOrigin = new URL(opts.url).origin;
    browser = await chromium.launch({
      executablePath: opts.chromium,
      headless: true,
      timeout: 30000,
      args: [
        '--no-sandbox', // root in a container: the setuid/user-namespace sandbox is unavailable
        '--disable-dev-shm-usage',
        '--autoplay-policy=no-user-gesture-required',
        '--mute-audio',
        '--disable-background-timer-throttling',
        '--disable-renderer-backgrounding',
        '--disable-backgrounding-occluded-windows',
        '--no-first-run',
        '--disable-extensions',
        '--disable-component-update',
      ],
    });
    result.chromium_version = browser.version();
    // Chromium's Local Network Access check asks the user before a page reaches loopback; a
    // player page on a real site would be granted it the same way.
    const context = await browser.newContext({ permissions: ['local-network-access'] });
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    // Everything not from the media origin is answered here or refused (no network beyond it).
    await context.route('**/*', async (route) => {
      const u = new URL(route.request().url());
      if (u.origin === PAGE_ORIGIN) {
        if (u.pathname === '/') {
          return route.fulfill({ status: 200, contentType: 'text/html', body: pageHtml() });
        }
        if (u.pathname === '/dash.all.min.js') {
          return route.fulfill({ status: 200, contentType: 'text/javascript', body: dashSource });
        }
        if (u.pathname === '/time') {
          result.requests.time++;
          return route.fulfill({
            status: 200,
            contentType: 'text/plain',
            headers: { 'access-control-allow-origin': '*' },
            body: new Date().toISOString(),
          });
        }
        return route.fulfill({ status: 404, body: 'not found' });
      }
      if (u.origin === mediaOrigin) return route.continue();
      result.external_requests.push(u.href.slice(0, 300));
      return route.abort('blockedbyclient');
    });
    page.on('request', (req) => {
      const u = new URL(req.url());
      if (u.origin !== mediaOrigin) return;
      if (/\.mpd$/i.test(u.pathname)) result.requests.manifest++;
      else if (req.resourceType() === 'xhr' || req.resourceType() === 'fetch') result.requests.segments++;
      else result.requests.other++;
    });
    page.on('response', (res) => {
      if (res.status() >= 400) {
        // at: the wall clock (epoch s), to place a failure against the stream's timeline.
        const f = { url: res.url().slice(0, 300), status: res.status(), at: Date.now() / 1000 };
        result.http_failures.push(f);
        // The server's reason (e.g. how early a 425 was), when it can still be read.
        res.text().then((b) => { f.body = b.slice(0, 200); }, () => {});
      }
    });
    page.on('requestfailed', (req) => {
      const f = req.failure();
      result.request_failures.push({ url: req.url().slice(0, 300), error: f ? f.errorText : 'unknown' });
    });
    page.on('pageerror', (e) => result.page_errors.push(String(e && e.message ? e.message : e).slice(0, 500)));
    page.on('crash', () => result.page_errors.push('page crashed'));
    if (opts.debug) page.on('console', (m) => process.stderr.write(`[console.${m.type()}] ${m.text()}\n`));

    await page.goto(PAGE_ORIGIN + '/', { waitUntil: 'load' });
    await page.evaluate(pageMain, {
      url: opts.url,
      lowLatency: opts.lowLatency,
      targetLatency: opts.targetLatency,
      timeUrl: PAGE_ORIGIN + '/time',
      debug: opts.debug,
      switchQuality: opts.switchQuality || 0,
    });

    // Wait for the first `playing` (or a fatal error), then play for the requested time,
    // sampling once a second.
    const startupDeadline = Date.now() + opts.startupTimeout * 1000;
    let playingAt = null;
    while (Date.now() < startupDeadline) {
      const s = await page.evaluate(() => ({
        p: window.__dk.first_playing_at,
        e: window.__dk.errors.length + window.__dk.media_errors.length,
      }));
      if (s.p !== null) { playingAt = s.p; break; }
      if (s.e > 0) break;
      await sleep(100);
    }
    result.startup_s = playingAt;
    if (playingAt !== null) {
      const playStart = Date.now();
      await page.evaluate(() => window.__dk.sample());
      while (Date.now() - playStart < opts.seconds * 1000) {
        const left = opts.seconds * 1000 - (Date.now() - playStart);
        await sleep(Math.min(1000, Math.max(0, left)));
        await page.evaluate(() => window.__dk.sample());
      }
      result.seconds_played = Math.round((Date.now() - playStart) / 100) / 10;
    }
    const dk = await page.evaluate(() => ({ ...window.__dk, summary: window.__dk.summary() }));
    result.dashjs_version = dk.version;
    result.errors = dk.errors;
    result.media_errors = dk.media_errors;
    result.stalls = dk.stalls;
    result.period_switches = dk.period_switches;
    result.clock_offsets = dk.clock_offsets;
    result.stalls_after_start = playingAt === null ? 0 : dk.stalls.filter((s) => s.t > playingAt).length;
    result.playhead = dk.playhead;
    result.latency = dk.latency;
    result.quality_requests = dk.quality_requests;
    result.quality_rendered = dk.quality_rendered;
    result.video = dk.summary;
    const times = dk.playhead.map((p) => p[1]).filter((x) => x !== null);
    if (times.length > 0) {
      result.playhead_start = times[0];
      result.playhead_end = times[times.length - 1];
      result.playhead_advanced = result.playhead_end > result.playhead_start;
    }
    if (playingAt === null && dk.errors.length === 0 && dk.media_errors.length === 0) {
      result.harness_error = `nothing played within --startup-timeout ${opts.startupTimeout} s`;
    }
    result.ok = result.playhead_advanced && dk.errors.length === 0 && dk.media_errors.length === 0 &&
      result.page_errors.length === 0;
    exitCode = result.harness_error ? 2 : result.ok ? 0 : 1;
  } catch (e) {
    result.harness_error = String(e && e.stack ? e.stack : e).slice(0, 2000);
    exitCode = 2;
  } finally {
    if (browser) {
      await Promise.race([browser.close().catch(() => {}), sleep(10000)]);
    }
    clearTimeout(killer);
  }
  result.wall_s = Math.round((Date.now() - started) / 100) / 10;
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(exitCode);
}

main();
