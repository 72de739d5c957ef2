#!/usr/bin/env node
// Play a manifest (DASH MPD or HLS playlist) in dash.js, Shaka Player or hls.js inside headless
// Chromium and print ONE JSON line describing what the player did. Driven by harness.rs
// (dashkit-cli/tests/*player*.rs); runnable by hand:
//
//   node play.mjs --url http://127.0.0.1:8059/livesim/x/manifest.mpd --seconds 30 --low-latency
//   node play.mjs --url http://127.0.0.1:8059/x/manifest.m3u8 --player hlsjs
//
// Options:
//   --url <manifest>         the MPD or multivariant playlist (required)
//   --player <p>             dashjs (default; dash.js 5), shaka (Shaka Player 5, compiled
//                            non-debug bundle; DASH and HLS, by the URL's .mpd/.m3u8) or hlsjs
//                            (hls.js 1.7; HLS)
//   --seconds <n>            how long to play, counted from the first `playing` event (default 8)
//   --low-latency            the player's low-latency mode holding --target-latency:
//                            dash.js liveDelay + liveCatchup (rate -/+ 50 %, maxDrift 0.5 s);
//                            Shaka streaming.lowLatencyMode + liveSync (targetLatency, tolerance
//                            0.5 s, rate 0.5..1.5); hls.js lowLatencyMode + liveSyncDuration
//                            (liveMaxLatencyDuration = target + 6 s, maxLiveSyncPlaybackRate 1.5)
//   --target-latency <s>     target live latency with --low-latency (default 2)
//   --startup-timeout <s>    give up when nothing plays by then (default 20)
//   --chromium <path>        browser binary (default $CHROMIUM or /usr/bin/chromium)
//   --switch-quality <s>     turn ABR off and, once playing, ask for the next video quality every
//                            <s> seconds (cycling): dash.js setRepresentationForTypeByIndex,
//                            Shaka selectVariantTrack (abr.enabled false; one variant per video
//                            stream, by bandwidth), hls.js nextLevel (from the next fragment;
//                            currentLevel flushes the buffer). The report lists the
//                            requests (quality_requests) and the switches rendered
//                            (quality_rendered: dash.js QUALITY_CHANGE_RENDERED, Shaka
//                            'adaptation'/'variantchanged', hls.js LEVEL_SWITCHED)
//   --clearkey               play ClearKey-protected content with the license server the MPD
//                            names (DASH-IF ClearKey ContentProtection urn:uuid:e2719d58-...
//                            with a dashif:Laurl or clearkey:Laurl child): dash.js reads it
//                            itself; for Shaka the page also reads the MPD and sets
//                            drm.servers['org.w3.clearkey']. dash.js resolves a relative Laurl
//                            against the page, so write it absolute. Loopback origins other than
//                            the media's become reachable (a license server on another port)
//   --clearkey-keys <KID:KEY,...>  fixed keys (32 hex digits each) instead of a license server:
//                            dash.js protection data `clearkeys`, Shaka drm.clearKeys (not hls.js)
//   --license-url <url>      a ClearKey license server overriding the manifest's (all players;
//                            hls.js through emeEnabled + drmSystems)
//   --events                 report the events the player surfaces (`events`): dash.js
//                            player.on(scheme, .., {mode: onStart}) for urn:scte:scte35:2013:bin
//                            and each --event-scheme; Shaka 'emsg' and 'timelineregionenter'
//                            (every scheme: filter by scheme_id_uri; Shaka 5.2 adds no region
//                            for an Event whose body is an XML <Signal><Binary>, only for text);
//                            hls.js FRAG_PARSING_METADATA (ID3). Times in seconds
//   --event-scheme <uri>     one more dash.js event scheme (repeatable; implies --events)
//   --text-tracks            enable the first text track (dash.js setCurrentTrack + enableText,
//                            Shaka selectTextTrack (which shows it in Shaka 5), hls.js
//                            subtitleTrack + subtitleDisplay) and report `text_tracks` and every
//                            cue made active in video.textTracks (`cues`)
//   --text-lang <lang>       the text track of that language instead (implies --text-tracks)
//   --debug                  the player's debug log, browser console copied to stderr
//
// The page's own origin is `http://localhost:9` (served by request interception, never by the
// network, as are the player scripts), so every media request is cross-origin: a server without
// CORS fails here as it would in a real deployment. When the MPD has no UTCTiming, dash.js's
// default time source (an external host) is replaced by `http://localhost:9/time`, answered from
// this machine's clock. Any other request off the media origin is blocked and listed in
// `external_requests`.
//
// The JSON report (every field always present):
//   ok, url, player, player_version, dashjs_version (dash.js runs only), chromium_version,
//   low_latency, seconds_requested, seconds_played, wall_s, startup_s (first `playing`, seconds
//   since page start), playhead_advanced, playhead_start, playhead_end, playhead [[t, s]...],
//   errors [{t, code, message, severity?/type?/details?/fatal?}] (dash.js ERROR, Shaka CRITICAL
//   errors (severity 2), hls.js fatal ERROR events), warnings (same shape: Shaka RECOVERABLE
//   errors, hls.js non-fatal ERROR events; reported, not judged), media_errors, page_errors,
//   stalls [{t, kind}] (waiting; dash.js buffer_empty; Shaka buffering; hls.js
//   buffer_stalled), stalls_after_start, period_switches (dash.js only), clock_offsets
//   (dash.js only), latency [[t, s]...] (live: dash.js getCurrentLiveLatency, Shaka
//   getStats().liveLatency or seekRange().end - currentTime, hls.js latency),
//   quality_requests, quality_rendered, events [{t, wall, playhead, source, scheme_id_uri,
//   value, id, presentation_time, duration, message}], text_tracks [{language, kind,
//   mime_type, codecs, id}], text_selected, cues [{t, playhead, start, end, text (dash.js TTML:
//   the text rendered into its TTML div), language,
//   kind, label}], key_systems [{t, key_system, granted, via}], license_requests [{url, at}]
//   (POSTs), license_url_from_manifest (Shaka --clearkey), hls_blocking_requests (count of
//   requests with _HLS_msn/_HLS_part) and hls_blocking_urls (the first 20), requests {manifest
//   (.mpd/.m3u8), segments, time, other}, http_failures, request_failures, external_requests,
//   video {dynamic, target_live_delay, video_width, video_height, video_representation {id,
//   codecs, bandwidth, width, height}, audio_representation, ended, paused, ready_state,
//   playback_rate, media_keys, dropped_frames, decoded_frames}, harness_error.
//
// Exit codes: 0 played (playhead advanced, no player error); 1 played badly (a player error
// event, a media element error, or no progress); 2 the harness itself failed (arguments, browser
// launch, page crash, timeout). The JSON line is printed in every case.

