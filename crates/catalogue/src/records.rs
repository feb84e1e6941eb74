//! Machinery shared by listings and requests: their error type, field rules that both have,
//! history diffs and views, sorting, and the transition form.

use crate::log::{self, ActorRef, HistoryEntry};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::str::FromStr;
use techx_accounts::{AccountsError, Actor};
use techx_core::OrganizationId;
use techx_core::bounds::{Bounded, Field, common};
use techx_core::codes::{Action, RecordStatus, SciField};
use techx_core::error::Validator;
use techx_core::lifecycle::{self, ActionBy, RecordKind, Tier};
use techx_core::page::{PageParams, Paging};
use techx_core::validate::{self, Email};
use techx_core::{ErrorCode, FieldError, HasErrorCode};
use techx_db::DbConn;
use techx_db::DbError;
use utoipa::{IntoParams, ToSchema};

pub const MAX_KEYWORDS: usize = common::KEYWORDS.max();
pub const MAX_KEYWORD_LEN: usize = common::KEYWORD.max();
pub const MAX_SCI_FIELDS: usize = common::SCI_FIELDS.max();
pub const MAX_CODES: usize = common::CODES.max();
/// The note of a lifecycle step.
pub const STEP_NOTE: Field = Field::text("note", 0, 2000);

/// Errors of listings and requests.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("{}", techx_core::error::summarize(.0))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("the record has changed since it was read: its version is now {current}")]
    StaleVersion { current: i32 },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("stored value is not valid: {0}")]
    Corrupt(String),
}

impl RecordError {
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        RecordError::Invalid(vec![FieldError::new(field, code, message)])
    }
}

impl From<diesel::result::Error> for RecordError {
    fn from(error: diesel::result::Error) -> Self {
        RecordError::Db(DbError::Query(error))
    }
}

impl From<AccountsError> for RecordError {
    fn from(error: AccountsError) -> Self {
        match error {
            AccountsError::Invalid(errors) => RecordError::Invalid(errors),
            AccountsError::Forbidden(message) => RecordError::Forbidden(message),
            AccountsError::NotFound(what) => RecordError::NotFound(what),
            AccountsError::Conflict(message) => RecordError::Conflict(message),
            AccountsError::Db(error) => RecordError::Db(error),
            other => RecordError::Corrupt(other.to_string()),
        }
    }
}

impl HasErrorCode for RecordError {
    fn error_code(&self) -> ErrorCode {
        match self {
            RecordError::Invalid(_) => ErrorCode::InvalidInput,
            RecordError::Forbidden(_) => ErrorCode::Forbidden,
            RecordError::NotFound(_) => ErrorCode::NotFound,
            RecordError::Conflict(_) => ErrorCode::Conflict,
            RecordError::StaleVersion { .. } => ErrorCode::PreconditionFailed,
            RecordError::Db(error) => error.error_code(),
            RecordError::Corrupt(_) => ErrorCode::Internal,
        }
    }

    fn field_errors(&self) -> &[FieldError] {
        match self {
            RecordError::Invalid(errors) => errors,
            _ => &[],
        }
    }
}

/// A stored code that must parse.
pub fn stored<T: FromStr>(value: &str) -> Result<T, RecordError> {
    value
        .parse()
        .map_err(|_| RecordError::Corrupt(format!("unexpected code `{value}`")))
}

