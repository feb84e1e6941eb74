//! A generator of realistic synthetic technology offers and needs at scale, built from the
//! demo data's vocabulary (titles, summaries, keywords, fields of science) with random codes.
//! Deterministic: the same seed gives the same records. Shared by the benchmarks.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
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

/// The search benchmarks' catalogue: 50 organizations, `listings` rich listings and `requests`
/// requests from the demo vocabulary, imported through the services in batches of 1,000, then
/// published and the database optimised. Returns the seeding time.
pub async fn seed_catalogue(
    db: &techx_db::Db,
    accounts: &Accounts,
    listings: &techx_listings::Listings,
    requests: &techx_requests::Requests,
    listing_count: usize,
    request_count: usize,
) -> Duration {
    let system = techx_accounts::Actor::system();
    let organizations = organizations(
        accounts,
        50,
        &[
            OrgType::University,
            OrgType::ResearchInstitute,
            OrgType::Enterprise,
            OrgType::Cooperative,
        ],
    )
    .await;

    let words = vocabulary();
    let mut rng = Rng(0x5ea7_2026);
    let started = Instant::now();
    let batch = 1000;
    for start in (0..listing_count).step_by(batch) {
        let org = organizations[(start / batch) % organizations.len()];
        let rows = (start..(start + batch).min(listing_count))
            .map(|n| (n - start + 1, Ok(rich_listing(&mut rng, &words, n))))
            .collect();
        listings.import(&system, org, rows).await.unwrap();
    }
    for start in (0..request_count).step_by(batch) {
        let org = organizations[(start / batch + 7) % organizations.len()];
        let rows = (start..(start + batch).min(request_count))
            .map(|n| (n - start + 1, Ok(request(&mut rng, &words, n))))
            .collect();
        requests.import(&system, org, rows).await.unwrap();
    }
    let seed_time = started.elapsed();
    for table in ["listings", "requests"] {
        let publish = format!(
            "UPDATE {table} SET status = 'published', published_at = created_at, \
             valid_until = '2099-01-01 00:00:00', last_confirmed_at = created_at"
        );
        db.run(move |conn| {
            use techx_db::diesel::connection::SimpleConnection;
            conn.batch_execute(&publish)
                .map_err(techx_db::DbError::from)
        })
        .await
        .unwrap();
    }
    db.optimize().await.unwrap();

    seed_time
}

/// A query string's value, percent-encoded.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// A keep-alive HTTP/1.1 connection that reads `Content-Length` bodies.
pub struct Connection {
    reader: BufReader<TcpStream>,
    address: String,
}

impl Connection {
    pub fn open(address: &str) -> Connection {
        let stream = TcpStream::connect(address).unwrap();
        stream.set_nodelay(true).unwrap();
        Connection {
            reader: BufReader::new(stream),
            address: address.to_owned(),
        }
    }

    pub fn get(&mut self, path: &str) -> u16 {
        let request = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", self.address);
        self.reader.get_mut().write_all(request.as_bytes()).unwrap();
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let status: u16 = line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut length = 0;
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).unwrap();
        status
    }
}

/// The search benchmarks' queries: 30 keywords as typed with diacritics, 20 of them without,
/// and 10 title openings (three words).
pub fn query_texts(words: &Vocabulary) -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for keyword in &words.keywords {
        if seen.insert(keyword.to_lowercase()) && texts.len() < 30 {
            texts.push(keyword.clone());
        }
    }
    for keyword in texts.clone().iter().take(20) {
        texts.push(techx_search::analysis::fold(keyword));
    }
    for title in words.titles.iter().take(10) {
        texts.push(
            title
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    texts
}

/// The real server (two workers) over these services on a local port: its address and handle.
pub fn serve(
    db: &techx_db::Db,
    accounts: &Accounts,
    listings: &techx_listings::Listings,
    requests: &techx_requests::Requests,
    indexer: &techx_search::indexer::Indexer,
) -> (String, actix_web::dev::ServerHandle) {
    let state = techx_api::AppState {
        accounts: accounts.clone(),
        listings: listings.clone(),
        requests: requests.clone(),
        search: Some(indexer.clone()),
        metrics: techx_api::Metrics::new().unwrap(),
        brokerage: techx_brokerage::Brokerage::new(db.clone()),
        db: db.clone(),
        trusted_proxies: techx_api::auth::TrustedProxies::none(),
    };
    let server = actix_web::HttpServer::new(move || techx_api::build_app(state.clone()))
        .workers(2)
        .bind("127.0.0.1:0")
        .unwrap();
    let address = server.addrs()[0].to_string();
    let running = server.run();
    let handle = running.handle();
    actix_web::rt::spawn(running);
    (address, handle)
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
