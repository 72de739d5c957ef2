//! deploy/: one `dashkit serve` origin and two nginx edges rendered from
//! `deploy/nginx/edge.conf.template` on loopback. Through each edge the live MPD and a run of
//! live segments are fetched several times; the origin's access log shows each segment fetched
//! at most once per edge, and the MPD no more often than its `max-age` allows. Also:
//! `systemd-analyze verify deploy/systemd/dashkit.service`.
//!
//! Needs nginx (Debian's `nginx-light`), `envsubst` (`gettext-base`) and `systemd-analyze`
//! (`systemd`): `.ci/test` installs them.

mod support;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use support::edge::{free_port, repo, start_edge, tool, wait_ready, Proc};

struct Reply {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

fn get(addr: &str, target: &str) -> Reply {
    let mut c = TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        c,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    c.read_to_end(&mut buf).unwrap();
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect::<HashMap<_, _>>();
    assert!(
        !headers
            .get("transfer-encoding")
            .is_some_and(|v| v.contains("chunked")),
        "{target}: a complete answer comes with its length"
    );
    Reply {
        status,
        headers,
        body: buf[split + 4..].to_vec(),
    }
}

/// The request targets of the origin's access log lines so far.
fn origin_targets(log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split('"').nth(1))
        .filter_map(|r| r.split(' ').nth(1))
        .map(str::to_string)
        .collect()
}

/// Waits for the origin's log writer (it flushes within 200 ms) and returns the lines added
/// since `seen`.
fn new_targets(log: &Path, seen: &mut usize) -> Vec<String> {
    std::thread::sleep(Duration::from_millis(600));
    let all = origin_targets(log);
    let new = all[*seen..].to_vec();
    *seen = all.len();
    new
}

