//! The conformance runner: every registered adapter, each case against its sandbox and against
//! its recorded fixtures, as named trials (`ashby::sandbox::<case>`, `ashby::replay::<case>`).
//!
//! `cargo test -p atsbridge-conformance` runs everything; pass a filter to run part of it
//! (`-- ashby::sandbox::`, `-- full_pass`). With `ATSBRIDGE_CONFORMANCE_RECORD=1` the sandbox
//! trials (re)write their fixtures under `fixtures/<kind>/<case>/`.

// Every adapter crate is anchored here, or its registration would not be linked.
use atsbridge_ashby as _;

use atsbridge_conformance::{ConformanceTarget, cases, coverage, runner, targets};
use libtest_mimic::{Arguments, Failed, Trial};
use std::future::Future;
use std::path::Path;
use std::sync::Arc;

fn block_on(fut: impl Future<Output = anyhow::Result<()>>) -> Result<(), Failed> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failed::from(format!("cannot start a runtime: {e}")))?;
    rt.block_on(fut).map_err(|e| Failed::from(format!("{e:#}")))
}

fn trials_for(target: Arc<dyn ConformanceTarget>) -> Vec<Trial> {
    let kind = target.kind();
    let caps = match runner::capabilities(&*target) {
        Ok(caps) => caps,
        Err(e) => {
            let msg = format!("{e:#}");
            return vec![Trial::test(format!("{kind}::build"), move || {
                Err(msg.into())
            })];
        }
    };
    let mut trials = Vec::new();
    let problems = coverage::problems(&caps, &cases::all());
    trials.push(Trial::test(format!("{kind}::coverage"), move || {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n").into())
        }
    }));
    let record = runner::recording();
    for case in cases::all() {
        let runs = case.runs_for(&caps);
        let t = target.clone();
        trials.push(
            Trial::test(format!("{kind}::sandbox::{}", case.name), move || {
                if !runs {
                    return Ok(());
                }
                block_on(runner::run_sandbox(t, &case, record))
            })
            .with_ignored_flag(!runs),
        );
        let t = target.clone();
        trials.push(
            Trial::test(format!("{kind}::replay::{}", case.name), move || {
                if !runs {
                    return Ok(());
                }
                block_on(runner::run_replay(t, &case))
            })
            .with_ignored_flag(!runs || record),
        );
    }
    for dir in runner::error_fixture_dirs(&*target) {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let t = target.clone();
        trials.push(Trial::test(
            format!("{kind}::replay::{}::{name}", runner::ERROR_FIXTURES),
            move || block_on(runner::run_error_fixture(t, &dir)),
        ));
    }
    trials
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();

    let adapters_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../adapters");
    trials.push(Trial::test("registry::every_adapter_folder_is_registered", move || {
        let missing = atsbridge_core::registry::unregistered_adapter_dirs(&adapters_dir)
            .map_err(|e| Failed::from(format!("cannot read {}: {e}", adapters_dir.display())))?;
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("folders under adapters/ with no registered kind (is the crate anchored?): {missing:?}").into())
        }
    }));

    let all_targets = targets::all();
    let kinds = atsbridge_core::registry::kinds();
    let without_target: Vec<&str> = kinds
        .iter()
        .copied()
        .filter(|k| !all_targets.iter().any(|t| t.kind() == *k))
        .collect();
    let registered = kinds.clone();
    trials.push(Trial::test(
        "registry::every_kind_has_a_conformance_target",
        move || {
            if registered.is_empty() {
                return Err(
                    "no adapter is registered (is every adapter crate anchored in this runner?)"
                        .into(),
                );
            }
            if without_target.is_empty() {
                Ok(())
            } else {
                Err(
                    format!("registered kinds without a ConformanceTarget: {without_target:?}")
                        .into(),
                )
            }
        },
    ));

    for descriptor in atsbridge_core::registry::descriptors() {
        if let Some(target) = all_targets.iter().find(|t| t.kind() == descriptor.kind) {
            trials.extend(trials_for(target.clone()));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
