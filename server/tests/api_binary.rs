//! The real `atsbridge` binary on its embedded default: no configuration, a temp working
//! directory. It prints the URL and token, answers `/healthz` and an authenticated `/v1` call,
//! stops gracefully on SIGTERM, and a restart reuses the key, the token and the demo connection.

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Running {
    child: Child,
    api: String,
    token: String,
    connection: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &Path, run: usize) -> Running {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atsbridge"));
    cmd.arg("serve")
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::from(
            std::fs::File::create(dir.join(format!("stderr-{run}.log"))).unwrap(),
        ));
    for (k, _) in std::env::vars() {
        if k.starts_with("ATSBRIDGE_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("ATSBRIDGE_SERVER__BIND", "127.0.0.1:0")
        .env("ATSBRIDGE_SERVER__SHUTDOWN_GRACE_SECS", "5");
    let mut child = cmd.spawn().expect("spawn atsbridge");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let (mut api, mut token, mut connection) = (None, None, None);
    let deadline = Instant::now() + Duration::from_secs(60);
    while api.is_none() || token.is_none() || connection.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = match rx.recv_timeout(left) {
            Ok(l) => l,
            Err(_) => {
                let log = std::fs::read_to_string(dir.join(format!("stderr-{run}.log")))
                    .unwrap_or_default();
                panic!("no banner within 60 s; stderr:\n{log}");
            }
        };
        let value = |prefix: &str| {
            line.trim()
                .strip_prefix(prefix)
                .map(|v| v.split_whitespace().next().unwrap_or("").to_owned())
        };
        api = api.or(value("API URL:"));
        token = token.or(value("API token:"));
        connection = connection.or(value("Connection id:"));
    }
    Running {
        child,
        api: api.unwrap(),
        token: token.unwrap(),
        connection: connection.unwrap(),
    }
}

fn stop_gracefully(mut r: Running) {
    let pid = r.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = r.child.try_wait().unwrap() {
            assert!(status.success(), "exit after SIGTERM: {status}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "did not stop within 30 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn check(r: &Running) {
    let http = reqwest::Client::new();
    let base = r.api.trim_end_matches("/v1");
    let h = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(h.status(), 200);
    let unauth = http
        .get(format!("{}/connections", r.api))
        .send()
        .await
        .unwrap();
    assert_eq!(unauth.status(), 401);
    let c = http
        .get(format!("{}/connections/{}", r.api, r.connection))
        .bearer_auth(&r.token)
        .send()
        .await
        .unwrap();
    assert_eq!(c.status(), 200);
    let body: serde_json::Value = c.json().await.unwrap();
    assert_eq!(body["kind"], "ashby");
    let link = http
        .get(format!("{}/jobs/dover-demo-job/link", r.api))
        .bearer_auth(&r.token)
        .send()
        .await
        .unwrap();
    assert_eq!(link.status(), 200);
    let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200, "{}", ready.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn embedded_default_starts_stops_on_sigterm_and_restarts_with_the_same_key_and_token() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(dir.path(), 1);
    check(&first).await;
    let key = std::fs::read_to_string(dir.path().join("atsbridge.key")).unwrap();
    assert!(dir.path().join("atsbridge.db").exists());
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(dir.path().join("atsbridge.key"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
    }
    let (token, connection) = (first.token.clone(), first.connection.clone());
    stop_gracefully(first);

    let second = start(dir.path(), 2);
    assert_eq!(second.token, token, "the token is reused");
    assert_eq!(
        second.connection, connection,
        "the demo connection is reused"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("atsbridge.key")).unwrap(),
        key
    );
    check(&second).await;
    stop_gracefully(second);

    // Nothing secret in the logs.
    for run in [1, 2] {
        let log = std::fs::read_to_string(dir.path().join(format!("stderr-{run}.log"))).unwrap();
        assert!(!log.contains(&token), "token in the log");
        assert!(!log.contains(key.trim()), "encryption key in the log");
        assert!(
            !log.contains(atsbridge_ashby_sandbox::DEMO_API_KEY),
            "ATS key in the log"
        );
    }
}
