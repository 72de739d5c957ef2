//! Box builders for the unit tests (compiled only under `cfg(test)`).

/// A box: 32-bit size, type, payload.
pub(crate) fn bx(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(payload);
    v
}

/// A full box: version, 24-bit flags, then `body`.
pub(crate) fn full(kind: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
    let mut p = flags.to_be_bytes().to_vec();
    p[0] = version;
    p.extend_from_slice(body);
    bx(kind, &p)
}

/// Big-endian 32-bit words.
pub(crate) fn u32s(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_be_bytes()).collect()
}
