//! The demo dataset (`demo/demo.json`): organizations with their owners, staff accounts,
//! listings and requests in varied statuses, loaded through the same services as the API so
//! that every rule, history entry and change-log row is real.

use anyhow::Context;
use serde::Deserialize;
use std::collections::HashMap;
use techx_accounts::dto::{OrganizationForm, RegisterForm, UserRoleForm, VerificationForm};
use techx_accounts::{Accounts, Actor};
use techx_catalogue::records::TransitionForm;
use techx_core::codes::{Action, OrgType, PlatformRole, Province, RecordStatus, Verification};
use techx_core::{OrganizationId, UserId};
use techx_db::Db;
use techx_listings::Listings;
use techx_listings::dto::ListingForm;
use techx_requests::Requests;
use techx_requests::dto::RequestForm;

const DATA: &str = include_str!("../demo/demo.json");

#[derive(Deserialize)]
struct Demo {
    password: String,
    staff: Vec<Staff>,
    organizations: Vec<DemoOrganization>,
    listings: Vec<DemoRecord<ListingForm>>,
    requests: Vec<DemoRecord<RequestForm>>,
}

#[derive(Deserialize)]
struct Staff {
    email: String,
    full_name: String,
    platform_role: PlatformRole,
}

/// An organization with its owner account.
#[derive(Deserialize)]
pub struct DemoOrganization {
    pub key: String,
    pub name: String,
    pub org_type: OrgType,
    pub province_code: Province,
    pub tax_code: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub verified: bool,
    pub owner_email: String,
    pub owner_name: String,
}

/// Register an organization with its owner (signing in with `password`), verified when asked.
pub async fn register_organization(
    accounts: &Accounts,
    password: &str,
    org: &DemoOrganization,
) -> anyhow::Result<OrganizationId> {
    let me = accounts
        .register(
            RegisterForm {
                email: org.owner_email.clone(),
                password: password.to_owned(),
                full_name: org.owner_name.clone(),
                organization: Some(OrganizationForm {
                    name: org.name.clone(),
                    org_type: org.org_type,
                    tax_code: org.tax_code.clone(),
                    province_code: Some(org.province_code),
                    address: org.address.clone(),
                    website: org.website.clone(),
                }),
            },
            None,
        )
        .await?;
    let id = me
        .memberships
        .first()
        .map(|m| m.organization_id)
        .context("a registered organization has its owner as member")?;
    if org.verified {
        let decision = VerificationForm {
            decision: Verification::Verified,
            note: None,
        };
        accounts
            .verify_organization(&Actor::system(), id, decision)
            .await?;
    }
    Ok(id)
}

/// Submit and publish a new draft, as a moderator would.
pub const PUBLISH: [Action; 2] = [Action::Submit, Action::Publish];

/// A transition with the demo note.
pub fn step(action: Action) -> TransitionForm {
    TransitionForm {
        action,
        note: Some("dữ liệu mẫu (demo)".to_owned()),
    }
}

#[derive(Deserialize)]
struct DemoRecord<F> {
    org: String,
    status: RecordStatus,
    form: F,
}

/// The actions that bring a new draft to `status` (an expired record is published, then its
/// validity is moved into the past).
fn path_to(status: RecordStatus) -> &'static [Action] {
    use Action::*;
    match status {
        RecordStatus::Draft => &[],
        RecordStatus::Submitted => &[Submit],
        RecordStatus::ChangesRequested => &[Submit, RequestChanges],
        RecordStatus::Rejected => &[Submit, Reject],
        RecordStatus::Published | RecordStatus::Expired => &PUBLISH,
        RecordStatus::Paused => &[Submit, Publish, Pause],
        RecordStatus::Withdrawn => &[Submit, Publish, Withdraw],
        RecordStatus::Transferred | RecordStatus::Fulfilled => &[Submit, Publish, Close],
    }
}

/// Load the demo data when the database holds no account. Returns whether it loaded.
pub async fn load_if_empty(
    db: &Db,
    accounts: &Accounts,
    listings: &Listings,
    requests: &Requests,
) -> anyhow::Result<bool> {
    if !accounts.is_empty().await? {
        return Ok(false);
    }
    let demo: Demo = serde_json::from_str(DATA).context("demo/demo.json is not valid")?;
    let system = Actor::system();

    for staff in &demo.staff {
        let me = accounts
            .register(
                RegisterForm {
                    email: staff.email.clone(),
                    password: demo.password.clone(),
                    full_name: staff.full_name.clone(),
                    organization: None,
                },
                None,
            )
            .await?;
        let id = me.user.map(|u| u.id).unwrap_or(UserId(0));
        let form = UserRoleForm {
            platform_role: staff.platform_role,
        };
        accounts.set_platform_role(&system, id, form).await?;
    }

    let mut organizations: HashMap<String, OrganizationId> = HashMap::new();
    for org in demo.organizations {
        let id = register_organization(accounts, &demo.password, &org)
            .await
            .with_context(|| format!("demo organization {}", org.key))?;
        organizations.insert(org.key, id);
    }
    let owner_of = |key: &str| {
        organizations
            .get(key)
            .copied()
            .with_context(|| format!("demo record of unknown organization {key}"))
    };

    let (listing_count, request_count) = (demo.listings.len(), demo.requests.len());
    let mut expired = Vec::new();
    for record in demo.listings {
        let mut form = record.form;
        form.organization_id = Some(owner_of(&record.org)?);
        let title = form.title.clone();
        let id = listings
            .create(&system, form)
            .await
            .map_err(|e| anyhow::anyhow!("demo listing {title}: {e}"))?
            .id;
        for action in path_to(record.status) {
            listings
                .transition(&system, id, step(*action), None)
                .await?;
        }
        if record.status == RecordStatus::Expired {
            expired.push(id.0);
        }
    }
    for record in demo.requests {
        let mut form = record.form;
        form.organization_id = Some(owner_of(&record.org)?);
        let title = form.title.clone();
        let id = requests
            .create(&system, form)
            .await
            .map_err(|e| anyhow::anyhow!("demo request {title}: {e}"))?
            .id;
        for action in path_to(record.status) {
            requests
                .transition(&system, id, step(*action), None)
                .await?;
        }
    }
    backdate_validity(db, expired).await?;
    listings.expire_due().await?;
    tracing::info!(
        organizations = organizations.len(),
        listings = listing_count,
        requests = request_count,
        password = %demo.password,
        "demo data loaded; every demo account signs in with this password"
    );
    Ok(true)
}

/// Move the validity of publications into the past, as if a year had gone by.
async fn backdate_validity(db: &Db, ids: Vec<i64>) -> anyhow::Result<()> {
    use techx_db::diesel::prelude::*;
    use techx_db::schema::listings;
    let past = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .context("a valid date")?;
    db.write(move |conn| {
        techx_db::diesel::update(listings::table.filter(listings::id.eq_any(ids)))
            .set(listings::valid_until.eq(past))
            .execute(conn)
            .map_err(techx_db::DbError::from)
    })
    .await?;
    Ok(())
}
