//! A bounds-checked MSB-first bit reader for the configuration records.

pub(super) struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> BitReader<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        BitReader { data, pos: 0 }
    }

    /// The next `n` (at most 32) bits, or `None` past the end.
    pub(super) fn bits(&mut self, n: usize) -> Option<u32> {
        if n > 32 || self.pos.checked_add(n)? > self.data.len() * 8 {
            return None;
        }
        let mut v = 0u32;
        for _ in 0..n {
            let byte = self.data[self.pos / 8];
            v = (v << 1) | u32::from((byte >> (7 - self.pos % 8)) & 1);
            self.pos += 1;
        }
        Some(v)
    }

    /// Skips `n` bits; `None` past the end.
    pub(super) fn skip(&mut self, n: usize) -> Option<()> {
        let end = self.pos.checked_add(n)?;
        if end > self.data.len() * 8 {
            return None;
        }
        self.pos = end;
        Some(())
    }

    /// Moves to the next byte boundary.
    pub(super) fn align(&mut self) {
        self.pos = self.pos.div_ceil(8) * 8;
    }

    /// The byte offset (after [`BitReader::align`]).
    pub(super) fn byte_pos(&self) -> usize {
        self.pos / 8
    }
}

/// An unsigned LEB128 value (AV1/IAMF `leb128()`: at most 8 bytes) and its length.
pub(super) fn leb128(data: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &b) in data.iter().take(8).enumerate() {
        v |= u64::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}