fn max_age(r: &Reply) -> u64 {
    r.headers
        .get("cache-control")
        .and_then(|v| v.split("max-age=").nth(1))
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn two_edges_fetch_each_segment_once_and_the_mpd_per_max_age() {
    let work = std::env::temp_dir().join(format!("dashkit-edge-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let access_log = work.join("origin-access.log");
    let origin = format!("127.0.0.1:{}", free_port());
    let _origin = Proc(
        Command::new(env!("CARGO_BIN_EXE_dashkit"))
            .arg("serve")
            .arg("--root")
            .arg(repo().join("fixtures/dash"))
            .args(["--bind", &origin, "--access-log"])
            .arg(&access_log)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_ready(&origin);
    // Nothing listens on the backup: the edges must get everything from the primary.
    let backup = format!("127.0.0.1:{}", free_port());
    let edges: Vec<(String, Proc)> = ["a", "b"]
        .iter()
        .map(|name| {
            let listen = format!("127.0.0.1:{}", free_port());
            let p = start_edge(
                &work.join(format!("edge-{name}")),
                &listen,
                &origin,
                &backup,
            );
            (listen, p)
        })
        .collect();
    let mut seen = 0;
    let _ = new_targets(&access_log, &mut seen); // the readiness probes

    // ffmpeg_livesim: 2 s segments from AST 0; segment n is listed from (n + 1)·2 s on.
    let now_s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let newest = now_s / 2 - 1;
    let segments: Vec<String> = (newest - 8..=newest)
        .flat_map(|n| [0, 1].map(|r| format!("/livesim/ffmpeg_livesim/{r}/{n}.m4s")))
        .collect();
    let mpd = "/livesim/ffmpeg_livesim/manifest.mpd";

    // The edges one after the other, so that the origin's log lines of each phase are its.
    for (listen, _) in &edges {
        let mut first: HashMap<String, Vec<u8>> = HashMap::new();
        let mut hits = 0;
        // (when the edge answered from the origin, the max-age it got)
        let mut mpd_fetches: Vec<(Instant, u64)> = Vec::new();
        let mut mpd_requests = 0;
        let started = Instant::now();
        for round in 0..4 {
            for s in &segments {
                let r = get(listen, s);
                assert_eq!(r.status, 200, "{s} through {listen}");
                assert!(max_age(&r) > 0, "{s} is cacheable");
                match first.get(s) {
                    None => {
                        first.insert(s.clone(), r.body);
                    }
                    Some(b) => assert_eq!(b, &r.body, "{s}: the same bytes every time"),
                }
                if round > 0 && r.headers.get("x-cache-status").map(String::as_str) == Some("HIT") {
                    hits += 1;
                }
            }
            // The MPD every 100 ms for a second per round.
            for _ in 0..10 {
                let t = Instant::now();
                let r = get(listen, mpd);
                assert_eq!(r.status, 200);
                assert!(r.headers.contains_key("etag") && r.headers.contains_key("last-modified"));
                mpd_requests += 1;
                let status = r.headers.get("x-cache-status").cloned().unwrap_or_default();
                if status != "HIT" {
                    mpd_fetches.push((t, max_age(&r)));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let took = started.elapsed();
        let lines = new_targets(&access_log, &mut seen);
        let mut per_target: HashMap<&str, usize> = HashMap::new();
        for l in &lines {
            *per_target.entry(l.as_str()).or_default() += 1;
        }
        // Each segment came from the origin exactly once for this edge.
        for s in &segments {
            assert_eq!(
                per_target.get(s.as_str()),
                Some(&1),
                "{s} via {listen}: {lines:?}"
            );
        }
        assert_eq!(hits, 3 * segments.len(), "rounds 2-4 are cache hits");
        // The MPD: the origin saw exactly the edge's misses, and none came before the
        // previous copy's max-age ran out.
        let origin_mpds = per_target.get(mpd).copied().unwrap_or(0);
        assert_eq!(origin_mpds, mpd_fetches.len(), "via {listen}: {lines:?}");
        for w in mpd_fetches.windows(2) {
            let ((t0, age), (t1, _)) = (w[0], w[1]);
            assert!(
                t1.duration_since(t0) + Duration::from_millis(150) >= Duration::from_secs(age),
                "MPD fetched again {:?} after a copy good for {age} s",
                t1.duration_since(t0)
            );
        }
        // The cache did take MPD requests off the origin: 40 requests over about 5 s, with
        // 2 s segments, give at least one cacheable copy (max-age 1) per segment.
        assert!(
            origin_mpds < mpd_requests,
            "{origin_mpds} of {mpd_requests} MPD requests reached the origin in {took:?}"
        );
        // Nothing went anywhere but these paths.
        for l in &lines {
            assert!(
                l == mpd || segments.contains(l),
                "unexpected origin request {l}"
            );
        }
    }
    drop(edges);
    let _ = std::fs::remove_dir_all(&work);
}

/// `systemd-analyze verify` on the unit, its ExecStart pointed at the binary under test
/// (verify requires the executable to exist; the unit names /usr/local/bin/dashkit).
#[test]
fn systemd_unit_verifies() {
    let unit = std::fs::read_to_string(repo().join("deploy/systemd/dashkit.service")).unwrap();
    assert!(unit.contains("ExecStart=/usr/local/bin/dashkit serve"));
    for need in [
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "StateDirectory=dashkit",
        "--store ${STATE_DIRECTORY}",
    ] {
        assert!(unit.contains(need), "{need}");
    }
    let dir = std::env::temp_dir().join(format!("dashkit-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("dashkit.service");
    std::fs::write(
        &path,
        unit.replace("/usr/local/bin/dashkit", env!("CARGO_BIN_EXE_dashkit")),
    )
    .unwrap();
    let out = Command::new(tool("systemd-analyze"))
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let said =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "systemd-analyze verify: {said}");
    assert!(said.trim().is_empty(), "warnings: {said}");
}

/// Chunk pass-through: a `chunkdur_0.5` segment asked while it is being produced comes through
/// the edge chunk by chunk as the origin releases them (not buffered until complete), and is
/// not stored (`no-cache`: nginx keeps no such answer), so the next player's request reaches the origin again.
#[test]
fn low_latency_chunks_pass_through_an_edge_uncached() {
    let work = std::env::temp_dir().join(format!("dashkit-edge-ll-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let access_log = work.join("origin-access.log");
    let origin = format!("127.0.0.1:{}", free_port());
    let _origin = Proc(
        Command::new(env!("CARGO_BIN_EXE_dashkit"))
            .arg("serve")
            .arg("--root")
            .arg(repo().join("fixtures/dash"))
            .args(["--bind", &origin, "--access-log"])
            .arg(&access_log)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_ready(&origin);
    let backup = format!("127.0.0.1:{}", free_port());
    let listen = format!("127.0.0.1:{}", free_port());
    let _edge = start_edge(&work.join("edge"), &listen, &origin, &backup);
    let mut seen = 0;
    let _ = new_targets(&access_log, &mut seen);

    // 2 s segments, 0.5 s chunks: segment n is produced from 2n to 2n + 2 s and may be fetched
    // from 2n + 0.5 s. Ask 0.6-0.9 s into it: its last chunk is due at least a second later.
    let now_ms = || {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64
    };
    while !(600..900).contains(&(now_ms() % 2000)) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let n = now_ms() / 2000;
    let target = format!("/livesim/chunkdur_0.5/ffmpeg_livesim/0/{n}.m4s");
    let asked = Instant::now();
    let mut c = TcpStream::connect(&listen).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        c,
        "GET {target} HTTP/1.1\r\nHost: {listen}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    let mut first_body: Option<Duration> = None;
    let mut piece = [0u8; 65536];
    loop {
        let k = c.read(&mut piece).unwrap();
        if k == 0 {
            break;
        }
        buf.extend_from_slice(&piece[..k]);
        if first_body.is_none() {
            if let Some(h) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                if buf.len() > h + 4 {
                    first_body = Some(asked.elapsed());
                }
            }
        }
    }
    let done = asked.elapsed();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&buf[..split]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("cache-control: no-cache"), "{head}");
    assert!(head.contains("x-cache-status: miss"), "{head}");
    // The first chunk arrived long before the segment was complete: nginx did not buffer it.
    let first = first_body.unwrap();
    assert!(
        done >= first + Duration::from_millis(500),
        "first body bytes after {first:?}, complete after {done:?}"
    );
    // Complete now: the edge had not stored the partial answer, so it asks the origin again,
    // gets the whole (cacheable) segment, and answers the next request from its cache.
    let again = get(&listen, &target);
    assert_eq!(again.status, 200);
    assert!(max_age(&again) > 0);
    assert_eq!(
        again.headers.get("x-cache-status").map(String::as_str),
        Some("MISS")
    );
    let third = get(&listen, &target);
    assert_eq!(
        third.headers.get("x-cache-status").map(String::as_str),
        Some("HIT")
    );
    assert_eq!(third.body, again.body);
    let lines = new_targets(&access_log, &mut seen);
    let fetched = lines.iter().filter(|l| **l == target).count();
    assert_eq!(
        fetched, 2,
        "the in-progress and the complete answer: {lines:?}"
    );
    let _ = std::fs::remove_dir_all(&work);
}
