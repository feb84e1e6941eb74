//! Technology needs (*nhu cầu công nghệ*): every field of a need (docs/catalogue.md), the
//! lifecycle, the disclosure tiers (with anonymous requesters), history, and CSV / JSON Lines
//! import and export. The same internal shape as listings.

pub mod dto;
mod model;
mod repo;
mod service;
pub mod transfer;

pub use service::{RequestCatalogue, Requests};
