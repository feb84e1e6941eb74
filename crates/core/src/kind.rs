//! The two kinds of catalogue record. One type for every place that names one: the lifecycle,
//! the change log and history (`entity`), brokerage objects about a record, the search index and
//! its hits.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

/// A listing or a request.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
// The document has called this type `Entity` since its first version.
#[schema(as = Entity)]
pub enum RecordKind {
    Listing,
    Request,
}

impl RecordKind {
    pub const ALL: [RecordKind; 2] = [RecordKind::Listing, RecordKind::Request];

    /// The stored name: in the change log, history, the access log, brokerage rows and the index.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Listing => "listing",
            RecordKind::Request => "request",
        }
    }

    /// The kind a record of this kind is matched with: offers with needs.
    pub fn other(self) -> RecordKind {
        match self {
            RecordKind::Listing => RecordKind::Request,
            RecordKind::Request => RecordKind::Listing,
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not `listing` or `request`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown record kind `{0}`")]
pub struct UnknownKind(pub String);

impl FromStr for RecordKind {
    type Err = UnknownKind;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        RecordKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == value)
            .ok_or_else(|| UnknownKind(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_reads_back_from_its_stored_name_and_its_json() {
        for kind in RecordKind::ALL {
            assert_eq!(kind.as_str().parse::<RecordKind>(), Ok(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(kind.other().other(), kind);
            assert_ne!(kind.other(), kind);
        }
        assert!("listings".parse::<RecordKind>().is_err());
    }
}