/// Keywords: trimmed, blank ones dropped, duplicates (ignoring case) dropped, at most 20 of at
/// most 60 characters each.
pub fn parse_keywords(validator: &mut Validator, field: &str, keywords: &[String]) -> Vec<String> {
    // The bound is on what was sent (the schema's `maxItems`), before blanks and repeats go.
    if keywords.len() > MAX_KEYWORDS {
        validator.push(FieldError::new(
            field,
            "too_many",
            format!("at most {MAX_KEYWORDS} keywords"),
        ));
        return Vec::new();
    }
    let mut seen = BTreeSet::new();
    let mut kept = Vec::new();
    for (index, keyword) in keywords.iter().enumerate() {
        // An error names the keyword as sent: `keywords[3]`.
        let item = format!("{field}[{index}]");
        let keyword = keyword.trim();
        if keyword.is_empty() || !seen.insert(keyword.to_lowercase()) {
            continue;
        }
        if let Err(error) = validate::check_characters(&item, keyword) {
            validator.push(error);
            continue;
        }
        if keyword.chars().count() > MAX_KEYWORD_LEN {
            validator.push(FieldError::new(
                &item,
                "length",
                format!("each keyword must be at most {MAX_KEYWORD_LEN} characters"),
            ));
            continue;
        }
        kept.push(keyword.to_owned());
    }
    if kept.len() > MAX_KEYWORDS {
        validator.push(FieldError::new(
            field,
            "too_many",
            format!("at most {MAX_KEYWORDS} keywords"),
        ));
    }
    kept
}

/// A list of codes: duplicates dropped, sorted, at most `max`.
pub fn parse_code_set<T: Ord + Copy>(
    validator: &mut Validator,
    field: &str,
    codes: &[T],
    max: usize,
) -> Vec<T> {
    let set: BTreeSet<T> = codes.iter().copied().collect();
    // The bound is on what was sent (the schema's `maxItems`), before repeats go.
    if codes.len() > max {
        validator.push(FieldError::new(
            field,
            "too_many",
            format!("at most {max} values"),
        ));
    }
    set.into_iter().collect()
}

/// `sci_fields`: at least one, at most ten.
pub fn parse_sci_fields(validator: &mut Validator, fields: &[SciField]) -> Vec<SciField> {
    let fields = parse_code_set(validator, "sci_fields", fields, MAX_SCI_FIELDS);
    if fields.is_empty() {
        validator.push(FieldError::new(
            "sci_fields",
            "required",
            "at least one field of science and technology is required",
        ));
    }
    fields
}

/// An amount of money (VND) is never negative. (A filter's bounds are checked one by one: an
/// inverted range is a filter that matches nothing, not an error.)
pub fn check_money(validator: &mut Validator, field: &str, value: Option<i64>) {
    if value.is_some_and(|v| !common::MONEY.contains(v)) {
        validator.push(FieldError::new(
            field,
            "range",
            format!("{field} must not be negative"),
        ));
    }
}

/// Amounts in VND: not negative, and min ≤ max when both are given.
pub fn check_money_range(
    validator: &mut Validator,
    min_field: &str,
    min: Option<i64>,
    max_field: &str,
    max: Option<i64>,
) {
    check_money(validator, min_field, min);
    check_money(validator, max_field, max);
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        validator.push(FieldError::new(
            max_field,
            "range",
            format!("{min_field} must not exceed {max_field}"),
        ));
    }
}

/// A TRL: 1 to 9 ([`common::TRL`]).
pub fn check_trl(validator: &mut Validator, field: &str, trl: Option<i32>) {
    if let Err(error) = common::TRL.check_whole_as(field, trl.map(i64::from)) {
        validator.push(error);
    }
}

/// The contact person (registered tier).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

pub fn parse_contact(
    validator: &mut Validator,
    name: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
) -> Contact {
    let name = validator
        .check(common::CONTACT_NAME.optional_text(name))
        .flatten();
    let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(email) => validator
            .check(Email::parse("contact_email", email))
            .map(Email::into_inner),
        None => None,
    };
    let phone = validator
        .check(common::CONTACT_PHONE.optional_text(phone))
        .flatten();
    if let Some(phone) = &phone
        && !phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-.()".contains(c))
    {
        validator.push(FieldError::new(
            "contact_phone",
            "format",
            "contact_phone may hold digits, spaces and + - . ( ) only",
        ));
    }
    Contact { name, email, phone }
}

/// The field-by-field difference of two JSON objects: `{field: {"from": …, "to": …}}`.
pub fn diff(before: &Value, after: &Value) -> Value {
    let empty = Map::new();
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut changes = Map::new();
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for key in keys {
        let old = before.get(key).unwrap_or(&Value::Null);
        let new = after.get(key).unwrap_or(&Value::Null);
        if old != new {
            let mut change = Map::new();
            change.insert("from".into(), old.clone());
            change.insert("to".into(), new.clone());
            changes.insert(key.clone(), Value::Object(change));
        }
    }
    Value::Object(changes)
}

