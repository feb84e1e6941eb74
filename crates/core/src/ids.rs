//! Id newtypes, so a user id can never be passed where an organization id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::hash::Hash;
use utoipa::ToSchema;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = i64)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// Identifies a user account.
    UserId
);
id_type!(
    /// Identifies an organization.
    OrganizationId
);
id_type!(
    /// Identifies an API key.
    ApiKeyId
);

/// The id of a catalogue record of one kind ([`ListingId`], [`RequestId`]): what the record
/// engine, generic over the kind, takes and hands back.
pub trait RecordId:
    Copy + Eq + Ord + Hash + fmt::Debug + fmt::Display + Send + Sync + 'static
{
    fn new(raw: i64) -> Self;
    /// The stored value.
    fn get(self) -> i64;
}

macro_rules! plain_id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        // No schema of its own: the document describes these ids as plain integers, so a
        // field of this type says `#[schema(value_type = i64)]` (the compiler asks for it).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

macro_rules! record_id_type {
    ($(#[$meta:meta])* $name:ident) => {
        plain_id_type!($(#[$meta])* $name);

        impl RecordId for $name {
            fn new(raw: i64) -> Self {
                $name(raw)
            }

            fn get(self) -> i64 {
                self.0
            }
        }
    };
}

record_id_type!(
    /// Identifies a listing (a technology offer).
    ListingId
);
record_id_type!(
    /// Identifies a request (a technology need).
    RequestId
);
plain_id_type!(
    /// Identifies a saved match of a listing and a request.
    MatchId
);
plain_id_type!(
    /// Identifies an inquiry about a record.
    InquiryId
);
plain_id_type!(
    /// Identifies a request for a record's confidential tier.
    AccessRequestId
);
plain_id_type!(
    /// Identifies an engagement of the deal pipeline.
    EngagementId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_id_is_its_number_on_the_wire() {
        let id = ListingId(42);
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
        assert_eq!(
            serde_json::from_str::<RequestId>("7").unwrap(),
            RequestId(7)
        );
        assert_eq!(ListingId::new(42).get(), 42);
        assert_eq!(id.to_string(), "42");
    }
}
