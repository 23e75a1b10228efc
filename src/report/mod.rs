//! Reporting: failure and error messages for libtest trials, JUnit for CI.
//! Reporters only format what was recorded; they never touch the network.

pub mod junit;
pub mod mask;
pub mod message;
pub mod trials;
