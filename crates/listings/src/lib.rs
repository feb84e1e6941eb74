//! Technology offers (*công nghệ chào bán*): every field of an offer (docs/catalogue.md), the
//! lifecycle, the disclosure tiers, history, and CSV / JSON Lines import and export.

pub mod dto;
mod model;
mod repo;
mod service;
pub mod transfer;

pub use service::{ListingCatalogue, Listings};
