//! A generator of realistic synthetic technology offers and needs at scale, built from the
//! demo data's vocabulary (titles, summaries, keywords, fields of science) with random codes.
//! Deterministic: the same seed gives the same records. Shared by the benchmarks.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::time::Duration;
use techx_accounts::Accounts;
use techx_accounts::dto::{OrganizationForm, RegisterForm};
use techx_core::OrganizationId;
use techx_core::codes::OrgType;
use techx_core::codes::{
    CooperationType, IpType, LegalStatus, ListingKind, Province, RequestKind, SciField,
    TransferForm,
};
use techx_listings::dto::{IpAsset, ListingForm};
use techx_requests::dto::RequestForm;

/// A small deterministic generator (xorshift64*), so every run sees the same data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

pub struct Vocabulary {
    pub titles: Vec<String>,
    pub summaries: Vec<String>,
    pub keywords: Vec<String>,
    pub sci_fields: Vec<SciField>,
}

pub fn vocabulary() -> Vocabulary {
    let demo: Value = serde_json::from_str(include_str!("../demo/demo.json")).unwrap();
    let mut vocabulary = Vocabulary {
        titles: Vec::new(),
        summaries: Vec::new(),
        keywords: Vec::new(),
        sci_fields: Vec::new(),
    };
    for record in demo["listings"]
        .as_array()
        .unwrap()
        .iter()
        .chain(demo["requests"].as_array().unwrap())
    {
        let form = &record["form"];
        vocabulary
            .titles
            .push(form["title"].as_str().unwrap().to_owned());
        let summary = form.get("summary").or(form.get("problem")).unwrap();
        vocabulary
            .summaries
            .push(summary.as_str().unwrap().to_owned());
        for keyword in form["keywords"].as_array().unwrap() {
            vocabulary
                .keywords
                .push(keyword.as_str().unwrap().to_owned());
        }
        for field in form["sci_fields"].as_array().unwrap() {
            vocabulary
                .sci_fields
                .push(field.as_str().unwrap().parse().unwrap());
        }
    }
    vocabulary
}

pub fn synthetic(rng: &mut Rng, words: &Vocabulary, n: usize) -> ListingForm {
    let kinds = ListingKind::ALL;
    let cooperation = CooperationType::ALL;
    let low = (rng.below(50) as i64 + 1) * 10_000_000;
    ListingForm {
        kind: Some(*rng.pick(kinds)),
        title: format!("{} (mẫu {n})", rng.pick(&words.titles)),
        summary: rng.pick(&words.summaries).clone(),
        details: Some(format!("Thông số kỹ thuật của bản ghi {n}")),
        confidential_details: Some(format!("Bí quyết {n}")),
        keywords: (0..3).map(|_| rng.pick(&words.keywords).clone()).collect(),
        sci_fields: (0..1 + rng.below(2))
            .map(|_| *rng.pick(&words.sci_fields))
            .collect(),
        trl: Some(1 + rng.below(9) as i32),
        cooperation_types: (0..1 + rng.below(3))
            .map(|_| *rng.pick(cooperation))
            .collect(),
        price_min_vnd: Some(low),
        price_max_vnd: Some(low * (2 + rng.below(4) as i64)),
        province_code: Some(*rng.pick(&PROVINCES)),
        ..ListingForm::default()
    }
}

const PROVINCES: [Province; 7] = [
    Province::ThanhHoa,
    Province::ThanhHoa,
    Province::ThanhHoa,
    Province::HaNoi,
    Province::NgheAn,
    Province::HaiPhong,
    Province::NinhBinh,
];

/// A listing with IP assets and transfer forms too, for the search benchmark.
pub fn rich_listing(rng: &mut Rng, words: &Vocabulary, n: usize) -> ListingForm {
    let mut form = synthetic(rng, words, n);
    if rng.below(3) == 0 {
        form.ip_assets = vec![IpAsset {
            ip_type: *rng.pick(&[IpType::InventionPatent, IpType::UtilitySolution]),
            legal_status: LegalStatus::Granted,
            number: Some(format!("1-{n:07}")),
            jurisdiction: None,
            expires_on: None,
        }];
    }
    form.transfer_forms = vec![*rng.pick(TransferForm::ALL)];
    form
}

/// A technology need in the same vocabulary.
pub fn request(rng: &mut Rng, words: &Vocabulary, n: usize) -> RequestForm {
    let low = (rng.below(50) as i64 + 1) * 10_000_000;
    RequestForm {
        kind: Some(*rng.pick(RequestKind::ALL)),
        title: format!(
            "Cần {} (nhu cầu {n})",
            rng.pick(&words.titles).to_lowercase()
        ),
        problem: rng.pick(&words.summaries).clone(),
        requirements: Some(format!("Yêu cầu kỹ thuật của nhu cầu {n}")),
        confidential_details: Some(format!("Ngân sách nội bộ {n}")),
        keywords: (0..3).map(|_| rng.pick(&words.keywords).clone()).collect(),
        sci_fields: vec![*rng.pick(&words.sci_fields)],
        trl_min: Some(1 + rng.below(9) as i32),
        budget_min_vnd: Some(low),
        budget_max_vnd: Some(low * (2 + rng.below(4) as i64)),
        accepted_cooperation_types: (0..1 + rng.below(3))
            .map(|_| *rng.pick(CooperationType::ALL))
            .collect(),
        anonymous: rng.below(10) == 0,
        province_code: Some(*rng.pick(&PROVINCES)),
        ..RequestForm::default()
    }
}

/// `count` organizations of the given types in turn, each with an owner (`owner{i}@bench.vn`,
/// password `benchmark password`).
pub async fn organizations(
    accounts: &Accounts,
    count: usize,
    types: &[OrgType],
) -> Vec<OrganizationId> {
    let mut organizations = Vec::with_capacity(count);
    for i in 0..count {
        let me = accounts
            .register(
                RegisterForm {
                    email: format!("owner{i}@bench.vn"),
                    password: "benchmark password".into(),
                    full_name: format!("Chủ sở hữu {i}"),
                    organization: Some(OrganizationForm {
                        name: format!("Tổ chức thử nghiệm {i}"),
                        org_type: types[i % types.len()],
                        tax_code: None,
                        province_code: None,
                        address: None,
                        website: None,
                    }),
                },
                None,
            )
            .await
            .unwrap();
        organizations.push(me.memberships[0].organization_id);
    }
    organizations
}

/// The `p` quantile of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}
