//! The embedded suite: it passes against the embedded mock, and each of its
//! scenarios fails, saying what broke, against a mock that breaks the promise
//! it checks.

mod alternatives;
mod breakages;
mod breakages_authentication_matrix;
mod breakages_results;
mod breakages_sessions;
mod breakages_webhooks;
mod documented_surface;
mod embedded;
mod support;
