//! The response body: a list of byte buffers written with vectored writes (segment headers
//! plus slices of the cached VoD file, no copy of media bytes), or a stream fed by a task
//! (large files, chunked low-latency delivery).

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::sync::mpsc;

/// A response body.
pub enum Body {
    /// Known buffers; the length is exact.
    Parts {
        /// What is left to send.
        parts: VecDeque<Bytes>,
        /// Bytes left.
        remaining: u64,
    },
    /// Buffers as a producer sends them; `len` when known in advance.
    Stream {
        /// The producer's end.
        rx: mpsc::Receiver<std::io::Result<Bytes>>,
        /// Total length if known.
        len: Option<u64>,
    },
}

impl Body {
    /// No bytes.
    pub fn empty() -> Body {
        Body::Parts {
            parts: VecDeque::new(),
            remaining: 0,
        }
    }

    /// One buffer.
    pub fn full(b: impl Into<Bytes>) -> Body {
        Body::parts(vec![b.into()])
    }

    /// Several buffers, sent in order.
    pub fn parts(parts: Vec<Bytes>) -> Body {
        let remaining = parts.iter().map(|p| p.len() as u64).sum();
        Body::Parts {
            parts: parts.into_iter().filter(|p| !p.is_empty()).collect(),
            remaining,
        }
    }

    /// The exact length, when known.
    pub fn len(&self) -> Option<u64> {
        match self {
            Body::Parts { remaining, .. } => Some(*remaining),
            Body::Stream { len, .. } => *len,
        }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            Body::Parts { parts, remaining } => Poll::Ready(parts.pop_front().map(|b| {
                *remaining = remaining.saturating_sub(b.len() as u64);
                Ok(Frame::data(b))
            })),
            Body::Stream { rx, .. } => rx.poll_recv(cx).map(|o| o.map(|r| r.map(Frame::data))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Parts { parts, .. } => parts.is_empty(),
            Body::Stream { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self.len() {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
}
