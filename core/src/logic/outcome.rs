//! ATS status plus archive-reason type → Dover outcome, and ATS-neutral stage-type names →
//! [`StageKind`].
//!
//! Outcome rules, with their reasons:
//! - Hired → [`Outcome::Hired`], whatever the reason type (a hired application has no archive
//!   reason that could contradict it).
//! - Archived with a reason of type [`ReasonType::TheyWithdrew`] → [`Outcome::Withdrew`]: the
//!   candidate ended the process.
//! - Archived with [`ReasonType::WeRejected`], [`ReasonType::Other`], or no reason the adapter
//!   could read (`None`) → [`Outcome::Rejected`]. An archived candidate must never be treated as
//!   active: archived in the ATS means Dover stops, and archived never triggers outreach. Of the
//!   two ended outcomes, "rejected" is the one that claims nothing about the candidate's choice.
//! - Lead, Active and statuses the model does not know ([`AtsStatus::Other`]) →
//!   [`Outcome::Active`]: neither is evidence that the process ended, and a reason type alone
//!   (an archive reason left on a reactivated application) does not end it either.

use crate::model::{AtsStatus, Outcome, ReasonType, StageKind};

/// The Dover outcome of an application with ATS `status` and, when archived, the archive
/// reason's type (by the module's rules). Archived is never [`Outcome::Active`].
pub fn outcome(status: &AtsStatus, archive_reason_type: Option<&ReasonType>) -> Outcome {
    match status {
        AtsStatus::Hired => Outcome::Hired,
        AtsStatus::Archived => match archive_reason_type {
            Some(ReasonType::TheyWithdrew) => Outcome::Withdrew,
            Some(ReasonType::WeRejected | ReasonType::Other) | None => Outcome::Rejected,
        },
        AtsStatus::Lead | AtsStatus::Active | AtsStatus::Other(_) => Outcome::Active,
    }
}

/// Maps an ATS-neutral stage-type name to a [`StageKind`]: `Lead`, `PreInterviewScreen`,
/// `Active`, `Offer`, `Hired`, `Archived`, compared case-insensitively with surrounding
/// whitespace ignored and `_`, `-` or spaces between words allowed (so the serialized
/// snake_case names such as `pre_interview_screen` read back too). Any other name is kept
/// verbatim, untrimmed, as [`StageKind::Other`], so nothing the ATS said is lost.
pub fn stage_kind_from_name(raw: &str) -> StageKind {
    let key: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    match key.as_str() {
        "lead" => StageKind::Lead,
        "preinterviewscreen" => StageKind::PreInterviewScreen,
        "active" => StageKind::Active,
        "offer" => StageKind::Offer,
        "hired" => StageKind::Hired,
        "archived" => StageKind::Archived,
        _ => StageKind::Other(raw.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses() -> [AtsStatus; 6] {
        [
            AtsStatus::Lead,
            AtsStatus::Active,
            AtsStatus::Hired,
            AtsStatus::Archived,
            AtsStatus::Other("OnHold".into()),
            AtsStatus::Other(String::new()),
        ]
    }

    const REASONS: [Option<ReasonType>; 4] = [
        None,
        Some(ReasonType::WeRejected),
        Some(ReasonType::TheyWithdrew),
        Some(ReasonType::Other),
    ];

    #[test]
    fn every_status_and_reason_type_combination() {
        use AtsStatus as S;
        use Outcome as O;
        use ReasonType as R;
        // The full table, written out row by row.
        let table: [(AtsStatus, Option<ReasonType>, Outcome); 24] = [
            (S::Lead, None, O::Active),
            (S::Lead, Some(R::WeRejected), O::Active),
            (S::Lead, Some(R::TheyWithdrew), O::Active),
            (S::Lead, Some(R::Other), O::Active),
            (S::Active, None, O::Active),
            (S::Active, Some(R::WeRejected), O::Active),
            (S::Active, Some(R::TheyWithdrew), O::Active),
            (S::Active, Some(R::Other), O::Active),
            (S::Hired, None, O::Hired),
            (S::Hired, Some(R::WeRejected), O::Hired),
            (S::Hired, Some(R::TheyWithdrew), O::Hired),
            (S::Hired, Some(R::Other), O::Hired),
            (S::Archived, None, O::Rejected),
            (S::Archived, Some(R::WeRejected), O::Rejected),
            (S::Archived, Some(R::TheyWithdrew), O::Withdrew),
            (S::Archived, Some(R::Other), O::Rejected),
            (S::Other("OnHold".into()), None, O::Active),
            (S::Other("OnHold".into()), Some(R::WeRejected), O::Active),
            (S::Other("OnHold".into()), Some(R::TheyWithdrew), O::Active),
            (S::Other("OnHold".into()), Some(R::Other), O::Active),
            (S::Other(String::new()), None, O::Active),
            (S::Other(String::new()), Some(R::WeRejected), O::Active),
            (S::Other(String::new()), Some(R::TheyWithdrew), O::Active),
            (S::Other(String::new()), Some(R::Other), O::Active),
        ];
        for (status, reason, want) in &table {
            assert_eq!(
                outcome(status, reason.as_ref()),
                *want,
                "{status:?} {reason:?}"
            );
        }
        // The table covers every pair.
        for status in statuses() {
            for reason in &REASONS {
                assert!(
                    table.iter().any(|(s, r, _)| *s == status && r == reason),
                    "{status:?} {reason:?} missing"
                );
            }
        }
    }

    #[test]
    fn archived_is_never_active() {
        for reason in &REASONS {
            assert_ne!(
                outcome(&AtsStatus::Archived, reason.as_ref()),
                Outcome::Active
            );
        }
    }

    #[test]
    fn stage_kind_names_are_case_insensitive_and_unknowns_kept() {
        let known = [
            StageKind::Lead,
            StageKind::PreInterviewScreen,
            StageKind::Active,
            StageKind::Offer,
            StageKind::Hired,
            StageKind::Archived,
        ];
        for kind in known {
            let name = format!("{kind:?}");
            let snake = serde_json::to_value(&kind)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned();
            for spelling in [
                name.clone(),
                name.to_uppercase(),
                name.to_lowercase(),
                format!("  {name}\t"),
                snake,
            ] {
                assert_eq!(stage_kind_from_name(&spelling), kind, "{spelling:?}");
            }
        }
        assert_eq!(
            stage_kind_from_name("Pre-Interview Screen"),
            StageKind::PreInterviewScreen
        );
        for other in ["Sourcing", " Technical Screen ", "", "Hired!", "Archive"] {
            assert_eq!(stage_kind_from_name(other), StageKind::Other(other.into()));
        }
    }
}
