//! Choosing the ATS rejection reason closest to Dover's.
//!
//! Dover has its own rejection reasons; the customer's ATS has its own list. The reason's type
//! matters beyond its words: it decides whether the application ends as "rejected" or
//! "withdrew" (see [`crate::logic::outcome`]), so a weaker text match never overrides the type.
//!
//! The rules, in order; the first that finds a reason wins, and [`ReasonChoice::rule`] says which:
//! 1. **Configured mapping** ([`ChoiceRule::ConfiguredMapping`]): the job link's overrides (Dover
//!    reason text → ATS reason id; keys compared after [`normalize_reason_text`]) win when the id
//!    names a non-archived reason in the list. A human chose it. When several keys fold to the
//!    same text, the first in key order that names an active reason is used.
//! 2. **Exact text** ([`ChoiceRule::ExactText`]): the first reason whose normalized text equals
//!    Dover's (case, accents and other Unicode variants, punctuation and spacing ignored), of any
//!    type: the same words mean the same reason, and the customer typed them on purpose.
//! 3. **Best text match of the same type** ([`ChoiceRule::BestTextMatch`]): the reason of
//!    Dover's type with the highest similarity, when it reaches [`FUZZY_THRESHOLD`]; ties go to
//!    the first. The similarity is the mean of two scores on the normalized texts, each 0..=1:
//!    - word overlap: the Sørensen–Dice coefficient of the two sets of words, where two words
//!      count as the same when their normalized Levenshtein similarity is at least 0.8 (typos,
//!      plurals: "skills" ~ "skill");
//!    - character overlap: the Sørensen–Dice coefficient of character bigrams (word order and
//!      small rewordings: "Accepted other offer" ~ "Accepted another offer").
//!
//!    Jaro–Winkler was rejected: its prefix bonus scores "Too junior" ~ "Too senior" at 0.92 and
//!    "Too inexperienced" ~ "Too expensive" at 0.84, and many reasons share an opening word.
//!    Below the threshold a specific reason is more likely wrong than the type's generic default,
//!    and a wrong specific reason misleads the recruiter reading it.
//! 4. **The type's default** ([`ChoiceRule::TypeDefault`]): [`WE_REJECTED_DEFAULT`] for
//!    [`ReasonType::WeRejected`], [`THEY_REJECTED_DEFAULT`] for [`ReasonType::TheyWithdrew`] (the
//!    defaults Ashby organizations ship with), matched by normalized text among reasons of that
//!    type. [`ReasonType::Other`] has no default.
//! 5. **Any same-type or compatible reason** ([`ChoiceRule::CompatibleType`]): the first active
//!    reason of Dover's type, else the first of the compatible type: company rejection → other,
//!    withdrawal → other, other → company rejection. A withdrawal is never recorded as a company
//!    rejection nor the other way round, since that would flip the outcome.
//!
//! An archived reason is never chosen (the ATS refuses it, and it is hidden from recruiters).
//! `None` only when no rule finds an active reason. The choice is deterministic: it depends on
//! the inputs and their order only.

use crate::ids::RejectionReasonId;
use crate::model::{ReasonType, RejectionReason};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use unicode_normalization::UnicodeNormalization;

/// The default reason text for company rejections ([`ReasonType::WeRejected`]).
pub const WE_REJECTED_DEFAULT: &str = "We rejected them";
/// The default reason text for withdrawals ([`ReasonType::TheyWithdrew`]).
pub const THEY_REJECTED_DEFAULT: &str = "They rejected us";
/// The lowest similarity (0..=1) a best-text match (rule 3) must reach to be chosen.
pub const FUZZY_THRESHOLD: f64 = 0.72;
/// Two words at least this similar (normalized Levenshtein) count as one in the word overlap.
const WORD_THRESHOLD: f64 = 0.8;

/// Dover's rejection: its reason text and its category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoverRejection {
    /// Dover's reason text ("Not enough experience").
    pub text: String,
    /// Who ended the process.
    pub reason_type: ReasonType,
}

/// Which rule chose a reason (the module docs list them in order).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum ChoiceRule {
    /// Rule 1: the job link's configured mapping.
    ConfiguredMapping,
    /// Rule 2: normalized exact text, of any type.
    ExactText,
    /// Rule 3: best fuzzy text match of the same type.
    BestTextMatch {
        /// The similarity, in [`FUZZY_THRESHOLD`]..=1.
        score: f64,
    },
    /// Rule 4: the type's default reason.
    TypeDefault,
    /// Rule 5: the first active reason of the same type, else of the compatible type.
    CompatibleType,
}

