//! ClearKey license requests (`POST /livesim/…/eccp.json`): the body is read, bounded in size
//! and time, and answered by [`dashkit::origin::license::answer`].

use std::time::Duration;

use bytes::Bytes;
use hyper::Response;

use dashkit::live::http::HttpResponse;
use dashkit::origin::license::{answer, MAX_LICENSE_REQUEST_BYTES};

use super::body::Body;
use super::handler::to_hyper;

/// Longest a client may take to send a license request's body.
const BODY_TIMEOUT: Duration = Duration::from_secs(5);

/// Reads at most `MAX_LICENSE_REQUEST_BYTES + 1` bytes of `body` (one more shows it is too
/// long) and answers the request.
pub async fn license<B>(mut body: B) -> Response<Body>
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    let mut got: Vec<u8> = Vec::new();
    let read = async {
        while got.len() <= MAX_LICENSE_REQUEST_BYTES {
            match std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await {
                Some(Ok(f)) => {
                    if let Some(d) = f.data_ref() {
                        let room = MAX_LICENSE_REQUEST_BYTES + 1 - got.len();
                        got.extend_from_slice(&d[..d.len().min(room)]);
                    }
                }
                Some(Err(_)) => return false,
                None => break,
            }
        }
        true
    };
    match tokio::time::timeout(BODY_TIMEOUT, read).await {
        Ok(true) => to_hyper(answer(&got), &[]),
        Ok(false) => to_hyper(
            HttpResponse::text(400, "license request body unreadable"),
            &[],
        ),
        Err(_) => to_hyper(
            HttpResponse::text(408, "license request body too slow"),
            &[],
        ),
    }
}
