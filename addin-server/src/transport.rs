//! What one connection may take from the server, below HTTP: how many connections are open at
//! once, how long one may stay silent, how long its headers and its TLS handshake may take,
//! and what HTTP/1 and HTTP/2 allow on it.
//!
//! Without these a client that opens sockets and sends nothing, or trickles its headers a byte
//! at a time, holds a file descriptor and a task for as long as it likes; enough of them and the
//! process runs out of files, so `/healthz` and the database fail together. Here every
//! connection holds a permit of a fixed pool ([`Transport::max_connections`]) and is closed
//! when nothing has moved in either direction for [`Transport::idle`]; one arriving when the
//! pool is empty is closed at once, so the process keeps the files it needs for itself.
//!
//! Hyper's own header-read timeout bounds the time from the start of a request's head to its
//! end, whether the connection is new or kept alive, so trickling defeats the idle timer only
//! until then.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum_server::accept::Accept;
use hyper_util::rt::TokioTimer;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// The longest a request head may take, and a TLS handshake, when the idle timeout is longer.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Bytes hyper buffers per HTTP/1 connection (request line and headers must fit).
const H1_MAX_BUFFER: usize = 64 * 1024;
/// Headers in one HTTP/1 request.
const H1_MAX_HEADERS: usize = 64;
/// Streams one HTTP/2 connection may run at once.
const H2_MAX_STREAMS: u32 = 64;
/// Bytes of headers in one HTTP/2 request (after decompression).
const H2_MAX_HEADER_LIST: u32 = 32 * 1024;
/// Streams a client may open and reset before the connection is closed (the "rapid reset"
/// attack).
const H2_MAX_PENDING_RESETS: usize = 20;
/// Files the process keeps for itself (database, logs, outgoing HTTPS) beyond connections: a
/// quarter of the limit, at most this many.
const RESERVED_FILES: u64 = 256;

/// The connection limits of one server.
#[derive(Debug, Clone)]
pub struct Transport {
    permits: Arc<Semaphore>,
    max_connections: usize,
    idle: Duration,
}

impl Transport {
    /// Limits for at most `max_connections` at once (lowered to what the file limit allows)
    /// and connections closed after `idle` without traffic.
    pub fn new(max_connections: usize, idle: Duration) -> Self {
        let max_connections = max_connections
            .min(connections_the_file_limit_allows())
            .max(1);
        Transport {
            permits: Arc::new(Semaphore::new(max_connections)),
            max_connections,
            idle,
        }
    }

    /// How many connections may be open at once.
    pub fn max_connections(&self) -> usize {
        self.max_connections
    }

    /// How long a connection may stay silent in both directions.
    pub fn idle(&self) -> Duration {
        self.idle
    }

    /// How long a request head, or a TLS handshake, may take.
    pub fn head_timeout(&self) -> Duration {
        self.idle.min(HEAD_TIMEOUT)
    }

    /// Sets the HTTP/1 and HTTP/2 limits on a server's connection builder.
    pub fn configure<E>(&self, builder: &mut hyper_util::server::conn::auto::Builder<E>) {
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(self.head_timeout())
            .max_buf_size(H1_MAX_BUFFER)
            .max_headers(H1_MAX_HEADERS);
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_concurrent_streams(H2_MAX_STREAMS)
            .max_header_list_size(H2_MAX_HEADER_LIST)
            .max_pending_accept_reset_streams(H2_MAX_PENDING_RESETS)
            .keep_alive_interval(self.idle / 2)
            .keep_alive_timeout(self.head_timeout());
    }
}

/// Raises this process's soft limit on open files to its hard limit, and returns the soft
/// limit now in force (the connection pool is sized below it).
pub fn raise_file_limit() -> io::Result<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        limit.current = limit.maximum;
        setrlimit(Resource::Nofile, limit).map_err(io::Error::from)?;
    }
    Ok(getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX))
}

fn connections_the_file_limit_allows() -> usize {
    let soft = rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .current
        .unwrap_or(u64::MAX);
    usize::try_from(soft.saturating_sub((soft / 4).min(RESERVED_FILES)).max(1))
        .unwrap_or(usize::MAX)
}

