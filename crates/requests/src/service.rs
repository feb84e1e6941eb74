//! The rules of requests: validation, who may do what, the lifecycle, disclosure tiers, history
//! and the access log. Every change writes its rows, a history entry and a change-log row in one
//! transaction.

use crate::dto::*;
use crate::model::*;
use crate::repo::{self, COOPERATION_TYPE, Children, Filter, SCI_FIELD, StatusChange};
use chrono::NaiveDateTime;
use serde_json::Value;
use techx_accounts::Actor;
use techx_accounts::records::{
    self, HistoryEntryView, HistoryQuery, MAX_CODES, MAX_NOTE_LEN, RecordError, Sort,
    TransitionForm, stored,
};
use techx_core::codes::{IpExpectation, Lang, Province, RecordStatus, RequestOrigin};
use techx_core::error::Validator;
use techx_core::lifecycle::{self, RecordKind, Tier};
use techx_core::page::Paging;
use techx_core::validate;
use techx_core::{FieldError, OrganizationId, Page, clock};
use techx_db::records::{self as log, ActorRef};
use techx_db::{ChangeOp, Db, DbConn, record_change};

const ENTITY: &str = "request";
const KIND: RecordKind = RecordKind::Request;
/// Most rows one export returns.
pub const EXPORT_LIMIT: i64 = 50_000;

/// The requests service.
#[derive(Clone)]
pub struct Requests {
    db: Db,
}

/// A form that passed validation, ready to store.
#[derive(Debug, Clone)]
struct Valid {
    fields: RequestFields,
    children: Children,
}

fn request_code(request: &Request) -> String {
    use chrono::Datelike;
    format!("TX-R-{}-{:06}", request.created_at.year(), request.id)
}

