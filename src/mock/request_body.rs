//! Reading request bodies: size limit, memory budget, content type and JSON
//! parsing, all answered with JSON errors instead of axum's plain-text
//! rejections.

use std::future::poll_fn;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::http::{HeaderMap, header};
use serde_json::Value;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::errors::ApiError;

/// The budget counts in units of this many bytes, so that any reservation fits
/// the `u32` that [`Semaphore::acquire_many_owned`] takes.
const UNIT: usize = 1024;

/// The memory budget shared by every request of one mock: a semaphore whose
/// permits are KiB of request body (see `MockConfig::body_budget`).
pub(crate) struct BodyBudget {
    permits: Arc<Semaphore>,
    /// Total permits; no reservation asks for more.
    capacity: u32,
    wait: Duration,
    /// How long one body may take to arrive.
    read_timeout: Duration,
}

impl BodyBudget {
    /// A budget of `budget` bytes, raised to `body_limit` so that one body of
    /// the largest accepted size always fits.
    #[cfg(test)]
    pub(crate) fn new(budget: usize, body_limit: usize, wait: Duration) -> Self {
        Self::with_read_timeout(
            budget,
            body_limit,
            wait,
            super::config::DEFAULT_BODY_READ_TIMEOUT,
        )
    }

    /// Like [`BodyBudget::new`], with how long one body may take to arrive.
    pub(crate) fn with_read_timeout(
        budget: usize,
        body_limit: usize,
        wait: Duration,
        read_timeout: Duration,
    ) -> Self {
        let units = budget.max(body_limit).max(1).div_ceil(UNIT);
        let capacity = u32::try_from(units.min(Semaphore::MAX_PERMITS)).unwrap_or(u32::MAX);
        Self {
            permits: Arc::new(Semaphore::new(capacity as usize)),
            capacity,
            wait,
            read_timeout,
        }
    }

    /// Reserves room for `bytes` bytes, waiting at most the configured time;
    /// a JSON 503 when no room is made in that time.
    async fn reserve(&self, bytes: usize) -> Result<Option<OwnedSemaphorePermit>, ApiError> {
        if bytes == 0 {
            return Ok(None);
        }
        let units = u32::try_from(bytes.div_ceil(UNIT))
            .unwrap_or(u32::MAX)
            .min(self.capacity);
        let acquire = Arc::clone(&self.permits).acquire_many_owned(units);
        match tokio::time::timeout(self.wait, acquire).await {
            Ok(Ok(permit)) => Ok(Some(permit)),
            // Timed out (or the semaphore was closed, which never happens).
            Ok(Err(_)) | Err(_) => Err(ApiError::busy()),
        }
    }
}

/// A request body read into memory, with its share of the [`BodyBudget`]; the
/// share is given back when this is dropped (at the end of the handler).
pub(crate) struct HeldBody {
    bytes: Vec<u8>,
    _reservation: Option<OwnedSemaphorePermit>,
}

impl HeldBody {
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Reads the whole body, refusing (JSON 413) anything over `limit` bytes: first
/// by the declared length, then by counting what actually arrives.
///
/// Before reading, it reserves the declared length (or `limit` when none is
/// declared) in `budget`, so bodies held at once never exceed the budget; a
/// request that finds no room in time gets a JSON 503.
pub(crate) async fn read_limited(
    headers: &HeaderMap,
    mut body: Body,
    limit: usize,
    budget: &BodyBudget,
) -> Result<HeldBody, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    // hyper reports a `Content-Length` body's exact size; a chunked body has none.
    let exact = body.size_hint().exact();
    if declared.is_some_and(|length| length > limit as u64)
        || exact.is_some_and(|length| length > limit as u64)
    {
        return Err(ApiError::payload_too_large());
    }
    // Never more than `limit`, so the conversion cannot fail.
    let reserved = exact.map_or(limit, |length| usize::try_from(length).unwrap_or(limit));
    let reservation = budget.reserve(reserved).await?;
    let mut collected: Vec<u8> = Vec::with_capacity(if exact.is_some() { reserved } else { 0 });
    let read = async {
        while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            // A transport error mid-body: the client is gone or broke framing; it
            // gets a JSON 400 if it is still listening.
            let frame = frame.map_err(|_| ApiError::malformed_json())?;
            if let Ok(data) = frame.into_data() {
                // Not more than was reserved (which is at most `limit`).
                if collected.len().saturating_add(data.len()) > reserved {
                    return Err(ApiError::payload_too_large());
                }
                collected.extend_from_slice(&data);
            }
        }
        Ok(())
    };
    // A stalled upload gives its share of the budget back after the deadline.
    tokio::time::timeout(budget.read_timeout, read)
        .await
        .map_err(|_| ApiError::body_timeout())??;
    Ok(HeldBody {
        bytes: collected,
        _reservation: reservation,
    })
}

