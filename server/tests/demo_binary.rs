//! `atsbridge demo` through the real binary: a small run against the in-process sandbox with
//! faults on ends with every command succeeded and no duplicate ATS candidate.

use std::process::Command;

#[test]
fn demo_pushes_everyone_through_with_no_failure_and_no_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_atsbridge"))
        .args([
            "demo",
            "--candidates",
            "20",
            "--fail-rate",
            "0.1",
            "--drop-response-rate",
            "0.1",
        ])
        .current_dir(dir.path())
        .env_remove("ATSBRIDGE_CONFIG")
        .output()
        .expect("run atsbridge demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outcomes: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("commands by kind and outcome"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .collect();
    assert!(!outcomes.is_empty(), "no outcome table:\n{stdout}");
    assert!(
        outcomes.iter().all(|l| l.contains("succeeded")),
        "every command succeeds:\n{stdout}"
    );
    assert!(
        stdout.contains("duplicate ATS candidates for pushed emails: 0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("p50"),
        "latency percentiles are printed:\n{stdout}"
    );
}