/// Check every rule of a request form; all problems are reported at once.
fn validate_form(form: &RequestForm) -> Result<Valid, Vec<FieldError>> {
    let mut v = Validator::new();
    let kind = form.kind;
    if kind.is_none() {
        v.push(FieldError::new("kind", "required", "kind is required"));
    }
    let title = v.check(validate::required_text("title", &form.title, 5, 300));
    let problem = v.check(validate::required_text("problem", &form.problem, 20, 5000));
    let requirements = v.check(validate::optional_text(
        "requirements",
        form.requirements.as_deref(),
        20_000,
    ));
    let confidential = v.check(validate::optional_text(
        "confidential_details",
        form.confidential_details.as_deref(),
        20_000,
    ));
    let keywords = records::parse_keywords(&mut v, "keywords", &form.keywords);
    let sci_fields = records::parse_sci_fields(&mut v, &form.sci_fields);
    records::check_trl(&mut v, "trl_min", form.trl_min);
    let cooperation_types = records::parse_code_set(
        &mut v,
        "accepted_cooperation_types",
        &form.accepted_cooperation_types,
        MAX_CODES,
    );
    records::check_money_range(
        &mut v,
        "budget_min_vnd",
        form.budget_min_vnd,
        "budget_max_vnd",
        form.budget_max_vnd,
    );
    let contact = records::parse_contact(
        &mut v,
        form.contact_name.as_deref(),
        form.contact_email.as_deref(),
        form.contact_phone.as_deref(),
    );
    v.finish()?;
    let (Some(kind), Some(title), Some(problem)) = (kind, title, problem) else {
        return Err(vec![FieldError::new(
            "title",
            "required",
            "title is required",
        )]);
    };
    let mut codes: Vec<(&'static str, String)> = Vec::new();
    codes.extend(
        sci_fields
            .iter()
            .map(|c| (SCI_FIELD, c.as_str().to_owned())),
    );
    codes.extend(
        cooperation_types
            .iter()
            .map(|c| (COOPERATION_TYPE, c.as_str().to_owned())),
    );
    Ok(Valid {
        fields: RequestFields {
            kind: kind.as_str().to_owned(),
            lang: form.lang.unwrap_or(Lang::Vi).as_str().to_owned(),
            title,
            problem,
            requirements: requirements.flatten(),
            confidential_details: confidential.flatten(),
            trl_min: form.trl_min,
            budget_min_vnd: form.budget_min_vnd,
            budget_max_vnd: form.budget_max_vnd,
            deadline: form.deadline.map(|d| d.to_string()),
            ip_expectation: form
                .ip_expectation
                .unwrap_or(IpExpectation::Any)
                .as_str()
                .to_owned(),
            anonymous: form.anonymous,
            origin: form
                .origin
                .unwrap_or(RequestOrigin::SelfPosted)
                .as_str()
                .to_owned(),
            province_code: form
                .province_code
                .unwrap_or(Province::DEFAULT)
                .as_str()
                .to_owned(),
            contact_name: contact.name,
            contact_email: contact.email,
            contact_phone: contact.phone,
        },
        children: Children { codes, keywords },
    })
}

/// The stored request as a complete form: the base a patch applies to, and what diffs compare.
fn to_form(request: &Request, children: &repo::LoadedChildren) -> Result<RequestForm, RecordError> {
    let codes = children
        .codes
        .get(&request.id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let of = |list: &'static str| {
        codes
            .iter()
            .filter(move |c| c.list == list)
            .map(|c| c.code.as_str())
    };
    Ok(RequestForm {
        organization_id: Some(OrganizationId(request.organization_id)),
        kind: Some(stored(&request.kind)?),
        lang: Some(stored(&request.lang)?),
        title: request.title.clone(),
        problem: request.problem.clone(),
        requirements: request.requirements.clone(),
        confidential_details: request.confidential_details.clone(),
        keywords: children
            .keywords
            .get(&request.id)
            .map(|k| k.iter().map(|k| k.keyword.clone()).collect())
            .unwrap_or_default(),
        sci_fields: of(SCI_FIELD).map(stored).collect::<Result<_, _>>()?,
        trl_min: request.trl_min,
        budget_min_vnd: request.budget_min_vnd,
        budget_max_vnd: request.budget_max_vnd,
        deadline: request.deadline.as_deref().map(stored).transpose()?,
        accepted_cooperation_types: of(COOPERATION_TYPE).map(stored).collect::<Result<_, _>>()?,
        ip_expectation: Some(stored(&request.ip_expectation)?),
        anonymous: request.anonymous,
        origin: Some(stored(&request.origin)?),
        province_code: Some(stored(&request.province_code)?),
        contact_name: request.contact_name.clone(),
        contact_email: request.contact_email.clone(),
        contact_phone: request.contact_phone.clone(),
    })
}

fn apply_patch(mut form: RequestForm, patch: RequestPatch) -> RequestForm {
    macro_rules! set {
        ($($field:ident),*) => { $( if let Some(value) = patch.$field { form.$field = value; } )* };
    }
    macro_rules! set_some {
        ($($field:ident),*) => { $( if let Some(value) = patch.$field { form.$field = Some(value); } )* };
    }
    set!(
        title,
        problem,
        requirements,
        confidential_details,
        keywords,
        sci_fields,
        trl_min
    );
    set!(
        budget_min_vnd,
        budget_max_vnd,
        deadline,
        accepted_cooperation_types,
        anonymous
    );
    set!(contact_name, contact_email, contact_phone);
    set_some!(kind, lang, ip_expectation, origin, province_code);
    form
}

/// Whether `actor` may know who posted `request`: always unless it is anonymous; then only its
/// members and the staff.
fn reveals_requester(actor: Option<&Actor>, request: &Request) -> bool {
    !request.anonymous
        || actor.is_some_and(|a| a.sees_unpublished_of(OrganizationId(request.organization_id)))
}

/// The view of a request at `tier`.
fn view(
    actor: Option<&Actor>,
    request: &Request,
    form: RequestForm,
    organization_name: String,
    tier: Tier,
    now: NaiveDateTime,
) -> Result<RequestView, RecordError> {
    let registered = tier >= Tier::Registered;
    let confidential = tier >= Tier::Confidential;
    let reveal = reveals_requester(actor, request);
    Ok(RequestView {
        id: request.id,
        code: request_code(request),
        organization_id: reveal.then_some(OrganizationId(request.organization_id)),
        organization_name: reveal.then_some(organization_name),
        anonymous: request.anonymous,
        kind: stored(&request.kind)?,
        lang: stored(&request.lang)?,
        title: form.title,
        problem: form.problem,
        keywords: form.keywords,
        sci_fields: form.sci_fields,
        trl_min: form.trl_min,
        budget_min_vnd: form.budget_min_vnd,
        budget_max_vnd: form.budget_max_vnd,
        deadline: form.deadline,
        accepted_cooperation_types: form.accepted_cooperation_types,
        ip_expectation: form.ip_expectation.unwrap_or(IpExpectation::Any),
        origin: form.origin.unwrap_or(RequestOrigin::SelfPosted),
        province_code: form.province_code.unwrap_or(Province::DEFAULT),
        status: lifecycle::effective_status(stored(&request.status)?, request.valid_until, now),
        valid_until: request.valid_until.map(clock::to_utc),
        last_confirmed_at: request.last_confirmed_at.map(clock::to_utc),
        published_at: request.published_at.map(clock::to_utc),
        created_at: clock::to_utc(request.created_at),
        updated_at: clock::to_utc(request.updated_at),
        version: request.version,
        disclosed_tier: records::tier_name(tier).to_owned(),
        requirements: form.requirements.filter(|_| registered),
        // The contact person would name the requester.
        contact: (registered && reveal).then_some(ContactView {
            name: form.contact_name,
            email: form.contact_email,
            phone: form.contact_phone,
        }),
        confidential_details: form.confidential_details.filter(|_| confidential),
    })
}

fn to_views(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    rows: &[Request],
    now: NaiveDateTime,
) -> Result<(Vec<RequestView>, Vec<i64>), RecordError> {
    let ids: Vec<i64> = rows.iter().map(|l| l.id).collect();
    let children = repo::load_children(conn, &ids)?;
    let org_ids: Vec<i64> = rows.iter().map(|l| l.organization_id).collect();
    let names = repo::organization_names(conn, &org_ids)?;
    let tiers = records::tiers(conn, ENTITY, actor, rows, now)?;
    let logged = records::outside_confidential_reads(actor, rows, &tiers);
    let views = rows
        .iter()
        .zip(&tiers)
        .map(|(request, tier)| {
            let name = names
                .get(&request.organization_id)
                .cloned()
                .unwrap_or_default();
            view(
                actor,
                request,
                to_form(request, &children)?,
                name,
                *tier,
                now,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((views, logged))
}

fn form_json(form: &RequestForm) -> Value {
    let mut value = serde_json::to_value(form).unwrap_or(Value::Null);
    if let Some(object) = value.as_object_mut() {
        object.remove("organization_id");
    }
    value
}

impl Requests {
    pub fn new(db: Db) -> Self {
        Requests { db }
    }

    /// Create a draft.
    pub async fn create(
        &self,
        actor: &Actor,
        form: RequestForm,
    ) -> Result<RequestView, RecordError> {
        let organization = records::owner_of_new(actor, form.organization_id)?;
        let valid = validate_form(&form).map_err(RecordError::Invalid)?;
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let ids = insert_valid(conn, &actor, organization, vec![(form, valid)])?;
                let id = ids.first().copied().ok_or(RecordError::NotFound(ENTITY))?;
                load_view(conn, Some(&actor), id)
            })
            .await
    }

    /// One request at the caller's tiers; 404 when the caller may not see it. A read of the
    /// confidential tier from outside the owner organization is logged.
    pub async fn get(&self, actor: Option<&Actor>, id: i64) -> Result<RequestView, RecordError> {
        let reader = actor.cloned();
        let (view, logged) = self
            .db
            .run(move |conn| {
                let now = clock::now();
                let request = repo::find(conn, id)?
                    .filter(|l| records::is_visible(reader.as_ref(), l, now))
                    .ok_or(RecordError::NotFound(ENTITY))?;
                let (mut views, logged) = to_views(conn, reader.as_ref(), &[request], now)?;
                let view = views.pop().ok_or(RecordError::NotFound(ENTITY))?;
                Ok::<_, RecordError>((view, logged))
            })
            .await?;
        records::log_reads(&self.db, ENTITY, actor, logged, "get").await?;
        Ok(view)
    }

    /// A filtered, sorted page of the requests the caller may see.
    pub async fn list(
        &self,
        actor: Option<&Actor>,
        query: ListRequestsQuery,
    ) -> Result<Page<RequestView>, RecordError> {
        let paging = records::paging(query.limit, query.offset)?;
        let (filter, sort) = parse_filter(&query, actor)?;
        let reader = actor.cloned();
        let (page, logged) = self
            .db
            .run(move |conn| {
                let now = clock::now();
                let scope = records::scope_of(reader.as_ref());
                let (rows, total) = repo::list(conn, &scope, &filter, sort, paging, now)?;
                let (views, logged) = to_views(conn, reader.as_ref(), &rows, now)?;
                Ok::<_, RecordError>((Page::new(views, total, paging), logged))
            })
            .await?;
        records::log_reads(&self.db, ENTITY, actor, logged, "list").await?;
        Ok(page)
    }

    /// Every request matching the filters that the caller may see (up to 50,000), at the
    /// caller's tiers, for export.
    pub async fn export(
        &self,
        actor: Option<&Actor>,
        query: ListRequestsQuery,
    ) -> Result<Vec<RequestView>, RecordError> {
        let (filter, sort) = parse_filter(&query, actor)?;
        let reader = actor.cloned();
        let (views, logged) = self
            .db
            .run(move |conn| {
                let now = clock::now();
                let scope = records::scope_of(reader.as_ref());
                let mut views = Vec::new();
                let mut logged = Vec::new();
                let mut offset = 0;
                while offset < EXPORT_LIMIT {
                    let paging = Paging { limit: 500, offset };
                    let (rows, total) = repo::list(conn, &scope, &filter, sort, paging, now)?;
                    let (mut page, mut page_logged) = to_views(conn, reader.as_ref(), &rows, now)?;
                    views.append(&mut page);
                    logged.append(&mut page_logged);
                    offset += 500;
                    if offset >= total {
                        break;
                    }
                }
                Ok::<_, RecordError>((views, logged))
            })
            .await?;
        records::log_reads(&self.db, ENTITY, actor, logged, "export").await?;
        Ok(views)
    }

    /// Change fields of a request (owners and editors, and admins). `expected_version` comes
    /// from `If-Match`.
    pub async fn update(
        &self,
        actor: &Actor,
        id: i64,
        patch: RequestPatch,
        expected_version: Option<i32>,
    ) -> Result<RequestView, RecordError> {
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                let current =
                    records::require_editable_by(&actor, repo::find(conn, id)?, ENTITY, now)?;
                let status = records::status_of(&current)?;
                if !lifecycle::is_editable(status) {
                    return Err(RecordError::Conflict(format!(
                        "a request cannot be edited while it is {status}"
                    )));
                }
                records::check_version(&current, expected_version)?;
                let children = repo::load_children(conn, &[id])?;
                let before = to_form(&current, &children)?;
                let after = apply_patch(before.clone(), patch);
                let valid = validate_form(&after).map_err(RecordError::Invalid)?;
                let changes = records::diff(&form_json(&before), &form_json(&after));
                repo::update_fields(conn, id, &valid.fields, current.version + 1, now)?;
                repo::replace_children(conn, id, &valid.children)?;
                let entry = records::history_entry(
                    ENTITY,
                    id,
                    "update",
                    None,
                    None,
                    &changes,
                    None,
                    actor.reference(),
                    now,
                );
                log::append_history(conn, &entry)?;
                record_change(
                    conn,
                    ENTITY,
                    id,
                    ChangeOp::Update,
                    actor.user_id().map(|u| u.0),
                )?;
                load_view(conn, Some(&actor), id)
            })
            .await
    }

    /// Delete a draft (owners and editors).
    pub async fn delete(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: Option<i32>,
    ) -> Result<(), RecordError> {
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                let current =
                    records::require_editable_by(&actor, repo::find(conn, id)?, ENTITY, now)?;
                if current.status != RecordStatus::Draft.as_str() {
                    return Err(RecordError::Conflict(format!(
                        "only drafts can be deleted; this request is {}",
                        current.status
                    )));
                }
                records::check_version(&current, expected_version)?;
                repo::delete(conn, id)?;
                let nothing = Value::Object(Default::default());
                let entry = records::history_entry(
                    ENTITY,
                    id,
                    "delete",
                    Some(&current.status),
                    None,
                    &nothing,
                    None,
                    actor.reference(),
                    now,
                );
                log::append_history(conn, &entry)?;
                record_change(
                    conn,
                    ENTITY,
                    id,
                    ChangeOp::Delete,
                    actor.user_id().map(|u| u.0),
                )?;
                Ok(())
            })
            .await
    }

    /// Take a lifecycle action.
    pub async fn transition(
        &self,
        actor: &Actor,
        id: i64,
        form: TransitionForm,
        expected_version: Option<i32>,
    ) -> Result<RequestView, RecordError> {
        let note = validate::optional_text("note", form.note.as_deref(), MAX_NOTE_LEN)
            .map_err(|e| RecordError::Invalid(vec![e]))?;
        let action = form.action;
        let actor = actor.clone();
        self.db
            .write(move |conn| {
                let now = clock::now();
                let current = repo::find(conn, id)?
                    .filter(|l| records::is_visible(Some(&actor), l, now))
                    .ok_or(RecordError::NotFound(ENTITY))?;
                let step = records::plan_step(KIND, &actor, &current, action, now)?;
                records::check_version(&current, expected_version)?;
                let change = StatusChange {
                    status: step.to.as_str().to_owned(),
                    valid_until: step.confirms.then_some(Some(lifecycle::valid_until(now))),
                    last_confirmed_at: step.confirms.then_some(Some(now)),
                    published_at: step.publishes.then_some(Some(now)),
                    updated_at: now,
                    version: current.version + 1,
                };
                repo::set_status(conn, id, &change)?;
                let nothing = Value::Object(Default::default());
                let entry = records::history_entry(
                    ENTITY,
                    id,
                    action.as_str(),
                    Some(step.from.as_str()),
                    Some(step.to.as_str()),
                    &nothing,
                    note.as_deref(),
                    actor.reference(),
                    now,
                );
                log::append_history(conn, &entry)?;
                record_change(
                    conn,
                    ENTITY,
                    id,
                    ChangeOp::Update,
                    actor.user_id().map(|u| u.0),
                )?;
                load_view(conn, Some(&actor), id)
            })
            .await
    }

    /// The history of a request: for its organization, moderators and admins.
    pub async fn history(
        &self,
        actor: &Actor,
        id: i64,
        query: HistoryQuery,
    ) -> Result<Page<HistoryEntryView>, RecordError> {
        let paging = records::paging(query.limit, query.offset)?;
        let actor = actor.clone();
        self.db
            .run(move |conn| {
                let request = repo::find(conn, id)?;
                records::history_page(conn, ENTITY, &actor, request, paging, clock::now())
            })
            .await
    }

    /// Import forms as drafts of `organization`, all or nothing: when any row is invalid,
    /// nothing is written and every problem is reported with its row number.
    pub async fn import(
        &self,
        actor: &Actor,
        organization: OrganizationId,
        rows: Vec<(usize, Result<RequestForm, Vec<FieldError>>)>,
    ) -> Result<ImportReport, RecordError> {
        if !actor.can_edit_records_of(organization) {
            return Err(RecordError::Forbidden(
                "you may not create records for this organization",
            ));
        }
        if rows.is_empty() {
            return Err(RecordError::invalid(
                "file",
                "required",
                "the file holds no rows",
            ));
        }
        let mut errors = Vec::new();
        let mut valid = Vec::new();
        for (row, parsed) in rows {
            match parsed.and_then(|form| validate_form(&form).map(|v| (form, v))) {
                Ok(pair) => valid.push(pair),
                Err(problems) => errors.extend(records::prefixed(problems, row)),
            }
        }
        if !errors.is_empty() {
            return Err(RecordError::Invalid(errors));
        }
        let actor = actor.clone();
        let ids = self
            .db
            .write(move |conn| insert_valid(conn, &actor, organization, valid))
            .await?;
        Ok(ImportReport {
            imported: ids.len(),
            ids,
        })
    }

    /// Move publications whose validity has passed to `expired`, with history. Returns how
    /// many expired.
    pub async fn expire_due(&self) -> Result<usize, RecordError> {
        self.db
            .write(|conn| {
                let now = clock::now();
                let due = repo::due_for_expiry(conn, now, 1000)?;
                let nothing = Value::Object(Default::default());
                for request in &due {
                    let change = StatusChange {
                        status: RecordStatus::Expired.as_str().to_owned(),
                        valid_until: None,
                        last_confirmed_at: None,
                        published_at: None,
                        updated_at: now,
                        version: request.version + 1,
                    };
                    repo::set_status(conn, request.id, &change)?;
                    let entry = records::history_entry(
                        ENTITY,
                        request.id,
                        "expire",
                        Some(RecordStatus::Published.as_str()),
                        Some(RecordStatus::Expired.as_str()),
                        &nothing,
                        None,
                        ActorRef::default(),
                        now,
                    );
                    log::append_history(conn, &entry)?;
                    record_change(conn, ENTITY, request.id, ChangeOp::Update, None)?;
                }
                Ok(due.len())
            })
            .await
    }
}

