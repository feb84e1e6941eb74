//! Parse, don't validate: input strings become typed values or field errors.

use crate::FieldError;

/// A character no text of the exchange may hold: every control character (NUL, escape, DEL,
/// the C1 controls) but the three that long texts use for layout: tab, line feed, carriage
/// return.
pub fn forbidden_in_text(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Fields that are long texts (several paragraphs, notes, messages): they keep tab and line
/// breaks; every other text is one line (a title, a name, a code, a keyword) and takes no
/// control character at all. The validators and the OpenAPI document (its `pattern`s) both
/// read this list.
pub const LONG_TEXTS: &[&str] = &[
    "summary",
    "summary_en",
    "details",
    "details_en",
    "confidential_details",
    "problem",
    "requirements",
    "address",
    "note",
    "message",
    "missing",
    "about_us",
    "body",
    "reason",
    "next_action",
    "ip_contributed",
];

/// Whether `field` (a JSON name, possibly nested: `rows[3].summary`, `ip_assets[0].number`) is
/// a long text.
pub fn is_long_text(field: &str) -> bool {
    let last = field.rsplit('.').next().unwrap_or(field);
    let name = last.split('[').next().unwrap_or(last);
    LONG_TEXTS.contains(&name)
}

/// JSON Schema `pattern` of a one-line text: no control character.
pub const LINE_PATTERN: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";
/// JSON Schema `pattern` of a long text: no control character but tab, line feed and carriage
/// return.
pub const TEXT_PATTERN: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

/// Refuse control characters: in a long text ([`is_long_text`]) all but tab and line breaks, in
/// a one-line value every one.
pub fn check_characters(field: &str, value: &str) -> Result<(), FieldError> {
    let multiline = is_long_text(field);
    let bad = |c: char| {
        if multiline {
            forbidden_in_text(c)
        } else {
            c.is_control()
        }
    };
    if value.chars().any(bad) {
        let allowed = if multiline {
            " (tab and line breaks are allowed)"
        } else {
            ""
        };
        return Err(FieldError::new(
            field,
            "control_character",
            format!("{field} must not contain control characters{allowed}"),
        ));
    }
    Ok(())
}

/// Trim a required text field and check its characters ([`check_characters`]) and its length
/// in characters.
pub fn required_text(
    field: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<String, FieldError> {
    check_characters(field, value)?;
    required(field, value, min, max)
}

/// The longest a text may be is measured as sent (what the document's `maxLength` counts), the
/// shortest after trimming (spaces alone are no text).
fn required(field: &str, value: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let trimmed = value.trim();
    let length = trimmed.chars().count();
    if length == 0 {
        return Err(FieldError::new(
            field,
            "required",
            format!("{field} is required"),
        ));
    }
    if length < min || value.chars().count() > max {
        return Err(FieldError::new(
            field,
            "length",
            format!("{field} must be {min} to {max} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Trim an optional text field; blank becomes None. Characters as [`check_characters`].
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    if let Some(value) = value {
        check_characters(field, value)?;
    }
    optional(field, value, max)
}

/// Measured as sent, like `required`; blank is none.
fn optional(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    if value.is_some_and(|v| v.chars().count() > max) {
        return Err(FieldError::new(
            field,
            "length",
            format!("{field} must be at most {max} characters"),
        ));
    }
    Ok(value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned))
}

/// For PATCH bodies: tells an absent field (`None`) from an explicit `null` (`Some(None)`).
/// Use with `#[serde(default, deserialize_with = "double_option")]`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// A normalised email address: trimmed, lowercase, one `@`, a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;
    /// Longest part before the `@`, in characters.
    pub const MAX_LOCAL_LEN: usize = 64;
    /// JSON Schema `pattern` of what [`Email::parse`] accepts (the length is `maxLength`):
    /// one `@`, a local part of 1 to 64 characters, a domain of dot-separated labels, no
    /// whitespace or control character inside, surrounding spaces ignored.
    pub const PATTERN: &str = "^[ \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*[^ \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000@\\u0000-\\u001F\\u007F-\\u009F]{1,64}@[^ \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000@.\\u0000-\\u001F\\u007F-\\u009F]+(?:\\.[^ \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000@.\\u0000-\\u001F\\u007F-\\u009F]+)+[ \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*$";

    pub fn parse(field: &str, value: &str) -> Result<Email, FieldError> {
        let email = value.trim().to_lowercase();
        let invalid = || {
            FieldError::new(
                field,
                "format",
                format!("{field} is not a valid email address"),
            )
        };
        if email.is_empty() {
            return Err(FieldError::new(
                field,
                "required",
                format!("{field} is required"),
            ));
        }
        // Lengths in characters, as sent (what the document's `maxLength` and `pattern` say).
        if value.chars().count() > Self::MAX_LEN
            || value.chars().any(char::is_control)
            || email.chars().any(char::is_whitespace)
        {
            return Err(invalid());
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(invalid());
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        let local_length = value
            .trim()
            .split('@')
            .next()
            .map_or(0, |l| l.chars().count());
        if local.is_empty() || local_length > Self::MAX_LOCAL_LEN || !domain_ok {
            return Err(invalid());
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A website: `http://` or `https://` and a host.
pub fn optional_url(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    let Some(url) = optional_text(field, value, max)? else {
        return Ok(None);
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host)
            if !host.is_empty()
                && !host.starts_with('/')
                && !host.contains(char::is_whitespace) =>
        {
            Ok(Some(url))
        }
        _ => Err(FieldError::new(
            field,
            "format",
            format!("{field} must be an http:// or https:// address"),
        )),
    }
}

/// Parse a code of a code list, reporting an unknown one as a field error.
pub fn code<T: std::str::FromStr>(field: &str, value: &str) -> Result<T, FieldError> {
    value.trim().parse::<T>().map_err(|_| {
        FieldError::new(
            field,
            "unknown_code",
            format!("`{value}` is not a known {field} code"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        let email = Email::parse("email", "  Nguyen.An@Example.VN ").unwrap();
        assert_eq!(email.as_str(), "nguyen.an@example.vn");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "no-at-sign",
            "@example.vn",
            "a@b",
            "a@.vn",
            "a b@example.vn",
            "a@example..vn",
        ] {
            assert!(
                Email::parse("email", bad).is_err(),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn text_lengths_count_characters_not_bytes() {
        // "Đại học" is 7 characters but more bytes.
        assert!(required_text("name", "Đại học", 7, 7).is_ok());
        assert_eq!(
            required_text("name", "   ", 1, 10).unwrap_err().code,
            "required"
        );
        assert_eq!(
            required_text("name", "ab", 3, 10).unwrap_err().code,
            "length"
        );
    }

    #[test]
    fn a_text_is_measured_as_sent_and_blank_is_none() {
        let padded = format!("\u{a0}{}\u{a0}", "a".repeat(29));
        assert_eq!(padded.chars().count(), 31);
        assert!(optional_text("contact_phone", Some(&padded), 30).is_err());
        assert!(optional_text("contact_phone", Some(&" ".repeat(31)), 30).is_err());
        assert_eq!(
            optional_text("contact_phone", Some("   "), 30).unwrap(),
            None
        );
        assert_eq!(
            optional_text("contact_phone", Some(" 0237 "), 30)
                .unwrap()
                .as_deref(),
            Some("0237")
        );
        assert!(required_text("title", &padded, 1, 30).is_err());
        assert_eq!(required_text("title", " ab ", 1, 4).unwrap(), "ab");
        assert!(required_text("title", "  ", 1, 4).is_err());
    }

    #[test]
    fn websites_need_a_scheme_and_a_host() {
        assert!(
            optional_url("website", Some("https://hdu.edu.vn"), 200)
                .unwrap()
                .is_some()
        );
        assert!(optional_url("website", Some(""), 200).unwrap().is_none());
        assert!(optional_url("website", Some("hdu.edu.vn"), 200).is_err());
        assert!(optional_url("website", Some("https://"), 200).is_err());
    }
}
