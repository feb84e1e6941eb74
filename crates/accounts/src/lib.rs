//! Accounts: organizations, users, memberships and roles; passwords, access and refresh tokens,
//! API keys; the [`Actor`] every request acts as.

pub mod actor;
pub mod dto;
pub mod error;
pub mod model;
pub mod password;
pub mod ratelimit;
mod repo;
pub mod secret;
mod service;
pub mod tokens;

pub use actor::{Actor, ActorMembership, ActorRef, Permission, Principal};
pub use error::AccountsError;
pub use service::{Accounts, AccountsSettings};
