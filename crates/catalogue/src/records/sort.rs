//! Sort keys of record lists: `updated_at`, `published_at`, `title`, `-` first for descending.

use techx_core::FieldError;

/// Sort orders of record lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    UpdatedAt,
    PublishedAt,
    Title,
}

/// A parsed `sort` parameter: a key, descending when prefixed with `-`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            key: SortKey::UpdatedAt,
            descending: true,
        }
    }
}

impl Sort {
    /// The sort keys by name; `-name` sorts descending.
    pub const KEYS: [(&'static str, SortKey); 3] = [
        ("updated_at", SortKey::UpdatedAt),
        ("published_at", SortKey::PublishedAt),
        ("title", SortKey::Title),
    ];

    /// Longest `sort` value accepted, as sent.
    pub const MAX_LEN: usize = techx_core::bounds::parameter::SORT.max();

    pub fn parse(value: Option<&str>) -> Result<Sort, FieldError> {
        if value.is_some_and(|v| v.chars().count() > Self::MAX_LEN) {
            return Err(FieldError::new(
                "sort",
                "length",
                format!("sort must be at most {} characters", Self::MAX_LEN),
            ));
        }
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(Sort::default());
        };
        let (descending, name) = match value.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, value),
        };
        let Some(key) = Self::KEYS
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, key)| *key)
        else {
            return Err(FieldError::new(
                "sort",
                "unknown_code",
                "sort must be updated_at, published_at or title, with - for descending",
            ));
        };
        Ok(Sort { key, descending })
    }
}
