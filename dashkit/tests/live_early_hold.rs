//! `SourceConfig::early_hold_ms`: a media request a little too early is held until its segment
//! may be fetched and then answered (`Response::Delayed`), where the default refuses it as too
//! early, as livesim2 and dashlivesim do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use dashkit::live::options::LiveOptions;
use dashkit::live::source::{respond, Response, SourceConfig, Unavailable as Refusal};

mod support;
use support::{livesim_asset as asset, livesim_dir as dir};

#[test]
fn slightly_early_requests_are_held_when_asked() {
    let files: HashMap<String, Vec<u8>> = ["0/1.m4s", "0/2.m4s", "0/3.m4s", "0/4.m4s", "0/5.m4s"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read(dir().join(n)).unwrap()))
        .collect();
    let a = asset();
    let o = LiveOptions::default();
    let ask = |now: i64, hold: u64| {
        let cfg = SourceConfig {
            early_hold_ms: hold,
            ..SourceConfig::default()
        };
        respond(&a, &o, "0/500.m4s", now, &cfg, |u| {
            files.get(u).map(Vec::as_slice)
        })
        .unwrap()
    };
    // Segment 500 may be fetched from 1002 s.
    let on_time = ask(1_002_000, 0);
    assert!(matches!(on_time, Response::Segment { number: 500, .. }));
    // 8 ms early: refused by default, held 8 ms and answered with the same segment when asked.
    assert!(matches!(
        ask(1_001_992, 0),
        Response::Refused {
            refusal: Refusal::TooEarly { by_ms: 8 },
            ..
        }
    ));
    match ask(1_001_992, 500) {
        Response::Delayed {
            delay_ms: 8,
            answer,
        } => assert_eq!(*answer, on_time),
        other => panic!("{other:?}"),
    }
    // Earlier than the hold: refused as before; the hold is bounded by limits.
    assert!(matches!(
        ask(1_001_000, 500),
        Response::Refused {
            refusal: Refusal::TooEarly { by_ms: 1000 },
            ..
        }
    ));
    assert!(matches!(
        ask(1_000_500, u64::MAX),
        Response::Refused {
            refusal: Refusal::TooEarly { .. },
            ..
        }
    ));
    assert!(matches!(
        ask(1_001_000, u64::MAX),
        Response::Delayed { delay_ms: 1000, .. }
    ));
}
