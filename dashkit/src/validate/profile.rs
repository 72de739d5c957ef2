//! `MPD@profiles` claims (ISO/IEC 23009-1 §8, DASH-IF IOP v5, ISO/IEC 23000-19 CMAF): what
//! each claimed profile requires of the MPD and, for CMAF, of the segments' brands.

use super::{codes, Finding, Severity};
use crate::mpd::inherit::{effective_addressing, EffectiveAddressing as Addressing};
use crate::mpd::model::Mpd;

/// `urn:mpeg:dash:profile:isoff-live:2011` (ISO/IEC 23009-1 §8.4).
pub(crate) const LIVE: &str = "urn:mpeg:dash:profile:isoff-live:2011";
/// `urn:mpeg:dash:profile:isoff-on-demand:2011` (ISO/IEC 23009-1 §8.3).
pub(crate) const ON_DEMAND: &str = "urn:mpeg:dash:profile:isoff-on-demand:2011";
/// DASH-IF low-latency live (IOP v5 Part 5), as dashlivesim and dash.js spell it.
pub(crate) const LOW_LATENCY: &str = "http://www.dashif.org/guidelines/low-latency-live-v5";
/// The CMAF profile of ISO/IEC 23009-1 §8.12.
pub(crate) const CMAF: &str = "urn:mpeg:dash:profile:cmaf:2019";

/// CMAF structural brands an init segment's ftyp carries (ISO/IEC 23000-19 §7.2: `cmfc`,
/// or `cmf2` for the second edition's constraints).
const CMAF_HEADER_BRANDS: [&[u8; 4]; 2] = [b"cmfc", b"cmf2"];
/// Brands a CMAF segment, fragment or chunk's styp may carry (§7.3: `cmfs`, `cmff`, `cmfl`,
/// and the structural `cmfc`/`cmf2`).
const CMAF_SEGMENT_BRANDS: [&[u8; 4]; 5] = [b"cmfs", b"cmff", b"cmfl", b"cmfc", b"cmf2"];

/// Whether `MPD@profiles` (a comma-separated list) names `profile`.
pub(crate) fn claims(mpd: &Mpd, profile: &str) -> bool {
    mpd.profiles
        .as_deref()
        .is_some_and(|p| p.split(',').any(|x| x.trim() == profile))
}

/// MPD-PROFILE-LIVE, MPD-PROFILE-ON-DEMAND, MPD-PROFILE-LOW-LATENCY: the MPD-side
/// constraints of each claimed profile.
pub(crate) fn check_profiles(mpd: &Mpd, out: &mut Vec<Finding>) {
    let live = claims(mpd, LIVE);
    let on_demand = claims(mpd, ON_DEMAND);
    for (pi, period) in mpd.periods.iter().enumerate() {
        for (ai, aset) in period.adaptation_sets.iter().enumerate() {
            for (ri, rep) in aset.representations.iter().enumerate() {
                let at = format!("MPD/Period[{pi}]/AdaptationSet[{ai}]/Representation[{ri}]");
                let id = rep.id.clone();
                let addressing = effective_addressing(period, aset, rep);
                let kind = match &addressing {
                    Addressing::Template(_) => "SegmentTemplate",
                    Addressing::List(_) => "SegmentList",
                    Addressing::Base(_) => "SegmentBase",
                    Addressing::Single => "BaseURL only",
                };
                // §8.4.2: Segments are addressed by SegmentTemplate.
                if live && !on_demand && !matches!(addressing, Addressing::Template(_)) {
                    out.push(profile_finding(
                        codes::MPD_PROFILE_LIVE,
                        Severity::Error,
                        at.clone(),
                        "SegmentTemplate",
                        kind,
                        "the isoff-live profile addresses segments with SegmentTemplate",
                        id.clone(),
                    ));
                }
                // §8.3.2: one Segment per Representation, indexed by a sidx at @indexRange.
                if on_demand && !live {
                    let indexed = match &addressing {
                        Addressing::Base(b) => b.index_range.is_some(),
                        _ => false,
                    };
                    if !indexed {
                        out.push(profile_finding(
                            codes::MPD_PROFILE_ON_DEMAND,
                            Severity::Error,
                            at,
                            "SegmentBase with @indexRange",
                            kind,
                            "the isoff-on-demand profile has one indexed Segment per \
                             Representation: SegmentBase@indexRange locating its sidx",
                            id,
                        ));
                    }
                }
            }
        }
    }
    if on_demand && !live && mpd.is_dynamic() {
        out.push(profile_finding(
            codes::MPD_PROFILE_ON_DEMAND,
            Severity::Error,
            "MPD/@type".to_owned(),
            "static",
            "dynamic",
            "the isoff-on-demand profile is for static presentations",
            None,
        ));
    }
    if claims(mpd, LOW_LATENCY) {
        check_low_latency(mpd, out);
    }
}

