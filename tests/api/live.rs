//! Running servers: a change made through the API is searchable within a second on every
//! server process that shares the database, and disappears as fast when withdrawn.

use crate::cli::{Server, json_body, start_command, techx, test_database};
use crate::support::listing_body;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const DEMO_PASSWORD: &str = "techx-demo-2026";
const SHARED_SECRET: &str = "live-test-secret-with-at-least-32-bytes!!";

/// One HTTP/1.1 request with an optional bearer token and JSON body.
fn http(
    address: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if body.is_some() {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            payload.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(payload.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).unwrap().parse().unwrap();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, json_body(body))
}

fn login(address: &str, email: &str) -> String {
    let (status, body) = http(
        address,
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"email": email, "password": DEMO_PASSWORD})),
    );
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

fn act(address: &str, id: i64, token: &str, action: &str) {
    let (status, body) = http(
        address,
        "POST",
        &format!("/api/v1/listings/{id}/transitions"),
        Some(token),
        Some(&json!({"action": action})),
    );
    assert_eq!(status, 200, "{action}: {body}");
}

/// Wait until a search for `word` on `server` reports `expected` hits; returns when it did
/// (panics after 10 s).
fn until_found(server: &Server, word: &str, expected: u64) -> Instant {
    let started = Instant::now();
    loop {
        let (status, body) = http(
            &server.address,
            "GET",
            &format!("/api/v1/search?q={word}"),
            None,
            None,
        );
        assert_eq!(status, 200, "{body}");
        if body["total"].as_u64() == Some(expected) {
            return Instant::now();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never {expected} hits for {word}: {body}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `techx serve` on the shared database with the shared token secret.
fn start_shared(data_dir: &std::path::Path, extra: &[&str], database_url: &str) -> Server {
    let mut command = techx();
    command
        .env("DATABASE_URL", database_url)
        .env("TECHX_JWT_SECRET", SHARED_SECRET);
    start_command(command, data_dir, extra)
}

#[test]
fn a_record_published_through_the_api_is_searchable_within_a_second_on_two_servers() {
    let database = test_database();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Both processes share one database: the PostgreSQL schema, or A's SQLite file.
    let shared = database
        .as_ref()
        .map(|(url, _)| url.clone())
        .unwrap_or_else(|| format!("sqlite://{}", dir_a.path().join("techx.sqlite3").display()));
    let a = start_shared(dir_a.path(), &["--demo"], &shared);
    let b = start_shared(dir_b.path(), &[], &shared);

    // Tokens issued by one process are good on the other (shared secret).
    let owner = login(&a.address, "khcn@hdu.edu.vn");
    let moderator = login(&b.address, "kiemduyet@techx.thanhhoa.gov.vn");
    let word = "perovskit";
    let (status, created) = http(
        &a.address,
        "POST",
        "/api/v1/listings",
        Some(&owner),
        Some(&listing_body(
            &format!("Pin mặt trời {word} in phun cho nhà kính"),
            json!({}),
        )),
    );
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    act(&a.address, id, &owner, "submit");
    act(&b.address, id, &moderator, "publish");
    let committed = Instant::now();
    for (name, server) in [("B", &b), ("A", &a)] {
        let after = until_found(server, word, 1).duration_since(committed);
        assert!(
            after < Duration::from_secs(1),
            "searchable on {name} after {after:?}"
        );
    }
    act(&b.address, id, &owner, "withdraw");
    let committed = Instant::now();
    for (name, server) in [("A", &a), ("B", &b)] {
        let after = until_found(server, word, 0).duration_since(committed);
        assert!(
            after < Duration::from_secs(1),
            "still found on {name} after {after:?}"
        );
    }
    drop((a, b, database));
}
