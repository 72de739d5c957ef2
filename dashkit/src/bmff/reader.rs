//! A bounds-checked big-endian cursor over a box's bytes whose errors carry the absolute
//! offset of the field and the box path.

use super::{Error, ErrorKind};

/// Cursor over `data`, whose first byte sits at absolute offset `base`.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    base: u64,
    path: &'a str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8], base: u64, path: &'a str) -> Self {
        Reader {
            data,
            pos: 0,
            base,
            path,
        }
    }

    /// Absolute offset of the next byte.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The bytes not read yet, without consuming them.
    pub(crate) fn peek(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or(&[])
    }

    pub(crate) fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    pub(crate) fn err(&self, kind: ErrorKind) -> Error {
        Error::new(self.offset(), self.path, kind)
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        match end.and_then(|e| self.data.get(self.pos..e).map(|s| (e, s))) {
            Some((e, s)) => {
                self.pos = e;
                Ok(s)
            }
            None => Err(self.err(ErrorKind::Truncated {
                needed: n as u64,
                available: self.remaining() as u64,
            })),
        }
    }

    pub(crate) fn skip(&mut self, n: usize) -> Result<(), Error> {
        self.bytes(n).map(|_| ())
    }

    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let s = self.data.get(self.pos..).unwrap_or(&[]);
        self.pos = self.data.len();
        s
    }

    pub(crate) fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, Error> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u24(&mut self) -> Result<u32, Error> {
        let [a, b, c] = self.array()?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn i32(&mut self) -> Result<i32, Error> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    pub(crate) fn i64(&mut self) -> Result<i64, Error> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    /// u32 for version 0, u64 for version 1.
    pub(crate) fn u32_or_u64(&mut self, wide: bool) -> Result<u64, Error> {
        if wide {
            self.u64()
        } else {
            self.u32().map(u64::from)
        }
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let s = self.bytes(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }

    /// A NUL-terminated UTF-8 string (lossy), without the NUL.
    pub(crate) fn cstring(&mut self) -> Result<String, Error> {
        let rest = self.data.get(self.pos..).unwrap_or(&[]);
        match rest.iter().position(|&b| b == 0) {
            Some(n) => {
                let s = String::from_utf8_lossy(rest.get(..n).unwrap_or(&[])).into_owned();
                self.pos += n + 1;
                Ok(s)
            }
            None => Err(self.err(ErrorKind::Truncated {
                needed: rest.len() as u64 + 1,
                available: rest.len() as u64,
            })),
        }
    }

    /// Checks that `count` records of `record_len` bytes fit in the remaining bytes.
    pub(crate) fn check_count(
        &self,
        field: &'static str,
        count: u64,
        record_len: u64,
    ) -> Result<usize, Error> {
        let needed = count.saturating_mul(record_len);
        let available = self.remaining() as u64;
        if needed > available {
            return Err(self.err(ErrorKind::CountPastEnd {
                field,
                count,
                needed,
                available,
            }));
        }
        usize::try_from(count).map_err(|_| {
            self.err(ErrorKind::Overflow {
                field,
                value: count,
            })
        })
    }
}
