//! A world of marker records for the outside-in tests, built only through the API.
//!
//! A word is planted in every tier of a listing and of an anonymous request, in a draft, in a
//! record taken down, in a grant, a match, two engagements, an inquiry thread, an access
//! request, an alert and an outcome; the anonymous request's organization carries a word in its
//! name. [`MARKERS`] says, for each word, which roles may ever read it, from the rules of the
//! exchange (who sees which tier, who is a party to what), not from the code. The tests send
//! the roads of the OpenAPI document as each [`Caller`] and hold every answer to that table.

use crate::support::{TestApp, listing_body, published, request_body};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const ANONYMOUS: &str = "anonymous";
pub const UNVERIFIED: &str = "unverified";
pub const OUTSIDER: &str = "outsider";
pub const OWNER: &str = "owner";
pub const GRANTEE: &str = "grantee";
pub const REQUESTER: &str = "requester";
pub const INQUIRER: &str = "inquirer";
pub const BROKER: &str = "broker";
pub const MODERATOR: &str = "moderator";
pub const ADMIN: &str = "admin";
pub const READ_KEY: &str = "read_key";
pub const WRITE_KEY: &str = "write_key";

/// Who may read a planted word.
pub struct Marker {
    pub word: &'static str,
    pub seen_by: &'static [&'static str],
    /// Where it was planted, for the failure message.
    pub planted: &'static str,
}

macro_rules! roles {
    ($($role:expr),* $(,)?) => { &[BROKER, MODERATOR, ADMIN, $($role),*] };
}

/// The owner organization's callers: its owner and its two API keys.
macro_rules! own {
    ($($role:expr),* $(,)?) => { roles![OWNER, READ_KEY, WRITE_KEY, $($role),*] };
}

/// Members of verified organizations.
macro_rules! verified {
    () => {
        own![OUTSIDER, GRANTEE, REQUESTER, INQUIRER]
    };
}

/// Every planted word and who may read it.
pub const MARKERS: &[Marker] = &[
    Marker {
        word: "LREGMARK",
        seen_by: verified!(),
        planted: "registered tier (details) of a published listing",
    },
    Marker {
        word: "LCONTACTMARK",
        seen_by: verified!(),
        planted: "contact person (registered tier) of a published listing",
    },
    Marker {
        word: "LCONFMARK",
        seen_by: own![],
        planted: "confidential tier of a published listing",
    },
    Marker {
        word: "GRANTMARK",
        seen_by: own![GRANTEE],
        planted: "confidential tier of a listing granted to one organization",
    },
    Marker {
        word: "DRAFTMARK",
        seen_by: own![],
        planted: "title of a draft listing",
    },
    Marker {
        word: "PAUSEDMARK",
        seen_by: own![],
        planted: "public text of a listing taken down (paused)",
    },
    Marker {
        word: "RREGMARK",
        seen_by: verified!(),
        planted: "registered tier (requirements) of an anonymous request",
    },
    Marker {
        word: "RCONFMARK",
        seen_by: roles![REQUESTER],
        planted: "confidential tier of an anonymous request",
    },
    Marker {
        word: "RCONTACTMARK",
        seen_by: roles![REQUESTER],
        planted: "contact person of an anonymous request (it names the requester)",
    },
    Marker {
        word: "ANONORGMARK",
        seen_by: roles![REQUESTER],
        planted: "name of the organization behind an anonymous request",
    },
    Marker {
        word: "INQMARK",
        seen_by: roles![INQUIRER],
        planted: "inquiry about an anonymous request (routed to the brokers)",
    },
    Marker {
        word: "MATCHNOTEMARK",
        seen_by: own![REQUESTER],
        planted: "note of a match introduced to both sides",
    },
    Marker {
        word: "ENOTEONEMARK",
        seen_by: own![REQUESTER],
        planted: "note in the engagement of the listing owner and the anonymous requester",
    },
    Marker {
        word: "ENOTETWOMARK",
        seen_by: roles![REQUESTER, INQUIRER],
        planted: "note in the engagement of the inquirer and the anonymous requester",
    },
    Marker {
        word: "ACCESSMARK",
        seen_by: own![GRANTEE],
        planted: "access request of the grantee to the owner",
    },
    Marker {
        word: "OUTCOMEMARK",
        seen_by: own![REQUESTER],
        planted: "outcome of the engagement with the anonymous requester",
    },
    Marker {
        word: "ALERTMARK",
        seen_by: &[OUTSIDER],
        planted: "saved search of one user",
    },
];

