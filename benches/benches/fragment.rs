//! Fragment planning cost on the media fixtures: `plan_fragments` from the moov alone, then
//! building every fragment header (what the CLI does before copying sample bytes).

use std::hint::black_box;

use criterion::Criterion;
use dashkit::bmff::Index;
use dashkit::fragment::{plan_fragments, Input, Options};

const FIXTURES: [&str; 4] = [
    "media/h264_aac.mp4",
    "media/hevc_aac.mp4",
    "media/h264_bframes.mp4",
    "media/aac_only.mp4",
];

fn main() {
    let mut c = Criterion::default().configure_from_args();
    for name in FIXTURES {
        let data = dashkit_benches::fixture(name);
        let idx = Index::parse(&data).unwrap();
        let m = idx.boxes()[idx.find("moov").unwrap()].clone();
        let moov = &data[m.range()];
        let input = Input {
            ftyp: None,
            moov,
            moov_offset: m.offset,
            file_len: data.len() as u64,
        };
        let options = Options::default();
        c.bench_function(&format!("plan {name}"), |b| {
            b.iter(|| black_box(plan_fragments(black_box(&input), &options).unwrap()))
        });
        let plan = plan_fragments(&input, &options).unwrap();
        c.bench_function(&format!("plan+headers {name}"), |b| {
            b.iter(|| {
                let mut n = 0usize;
                for f in plan.fragments() {
                    n += f.unwrap().header.len();
                }
                black_box(n)
            })
        });
    }
    c.final_summary();
}
