//! The webhook inbox: an HTTP receiver that takes the webhooks Veriff (or the
//! embedded mock) posts, and a bounded store of what arrived, which webhook
//! steps await.
//!
//! - `kind.rs`: telling a webhook's type and session apart by its payload's
//!   shape (there is no event-type header);
//! - `store.rs`: the bounded store, whose waiters are woken on arrival;
//! - `listen.rs`: the HTTP receiver (POST on any path, answered 200, bodies
//!   read within a bound).
//!
//! It uses no other module of the crate: the scenario model names a
//! webhook's type with [`WebhookKind`], execution awaits webhooks in an
//! [`Inbox`], and a run starts the [`WebhookReceiver`].

pub mod kind;
pub mod listen;
pub mod store;
