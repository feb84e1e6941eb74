//! The JSON shapes of matches and inquiries.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
pub use techx_core::RecordKind;
use techx_core::codes::{
    CooperationType, DeclineReason, InquiryStatus, MatchAnswer, MatchSource, MatchStatus,
};
use techx_core::{
    AccessRequestId, AlertId, AlertSubscriptionId, ContractId, EngagementId, InquiryId, ListingId,
    MatchId, OutcomeId, RequestId,
};
use utoipa::{IntoParams, ToSchema};

/// Which side of a match answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchSide {
    Listing,
    Request,
}

impl MatchSide {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchSide::Listing => "listing",
            MatchSide::Request => "request",
        }
    }
}

/// Save a match between a published listing and a published request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchForm {
    #[schema(value_type = i64)]
    pub listing_id: ListingId,
    #[schema(value_type = i64)]
    pub request_id: RequestId,
    /// Why the two fit, for the parties.
    pub note: Option<String>,
}

/// A note with an action.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteForm {
    pub note: Option<String>,
}

/// One side's answer to an introduction.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerForm {
    /// `accept` or `decline`.
    pub answer: MatchAnswer,
    /// Required with `decline`, not allowed with `accept`.
    pub reason: Option<DeclineReason>,
    pub note: Option<String>,
    /// Which side answers; needed only when both records belong to the caller.
    pub side: Option<MatchSide>,
}

/// One side's answer as recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SideAnswer {
    pub answer: Option<MatchAnswer>,
    pub reason: Option<DeclineReason>,
    pub note: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// A saved match.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchView {
    #[schema(value_type = i64)]
    pub id: MatchId,
    #[schema(value_type = i64)]
    pub listing_id: ListingId,
    #[schema(value_type = i64)]
    pub request_id: RequestId,
    /// Public titles of both records.
    pub listing_title: String,
    pub request_title: String,
    pub source: MatchSource,
    /// The matching engine's score when the match was saved, 0 to 1.
    pub score: f64,
    /// The engine's explanation when the match was saved (public facts only).
    #[schema(value_type = Vec<Object>)]
    pub explanation: serde_json::Value,
    pub status: MatchStatus,
    pub note: Option<String>,
    pub listing_side: SideAnswer,
    pub request_side: SideAnswer,
    /// The user who saved it.
    pub created_by: Option<i64>,
    /// The broker who introduced the two sides.
    pub introduced_by: Option<i64>,
    pub introduced_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Filters of the match list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchFilter {
    /// Only matches in this status.
    pub status: Option<MatchStatus>,
    /// Only matches of this listing.
    #[param(value_type = Option<i64>)]
    pub listing_id: Option<ListingId>,
    /// Only matches of this request.
    #[param(value_type = Option<i64>)]
    pub request_id: Option<RequestId>,
}

/// Send an inquiry.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InquiryForm {
    /// `listing` or `request`.
    pub entity: RecordKind,
    pub entity_id: i64,
    /// The cooperation sought.
    #[serde(default)]
    pub cooperation_sought: Vec<CooperationType>,
    /// What is missing from the record for a decision.
    pub missing: Option<String>,
    /// Who the inquirer is.
    pub about_us: Option<String>,
    /// The question (required).
    #[schema(value_type = String, required = true)]
    pub message: Option<String>,
    /// The verified organization asking; default the caller's first verified one.
    pub organization_id: Option<i64>,
}

/// Where an inquiry goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InquiryRoute {
    /// The owner organization answers.
    Owner,
    /// The exchange's brokers answer (an anonymous request: the requester stays hidden).
    Broker,
}

/// Who wrote in a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InquirySide {
    Inquirer,
    Owner,
    Broker,
}

impl InquirySide {
    pub fn as_str(self) -> &'static str {
        match self {
            InquirySide::Inquirer => "inquirer",
            InquirySide::Owner => "owner",
            InquirySide::Broker => "broker",
        }
    }
}

/// One message of a thread.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InquiryMessage {
    pub id: i64,
    pub side: InquirySide,
    /// The person who wrote it; absent when naming them would name the organization behind an
    /// anonymous request to a caller who may not know it.
    pub author_id: Option<i64>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// An inquiry and its thread (the list leaves the thread out).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InquiryView {
    #[schema(value_type = i64)]
    pub id: InquiryId,
    pub entity: RecordKind,
    pub entity_id: i64,
    /// The record's public title.
    pub record_title: String,
    /// The inquiring organization.
    pub organization_id: i64,
    pub author_id: i64,
    pub cooperation_sought: Vec<CooperationType>,
    pub missing: Option<String>,
    pub about_us: Option<String>,
    pub message: String,
    pub routed_to: InquiryRoute,
    pub status: InquiryStatus,
    pub messages: Vec<InquiryMessage>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Sent or received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mailbox {
    Sent,
    Received,
}

