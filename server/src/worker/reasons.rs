//! Which ATS rejection reason an archive uses.
//!
//! Reject: the closest ATS reason to Dover's rejection (configured override, exact match, same
//! reason type, then the ATS default), chosen by
//! [`atsbridge_core::logic::rejection::choose_rejection_reason`]. Withdraw: the same choice for a
//! rejection of type "they withdrew". The rule that chose the reason is reported in the
//! command's result (`reason_rule`).

use atsbridge_core::ids::RejectionReasonId;
use atsbridge_core::logic::rejection::{DoverRejection, choose_rejection_reason};
use atsbridge_core::model::{ReasonType, RejectionReason};
use serde_json::Value;

/// What the archive is for.
#[derive(Clone, Debug)]
pub enum Choice {
    /// Dover rejected the candidate with this reason.
    Reject(DoverRejection),
    /// The candidate withdrew, with Dover's text if any.
    Withdraw(Option<String>),
}

/// The reason chosen, and the rule that chose it.
#[derive(Clone, Debug)]
pub struct Chosen {
    /// The ATS reason.
    pub reason: RejectionReason,
    /// The rule, as a stable snake_case name (`configured_mapping`, `exact_text`, `best_text_match`, `type_default`, `compatible_type`).
    pub rule: String,
}

/// Chooses among the ATS's non-archived `reasons`, honouring the job link's
/// `reason_overrides` (Dover text → ATS reason id). `None` when no reason can be used.
pub fn choose(choice: &Choice, reasons: &[RejectionReason], overrides: &Value) -> Option<Chosen> {
    let rejection = match choice {
        Choice::Reject(r) => r.clone(),
        Choice::Withdraw(text) => DoverRejection {
            text: text
                .clone()
                .unwrap_or_else(|| "Candidate withdrew".to_owned()),
            reason_type: ReasonType::TheyWithdrew,
        },
    };
    let overrides: std::collections::BTreeMap<String, RejectionReasonId> = overrides
        .as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), RejectionReasonId::new(v))))
                .collect()
        })
        .unwrap_or_default();
    let choice = choose_rejection_reason(&rejection, reasons, &overrides)?;
    Some(Chosen {
        reason: choice.reason.clone(),
        rule: choice.rule.as_str().to_owned(),
    })
}
