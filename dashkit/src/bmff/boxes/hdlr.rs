//! `hdlr`: handler reference (§8.4.3).

use super::*;

/// `hdlr` (§8.4.3): handler type (`vide`, `soun`, `text`, `subt`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hdlr {
    /// `handler_type`.
    pub handler_type: FourCc,
    /// `name` (lossy UTF-8, up to the first NUL).
    pub name: String,
}

impl Hdlr {
    /// Decodes a whole `hdlr` box.
    pub fn parse(data: &[u8], offset: u64) -> Result<Self, Error> {
        let (mut r, _, _) = full_box(data, offset, b"hdlr", path!(b"hdlr"), 0)?;
        r.skip(4)?;
        let handler_type = FourCc(r.array()?);
        r.skip(12)?;
        let rest = r.rest();
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        Ok(Hdlr {
            handler_type,
            name: String::from_utf8_lossy(rest.get(..end).unwrap_or(&[])).into_owned(),
        })
    }
}
