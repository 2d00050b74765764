//! How long a connection may keep the server waiting: its socket wrapped in [`Guarded`], which
//! fails a read (hyper then closes the connection) when
//! - a request's header has not fully arrived `header` after the connection opened or after the
//!   request's first byte (a client that connects and sends nothing, or dribbles a header:
//!   slowloris), or
//! - a keep-alive connection has sent nothing for `idle` since its last response.
//!
//! While one of the connection's requests is being answered (its [`Activity`] is busy: the
//! handler runs, or reads the body under its own timeout) no deadline applies.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// The two waits a connection is allowed.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// From the connection's opening, or a request's first byte, to the end of its header.
    pub header: Duration,
    /// From the end of a response to the next request's first byte.
    pub idle: Duration,
}

/// One connection's requests being answered, and whether a deadline closed it (shared by its
/// socket, its service and whoever runs it).
#[derive(Debug, Default)]
pub struct Activity {
    answering: AtomicUsize,
    timed_out: AtomicBool,
}

impl Activity {
    /// Marks a request as being answered until the guard is dropped.
    pub fn begin(self: &Arc<Self>) -> Busy {
        self.answering.fetch_add(1, Ordering::Relaxed);
        Busy(Arc::clone(self))
    }

    fn busy(&self) -> bool {
        self.answering.load(Ordering::Relaxed) > 0
    }

    /// Whether a deadline passed (hyper closes an idle keep-alive connection whose read fails
    /// without reporting an error).
    pub fn timed_out(&self) -> bool {
        self.timed_out.load(Ordering::Relaxed)
    }
}

/// A request being answered (see [`Activity::begin`]).
#[derive(Debug)]
pub struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.answering.fetch_sub(1, Ordering::Relaxed);
    }
}

/// What the connection waits for, since when.
#[derive(Debug, Clone, Copy)]
enum Waiting {
    /// The (rest of the) header of a request.
    Header(Instant),
    /// The next request, after a response.
    Idle(Instant),
}

/// A socket with the deadlines of [`Timeouts`].
pub struct Guarded<I> {
    io: I,
    timeouts: Timeouts,
    activity: Arc<Activity>,
    waiting: Waiting,
    /// Fires no later than the current deadline (re-armed, never reset per request).
    timer: Pin<Box<Sleep>>,
}

impl<I> Guarded<I> {
    /// Wraps a just-accepted socket.
    pub fn new(io: I, timeouts: Timeouts, activity: Arc<Activity>) -> Self {
        let now = Instant::now();
        Self {
            io,
            timeouts,
            activity,
            waiting: Waiting::Header(now),
            timer: Box::pin(tokio::time::sleep_until(now + timeouts.header)),
        }
    }

    /// The shorter wait: a deadline that starts later cannot come sooner than this from now.
    fn step(&self) -> Duration {
        self.timeouts.header.min(self.timeouts.idle)
    }

    fn deadline(&self) -> Option<Instant> {
        if self.activity.busy() {
            return None;
        }
        Some(match self.waiting {
            Waiting::Header(since) => since + self.timeouts.header,
            Waiting::Idle(since) => since + self.timeouts.idle,
        })
    }

    /// Whether the deadline has passed; otherwise the timer wakes the task by then.
    fn expired(&mut self, cx: &mut Context<'_>) -> Option<io::Error> {
        while self.timer.as_mut().poll(cx).is_ready() {
            let now = Instant::now();
            let next = now + self.step();
            match self.deadline() {
                Some(d) if d <= now => {
                    let (what, after) = match self.waiting {
                        Waiting::Header(_) => ("a request header", self.timeouts.header),
                        Waiting::Idle(_) => {
                            ("the next request (idle keep-alive)", self.timeouts.idle)
                        }
                    };
                    let message = format!("no {what} within {after:?}: connection closed");
                    tracing::debug!("{message}");
                    self.activity.timed_out.store(true, Ordering::Relaxed);
                    return Some(io::Error::new(io::ErrorKind::TimedOut, message));
                }
                Some(d) => self.timer.as_mut().reset(d.min(next)),
                None => self.timer.as_mut().reset(next),
            }
        }
        None
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Guarded<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.io).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    if let Waiting::Idle(_) = self.waiting {
                        self.waiting = Waiting::Header(Instant::now());
                    }
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => match self.expired(cx) {
                Some(e) => Poll::Ready(Err(e)),
                None => Poll::Pending,
            },
            ready => ready,
        }
    }
}

impl<I: AsyncWrite + Unpin> Guarded<I> {
    fn wrote<T>(&mut self, r: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if let Poll::Ready(Ok(_)) = r {
            self.waiting = Waiting::Idle(Instant::now());
        }
        r
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Guarded<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, buf);
        self.wrote(r)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.wrote(r)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const T: Timeouts = Timeouts {
        header: Duration::from_millis(300),
        idle: Duration::from_millis(1500),
    };

    /// At least `after` has passed since `since`, and less than `before`.
    fn waited(since: Instant, after: Duration, before: Duration) {
        let waited = since.elapsed();
        assert!(waited >= after && waited < before, "{waited:?}");
    }

    async fn read(g: &mut Guarded<tokio::io::DuplexStream>) -> io::Result<usize> {
        let mut buf = [0u8; 64];
        g.read(&mut buf).await
    }

    async fn timed_out(g: &mut Guarded<tokio::io::DuplexStream>) {
        let e = read(g).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
    }

    #[tokio::test]
    async fn header_then_idle_deadlines_and_none_while_busy() {
        let (mut client, server) = tokio::io::duplex(1024);
        let activity = Arc::new(Activity::default());
        let mut g = Guarded::new(server, T, Arc::clone(&activity));
        // A silent new connection: closed after the header timeout.
        let started = Instant::now();
        timed_out(&mut g).await;
        waited(started, T.header, T.idle);
        assert!(activity.timed_out());

        let mut g = Guarded::new(g.io, T, Arc::clone(&activity));
        client.write_all(b"GET / HT").await.unwrap();
        assert_eq!(read(&mut g).await.unwrap(), 8);
        // While a request is answered, no deadline.
        let busy = activity.begin();
        let wait = tokio::time::timeout(T.idle + T.header, read(&mut g)).await;
        assert!(wait.is_err(), "no deadline while busy");
        drop(busy);
        // After a response: the idle timeout, counted from the response.
        g.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await.unwrap();
        let answered = Instant::now();
        timed_out(&mut g).await;
        waited(answered, T.idle, T.idle * 3);
    }

    #[tokio::test]
    async fn a_request_after_idling_gets_the_header_timeout_from_its_first_byte() {
        let (mut client, server) = tokio::io::duplex(1024);
        let mut g = Guarded::new(server, T, Arc::new(Activity::default()));
        g.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await.unwrap();
        let answered = Instant::now();
        tokio::time::sleep(T.header + Duration::from_millis(200)).await;
        client.write_all(b"GET").await.unwrap();
        assert_eq!(read(&mut g).await.unwrap(), 3);
        let first_byte = Instant::now();
        timed_out(&mut g).await;
        // Before the idle deadline (from the response) would have come.
        waited(first_byte, T.header, T.idle - (first_byte - answered));
    }
}