/// The contact person of a record (registered tier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ContactView {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// UTF-8 CSV with a header row; list fields separated by `;`.
    #[default]
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// The outcome of an import: every row was created, as drafts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    /// Rows read and created.
    pub imported: usize,
    /// Ids of the created records, in file order.
    pub ids: Vec<i64>,
}

/// What the shared rules need to know of a stored listing or request.
pub trait RecordMeta {
    fn id(&self) -> i64;
    fn organization_id(&self) -> OrganizationId;
    /// The stored status code.
    fn status(&self) -> &str;
    fn valid_until(&self) -> Option<NaiveDateTime>;
    fn version(&self) -> i32;
}

/// The stored status, parsed.
pub fn status_of<R: RecordMeta>(record: &R) -> Result<RecordStatus, RecordError> {
    stored(record.status())
}

/// The status as readers see it (a lapsed publication reads `expired`).
pub fn effective_status_of<R: RecordMeta>(
    record: &R,
    now: NaiveDateTime,
) -> Result<RecordStatus, RecordError> {
    Ok(lifecycle::effective_status(
        status_of(record)?,
        record.valid_until(),
        now,
    ))
}

/// Whether `actor` may see `record` at all: live publications are public; everything else
/// belongs to the owner organization and the staff (404 for everyone else).
pub fn is_visible<R: RecordMeta>(actor: Option<&Actor>, record: &R, now: NaiveDateTime) -> bool {
    let live = record.status() == RecordStatus::Published.as_str()
        && record.valid_until().is_none_or(|until| until > now);
    live || actor.is_some_and(|a| a.sees_unpublished_of(record.organization_id()))
}

/// The tier of each record for `actor`, looking up access grants only where they could matter.
pub fn tiers<R: RecordMeta>(
    conn: &mut DbConn,
    entity: &str,
    actor: Option<&Actor>,
    rows: &[R],
    now: NaiveDateTime,
) -> Result<Vec<Tier>, RecordError> {
    let Some(actor) = actor else {
        return Ok(vec![Tier::Public; rows.len()]);
    };
    let outsiders: Vec<i64> = rows
        .iter()
        .filter(|r| !actor.is_staff() && !actor.is_member_of(r.organization_id()))
        .map(RecordMeta::id)
        .collect();
    let granted: BTreeSet<i64> =
        log::granted_ids(conn, entity, &outsiders, &actor.organization_ids(), now)?
            .into_iter()
            .collect();
    Ok(rows
        .iter()
        .map(|r| actor.tier_for(r.organization_id(), granted.contains(&r.id())))
        .collect())
}

/// Ids of the rows whose confidential tier `actor` reads from outside the owner organization:
/// the reads the access log records.
pub fn outside_confidential_reads<R: RecordMeta>(
    actor: Option<&Actor>,
    rows: &[R],
    tiers: &[Tier],
) -> Vec<i64> {
    // The system (indexer, CLI) reads to serve others; its reads are not an outsider's.
    let Some(actor) = actor.filter(|a| a.principal != techx_accounts::Principal::System) else {
        return Vec::new();
    };
    rows.iter()
        .zip(tiers)
        .filter(|(r, tier)| {
            **tier == Tier::Confidential && !actor.is_member_of(r.organization_id())
        })
        .map(|(r, _)| r.id())
        .collect()
}

/// The API name of a tier.
pub fn tier_name(tier: Tier) -> &'static str {
    match tier {
        Tier::Public => "public",
        Tier::Registered => "registered",
        Tier::Confidential => "confidential",
    }
}

/// A stale `If-Match` version is refused.
pub fn check_version<R: RecordMeta>(record: &R, expected: Option<i32>) -> Result<(), RecordError> {
    match expected {
        Some(version) if version != record.version() => Err(RecordError::StaleVersion {
            current: record.version(),
        }),
        _ => Ok(()),
    }
}

