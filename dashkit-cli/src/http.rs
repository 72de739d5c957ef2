//! A small, bounded HTTP/1.1 GET client for `validate URL` (hyper's client connection over a
//! tokio TCP stream; the library stays free of IO). Plain `http://` only; every request is
//! bounded in time ([`REQUEST_TIMEOUT`]) and size ([`MAX_RESPONSE_BYTES`]).

use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::TokioIo;

/// Longest one request (connect, headers and body) may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// Largest response body accepted (256 MiB): larger is an error, not an allocation.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024 * 1024;

/// A client with its own single-threaded runtime.
pub struct Client {
    runtime: tokio::runtime::Runtime,
}

impl Client {
    /// A client, or the IO error of making its runtime.
    pub fn new() -> std::io::Result<Client> {
        Ok(Client {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
        })
    }

    /// The body of `url` (an inclusive byte `range` when given), or why not. A 200 or 206 is
    /// success; anything else is an error naming the status.
    pub fn get(&self, url: &str, range: Option<(u64, u64)>) -> Result<Vec<u8>, String> {
        self.runtime.block_on(async {
            tokio::time::timeout(REQUEST_TIMEOUT, fetch(url, range))
                .await
                .map_err(|_| format!("{url}: no complete answer within {REQUEST_TIMEOUT:?}"))?
        })
    }
}

/// Whether `s` is an `http://` URL this client can fetch.
pub fn is_http(s: &str) -> bool {
    s.get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("http://"))
}

async fn fetch(url: &str, range: Option<(u64, u64)>) -> Result<Vec<u8>, String> {
    let uri: hyper::Uri = url.parse().map_err(|e| format!("{url}: {e}"))?;
    if uri.scheme_str() != Some("http") {
        return Err(format!("{url}: only http:// URLs are fetched"));
    }
    let host = uri
        .host()
        .ok_or_else(|| format!("{url}: no host"))?
        .to_owned();
    let port = uri.port_u16().unwrap_or(80);
    let stream = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    tokio::spawn(conn);
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let authority = uri.authority().map_or(host.clone(), |a| a.to_string());
    let mut req = hyper::Request::get(path)
        .header(hyper::header::HOST, authority)
        .header(hyper::header::USER_AGENT, "dashkit-validate");
    if let Some((first, last)) = range {
        req = req.header(hyper::header::RANGE, format!("bytes={first}-{last}"));
    }
    let req = req.body(String::new()).map_err(|e| format!("{url}: {e}"))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let status = resp.status();
    if !(status == hyper::StatusCode::OK || status == hyper::StatusCode::PARTIAL_CONTENT) {
        return Err(format!("{url}: HTTP {status}"));
    }
    read_body(resp.into_body(), url).await
}

async fn read_body(mut body: Incoming, url: &str) -> Result<Vec<u8>, String> {
    use http_body::Body;
    let mut out = Vec::new();
    loop {
        let frame = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await;
        match frame {
            None => return Ok(out),
            Some(Err(e)) => return Err(format!("{url}: {e}")),
            Some(Ok(f)) => {
                if let Ok(data) = f.into_data() {
                    if out.len() + data.len() > MAX_RESPONSE_BYTES {
                        return Err(format!(
                            "{url}: response larger than {MAX_RESPONSE_BYTES} bytes"
                        ));
                    }
                    out.extend_from_slice(&data);
                }
            }
        }
    }
}
