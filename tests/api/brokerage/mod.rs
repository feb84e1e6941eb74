//! Brokerage, one file per resource: saved matches, inquiries, access requests and grants,
//! engagements and contracts, outcomes, alerts, and every role against their rules.

mod access;
mod alerts;
mod engagements;
mod inquiries;
mod matches;
mod outcomes;
mod roles;