/// A record the actor may change: 404 when it may not see it, 403 when it may only read it.
pub fn require_editable_by<R: RecordMeta>(
    actor: &Actor,
    record: Option<R>,
    what: &'static str,
    now: NaiveDateTime,
) -> Result<R, RecordError> {
    let record = record
        .filter(|r| is_visible(Some(actor), r, now))
        .ok_or(RecordError::NotFound(what))?;
    if !actor.can_edit_records_of(record.organization_id()) {
        return Err(RecordError::Forbidden(
            "only owners and editors of the organization may change it",
        ));
    }
    Ok(record)
}

/// The organization a new record belongs to: the one named, or the caller's only organization
/// it may edit for.
pub fn owner_of_new(
    actor: &Actor,
    named: Option<OrganizationId>,
) -> Result<OrganizationId, RecordError> {
    if let Some(org) = named {
        if !actor.can_edit_records_of(org) {
            return Err(RecordError::Forbidden(
                "you may not create records for this organization",
            ));
        }
        return Ok(org);
    }
    let editable: Vec<OrganizationId> = actor
        .memberships
        .iter()
        .map(|m| m.organization_id)
        .filter(|org| actor.can_edit_records_of(*org))
        .collect();
    match editable.as_slice() {
        [only] => Ok(*only),
        [] => Err(RecordError::Forbidden(
            "you are not an owner or editor of any organization",
        )),
        _ => Err(RecordError::invalid(
            "organization_id",
            "required",
            "organization_id is required when you edit for several organizations",
        )),
    }
}

/// Field errors of an import row, renamed `rows[N].field`.
pub fn prefixed(errors: Vec<FieldError>, row: usize) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| FieldError {
            field: format!("rows[{row}].{}", e.field),
            ..e
        })
        .collect()
}

/// Which records a caller may see at all in a list.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Staff: everything.
    All,
    /// Live publications, plus any status of these organizations.
    PublishedAndOwn(Vec<i64>),
}

pub fn scope_of(actor: Option<&Actor>) -> Scope {
    match actor {
        Some(a) if a.is_staff() => Scope::All,
        Some(a) => Scope::PublishedAndOwn(a.organization_ids()),
        None => Scope::PublishedAndOwn(Vec::new()),
    }
}

/// Checked `limit` and `offset`.
pub fn paging(limit: Option<i64>, offset: Option<i64>) -> Result<Paging, RecordError> {
    PageParams { limit, offset }
        .parse()
        .map_err(|e| RecordError::Invalid(vec![e]))
}

/// A lifecycle step that passed every check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub from: RecordStatus,
    pub to: RecordStatus,
    /// Publication and renewal start a new validity and confirm the record.
    pub confirms: bool,
    pub publishes: bool,
}

/// Check that `actor` may take `action` on `record` now, and where it leads.
pub fn plan_step<R: RecordMeta>(
    kind: RecordKind,
    actor: &Actor,
    record: &R,
    action: Action,
    now: NaiveDateTime,
) -> Result<Step, RecordError> {
    let allowed = match lifecycle::action_by(action) {
        ActionBy::OwnerEditor => actor.can_edit_records_of(record.organization_id()),
        ActionBy::Moderator => actor.is_moderator(),
    };
    if !allowed {
        return Err(RecordError::Forbidden(match lifecycle::action_by(action) {
            ActionBy::OwnerEditor => "only owners and editors of the organization may do this",
            ActionBy::Moderator => "only moderators may do this",
        }));
    }
    let from = effective_status_of(record, now)?;
    let to = lifecycle::next_status(kind, from, action).ok_or_else(|| {
        RecordError::Conflict(format!(
            "cannot {action} a {} that is {from}",
            kind.entity()
        ))
    })?;
    Ok(Step {
        from,
        to,
        confirms: matches!(action, Action::Publish | Action::Renew),
        publishes: action == Action::Publish,
    })
}