impl ChoiceRule {
    /// The rule's stable snake_case name (as in its serialized `rule` tag), for logs and storage.
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
    /// The ATS reason; never archived.
    pub reason: RejectionReason,
    /// Why it was chosen.
    pub rule: ChoiceRule,
}

/// Folds text for comparison: Unicode compatibility decomposition (NFKD), combining marks
/// (accents) dropped, lowercase, every run of characters that are not letters or digits turned
/// into one space, trimmed. `"  Café—Fit "` → `"cafe fit"`. Idempotent.
pub fn normalize_reason_text(text: &str) -> String {
    let folded: String = text
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Word-set Sørensen–Dice, with near-identical words counted as equal.
fn word_overlap(a: &str, b: &str) -> f64 {
    let wa: BTreeSet<&str> = a.split_whitespace().collect();
    let wb: BTreeSet<&str> = b.split_whitespace().collect();
    if wa.is_empty() || wb.is_empty() {
        return 0.0;
    }
    let close = |w: &str, other: &BTreeSet<&str>| {
        other
            .iter()
            .any(|o| strsim::normalized_levenshtein(w, o) >= WORD_THRESHOLD)
    };
    let matched =
        wa.iter().filter(|w| close(w, &wb)).count() + wb.iter().filter(|w| close(w, &wa)).count();
    matched as f64 / (wa.len() + wb.len()) as f64
}

/// The rule-3 similarity of two normalized texts, 0..=1 (see the module docs).
fn similarity(a: &str, b: &str) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    (word_overlap(a, b) + strsim::sorensen_dice(a, b)) / 2.0
}

/// The type rule 5 falls back to after Dover's own type.
fn compatible(t: &ReasonType) -> ReasonType {
    match t {
        ReasonType::WeRejected | ReasonType::TheyWithdrew => ReasonType::Other,
        ReasonType::Other => ReasonType::WeRejected,
    }
}

/// The default reason text of a type, if it has one.
fn type_default(t: &ReasonType) -> Option<&'static str> {
    match t {
        ReasonType::WeRejected => Some(WE_REJECTED_DEFAULT),
        ReasonType::TheyWithdrew => Some(THEY_REJECTED_DEFAULT),
        ReasonType::Other => None,
    }
}