/// Filters of the inquiry list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InquiryFilter {
    /// `sent` (by the caller's organizations) or `received` (to them, or for staff to the
    /// brokers); default both.
    #[serde(rename = "box")]
    #[param(rename = "box")]
    pub mailbox: Option<Mailbox>,
    /// Only those about a listing or only those about a request.
    pub entity: Option<RecordKind>,
    /// Only those about this record (with `entity`).
    pub entity_id: Option<i64>,
    /// Only those in this status.
    pub status: Option<InquiryStatus>,
}

/// A reply in a thread.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageForm {
    /// The text (required).
    #[schema(value_type = String, required = true)]
    pub body: Option<String>,
}

/// Ask for the confidential tier of a published listing or request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessRequestForm {
    pub entity: RecordKind,
    pub entity_id: i64,
    /// Why the organization needs it (required).
    #[schema(value_type = String, required = true)]
    pub message: Option<String>,
    /// The verified organization asking; default the caller's first verified one.
    pub organization_id: Option<i64>,
}

/// A decision on a request for the confidential tier.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessDecisionForm {
    /// Until when the grant holds: in the future, at most three years ahead.
    #[schema(value_type = DateTime<Utc>, required = true)]
    pub expires_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

/// A request for the confidential tier.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessRequestView {
    #[schema(value_type = i64)]
    pub id: AccessRequestId,
    pub entity: RecordKind,
    pub entity_id: i64,
    /// The record's public title.
    pub record_title: String,
    /// The organization asking.
    pub organization_id: i64,
    /// The person who asked; absent when naming them would name the organization behind an
    /// anonymous request to a caller who may not know it.
    pub requested_by: Option<i64>,
    pub message: String,
    /// Who decides: the owner, or the brokers for an anonymous request.
    pub routed_to: InquiryRoute,
    pub status: techx_core::codes::AccessRequestStatus,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    /// The grant it created, and until when it holds.
    pub grant_id: Option<i64>,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Filters of the access-request list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessRequestFilter {
    /// `sent` (by the caller's organizations) or `received` (to decide); default both.
    #[serde(rename = "box")]
    #[param(rename = "box")]
    pub mailbox: Option<Mailbox>,
    /// Only those about a listing or only those about a request.
    pub entity: Option<RecordKind>,
    /// Only those about this record (with `entity`).
    pub entity_id: Option<i64>,
    /// Only those in this status.
    pub status: Option<techx_core::codes::AccessRequestStatus>,
}

/// A grant of the confidential tier of one record to one organization.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantView {
    pub id: i64,
    pub organization_id: i64,
    pub granted_by: Option<i64>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Neither expired nor revoked.
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// One logged read of the confidential tier by someone outside the owner organization.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReadView {
    pub reader_user_id: Option<i64>,
    pub reader_api_key_id: Option<i64>,
    pub reader_organization_id: Option<i64>,
    /// `get`, `list`, `search`, `export`…
    pub road: String,
    pub at: DateTime<Utc>,
}

/// Who was granted a record's confidential tier, and who read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessReport {
    pub grants: Vec<GrantView>,
    pub reads: Vec<ReadView>,
}

/// Open an engagement: from a match, from an inquiry, or from an event.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EngagementForm {
    /// The match it comes from (starts at `introduced`, with the match's listing and request).
    #[schema(value_type = Option<i64>)]
    pub match_id: Option<MatchId>,
    /// The inquiry it comes from (starts at `inquiry`, with the inquired record and the
    /// inquiring organization).
    #[schema(value_type = Option<i64>)]
    pub inquiry_id: Option<InquiryId>,
    /// The event it comes from (techmart, demonstration); then `listing_id` and/or `request_id`.
    pub event_name: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub listing_id: Option<ListingId>,
    #[schema(value_type = Option<i64>)]
    pub request_id: Option<RequestId>,
    /// The other party's organization, for an event.
    pub organization_id: Option<i64>,
    /// The broker in charge.
    pub assignee_id: Option<i64>,
    pub next_action: Option<String>,
    pub next_action_on: Option<chrono::NaiveDate>,
    pub note: Option<String>,
}

/// Change who is in charge and what comes next.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EngagementPatch {
    pub assignee_id: Option<i64>,
    pub next_action: Option<String>,
    pub next_action_on: Option<chrono::NaiveDate>,
}

/// A contract as signed.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractForm {
    pub kind: techx_core::codes::ContractKind,
    /// Value in VND (not negative).
    pub value_vnd: Option<i64>,
    /// Signing date (not in the future).
    pub signed_on: chrono::NaiveDate,
    pub transfer_form: Option<techx_core::codes::TransferForm>,
}

