//! Bounds on what a caller sends, written once. A form states each bounded field as a
//! [`Field`] constant (its property name and its [`Bound`]); the validators check values with
//! those constants and the OpenAPI document states them: the API's document writer puts every
//! [`Bounded`] form's bounds into the form's schema, and a query parameter takes its schema from
//! a marker type of [`parameter`]. A bound therefore cannot change on one side only.

use crate::FieldError;
use crate::validate;
use serde_json::{Map, Value, json};
use utoipa::openapi::schema::{
    ArrayBuilder, KnownFormat, Object, ObjectBuilder, Schema, SchemaFormat, Type,
};

/// How far a value may go.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// A text: at least `min` characters once trimmed (0: may be left out or blank), at most
    /// `max` characters as sent.
    Text { min: usize, max: usize },
    /// A list of `min` to `max` items.
    Items { min: usize, max: usize },
    /// A whole number from `min` to `max` (either end may be open).
    Whole { min: Option<i64>, max: Option<i64> },
    /// A number from `min` to `max`, fractions allowed.
    Number { min: f64, max: f64 },
}

/// A bounded field: the property name (also the name errors carry) and its bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    pub name: &'static str,
    pub bound: Bound,
}

impl Field {
    /// A text of `min` to `max` characters.
    pub const fn text(name: &'static str, min: usize, max: usize) -> Field {
        Field {
            name,
            bound: Bound::Text { min, max },
        }
    }

    /// A list of `min` to `max` items.
    pub const fn items(name: &'static str, min: usize, max: usize) -> Field {
        Field {
            name,
            bound: Bound::Items { min, max },
        }
    }

    /// A whole number from `min` to `max`.
    pub const fn whole(name: &'static str, min: i64, max: i64) -> Field {
        Field {
            name,
            bound: Bound::Whole {
                min: Some(min),
                max: Some(max),
            },
        }
    }

    /// A whole number of at least `min`.
    pub const fn at_least(name: &'static str, min: i64) -> Field {
        Field {
            name,
            bound: Bound::Whole {
                min: Some(min),
                max: None,
            },
        }
    }

    /// A number from `min` to `max`, fractions allowed.
    pub const fn number(name: &'static str, min: f64, max: f64) -> Field {
        Field {
            name,
            bound: Bound::Number { min, max },
        }
    }

    /// The same bound under another property name.
    pub const fn named(self, name: &'static str) -> Field {
        Field { name, ..self }
    }

    /// The same bound with nothing required: a text or list may be left out.
    pub const fn optional(self) -> Field {
        let bound = match self.bound {
            Bound::Text { max, .. } => Bound::Text { min: 0, max },
            Bound::Items { max, .. } => Bound::Items { min: 0, max },
            other => other,
        };
        Field { bound, ..self }
    }

    /// The least a text or list holds (0 for numbers).
    pub const fn min(&self) -> usize {
        match self.bound {
            Bound::Text { min, .. } | Bound::Items { min, .. } => min,
            Bound::Whole { .. } | Bound::Number { .. } => 0,
        }
    }

    /// The most a text or list holds (`usize::MAX` for numbers).
    pub const fn max(&self) -> usize {
        match self.bound {
            Bound::Text { max, .. } | Bound::Items { max, .. } => max,
            Bound::Whole { .. } | Bound::Number { .. } => usize::MAX,
        }
    }

    /// The largest whole number allowed (`i64::MAX` when open).
    pub const fn max_whole(&self) -> i64 {
        match self.bound {
            Bound::Whole { max: Some(max), .. } => max,
            _ => i64::MAX,
        }
    }

    /// Check a whole number: a `range` error naming the field when outside.
    pub fn check_whole(&self, value: Option<i64>) -> Result<(), FieldError> {
        self.check_whole_as(self.name, value)
    }

    /// [`Field::check_whole`] for a value sent under another name (a filter, a list item).
    pub fn check_whole_as(&self, name: &str, value: Option<i64>) -> Result<(), FieldError> {
        let Some(value) = value.filter(|v| !self.contains(*v)) else {
            return Ok(());
        };
        let message = match self.bound {
            Bound::Whole {
                min: Some(min),
                max: Some(max),
            } => format!("{name} must be {min} to {max}"),
            Bound::Whole { min: Some(min), .. } => format!("{name} must be at least {min}"),
            _ => format!("{name} is out of range ({value})"),
        };
        Err(FieldError::new(name, "range", message))
    }

