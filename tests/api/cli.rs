//! The built binary: configuration errors, start-up, readiness and shutdown.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) fn techx() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_techx"));
    command
        .env_remove("DATABASE_URL")
        .env_remove("TECHX_JWT_SECRET")
        // The binary's tests run without the embedding model, whether or not this checkout
        // has fetched it (tests/api/vectors.rs covers the model).
        .env("TECHX_MODEL_DIR", "/nonexistent/techx-models")
        .env("RUST_LOG", "info");
    command
}

/// The suite's database for the binary: None for the default SQLite file in the data
/// directory, or a fresh PostgreSQL schema when `TEST_DATABASE_URL` is set (dropped with it).
pub(crate) fn test_database() -> Option<(String, crate::support::PgSchema)> {
    crate::support::scratch_postgres()
}

/// `techx` on the suite's database.
pub(crate) fn techx_on(database: &Option<(String, crate::support::PgSchema)>) -> Command {
    let mut command = techx();
    if let Some((url, _)) = database {
        command.env("DATABASE_URL", url);
    }
    command
}

#[test]
fn an_unknown_database_scheme_is_refused_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let output = techx()
        .args(["migrate", "--data-dir"])
        .arg(&data_dir)
        .env("DATABASE_URL", "mysql://x")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unsupported database url scheme `mysql`"),
        "{stderr}"
    );
    assert!(!data_dir.exists(), "the data directory was created");
}

#[test]
fn an_unreachable_postgres_fails_within_five_seconds_with_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let output = techx()
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/test")
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "took {:?}",
        started.elapsed()
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot open the database"), "{stderr}");
    assert!(
        stderr.contains("127.0.0.1") || stderr.contains("connect"),
        "{stderr}"
    );
}

pub(crate) struct Server {
    child: Child,
    pub(crate) address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `techx serve` on a free port and wait until it says where it listens.
pub(crate) fn start(data_dir: &std::path::Path) -> Server {
    start_with(data_dir, &[], &None)
}

pub(crate) fn start_with(
    data_dir: &std::path::Path,
    extra: &[&str],
    database: &Option<(String, crate::support::PgSchema)>,
) -> Server {
    start_command(techx_on(database), data_dir, extra)
}

/// Start `command serve …` on a free port and wait until it says where it listens.
pub(crate) fn start_command(
    mut command: Command,
    data_dir: &std::path::Path,
    extra: &[&str],
) -> Server {
    let mut child = command
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            "1",
            "--data-dir",
        ])
        .arg(data_dir)
        .args(extra)
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("address=").nth(1) {
                let address: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
                let _ = sender.send(address.trim_matches('\u{1b}').to_owned());
            }
        }
    });
    let address = receiver
        .recv_timeout(Duration::from_secs(30))
        .expect("the server did not report its address");
    Server { child, address }
}

pub(crate) fn http_get(address: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).unwrap().parse().unwrap();
    let body = response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, body)
}

#[test]
fn a_fresh_data_directory_serves_on_sqlite_with_no_setup_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let mut server = start(&data_dir);
    let (status, body) = http_get(&server.address, "/healthz");
    assert_eq!(status, 200, "{body}");
    let (status, body) = http_get(&server.address, "/readyz");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("sqlite"), "{body}");
    assert!(data_dir.join("techx.sqlite3").is_file());
    assert!(data_dir.join("jwt_secret").is_file());

    let pid = server.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let started = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the server did not stop"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn admin_create_reads_the_password_from_stdin_and_refuses_a_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let database = test_database();
    let create = || {
        let mut child = techx_on(&database)
            .args([
                "admin",
                "create",
                "--email",
                "admin@sokhcn.thanhhoa.gov.vn",
                "--password-stdin",
                "--data-dir",
            ])
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"mot mat khau quan tri\n")
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let first = create();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("admin created"));
    let second = create();
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("already exists"));
}

#[test]
fn openapi_prints_the_document() {
    let output = techx().arg("openapi").output().unwrap();
    assert!(output.status.success());
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        document,
        serde_json::to_value(techx_api::openapi()).unwrap()
    );
}

/// The demo dataset, as the binary loads it.
fn demo_data() -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/demo.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// How many listings the demo dataset holds.
fn demo_listing_count() -> usize {
    demo_data()["listings"].as_array().unwrap().len()
}