/// Move an engagement to another stage.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageForm {
    pub stage: techx_core::codes::EngagementStage,
    pub note: Option<String>,
    /// Why it was lost (required with `lost`).
    pub reason: Option<String>,
    /// The contract (required with `contract_signed`).
    pub contract: Option<ContractForm>,
}

/// A note in an engagement.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EngagementNoteForm {
    /// The note (required).
    #[schema(value_type = String, required = true)]
    pub body: Option<String>,
}

/// A signed contract.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContractView {
    #[schema(value_type = i64)]
    pub id: ContractId,
    #[schema(value_type = i64)]
    pub engagement_id: EngagementId,
    #[schema(value_type = Option<i64>)]
    pub listing_id: Option<ListingId>,
    #[schema(value_type = Option<i64>)]
    pub request_id: Option<RequestId>,
    pub kind: techx_core::codes::ContractKind,
    pub value_vnd: Option<i64>,
    pub signed_on: chrono::NaiveDate,
    pub transfer_form: Option<techx_core::codes::TransferForm>,
    pub created_at: DateTime<Utc>,
}

/// A stage change or a note.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EngagementEvent {
    pub id: i64,
    /// `stage` or `note`.
    pub kind: String,
    pub from_stage: Option<techx_core::codes::EngagementStage>,
    pub to_stage: Option<techx_core::codes::EngagementStage>,
    pub body: Option<String>,
    /// Who acted; absent for the system, or when naming them would name the organization
    /// behind an anonymous request to a caller who may not know it.
    pub actor_id: Option<i64>,
    pub at: DateTime<Utc>,
}

/// An engagement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EngagementView {
    #[schema(value_type = i64)]
    pub id: EngagementId,
    #[schema(value_type = Option<i64>)]
    pub listing_id: Option<ListingId>,
    #[schema(value_type = Option<i64>)]
    pub request_id: Option<RequestId>,
    /// The other party's organization; absent when it is the organization behind an anonymous
    /// request and the caller may not know it.
    pub organization_id: Option<i64>,
    pub origin: techx_core::codes::EngagementOrigin,
    #[schema(value_type = Option<i64>)]
    pub match_id: Option<MatchId>,
    #[schema(value_type = Option<i64>)]
    pub inquiry_id: Option<InquiryId>,
    pub event_name: Option<String>,
    pub stage: techx_core::codes::EngagementStage,
    /// The stage an `on_hold` engagement resumes to.
    pub held_stage: Option<techx_core::codes::EngagementStage>,
    pub lost_reason: Option<String>,
    pub assignee_id: Option<i64>,
    pub next_action: Option<String>,
    pub next_action_on: Option<chrono::NaiveDate>,
    pub created_by: Option<i64>,
    pub contract: Option<ContractView>,
    /// Stage changes and notes, oldest first (one engagement only; empty in lists).
    pub events: Vec<EngagementEvent>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Filters of the engagement list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EngagementFilter {
    /// Only engagements at this stage.
    pub stage: Option<techx_core::codes::EngagementStage>,
    /// Only engagements this broker is in charge of (a user id).
    pub assignee_id: Option<i64>,
    /// Only engagements about this listing.
    #[param(value_type = Option<i64>)]
    pub listing_id: Option<ListingId>,
}

/// Record an outcome: a spin-off company, startup support, or a research result put to use.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeForm {
    pub kind: techx_core::codes::OutcomeKind,
    /// What happened, in a line (required).
    pub title: Option<String>,
    /// When it happened: founding, support or first use (not in the future).
    pub occurred_on: chrono::NaiveDate,
    #[schema(value_type = Option<i64>)]
    pub engagement_id: Option<EngagementId>,
    #[schema(value_type = Option<i64>)]
    pub listing_id: Option<ListingId>,
    /// The organization concerned: the spin-off once registered, the startup supported, the user
    /// of the result.
    pub organization_id: Option<i64>,
    /// Spin-off: the company's name (required for a spin-off).
    pub company_name: Option<String>,
    /// Spin-off: the parent institution (required for a spin-off).
    pub parent_organization_id: Option<i64>,
    /// Spin-off: the intellectual property contributed.
    pub ip_contributed: Option<String>,
    /// Startup support: what was given (incubation, funding, mentoring…; required).
    pub support_kind: Option<String>,
    /// Commercialisation: how the result reached use (licence, own production, sale…; required).
    pub channel: Option<String>,
    pub value_vnd: Option<i64>,
    pub note: Option<String>,
}

