//! The catalogue: what listings and requests share. The record [`Engine`] over a
//! [`Catalogue`] (fields, storage, filters and view of one kind of record) holds the rules both
//! follow: validation helpers and code sets, the lifecycle steps, the disclosure tiers, the
//! history and the confidential-read log, sort keys, CSV cells and imports.
//!
//! - [`engine`]: the engine and the [`Catalogue`] trait;
//! - [`records`]: the shared field rules, errors, views and query shapes;
//! - [`live`]: the one rule of a live record, in Rust and in SQL (`live!`, `lapsed!`, `loaded!`);
//! - [`log`]: the history, the confidential-read log and access grants in storage;
//! - [`imports`]: the bookkeeping of an import written in several transactions.

pub mod engine;
pub mod imports;
pub mod live;
pub mod log;
pub mod queries;
pub mod records;

pub use engine::{Catalogue, Engine, Progress, StatusChange};
