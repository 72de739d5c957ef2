//! The MPD (ISO/IEC 23009-1 Media Presentation Description): model, parse, write, xs types,
//! template expansion and segment addressing.
//!
//! | module | what it holds |
//! |---|---|
//! | `error` | [`Error`] and [`ErrorLocation`] (line, column, element path) |
//! | [`template`] | URL templates (`$Number%05d$`, §5.3.9.4.4): parse once, expand many |
//! | [`url`] | RFC 3986 reference resolution for the BaseURL chain |
//! | [`segments`] | what a listing holds: [`segments::RepresentationSegments`], [`segments::Segment`], byte ranges (the enumeration for every addressing mode, §5.3.9, is internal) |
//! | [`xs`] | [`XsDuration`] and [`XsDateTime`]: exact, with their original text |
//! | [`model`] | the typed model ([`Mpd`], [`Period`], ...) that keeps unknown nodes in place |
//! | `parse` | [`parse()`]: text -> [`Mpd`] |
//! | `write` | [`write()`]: [`Mpd`] -> text |
//! | [`listing`] | every segment of every Representation: model + inheritance -> addressing |
//! | [`wellformed`] | XML well-formedness the lenient parser lets through (attribute spacing, undeclared prefixes) |
//! | [`xlink`] | remote Periods (`xlink:href`): found, resolved through a caller's fetch |
//! | `inherit` (internal) | effective segment information and BaseURL chain of a Representation; Period timing |
//!
//! The round-trip law: for every MPD `x` that parses, `parse(&write(&parse(x)?))? ==
//! parse(x)?`, and `write(&parse(x)?)` equals `x` as an XML tree (attribute order and
//! whitespace between elements aside).

mod error;
pub(crate) mod inherit;
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

/// Inside the crate the error location keeps its short name.
pub(crate) use error::ErrorLocation as Location;
pub use error::{Error, ErrorLocation, TemplateErrorKind};
pub(crate) use inherit::effective_template;
pub use model::{
    AdaptationSet, Attr, BaseUrl, ConditionalUint, ContentProtection, Descriptor, Element, Event,
    EventStream, Extra, ExtraData, FrameRate, InbandEventStream, Label, Latency, Mpd, Node, Period,
    PlaybackRate, ProducerReferenceTime, ProgramInformation, Representation, SegmentBase,
    SegmentList, SegmentTemplate, SegmentTimeline, SegmentUrl, ServiceDescription,
    SubRepresentation, TextElement, Url, UtcTiming, DASH_NS, MISC, S,
};
// `model::Location` (the MPD `Location` element) is not re-exported here, so that no name at
// this level means two things: the error location is [`ErrorLocation`].
pub use parse::parse;
pub use write::write;
pub use xs::{XsDateTime, XsDuration, XsError};
