//! Accounts: organizations, users, memberships and roles; passwords, access and refresh tokens,
//! API keys; the [`Actor`] every request acts as.

pub mod actor;
pub mod catalogue;
pub mod dto;
pub mod error;
pub mod model;
pub mod password;
pub mod ratelimit;
pub mod records;
mod repo;
pub mod secret;
mod service;
pub mod tokens;

pub use actor::{Actor, ActorMembership, Permission, Principal};
pub use error::AccountsError;
pub use service::{Accounts, AccountsSettings};
