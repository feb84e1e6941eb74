//! The built binary: configuration errors, start-up, readiness and shutdown.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn techx() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_techx"));
    command
        .env_remove("DATABASE_URL")
        .env_remove("TECHX_JWT_SECRET")
        .env("RUST_LOG", "info");
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

struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `techx serve` on a free port and wait until it says where it listens.
fn start(data_dir: &std::path::Path) -> Server {
    let mut child = techx()
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            "1",
            "--data-dir",
        ])
        .arg(data_dir)
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

fn http_get(address: &str, path: &str) -> (u16, String) {
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
    let create = || {
        let mut child = techx()
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
