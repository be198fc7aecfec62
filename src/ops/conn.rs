//! One HTTP/1 connection of [`super::direct`], driven by the task that sends on it instead of a
//! task of its own. With a task per connection every request crossed tasks three times (the
//! request to the connection's task, the socket's readiness to it, the response back); here the
//! worker writes its request, reads the answer and hands over the body in its own polls.
//!
//! Two polls of the connection per request: one writes the request, one (when the socket is
//! readable) reads the answer, hands over the head and the body, and makes the connection idle
//! and ready for the next request again. What the connection's task used to notice on its own is
//! noticed on the next request's first poll, which reads before it writes: a connection the
//! server closed while it sat idle reads its end of stream there (the socket's readiness was
//! recorded by the runtime's I/O driver meanwhile, with or without a waker), ends without
//! writing, and hands the request back unsent, to go on the next connection as before. A
//! connection that is dropped (a timeout, a failed body, a full pool) closes its socket at once.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http_body_util::Full;
use hyper::client::conn::http1::{Connection, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

pub(super) type Sender = SendRequest<Full<Bytes>>;
type Driver = Connection<TokioIo<TcpStream>, Full<Bytes>>;

pub(super) struct Conn {
    pub(super) sender: Sender,
    /// `None` once the connection ended (closed by either side, or failed): dropping hyper's
    /// side of it hands every pending request and body back, failed or unsent.
    driver: Option<Driver>,
}

impl Conn {
    pub(super) fn new(sender: Sender, driver: Driver) -> Self {
        Conn {
            sender,
            driver: Some(driver),
        }
    }

    /// Lets the connection read what came and write what is queued; false once it has ended.
    fn poll_driver(&mut self, cx: &mut Context<'_>) -> bool {
        if let Some(driver) = self.driver.as_mut()
            && Pin::new(driver).poll(cx).is_ready()
        {
            // Ended cleanly or with an error; a pending request already got that error.
            self.driver = None;
        }
        self.driver.is_some()
    }

    /// Drives the connection until `fut` (a response or a body read on it) is ready. `fut` can
    /// only advance when the connection is polled or has ended (hyper's callback and body
    /// channel are filled by the connection alone), so while the connection lives `fut` is
    /// polled with a no-op waker: a wake-up from it would only poll this task once more for
    /// nothing. The connection's own wakers (socket readiness) are this task's. `fut` is
    /// polled first: a body that came with its head is there without polling the connection.
    pub(super) async fn drive<F: Future>(&mut self, fut: F) -> F::Output {
        let mut fut = pin!(fut);
        poll_fn(|cx| {
            let mut noop = Context::from_waker(Waker::noop());
            if self.driver.is_some()
                && let Poll::Ready(out) = fut.as_mut().poll(&mut noop)
            {
                return Poll::Ready(out);
            }
            if self.poll_driver(cx) {
                fut.as_mut().poll(&mut noop)
            } else {
                fut.as_mut().poll(cx)
            }
        })
        .await
    }

    /// Whether a request can go on this connection: it has not ended and has finished its
    /// previous exchange (at once after a whole exchange; else the connection is driven until
    /// it has, or ends).
    pub(super) async fn ready(&mut self) -> bool {
        if self.driver.is_some() && self.sender.is_ready() {
            return true;
        }
        poll_fn(|cx| {
            if !self.poll_driver(cx) {
                return Poll::Ready(false);
            }
            self.sender.poll_ready(cx).map(|r| r.is_ok())
        })
        .await
    }

    /// Whether it has not ended (an answer with `Connection: close` ends it once read).
    pub(super) fn is_open(&self) -> bool {
        self.driver.is_some()
    }
}