    /// A required text, trimmed; see [`validate::required_text`].
    pub fn required_text(&self, value: &str) -> Result<String, FieldError> {
        validate::required_text(self.name, value, self.min(), self.max())
    }

    /// An optional text, trimmed, blank as none; see [`validate::optional_text`].
    pub fn optional_text(&self, value: Option<&str>) -> Result<Option<String>, FieldError> {
        validate::optional_text(self.name, value, self.max())
    }

    /// Whether a whole number is within the bound.
    pub fn contains(&self, value: i64) -> bool {
        match self.bound {
            Bound::Whole { min, max } => {
                min.is_none_or(|min| value >= min) && max.is_none_or(|max| value <= max)
            }
            Bound::Number { min, max } => (min..=max).contains(&(value as f64)),
            Bound::Text { .. } | Bound::Items { .. } => true,
        }
    }

    /// Whether a number is within the bound (texts and lists: always).
    pub fn contains_number(&self, value: f64) -> bool {
        match self.bound {
            Bound::Number { min, max } => (min..=max).contains(&value),
            Bound::Whole { min, max } => {
                min.is_none_or(|min| value >= min as f64)
                    && max.is_none_or(|max| value <= max as f64)
            }
            Bound::Text { .. } | Bound::Items { .. } => true,
        }
    }

    /// The JSON Schema keywords that state the bound.
    pub fn keywords(&self) -> Map<String, Value> {
        let mut keywords = Map::new();
        let mut put = |key: &str, value: Value| {
            keywords.insert(key.to_owned(), value);
        };
        match self.bound {
            Bound::Text { min, max } => {
                if min > 0 {
                    put("minLength", json!(min));
                }
                put("maxLength", json!(max));
            }
            Bound::Items { min, max } => {
                if min > 0 {
                    put("minItems", json!(min));
                }
                put("maxItems", json!(max));
            }
            Bound::Whole { min, max } => {
                if let Some(min) = min {
                    put("minimum", json!(min));
                }
                if let Some(max) = max {
                    put("maximum", json!(max));
                }
            }
            Bound::Number { min, max } => {
                put("minimum", json!(min));
                put("maximum", json!(max));
            }
        }
        keywords
    }

    /// The schema of a query parameter with this bound (a whole number as `int64`).
    pub fn parameter_schema(&self) -> Schema {
        self.parameter_schema_as(KnownFormat::Int64)
    }

    /// [`Field::parameter_schema`] with the format of a whole number.
    pub fn parameter_schema_as(&self, whole: KnownFormat) -> Schema {
        match self.bound {
            Bound::Text { min, max } => ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length((min > 0).then_some(min))
                .max_length(Some(max))
                .build()
                .into(),
            Bound::Whole { min, max } => ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(whole)))
                .minimum(min.map(|m| m as f64))
                .maximum(max.map(|m| m as f64))
                .build()
                .into(),
            Bound::Number { min, max } => ObjectBuilder::new()
                .schema_type(Type::Number)
                .minimum(Some(min))
                .maximum(Some(max))
                .build()
                .into(),
            Bound::Items { min, max } => ArrayBuilder::new()
                .items(Object::new())
                .min_items((min > 0).then_some(min))
                .max_items(Some(max))
                .build()
                .into(),
        }
    }
}

/// A request body whose fields have bounds. The document writer puts `BOUNDS` into the schema
/// of the same name; a patch shares its form's bounds.
pub trait Bounded {
    const BOUNDS: &'static [Field];
}

/// The bounds most forms share.
pub mod common {
    use super::Field;

