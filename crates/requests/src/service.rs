//! The rules of requests: validation, who may do what, the lifecycle, disclosure tiers, history
//! and the access log. Every change writes its rows, a history entry and a change-log row in one
//! transaction.

use crate::dto::bounds::*;
use crate::dto::*;
use crate::model::*;
use crate::repo::{self, COOPERATION_TYPE, Children, Filter, SCI_FIELD};
use chrono::NaiveDateTime;
use techx_accounts::Actor;
use techx_catalogue::records::{self, MAX_CODES, RecordError, Sort, Step, stored};
use techx_catalogue::{Catalogue, Engine};
use techx_core::codes::{IpExpectation, Lang, Province, RecordStatus, RequestOrigin};
use techx_core::error::Validator;
use techx_core::lifecycle::{self, RecordKind, Tier};
use techx_core::{FieldError, OrganizationId, clock};

const KIND: RecordKind = RecordKind::Request;

/// Requests as a [`Catalogue`]: their fields, storage, filters and view.
pub struct RequestCatalogue;

/// The requests service: the shared catalogue rules over requests.
pub type Requests = Engine<RequestCatalogue>;

/// A form that passed validation, ready to store.
#[derive(Debug, Clone)]
pub struct Valid {
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
    let title = v.check(TITLE.required_text(&form.title));
    let problem = v.check(PROBLEM.required_text(&form.problem));
    let requirements = v.check(REQUIREMENTS.optional_text(form.requirements.as_deref()));
    let confidential =
        v.check(CONFIDENTIAL_DETAILS.optional_text(form.confidential_details.as_deref()));
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
    let codes: Vec<(&'static str, String)> = records::code_rows(SCI_FIELD, &sci_fields)
        .chain(records::code_rows(COOPERATION_TYPE, &cooperation_types))
        .collect();
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

/// Whether `actor` may know who posted `request` (the one rule of anonymity).
fn reveals_requester(actor: Option<&Actor>, request: &Request) -> bool {
    techx_accounts::actor::may_identify(
        actor,
        OrganizationId(request.organization_id),
        request.anonymous,
    )
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
        id: techx_core::RequestId(request.id),
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

fn parse_filter(
    query: &ListRequestsQuery,
    actor: Option<&Actor>,
) -> Result<(Filter, Sort), RecordError> {
    let mut v = Validator::new();
    let sort = v.check(Sort::parse(query.sort.as_deref()));
    records::check_trl(&mut v, "trl_min", query.trl_min);
    records::check_trl(&mut v, "trl_max", query.trl_max);
    // Each bound is checked on its own: an inverted range matches nothing.
    records::check_money(&mut v, "price_min", query.price_min);
    records::check_money(&mut v, "price_max", query.price_max);
    v.finish().map_err(RecordError::Invalid)?;
    // Filtering by requester must not find the anonymous requests of those the caller may not
    // identify.
    let exclude_anonymous = query
        .organization_id
        .is_some_and(|org| !techx_accounts::actor::may_identify(actor, OrganizationId(org), true));
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
        budget_min: query.price_min,
        budget_max: query.price_max,
        province_code: query.province_code.map(|p| p.as_str().to_owned()),
        cooperation_type: query.cooperation_type.map(|c| c.as_str().to_owned()),
        updated_since: query.updated_since.map(|t| t.naive_utc()),
        exclude_anonymous,
    };
    Ok((filter, sort.unwrap_or_default()))
}

impl Catalogue for RequestCatalogue {
    const KIND: RecordKind = KIND;
    type Id = techx_core::RequestId;
    type Row = Request;
    type Form = RequestForm;
    type Patch = RequestPatch;
    type Valid = Valid;
    type View = RequestView;
    type Query = ListRequestsQuery;
    type Filter = Filter;

    fn form_owner(form: &RequestForm) -> Option<OrganizationId> {
        form.organization_id
    }

    fn validate(form: &RequestForm) -> Result<Valid, Vec<FieldError>> {
        validate_form(form)
    }

    fn apply_patch(form: RequestForm, patch: RequestPatch) -> RequestForm {
        apply_patch(form, patch)
    }

    fn parse_filter(
        query: &ListRequestsQuery,
        actor: Option<&Actor>,
    ) -> Result<(Filter, Sort), RecordError> {
        parse_filter(query, actor)
    }

    fn paging_of(query: &ListRequestsQuery) -> (Option<i64>, Option<i64>) {
        (query.limit, query.offset)
    }

    fn check_step(_row: &Request, _step: &Step) -> Result<(), RecordError> {
        Ok(())
    }

    fn check_edit(_status: RecordStatus, _valid: &Valid) -> Result<(), RecordError> {
        Ok(())
    }

    techx_catalogue::stored_in!(repo, Request, RequestForm, NewRequestMeta);

    fn view(
        actor: Option<&Actor>,
        row: &Request,
        form: RequestForm,
        organization_name: String,
        tier: Tier,
        now: NaiveDateTime,
    ) -> Result<RequestView, RecordError> {
        view(actor, row, form, organization_name, tier, now)
    }
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