import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { readFileSync, existsSync } from 'node:fs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PAGE_ORIGIN = 'http://localhost:9';
const SCTE35_SCHEME = 'urn:scte:scte35:2013:bin';

function parseArgs(argv) {
  const o = {
    url: null,
    seconds: 8,
    lowLatency: false,
    targetLatency: 2,
    startupTimeout: 20,
    chromium: process.env.CHROMIUM || '/usr/bin/chromium',
    debug: false,
    player: 'dashjs',
    clearkey: false,
    clearkeyKeys: [],
    licenseUrl: null,
    events: false,
    eventSchemes: [],
    textTracks: false,
    textLang: null,
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
      case '--player': {
        const p = val();
        if (!['dashjs', 'shaka', 'hlsjs'].includes(p)) throw new Error(`--player ${p}: one of dashjs, shaka, hlsjs`);
        o.player = p;
        break;
      }
      case '--clearkey': o.clearkey = true; break;
      case '--clearkey-keys': {
        o.clearkey = true;
        for (const pair of val().split(',').filter((s) => s.length > 0)) {
          const m = /^([0-9a-fA-F]{32}):([0-9a-fA-F]{32})$/.exec(pair.trim());
          if (!m) throw new Error(`--clearkey-keys: ${pair} is not KID:KEY (32 hex digits each)`);
          o.clearkeyKeys.push([m[1].toLowerCase(), m[2].toLowerCase()]);
        }
        break;
      }
      case '--license-url': o.clearkey = true; o.licenseUrl = val(); break;
      case '--events': o.events = true; break;
      case '--event-scheme': o.events = true; o.eventSchemes.push(val()); break;
      case '--text-tracks': o.textTracks = true; break;
      case '--text-lang': o.textTracks = true; o.textLang = val(); break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!o.url) throw new Error('--url <mpd> is required');
  if (o.events && !o.eventSchemes.includes(SCTE35_SCHEME)) o.eventSchemes.unshift(SCTE35_SCHEME);
  if (o.player === 'hlsjs' && o.clearkeyKeys.length > 0) {
    throw new Error('--clearkey-keys: hls.js has no fixed-key ClearKey (use --license-url)');
  }
  return o;
}

