//! Reading an asset's files: the one [`Source`] trait the analysis, the validator and the
//! origin's live simulator read through. dashkit does no IO; whatever holds the files (a
//! directory, an HTTP client, a map in memory) implements [`Source`], or is a closure.
//!
//! URLs are as the caller of the reading function says (relative to the MPD for the analysis,
//! resolved against the BaseURLs for the validator). A `range` is inclusive
//! ([`ByteRange`], `first-last` as in an MPD's `@mediaRange`); a source answers the bytes of
//! the range, fewer when the file ends inside it.
//!
//! ```
//! use dashkit::mpd::segments::ByteRange;
//! use dashkit::source::{Source, WholeFiles};
//! // Any `FnMut(&str, Option<ByteRange>) -> Option<Vec<u8>>` is a source...
//! let mut ranged = |url: &str, range: Option<ByteRange>| match (url, range) {
//!     ("a.m4s", None) => Some(b"abcdef".to_vec()),
//!     ("a.m4s", Some(r)) => Some(b"abcdef"[r.first() as usize..=r.last() as usize].to_vec()),
//!     _ => None,
//! };
//! assert_eq!(ranged.read("a.m4s", ByteRange::new(1, 2)), Some(b"bc".to_vec()));
//! // ... and `WholeFiles` makes one of a closure that reads whole files.
//! let mut whole = WholeFiles(|url: &str| (url == "a.m4s").then(|| b"abcdef".to_vec()));
//! assert_eq!(whole.read("a.m4s", ByteRange::new(4, 99)), Some(b"ef".to_vec()));
//! assert_eq!(whole.read("b.m4s", None), None);
//! assert_eq!(whole.list(""), None);
//! ```

use crate::mpd::segments::ByteRange;

/// Where an asset's files come from.
///
/// ```
/// use dashkit::mpd::segments::ByteRange;
/// use dashkit::source::Source;
/// struct Memory(Vec<(String, Vec<u8>)>);
/// impl Source for Memory {
///     fn read(&mut self, url: &str, range: Option<ByteRange>) -> Option<Vec<u8>> {
///         let (_, bytes) = self.0.iter().find(|(name, _)| name == url)?;
///         Some(dashkit::source::slice(bytes, range).to_vec())
///     }
///     fn list(&mut self, dir: &str) -> Option<Vec<String>> {
///         (dir.is_empty()).then(|| self.0.iter().map(|(n, _)| n.clone()).collect())
///     }
/// }
/// let mut m = Memory(vec![("1.m4s".into(), vec![1, 2, 3])]);
/// assert_eq!(m.read("1.m4s", ByteRange::new(2, 9)), Some(vec![3]));
/// assert_eq!(m.list(""), Some(vec!["1.m4s".to_string()]));
/// ```
pub trait Source {
    /// The bytes of the file at `url`: all of them when `range` is `None`, else those of the
    /// inclusive `range` (fewer when the file ends inside it, none when it ends before it).
    /// `None` when there is no such file or it cannot be read.
    fn read(&mut self, url: &str, range: Option<ByteRange>) -> Option<Vec<u8>>;

    /// The names of the files in directory `dir` (`""` is the base directory), or `None`
    /// when this source cannot list (the default). Listing lets the analysis find the
    /// segments from the files present, as vodanalyzer does.
    fn list(&mut self, _dir: &str) -> Option<Vec<String>> {
        None
    }
}

impl<F> Source for F
where
    F: FnMut(&str, Option<ByteRange>) -> Option<Vec<u8>>,
{
    fn read(&mut self, url: &str, range: Option<ByteRange>) -> Option<Vec<u8>> {
        self(url, range)
    }
}

/// A [`Source`] over a closure that reads whole files; ranges are cut from the whole file.
///
/// ```
/// use dashkit::mpd::segments::ByteRange;
/// use dashkit::source::{Source, WholeFiles};
/// let mut s = WholeFiles(|_: &str| Some(vec![0u8, 1, 2, 3]));
/// assert_eq!(s.read("x", None), Some(vec![0, 1, 2, 3]));
/// assert_eq!(s.read("x", ByteRange::new(1, 2)), Some(vec![1, 2]));
/// ```
pub struct WholeFiles<F>(pub F);

impl<F> Source for WholeFiles<F>
where
    F: FnMut(&str) -> Option<Vec<u8>>,
{
    fn read(&mut self, url: &str, range: Option<ByteRange>) -> Option<Vec<u8>> {
        let all = (self.0)(url)?;
        Some(match range {
            None => all,
            Some(_) => slice(&all, range).to_vec(),
        })
    }
}

/// The bytes of `range` in `bytes` (all of them for `None`), cut short where `bytes` ends:
/// what [`Source::read`] answers for a file held in memory.
///
/// ```
/// use dashkit::mpd::segments::ByteRange;
/// assert_eq!(dashkit::source::slice(b"abcdef", ByteRange::new(2, 3)), b"cd");
/// assert_eq!(dashkit::source::slice(b"abcdef", ByteRange::new(5, 9)), b"f");
/// assert_eq!(dashkit::source::slice(b"abcdef", ByteRange::new(7, 9)), b"");
/// assert_eq!(dashkit::source::slice(b"abc", None), b"abc");
/// ```
pub fn slice(bytes: &[u8], range: Option<ByteRange>) -> &[u8] {
    let Some(r) = range else { return bytes };
    let start = usize::try_from(r.first())
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    let end = usize::try_from(r.last())
        .unwrap_or(usize::MAX)
        .saturating_add(1)
        .min(bytes.len());
    &bytes[start..end.max(start)]
}

/// Up to `len` bytes of `url` from `offset` (fewer at the end of the file; `None` when there
/// is no such file): a read by offset and length over [`Source::read`], for the readers that
/// walk box headers.
pub(crate) fn read_at(
    source: &mut dyn Source,
    url: &str,
    offset: u64,
    len: u64,
) -> Option<Vec<u8>> {
    if len == 0 {
        return source
            .read(url, ByteRange::new(offset, offset))
            .map(|_| Vec::new());
    }
    let range = ByteRange::new(offset, offset.saturating_add(len - 1));
    let mut bytes = source.read(url, range)?;
    bytes.truncate(usize::try_from(len).unwrap_or(usize::MAX));
    Some(bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn read_at_is_the_old_default_slice() {
        let mut s = WholeFiles(|u: &str| (u == "f").then(|| (0u8..10).collect::<Vec<_>>()));
        assert_eq!(read_at(&mut s, "f", 0, 4), Some(vec![0, 1, 2, 3]));
        assert_eq!(read_at(&mut s, "f", 8, 4), Some(vec![8, 9]));
        assert_eq!(read_at(&mut s, "f", 20, 4), Some(vec![]));
        assert_eq!(read_at(&mut s, "f", 3, 0), Some(vec![]));
        assert_eq!(read_at(&mut s, "f", u64::MAX, u64::MAX), Some(vec![]));
        assert_eq!(read_at(&mut s, "g", 0, 4), None);
    }
}