/// A history entry of `entity`.
#[allow(clippy::too_many_arguments)]
pub fn history_entry<'a>(
    entity: &'a str,
    entity_id: i64,
    action: &'a str,
    from: Option<&'a str>,
    to: Option<&'a str>,
    changes: &Value,
    note: Option<&'a str>,
    actor: ActorRef,
    at: NaiveDateTime,
) -> HistoryEntry<'a> {
    HistoryEntry {
        entity,
        entity_id,
        action,
        from_status: from,
        to_status: to,
        changes: changes.to_string(),
        note,
        actor,
        at,
    }
}

/// Log reads of the confidential tier (a separate short write after the read).
pub async fn log_reads(
    db: &techx_db::Db,
    entity: &'static str,
    actor: Option<&Actor>,
    ids: Vec<i64>,
    road: &'static str,
) -> Result<(), RecordError> {
    if ids.is_empty() {
        return Ok(());
    }
    let reader = actor.map(Actor::reference).unwrap_or_default();
    db.write(move |conn| {
        log::log_confidential_reads(conn, entity, &ids, reader, road, techx_core::clock::now())
            .map_err(RecordError::from)
    })
    .await
}

/// The history of a record: for its organization, moderators and admins.
pub fn history_page<R: RecordMeta>(
    conn: &mut DbConn,
    entity: &'static str,
    actor: &Actor,
    record: Option<R>,
    paging: Paging,
    now: NaiveDateTime,
) -> Result<techx_core::Page<HistoryEntryView>, RecordError> {
    let record = record
        .filter(|r| is_visible(Some(actor), r, now))
        .ok_or(RecordError::NotFound(entity))?;
    if !(actor.is_moderator() || actor.is_member_of(record.organization_id())) {
        return Err(RecordError::Forbidden(
            "the history is for the owner organization and moderators",
        ));
    }
    let (rows, total) = log::history_of(conn, entity, record.id(), paging.limit, paging.offset)?;
    let items = rows
        .into_iter()
        .map(HistoryEntryView::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(techx_core::Page::new(items, total, paging))
}

/// A lifecycle action on a listing or a request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionForm {
    pub action: Action,
    /// Why: shown in the history.
    pub note: Option<String>,
}

impl Bounded for TransitionForm {
    const BOUNDS: &'static [Field] = &[STEP_NOTE];
}

/// One entry of a record's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntryView {
    pub id: i64,
    /// `create`, `update`, a lifecycle action, or `expire`.
    pub action: String,
    pub from_status: Option<RecordStatus>,
    pub to_status: Option<RecordStatus>,
    /// Changed fields: `{field: {"from": …, "to": …}}`.
    #[schema(value_type = Object)]
    pub changes: Value,
    pub note: Option<String>,
    /// The user who acted (absent for an API key or the system).
    pub actor_user_id: Option<i64>,
    /// The API key that acted, if any.
    pub actor_api_key_id: Option<i64>,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl HistoryEntryView {
    pub fn from_row(row: crate::log::HistoryRow) -> Result<Self, RecordError> {
        Ok(HistoryEntryView {
            id: row.id,
            action: row.action,
            from_status: row.from_status.as_deref().map(stored).transpose()?,
            to_status: row.to_status.as_deref().map(stored).transpose()?,
            changes: serde_json::from_str(&row.changes)
                .map_err(|error| RecordError::Corrupt(error.to_string()))?,
            note: row.note,
            actor_user_id: row.actor_user_id,
            actor_api_key_id: row.actor_api_key_id,
            at: techx_core::clock::to_utc(row.at),
        })
    }
}

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

