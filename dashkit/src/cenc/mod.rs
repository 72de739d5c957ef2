//! Common Encryption (ISO/IEC 23001-7) of fragmented MP4: schemes `cenc` (AES-128 CTR) and
//! `cbcs` (AES-128 CBC, 1:9 pattern, constant IV), both directions.
//!
//! [`encrypt`] turns clear tracks into protected ones: the init segment's sample entry becomes
//! `encv`/`enca` with a `sinf` (`frma`, `schm`, `schi`/`tenc`) and the `moov` gets a W3C common
//! (ClearKey) `pssh`; every `traf` of a protected track gets `saiz`, `saio` and `senc`, its
//! `trun.data_offset` and the `moof` size follow, and the samples in `mdat` are encrypted.
//! Audio is full-sample encrypted, AVC and HEVC video subsample encrypted (the `nal` module has the
//! layout): each VCL NAL unit's NAL header and slice header stay clear ([`AvcSlices`] and
//! [`HevcSlices`] read them; [`encrypt_with_report`] says where they could not). [`decrypt`] undoes it for either scheme, whoever encrypted. AES comes from the
//! RustCrypto crates (`aes`, `ctr`, `cbc`). Key material never appears in an error or in
//! `Debug` output.
//!
//! ```
//! use dashkit::cenc::{Key, Scheme};
//! let key: Key = "00112233445566778899aabbccddeeff:000102030405060708090a0b0c0d0e0f".parse().unwrap();
//! assert_eq!(key.kid()[0], 0x00);
//! assert!(!format!("{key:?}").contains("0f0e"));
//! assert_eq!("cbcs".parse::<Scheme>().unwrap(), Scheme::Cbcs);
//! ```

mod avc;
pub mod clearkey;
mod file;
mod hevc;
pub(crate) mod nal;
mod rbsp;
pub(crate) mod sample;

pub use avc::{AvcSlices, SliceHeaderError};
pub use file::{decrypt, encrypt, encrypt_with_report, ClearHeaderFallback, EncryptOptions};
pub use hevc::HevcSlices;
pub use sample::Pattern;

use crate::bmff::FourCc;

/// A Common Encryption scheme (ISO/IEC 23001-7 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `cenc`: AES-128 CTR, 8-byte per-sample IVs (§10.1).
    Cenc,
    /// `cbcs`: AES-128 CBC with a 1:9 pattern on video and a constant IV (§10.4).
    Cbcs,
}

impl Scheme {
    /// The scheme's four-character code (`schm.scheme_type`).
    ///
    /// ```
    /// assert_eq!(dashkit::cenc::Scheme::Cenc.fourcc().0, *b"cenc");
    /// ```
    pub fn fourcc(self) -> FourCc {
        FourCc(match self {
            Scheme::Cenc => *b"cenc",
            Scheme::Cbcs => *b"cbcs",
        })
    }
}

impl std::str::FromStr for Scheme {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "cenc" => Ok(Scheme::Cenc),
            "cbcs" => Ok(Scheme::Cbcs),
            _ => Err(Error::UnknownScheme {
                scheme: s.chars().take(16).collect(),
            }),
        }
    }
}

/// A content key and its key id (16 bytes each). `Debug` shows the KID only.
#[derive(Clone, PartialEq, Eq)]
pub struct Key {
    kid: [u8; 16],
    key: [u8; 16],
}

impl Key {
    /// A key from its KID and value.
    ///
    /// ```
    /// let k = dashkit::cenc::Key::new([1; 16], [2; 16]);
    /// assert_eq!(k.kid(), [1; 16]);
    /// ```
    pub fn new(kid: [u8; 16], key: [u8; 16]) -> Self {
        Key { kid, key }
    }

    /// The key id.
    pub fn kid(&self) -> [u8; 16] {
        self.kid
    }

    pub(crate) fn value(&self) -> &[u8; 16] {
        &self.key
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("kid", &hex(&self.kid))
            .field("key", &"<redacted>")
            .finish()
    }
}

/// Lowercase hex of `b`.
pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex16(s: &str, what: &'static str) -> Result<[u8; 16], Error> {
    let s: String = s.chars().filter(|&c| c != '-').collect();
    let bad = || Error::KeyLength {
        what,
        hex_digits: s.len(),
    };
    if s.len() != 32 || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2).ok_or_else(bad)?, 16).map_err(|_| bad())?;
    }
    Ok(out)
}

impl std::str::FromStr for Key {
    type Err = Error;
    /// `KID:KEY`, 32 hex digits each (dashes allowed in the KID, UUID style).
    fn from_str(s: &str) -> Result<Self, Error> {
        let (kid, key) = s.split_once(':').ok_or(Error::KeyLength {
            what: "KID:KEY",
            hex_digits: 0,
        })?;
        Ok(Key {
            kid: unhex16(kid, "KID")?,
            key: unhex16(key, "key")?,
        })
    }
}

/// What went wrong encrypting or decrypting. No variant carries key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input's boxes could not be read or rewritten.
    #[error(transparent)]
    Bmff(#[from] crate::bmff::Error),
    /// A scheme other than `cenc` and `cbcs`.
    #[error("unknown protection scheme {scheme:?} (expected cenc or cbcs)")]
    UnknownScheme {
        /// What was asked for (at most 16 characters).
        scheme: String,
    },
    /// A KID or key that is not 16 bytes (32 hex digits).
    #[error("{what} must be 32 hex digits, got {hex_digits} characters")]
    KeyLength {
        /// `KID`, `key` or `KID:KEY`.
        what: &'static str,
        /// How many characters were given (never the characters).
        hex_digits: usize,
    },
    /// The track to encrypt is already protected.
    #[error("track {track_id} is already encrypted")]
    AlreadyEncrypted {
        /// Its track_ID.
        track_id: u32,
    },
    /// A video codec dashkit cannot subsample-encrypt (only AVC and HEVC).
    #[error("track {track_id}: codec {fourcc} cannot be subsample-encrypted (AVC and HEVC can)")]
    UnsupportedCodec {
        /// Its track_ID.
        track_id: u32,
        /// Its sample entry type.
        fourcc: FourCc,
    },
    /// No track matches (the `--track` asked for, or none protected with this KID).
    #[error("no track to {action}{}", track_id.map(|t| format!(" with track_ID {t}")).unwrap_or_default())]
    NoTrack {
        /// `encrypt` or `decrypt`.
        action: &'static str,
        /// The track asked for.
        track_id: Option<u32>,
    },
    /// A media segment without its init segment.
    #[error("a media segment needs its init segment (no moov)")]
    MissingInit,
    /// A layout dashkit does not rewrite.
    #[error("at byte {offset}: unsupported {what}")]
    Unsupported {
        /// What.
        what: &'static str,
        /// Where.
        offset: u64,
    },
    /// Subsamples that do not add up to their sample.
    #[error("subsamples cover {subsample_bytes} bytes of a {sample_bytes}-byte sample")]
    SubsampleMismatch {
        /// Sample size.
        sample_bytes: u64,
        /// Sum of the subsamples.
        subsample_bytes: u64,
    },
    /// A NAL unit length that runs past its sample.
    #[error("NAL unit length at byte {at} of a sample runs past the sample")]
    BadNalLength {
        /// Offset within the sample.
        at: u64,
    },
}
