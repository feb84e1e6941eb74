//! The rules of listings: validation, who may do what, the lifecycle, disclosure tiers, history
//! and the access log. Every change writes its rows, a history entry and a change-log row in one
//! transaction.

use crate::dto::bounds::*;
use crate::dto::*;
use crate::model::*;
use crate::repo::{
    self, COOPERATION_TYPE, Children, Filter, SCI_FIELD, TRANSFER_FORM, TRANSFER_METHOD,
};
use chrono::NaiveDateTime;
use techx_accounts::Actor;
use techx_catalogue::records::{self, MAX_CODES, RecordError, Sort, Step, stored};
use techx_catalogue::{Catalogue, Engine};
use techx_core::codes::{Lang, PricingModel, Province, RecordStatus, TechCategory};
use techx_core::error::Validator;
use techx_core::lifecycle::{self, RecordKind, Tier};
use techx_core::validate;
use techx_core::{FieldError, OrganizationId, clock};

const KIND: RecordKind = RecordKind::Listing;

/// Listings as a [`Catalogue`]: their fields, storage, filters and view.
pub struct ListingCatalogue;

/// The listings service: the shared catalogue rules over listings.
pub type Listings = Engine<ListingCatalogue>;

/// A form that passed validation, ready to store.
#[derive(Debug, Clone)]
pub struct Valid {
    fields: ListingFields,
    children: Children,
}

fn listing_code(listing: &Listing) -> String {
    use chrono::Datelike;
    format!("TX-L-{}-{:06}", listing.created_at.year(), listing.id)
}

