//! Bodies bounded in size and in the wait between two chunks.

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};
use wasmtime_wasi_http::Error;

/// A body cut off past `limit` bytes with `too_big`, and, with `idle`, after that long without a
/// chunk.
pub(super) struct Bounded<B> {
    inner: B,
    seen: u64,
    limit: u64,
    too_big: fn(Option<u64>) -> Error,
    idle: Option<(Duration, Pin<Box<Sleep>>)>,
    /// Logged when the limit is hit: the guest only sees the error code.
    message: String,
}

impl<B> Bounded<B> {
    pub(super) fn new(
        inner: B,
        limit: u64,
        too_big: fn(Option<u64>) -> Error,
        idle: Option<Duration>,
    ) -> Self {
        Self {
            inner,
            seen: 0,
            limit,
            too_big,
            idle: idle.map(|d| (d, Box::pin(tokio::time::sleep(d)))),
            message: String::new(),
        }
    }

    pub(super) fn logging(mut self, message: String) -> Self {
        self.message = message;
        self
    }
}

impl<B> Body for Bounded<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Error>,
{
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.seen += data.len() as u64;
                    if this.seen > this.limit {
                        tracing::warn!("{}", this.message);
                        return Poll::Ready(Some(Err((this.too_big)(Some(this.limit)))));
                    }
                }
                if let Some((idle, sleep)) = &mut this.idle {
                    sleep.as_mut().reset(Instant::now() + *idle);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                if let Some((_, sleep)) = &mut this.idle
                    && sleep.as_mut().poll(cx).is_ready()
                {
                    return Poll::Ready(Some(Err(Error::ConnectionReadTimeout)));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
