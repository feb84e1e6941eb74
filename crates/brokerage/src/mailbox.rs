//! Where an inquiry or an access request goes and who stands where: the sender's side, the
//! owner's side when it is routed to the owner, the brokers'. The same rule as SQL, for
//! lists, is `visibility::routed_seen!`.

use crate::dto::*;
use crate::{Party, party};
use chrono::NaiveDateTime;
use techx_accounts::Actor;
use techx_catalogue::records::RecordError;
use techx_core::RecordRef;
use techx_db::DbConn;

/// The record organization `sender` writes about (`what`: "inquiries", "access requests"),
/// checked for `actor`: one it may see (404), published (409), not its own organization's
/// (409); and where the message goes: to the owner, or to the brokers when the record is
/// anonymous (the owner stays unnamed).
pub(crate) fn routed_to(
    conn: &mut DbConn,
    actor: &Actor,
    record: RecordRef,
    sender: i64,
    what: &str,
    now: NaiveDateTime,
) -> Result<(Party, &'static str), RecordError> {
    let kind = record.kind();
    let record = party(conn, record)?
        .filter(|p| p.visible_to(actor, now))
        .ok_or(RecordError::NotFound(kind.as_str()))?;
    if !record.live(now) {
        return Err(RecordError::Conflict(format!(
            "the {kind} is {}: only published records take {what}",
            record.status
        )));
    }
    if record.organization_id == sender {
        return Err(RecordError::Conflict(
            "this record belongs to your organization".to_owned(),
        ));
    }
    let routed = if record.anonymous { "broker" } else { "owner" };
    Ok((record, routed))
}

/// How an actor stands to what organization `sender` sent about `record`, routed to its owner
/// or to the brokers (an inquiry, an access request): the sender's side, the owner's side (when
/// routed to the owner), the brokers' (staff), or none.
pub(crate) fn routed_side(
    actor: &Actor,
    sender: i64,
    routed_to: &str,
    record: &Party,
) -> Option<InquirySide> {
    if actor.is_member_of(techx_core::OrganizationId(sender)) {
        Some(InquirySide::Inquirer)
    } else if routed_to == "owner" && record.owned_by(actor) {
        Some(InquirySide::Owner)
    } else if actor.is_staff() {
        Some(InquirySide::Broker)
    } else {
        None
    }
}