/// Paging of a record's history.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// How many entries to return (default 20).
    #[param(value_type = Option<techx_core::bounds::parameter::Limit>, inline)]
    pub limit: Option<i64>,
    /// How many entries to skip (default 0).
    #[param(value_type = Option<techx_core::bounds::parameter::Offset>, inline)]
    pub offset: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_names_only_the_changed_fields() {
        let before = json!({"title": "A", "trl": 3, "keywords": ["x"]});
        let after = json!({"title": "B", "trl": 3, "keywords": ["x", "y"], "details": "d"});
        let changes = diff(&before, &after);
        assert_eq!(changes["title"], json!({"from": "A", "to": "B"}));
        assert_eq!(changes["keywords"]["to"], json!(["x", "y"]));
        assert_eq!(changes["details"], json!({"from": null, "to": "d"}));
        assert!(changes.get("trl").is_none());
    }

    #[test]
    fn keywords_are_trimmed_and_deduplicated_ignoring_case() {
        let mut validator = Validator::new();
        let kept = parse_keywords(
            &mut validator,
            "keywords",
            &[" IoT ".into(), "iot".into(), "".into(), "nước thải".into()],
        );
        assert_eq!(kept, vec!["IoT".to_owned(), "nước thải".to_owned()]);
        assert!(validator.is_empty());
    }

    #[test]
    fn a_money_range_must_be_ordered_and_positive() {
        let mut validator = Validator::new();
        check_money_range(
            &mut validator,
            "price_min_vnd",
            Some(10),
            "price_max_vnd",
            Some(5),
        );
        check_money_range(
            &mut validator,
            "price_min_vnd",
            Some(-1),
            "price_max_vnd",
            None,
        );
        let errors = validator.finish().unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].field, "price_max_vnd");
        assert_eq!(errors[1].field, "price_min_vnd");
    }

    #[test]
    fn sort_parses_keys_and_direction() {
        assert_eq!(Sort::parse(None).unwrap(), Sort::default());
        assert_eq!(
            Sort::parse(Some("-title")).unwrap(),
            Sort {
                key: SortKey::Title,
                descending: true
            }
        );
        assert_eq!(
            Sort::parse(Some("published_at")).unwrap(),
            Sort {
                key: SortKey::PublishedAt,
                descending: false
            }
        );
        assert!(Sort::parse(Some("price")).is_err());
    }
}

/// Helpers for the CSV form of records: UTF-8, Excel's byte-order mark tolerated, list fields
/// separated by `;`.
pub mod csv_fields {
    use std::str::FromStr;
    use techx_core::FieldError;
    use techx_core::error::Validator;

    /// A numbered row of an import file (data rows count from 1) with its value or problems.
    pub type Row<T> = (usize, Result<T, Vec<FieldError>>);

