//! Loading scenarios: spec files into the model, spec errors rendered with
//! their place, and the loader against hostile files and arbitrary input.

mod files;
mod fuzz;
mod loading;
mod webhooks;
