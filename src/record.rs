//! What a run records and what checks read: each exchange (the request as
//! sent, the response as received) and the variables of a running scenario.
//! Below both execution and the checks.

pub mod env;
pub mod exchange;