/// Roles that may know who stands behind the anonymous request.
pub const KNOW_THE_REQUESTER: &[&str] = &[BROKER, MODERATOR, ADMIN, REQUESTER];

/// The organization directory names every verified organization: the one place the anonymous
/// requester's name may appear to anyone.
pub const DIRECTORY: &str = "/api/v1/organizations";

/// One role and its credentials.
#[derive(Debug, Clone)]
pub struct Caller {
    pub role: &'static str,
    pub token: Option<String>,
}

/// The built world.
pub struct World {
    pub app: TestApp,
    pub callers: Vec<Caller>,
    /// The organization behind the anonymous request, its people, its request.
    pub anon_org: i64,
    pub anon_people: Vec<i64>,
    pub anon_request: i64,
    /// Ids the tests try in filters: every record the world made, by kind.
    pub ids: BTreeMap<&'static str, Vec<i64>>,
    /// The largest id of anything made (path parameters are tried from 1 to it).
    pub max_id: i64,
}

impl World {
    pub fn caller(&self, role: &str) -> &Caller {
        self.callers
            .iter()
            .find(|c| c.role == role)
            .unwrap_or_else(|| panic!("no caller {role}"))
    }

    pub fn token(&self, role: &str) -> String {
        self.caller(role).token.clone().unwrap()
    }

    fn note(&mut self, kind: &'static str, id: i64) {
        self.ids.entry(kind).or_default().push(id);
        self.max_id = self.max_id.max(id);
    }
}

