//! At most [`IN_FLIGHT_PER_ORIGIN`] attempts in flight to one receiver
//! (scheme, host and port) at once: the others wait their turn, so that
//! the client's kept-alive connections are reused instead of a new
//! connection being opened per webhook when many are pending.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::attempt::IDLE_PER_HOST;

/// Attempts in flight to one origin: as many as the idle connections the
/// client keeps for it.
pub(super) const IN_FLIGHT_PER_ORIGIN: usize = IDLE_PER_HOST;

#[derive(Default)]
pub(super) struct Origins {
    turns: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Origins {
    /// The turns of `url`'s origin.
    pub(super) fn of(&self, url: &reqwest::Url) -> Turns {
        let origin = url.origin().ascii_serialization();
        let mut map = self.turns.lock().unwrap_or_else(PoisonError::into_inner);
        Turns(Arc::clone(map.entry(origin).or_insert_with(|| {
            Arc::new(Semaphore::new(IN_FLIGHT_PER_ORIGIN))
        })))
    }

    /// Waits for a turn to send to `url`'s origin; the turn lasts as long
    /// as the permit.
    #[cfg(test)]
    async fn turn(&self, url: &str) -> Option<OwnedSemaphorePermit> {
        let url = reqwest::Url::parse(url).expect("a test URL");
        self.of(&url).acquire().await
    }
}

/// The turns of one origin.
pub(super) struct Turns(Arc<Semaphore>);

impl Turns {
    /// Waits for a turn; it lasts as long as the permit.
    pub(super) async fn acquire(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.0).acquire_owned().await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_origin_has_a_bounded_number_of_turns_and_others_are_not_held_back() {
        let origins = Origins::default();
        let mut held = Vec::new();
        for n in 0..IN_FLIGHT_PER_ORIGIN {
            held.push(origins.turn(&format!("http://127.0.0.1:9/{n}")).await);
        }
        let next = origins.turn("http://127.0.0.1:9/other-path");
        tokio::pin!(next);
        assert!(
            futures_poll_once(next.as_mut()).await.is_none(),
            "the next turn waits"
        );
        assert!(origins.turn("http://127.0.0.1:10/").await.is_some());
        held.pop();
        assert!(next.await.is_some(), "a turn given back is taken");
    }

    /// Polls `future` once: its output if it is ready.
    async fn futures_poll_once<F: std::future::Future + Unpin>(future: F) -> Option<F::Output> {
        let mut future = future;
        std::future::poll_fn(|cx| {
            std::task::Poll::Ready(match std::pin::Pin::new(&mut future).poll(cx) {
                std::task::Poll::Ready(out) => Some(out),
                std::task::Poll::Pending => None,
            })
        })
        .await
    }
}
