//! Measures load time and peak memory of a large sandbox.
//!
//! `cargo run --release -p atsbridge-ashby-sandbox --example scale -- 1000000`

use std::time::Instant;

use atsbridge_ashby_sandbox::{Sandbox, SandboxConfig};

fn status_kib(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let t = Instant::now();
    let sb = Sandbox::new(SandboxConfig {
        extra_candidates: n,
        ..SandboxConfig::default()
    })?;
    let load = t.elapsed();
    let t = Instant::now();
    let found = sb.find_candidates_by_email(&format!("synthetic.{}@scale.example", n / 2));
    let lookup = t.elapsed();
    println!("extra candidates:      {n}");
    println!("live candidates:       {}", sb.candidate_count());
    println!("applications:          {}", sb.application_count());
    println!("load time:             {load:.2?}");
    println!("email lookup:          {lookup:.2?} ({} hit)", found.len());
    println!(
        "peak RSS (VmHWM):      {:.1} MiB",
        status_kib("VmHWM:").unwrap_or(0) as f64 / 1024.0
    );
    println!(
        "current RSS (VmRSS):   {:.1} MiB",
        status_kib("VmRSS:").unwrap_or(0) as f64 / 1024.0
    );
    Ok(())
}