fn parse_filter(
    query: &ListRequestsQuery,
    actor: Option<&Actor>,
) -> Result<(Filter, Sort), RecordError> {
    let mut v = Validator::new();
    let sort = v.check(Sort::parse(query.sort.as_deref()));
    records::check_trl(&mut v, "trl_min", query.trl_min);
    records::check_trl(&mut v, "trl_max", query.trl_max);
    if let (Some(min), Some(max)) = (query.trl_min, query.trl_max)
        && min > max
    {
        v.push(FieldError::new(
            "trl_max",
            "range",
            "trl_min must not exceed trl_max",
        ));
    }
    records::check_money_range(
        &mut v,
        "budget_min",
        query.budget_min,
        "budget_max",
        query.budget_max,
    );
    v.finish().map_err(RecordError::Invalid)?;
    let exclude_anonymous = query
        .organization_id
        .is_some_and(|org| !actor.is_some_and(|a| a.sees_unpublished_of(OrganizationId(org))));
    let filter = Filter {
        status: query.status.map(|s| s.as_str().to_owned()),
        kind: query.kind.map(|k| k.as_str().to_owned()),
        organization_id: query.organization_id,
        sci_fields: query
            .sci_field
            .map(|f| {
                f.with_subfields()
                    .iter()
                    .map(|c| c.as_str().to_owned())
                    .collect()
            })
            .unwrap_or_default(),
        trl_min: query.trl_min,
        trl_max: query.trl_max,
        budget_min: query.budget_min,
        budget_max: query.budget_max,
        province_code: query.province_code.map(|p| p.as_str().to_owned()),
        cooperation_type: query.cooperation_type.map(|c| c.as_str().to_owned()),
        updated_since: query.updated_since.map(|t| t.naive_utc()),
        exclude_anonymous,
    };
    Ok((filter, sort.unwrap_or_default()))
}

