//! End-to-end tests of the techx API, driving the real app in process. Each test gets its own
//! database: a fresh SQLite file, or a fresh PostgreSQL schema when `TEST_DATABASE_URL` is set.

// Tests may panic on a broken expectation: that is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod auth;
mod backend;
mod bounds;
mod brokerage;
mod catalogue;
mod cli;
mod concurrency;
mod errors;
mod extremes;
mod keys;
mod listings;
mod lists;
mod live;
mod matching;
mod openapi;
mod operations;
mod organizations;
mod requests;
mod scopes;
mod search;
mod security;
mod sweep;
mod users;
mod vectors;
mod world;