impl<S: Send + 'static> Accept<TcpStream, S> for Transport {
    type Stream = Guarded<TcpStream>;
    type Service = S;
    type Future = std::future::Ready<io::Result<(Self::Stream, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() else {
            // Dropping the stream closes it: the pool is full.
            tracing::warn!(
                target: "security",
                max_connections = self.max_connections,
                "connection refused: every connection slot is taken"
            );
            return std::future::ready(Err(io::Error::other("connection limit reached")));
        };
        // Small answers go out at once rather than waiting for more to send.
        let _ = stream.set_nodelay(true);
        std::future::ready(Ok((Guarded::new(stream, permit, self.idle), service)))
    }
}

/// A connection that holds its slot of the pool and fails once idle for too long.
///
/// Bytes moving only note the time; the timer is armed once per idle period and, when it fires
/// after activity, re-armed for what is left. Resetting it on every read and write would touch
/// the timer wheel several times per request.
#[derive(Debug)]
pub struct Guarded<T> {
    inner: T,
    _permit: OwnedSemaphorePermit,
    idle: Duration,
    /// When bytes last moved either way.
    last: Instant,
    deadline: Pin<Box<Sleep>>,
}

impl<T> Guarded<T> {
    fn new(inner: T, permit: OwnedSemaphorePermit, idle: Duration) -> Self {
        Guarded {
            inner,
            _permit: permit,
            idle,
            last: Instant::now(),
            deadline: Box::pin(tokio::time::sleep(idle)),
        }
    }

    /// What a poll of the inner stream means for the connection: bytes moved (`moved` of the
    /// result) note the time; a pending operation fails once the connection is idle too long.
    fn settle<R>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<R>>,
        moved: impl FnOnce(&R) -> bool,
    ) -> Poll<io::Result<R>> {
        match polled {
            Poll::Ready(Ok(r)) => {
                if moved(&r) {
                    self.last = Instant::now();
                }
                Poll::Ready(Ok(r))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => self.pending_or_timed_out(cx),
        }
    }

    /// Turns a pending operation into an error once the connection has been idle too long.
    fn pending_or_timed_out<R>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<R>> {
        loop {
            if self.deadline.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let due = self.last + self.idle;
            if due <= Instant::now() {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "connection idle for too long",
                )));
            }
            // Bytes moved since the timer was armed: wait for the rest of the period.
            self.deadline.as_mut().reset(due);
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Guarded<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        let moved = buf.filled().len() > before;
        this.settle(cx, polled, |()| moved)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Guarded<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, data);
        this.settle(cx, polled, |n| *n > 0)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.settle(cx, polled, |n| *n > 0)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn a_silent_connection_fails_after_the_idle_time_and_traffic_keeps_it_open() {
        let permits = Arc::new(Semaphore::new(1));
        let (client, server) = tokio::io::duplex(64);
        let mut guarded = Guarded::new(
            server,
            Arc::clone(&permits).try_acquire_owned().unwrap(),
            Duration::from_millis(300),
        );
        let mut client = client;
        assert!(
            permits.clone().try_acquire_owned().is_err(),
            "the slot is held"
        );
        let reader = tokio::spawn(async move {
            let mut got = Vec::new();
            let mut byte = [0u8; 1];
            loop {
                match guarded.read(&mut byte).await {
                    Ok(0) => return (got, None),
                    Ok(_) => got.push(byte[0]),
                    Err(e) => return (got, Some(e.kind())),
                }
            }
        });
        // Bytes every 100 ms keep it open well past the idle time.
        for b in b"abcdef" {
            client.write_all(&[*b]).await.unwrap();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (got, error) = reader.await.unwrap();
        assert_eq!(got, b"abcdef");
        assert_eq!(error, Some(io::ErrorKind::TimedOut));
        assert!(
            permits.try_acquire_owned().is_ok(),
            "the slot is given back with the connection"
        );
    }

    #[test]
    fn the_head_timeout_is_never_longer_than_the_idle_time() {
        let short = Transport::new(10, Duration::from_secs(2));
        assert_eq!(short.head_timeout(), Duration::from_secs(2));
        let long = Transport::new(10, Duration::from_secs(120));
        assert_eq!(long.head_timeout(), HEAD_TIMEOUT);
    }
}
