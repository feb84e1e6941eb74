//! Where an inquiry or an access request goes and who stands where: the sender's side, the
//! owner's side when it is routed to the owner, the brokers'. The same rule as SQL, for
//! lists, is `visibility::routed_seen!`.

use crate::Party;
use crate::dto::*;
use techx_accounts::Actor;

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
