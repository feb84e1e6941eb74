//! Id newtypes, so a user id can never be passed where an organization id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::hash::Hash;
use utoipa::ToSchema;

use crate::kind::RecordKind;

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

plain_id_type!(
    /// Identifies a contract signed in an engagement.
    ContractId
);
plain_id_type!(
    /// Identifies a recorded outcome of an engagement.
    OutcomeId
);
plain_id_type!(
    /// Identifies a person's alert subscription (a saved search or a request watched).
    AlertSubscriptionId
);
plain_id_type!(
    /// Identifies an alert raised for a subscription.
    AlertId
);

/// One catalogue record of either kind, by its typed id: what an inquiry, an access request
/// or an access report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordRef {
    Listing(ListingId),
    Request(RequestId),
}

impl RecordRef {
    /// The record of `kind` stored under `id`.
    pub fn new(kind: RecordKind, id: i64) -> Self {
        match kind {
            RecordKind::Listing => RecordRef::Listing(ListingId(id)),
            RecordKind::Request => RecordRef::Request(RequestId(id)),
        }
    }

    pub fn kind(self) -> RecordKind {
        match self {
            RecordRef::Listing(_) => RecordKind::Listing,
            RecordRef::Request(_) => RecordKind::Request,
        }
    }

    /// The stored id.
    pub fn id(self) -> i64 {
        match self {
            RecordRef::Listing(id) => id.0,
            RecordRef::Request(id) => id.0,
        }
    }
}

impl From<ListingId> for RecordRef {
    fn from(id: ListingId) -> Self {
        RecordRef::Listing(id)
    }
}

impl From<RequestId> for RecordRef {
    fn from(id: RequestId) -> Self {
        RecordRef::Request(id)
    }
}

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

    #[test]
    fn a_record_ref_names_its_kind_and_stored_id() {
        for kind in RecordKind::ALL {
            let record = RecordRef::new(kind, 9);
            assert_eq!((record.kind(), record.id()), (kind, 9));
        }
        assert_eq!(
            RecordRef::from(ListingId(3)),
            RecordRef::Listing(ListingId(3))
        );
        assert_eq!(RecordRef::from(RequestId(3)).kind(), RecordKind::Request);
    }
}