    /// Technology readiness level.
    pub const TRL: Field = Field::whole("trl", 1, 9);
    /// An amount of money in VND.
    pub const MONEY: Field = Field::at_least("value_vnd", 0);
    /// How many codes of one code list a record may carry.
    pub const CODES: Field = Field::items("codes", 0, 20);
    /// Fields of science of a record.
    pub const SCI_FIELDS: Field = Field::items("sci_fields", 1, 10);
    /// Keywords of a record, and the length of one.
    pub const KEYWORDS: Field = Field::items("keywords", 0, 20);
    pub const KEYWORD: Field = Field::text("keyword", 0, 60);
    /// A note or message written to another party.
    pub const NOTE: Field = Field::text("note", 0, 5000);
    /// A contact person, email and phone.
    pub const CONTACT_NAME: Field = Field::text("contact_name", 0, 200);
    pub const CONTACT_EMAIL: Field = EMAIL.named("contact_email");
    pub const CONTACT_PHONE: Field = Field::text("contact_phone", 0, 30);
    /// A sign-in email.
    pub const EMAIL: Field = Field::text("email", 0, crate::validate::Email::MAX_LEN);
}

/// Types that stand for a bounded query parameter in the document:
/// `#[param(value_type = Option<parameter::Limit>, inline)]` gives the parameter the schema of
/// the bound while the field keeps its own type, description and example.
pub mod parameter {
    use super::Field;
    use super::common;
    use crate::page;

    /// Search words.
    pub const QUERY: Field = Field::text("q", 0, 200);
    /// A comma-separated list of codes.
    pub const CODE_LIST: Field = Field::text("codes", 0, 500);
    /// A comma-separated list of province codes (their names are long).
    pub const PROVINCE_LIST: Field = Field::text("province_code", 0, 1000);
    /// A comma-separated list of facet names.
    pub const FACET_LIST: Field = Field::text("facets", 0, 200);
    /// A sort key, `-` first for descending.
    pub const SORT: Field = Field::text("sort", 0, 20);

    /// A type whose schema is `$field`'s bound.
    #[macro_export]
    macro_rules! bounded_parameter {
        ($(#[$doc:meta])* $name:ident = $field:expr) => {
            $crate::bounded_parameter!($(#[$doc])* $name = $field, Int64);
        };
        ($(#[$doc:meta])* $name:ident = $field:expr, $format:ident) => {
            $(#[$doc])*
            pub struct $name;

            impl utoipa::PartialSchema for $name {
                fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                    utoipa::openapi::RefOr::T($field.parameter_schema_as(
                        utoipa::openapi::schema::KnownFormat::$format,
                    ))
                }
            }

            impl utoipa::ToSchema for $name {}
        };
    }

    bounded_parameter!(Limit = page::LIMIT);
    bounded_parameter!(Offset = page::OFFSET);
    bounded_parameter!(Trl = common::TRL, Int32);
    bounded_parameter!(Money = common::MONEY);
    bounded_parameter!(Query = QUERY);
    bounded_parameter!(CodeList = CODE_LIST);
    bounded_parameter!(ProvinceList = PROVINCE_LIST);
    bounded_parameter!(FacetList = FACET_LIST);
    bounded_parameter!(Sort = SORT);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_states_itself_in_json_schema_keywords() {
        let title = Field::text("title", 5, 300);
        assert_eq!(
            Value::Object(title.keywords()),
            json!({"minLength": 5, "maxLength": 300})
        );
        assert_eq!(
            Value::Object(Field::text("note", 0, 10).keywords()),
            json!({"maxLength": 10})
        );
        assert_eq!(
            Value::Object(common::SCI_FIELDS.keywords()),
            json!({"minItems": 1, "maxItems": 10})
        );
        assert_eq!(
            Value::Object(common::MONEY.keywords()),
            json!({"minimum": 0})
        );
        assert!(common::TRL.contains(9) && !common::TRL.contains(10) && !common::TRL.contains(0));
        assert!(common::MONEY.contains(i64::MAX) && !common::MONEY.contains(-1));
    }

    #[test]
    fn a_field_checks_texts_with_its_own_bound() {
        let title = Field::text("title", 5, 10);
        assert_eq!(title.required_text("  abcde ").unwrap(), "abcde");
        let error = title.required_text("abcd").unwrap_err();
        assert_eq!(error.field, "title");
        assert!(title.required_text("abcdefghijk").is_err());
        assert_eq!(title.optional_text(Some("   ")).unwrap(), None);
        assert!(title.optional_text(Some("abcdefghijk")).is_err());
    }
}
