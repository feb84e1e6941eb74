//! The one list shape: `{"items", "total", "limit", "offset"}` with an exact total.

use crate::bounds::{Field, parameter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const DEFAULT_LIMIT: i64 = 20;
/// How many items one page holds.
pub const LIMIT: Field = Field::whole("limit", 1, 100);
/// The deepest a list may be paged: deeper pages cost the database (and the search index)
/// work in proportion to the offset, so they are refused; filters or the export reach further.
pub const OFFSET: Field = Field::whole("offset", 0, 10_000);

/// `limit` and `offset` as sent by the client.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return (default 20).
    #[param(value_type = Option<parameter::Limit>, inline)]
    pub limit: Option<i64>,
    /// How many items to skip (default 0).
    #[param(value_type = Option<parameter::Offset>, inline)]
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
        if !LIMIT.contains(limit) {
            return Err(crate::FieldError::new(
                "limit",
                "range",
                format!("limit must be between 1 and {}", LIMIT.max_whole()),
            ));
        }
        let offset = self.offset.unwrap_or(0);
        if !OFFSET.contains(offset) {
            return Err(crate::FieldError::new(
                "offset",
                "range",
                format!(
                    "offset must be between 0 and {}; narrow the filters or use the export to reach further",
                    OFFSET.max_whole()
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

    /// A page of stored `rows`, each turned into its view by `view`; the first row that fails
    /// fails the page.
    pub fn from_rows<R, E>(
        rows: impl IntoIterator<Item = R>,
        total: i64,
        paging: Paging,
        view: impl FnMut(R) -> Result<T, E>,
    ) -> Result<Self, E> {
        let items = rows.into_iter().map(view).collect::<Result<Vec<_>, _>>()?;
        Ok(Page::new(items, total, paging))
    }

    /// As [`Page::from_rows`], leaving out the rows whose view is `None` (a row whose record
    /// is gone).
    pub fn from_rows_present<R, E>(
        rows: impl IntoIterator<Item = R>,
        total: i64,
        paging: Paging,
        mut view: impl FnMut(R) -> Result<Option<T>, E>,
    ) -> Result<Self, E> {
        let mut items = Vec::new();
        for row in rows {
            items.extend(view(row)?);
        }
        Ok(Page::new(items, total, paging))
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
    fn a_page_of_rows_keeps_the_order_the_count_and_the_first_failure() {
        let paging = Paging {
            limit: 3,
            offset: 6,
        };
        let page = Page::from_rows([1, 2, 3], 40, paging, |n| Ok::<_, String>(n * 10)).unwrap();
        assert_eq!(
            (page.items, page.total, page.limit, page.offset),
            (vec![10, 20, 30], 40, 3, 6)
        );
        let failed = Page::from_rows([1, 2, 3], 40, paging, |n| match n {
            2 => Err(format!("row {n}")),
            n => Ok(n),
        });
        assert_eq!(failed.err(), Some("row 2".to_owned()));
        let present = Page::from_rows_present([1, 2, 3], 40, paging, |n| {
            Ok::<_, String>((n != 2).then_some(n))
        })
        .unwrap();
        assert_eq!((present.items, present.total), (vec![1, 3], 40));
    }

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
        for offset in [-1, OFFSET.max_whole() + 1, i64::MAX] {
            let params = PageParams {
                limit: None,
                offset: Some(offset),
            };
            assert_eq!(params.parse().unwrap_err().field, "offset");
        }
        let deepest = PageParams {
            limit: Some(LIMIT.max_whole()),
            offset: Some(OFFSET.max_whole()),
        };
        assert_eq!(deepest.parse().unwrap().offset, OFFSET.max_whole());
    }
}
