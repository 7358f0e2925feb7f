//! Choosing the ATS rejection reason closest to Dover's.
//!
//! Dover has its own rejection reasons; the customer's ATS has its own list. The rules, in order:
//! 1. **Configured mapping**: the job link's overrides (Dover text → ATS reason id) win, when the
//!    reason exists and is not archived. A human chose it.
//! 2. **Exact text**: a reason whose normalized text equals Dover's (case, accents, punctuation
//!    and spacing ignored), of any type: the same words mean the same reason.
//! 3. **Best text match of the same type**: the highest token/Jaro-Winkler similarity at or above
//!    [`FUZZY_THRESHOLD`], among reasons of Dover's type. Below the threshold a match is more
//!    likely wrong than helpful.
//! 4. **The type's default**: "We rejected them" for company rejections, "They rejected us" for
//!    withdrawals (the defaults Ashby organizations ship with), matched by normalized text.
//! 5. **Any compatible reason**: the first active reason of the same type, then of the compatible
//!    type (company rejection ↔ other; withdrawal → other; other → company rejection).
//!
//! Never an archived reason. `None` only when no active reason qualifies.

use crate::ids::RejectionReasonId;
use crate::model::{ReasonType, RejectionReason};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use unicode_normalization::UnicodeNormalization;

/// The default reason text for company rejections.
pub const WE_REJECTED_DEFAULT: &str = "We rejected them";
/// The default reason text for withdrawals.
pub const THEY_REJECTED_DEFAULT: &str = "They rejected us";
/// The lowest similarity (0..=1) a fuzzy match must reach.
pub const FUZZY_THRESHOLD: f64 = 0.82;

/// Dover's rejection: its text and its category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoverRejection {
    /// Dover's reason text ("Not enough experience").
    pub text: String,
    /// Who ended the process.
    pub reason_type: ReasonType,
}

/// Which rule chose a reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum ChoiceRule {
    /// The job link's configured mapping.
    ConfiguredMapping,
    /// Normalized exact text.
    ExactText,
    /// Best fuzzy text match of the same type.
    BestTextMatch {
        /// Similarity, 0..=1.
        score: f64,
    },
    /// The type's default reason.
    TypeDefault,
    /// The first active reason of a compatible type.
    CompatibleType,
}

impl ChoiceRule {
    /// The rule's snake_case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            ChoiceRule::ConfiguredMapping => "configured_mapping",
            ChoiceRule::ExactText => "exact_text",
            ChoiceRule::BestTextMatch { .. } => "best_text_match",
            ChoiceRule::TypeDefault => "type_default",
            ChoiceRule::CompatibleType => "compatible_type",
        }
    }
}

/// The chosen reason and the rule that chose it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReasonChoice {
    /// The ATS reason (never archived).
    pub reason: RejectionReason,
    /// Why it was chosen.
    pub rule: ChoiceRule,
}

