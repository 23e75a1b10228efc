//! The embedded mock of the API, over real HTTP.

mod auth;
mod bad_requests;
mod body_budget;
mod connections;
mod controls;
mod cors;
mod decisions;
mod delete;
mod flow_page;
mod latency;
mod legacy_client;
mod lifecycle;
mod media;
mod routes_auth;
mod support;
mod webhooks;