fn id_of(reply: &crate::support::Reply) -> i64 {
    assert!(
        reply.status.is_success(),
        "{} {}",
        reply.status,
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()["id"].as_i64().unwrap()
}

fn user_id(me: &Value) -> i64 {
    me["user"]["id"].as_i64().unwrap()
}

async fn api_key(app: &TestApp, owner: &str, org: i64, scopes: Value) -> (String, i64) {
    let reply = app
        .post(
            &format!("/api/v1/organizations/{org}/api-keys"),
            Some(owner),
            json!({"name": "khóa thử", "scopes": scopes}),
        )
        .await;
    let body = reply.json();
    assert_eq!(reply.status, 201, "{body}");
    (body["key"].as_str().unwrap().to_owned(), id_of(&reply))
}

/// Build the world on a fresh test app.
pub async fn build() -> World {
    let app = TestApp::new().await;
    let moderator = app.staff("kiemduyet@sokhcn.vn", "moderator").await;
    let broker = app.staff("moigioi@sokhcn.vn", "broker").await;
    let admin = app.staff("quantri@sokhcn.vn", "admin").await;

    let (owner, owner_org) = app
        .verified_owner("owner@hdu.edu.vn", "Trường Đại học Hồng Đức")
        .await;
    let (outsider, outsider_org) = app
        .verified_owner("outsider@mia.vn", "Công ty Mía đường Lam Sơn")
        .await;
    let (grantee, grantee_org) = app
        .verified_owner("grantee@vinaseed.vn", "Công ty Giống cây trồng")
        .await;
    let (requester, anon_org) = app
        .verified_owner("anon@nongsan.vn", "Công ty Nông sản ANONORGMARK")
        .await;
    let (inquirer, inquirer_org) = app
        .verified_owner("inquirer@htx.vn", "HTX Dịch vụ Nông nghiệp Hoằng Hóa")
        .await;
    let (unverified, unverified_me) = app
        .signed_in("member@chuaxacminh.vn", Some("HTX Chưa xác minh"))
        .await;
    let unverified_org = unverified_me["memberships"][0]["organization_id"]
        .as_i64()
        .unwrap();
    let requester_me = app.get("/api/v1/me", Some(&requester)).await.json();
    let (read_key, read_key_id) = api_key(&app, &owner, owner_org, json!(["read"])).await;
    let (write_key, write_key_id) =
        api_key(&app, &owner, owner_org, json!(["read", "write"])).await;

    let mut world = World {
        app,
        callers: Vec::new(),
        anon_org,
        anon_people: vec![user_id(&requester_me)],
        anon_request: 0,
        ids: BTreeMap::new(),
        max_id: 0,
    };
    for (role, token) in [
        (ANONYMOUS, None),
        (UNVERIFIED, Some(unverified)),
        (OUTSIDER, Some(outsider.clone())),
        (OWNER, Some(owner.clone())),
        (GRANTEE, Some(grantee.clone())),
        (REQUESTER, Some(requester.clone())),
        (INQUIRER, Some(inquirer.clone())),
        (BROKER, Some(broker.clone())),
        (MODERATOR, Some(moderator.clone())),
        (ADMIN, Some(admin)),
        (READ_KEY, Some(read_key)),
        (WRITE_KEY, Some(write_key)),
    ] {
        world.callers.push(Caller { role, token });
    }
    for org in [
        owner_org,
        outsider_org,
        grantee_org,
        anon_org,
        inquirer_org,
        unverified_org,
    ] {
        world.note("organization", org);
    }
    world.note("api_key", read_key_id);
    world.note("api_key", write_key_id);
    let app = &world.app;

    // Listings of the owner: every tier marked; a draft; one taken down; one granted.
    let listing = published(
        app,
        "listings",
        &owner,
        &moderator,
        listing_body(
            "Chế phẩm vi sinh xử lý nước thải chăn nuôi",
            json!({"details": "Thông số LREGMARK của chế phẩm", "confidential_details": "Công thức LCONFMARK",
                "contact_name": "TS. LCONTACTMARK", "sci_fields": ["2.7"], "trl": 7}),
        ),
    )
    .await;
    let draft = app
        .create_record(
            "listings",
            &owner,
            listing_body(
                "Bản nháp DRAFTMARK máy sấy nông sản",
                json!({"details": "Chi tiết LREGMARK bản nháp"}),
            ),
        )
        .await;
    let paused = published(
        app,
        "listings",
        &owner,
        &moderator,
        listing_body(
            "Giống lúa PAUSEDMARK chịu mặn",
            json!({"summary": "Giống lúa PAUSEDMARK thuần ngắn ngày, chịu mặn cho vùng ven biển Thanh Hóa.",
                "keywords": ["PAUSEDMARK", "lúa"], "details": "Chi tiết LREGMARK", "confidential_details": "LCONFMARK"}),
        ),
    )
    .await;
    let pause = app.act("listings", paused, &owner, "pause").await;
    assert_eq!(pause.status, 200);
    // A live listing one letter away from the paused one's word: the typo-tolerant pass must
    // treat the paused word as unknown, as it treats any word nobody wrote.
    let neighbour = published(
        app,
        "listings",
        &owner,
        &moderator,
        listing_body(
            "Giống lúa PAUSEDMARQ năng suất cao",
            json!({"details": "LREGMARK", "confidential_details": "LCONFMARK"}),
        ),
    )
    .await;
    let granted = published(
        app,
        "listings",
        &owner,
        &moderator,
        listing_body(
            "Quy trình nhân giống cây lâm nghiệp bằng mô",
            json!({"details": "Chi tiết LREGMARK nhân giống", "confidential_details": "Bí quyết GRANTMARK",
                "contact_name": "TS. LCONTACTMARK", "sci_fields": ["4.1"]}),
        ),
    )
    .await;

    // The anonymous request: every tier marked, its organization hidden.
    let request = published(
        app,
        "requests",
        &requester,
        &moderator,
        request_body(
            "Cần công nghệ xử lý nước thải chăn nuôi lợn",
            json!({"anonymous": true, "requirements": "Yêu cầu RREGMARK công suất 50 m3/ngày",
                "confidential_details": "Ngân sách RCONFMARK", "contact_name": "Ông RCONTACTMARK",
                "sci_fields": ["2.7"]}),
        ),
    )
    .await;
    app.index_changes().await;

    // A grant of the second listing's confidential tier.
    let asked = app
        .post(
            "/api/v1/access-requests",
            Some(&grantee),
            json!({"entity": "listing", "entity_id": granted, "message": "Cần ACCESSMARK để thẩm định."}),
        )
        .await;
    let access = id_of(&asked);
    let until = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let grant = app
        .post(
            &format!("/api/v1/access-requests/{access}/grant"),
            Some(&owner),
            json!({"expires_at": until}),
        )
        .await;
    assert_eq!(
        grant.status,
        200,
        "{}",
        String::from_utf8_lossy(&grant.body)
    );

    // A match of the listing and the anonymous request, introduced, and its engagement.
    let matched = app
        .post(
            "/api/v1/matches",
            Some(&broker),
            json!({"listing_id": listing, "request_id": request, "note": "Phù hợp MATCHNOTEMARK"}),
        )
        .await;
    let match_id = id_of(&matched);
    let introduced = app
        .post(
            &format!("/api/v1/matches/{match_id}/introduce"),
            Some(&broker),
            json!({}),
        )
        .await;
    assert_eq!(introduced.status, 200);
    let engagement = id_of(
        &app.post(
            "/api/v1/engagements",
            Some(&broker),
            json!({"match_id": match_id}),
        )
        .await,
    );
    for (token, body) in [
        (&requester, "Chúng tôi đồng ý gặp ENOTEONEMARK"),
        (&owner, "Chủ công nghệ sẵn sàng"),
    ] {
        let note = app
            .post(
                &format!("/api/v1/engagements/{engagement}/notes"),
                Some(token),
                json!({"body": body}),
            )
            .await;
        assert_eq!(note.status, 200, "{}", String::from_utf8_lossy(&note.body));
    }

    // An inquiry about the anonymous request, its thread, and the engagement from it.
    let inquiry = id_of(
        &app.post(
            "/api/v1/inquiries",
            Some(&inquirer),
            json!({"entity": "request", "entity_id": request, "cooperation_sought": ["license"],
                "message": "Chúng tôi có giải pháp INQMARK."}),
        )
        .await,
    );
    let replied = app
        .post(
            &format!("/api/v1/inquiries/{inquiry}/messages"),
            Some(&broker),
            json!({"body": "Sàn đã chuyển câu hỏi."}),
        )
        .await;
    assert_eq!(replied.status, 200);
    let second = id_of(
        &app.post(
            "/api/v1/engagements",
            Some(&broker),
            json!({"inquiry_id": inquiry}),
        )
        .await,
    );
    let note = app
        .post(
            &format!("/api/v1/engagements/{second}/notes"),
            Some(&requester),
            json!({"body": "Bên cần công nghệ ENOTETWOMARK"}),
        )
        .await;
    assert_eq!(note.status, 200);

    // An outcome of the first engagement, concerning the anonymous requester.
    let outcome = id_of(
        &app.post(
            "/api/v1/outcomes",
            Some(&broker),
            json!({"kind": "commercialisation", "title": "Đưa chế phẩm vào sản xuất",
                "occurred_on": "2026-11-01", "engagement_id": engagement, "listing_id": listing,
                "organization_id": anon_org, "channel": "license", "note": "Kết quả OUTCOMEMARK"}),
        )
        .await,
    );

    // A saved search of the outsider, and an alert raised for it.
    let subscription = id_of(
        &app.post(
            "/api/v1/alert-subscriptions",
            Some(&outsider),
            json!({"kind": "search", "q": "ALERTMARK nước thải chăn nuôi", "sci_fields": ["2.7"], "threshold": 0.1}),
        )
        .await,
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let alerted = published(
        app,
        "listings",
        &owner,
        &moderator,
        listing_body(
            "Hệ thống xử lý nước thải chăn nuôi bằng biogas",
            json!({"sci_fields": ["2.7"], "details": "LREGMARK", "confidential_details": "LCONFMARK"}),
        ),
    )
    .await;
    app.index_changes().await;
    let raised = techx_brokerage::sweep::sweep(&app.state.brokerage_services())
        .await
        .unwrap();
    assert!(raised >= 1, "the saved search raised no alert");

    for (kind, id) in [
        ("listing", listing),
        ("listing", draft),
        ("listing", paused),
        ("listing", neighbour),
        ("listing", granted),
        ("listing", alerted),
        ("request", request),
        ("access_request", access),
        ("match", match_id),
        ("engagement", engagement),
        ("engagement", second),
        ("inquiry", inquiry),
        ("outcome", outcome),
        ("alert_subscription", subscription),
    ] {
        world.note(kind, id);
    }
    for person in world.anon_people.clone() {
        world.note("user", person);
    }
    world.anon_request = request;
    world
}

/// Every `(key, number)` of a JSON value, depth first, with the key of the object holding it.
pub fn numbers_by_key<'a>(value: &'a Value, out: &mut Vec<(&'a str, i64)>) {
    match value {
        Value::Object(fields) => {
            for (key, item) in fields {
                if let Some(number) = item.as_i64() {
                    out.push((key.as_str(), number));
                }
                numbers_by_key(item, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                numbers_by_key(item, out);
            }
        }
        _ => {}
    }
}

/// Keys that hold an organization's id.
pub fn names_an_organization(key: &str) -> bool {
    key.contains("organization")
}

/// Keys that hold a person's id.
pub fn names_a_person(key: &str) -> bool {
    key.ends_with("_by")
        || matches!(
            key,
            "actor_id"
                | "author_id"
                | "user_id"
                | "actor_user_id"
                | "reader_user_id"
                | "assignee_id"
        )
}
