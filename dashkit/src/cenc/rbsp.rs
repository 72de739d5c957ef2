//! A bit reader over the RBSP of one NAL unit (ITU-T H.264 §7.3.1 and §7.4.1, H.265 §7.3.1):
//! MSB first, emulation-prevention bytes (the `03` of `00 00 03`) skipped as they are met,
//! exp-Golomb `ue(v)` and `se(v)` (§9.1). Positions are counted in the NAL unit's own bytes
//! (escapes included), so [`Rbsp::raw_len`] is where a header ends in the stored sample.

use super::avc::SliceHeaderError;

/// Longest exp-Golomb prefix accepted: 31 leading zeros hold every value of a u32 (H.264
/// §9.1: no syntax element needs more).
const MAX_GOLOMB_ZEROS: u32 = 31;

pub(crate) struct Rbsp<'a> {
    nal: &'a [u8],
    /// Index of the next stored byte to load.
    next: usize,
    /// The byte being read and how many of its bits are left.
    cur: u8,
    left: u8,
    /// Zero bytes loaded in a row (an `03` after two of them is an escape).
    zeros: u8,
}

impl<'a> Rbsp<'a> {
    /// A reader at the start of `nal` (its header included: the caller reads or skips it).
    pub(crate) fn new(nal: &'a [u8]) -> Self {
        Rbsp {
            nal,
            next: 0,
            cur: 0,
            left: 0,
            zeros: 0,
        }
    }

    /// The bit position in the stored NAL unit (escapes counted), for errors.
    pub(crate) fn bit(&self) -> u64 {
        (self.next as u64) * 8 - u64::from(self.left)
    }

    /// Stored bytes read so far, a partly read byte counted whole: the length of what has
    /// been read, rounded up to whole bytes, escapes included.
    pub(crate) fn raw_len(&self) -> usize {
        self.next
    }

    fn load(&mut self, what: &'static str) -> Result<(), SliceHeaderError> {
        let truncated = SliceHeaderError::Truncated {
            what,
            bit: self.bit(),
        };
        let mut b = *self.nal.get(self.next).ok_or(truncated.clone())?;
        if self.zeros >= 2 && b == 0x03 {
            self.next += 1;
            self.zeros = 0;
            b = *self.nal.get(self.next).ok_or(truncated)?;
        }
        self.next += 1;
        self.zeros = if b == 0 {
            self.zeros.saturating_add(1)
        } else {
            0
        };
        self.cur = b;
        self.left = 8;
        Ok(())
    }

    /// One bit of element `what`.
    pub(crate) fn flag(&mut self, what: &'static str) -> Result<bool, SliceHeaderError> {
        if self.left == 0 {
            self.load(what)?;
        }
        self.left -= 1;
        Ok((self.cur >> self.left) & 1 == 1)
    }

    /// `u(n)`, `n` at most 32.
    pub(crate) fn bits(&mut self, n: u32, what: &'static str) -> Result<u32, SliceHeaderError> {
        if n > 32 {
            return Err(SliceHeaderError::OutOfRange {
                what,
                value: u64::from(n),
                bit: self.bit(),
            });
        }
        let mut v = 0u64;
        for _ in 0..n {
            v = (v << 1) | u64::from(self.flag(what)?);
        }
        Ok(v as u32)
    }

    /// Skips `n` bits (bounded by what is left: a count past the end is an error at once).
    pub(crate) fn skip(&mut self, n: u64, what: &'static str) -> Result<(), SliceHeaderError> {
        let stored_left = (self.nal.len() - self.next.min(self.nal.len())) as u64 * 8;
        if n > stored_left + u64::from(self.left) {
            return Err(SliceHeaderError::Truncated {
                what,
                bit: self.bit(),
            });
        }
        for _ in 0..n {
            self.flag(what)?;
        }
        Ok(())
    }

    /// `ue(v)`.
    pub(crate) fn ue(&mut self, what: &'static str) -> Result<u32, SliceHeaderError> {
        let at = self.bit();
        let mut zeros = 0u32;
        while !self.flag(what)? {
            zeros += 1;
            if zeros > MAX_GOLOMB_ZEROS {
                return Err(SliceHeaderError::OutOfRange {
                    what,
                    value: u64::from(zeros),
                    bit: at,
                });
            }
        }
        let rest = self.bits(zeros, what)?;
        // At most (2^31 - 1) + (2^31 - 1): fits.
        Ok(((1u64 << zeros) - 1 + u64::from(rest)) as u32)
    }

    /// `ue(v)` that must be at most `max`.
    pub(crate) fn ue_max(&mut self, max: u32, what: &'static str) -> Result<u32, SliceHeaderError> {
        let bit = self.bit();
        let v = self.ue(what)?;
        if v > max {
            return Err(SliceHeaderError::OutOfRange {
                what,
                value: u64::from(v),
                bit,
            });
        }
        Ok(v)
    }

    /// `se(v)`.
    pub(crate) fn se(&mut self, what: &'static str) -> Result<i64, SliceHeaderError> {
        let k = i64::from(self.ue(what)?);
        Ok(if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_golomb_values() {
        // 1 | 010 | 011 | 00100 | 00101 -> ue 0, 1, 2, 3, 4
        let d = [0b1010_0110, 0b0100_0010, 0b1000_0000];
        let mut r = Rbsp::new(&d);
        for want in 0..5 {
            assert_eq!(r.ue("x").unwrap(), want);
        }
        let mut r = Rbsp::new(&d);
        assert_eq!(r.se("x").unwrap(), 0);
        assert_eq!(r.se("x").unwrap(), 1);
        assert_eq!(r.se("x").unwrap(), -1);
        assert_eq!(r.se("x").unwrap(), 2);
        assert_eq!(r.se("x").unwrap(), -2);
    }

    #[test]
    fn escapes_are_skipped_and_counted_in_the_stored_length() {
        // 00 00 03 01: the RBSP is 00 00 01; 24 bits read end at stored byte 4.
        let d = [0x00, 0x00, 0x03, 0x01, 0xFF];
        let mut r = Rbsp::new(&d);
        assert_eq!(r.bits(16, "x").unwrap(), 0);
        assert_eq!(r.raw_len(), 2);
        assert_eq!(r.bits(8, "x").unwrap(), 1);
        assert_eq!(r.raw_len(), 4);
        assert_eq!(r.bits(1, "x").unwrap(), 1);
        assert_eq!(r.raw_len(), 5);
        assert_eq!(r.bit(), 33);
    }

    #[test]
    fn too_long_and_truncated_codes_are_errors() {
        let zeros = [0u8; 8];
        assert!(matches!(
            Rbsp::new(&zeros).ue("first_mb_in_slice"),
            Err(SliceHeaderError::OutOfRange {
                what: "first_mb_in_slice",
                ..
            })
        ));
        assert!(matches!(
            Rbsp::new(&[0x00, 0x01]).ue("slice_type"),
            Err(SliceHeaderError::Truncated {
                what: "slice_type",
                bit: 16
            })
        ));
        assert!(Rbsp::new(&[0xFF]).skip(9, "x").is_err());
    }
}