/// docs/veriff-api.md, section 2: `Content-Type: application/json` on requests
/// with a body. Mock choice: a content type that is not JSON
/// (`application/json` or `application/*+json`, parameters ignored) gets 415;
/// a missing content type is accepted only with an empty body, which then
/// fails JSON parsing like any other non-JSON body.
pub(crate) fn check_json_content_type(headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
    match headers.get(header::CONTENT_TYPE) {
        None if body.is_empty() => Ok(()),
        None => Err(ApiError::unsupported_media_type()),
        Some(value) => {
            let essence = value
                .to_str()
                .ok()
                .and_then(|text| text.split(';').next())
                .map(|mime| mime.trim().to_ascii_lowercase())
                .unwrap_or_default();
            let is_json = essence == "application/json"
                || (essence.starts_with("application/") && essence.ends_with("+json"));
            if is_json {
                Ok(())
            } else {
                Err(ApiError::unsupported_media_type())
            }
        }
    }
}

/// Parses a JSON body; `None` when it is not JSON.
pub(crate) fn parse_json(body: &[u8]) -> Option<Value> {
    serde_json::from_slice(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_type(value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(value).expect("test header"),
        );
        map
    }

    #[test]
    fn json_content_types_are_recognised() {
        assert!(check_json_content_type(&with_type("application/json"), b"{}").is_ok());
        assert!(
            check_json_content_type(&with_type("Application/JSON; charset=utf-8"), b"{}").is_ok()
        );
        assert!(check_json_content_type(&with_type("application/merge-patch+json"), b"{}").is_ok());
        assert!(check_json_content_type(&with_type("text/plain"), b"{}").is_err());
        assert!(check_json_content_type(&HeaderMap::new(), b"{}").is_err());
        assert!(check_json_content_type(&HeaderMap::new(), b"").is_ok());
    }

    fn budget(bytes: usize, wait_ms: u64) -> BodyBudget {
        BodyBudget::new(bytes, 0, Duration::from_millis(wait_ms))
    }

    /// A body that does not declare its length, like a chunked one.
    fn unsized_body(bytes: &'static [u8]) -> Body {
        Body::from_stream(Body::from(bytes).into_data_stream())
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused_by_size_and_by_count() {
        let room = budget(1 << 20, 10);
        let err = read_limited(&HeaderMap::new(), Body::from(vec![b'a'; 11]), 10, &room).await;
        assert_eq!(err.err(), Some(ApiError::payload_too_large()));
        let ok = read_limited(&HeaderMap::new(), Body::from(vec![b'a'; 10]), 10, &room).await;
        assert_eq!(ok.map(|b| b.bytes().len()).ok(), Some(10));
        assert_eq!(unsized_body(b"a").size_hint().exact(), None);
        let err = read_limited(&HeaderMap::new(), unsized_body(b"aaaaaaaaaaa"), 10, &room).await;
        assert_eq!(err.err(), Some(ApiError::payload_too_large()));
    }

    #[tokio::test]
    async fn held_bodies_use_the_budget_until_dropped() {
        // Room for two KiB: a 2 KiB body fills it, the next body waits, in vain.
        let room = budget(2 * UNIT, 50);
        let first = read_limited(
            &HeaderMap::new(),
            Body::from(vec![b'a'; 2 * UNIT]),
            4 * UNIT,
            &room,
        )
        .await
        .expect("fits");
        let refused = read_limited(
            &HeaderMap::new(),
            Body::from(vec![b'a'; 1]),
            4 * UNIT,
            &room,
        )
        .await;
        assert_eq!(refused.err(), Some(ApiError::busy()));
        // Empty bodies need no room.
        let empty = read_limited(&HeaderMap::new(), Body::empty(), 4 * UNIT, &room).await;
        assert!(empty.is_ok());
        drop(first);
        let after = read_limited(
            &HeaderMap::new(),
            Body::from(vec![b'a'; 1]),
            4 * UNIT,
            &room,
        )
        .await;
        assert!(after.is_ok());
        // A body of unknown length reserves the whole limit: 2 KiB, but `after`
        // still holds one of them.
        let unknown = read_limited(&HeaderMap::new(), unsized_body(b"a"), 2 * UNIT, &room).await;
        assert_eq!(unknown.err(), Some(ApiError::busy()));
    }

    #[test]
    fn a_budget_below_the_body_limit_still_fits_one_body() {
        let room = BodyBudget::new(10, 5 * UNIT, Duration::ZERO);
        assert_eq!(room.capacity, 5);
    }
}