/// DASH-IF IOP v5 low-latency: a dynamic MPD, a UTCTiming source to sync the clock, a
/// ServiceDescription with a target latency, and a ProducerReferenceTime per AdaptationSet.
fn check_low_latency(mpd: &Mpd, out: &mut Vec<Finding>) {
    let why = "the low-latency profile needs it";
    if !mpd.is_dynamic() {
        out.push(profile_finding(
            codes::MPD_PROFILE_LOW_LATENCY,
            Severity::Error,
            "MPD/@type".to_owned(),
            "dynamic",
            mpd.r#type.as_deref().unwrap_or("static"),
            "the low-latency profile is for dynamic presentations",
            None,
        ));
    }
    if mpd.utc_timings.is_empty() {
        out.push(profile_finding(
            codes::MPD_PROFILE_LOW_LATENCY,
            Severity::Error,
            "MPD/UTCTiming".to_owned(),
            "a UTCTiming element",
            "none",
            why,
            None,
        ));
    }
    let has_target = mpd
        .service_descriptions
        .iter()
        .chain(mpd.periods.iter().flat_map(|p| &p.service_descriptions))
        .flat_map(|s| &s.latencies)
        .any(|l| l.target.is_some());
    if !has_target {
        out.push(profile_finding(
            codes::MPD_PROFILE_LOW_LATENCY,
            Severity::Error,
            "MPD/ServiceDescription/Latency/@target".to_owned(),
            "a target latency",
            "none",
            why,
            None,
        ));
    }
    for (pi, period) in mpd.periods.iter().enumerate() {
        for (ai, aset) in period.adaptation_sets.iter().enumerate() {
            let has_prt = !aset.producer_reference_times.is_empty()
                || aset
                    .representations
                    .iter()
                    .all(|r| !r.producer_reference_times.is_empty());
            if !has_prt {
                out.push(profile_finding(
                    codes::MPD_PROFILE_LOW_LATENCY,
                    Severity::Warning,
                    format!("MPD/Period[{pi}]/AdaptationSet[{ai}]/ProducerReferenceTime"),
                    "a ProducerReferenceTime",
                    "none",
                    "low-latency players measure their latency against ProducerReferenceTime",
                    None,
                ));
            }
        }
    }
}

/// MPD-PROFILE-CMAF for an init segment: under the CMAF profile its ftyp carries `cmfc`.
pub(crate) fn check_cmaf_header(
    url: &str,
    rep_id: &str,
    brands: &[[u8; 4]],
    out: &mut Vec<Finding>,
) {
    if !CMAF_HEADER_BRANDS.iter().any(|b| brands.contains(b)) {
        out.push(profile_finding(
            codes::MPD_PROFILE_CMAF,
            Severity::Error,
            format!("{url} ftyp"),
            "brand cmfc",
            &brand_list(brands),
            "the MPD claims the CMAF profile but the init segment's ftyp has no CMAF brand",
            Some(rep_id.to_owned()),
        ));
    }
}

/// MPD-PROFILE-CMAF for a media segment: a styp, when present, names a CMAF brand. Returns
/// whether a finding was made (the caller reports once per Representation).
pub(crate) fn check_cmaf_segment(
    url: &str,
    rep_id: &str,
    styp: Option<&[[u8; 4]]>,
    out: &mut Vec<Finding>,
) -> bool {
    let Some(brands) = styp else {
        return false;
    };
    if CMAF_SEGMENT_BRANDS.iter().any(|b| brands.contains(b)) {
        return false;
    }
    out.push(profile_finding(
        codes::MPD_PROFILE_CMAF,
        Severity::Error,
        format!("{url} styp"),
        "brand cmfs (or cmff, cmfl, cmfc)",
        &brand_list(brands),
        "the MPD claims the CMAF profile but the segment's styp has no CMAF brand",
        Some(rep_id.to_owned()),
    ));
    true
}

fn brand_list(brands: &[[u8; 4]]) -> String {
    brands
        .iter()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect::<Vec<_>>()
        .join(",")
}

fn profile_finding(
    code: &'static str,
    severity: Severity,
    location: String,
    expected: &str,
    found: &str,
    message: &str,
    representation: Option<String>,
) -> Finding {
    Finding {
        code,
        severity,
        location,
        expected: Some(expected.to_owned()),
        found: Some(found.to_owned()),
        message: message.to_owned(),
        representation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_list_is_comma_separated_and_trimmed() {
        let mpd = crate::mpd::parse(&format!(
            r#"<MPD profiles="{LIVE}, {CMAF}"><Period/></MPD>"#
        ))
        .unwrap();
        assert!(claims(&mpd, LIVE) && claims(&mpd, CMAF) && !claims(&mpd, ON_DEMAND));
    }

    #[test]
    fn cmaf_brands() {
        let mut out = Vec::new();
        check_cmaf_header("i.mp4", "a", &[*b"iso6", *b"cmfc"], &mut out);
        assert!(out.is_empty());
        check_cmaf_header("i.mp4", "a", &[*b"iso5", *b"iso6", *b"mp41"], &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].found.as_deref(), Some("iso5,iso6,mp41"));
        assert!(!check_cmaf_segment("s", "a", None, &mut out));
        assert!(!check_cmaf_segment(
            "s",
            "a",
            Some(&[*b"msdh", *b"cmfs"]),
            &mut out
        ));
        assert!(check_cmaf_segment(
            "s",
            "a",
            Some(&[*b"msdh", *b"msix"]),
            &mut out
        ));
    }
}