/// Check every rule of a listing form; all problems are reported at once.
fn validate_form(form: &ListingForm) -> Result<Valid, Vec<FieldError>> {
    let mut v = Validator::new();
    let kind = form.kind;
    if kind.is_none() {
        v.push(FieldError::new("kind", "required", "kind is required"));
    }
    let title = v.check(TITLE.required_text(&form.title));
    let summary = v.check(SUMMARY.required_text(&form.summary));
    let details = v.check(DETAILS.optional_text(form.details.as_deref()));
    let confidential =
        v.check(CONFIDENTIAL_DETAILS.optional_text(form.confidential_details.as_deref()));
    let title_en = v.check(TITLE_EN.optional_text(form.title_en.as_deref()));
    let summary_en = v.check(SUMMARY_EN.optional_text(form.summary_en.as_deref()));
    let research_task_code =
        v.check(RESEARCH_TASK_CODE.optional_text(form.research_task_code.as_deref()));
    let keywords = records::parse_keywords(&mut v, "keywords", &form.keywords);
    let sci_fields = records::parse_sci_fields(&mut v, &form.sci_fields);
    records::check_trl(&mut v, "trl", form.trl);
    let transfer_forms =
        records::parse_code_set(&mut v, "transfer_forms", &form.transfer_forms, MAX_CODES);
    let transfer_methods = records::parse_code_set(
        &mut v,
        "transfer_methods",
        &form.transfer_methods,
        MAX_CODES,
    );
    let cooperation_types = records::parse_code_set(
        &mut v,
        "cooperation_types",
        &form.cooperation_types,
        MAX_CODES,
    );
    records::check_money_range(
        &mut v,
        "price_min_vnd",
        form.price_min_vnd,
        "price_max_vnd",
        form.price_max_vnd,
    );
    let pricing_model = form.pricing_model.unwrap_or(PricingModel::Negotiable);
    if pricing_model == PricingModel::Free
        && (form.price_min_vnd.is_some_and(|p| p > 0) || form.price_max_vnd.is_some_and(|p| p > 0))
    {
        v.push(FieldError::new(
            "pricing_model",
            "conflict",
            "a free listing cannot carry a price",
        ));
    }
    if form.ip_assets.len() > IP_ASSETS.max() {
        v.push(FieldError::new(
            "ip_assets",
            "too_many",
            format!("at most {} IP assets", IP_ASSETS.max()),
        ));
    }
    let mut ip_assets = Vec::new();
    for (index, asset) in form.ip_assets.iter().enumerate() {
        let number = v.check(validate::optional_text(
            &format!("ip_assets[{index}].number"),
            asset.number.as_deref(),
            IP_NUMBER.max(),
        ));
        let jurisdiction = v.check(validate::optional_text(
            &format!("ip_assets[{index}].jurisdiction"),
            asset.jurisdiction.as_deref(),
            IP_JURISDICTION.max(),
        ));
        ip_assets.push(ListingIpAsset {
            listing_id: 0,
            position: index as i32,
            ip_type: asset.ip_type.as_str().to_owned(),
            legal_status: asset.legal_status.as_str().to_owned(),
            number: number.flatten(),
            jurisdiction: jurisdiction.flatten(),
            expires_on: asset.expires_on.map(|d| d.to_string()),
        });
    }
    let contact = records::parse_contact(
        &mut v,
        form.contact_name.as_deref(),
        form.contact_email.as_deref(),
        form.contact_phone.as_deref(),
    );
    v.finish()?;
    let (Some(kind), Some(title), Some(summary)) = (kind, title, summary) else {
        return Err(vec![FieldError::new(
            "title",
            "required",
            "title is required",
        )]);
    };
    let codes: Vec<(&'static str, String)> = records::code_rows(SCI_FIELD, &sci_fields)
        .chain(records::code_rows(TRANSFER_FORM, &transfer_forms))
        .chain(records::code_rows(TRANSFER_METHOD, &transfer_methods))
        .chain(records::code_rows(COOPERATION_TYPE, &cooperation_types))
        .collect();
    Ok(Valid {
        fields: ListingFields {
            kind: kind.as_str().to_owned(),
            lang: form.lang.unwrap_or(Lang::Vi).as_str().to_owned(),
            title,
            summary,
            details: details.flatten(),
            confidential_details: confidential.flatten(),
            title_en: title_en.flatten(),
            summary_en: summary_en.flatten(),
            trl: form.trl,
            pricing_model: pricing_model.as_str().to_owned(),
            price_min_vnd: form.price_min_vnd,
            price_max_vnd: form.price_max_vnd,
            funding_origin: form.funding_origin.map(|f| f.as_str().to_owned()),
            research_task_code: research_task_code.flatten(),
            tech_category: form
                .tech_category
                .unwrap_or(TechCategory::Normal)
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
        children: Children {
            codes,
            keywords,
            ip_assets,
        },
    })
}

/// The stored listing as a complete form: the base a patch applies to, and what diffs compare.
fn to_form(listing: &Listing, children: &repo::LoadedChildren) -> Result<ListingForm, RecordError> {
    let codes = children
        .codes
        .get(&listing.id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let of = |list: &'static str| {
        codes
            .iter()
            .filter(move |c| c.list == list)
            .map(|c| c.code.as_str())
    };
    Ok(ListingForm {
        organization_id: Some(OrganizationId(listing.organization_id)),
        kind: Some(stored(&listing.kind)?),
        lang: Some(stored(&listing.lang)?),
        title: listing.title.clone(),
        summary: listing.summary.clone(),
        details: listing.details.clone(),
        confidential_details: listing.confidential_details.clone(),
        title_en: listing.title_en.clone(),
        summary_en: listing.summary_en.clone(),
        keywords: children
            .keywords
            .get(&listing.id)
            .map(|k| k.iter().map(|k| k.keyword.clone()).collect())
            .unwrap_or_default(),
        sci_fields: of(SCI_FIELD).map(stored).collect::<Result<_, _>>()?,
        trl: listing.trl,
        ip_assets: children
            .ip_assets
            .get(&listing.id)
            .map(|assets| {
                assets
                    .iter()
                    .map(|a| {
                        Ok(IpAsset {
                            ip_type: stored(&a.ip_type)?,
                            legal_status: stored(&a.legal_status)?,
                            number: a.number.clone(),
                            jurisdiction: a.jurisdiction.clone(),
                            expires_on: a.expires_on.as_deref().map(stored).transpose()?,
                        })
                    })
                    .collect::<Result<Vec<_>, RecordError>>()
            })
            .transpose()?
            .unwrap_or_default(),
        transfer_forms: of(TRANSFER_FORM).map(stored).collect::<Result<_, _>>()?,
        transfer_methods: of(TRANSFER_METHOD).map(stored).collect::<Result<_, _>>()?,
        cooperation_types: of(COOPERATION_TYPE).map(stored).collect::<Result<_, _>>()?,
        pricing_model: Some(stored(&listing.pricing_model)?),
        price_min_vnd: listing.price_min_vnd,
        price_max_vnd: listing.price_max_vnd,
        funding_origin: listing.funding_origin.as_deref().map(stored).transpose()?,
        research_task_code: listing.research_task_code.clone(),
        tech_category: Some(stored(&listing.tech_category)?),
        province_code: Some(stored(&listing.province_code)?),
        contact_name: listing.contact_name.clone(),
        contact_email: listing.contact_email.clone(),
        contact_phone: listing.contact_phone.clone(),
    })
}

fn apply_patch(mut form: ListingForm, patch: ListingPatch) -> ListingForm {
    macro_rules! set {
        ($($field:ident),*) => { $( if let Some(value) = patch.$field { form.$field = value; } )* };
    }
    macro_rules! set_some {
        ($($field:ident),*) => { $( if let Some(value) = patch.$field { form.$field = Some(value); } )* };
    }
    set!(
        title,
        summary,
        details,
        confidential_details,
        title_en,
        summary_en,
        keywords,
        sci_fields,
        trl
    );
    set!(
        ip_assets,
        transfer_forms,
        transfer_methods,
        cooperation_types,
        price_min_vnd,
        price_max_vnd
    );
    set!(
        funding_origin,
        research_task_code,
        contact_name,
        contact_email,
        contact_phone
    );
    set_some!(kind, lang, pricing_model, tech_category, province_code);
    form
}

/// The view of a listing at `tier`.
fn view(
    listing: &Listing,
    form: ListingForm,
    organization_name: String,
    tier: Tier,
    now: NaiveDateTime,
) -> Result<ListingView, RecordError> {
    let registered = tier >= Tier::Registered;
    let confidential = tier >= Tier::Confidential;
    Ok(ListingView {
        id: techx_core::ListingId(listing.id),
        code: listing_code(listing),
        organization_id: OrganizationId(listing.organization_id),
        organization_name,
        kind: stored(&listing.kind)?,
        lang: stored(&listing.lang)?,
        title: form.title,
        summary: form.summary,
        title_en: form.title_en,
        summary_en: form.summary_en,
        keywords: form.keywords,
        sci_fields: form.sci_fields,
        trl: form.trl,
        ip_assets: form.ip_assets,
        transfer_forms: form.transfer_forms,
        transfer_methods: form.transfer_methods,
        cooperation_types: form.cooperation_types,
        pricing_model: form.pricing_model.unwrap_or(PricingModel::Negotiable),
        price_min_vnd: form.price_min_vnd,
        price_max_vnd: form.price_max_vnd,
        funding_origin: form.funding_origin,
        research_task_code: form.research_task_code,
        tech_category: form.tech_category.unwrap_or(TechCategory::Normal),
        province_code: form.province_code.unwrap_or(Province::DEFAULT),
        status: lifecycle::effective_status(stored(&listing.status)?, listing.valid_until, now),
        valid_until: listing.valid_until.map(clock::to_utc),
        last_confirmed_at: listing.last_confirmed_at.map(clock::to_utc),
        published_at: listing.published_at.map(clock::to_utc),
        created_at: clock::to_utc(listing.created_at),
        updated_at: clock::to_utc(listing.updated_at),
        version: listing.version,
        disclosed_tier: records::tier_name(tier).to_owned(),
        details: form.details.filter(|_| registered),
        contact: registered.then_some(ContactView {
            name: form.contact_name,
            email: form.contact_email,
            phone: form.contact_phone,
        }),
        confidential_details: form.confidential_details.filter(|_| confidential),
    })
}

fn parse_filter(query: &ListListingsQuery) -> Result<(Filter, Sort), RecordError> {
    let mut v = Validator::new();
    let sort = v.check(Sort::parse(query.sort.as_deref()));
    records::check_trl(&mut v, "trl_min", query.trl_min);
    records::check_trl(&mut v, "trl_max", query.trl_max);
    // Each bound is checked on its own: an inverted range matches nothing.
    records::check_money(&mut v, "price_min", query.price_min);
    records::check_money(&mut v, "price_max", query.price_max);
    v.finish().map_err(RecordError::Invalid)?;
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
        price_min: query.price_min,
        price_max: query.price_max,
        province_code: query.province_code.map(|p| p.as_str().to_owned()),
        cooperation_type: query.cooperation_type.map(|c| c.as_str().to_owned()),
        updated_since: query.updated_since.map(|t| t.naive_utc()),
    };
    Ok((filter, sort.unwrap_or_default()))
}

impl Catalogue for ListingCatalogue {
    const KIND: RecordKind = KIND;
    type Id = techx_core::ListingId;
    type Row = Listing;
    type Form = ListingForm;
    type Patch = ListingPatch;
    type Valid = Valid;
    type View = ListingView;
    type Query = ListListingsQuery;
    type Filter = Filter;

    fn form_owner(form: &ListingForm) -> Option<OrganizationId> {
        form.organization_id
    }

    fn validate(form: &ListingForm) -> Result<Valid, Vec<FieldError>> {
        validate_form(form)
    }

    fn apply_patch(form: ListingForm, patch: ListingPatch) -> ListingForm {
        apply_patch(form, patch)
    }

    fn parse_filter(
        query: &ListListingsQuery,
        _actor: Option<&Actor>,
    ) -> Result<(Filter, Sort), RecordError> {
        parse_filter(query)
    }

    fn paging_of(query: &ListListingsQuery) -> (Option<i64>, Option<i64>) {
        (query.limit, query.offset)
    }

    fn check_step(row: &Listing, step: &Step) -> Result<(), RecordError> {
        if step.to == RecordStatus::Published
            && row.tech_category == TechCategory::Prohibited.as_str()
        {
            return Err(RecordError::Conflict(
                "prohibited technology can never be published".into(),
            ));
        }
        Ok(())
    }

    /// A published or paused listing goes back to `published` without a moderator (resume):
    /// it cannot become prohibited while it is there. Withdraw it first.
    fn check_edit(status: RecordStatus, valid: &Valid) -> Result<(), RecordError> {
        let live = matches!(status, RecordStatus::Published | RecordStatus::Paused);
        if live && valid.fields.tech_category == TechCategory::Prohibited.as_str() {
            return Err(RecordError::Conflict(format!(
                "a {status} listing cannot become prohibited: prohibited technology can never be \
                 published; withdraw the listing first"
            )));
        }
        Ok(())
    }

    techx_catalogue::stored_in!(repo, Listing, ListingForm, NewListingMeta);

    fn view(
        _actor: Option<&Actor>,
        row: &Listing,
        form: ListingForm,
        organization_name: String,
        tier: Tier,
        now: NaiveDateTime,
    ) -> Result<ListingView, RecordError> {
        view(row, form, organization_name, tier, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use techx_core::codes::ListingKind;

    fn minimal() -> ListingForm {
        ListingForm {
            kind: Some(ListingKind::Technology),
            title: "Chế phẩm vi sinh xử lý nước thải".into(),
            summary: "Chế phẩm vi sinh giảm mùi và COD của nước thải chăn nuôi lợn.".into(),
            sci_fields: vec![techx_core::codes::SciField::EnvironmentalBiotechnology],
            ..ListingForm::default()
        }
    }

    #[test]
    fn a_minimal_form_is_valid_with_defaults() {
        let valid = validate_form(&minimal()).unwrap();
        assert_eq!(valid.fields.lang, "vi");
        assert_eq!(valid.fields.pricing_model, "negotiable");
        assert_eq!(valid.fields.tech_category, "normal");
        assert_eq!(valid.fields.province_code, "thanh_hoa");
        assert_eq!(valid.children.codes, vec![(SCI_FIELD, "2.8".to_owned())]);
    }

    #[test]
    fn every_rule_reports_its_field() {
        let form = ListingForm {
            kind: None,
            title: "abc".into(),
            summary: "".into(),
            sci_fields: vec![],
            trl: Some(10),
            price_min_vnd: Some(500),
            price_max_vnd: Some(100),
            keywords: vec!["x".repeat(61)],
            contact_email: Some("not-an-email".into()),
            ..ListingForm::default()
        };
        let errors = validate_form(&form).unwrap_err();
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort();
        assert_eq!(
            fields,
            vec![
                "contact_email",
                "keywords[0]",
                "kind",
                "price_max_vnd",
                "sci_fields",
                "summary",
                "title",
                "trl"
            ]
        );
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let base = minimal();
        let patch = ListingPatch {
            title: Some("Tên mới của công nghệ".into()),
            details: Some(Some("chi tiết".into())),
            ..ListingPatch::default()
        };
        let patched = apply_patch(base.clone(), patch);
        assert_eq!(patched.title, "Tên mới của công nghệ");
        assert_eq!(patched.details.as_deref(), Some("chi tiết"));
        assert_eq!(patched.summary, base.summary);
        let to_json = |f: &ListingForm| serde_json::to_value(f).unwrap();
        let changes = records::diff(&to_json(&base), &to_json(&patched));
        assert_eq!(changes.as_object().unwrap().len(), 2);
    }
}