/// Chooses the ATS reason closest to `dover` among `reasons`, by the module's five rules in
/// order, and says which rule chose it. `overrides` maps Dover reason texts (compared after
/// [`normalize_reason_text`]) to ATS reason ids. Never returns an archived reason; `None` only
/// when no rule finds an active one. Deterministic: ties go to the first reason in `reasons`.
pub fn choose_rejection_reason(
    dover: &DoverRejection,
    reasons: &[RejectionReason],
    overrides: &BTreeMap<String, RejectionReasonId>,
) -> Option<ReasonChoice> {
    let active: Vec<(&RejectionReason, String)> = reasons
        .iter()
        .filter(|r| !r.archived)
        .map(|r| (r, normalize_reason_text(&r.text)))
        .collect();
    let wanted = normalize_reason_text(&dover.text);
    let pick = |r: &RejectionReason, rule| {
        Some(ReasonChoice {
            reason: r.clone(),
            rule,
        })
    };

    // 1. Configured mapping.
    let configured = overrides
        .iter()
        .filter(|(text, _)| normalize_reason_text(text) == wanted)
        .find_map(|(_, id)| active.iter().find(|(r, _)| &r.id == id));
    if let Some((r, _)) = configured {
        return pick(r, ChoiceRule::ConfiguredMapping);
    }
    if !wanted.is_empty() {
        // 2. Exact text, any type.
        if let Some((r, _)) = active.iter().find(|(_, text)| *text == wanted) {
            return pick(r, ChoiceRule::ExactText);
        }
        // 3. Best text match of the same type; the first wins a tie.
        let mut best: Option<(f64, &RejectionReason)> = None;
        for (r, text) in active
            .iter()
            .filter(|(r, _)| r.reason_type == dover.reason_type)
        {
            let score = similarity(&wanted, text);
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, r));
            }
        }
        if let Some((score, r)) = best.filter(|(s, _)| *s >= FUZZY_THRESHOLD) {
            return pick(r, ChoiceRule::BestTextMatch { score });
        }
    }
    // 4. The type's default.
    if let Some(default_text) = type_default(&dover.reason_type).map(normalize_reason_text)
        && let Some((r, _)) = active
            .iter()
            .find(|(r, text)| r.reason_type == dover.reason_type && *text == default_text)
    {
        return pick(r, ChoiceRule::TypeDefault);
    }
    // 5. Same type, then the compatible type.
    let fallback = compatible(&dover.reason_type);
    active
        .iter()
        .find(|(r, _)| r.reason_type == dover.reason_type)
        .or_else(|| active.iter().find(|(r, _)| r.reason_type == fallback))
        .and_then(|(r, _)| pick(r, ChoiceRule::CompatibleType))
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
            reason("r8", "Too senior", ReasonType::WeRejected, false),
        ]
    }

    fn dover(text: &str, t: ReasonType) -> DoverRejection {
        DoverRejection {
            text: text.into(),
            reason_type: t,
        }
    }

    fn choose(text: &str, t: ReasonType) -> Option<(String, ChoiceRule)> {
        choose_rejection_reason(&dover(text, t), &ashby_like(), &BTreeMap::new())
            .map(|c| (c.reason.id.as_str().to_owned(), c.rule))
    }

    #[test]
    fn override_beats_everything() {
        let overrides = [(
            "too INEXPERIENCED!".to_owned(),
            RejectionReasonId::new("r6"),
        )]
        .into();
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
    fn override_to_an_archived_or_missing_reason_is_ignored() {
        for target in ["r7", "nope"] {
            let overrides = [(
                "Too inexperienced".to_owned(),
                RejectionReasonId::new(target),
            )]
            .into();
            let c = choose_rejection_reason(
                &dover("Too inexperienced", ReasonType::WeRejected),
                &ashby_like(),
                &overrides,
            )
            .unwrap();
            assert_eq!(
                (c.reason.id.as_str(), c.rule),
                ("r1", ChoiceRule::ExactText),
                "{target}"
            );
        }
    }

    #[test]
    fn exact_text_ignores_case_punctuation_and_accents_of_any_type() {
        assert_eq!(
            choose("lacks skills / qualifications!", ReasonType::Other),
            Some(("r2".into(), ChoiceRule::ExactText))
        );
        assert_eq!(normalize_reason_text("  Café—Fit "), "cafe fit");
        assert_eq!(normalize_reason_text("ＴＯＯ　Junior…"), "too junior");
    }

    #[test]
    fn an_archived_exact_match_is_never_chosen() {
        let got = choose("Not a culture fit", ReasonType::WeRejected).unwrap();
        assert_ne!(got.0, "r7");
        assert_eq!(got, ("r3".into(), ChoiceRule::TypeDefault));
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
        // The same words under another type are not a fuzzy candidate.
        assert_eq!(
            choose("Accepted other offer", ReasonType::WeRejected),
            Some(("r3".into(), ChoiceRule::TypeDefault))
        );
    }

    #[test]
    fn similarity_scores_stay_on_the_right_side_of_the_threshold() {
        for (a, b) in [
            ("accepted other offer", "accepted another offer"),
            ("not enough experience", "not enough relevant experience"),
            ("skills", "skill"),
        ] {
            let s = similarity(a, b);
            assert!(s >= FUZZY_THRESHOLD, "{a} ~ {b}: {s}");
        }
        for (a, b) in [
            ("too junior", "too senior"),
            ("too inexperienced", "too expensive"),
            ("overqualified", "underqualified"),
            ("not a fit", "not interested"),
            ("ghosted our recruiter", "they rejected us"),
            ("", "anything"),
        ] {
            let s = similarity(a, b);
            assert!(s < FUZZY_THRESHOLD, "{a} ~ {b}: {s}");
        }
        assert_eq!(similarity("too junior", "too junior"), 1.0);
    }

    #[test]
    fn opposite_meanings_fall_back_to_the_default() {
        assert_eq!(
            choose("Too junior", ReasonType::WeRejected),
            Some(("r3".into(), ChoiceRule::TypeDefault))
        );
    }

    #[test]
    fn unrelated_text_falls_back_to_the_type_default() {
        assert_eq!(
            choose("Ghosted our recruiter", ReasonType::TheyWithdrew),
            Some(("r4".into(), ChoiceRule::TypeDefault))
        );
        assert_eq!(
            choose("zzz", ReasonType::WeRejected),
            Some(("r3".into(), ChoiceRule::TypeDefault))
        );
        assert_eq!(
            choose("", ReasonType::WeRejected),
            Some(("r3".into(), ChoiceRule::TypeDefault))
        );
    }

    #[test]
    fn other_has_no_default_and_takes_the_first_other_reason() {
        assert_eq!(
            choose("zzz", ReasonType::Other),
            Some(("r6".into(), ChoiceRule::CompatibleType))
        );
    }

    #[test]
    fn the_default_must_have_the_type() {
        let reasons = vec![
            reason("x", "We rejected them", ReasonType::Other, false),
            reason("y", "Too senior", ReasonType::WeRejected, false),
        ];
        let c = choose_rejection_reason(
            &dover("zzz", ReasonType::WeRejected),
            &reasons,
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(
            (c.reason.id.as_str(), c.rule),
            ("y", ChoiceRule::CompatibleType)
        );
    }

    #[test]
    fn without_defaults_any_compatible_active_reason() {
        let reasons = vec![
            reason("a", "Archived one", ReasonType::TheyWithdrew, true),
            reason("w", "Too senior", ReasonType::WeRejected, false),
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
        let c = choose_rejection_reason(
            &dover("zzz", ReasonType::Other),
            &reasons[..2],
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(
            (c.reason.id.as_str(), c.rule),
            ("w", ChoiceRule::CompatibleType)
        );
        // A withdrawal is never recorded as a company rejection.
        assert_eq!(
            choose_rejection_reason(
                &dover("x", ReasonType::TheyWithdrew),
                &reasons[..2],
                &BTreeMap::new()
            ),
            None
        );
        assert_eq!(
            choose_rejection_reason(&dover("x", ReasonType::WeRejected), &[], &BTreeMap::new()),
            None
        );
    }

    #[test]
    fn the_rule_serializes_with_its_name() {
        let json = serde_json::to_value(ChoiceRule::BestTextMatch { score: 0.8 }).unwrap();
        assert_eq!(json["rule"], "best_text_match");
        for rule in [
            ChoiceRule::ConfiguredMapping,
            ChoiceRule::ExactText,
            ChoiceRule::BestTextMatch { score: 1.0 },
            ChoiceRule::TypeDefault,
            ChoiceRule::CompatibleType,
        ] {
            assert_eq!(serde_json::to_value(&rule).unwrap()["rule"], rule.as_str());
        }
    }

    fn arb_type() -> impl Strategy<Value = ReasonType> {
        prop_oneof![
            Just(ReasonType::WeRejected),
            Just(ReasonType::TheyWithdrew),
            Just(ReasonType::Other)
        ]
    }

    /// Reason texts: words from a small vocabulary (so exact and fuzzy matches happen), the
    /// defaults, or random letters.
    fn arb_text() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::collection::vec(
                prop::sample::select(vec![
                    "too", "junior", "senior", "skills", "skill", "offer", "accepted", "another",
                    "other", "fit", "not"
                ]),
                1..4
            )
            .prop_map(|w| w.join(" ")),
            Just(WE_REJECTED_DEFAULT.to_owned()),
            Just(THEY_REJECTED_DEFAULT.to_owned()),
            "[a-zA-Z ,.!-]{0,20}",
        ]
    }

    fn arb_reasons() -> impl Strategy<Value = Vec<RejectionReason>> {
        prop::collection::vec((arb_text(), arb_type(), any::<bool>()), 0..8).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (text, t, archived))| reason(&format!("r{i}"), &text, t, archived))
                .collect()
        })
    }

    fn arb_overrides() -> impl Strategy<Value = BTreeMap<String, RejectionReasonId>> {
        prop::collection::btree_map(
            arb_text(),
            (0usize..10).prop_map(|i| RejectionReasonId::new(format!("r{i}"))),
            0..3,
        )
    }

    /// Changes case, spacing and punctuation without changing the normalized text.
    fn respell(text: &str, loud: bool) -> String {
        let t = if loud {
            text.to_uppercase()
        } else {
            text.to_lowercase()
        };
        format!("  {}!", t.replace(' ', " -  "))
    }

    proptest! {
        #[test]
        fn never_archived_and_deterministic(text in arb_text(), t in arb_type(), reasons in arb_reasons(), overrides in arb_overrides()) {
            let d = dover(&text, t.clone());
            let first = choose_rejection_reason(&d, &reasons, &overrides);
            prop_assert_eq!(&first, &choose_rejection_reason(&d, &reasons, &overrides));
            if let Some(c) = &first {
                prop_assert!(!c.reason.archived);
                prop_assert!(reasons.contains(&c.reason));
            }
        }

        #[test]
        fn none_only_when_nothing_qualifies(text in arb_text(), t in arb_type(), reasons in arb_reasons(), overrides in arb_overrides()) {
            if choose_rejection_reason(&dover(&text, t.clone()), &reasons, &overrides).is_none() {
                let wanted = normalize_reason_text(&text);
                for r in reasons.iter().filter(|r| !r.archived) {
                    prop_assert!(r.reason_type != t && r.reason_type != compatible(&t));
                    prop_assert!(wanted.is_empty() || normalize_reason_text(&r.text) != wanted);
                    prop_assert!(!overrides.iter().any(|(k, id)| id == &r.id && normalize_reason_text(k) == wanted));
                }
            }
        }

        #[test]
        fn same_type_wins_unless_mapped_or_exact(text in arb_text(), t in arb_type(), reasons in arb_reasons(), overrides in arb_overrides()) {
            let c = choose_rejection_reason(&dover(&text, t.clone()), &reasons, &overrides);
            if reasons.iter().any(|r| !r.archived && r.reason_type == t) {
                let c = c.expect("a same-type active reason qualifies");
                if !matches!(c.rule, ChoiceRule::ConfiguredMapping | ChoiceRule::ExactText) {
                    prop_assert_eq!(c.reason.reason_type, t);
                }
            }
        }

        #[test]
        fn best_text_match_is_the_best(text in arb_text(), t in arb_type(), reasons in arb_reasons()) {
            if let Some(ReasonChoice { reason, rule: ChoiceRule::BestTextMatch { score } }) =
                choose_rejection_reason(&dover(&text, t.clone()), &reasons, &BTreeMap::new())
            {
                let wanted = normalize_reason_text(&text);
                prop_assert!(score >= FUZZY_THRESHOLD);
                prop_assert_eq!(&reason.reason_type, &t);
                for r in reasons.iter().filter(|r| !r.archived && r.reason_type == t) {
                    prop_assert!(similarity(&wanted, &normalize_reason_text(&r.text)) <= score);
                }
            }
        }

        #[test]
        fn exact_text_beats_fuzzy(text in arb_text(), t in arb_type(), exact_type in arb_type(), reasons in arb_reasons(), at in any::<prop::sample::Index>(), loud in any::<bool>()) {
            prop_assume!(!normalize_reason_text(&text).is_empty());
            let mut reasons = reasons;
            let at = at.index(reasons.len() + 1);
            reasons.insert(at, reason("exact", &respell(&text, loud), exact_type, false));
            let c = choose_rejection_reason(&dover(&text, t), &reasons, &BTreeMap::new()).unwrap();
            prop_assert_eq!(&c.rule, &ChoiceRule::ExactText);
            let first = reasons.iter().find(|r| !r.archived && normalize_reason_text(&r.text) == normalize_reason_text(&text)).unwrap();
            prop_assert_eq!(&c.reason, first);
        }

        #[test]
        fn override_beats_everything_prop(text in arb_text(), t in arb_type(), reasons in arb_reasons(), extra in (arb_text(), arb_type()), at in any::<prop::sample::Index>(), target in any::<prop::sample::Index>(), loud in any::<bool>()) {
            let mut reasons = reasons;
            reasons.insert(at.index(reasons.len() + 1), reason("extra", &extra.0, extra.1, false));
            let active: Vec<&RejectionReason> = reasons.iter().filter(|r| !r.archived).collect();
            let target = active[target.index(active.len())];
            let overrides = [(respell(&text, loud), target.id.clone())].into();
            let c = choose_rejection_reason(&dover(&text, t), &reasons, &overrides).unwrap();
            prop_assert_eq!(c.rule, ChoiceRule::ConfiguredMapping);
            prop_assert_eq!(&c.reason.id, &target.id);
        }

        #[test]
        fn default_is_used_when_text_scores_are_low(
            text in "[n-z]{1,8}( [n-z]{1,8}){0,2}",
            t in prop_oneof![Just(ReasonType::WeRejected), Just(ReasonType::TheyWithdrew)],
            others in prop::collection::vec(("[a-h]{1,8}( [a-h]{1,8}){0,2}", arb_type(), any::<bool>()), 0..6),
            at in any::<prop::sample::Index>(),
        ) {
            let mut reasons: Vec<RejectionReason> = others
                .into_iter()
                .enumerate()
                .map(|(i, (text, t, archived))| reason(&format!("r{i}"), &text, t, archived))
                .collect();
            let default = type_default(&t).unwrap();
            reasons.insert(at.index(reasons.len() + 1), reason("default", default, t.clone(), false));
            let c = choose_rejection_reason(&dover(&text, t), &reasons, &BTreeMap::new()).unwrap();
            // Dover's text shares no letter with any reason but possibly the default's.
            if normalize_reason_text(&text) != normalize_reason_text(default) && matches!(c.rule, ChoiceRule::BestTextMatch { .. }) {
                prop_assert_eq!(c.reason.id.as_str(), "default");
            } else {
                prop_assert_eq!((c.reason.id.as_str(), c.rule), ("default", ChoiceRule::TypeDefault));
            }
        }
    }
}