// Runs inside the page: builds the player, records events and samples into window.__dk.
function pageMain(cfg) {
  const t0 = performance.now();
  const now = () => Math.round(performance.now() - t0) / 1000;
  const finite = (x) => (typeof x === 'number' && Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);
  const msg = (x) => String(x && x.message ? x.message : x).slice(0, 500);
  const dk = {
    version: null,
    errors: [],
    warnings: [],
    media_errors: [],
    stalls: [],
    period_switches: [],
    clock_offsets: [],
    playhead: [],
    latency: [],
    quality_requests: [],
    quality_rendered: [],
    events: [],
    text_tracks: [],
    cues: [],
    key_systems: [],
    first_playing_at: null,
    done: false,
  };
  window.__dk = dk;
  // Replaced by each player below; these keep the report whole when a player never starts.
  dk.sample = () => {};
  dk.summary = () => null;
  const video = document.querySelector('video');
  video.muted = true;
  video.autoplay = true;

  // EME: which key systems the player asked for (recorded by emeProbe before any script ran).
  dk.key_systems = window.__dkKeySystems || [];
  const hexToB64url = (hex) => {
    const bytes = hex.match(/../g).map((h) => parseInt(h, 16));
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };

  // Text cues the browser made active, once each (track index, start, end, text).
  const seenCues = new Set();
  const watchTrack = (track, index) => {
    if (track.__dkWatched) return;
    track.__dkWatched = true;
    const record = () => {
      const active = track.activeCues;
      if (!active) return;
      for (let i = 0; i < active.length; i++) {
        const c = active[i];
        // dash.js TTML cues carry no text: what the cue rendered into the TTML div.
        const raw = String(c.text ?? '') || (dk.ttmlText ? dk.ttmlText() : '');
        // A TTML cue not rendered yet: recorded at the next cue change or sample.
        if (!raw && dk.ttmlText) continue;
        const text = raw.slice(0, 100);
        const key = `${index}|${c.startTime}|${c.endTime}|${text}`;
        if (seenCues.has(key)) continue;
        seenCues.add(key);
        if (dk.cues.length >= 500) return;
        dk.cues.push({
          t: now(),
          playhead: finite(video.currentTime),
          start: finite(c.startTime),
          end: finite(c.endTime),
          text,
          language: track.language || null,
          kind: track.kind || null,
          label: track.label || null,
        });
      }
    };
    track.addEventListener('cuechange', record);
    track.__dkRecord = record;
  };
  if (cfg.textTracks) {
    const watchAll = () => {
      for (let i = 0; i < video.textTracks.length; i++) watchTrack(video.textTracks[i], i);
    };
    video.textTracks.addEventListener('addtrack', watchAll);
    watchAll();
    dk.watchTextTracks = () => {
      watchAll();
      for (let i = 0; i < video.textTracks.length; i++) {
        const tr = video.textTracks[i];
        if (tr.__dkRecord) tr.__dkRecord();
      }
    };
  }
  const pickText = (tracks, langOf) => {
    if (!tracks || tracks.length === 0) return null;
    if (cfg.textLang) {
      const want = cfg.textLang.toLowerCase();
      const hit = tracks.find((t) => String(langOf(t) || '').toLowerCase() === want) ||
        tracks.find((t) => String(langOf(t) || '').toLowerCase().startsWith(want));
      return hit || null;
    }
    return tracks[0];
  };
  const pushEvent = (e) => {
    if (dk.events.length < 500) dk.events.push({ t: now(), playhead: finite(video.currentTime), wall: Date.now() / 1000, ...e });
  };
  const bytesText = (d) => {
    try {
      if (d == null) return null;
      if (typeof d === 'string') return d.slice(0, 200);
      const u8 = d instanceof Uint8Array ? d : new Uint8Array(d.buffer || d);
      return Array.from(u8.slice(0, 100), (b) => b.toString(16).padStart(2, '0')).join('');
    } catch (_) {
      return null;
    }
  };

  // Common to every player: the media element's own events.
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
  const startSwitching = (step) => {
    video.addEventListener('playing', () => {
      if (dk.switching) return;
      dk.switching = setInterval(() => {
        try {
          step();
        } catch (err) {
          dk.errors.push({ t: now(), code: null, message: 'switch: ' + msg(err) });
        }
      }, cfg.switchQuality * 1000);
    });
  };
  const common = {
    video_width: () => video.videoWidth || null,
    video_height: () => video.videoHeight || null,
    media: () => ({
      ended: video.ended,
      paused: video.paused,
      ready_state: video.readyState,
      playback_rate: video.playbackRate,
      media_keys: !!video.mediaKeys,
      dropped_frames: video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality().droppedVideoFrames : null,
      decoded_frames: video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality().totalVideoFrames : null,
    }),
  };

  if (cfg.player === 'dashjs') {
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
    if (cfg.textTracks) {
      settings.streaming.text = { defaultEnabled: true };
    }
    player.updateSettings(settings);
    if (cfg.clearkeyKeys.length > 0) {
      const clearkeys = {};
      for (const [kid, key] of cfg.clearkeyKeys) clearkeys[hexToB64url(kid)] = hexToB64url(key);
      player.setProtectionData({ 'org.w3.clearkey': { clearkeys } });
    } else if (cfg.licenseUrl) {
      player.setProtectionData({ 'org.w3.clearkey': { serverURL: cfg.licenseUrl } });
    }
    const E = dashjs.MediaPlayer.events;
    player.on(E.QUALITY_CHANGE_RENDERED, (e) => {
      const r = e.newRepresentation || {};
      dk.quality_rendered.push({ t: now(), media_type: e.mediaType || null, id: r.id ?? null });
    });
    if (cfg.switchQuality) {
      let next = 0;
      startSwitching(() => {
        const reps = player.getRepresentationsByType('video') || [];
        if (reps.length === 0) return;
        next = (next + 1) % reps.length;
        dk.quality_requests.push({ t: now(), index: next, id: reps[next].id ?? null });
        player.setRepresentationForTypeByIndex('video', next, true);
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
    // dash.js's estimate of server time minus this clock (milliseconds), from each UTC sync: the
    // clock it checks segment availability against (dash.js core event 'updateTimeSyncOffset').
    player.on('updateTimeSyncOffset', (e) => {
      dk.clock_offsets.push({ t: now(), offset_ms: typeof e.offset === 'number' ? e.offset : null });
    });
    player.on(E.BUFFER_EMPTY, (e) => {
      dk.stalls.push({ t: now(), kind: 'buffer_empty', media_type: e.mediaType || null });
    });
    if (cfg.events) {
      const mode = { mode: E.EVENT_MODE_ON_START || 'eventModeOnStart' };
      for (const scheme of cfg.eventSchemes) {
        player.on(scheme, (e) => {
          const ev = e.event || {};
          const stream = ev.eventStream || {};
          pushEvent({
            source: 'dashjs',
            scheme_id_uri: stream.schemeIdUri ?? scheme,
            value: stream.value ?? null,
            id: ev.id ?? null,
            // dash.js gives both in seconds already (presentationTime in timescale units).
            presentation_time: finite(ev.calculatedPresentationTime),
            duration: finite(ev.duration),
            message: bytesText(ev.messageData),
          });
        }, null, mode);
      }
    }
    if (cfg.textTracks) {
      player.on(E.STREAM_INITIALIZED, () => {
        try {
          const tracks = player.getTracksFor('text') || [];
          dk.text_tracks = tracks.map((t) => ({
            language: t.lang ?? null,
            kind: (t.roles && t.roles[0] && (t.roles[0].value || t.roles[0])) || null,
            mime_type: t.mimeType ?? null,
            codecs: t.codec ?? null,
            id: t.id ?? null,
          }));
          const pick = pickText(tracks, (t) => t.lang);
          if (pick) {
            player.setCurrentTrack(pick);
            player.enableText(true);
          }
          dk.text_selected = pick ? (pick.lang ?? null) : null;
        } catch (err) {
          dk.warnings.push({ t: now(), code: null, message: 'text: ' + msg(err) });
        }
      });
    }
    dk.sample = () => {
      dk.playhead.push([now(), finite(video.currentTime)]);
      if (player.isReady() && player.isDynamic()) {
        dk.latency.push([now(), finite(player.getCurrentLiveLatency())]);
      }
      if (dk.watchTextTracks) dk.watchTextTracks();
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
        video_width: common.video_width(),
        video_height: common.video_height(),
        video_representation: rep('video'),
        audio_representation: rep('audio'),
        ...common.media(),
      };
    };
    if (cfg.textTracks) {
      // dash.js renders TTML (stpp) into a div of the page, not as cue text: give it one, and
      // let the cue record take the rendered text from it (`ttml_text`).
      const div = document.createElement('div');
      div.style.cssText = 'position:absolute;left:0;top:0;width:640px;height:360px;pointer-events:none';
      document.body.appendChild(div);
      dk.ttmlText = () => div.textContent || '';
      player.initialize(video, cfg.url, true);
      // After initialize: dash.js needs its video element first.
      player.attachTTMLRenderingDiv(div);
      return;
    }
    player.initialize(video, cfg.url, true);
    return;
  }

  if (cfg.player === 'shaka') {
    shaka.polyfill.installAll();
    if (!shaka.Player.isBrowserSupported()) {
      dk.errors.push({ t: now(), code: null, severity: null, message: 'shaka: browser not supported' });
      return;
    }
    dk.version = shaka.Player.version;
    if (cfg.debug && shaka.log && shaka.log.setLevel) shaka.log.setLevel(shaka.log.Level.DEBUG);
    const player = new shaka.Player();
    const config = { streaming: {} };
    if (cfg.lowLatency) {
      config.streaming.lowLatencyMode = true;
      config.streaming.liveSync = {
        enabled: true,
        targetLatency: cfg.targetLatency,
        targetLatencyTolerance: 0.5,
        maxPlaybackRate: 1.5,
        minPlaybackRate: 0.5,
      };
    }
    if (cfg.switchQuality) config.abr = { enabled: false };
    if (cfg.clearkeyKeys.length > 0) {
      const clearKeys = {};
      for (const [kid, key] of cfg.clearkeyKeys) clearKeys[kid] = key;
      config.drm = { clearKeys };
    } else if (cfg.licenseUrl) {
      config.drm = { servers: { 'org.w3.clearkey': cfg.licenseUrl } };
    }
    if (!player.configure(config)) {
      dk.warnings.push({ t: now(), code: null, severity: null, message: 'shaka: configure() rejected part of ' + JSON.stringify(config).slice(0, 300) });
    }
    const onError = (err) => {
      // shaka.util.Error: severity 2 CRITICAL (playback stopped) is an error; 1 RECOVERABLE
      // (Shaka retries or works around it) a warning.
      const rec = {
        t: now(),
        code: typeof err.code === 'number' ? err.code : null,
        severity: typeof err.severity === 'number' ? err.severity : null,
        category: typeof err.category === 'number' ? err.category : null,
        message: String(err.message || `shaka error ${err.code}`).slice(0, 300) +
          (err.data ? ' ' + JSON.stringify(err.data).slice(0, 300) : ''),
      };
      if (rec.severity === 1) dk.warnings.push(rec);
      else dk.errors.push(rec);
    };
    player.addEventListener('error', (e) => onError(e.detail || {}));
    player.addEventListener('buffering', (e) => {
      if (e.buffering) dk.stalls.push({ t: now(), kind: 'buffering', media_type: null });
    });
    const activeVideo = () => {
      const v = player.getVariantTracks().find((t) => t.active);
      return v || null;
    };
    const renderedId = (v) => (v ? (v.videoId ?? v.originalVideoId ?? v.id) : null);
    const onVariant = (kind) => {
      const v = activeVideo();
      dk.quality_rendered.push({ t: now(), media_type: 'video', id: v ? String(v.originalVideoId ?? v.videoId ?? v.id) : null, kind, height: v ? v.height : null });
    };
    player.addEventListener('adaptation', () => onVariant('adaptation'));
    player.addEventListener('variantchanged', () => onVariant('variantchanged'));
    if (cfg.switchQuality) {
      let next = 0;
      startSwitching(() => {
        // One track per distinct video stream (the audio it comes with kept as it is).
        const all = player.getVariantTracks();
        const cur = activeVideo();
        const byVideo = new Map();
        for (const t of all) {
          if (cur && t.audioId !== cur.audioId) continue;
          const k = t.videoId ?? t.id;
          if (!byVideo.has(k)) byVideo.set(k, t);
        }
        const list = [...byVideo.values()].sort((a, b) => (a.bandwidth || 0) - (b.bandwidth || 0));
        if (list.length === 0) return;
        next = (next + 1) % list.length;
        const t = list[next];
        dk.quality_requests.push({ t: now(), index: next, id: String(t.originalVideoId ?? t.videoId ?? t.id) });
        player.selectVariantTrack(t, true);
      });
    }
    if (cfg.events) {
      player.addEventListener('emsg', (e) => {
        const d = e.detail || {};
        pushEvent({
          source: 'shaka-emsg',
          scheme_id_uri: d.schemeIdUri ?? null,
          value: d.value ?? null,
          id: d.id ?? null,
          presentation_time: finite(d.startTime),
          duration: finite(typeof d.endTime === 'number' && typeof d.startTime === 'number' ? d.endTime - d.startTime : null),
          message: bytesText(d.messageData),
        });
      });
      const region = (kind) => (e) => {
        const d = e.detail || {};
        pushEvent({
          source: `shaka-timelineregion${kind}`,
          scheme_id_uri: d.schemeIdUri ?? null,
          value: d.value ?? null,
          id: d.id ?? null,
          presentation_time: finite(d.startTime),
          duration: finite(typeof d.endTime === 'number' && typeof d.startTime === 'number' ? d.endTime - d.startTime : null),
          message: d.eventElement ? String(d.eventElement.textContent || '').slice(0, 200) : (d.eventNode ? JSON.stringify(d.eventNode).slice(0, 200) : null),
        });
      };
      player.addEventListener('timelineregionenter', region('enter'));
    }
    dk.sample = () => {
      dk.playhead.push([now(), finite(video.currentTime)]);
      try {
        if (player.isLive()) {
          const st = player.getStats();
          let lat = finite(st.liveLatency);
          if (lat === null) lat = finite(player.seekRange().end - video.currentTime);
          dk.latency.push([now(), lat]);
        }
      } catch (_) { /* not loaded */ }
      if (dk.watchTextTracks) dk.watchTextTracks();
    };
    dk.summary = () => {
      let v = null;
      let live = null;
      try { v = activeVideo(); } catch (_) { /* not loaded */ }
      try { live = player.isLive(); } catch (_) { /* not loaded */ }
      return {
        dynamic: live,
        target_live_delay: cfg.lowLatency && live ? cfg.targetLatency : null,
        video_width: common.video_width(),
        video_height: common.video_height(),
        video_representation: v && (v.videoCodec || v.width) ? {
          id: v.originalVideoId ?? (v.videoId != null ? String(v.videoId) : null),
          codecs: v.videoCodec ?? null,
          bandwidth: v.videoBandwidth ?? v.bandwidth ?? null,
          width: v.width || null,
          height: v.height || null,
        } : null,
        audio_representation: v && v.audioCodec ? {
          id: v.originalAudioId ?? (v.audioId != null ? String(v.audioId) : null),
          codecs: v.audioCodec ?? null,
          bandwidth: v.audioBandwidth ?? null,
          width: null,
          height: null,
        } : null,
        ...common.media(),
      };
    };
    const mime = /\.m3u8($|\?)/i.test(cfg.url) ? 'application/x-mpegurl'
      : /\.mpd($|\?)/i.test(cfg.url) ? 'application/dash+xml' : undefined;
    (async () => {
      // ClearKey from the manifest: Shaka reads a dashif:Laurl itself; a clearkey:Laurl (or any
      // other namespace's Laurl) in a ClearKey ContentProtection is found here.
      if (cfg.clearkey && cfg.clearkeyKeys.length === 0 && !cfg.licenseUrl && mime === 'application/dash+xml') {
        try {
          const text = await (await fetch(cfg.url)).text();
          const doc = new DOMParser().parseFromString(text, 'application/xml');
          for (const cp of doc.getElementsByTagNameNS('*', 'ContentProtection')) {
            const scheme = (cp.getAttribute('schemeIdUri') || '').toLowerCase();
            if (scheme !== 'urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e') continue;
            const la = [...cp.getElementsByTagNameNS('*', '*')].find((n) => n.localName.toLowerCase() === 'laurl');
            const url = la ? (la.textContent || '').trim() || la.getAttribute('licenseUrl') : null;
            if (url) {
              const abs = new URL(url, cfg.url).href;
              dk.license_url_from_manifest = abs;
              player.configure({ drm: { servers: { 'org.w3.clearkey': abs } } });
              break;
            }
          }
        } catch (err) {
          dk.warnings.push({ t: now(), code: null, severity: null, message: 'clearkey manifest: ' + msg(err) });
        }
      }
      await player.attach(video);
      await player.load(cfg.url, null, mime);
      if (cfg.textTracks) {
        const tracks = player.getTextTracks();
        dk.text_tracks = tracks.map((t) => ({
          language: t.language || null,
          kind: t.kind || null,
          mime_type: t.mimeType || null,
          codecs: t.codecs || null,
          id: t.id ?? null,
        }));
        const pick = pickText(tracks, (t) => t.language);
        if (pick) {
          player.selectTextTrack(pick);
          dk.text_selected = pick.language || null;
        }
        // Shaka 4: setTextTrackVisibility(true); Shaka 5: selectTextTrack(track) shows it.
        if (typeof player.setTextTrackVisibility === 'function') await player.setTextTrackVisibility(true);
      }
    })().catch((err) => onError(err && typeof err.code === 'number' ? err : { code: null, severity: 2, message: 'load: ' + msg(err) }));
    window.__shaka = player;
    return;
  }

  if (cfg.player === 'hlsjs') {
    dk.version = Hls.version;
    if (!Hls.isSupported()) {
      dk.errors.push({ t: now(), code: null, message: 'hls.js: Hls.isSupported() is false' });
      return;
    }
    const hc = { debug: !!cfg.debug, enableWorker: true };
    if (cfg.lowLatency) {
      hc.lowLatencyMode = true;
      hc.liveSyncDuration = cfg.targetLatency;
      hc.liveMaxLatencyDuration = cfg.targetLatency + 6;
      hc.maxLiveSyncPlaybackRate = 1.5;
    } else {
      hc.lowLatencyMode = false;
    }
    if (cfg.clearkey) {
      hc.emeEnabled = true;
      if (cfg.licenseUrl) hc.drmSystems = { 'org.w3.clearkey': { licenseUrl: cfg.licenseUrl } };
    }
    const hls = new Hls(hc);
    window.__hls = hls;
    const H = Hls.Events;
    hls.on(H.ERROR, (_ev, d) => {
      const rec = {
        t: now(),
        code: null,
        type: d.type ?? null,
        details: d.details ?? null,
        fatal: !!d.fatal,
        message: `${d.type}: ${d.details}` + (d.error ? ' ' + msg(d.error) : '') +
          (d.response && d.response.code ? ` (HTTP ${d.response.code})` : '') +
          (d.frag && d.frag.url ? ` ${d.frag.url.slice(0, 200)}` : ''),
      };
      if (d.fatal) dk.errors.push(rec);
      else dk.warnings.push(rec);
      if (d.details === 'bufferStalledError') dk.stalls.push({ t: now(), kind: 'buffer_stalled', media_type: null });
    });
    hls.on(H.LEVEL_SWITCHED, (_ev, d) => {
      const l = hls.levels[d.level] || {};
      // hls.js levels are known by their index (Level.id is not unique across variants).
      dk.quality_rendered.push({ t: now(), media_type: 'video', id: String(d.level), index: d.level, height: l.height || null });
    });
    if (cfg.switchQuality) {
      let next = 0;
      startSwitching(() => {
        const n = hls.levels.length;
        if (n === 0) return;
        next = (next + 1) % n;
        dk.quality_requests.push({ t: now(), index: next, id: String(next) });
        hls.nextLevel = next; // manual level from the next fragment: ABR off until -1
      });
    }
    if (cfg.events) {
      hls.on(H.FRAG_PARSING_METADATA, (_ev, d) => {
        for (const s of d.samples || []) {
          pushEvent({
            source: 'hlsjs-id3',
            scheme_id_uri: s.type ?? 'https://aomedia.org/emsg/ID3',
            value: null,
            id: null,
            presentation_time: finite(s.pts),
            duration: finite(s.duration),
            message: bytesText(s.data),
          });
        }
      });
    }
    if (cfg.textTracks) {
      hls.subtitleDisplay = true;
      hls.on(H.SUBTITLE_TRACKS_UPDATED, (_ev, d) => {
        const tracks = d.subtitleTracks || [];
        dk.text_tracks = tracks.map((t) => ({
          language: t.lang || null,
          kind: t.type === 'CLOSED-CAPTIONS' ? 'captions' : 'subtitles',
          mime_type: 'text/vtt',
          codecs: t.codecs || null,
          id: t.id ?? null,
        }));
        const pick = pickText(tracks, (t) => t.lang);
        if (pick) {
          hls.subtitleTrack = tracks.indexOf(pick);
          dk.text_selected = pick.lang || null;
        }
      });
    }
    dk.sample = () => {
      dk.playhead.push([now(), finite(video.currentTime)]);
      const lvl = hls.levels && hls.levels[hls.currentLevel >= 0 ? hls.currentLevel : hls.loadLevel];
      if (lvl && lvl.details && lvl.details.live) dk.latency.push([now(), finite(hls.latency)]);
      if (dk.watchTextTracks) dk.watchTextTracks();
    };
    dk.summary = () => {
      const idx = hls.currentLevel >= 0 ? hls.currentLevel : hls.loadLevel;
      const l = (hls.levels && hls.levels[idx]) || null;
      const at = hls.audioTracks && hls.audioTrack >= 0 ? hls.audioTracks[hls.audioTrack] : null;
      const live = l && l.details ? !!l.details.live : null;
      return {
        dynamic: live,
        target_live_delay: live ? finite(hls.targetLatency) : null,
        video_width: common.video_width(),
        video_height: common.video_height(),
        video_representation: l ? {
          id: String(idx),
          codecs: l.videoCodec ?? null,
          bandwidth: l.bitrate ?? null,
          width: l.width || null,
          height: l.height || null,
        } : null,
        audio_representation: l && (l.audioCodec || at) ? {
          id: at ? String(at.id ?? at.name) : null,
          codecs: l.audioCodec ?? (at && at.audioCodec) ?? null,
          bandwidth: null,
          width: null,
          height: null,
        } : null,
        ...common.media(),
      };
    };
    hls.attachMedia(video);
    hls.on(H.MEDIA_ATTACHED, () => hls.loadSource(cfg.url));
    hls.on(H.MANIFEST_PARSED, () => { video.play().catch(() => {}); });
    return;
  }
  dk.errors.push({ t: now(), code: null, message: `unknown player ${cfg.player}` });
}

const PLAYER_SCRIPTS = {
  dashjs: { path: '/dash.all.min.js', file: 'node_modules/dashjs/dist/modern/umd/dash.all.min.js' },
  shaka: { path: '/shaka-player.compiled.js', file: 'node_modules/shaka-player/dist/shaka-player.compiled.js' },
  hlsjs: { path: '/hls.min.js', file: 'node_modules/hls.js/dist/hls.min.js' },
};

// Runs in the page before any of its scripts (players may keep their own reference to
// requestMediaKeySystemAccess): records which key systems were asked for and granted.
function emeProbe() {
  const list = [];
  window.__dkKeySystems = list;
  if (!navigator.requestMediaKeySystemAccess) return;
  const t0 = performance.now();
  const rmksa = navigator.requestMediaKeySystemAccess.bind(navigator);
  navigator.requestMediaKeySystemAccess = (ks, configs) => {
    const rec = { t: Math.round(performance.now() - t0) / 1000, key_system: ks, granted: null, via: 'requestMediaKeySystemAccess' };
    if (list.length < 50) list.push(rec);
    return rmksa(ks, configs).then(
      (a) => { rec.granted = true; return a; },
      (e) => { rec.granted = false; rec.error = String(e && e.message ? e.message : e).slice(0, 200); throw e; },
    );
  };
  // Shaka asks through MediaCapabilities (decodingInfo with a keySystemConfiguration): one
  // entry per key system, granted when any query returned a MediaKeySystemAccess.
  const mc = navigator.mediaCapabilities;
  if (mc && mc.decodingInfo) {
    const di = mc.decodingInfo.bind(mc);
    mc.decodingInfo = (config) => {
      const ks = config && config.keySystemConfiguration && config.keySystemConfiguration.keySystem;
      const p = di(config);
      if (!ks) return p;
      let rec = list.find((r) => r.key_system === ks && r.via === 'decodingInfo');
      if (!rec && list.length < 50) {
        rec = { t: Math.round(performance.now() - t0) / 1000, key_system: ks, granted: false, via: 'decodingInfo' };
        list.push(rec);
      }
      return p.then((r) => { if (rec && r && r.keySystemAccess) rec.granted = true; return r; });
    };
  }
}

function pageHtml(player) {
  return '<!doctype html><html><head><meta charset="utf-8"><title>dashkit player</title>' +
    `<script src="${PLAYER_SCRIPTS[player].path}"></script></head>` +
    '<body><video width="640" height="360" muted autoplay playsinline></video></body></html>';
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const started = Date.now();
  const result = {
    ok: false,
    url: null,
    low_latency: false,
    player: null,
    player_version: null,
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
    warnings: [],
    media_errors: [],
    page_errors: [],
    stalls: [],
    period_switches: [],
    clock_offsets: [],
    stalls_after_start: 0,
    latency: [],
    quality_requests: [],
    quality_rendered: [],
    events: [],
    text_tracks: [],
    cues: [],
    key_systems: [],
    license_requests: [],
    hls_blocking_requests: 0,
    hls_blocking_urls: [],
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
  result.player = opts.player;
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
    const script = PLAYER_SCRIPTS[opts.player];
    const scriptPath = HERE + script.file;
    if (!existsSync(scriptPath)) throw new Error(`no ${scriptPath} (npm ci in ${HERE})`);
    const scriptSource = readFileSync(scriptPath);
    const mediaOrigin = new URL(opts.url).origin;
    // A license server may live on another loopback origin than the media (as an MPD's Laurl
    // may say): with --clearkey, loopback origins are reachable too.
    const loopback = (u) => u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) && u.origin !== PAGE_ORIGIN;
    const reachable = (u) => u.origin === mediaOrigin || (opts.clearkey && loopback(u));
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
          return route.fulfill({ status: 200, contentType: 'text/html', body: pageHtml(opts.player) });
        }
        if (u.pathname === script.path) {
          return route.fulfill({ status: 200, contentType: 'text/javascript', body: scriptSource });
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
      if (reachable(u)) return route.continue();
      result.external_requests.push(u.href.slice(0, 300));
      return route.abort('blockedbyclient');
    });
    page.on('request', (req) => {
      const u = new URL(req.url());
      if (!reachable(u)) return;
      if (req.method() === 'POST') {
        // EME license requests (the only POSTs a player makes here).
        result.license_requests.push({ url: u.href.slice(0, 300), at: Date.now() / 1000 });
        return;
      }
      if (u.origin !== mediaOrigin) return;
      if (u.searchParams.has('_HLS_msn') || u.searchParams.has('_HLS_part')) {
        result.hls_blocking_requests++;
        if (result.hls_blocking_urls.length < 20) result.hls_blocking_urls.push(u.href.slice(0, 300));
      }
      if (/\.(mpd|m3u8)$/i.test(u.pathname)) result.requests.manifest++;
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

    await page.addInitScript(emeProbe);
    await page.goto(PAGE_ORIGIN + '/', { waitUntil: 'load' });
    await page.evaluate(pageMain, {
      url: opts.url,
      lowLatency: opts.lowLatency,
      targetLatency: opts.targetLatency,
      player: opts.player,
      clearkey: opts.clearkey,
      clearkeyKeys: opts.clearkeyKeys,
      licenseUrl: opts.licenseUrl,
      events: opts.events,
      eventSchemes: opts.eventSchemes,
      textTracks: opts.textTracks,
      textLang: opts.textLang,
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
    result.player_version = dk.version;
    result.dashjs_version = opts.player === 'dashjs' ? dk.version : null;
    result.errors = dk.errors;
    result.warnings = dk.warnings;
    result.events = dk.events;
    result.text_tracks = dk.text_tracks;
    result.text_selected = dk.text_selected ?? null;
    result.cues = dk.cues;
    result.key_systems = dk.key_systems;
    result.license_url_from_manifest = dk.license_url_from_manifest ?? null;
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
