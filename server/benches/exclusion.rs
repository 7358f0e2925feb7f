//! Exclusion index benchmark: 1,000,000 synthetic candidates × ~2.5 identity keys, then
//! 10,000 checks (half members under a spelling variant, half strangers, some name-only),
//! repeated; prints the median check time and the memory per indexed candidate.
//!
//! `cargo bench -p atsbridge-server --bench exclusion` (env `EXCLUSION_BENCH_CANDIDATES` and
//! `EXCLUSION_BENCH_CHECKS` override the sizes).
//!
//! Memory is measured two ways (the workspace forbids `unsafe`, so no counting allocator):
//! the index's own exact account of its heap capacities, and the process RSS growth while the
//! index is built (rows are generated on the fly, so RSS growth is the index plus allocator
//! overhead).

use atsbridge_server::exclusion::check::{PersonQuery, check_all};
use atsbridge_server::exclusion::index::{ConnIndex, IndexEntry};
use std::time::Instant;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn rss_bytes() -> Option<usize> {
    let s = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = s.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

struct Synthetic {
    id: String,
    keys: Vec<String>,
    name: String,
    company: String,
}

fn candidate(i: u64) -> Synthetic {
    let r = splitmix(i);
    let id = uuid::Uuid::from_u128(((splitmix(r) as u128) << 64) | r as u128)
        .hyphenated()
        .to_string();
    let mut keys = vec![format!("email:person{i}@example{}.com", r % 997)];
    if r & 1 == 0 {
        keys.push(format!("email:p{i}.work@corp{}.io", (r >> 8) % 991));
    }
    if r & 2 == 0 {
        keys.push(format!("linkedin:in/person-{i}-{:x}", r >> 40));
    }
    if r & 4 == 0 {
        keys.push(format!("phone:+1415{:07}", i % 10_000_000));
    }
    Synthetic {
        id,
        keys,
        name: format!("First{} Last{}", r % 5000, (r >> 16) % 20000),
        company: format!("Company {}", (r >> 24) % 50_000),
    }
}

fn main() {
    let n = env_usize("EXCLUSION_BENCH_CANDIDATES", 1_000_000) as u64;
    let checks = env_usize("EXCLUSION_BENCH_CHECKS", 10_000);
    let rounds = env_usize("EXCLUSION_BENCH_ROUNDS", 21);

    let rss0 = rss_bytes();
    let t0 = Instant::now();
    let mut ix = ConnIndex::with_capacity(n as usize, (n as usize) * 5 / 2);
    let mut total_keys = 0usize;
    for i in 0..n {
        let c = candidate(i);
        total_keys += c.keys.len();
        ix.upsert(&IndexEntry {
            ats_candidate_id: &c.id,
            identity_keys: &c.keys,
            name: &c.name,
            company: Some(&c.company),
            has_active_application: i % 3 == 0,
        });
    }
    ix.shrink_to_fit();
    let build = t0.elapsed();
    let rss1 = rss_bytes();

    // Queries: 50% members (a spelling variant of one of their keys), 40% strangers,
    // 10% name + company only.
    let mut people = Vec::with_capacity(checks);
    for q in 0..checks as u64 {
        let r = splitmix(q ^ 0xDEAD_BEEF);
        let i = r % n;
        let c = candidate(i);
        let p = match q % 10 {
            0..=4 => {
                let k = &c.keys[(r >> 32) as usize % c.keys.len()];
                let (kind, v) = k.split_once(':').unwrap_or_default();
                match kind {
                    "email" => PersonQuery {
                        email: Some(format!("  {}  ", v.to_uppercase())),
                        ..Default::default()
                    },
                    "linkedin" => PersonQuery {
                        linkedin_url: Some(format!("https://www.linkedin.com/{v}/?utm=x")),
                        ..Default::default()
                    },
                    _ => PersonQuery {
                        phone: Some(format!("+1 (415) {}-{}", &v[5..8], &v[8..])),
                        ..Default::default()
                    },
                }
            }
            5..=8 => PersonQuery {
                email: Some(format!("stranger{q}@nowhere.org")),
                linkedin_url: Some(format!("linkedin.com/in/stranger-{q}")),
                phone: Some(format!("+44 20 7946 {:04}", q % 10_000)),
                name: Some(format!("Nobody Special{q}")),
                company: None,
                phone_country_code: None,
            },
            _ => PersonQuery {
                name: Some(c.name.to_uppercase()),
                company: Some(format!("{}, Inc.", c.company)),
                ..Default::default()
            },
        };
        people.push(p);
    }

    let mut times = Vec::with_capacity(rounds);
    let mut found = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        let res = check_all(&ix, &people, None);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        found = res.iter().filter(|r| !r.matches.is_empty()).count();
        std::hint::black_box(res);
    }
    let mut single = Vec::with_capacity(5);
    for _ in 0..5 {
        let t = Instant::now();
        let res: Vec<_> = people
            .iter()
            .enumerate()
            .map(|(i, p)| atsbridge_server::exclusion::check::check_person(&ix, i, p, None))
            .collect();
        single.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(res);
    }
    times.sort_by(f64::total_cmp);
    single.sort_by(f64::total_cmp);
    let heap = ix.heap_bytes();
    println!("exclusion index benchmark");
    println!("  candidates:               {n}");
    println!(
        "  identity keys:            {total_keys} ({:.2} per candidate)",
        total_keys as f64 / n as f64
    );
    println!(
        "  build time:               {:.0} ms",
        build.as_secs_f64() * 1000.0
    );
    println!(
        "  index heap (exact):       {:.1} MiB = {:.1} bytes/candidate",
        heap as f64 / 1048576.0,
        heap as f64 / n as f64
    );
    if let (Some(a), Some(b)) = (rss0, rss1) {
        let d = b.saturating_sub(a);
        println!(
            "  RSS growth while building: {:.1} MiB = {:.1} bytes/candidate",
            d as f64 / 1048576.0,
            d as f64 / n as f64
        );
    }
    println!("  checks per round:         {checks} (people with a match: {found})");
    println!(
        "  check time, median of {rounds}:  {:.2} ms (min {:.2}, max {:.2}) [check_all, one thread per core, at most 8]",
        times[rounds / 2],
        times[0],
        times[rounds - 1]
    );
    println!(
        "  check time, one thread:   {:.2} ms (median of 5)",
        single[2]
    );
}
