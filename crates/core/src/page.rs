//! The one list shape: `{"items", "total", "limit", "offset"}` with an exact total.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;
/// The deepest a list may be paged: deeper pages cost the database (and the search index)
/// work in proportion to the offset, so they are refused; filters or the export reach further.
pub const MAX_OFFSET: i64 = 10_000;

/// `limit` and `offset` as sent by the client.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// How many items to skip, 0 to 10,000 (default 0).
    #[param(minimum = 0, maximum = 10000)]
    pub offset: Option<i64>,
}

/// Checked paging values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub limit: i64,
    pub offset: i64,
}

impl PageParams {
    pub fn parse(self) -> Result<Paging, crate::FieldError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(crate::FieldError::new(
                "limit",
                "range",
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let offset = self.offset.unwrap_or(0);
        if !(0..=MAX_OFFSET).contains(&offset) {
            return Err(crate::FieldError::new(
                "offset",
                "range",
                format!(
                    "offset must be between 0 and {MAX_OFFSET}; narrow the filters or use the export to reach further"
                ),
            ));
        }
        Ok(Paging { limit, offset })
    }
}

/// A page of items with the exact total.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The exact number of items matching the query, over all pages.
    pub total: i64,
    /// The limit that was applied.
    pub limit: i64,
    /// The offset that was applied.
    pub offset: i64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: i64, paging: Paging) -> Self {
        Page {
            items,
            total,
            limit: paging.limit,
            offset: paging.offset,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            limit: self.limit,
            offset: self.offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_defaults_to_twenty_from_the_start() {
        let paging = PageParams::default().parse().unwrap();
        assert_eq!(
            paging,
            Paging {
                limit: 20,
                offset: 0
            }
        );
    }

    #[test]
    fn paging_refuses_limits_outside_one_to_a_hundred_and_negative_offsets() {
        for limit in [0, 101, -3] {
            let params = PageParams {
                limit: Some(limit),
                offset: None,
            };
            assert_eq!(params.parse().unwrap_err().field, "limit");
        }
        for offset in [-1, MAX_OFFSET + 1, i64::MAX] {
            let params = PageParams {
                limit: None,
                offset: Some(offset),
            };
            assert_eq!(params.parse().unwrap_err().field, "offset");
        }
        let deepest = PageParams {
            limit: Some(MAX_LIMIT),
            offset: Some(MAX_OFFSET),
        };
        assert_eq!(deepest.parse().unwrap().offset, MAX_OFFSET);
    }
}
