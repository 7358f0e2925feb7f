//! ATS status plus archive-reason type → Dover outcome.
//!
//! Rules, with their reasons:
//! - Hired → [`Outcome::Hired`].
//! - Archived with a reason of type [`ReasonType::TheyWithdrew`] → [`Outcome::Withdrew`].
//! - Archived with any other reason type, or with no reason the adapter could read →
//!   [`Outcome::Rejected`]. An archived candidate must never look active: archived in the ATS
//!   means Dover stops, and it never triggers outreach.
//! - Lead, Active and statuses the model does not know → [`Outcome::Active`]: an unknown status
//!   is not evidence that the process ended.

use crate::model::{AtsStatus, Outcome, ReasonType, StageKind};

/// The Dover outcome of an application with ATS `status` and, when archived, the archive
/// reason's type.
pub fn outcome(status: &AtsStatus, archive_reason_type: Option<&ReasonType>) -> Outcome {
    match status {
        AtsStatus::Hired => Outcome::Hired,
        AtsStatus::Archived => match archive_reason_type {
            Some(ReasonType::TheyWithdrew) => Outcome::Withdrew,
            _ => Outcome::Rejected,
        },
        AtsStatus::Lead | AtsStatus::Active | AtsStatus::Other(_) => Outcome::Active,
    }
}

/// Maps an ATS-neutral stage-type name (`Lead`, `PreInterviewScreen`, `Active`, `Offer`,
/// `Hired`, `Archived`; case-insensitive, surrounding spaces ignored) to a [`StageKind`]; any
/// other name is kept verbatim as [`StageKind::Other`].
pub fn stage_kind_from_name(raw: &str) -> StageKind {
    match raw.trim().to_ascii_lowercase().as_str() {
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

    const STATUSES: [AtsStatus; 4] = [
        AtsStatus::Lead,
        AtsStatus::Active,
        AtsStatus::Hired,
        AtsStatus::Archived,
    ];

    #[test]
    fn every_status_and_reason_type_combination() {
        let reasons = [
            None,
            Some(ReasonType::WeRejected),
            Some(ReasonType::TheyWithdrew),
            Some(ReasonType::Other),
        ];
        for status in STATUSES
            .iter()
            .cloned()
            .chain([AtsStatus::Other("OnHold".into())])
        {
            for reason in &reasons {
                let got = outcome(&status, reason.as_ref());
                let want = match (&status, reason) {
                    (AtsStatus::Hired, _) => Outcome::Hired,
                    (AtsStatus::Archived, Some(ReasonType::TheyWithdrew)) => Outcome::Withdrew,
                    (AtsStatus::Archived, _) => Outcome::Rejected,
                    _ => Outcome::Active,
                };
                assert_eq!(got, want, "{status:?} {reason:?}");
            }
        }
    }

    #[test]
    fn archived_is_never_active() {
        for reason in [
            None,
            Some(ReasonType::WeRejected),
            Some(ReasonType::TheyWithdrew),
            Some(ReasonType::Other),
        ] {
            assert_ne!(
                outcome(&AtsStatus::Archived, reason.as_ref()),
                Outcome::Active
            );
        }
    }

    #[test]
    fn stage_kind_names_are_case_insensitive_and_unknowns_kept() {
        assert_eq!(
            stage_kind_from_name(" preInterviewScreen "),
            StageKind::PreInterviewScreen
        );
        assert_eq!(stage_kind_from_name("OFFER"), StageKind::Offer);
        assert_eq!(stage_kind_from_name("Archived"), StageKind::Archived);
        assert_eq!(
            stage_kind_from_name("Sourcing"),
            StageKind::Other("Sourcing".into())
        );
    }
}
