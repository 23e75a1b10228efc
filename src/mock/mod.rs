//! The embedded, stateful mock of Veriff's session API (being written).