/// A recorded outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeView {
    #[schema(value_type = i64)]
    pub id: OutcomeId,
    pub kind: techx_core::codes::OutcomeKind,
    pub title: String,
    pub occurred_on: chrono::NaiveDate,
    #[schema(value_type = Option<i64>)]
    pub engagement_id: Option<EngagementId>,
    #[schema(value_type = Option<i64>)]
    pub listing_id: Option<ListingId>,
    pub organization_id: Option<i64>,
    pub company_name: Option<String>,
    pub parent_organization_id: Option<i64>,
    pub ip_contributed: Option<String>,
    pub support_kind: Option<String>,
    pub channel: Option<String>,
    pub value_vnd: Option<i64>,
    pub note: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// Filters of the outcome list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutcomeFilter {
    /// Only outcomes of this kind.
    pub kind: Option<techx_core::codes::OutcomeKind>,
    /// Only outcomes linked to this listing.
    #[param(value_type = Option<i64>)]
    pub listing_id: Option<ListingId>,
    /// Only outcomes linked to this engagement.
    #[param(value_type = Option<i64>)]
    pub engagement_id: Option<EngagementId>,
}

/// What an alert subscription follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A saved search: its text and fields of science.
    Search,
    /// A request: listings matching it.
    Request,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Search => "search",
            AlertKind::Request => "request",
        }
    }
}

/// Save a search, or mark a request, for alerts.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertSubscriptionForm {
    pub kind: AlertKind,
    /// The search text (required for `search`).
    pub q: Option<String>,
    /// Fields of science the search is about.
    #[serde(default)]
    pub sci_fields: Vec<techx_core::codes::SciField>,
    /// The request (required for `request`; one the caller may see).
    #[schema(value_type = Option<i64>)]
    pub request_id: Option<RequestId>,
    /// Lowest match score that raises an alert, 0 to 1 (default 0.5).
    pub threshold: Option<f64>,
}

/// A saved search or marked request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertSubscriptionView {
    #[schema(value_type = i64)]
    pub id: AlertSubscriptionId,
    pub kind: AlertKind,
    pub q: Option<String>,
    pub sci_fields: Vec<String>,
    #[schema(value_type = Option<i64>)]
    pub request_id: Option<RequestId>,
    pub threshold: f64,
    /// Listings published up to this time have been checked.
    pub checked_until: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// A newly published listing that matched a subscription.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertView {
    #[schema(value_type = i64)]
    pub id: AlertId,
    #[schema(value_type = i64)]
    pub subscription_id: AlertSubscriptionId,
    #[schema(value_type = i64)]
    pub listing_id: ListingId,
    /// The match score when the alert was raised.
    pub score: f64,
    /// The matching engine's explanation (public facts only).
    #[schema(value_type = Vec<Object>)]
    pub explanation: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// The bounds of the brokerage forms: the validators check them and the document states them.
pub mod bounds {
    use techx_core::bounds::{Field, common, parameter};

    /// A note, reason or message, in characters.
    pub const TEXT: Field = common::NOTE;
    /// A text that must be written.
    pub const MESSAGE: Field = Field::text("message", 1, TEXT.max());
    /// The search words of an alert: what a search takes.
    pub const ALERT_QUERY: Field = parameter::QUERY;
    /// The lowest score that raises an alert.
    pub const THRESHOLD: Field = Field::number("threshold", 0.0, 1.0);
    pub const ALERT_SCI_FIELDS: Field = common::SCI_FIELDS.optional();
}

use bounds::*;
use techx_core::bounds::{Bounded, Field, common};

macro_rules! bounded {
    ($form:ty: $($field:expr),* $(,)?) => {
        impl Bounded for $form {
            const BOUNDS: &'static [Field] = &[$($field),*];
        }
    };
}

bounded!(MatchForm: TEXT);
bounded!(NoteForm: TEXT);
bounded!(AnswerForm: TEXT);
bounded!(InquiryForm:
    common::CODES.named("cooperation_sought"),
    TEXT.named("missing"),
    TEXT.named("about_us"),
    MESSAGE,
);
bounded!(MessageForm: MESSAGE.named("body"));
bounded!(AccessRequestForm: MESSAGE);
bounded!(AccessDecisionForm: TEXT);
bounded!(EngagementForm: TEXT.named("event_name"), TEXT.named("next_action"), TEXT);
bounded!(EngagementPatch: TEXT.named("next_action"));
bounded!(ContractForm: common::MONEY);
bounded!(StageForm: TEXT, TEXT.named("reason"));
bounded!(EngagementNoteForm: MESSAGE.named("body"));
bounded!(OutcomeForm:
    TEXT.named("title"),
    TEXT.named("company_name"),
    TEXT.named("ip_contributed"),
    TEXT.named("support_kind"),
    TEXT.named("channel"),
    common::MONEY,
    TEXT,
);
bounded!(AlertSubscriptionForm: ALERT_QUERY, ALERT_SCI_FIELDS, THRESHOLD);