fn load_view(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: i64,
) -> Result<RequestView, RecordError> {
    let request = repo::find(conn, id)?.ok_or(RecordError::NotFound("request"))?;
    let (mut views, _) = to_views(conn, actor, &[request], clock::now())?;
    views.pop().ok_or(RecordError::NotFound("request"))
}

/// Insert validated forms as drafts, each with its history and change-log rows.
fn insert_valid(
    conn: &mut DbConn,
    actor: &Actor,
    organization: OrganizationId,
    forms: Vec<(RequestForm, Valid)>,
) -> Result<Vec<i64>, RecordError> {
    let now = clock::now();
    let mut ids = Vec::with_capacity(forms.len());
    for (form, valid) in forms {
        let meta = NewRequestMeta {
            organization_id: organization.0,
            status: RecordStatus::Draft.as_str().to_owned(),
            created_by: actor.user_id().map(|u| u.0),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let request = repo::insert(conn, &valid.fields, &meta, &valid.children)?;
        let changes = records::diff(&Value::Null, &form_json(&form));
        let draft = RecordStatus::Draft.as_str();
        let entry = records::history_entry(
            ENTITY,
            request.id,
            "create",
            None,
            Some(draft),
            &changes,
            None,
            actor.reference(),
            now,
        );
        log::append_history(conn, &entry)?;
        record_change(
            conn,
            ENTITY,
            request.id,
            ChangeOp::Create,
            actor.user_id().map(|u| u.0),
        )?;
        ids.push(request.id);
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use techx_core::codes::{RequestKind, SciField};

    fn minimal() -> RequestForm {
        RequestForm {
            kind: Some(RequestKind::TechnologyAcquisition),
            title: "Cần công nghệ sấy lúa".into(),
            problem: "Hợp tác xã cần sấy 5 tấn lúa mỗi mẻ, độ ẩm sau sấy dưới 14%.".into(),
            sci_fields: vec![SciField::AgricultureForestryFisheries],
            ..RequestForm::default()
        }
    }

    #[test]
    fn a_minimal_form_is_valid_with_defaults() {
        let valid = validate_form(&minimal()).unwrap();
        assert_eq!(valid.fields.ip_expectation, "any");
        assert_eq!(valid.fields.origin, "self_posted");
        assert!(!valid.fields.anonymous);
    }

    #[test]
    fn every_rule_reports_its_field() {
        let form = RequestForm {
            kind: None,
            title: "".into(),
            problem: "short".into(),
            trl_min: Some(0),
            budget_min_vnd: Some(-5),
            contact_phone: Some("call me".into()),
            ..RequestForm::default()
        };
        let errors = validate_form(&form).unwrap_err();
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort();
        assert_eq!(
            fields,
            vec![
                "budget_min_vnd",
                "contact_phone",
                "kind",
                "problem",
                "sci_fields",
                "title",
                "trl_min"
            ]
        );
    }
}