pub(crate) fn json_body(body: &str) -> serde_json::Value {
    // The test client speaks HTTP/1.1 without chunked decoding: actix sends JSON with a length.
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn serve_with_demo_shows_a_living_exchange_and_loads_only_once() {
    let dir = tempfile::tempdir().unwrap();
    let database = test_database();
    let server = start_with(dir.path(), &["--demo"], &database);
    let (status, body) = http_get(&server.address, "/api/v1/listings?limit=100");
    assert_eq!(status, 200, "{body}");
    let listings = json_body(&body);
    let total = listings["total"].as_i64().unwrap();
    assert!(total >= 60, "only {total} published listings");
    let items = listings["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .all(|l| l["status"] == "published" && l["disclosed_tier"] == "public")
    );
    assert!(!body.contains("confidential_details"));
    let sci: std::collections::BTreeSet<String> = items
        .iter()
        .flat_map(|l| {
            l["sci_fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap()[..1].to_owned())
        })
        .collect();
    assert!(sci.len() >= 5, "fields of science: {sci:?}");
    let (_, body) = http_get(&server.address, "/api/v1/requests?limit=100");
    let requests = json_body(&body);
    assert!(requests["total"].as_i64().unwrap() >= 20);
    let anonymous = requests["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["anonymous"] == true)
        .count();
    assert!(anonymous >= 1);
    let (_, body) = http_get(&server.address, "/api/v1/organizations?limit=100");
    assert!(json_body(&body)["total"].as_i64().unwrap() >= 20);
    drop(server);
    // Everything was loaded, in varied statuses: an operator's export shows all of it.
    let output = techx_on(&database)
        .args(["export", "listings", "--all-tiers", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let csv = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        csv.lines().count(),
        1 + demo_listing_count(),
        "a header and every demo listing"
    );
    for status in [
        ",draft,",
        ",submitted,",
        ",published,",
        ",paused,",
        ",transferred,",
        ",expired,",
        ",rejected,",
        ",withdrawn,",
    ] {
        assert!(csv.contains(status), "no listing {status}");
    }
    let again = techx_on(&database)
        .args(["demo", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "a second `techx demo` failed: {}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(String::from_utf8_lossy(&again.stdout).contains("not empty"));
}

#[test]
fn import_and_export_work_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let database = test_database();
    // A database with one organization (from the demo), then a file for it.
    let demo = techx_on(&database)
        .args(["demo", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(demo.status.success());
    let file = dir.path().join("ket-qua.csv");
    std::fs::write(
        &file,
        "\u{feff}kind,title,summary,sci_fields,keywords,trl\n\
         research_result,Quy trình ủ chua thức ăn xanh cho bò,Ủ chua cỏ voi và thân ngô làm thức ăn cho bò thịt trong mùa đông.,4.2,ủ chua;bò,7\n",
    )
    .unwrap();
    let imported = techx_on(&database)
        .args(["import", "listings"])
        .arg(&file)
        .args(["--org", "1", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        imported.status.success(),
        "{:?}\nstdout: {}\nstderr: {}",
        imported.status,
        String::from_utf8_lossy(&imported.stdout),
        String::from_utf8_lossy(&imported.stderr)
    );
    assert!(String::from_utf8_lossy(&imported.stdout).contains("imported 1 records"));
    // A bad row: nothing is written and the row is named.
    std::fs::write(
        &file,
        "kind,title,summary,sci_fields\nresearch_result,Ngắn,ngắn,4.2\n",
    )
    .unwrap();
    let refused = techx_on(&database)
        .args(["import", "listings"])
        .arg(&file)
        .args(["--org", "1", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("rows[1].title") && stderr.contains("rows[1].summary"),
        "{stderr}"
    );
    let out = dir.path().join("listings.jsonl");
    let exported = techx_on(&database)
        .args([
            "export",
            "listings",
            "--all-tiers",
            "--format",
            "jsonl",
            "--out",
        ])
        .arg(&out)
        .args(["--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(exported.status.success());
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        text.lines().count(),
        demo_listing_count() + 1,
        "every demo listing and the imported one"
    );
    assert!(text.contains("Quy trình ủ chua thức ăn xanh cho bò"));
    // Without --all-tiers the export is what a visitor sees.
    let public = techx_on(&database)
        .args(["export", "listings", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let public = String::from_utf8(public.stdout).unwrap();
    assert!(
        !public.contains("Quy trình ủ chua"),
        "a draft was exported publicly"
    );
    assert!(!public.contains(",confidential,") && !public.contains(",registered,"));
}

#[test]
fn eval_search_reports_the_three_metrics_on_a_beir_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("corpus.jsonl"),
        "{\"_id\":\"d1\",\"title\":\"Xử lý nước thải chăn nuôi\",\"text\":\"Chế phẩm vi sinh.\"}\n{\"_id\":\"d2\",\"title\":\"Máy sấy lúa\",\"text\":\"Nhiệt trấu.\"}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("queries.jsonl"),
        "{\"_id\":\"q1\",\"text\":\"nuoc thai\"}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("qrels.tsv"),
        "query-id\tcorpus-id\tscore\nq1\td1\t1\n",
    )
    .unwrap();
    let output = techx()
        .args(["eval", "search", "--beir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("1 queries")
            && stdout.contains("nDCG@10 1.0000")
            && stdout.contains("MRR@10 1.0000"),
        "{stdout}"
    );
    let missing = techx()
        .args(["eval", "search", "--beir", "/nonexistent"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
}

/// The figures of a matching harness line: `  NAME  nDCG@10 X  recall@10 Y  (N needs)`.
fn harness_line(stdout: &str, name: &str) -> (f64, f64) {
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with(name) && l.contains("nDCG@10"))
        .unwrap_or_else(|| panic!("no `{name}` line in {stdout}"));
    let figure = |label: &str| -> f64 {
        let rest = &line[line.find(label).unwrap() + label.len()..];
        rest.split_whitespace().next().unwrap().parse().unwrap()
    };
    (figure("nDCG@10"), figure("recall@10"))
}

#[test]
fn the_matching_harness_loads_our_labelled_set_and_the_engine_beats_text_alone() {
    let set = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/matching");
    let output = techx()
        .args(["eval", "matching", "--brief", "--dir"])
        .arg(&set)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("168 offers, 42 needs"), "{stdout}");
    let (text, _) = harness_line(&stdout, "text relevance alone");
    let (engine, _) = harness_line(&stdout, "engine");
    // The target on our set: the engine beats text relevance alone by 0.10 nDCG@10.
    assert!(engine >= text + 0.10, "engine {engine}, text {text}");
    // A weight override reaches the engine: with every component but text at 0 it does worse.
    let only_text = techx()
        .args(["eval", "matching", "--brief", "--dir"])
        .arg(&set)
        .args([
            "--weight",
            "field=0",
            "--weight",
            "maturity=0",
            "--weight",
            "price=0",
        ])
        .args([
            "--weight",
            "cooperation=0",
            "--weight",
            "location=0",
            "--weight",
            "freshness=0",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(only_text.stdout).unwrap();
    let (reweighted, _) = harness_line(&stdout, "engine");
    assert!(reweighted < engine, "{stdout}");
    let bad = techx()
        .args(["eval", "matching", "--dir"])
        .arg(&set)
        .args(["--weight", "charm=1"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown component charm"));
}

/// The share of solving offers a harness line reports among the first 100.
fn solving_at_100(stdout: &str, name: &str) -> f64 {
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with(name) && l.contains("solving@100"))
        .unwrap_or_else(|| panic!("no `{name}` line in {stdout}"));
    let rest = &line[line.find("solving@100").unwrap() + "solving@100".len()..];
    rest.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn on_both_labelled_sets_the_engine_beats_a_plain_bm25_of_the_whole_need_and_finds_every_solver() {
    for (set, size, needs) in [
        ("eval/matching", "168 offers, 42 needs", 42),
        ("eval/matching-field", "80 offers, 20 needs", 20),
    ] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(set);
        let output = techx()
            .args(["eval", "matching", "--brief", "--dir"])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(stdout.contains(size), "{stdout}");
        let (bm25, _) = harness_line(&stdout, "plain BM25 of the whole need");
        let (engine, _) = harness_line(&stdout, "engine");
        // The target: the engine beats a plain BM25 of the whole need by 0.10.
        assert!(engine >= bm25 + 0.10, "{set}: engine {engine}, BM25 {bm25}");
        // Candidate recall: the offers that solve a need are among its first 100.
        let solving = solving_at_100(&stdout, "engine");
        assert!(solving >= 0.95, "{set}: {solving}");
        // Every need is reported in a group; the second set has four.
        let groups = stdout
            .lines()
            .find(|l| l.trim_start().starts_with("by group:"))
            .unwrap();
        let counted: usize = groups
            .split(", ")
            .filter_map(|g| {
                g.rsplit_once('(')?
                    .1
                    .trim_end_matches(')')
                    .parse::<usize>()
                    .ok()
            })
            .sum();
        assert_eq!(counted, needs, "{groups}");
    }
}

#[test]
fn reindex_rebuilds_the_search_index_from_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let database = test_database();
    let demo = techx_on(&database)
        .args(["demo", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let output = techx_on(&database)
        .args(["reindex", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let demo = demo_data();
    let published = ["listings", "requests"]
        .iter()
        .flat_map(|set| demo[set].as_array().unwrap())
        .filter(|record| record["status"] == "published")
        .count();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains(&format!("rebuilt: {published} published records")),
        "{stdout}"
    );
    assert!(
        dir.path()
            .join("search")
            .join("techx-schema-version")
            .is_file()
    );
}
