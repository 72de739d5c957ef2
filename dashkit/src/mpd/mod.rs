//! The MPD (ISO/IEC 23009-1 Media Presentation Description): model, parse, write, xs types,
//! template expansion and segment addressing.
//!
//! | module | what it holds |
//! |---|---|
//! | [`error`] | [`Error`] and [`Location`] (line, column, element path) |
//! | [`template`] | URL templates (`$Number%05d$`, §5.3.9.4.4): parse once, expand many |
//! | [`url`] | RFC 3986 reference resolution for the BaseURL chain |
//! | [`segments`] | segment enumeration for every addressing mode (§5.3.9) |
//! | [`xs`] | [`XsDuration`] and [`XsDateTime`]: exact, with their original text |
//! | [`model`] | the typed model ([`Mpd`], [`Period`], ...) that keeps unknown nodes in place |
//! | `parse` | [`parse()`]: text -> [`Mpd`] |
//! | `write` | [`write()`]: [`Mpd`] -> text |
//! | [`listing`] | every segment of every Representation: model + inheritance -> addressing |
//! | [`wellformed`] | XML well-formedness the lenient parser lets through (attribute spacing, undeclared prefixes) |
//! | [`xlink`] | remote Periods (`xlink:href`): found, resolved through a caller's fetch |
//! | [`inherit`] | effective segment information and BaseURL chain of a Representation; Period timing |
//!
//! The round-trip law: for every MPD `x` that parses, `parse(&write(&parse(x)?))? ==
//! parse(x)?`, and `write(&parse(x)?)` equals `x` as an XML tree (attribute order and
//! whitespace between elements aside).

pub mod error;
pub mod inherit;
pub mod listing;
pub mod model;
mod parse;
pub mod segments;
pub mod template;
pub mod url;
pub mod wellformed;
mod write;
pub mod xlink;
pub mod xs;

pub use error::{Error, Location};
pub use inherit::{
    base_urls, effective_addressing, effective_segment_base, effective_segment_list,
    effective_template, period_timings, EffectiveAddressing, EffectiveSegmentBase,
    EffectiveSegmentList, EffectiveTemplate, PeriodTiming,
};
pub use model::{
    AdaptationSet, Attr, BaseUrl, ConditionalUint, ContentProtection, Descriptor, Element, Event,
    EventStream, Extra, ExtraData, FrameRate, InbandEventStream, Label, Latency, Mpd, Node, Period,
    PlaybackRate, ProducerReferenceTime, ProgramInformation, Representation, SegmentBase,
    SegmentList, SegmentTemplate, SegmentTimeline, SegmentUrl, ServiceDescription,
    SubRepresentation, TextElement, Url, UtcTiming, DASH_NS, MISC, S,
};
// `model::Location` (the MPD `Location` element) is not re-exported here: `Location` at
// this level is the error location.
pub use parse::parse;
pub use write::write;
pub use xs::{XsDateTime, XsDuration, XsError};