/// Folds text for comparison: Unicode compatibility form, accents dropped, lowercase, anything
/// that is not a letter or digit turned into single spaces.
pub fn normalize_reason_text(text: &str) -> String {
    let folded: String = text
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn similarity(a: &str, b: &str) -> f64 {
    let jw = strsim::jaro_winkler(a, b);
    let ta: std::collections::BTreeSet<&str> = a.split(' ').collect();
    let tb: std::collections::BTreeSet<&str> = b.split(' ').collect();
    let common = ta.intersection(&tb).count() as f64;
    let tokens = if ta.is_empty() || tb.is_empty() {
        0.0
    } else {
        2.0 * common / (ta.len() + tb.len()) as f64
    };
    jw.max(tokens)
}

fn compatible(t: &ReasonType) -> ReasonType {
    match t {
        ReasonType::WeRejected | ReasonType::TheyWithdrew => ReasonType::Other,
        ReasonType::Other => ReasonType::WeRejected,
    }
}

/// Chooses the ATS reason closest to `dover` among `reasons`, following the module's rules.
/// `overrides` maps Dover reason texts (compared normalized) to ATS reason ids.
pub fn choose_rejection_reason(
    dover: &DoverRejection,
    reasons: &[RejectionReason],
    overrides: &BTreeMap<String, RejectionReasonId>,
) -> Option<ReasonChoice> {
    let active: Vec<&RejectionReason> = reasons.iter().filter(|r| !r.archived).collect();
    let wanted = normalize_reason_text(&dover.text);
    let pick = |r: &RejectionReason, rule| {
        Some(ReasonChoice {
            reason: r.clone(),
            rule,
        })
    };

    let mut configured = overrides
        .iter()
        .filter(|(text, _)| normalize_reason_text(text) == wanted);
    if let Some(r) = configured.find_map(|(_, id)| active.iter().find(|r| &r.id == id)) {
        return pick(r, ChoiceRule::ConfiguredMapping);
    }
    if !wanted.is_empty() {
        if let Some(r) = active
            .iter()
            .find(|r| normalize_reason_text(&r.text) == wanted)
        {
            return pick(r, ChoiceRule::ExactText);
        }
        let best = active
            .iter()
            .filter(|r| r.reason_type == dover.reason_type)
            .map(|r| (similarity(&wanted, &normalize_reason_text(&r.text)), *r))
            .fold(
                None::<(f64, &RejectionReason)>,
                |best, (score, r)| match best {
                    Some((b, _)) if b >= score => best,
                    _ => Some((score, r)),
                },
            );
        if let Some((score, r)) = best.filter(|(s, _)| *s >= FUZZY_THRESHOLD) {
            return pick(r, ChoiceRule::BestTextMatch { score });
        }
    }
    let default_text = match dover.reason_type {
        ReasonType::WeRejected => Some(WE_REJECTED_DEFAULT),
        ReasonType::TheyWithdrew => Some(THEY_REJECTED_DEFAULT),
        ReasonType::Other => None,
    };
    if let Some(default_text) = default_text.map(normalize_reason_text)
        && let Some(r) = active
            .iter()
            .find(|r| normalize_reason_text(&r.text) == default_text)
    {
        return pick(r, ChoiceRule::TypeDefault);
    }
    let same = active.iter().find(|r| r.reason_type == dover.reason_type);
    let other = || {
        active
            .iter()
            .find(|r| r.reason_type == compatible(&dover.reason_type))
    };
    same.or_else(other)
        .and_then(|r| pick(r, ChoiceRule::CompatibleType))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reason(id: &str, text: &str, t: ReasonType, archived: bool) -> RejectionReason {
        RejectionReason {
            id: RejectionReasonId::new(id),
            text: text.into(),
            reason_type: t,
            archived,
        }
    }

    fn ashby_like() -> Vec<RejectionReason> {
        vec![
            reason("r1", "Too inexperienced", ReasonType::WeRejected, false),
            reason(
                "r2",
                "Lacks Skills/Qualifications",
                ReasonType::WeRejected,
                false,
            ),
            reason("r3", "We rejected them", ReasonType::WeRejected, false),
            reason("r4", "They rejected us", ReasonType::TheyWithdrew, false),
            reason(
                "r5",
                "Accepted another offer",
                ReasonType::TheyWithdrew,
                false,
            ),
            reason("r6", "Position filled", ReasonType::Other, false),
            reason("r7", "Not a culture fit", ReasonType::WeRejected, true),
        ]
    }

    fn dover(text: &str, t: ReasonType) -> DoverRejection {
        DoverRejection {
            text: text.into(),
            reason_type: t,
        }
    }

    #[test]
    fn override_beats_everything() {
        let overrides = [("too INEXPERIENCED".to_owned(), RejectionReasonId::new("r6"))].into();
        let c = choose_rejection_reason(
            &dover("Too inexperienced", ReasonType::WeRejected),
            &ashby_like(),
            &overrides,
        )
        .unwrap();
        assert_eq!(
            (c.reason.id.as_str(), c.rule),
            ("r6", ChoiceRule::ConfiguredMapping)
        );
    }

    #[test]
    fn override_to_an_archived_reason_is_ignored() {
        let overrides = [("Too inexperienced".to_owned(), RejectionReasonId::new("r7"))].into();
        let c = choose_rejection_reason(
            &dover("Too inexperienced", ReasonType::WeRejected),
            &ashby_like(),
            &overrides,
        )
        .unwrap();
        assert_eq!(
            (c.reason.id.as_str(), c.rule),
            ("r1", ChoiceRule::ExactText)
        );
    }

    #[test]
    fn exact_text_ignores_case_punctuation_and_accents() {
        let c = choose_rejection_reason(
            &dover("lacks skills / qualifications!", ReasonType::Other),
            &ashby_like(),
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(
            (c.reason.id.as_str(), c.rule),
            ("r2", ChoiceRule::ExactText)
        );
        assert_eq!(normalize_reason_text("  Café—Fit "), "cafe fit");
    }

    #[test]
    fn fuzzy_match_of_the_same_type() {
        let c = choose_rejection_reason(
            &dover("Accepted other offer", ReasonType::TheyWithdrew),
            &ashby_like(),
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(c.reason.id.as_str(), "r5");
        assert!(matches!(c.rule, ChoiceRule::BestTextMatch { score } if score >= FUZZY_THRESHOLD));
    }

    #[test]
    fn unrelated_text_falls_back_to_the_type_default() {
        let c = choose_rejection_reason(
            &dover("Ghosted our recruiter", ReasonType::TheyWithdrew),
            &ashby_like(),
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(
            (c.reason.id.as_str(), c.rule),
            ("r4", ChoiceRule::TypeDefault)
        );
        let c = choose_rejection_reason(
            &dover("zzz", ReasonType::WeRejected),
            &ashby_like(),
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(
            (c.reason.id.as_str(), c.rule),
            ("r3", ChoiceRule::TypeDefault)
        );
    }

    #[test]
    fn without_defaults_any_compatible_active_reason() {
        let reasons = vec![
            reason("a", "Archived one", ReasonType::TheyWithdrew, true),
            reason("o", "Position filled", ReasonType::Other, false),
        ];
        let c = choose_rejection_reason(
            &dover("zzz", ReasonType::TheyWithdrew),
            &reasons,
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(
            (c.reason.id.as_str(), c.rule),
            ("o", ChoiceRule::CompatibleType)
        );
        assert_eq!(
            choose_rejection_reason(
                &dover("x", ReasonType::TheyWithdrew),
                &reasons[..1],
                &BTreeMap::new()
            ),
            None
        );
    }

    fn arb_type() -> impl Strategy<Value = ReasonType> {
        prop_oneof![
            Just(ReasonType::WeRejected),
            Just(ReasonType::TheyWithdrew),
            Just(ReasonType::Other)
        ]
    }

    fn arb_reasons() -> impl Strategy<Value = Vec<RejectionReason>> {
        prop::collection::vec(("[a-z ]{0,20}", arb_type(), any::<bool>()), 0..8).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (text, t, archived))| reason(&format!("r{i}"), &text, t, archived))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn never_archived_and_deterministic(text in "[a-zA-Z ]{0,24}", t in arb_type(), reasons in arb_reasons()) {
            let d = dover(&text, t.clone());
            let first = choose_rejection_reason(&d, &reasons, &BTreeMap::new());
            prop_assert_eq!(&first, &choose_rejection_reason(&d, &reasons, &BTreeMap::new()));
            match &first {
                Some(c) => prop_assert!(!c.reason.archived),
                None => prop_assert!(reasons.iter().filter(|r| !r.archived).all(|r| r.reason_type != t && r.reason_type != compatible(&t))),
            }
        }

        #[test]
        fn same_type_wins_unless_text_matched(text in "[a-z ]{0,24}", t in arb_type(), reasons in arb_reasons()) {
            if let Some(c) = choose_rejection_reason(&dover(&text, t.clone()), &reasons, &BTreeMap::new())
                && reasons.iter().any(|r| !r.archived && r.reason_type == t)
                && !matches!(c.rule, ChoiceRule::ExactText)
            {
                prop_assert_eq!(c.reason.reason_type, t);
            }
        }
    }
}
