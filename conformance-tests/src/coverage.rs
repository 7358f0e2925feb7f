//! Which cases prove each capability; a capability declared without its cases fails the run.

use crate::cases::Case;
use atsbridge_core::{Capabilities, Capability};

/// The cases that must run for an adapter declaring `cap`.
pub fn cases_for(cap: Capability) -> &'static [&'static str] {
    match cap {
        Capability::ValidateCredentials => &[
            "credentials_ok_reports_account",
            "bad_credentials_are_unauthenticated",
        ],
        Capability::ListJobs => &["list_jobs_open_first"],
        Capability::ListJobStages => &["stages_in_plan_order", "unknown_job_is_not_found"],
        Capability::ListUsers => &["list_users_includes_seeded_user"],
        Capability::ListSources => &["list_sources_includes_seeded_source"],
        Capability::ListRejectionReasons => &["rejection_reasons_flag_archived"],
        Capability::FindCandidates => &[
            "find_by_email_ignores_case",
            "find_no_match_is_empty",
            "find_by_each_searchable_identity",
            "find_unsearchable_identity_is_invalid_input",
        ],
        Capability::CandidateChanges => &[
            "full_pass_yields_each_once",
            "incremental_returns_exactly_changes",
            "resume_from_any_page",
            "expired_token_needs_full_resync",
        ],
        Capability::CreateCandidate => &[
            "create_then_read_back_keeps_fields",
            "duplicate_create_is_detectable",
            "create_with_empty_name_is_invalid_input",
            "read_only_key_cannot_write",
        ],
        Capability::FindApplication => &["find_application_after_create"],
        Capability::CreateApplication => &["create_application_at_stage"],
        Capability::MoveStage => &[
            "move_to_unknown_stage_is_not_found",
            "move_stage_is_idempotent",
        ],
        Capability::Archive => &[
            "archive_sets_reason_and_outcome",
            "archive_without_valid_reason_is_refused",
        ],
        Capability::FindInterview => &["find_interview_by_external_id"],
        Capability::CreateInterview => &["create_interview_keeps_external_id"],
        Capability::AddNote => &["add_note_returns_id"],
        Capability::LogEmail => &["log_email_is_idempotent"],
        Capability::ApplicationState => &["unknown_application_is_not_found"],
        Capability::ApplicationChanges => &["application_changes_yield_each_once"],
        Capability::Webhooks => &["webhook_bad_signature_refused", "webhook_parses_actions"],
    }
}

/// Cases every adapter runs whatever it declares.
pub const ALWAYS: [&str; 5] = [
    "errors_map_401",
    "errors_map_403",
    "errors_map_429",
    "errors_map_5xx",
    "unsupported_operations_make_no_calls",
];

/// Every problem with an adapter declaring `caps`: a declared capability whose cases are
/// missing from `cases` or cannot run (they need a capability the adapter does not declare).
/// Empty means covered.
pub fn problems(caps: &Capabilities, cases: &[Case]) -> Vec<String> {
    let mut out = Vec::new();
    for cap in caps.0.iter().copied() {
        let names = cases_for(cap);
        if names.is_empty() {
            out.push(format!(
                "{}: declared, but no conformance case covers it",
                cap.operation()
            ));
        }
        for name in names {
            match cases.iter().find(|c| c.name == *name) {
                None => out.push(format!(
                    "{}: its case `{name}` does not exist",
                    cap.operation()
                )),
                Some(case) if !case.runs_for(caps) => out.push(format!(
                    "{}: its case `{name}` cannot run: it also needs {:?}",
                    cap.operation(),
                    case.requires
                        .iter()
                        .filter(|c| !caps.has(**c))
                        .map(|c| c.operation())
                        .collect::<Vec<_>>()
                )),
                Some(_) => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_named_in_the_table_exists_and_every_case_is_in_the_table() {
        let cases = crate::cases::all();
        assert!(
            problems(&Capabilities::all(), &cases).is_empty(),
            "{:?}",
            problems(&Capabilities::all(), &cases)
        );
        for case in &cases {
            let listed = ALWAYS.contains(&case.name)
                || Capability::ALL
                    .iter()
                    .any(|c| cases_for(*c).contains(&case.name));
            assert!(listed, "case {} is in no capability's list", case.name);
        }
    }

    #[test]
    fn a_capability_whose_cases_cannot_run_is_reported() {
        let caps = Capabilities::of([Capability::FindApplication]);
        let p = problems(&caps, &crate::cases::all());
        assert!(p.iter().any(|p| p.contains("create_application")), "{p:?}");
    }
}
