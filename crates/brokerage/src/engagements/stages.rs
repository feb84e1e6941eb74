//! An engagement's stages: which moves are allowed from where (forward one or more steps,
//! `lost`, `on_hold` and back), what each requires (a reason, a contract and its terms), and
//! the move itself as one guarded write with its timeline event.

use super::*;
use techx_catalogue::records::TransitionForm;
use techx_core::codes::Action;
use techx_listings::Listings;

/// What a stage change will do, checked before anything is written.
#[derive(Debug, Clone, Copy)]
pub struct StagePlan {
    pub from: EngagementStage,
    pub to: EngagementStage,
    /// The listing to close as `transferred` (a contract is being signed).
    pub close_listing: Option<i64>,
}

fn plan(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    form: &StageForm,
) -> Result<(EngagementRow, StagePlan), RecordError> {
    let row = load_visible(conn, actor, id)?;
    require_staff(actor)?;
    let mut errors = Vec::new();
    let from: EngagementStage = stored(&row.stage)?;
    let to = form.stage;
    match (to, &form.reason) {
        (EngagementStage::Lost, None) => errors.push(FieldError::new(
            "reason",
            "required",
            "a lost engagement needs a reason",
        )),
        (EngagementStage::Lost, Some(r)) if r.trim().is_empty() => errors.push(FieldError::new(
            "reason",
            "required",
            "a lost engagement needs a reason",
        )),
        (stage, Some(_)) if stage != EngagementStage::Lost => errors.push(FieldError::new(
            "reason",
            "not_allowed",
            "a reason is given only with lost",
        )),
        _ => {}
    }
    match (to, &form.contract) {
        (EngagementStage::ContractSigned, None) => errors.push(FieldError::new(
            "contract",
            "required",
            "signing needs the contract: kind, value_vnd, signed_on, transfer_form",
        )),
        (EngagementStage::ContractSigned, Some(contract)) => check_contract(contract, &mut errors),
        (_, Some(_)) => errors.push(FieldError::new(
            "contract",
            "not_allowed",
            "a contract is given only with contract_signed",
        )),
        _ => {}
    }
    RecordError::invalid_if_any(errors)?;
    let resumes = from == EngagementStage::OnHold && row.held_stage.as_deref() == Some(to.as_str());
    if !(from.next().contains(&to) || resumes) {
        return Err(RecordError::Conflict(format!(
            "an engagement at {from} cannot move to {to}"
        )));
    }
    let mut close_listing = None;
    if to == EngagementStage::ContractSigned
        && let Some(listing) = row.listing_id
    {
        let party =
            listing_party(conn, ListingId(listing))?.ok_or(RecordError::NotFound("listing"))?;
        let status = party.status.as_str();
        if status != RecordStatus::Published.as_str() && status != RecordStatus::Paused.as_str() {
            return Err(RecordError::Conflict(format!(
                "the listing is {status}: only a published or paused listing closes as transferred"
            )));
        }
        close_listing = Some(listing);
    }
    Ok((
        row,
        StagePlan {
            from,
            to,
            close_listing,
        },
    ))
}

fn check_contract(contract: &ContractForm, errors: &mut Vec<FieldError>) {
    if contract
        .value_vnd
        .is_some_and(|v| !techx_core::bounds::common::MONEY.contains(v))
    {
        errors.push(FieldError::new(
            "contract.value_vnd",
            "range",
            "contract.value_vnd must not be negative",
        ));
    }
    if contract.signed_on > clock::now().date() {
        errors.push(FieldError::new(
            "contract.signed_on",
            "range",
            "contract.signed_on must not be in the future",
        ));
    }
}

impl Brokerage {
    /// Move an engagement to another allowed stage (staff); `contract_signed` records the
    /// contract and closes its listing as `transferred` in the same transaction (the listing's
    /// own lifecycle step, taken by the system, with the contract in its history note). The
    /// move is made by a conditional update on the stage it was planned from: of two moves at
    /// once, one lands and the other is 409.
    pub async fn change_stage(
        &self,
        actor: &Actor,
        id: EngagementId,
        form: StageForm,
    ) -> Result<EngagementView, RecordError> {
        let id = id.0;
        let mut errors = Vec::new();
        let note = text(&mut errors, "note", &form.note, false);
        text(&mut errors, "reason", &form.reason, false);
        RecordError::invalid_if_any(errors)?;
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                let (row, plan) = plan(conn, &actor, id, &form)?;
                let held = match plan.to {
                    EngagementStage::OnHold => Some(plan.from.as_str().to_owned()),
                    _ => None,
                };
                let moved = diesel::update(
                    engagements::table
                        .find(id)
                        .filter(engagements::stage.eq(plan.from.as_str())),
                )
                .set((
                    engagements::stage.eq(plan.to.as_str()),
                    engagements::held_stage.eq(held),
                    engagements::lost_reason.eq(form.reason.as_deref().map(str::trim)),
                    engagements::updated_at.eq(now),
                ))
                .execute(conn)
                .map_err(db)?;
                if moved == 0 {
                    return Err(RecordError::Conflict(format!(
                        "the engagement left {} meanwhile: read it again",
                        plan.from
                    )));
                }
                if let Some(contract) = &form.contract {
                    let signed: i64 = diesel::insert_into(contracts::table)
                        .values((
                            contracts::engagement_id.eq(id),
                            contracts::listing_id.eq(row.listing_id),
                            contracts::request_id.eq(row.request_id),
                            contracts::kind.eq(contract.kind.as_str()),
                            contracts::value_vnd.eq(contract.value_vnd),
                            contracts::signed_on.eq(contract.signed_on),
                            contracts::transfer_form.eq(contract.transfer_form.map(|t| t.as_str())),
                            contracts::created_by.eq(actor.user_id().map(|u| u.0)),
                            contracts::created_at.eq(now),
                        ))
                        .returning(contracts::id)
                        .get_result(conn)
                        .map_err(|error| {
                            let error = db(error);
                            if matches!(&error, RecordError::Db(e) if e.is_unique_violation()) {
                                RecordError::Conflict(
                                    "this engagement already has its contract".to_owned(),
                                )
                            } else {
                                error
                            }
                        })?;
                    if let Some(listing) = plan.close_listing {
                        close_listing(conn, ListingId(listing), signed, id)?;
                    }
                }
                event(
                    conn,
                    id,
                    "stage",
                    (Some(plan.from.as_str()), Some(plan.to.as_str())),
                    note.or(form.reason.clone()),
                    &actor,
                    now,
                )?;
                let row = load(conn, id)?.ok_or(RecordError::NotFound("engagement"))?;
                view(conn, &actor, &row, true)
            })
            .await
    }
}

/// Close the listing of a signed contract as `transferred`, inside the caller's transaction.
fn close_listing(
    conn: &mut DbConn,
    listing: ListingId,
    contract: i64,
    engagement: i64,
) -> Result<(), RecordError> {
    let close = TransitionForm {
        action: Action::Close,
        note: Some(format!(
            "chuyển giao theo hợp đồng {contract} (engagement {engagement}) / transferred under \
             contract {contract} (engagement {engagement})"
        )),
    };
    Listings::transition_in(conn, &Actor::system(), listing, &close, None).map(|_| ())
}