    /// One data row with its header, read by column name.
    pub struct CsvRow<'a> {
        pub headers: &'a csv::StringRecord,
        pub record: &'a csv::StringRecord,
    }

    impl<'a> CsvRow<'a> {
        pub fn get(&self, name: &str) -> Option<&'a str> {
            let index = self.headers.iter().position(|h| h.trim() == name)?;
            self.record.get(index)
        }
    }

    /// Read a CSV file: check the header against `columns`, then parse each row with
    /// `parse_row`. Rows are numbered from 1, not counting the header.
    pub fn read<T>(
        text: &str,
        columns: &[&str],
        parse_row: impl Fn(&CsvRow<'_>) -> Result<T, Vec<FieldError>>,
    ) -> Result<Vec<Row<T>>, FieldError> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(strip_bom(text).as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| {
                FieldError::new("file", "format", format!("cannot read the header row: {e}"))
            })?
            .clone();
        for header in &headers {
            if !columns.contains(&header.trim()) {
                return Err(FieldError::new(
                    "file",
                    "unknown_column",
                    format!("unknown column `{header}`"),
                ));
            }
        }
        let mut rows = Vec::new();
        for (index, record) in reader.records().enumerate() {
            let parsed = match record {
                Ok(record) => parse_row(&CsvRow {
                    headers: &headers,
                    record: &record,
                }),
                Err(e) => Err(vec![FieldError::new("row", "format", e.to_string())]),
            };
            rows.push((index + 1, parsed));
        }
        Ok(rows)
    }

    /// Read JSON Lines: one object per non-blank line, numbered from 1.
    pub fn read_jsonl<T: serde::de::DeserializeOwned>(text: &str) -> Vec<Row<T>> {
        strip_bom(text)
            .lines()
            .filter(|line| !line.trim().is_empty())
            .enumerate()
            .map(|(index, line)| {
                let parsed = serde_json::from_str::<T>(line).map_err(|e| {
                    vec![FieldError::new(
                        "row",
                        "format",
                        format!("invalid JSON: {e}"),
                    )]
                });
                (index + 1, parsed)
            })
            .collect()
    }

    /// Write rows as JSON Lines.
    pub fn write_jsonl<T: serde::Serialize>(rows: &[T]) -> Result<String, serde_json::Error> {
        let mut out = String::new();
        for row in rows {
            out.push_str(&serde_json::to_string(row)?);
            out.push('\n');
        }
        Ok(out)
    }

    /// Separator of list values inside one CSV cell.
    pub const LIST_SEPARATOR: char = ';';

    /// Strip a UTF-8 byte-order mark (Excel writes one).
    pub fn strip_bom(text: &str) -> &str {
        text.strip_prefix('\u{feff}').unwrap_or(text)
    }

    /// Characters that make a spreadsheet read a cell as a formula when they start it (OWASP,
    /// "CSV injection").
    const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

    /// A cell a spreadsheet will not run: one that starts like a formula gets a leading
    /// apostrophe, which spreadsheets show as text and the import takes off again. Every export
    /// writes its cells through this.
    pub fn spreadsheet_safe(cell: String) -> String {
        if cell.starts_with(FORMULA_STARTS) {
            format!("'{cell}")
        } else {
            cell
        }
    }

    /// A cell as written before [`spreadsheet_safe`] protected it.
    fn unprotected(value: &str) -> &str {
        match value.strip_prefix('\'') {
            Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
            _ => value,
        }
    }

    /// Write one data row, every cell spreadsheet-safe.
    pub fn write_row<W: std::io::Write, const N: usize>(
        writer: &mut csv::Writer<W>,
        cells: [String; N],
    ) -> Result<(), csv::Error> {
        writer.write_record(cells.map(spreadsheet_safe))
    }

    /// A text cell: blank is None.
    pub fn text(value: Option<&str>) -> Option<String> {
        value
            .map(unprotected)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    /// A list cell: values separated by `;`, blanks dropped.
    pub fn list(value: Option<&str>) -> Vec<String> {
        unprotected(value.unwrap_or_default())
            .split(LIST_SEPARATOR)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// A code cell.
    pub fn code<T: FromStr>(v: &mut Validator, field: &str, value: Option<&str>) -> Option<T> {
        let value = text(value)?;
        v.check(techx_core::validate::code(field, &value))
    }

    /// A list of codes.
    pub fn codes<T: FromStr>(v: &mut Validator, field: &str, value: Option<&str>) -> Vec<T> {
        list(value)
            .iter()
            .filter_map(|code| v.check(techx_core::validate::code(field, code)))
            .collect()
    }

    /// An integer cell (spaces and thousands separators `.`/`,` are not allowed: amounts are
    /// plain digits).
    pub fn integer<T: FromStr>(v: &mut Validator, field: &str, value: Option<&str>) -> Option<T> {
        let value = text(value)?;
        match value.parse() {
            Ok(number) => Some(number),
            Err(_) => {
                v.push(FieldError::new(
                    field,
                    "format",
                    format!("{field} must be a whole number"),
                ));
                None
            }
        }
    }

    /// A yes/no cell: `true`/`false`, `1`/`0`, `yes`/`no`, `có`/`không`.
    pub fn boolean(v: &mut Validator, field: &str, value: Option<&str>) -> Option<bool> {
        let value = text(value)?.to_lowercase();
        match value.as_str() {
            "true" | "1" | "yes" | "có" | "co" => Some(true),
            "false" | "0" | "no" | "không" | "khong" => Some(false),
            _ => {
                v.push(FieldError::new(
                    field,
                    "format",
                    format!("{field} must be true or false"),
                ));
                None
            }
        }
    }

    /// Join list values into one cell.
    pub fn join<T: ToString>(values: &[T]) -> String {
        values
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(&LIST_SEPARATOR.to_string())
    }

    /// An optional value as a cell.
    pub fn cell<T: ToString>(value: &Option<T>) -> String {
        value.as_ref().map(ToString::to_string).unwrap_or_default()
    }
}
