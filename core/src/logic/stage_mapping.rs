//! Validation of a job link's stage mapping (Dover stage id → ATS stage id).
//!
//! Rules, with their reasons:
//! - Every **active** Dover stage is mapped ([`MappingProblem::Unmapped`]): a candidate Dover
//!   moves to an unmapped stage could not be moved in the ATS. Inactive stages may stay unmapped:
//!   no candidate enters them.
//! - Targets are **unique** ([`MappingProblem::DuplicateTarget`]): when two Dover stages share one
//!   ATS stage, a move the recruiter makes in the ATS cannot be told back to Dover as one stage.
//! - Every target **exists in the job's plan** ([`MappingProblem::UnknownTarget`]): a move to it
//!   would fail (a stage of another job, or one deleted since).
//! - A pre-hire Dover stage never targets a **Hired- or Archived-kind** ATS stage
//!   ([`MappingProblem::TerminalTarget`]): moving a candidate there would hire or reject them in
//!   the ATS. A Dover hire stage (`is_hire`) may target a Hired stage but never an Archived one:
//!   rejections go through archiving with a reason, never through the mapping.
//! - The mapping names only Dover stages that exist ([`MappingProblem::UnknownDoverStage`]): an
//!   entry for a stage Dover no longer has is stale and hides a mistake.
//!
//! Every problem is reported, not just the first, so a recruiter fixes the mapping in one go.
//! The order is deterministic and independent of the order of the inputs: first the per-stage
//! problems (`Unmapped`, `UnknownDoverStage`, `UnknownTarget`, `TerminalTarget`; at most one per
//! Dover stage) sorted by Dover stage id, then `DuplicateTarget` sorted by ATS stage id.
//! Stage ids are taken to be unique within `dover` and within `ats`.

use crate::ids::StageId;
use crate::model::{Stage, StageKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One stage of a Dover job's interview plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoverStage {
    /// Dover's stage id; the key of the mapping.
    pub id: String,
    /// Its name ("Initial Call").
    pub name: String,
    /// Whether the stage is in use; inactive stages need no mapping.
    pub active: bool,
    /// True for Dover's hired stage, which may map to a Hired-kind ATS stage.
    #[serde(default)]
    pub is_hire: bool,
}

/// One thing wrong with a stage mapping. Serializes with a snake_case `code` tag
/// (`{"code": "unmapped", "dover_stage": "…"}`); displays as a sentence for a recruiter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum MappingProblem {
    /// An active Dover stage has no ATS stage.
    Unmapped {
        /// The Dover stage id.
        dover_stage: String,
    },
    /// Several Dover stages share one ATS stage.
    DuplicateTarget {
        /// The shared ATS stage.
        ats_stage: StageId,
        /// Every Dover stage id mapped to it, sorted.
        dover_stages: Vec<String>,
    },
    /// The target is not a stage of the job's interview plan.
    UnknownTarget {
        /// The Dover stage id.
        dover_stage: String,
        /// The unknown ATS stage.
        ats_stage: StageId,
    },
    /// A pre-hire Dover stage targets a hired or archived ATS stage, or the hire stage targets an
    /// archived one.
    TerminalTarget {
        /// The Dover stage id.
        dover_stage: String,
        /// The ATS stage.
        ats_stage: StageId,
        /// Its kind ([`StageKind::Hired`] or [`StageKind::Archived`]).
        kind: StageKind,
    },
    /// The mapping names a Dover stage that does not exist.
    UnknownDoverStage {
        /// The unknown Dover stage id.
        dover_stage: String,
    },
}

impl fmt::Display for MappingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MappingProblem::Unmapped { dover_stage } => write!(
                f,
                "The Dover stage \u{201c}{dover_stage}\u{201d} is in use but not mapped to an ATS stage: choose the ATS stage its candidates should move to."
            ),
            MappingProblem::DuplicateTarget {
                ats_stage,
                dover_stages,
            } => write!(
                f,
                "The ATS stage \u{201c}{ats_stage}\u{201d} is mapped from several Dover stages ({}): each Dover stage needs its own ATS stage, or moves made in the ATS cannot be told apart.",
                dover_stages
                    .iter()
                    .map(|s| format!("\u{201c}{s}\u{201d}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            MappingProblem::UnknownTarget {
                dover_stage,
                ats_stage,
            } => write!(
                f,
                "The Dover stage \u{201c}{dover_stage}\u{201d} is mapped to \u{201c}{ats_stage}\u{201d}, which is not a stage of this job's interview plan in the ATS: choose one of the job's stages."
            ),
            MappingProblem::TerminalTarget {
                dover_stage,
                ats_stage,
                kind,
            } => {
                let what = match kind {
                    StageKind::Hired => {
                        "a hired stage: moving a candidate there would mark them hired"
                    }
                    StageKind::Archived => {
                        "an archived stage: moving a candidate there would reject them (rejections are sent with a reason instead)"
                    }
                    _ => "a final stage: moving a candidate there would end their process",
                };
                write!(
                    f,
                    "The Dover stage \u{201c}{dover_stage}\u{201d} is mapped to \u{201c}{ats_stage}\u{201d}, {what}."
                )
            }
            MappingProblem::UnknownDoverStage { dover_stage } => write!(
                f,
                "The mapping names the Dover stage \u{201c}{dover_stage}\u{201d}, which this Dover job does not have: remove it."
            ),
        }
    }
}

/// Validates `mapping` (Dover stage id → ATS stage id) against Dover's stages and the ATS job's
/// stages by the module's rules. `Ok(())` when every rule holds; otherwise every problem found,
/// in the module's deterministic order (never an empty list).
pub fn validate_stage_mapping(
    dover: &[DoverStage],
    ats: &[Stage],
    mapping: &BTreeMap<String, StageId>,
) -> Result<(), Vec<MappingProblem>> {
    let ats_by_id: BTreeMap<&StageId, &Stage> = ats.iter().map(|s| (&s.id, s)).collect();
    let dover_by_id: BTreeMap<&str, &DoverStage> =
        dover.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut problems = Vec::new();

    let mut dover_ids: BTreeSet<&str> = dover_by_id.keys().copied().collect();
    dover_ids.extend(mapping.keys().map(String::as_str));
    for id in dover_ids {
        let dover_stage = id.to_owned();
        match (dover_by_id.get(id), mapping.get(id)) {
            (None, Some(_)) => problems.push(MappingProblem::UnknownDoverStage { dover_stage }),
            (Some(s), None) if s.active => problems.push(MappingProblem::Unmapped { dover_stage }),
            (Some(s), Some(target)) => match ats_by_id.get(target) {
                None => problems.push(MappingProblem::UnknownTarget {
                    dover_stage,
                    ats_stage: target.clone(),
                }),
                Some(ats_stage) => {
                    let refused = match ats_stage.kind {
                        StageKind::Archived => true,
                        StageKind::Hired => !s.is_hire,
                        _ => false,
                    };
                    if refused {
                        problems.push(MappingProblem::TerminalTarget {
                            dover_stage,
                            ats_stage: target.clone(),
                            kind: ats_stage.kind.clone(),
                        });
                    }
                }
            },
            _ => {}
        }
    }

    // BTreeMap iteration gives each target's sources already sorted.
    let mut by_target: BTreeMap<&StageId, Vec<String>> = BTreeMap::new();
    for (dover_id, target) in mapping {
        by_target.entry(target).or_default().push(dover_id.clone());
    }
    problems.extend(
        by_target
            .into_iter()
            .filter(|(_, sources)| sources.len() > 1)
            .map(|(target, dover_stages)| MappingProblem::DuplicateTarget {
                ats_stage: target.clone(),
                dover_stages,
            }),
    );

    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KINDS: [StageKind; 7] = [
        StageKind::Lead,
        StageKind::PreInterviewScreen,
        StageKind::Active,
        StageKind::Active,
        StageKind::Offer,
        StageKind::Hired,
        StageKind::Archived,
    ];

    fn ats_plan() -> Vec<Stage> {
        KINDS
            .into_iter()
            .enumerate()
            .map(|(i, kind)| Stage {
                id: StageId::new(format!("s{i}")),
                title: format!("Stage {i}"),
                kind,
                order: i as u32,
            })
            .collect()
    }

    fn dover(n: usize) -> Vec<DoverStage> {
        (0..n)
            .map(|i| DoverStage {
                id: format!("d{i}"),
                name: format!("Dover {i}"),
                active: true,
                is_hire: false,
            })
            .collect()
    }

    /// `d{i}` → `s{i}` for the first `n` stages (n ≤ 5: the plan's non-terminal stages).
    fn bijection(n: usize) -> BTreeMap<String, StageId> {
        (0..n)
            .map(|i| (format!("d{i}"), StageId::new(format!("s{i}"))))
            .collect()
    }

    #[test]
    fn a_valid_bijection_passes() {
        assert_eq!(
            validate_stage_mapping(&dover(5), &ats_plan(), &bijection(5)),
            Ok(())
        );
    }

    #[test]
    fn inactive_stages_may_be_unmapped() {
        let mut stages = dover(5);
        stages.push(DoverStage {
            id: "old".into(),
            name: "Old".into(),
            active: false,
            is_hire: false,
        });
        assert_eq!(
            validate_stage_mapping(&stages, &ats_plan(), &bijection(5)),
            Ok(())
        );
    }

    #[test]
    fn every_problem_is_reported_in_order() {
        let mut mapping = bijection(4);
        mapping.insert("d1".into(), StageId::new("s0")); // duplicate with d0
        mapping.insert("d2".into(), StageId::new("nope")); // unknown target
        mapping.insert("d3".into(), StageId::new("s6")); // archived
        mapping.insert("ghost".into(), StageId::new("s4")); // unknown Dover stage
        let stages = dover(5); // d4 unmapped
        let problems = validate_stage_mapping(&stages, &ats_plan(), &mapping).unwrap_err();
        assert_eq!(
            problems,
            vec![
                MappingProblem::UnknownTarget {
                    dover_stage: "d2".into(),
                    ats_stage: StageId::new("nope")
                },
                MappingProblem::TerminalTarget {
                    dover_stage: "d3".into(),
                    ats_stage: StageId::new("s6"),
                    kind: StageKind::Archived
                },
                MappingProblem::Unmapped {
                    dover_stage: "d4".into()
                },
                MappingProblem::UnknownDoverStage {
                    dover_stage: "ghost".into()
                },
                MappingProblem::DuplicateTarget {
                    ats_stage: StageId::new("s0"),
                    dover_stages: vec!["d0".into(), "d1".into()]
                },
            ]
        );
    }

    #[test]
    fn hire_stage_may_target_hired_but_not_archived_and_others_never_hired() {
        let mut stages = dover(2);
        stages[1].is_hire = true;
        let ok: BTreeMap<_, _> = [
            ("d0".to_owned(), StageId::new("s1")),
            ("d1".to_owned(), StageId::new("s5")),
        ]
        .into();
        assert_eq!(validate_stage_mapping(&stages, &ats_plan(), &ok), Ok(()));
        let bad: BTreeMap<_, _> = [
            ("d0".to_owned(), StageId::new("s5")),
            ("d1".to_owned(), StageId::new("s6")),
        ]
        .into();
        let problems = validate_stage_mapping(&stages, &ats_plan(), &bad).unwrap_err();
        assert_eq!(
            problems,
            vec![
                MappingProblem::TerminalTarget {
                    dover_stage: "d0".into(),
                    ats_stage: StageId::new("s5"),
                    kind: StageKind::Hired
                },
                MappingProblem::TerminalTarget {
                    dover_stage: "d1".into(),
                    ats_stage: StageId::new("s6"),
                    kind: StageKind::Archived
                },
            ]
        );
    }

    #[test]
    fn other_kinds_are_valid_targets() {
        let mut plan = ats_plan();
        plan[2].kind = StageKind::Other("Assessment".into());
        assert_eq!(
            validate_stage_mapping(&dover(5), &plan, &bijection(5)),
            Ok(())
        );
    }

    #[test]
    fn inactive_stages_are_still_checked_when_mapped() {
        let mut stages = dover(1);
        stages[0].active = false;
        let mapping = [("d0".to_owned(), StageId::new("s6"))].into();
        assert!(matches!(
            validate_stage_mapping(&stages, &ats_plan(), &mapping).unwrap_err()[..],
            [MappingProblem::TerminalTarget { .. }]
        ));
    }

    #[test]
    fn problems_read_as_sentences_and_serialize_with_a_code() {
        let cases = [
            (
                MappingProblem::Unmapped {
                    dover_stage: "Onsite".into(),
                },
                "unmapped",
                "not mapped",
            ),
            (
                MappingProblem::DuplicateTarget {
                    ats_stage: StageId::new("Screen"),
                    dover_stages: vec!["A".into(), "B".into()],
                },
                "duplicate_target",
                "several Dover stages",
            ),
            (
                MappingProblem::UnknownTarget {
                    dover_stage: "Onsite".into(),
                    ats_stage: StageId::new("x"),
                },
                "unknown_target",
                "not a stage of this job",
            ),
            (
                MappingProblem::TerminalTarget {
                    dover_stage: "Onsite".into(),
                    ats_stage: StageId::new("Hired"),
                    kind: StageKind::Hired,
                },
                "terminal_target",
                "mark them hired",
            ),
            (
                MappingProblem::TerminalTarget {
                    dover_stage: "Onsite".into(),
                    ats_stage: StageId::new("Archived"),
                    kind: StageKind::Archived,
                },
                "terminal_target",
                "reject them",
            ),
            (
                MappingProblem::UnknownDoverStage {
                    dover_stage: "Gone".into(),
                },
                "unknown_dover_stage",
                "does not have",
            ),
        ];
        for (problem, code, words) in cases {
            let text = problem.to_string();
            assert!(text.contains(words), "{text}");
            assert!(
                !text.contains("Some(") && !text.contains("StageId"),
                "{text}"
            );
            let json = serde_json::to_value(&problem).unwrap();
            assert_eq!(json["code"], code);
            assert_eq!(
                serde_json::from_value::<MappingProblem>(json).unwrap(),
                problem
            );
        }
    }

    /// Dover stages with unique ids from a small pool, random flags.
    fn arb_dover() -> impl Strategy<Value = Vec<DoverStage>> {
        prop::collection::btree_map("d[0-7]", (any::<bool>(), prop::bool::weighted(0.2)), 0..8)
            .prop_map(|m| {
                m.into_iter()
                    .map(|(id, (active, is_hire))| DoverStage {
                        name: id.to_uppercase(),
                        id,
                        active,
                        is_hire,
                    })
                    .collect()
            })
    }

    fn arb_kind() -> impl Strategy<Value = StageKind> {
        prop_oneof![
            4 => prop::sample::select(KINDS.to_vec()),
            1 => Just(StageKind::Other("Custom".into())),
        ]
    }

    /// An ATS plan with unique ids from a small pool.
    fn arb_ats() -> impl Strategy<Value = Vec<Stage>> {
        prop::collection::btree_map("s[0-7]", arb_kind(), 0..8).prop_map(|m| {
            m.into_iter()
                .enumerate()
                .map(|(i, (id, kind))| Stage {
                    id: StageId::new(id),
                    title: "t".into(),
                    kind,
                    order: i as u32,
                })
                .collect()
        })
    }

    /// Mapping entries, possibly naming unknown stages on either side and repeating keys.
    fn arb_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
        prop::collection::vec(("d[0-9]", "s[0-9]"), 0..12)
    }

    fn to_map(pairs: &[(String, String)]) -> BTreeMap<String, StageId> {
        let mut map = BTreeMap::new();
        for (k, v) in pairs {
            map.entry(k.clone())
                .or_insert_with(|| StageId::new(v.clone()));
        }
        map
    }

    proptest! {
        #[test]
        fn any_valid_bijection_passes(perm in Just((0..5).collect::<Vec<usize>>()).prop_shuffle(), hire in any::<bool>(), inactive in 0usize..3) {
            // Dover stage i → a permutation of the five non-terminal stages; optionally a hire
            // stage to the Hired stage and unmapped inactive stages.
            let mut stages = dover(5);
            let mut mapping: BTreeMap<String, StageId> = perm
                .iter()
                .enumerate()
                .map(|(i, s)| (format!("d{i}"), StageId::new(format!("s{s}"))))
                .collect();
            if hire {
                stages.push(DoverStage { id: "hire".into(), name: "Hired".into(), active: true, is_hire: true });
                mapping.insert("hire".into(), StageId::new("s5"));
            }
            for i in 0..inactive {
                stages.push(DoverStage { id: format!("old{i}"), name: "Old".into(), active: false, is_hire: false });
            }
            prop_assert_eq!(validate_stage_mapping(&stages, &ats_plan(), &mapping), Ok(()));
        }

        #[test]
        fn removing_one_entry_gives_exactly_one_unmapped(n in 1usize..=5, drop in 0usize..5) {
            let drop = drop % n;
            let mut mapping = bijection(n);
            mapping.remove(&format!("d{drop}"));
            let problems = validate_stage_mapping(&dover(n), &ats_plan(), &mapping).unwrap_err();
            prop_assert_eq!(problems, vec![MappingProblem::Unmapped { dover_stage: format!("d{drop}") }]);
        }

        #[test]
        fn k_stages_on_one_target_are_all_named(k in 2usize..=5, target in 0usize..5, extra in 0usize..3) {
            // k Dover stages share one target; `extra` others map one-to-one elsewhere.
            let target = StageId::new(format!("s{target}"));
            let mut mapping: BTreeMap<String, StageId> = (0..k).map(|i| (format!("d{i}"), target.clone())).collect();
            let free: Vec<StageId> = (0..5).map(|s| StageId::new(format!("s{s}"))).filter(|s| *s != target).collect();
            for (j, s) in free.into_iter().take(extra).enumerate() {
                mapping.insert(format!("e{j}"), s);
            }
            let mut stages = dover(k);
            stages.extend((0..extra).map(|j| DoverStage { id: format!("e{j}"), name: "E".into(), active: true, is_hire: false }));
            let problems = validate_stage_mapping(&stages, &ats_plan(), &mapping).unwrap_err();
            let expected: Vec<String> = (0..k).map(|i| format!("d{i}")).collect();
            prop_assert_eq!(problems, vec![MappingProblem::DuplicateTarget { ats_stage: target, dover_stages: expected }]);
        }

        #[test]
        fn problems_do_not_depend_on_input_order(
            dover in arb_dover(),
            ats in arb_ats(),
            pairs in arb_pairs(),
            seed in any::<u64>(),
        ) {
            let first = validate_stage_mapping(&dover, &ats, &to_map(&pairs));
            // The same stages and entries in another order (rotations and reversal).
            let mut dover2 = dover.clone();
            let mut ats2 = ats.clone();
            let mut pairs2 = pairs.clone();
            // Keep the first entry per key winning in both orders by deduplicating first.
            let mut seen = BTreeSet::new();
            pairs2.retain(|(k, _)| seen.insert(k.clone()));
            dover2.reverse();
            ats2.reverse();
            pairs2.reverse();
            if !dover2.is_empty() { let n = dover2.len(); dover2.rotate_left(seed as usize % n); }
            if !ats2.is_empty() { let n = ats2.len(); ats2.rotate_left((seed >> 8) as usize % n); }
            if !pairs2.is_empty() { let n = pairs2.len(); pairs2.rotate_left((seed >> 16) as usize % n); }
            prop_assert_eq!(first, validate_stage_mapping(&dover2, &ats2, &to_map(&pairs2)));
        }

        #[test]
        fn every_rule_is_checked_for_every_stage(dover in arb_dover(), ats in arb_ats(), pairs in arb_pairs()) {
            let mapping = to_map(&pairs);
            let problems = validate_stage_mapping(&dover, &ats, &mapping).err().unwrap_or_default();
            let ats_ids: BTreeSet<&StageId> = ats.iter().map(|s| &s.id).collect();
            let dover_ids: BTreeSet<&str> = dover.iter().map(|s| s.id.as_str()).collect();

            let unmapped: BTreeSet<String> = problems.iter().filter_map(|p| match p { MappingProblem::Unmapped { dover_stage } => Some(dover_stage.clone()), _ => None }).collect();
            let want: BTreeSet<String> = dover.iter().filter(|s| s.active && !mapping.contains_key(&s.id)).map(|s| s.id.clone()).collect();
            prop_assert_eq!(unmapped, want);

            let unknown: BTreeSet<String> = problems.iter().filter_map(|p| match p { MappingProblem::UnknownDoverStage { dover_stage } => Some(dover_stage.clone()), _ => None }).collect();
            let want: BTreeSet<String> = mapping.keys().filter(|k| !dover_ids.contains(k.as_str())).cloned().collect();
            prop_assert_eq!(unknown, want);

            let unknown_targets: BTreeSet<String> = problems.iter().filter_map(|p| match p { MappingProblem::UnknownTarget { dover_stage, .. } => Some(dover_stage.clone()), _ => None }).collect();
            let want: BTreeSet<String> = mapping.iter().filter(|(k, v)| dover_ids.contains(k.as_str()) && !ats_ids.contains(v)).map(|(k, _)| k.clone()).collect();
            prop_assert_eq!(unknown_targets, want);

            for s in &dover {
                if let Some(target) = mapping.get(&s.id) && let Some(stage) = ats.iter().find(|a| &a.id == target) {
                    let refused = stage.kind == StageKind::Archived || (stage.kind == StageKind::Hired && !s.is_hire);
                    let reported = problems.iter().any(|p| matches!(p, MappingProblem::TerminalTarget { dover_stage, .. } if *dover_stage == s.id));
                    prop_assert_eq!(refused, reported, "{:?} → {:?}", s, stage.kind);
                }
            }

            let mut sources: BTreeMap<&StageId, Vec<String>> = BTreeMap::new();
            for (k, v) in &mapping { sources.entry(v).or_default().push(k.clone()); }
            let dups: Vec<(StageId, Vec<String>)> = problems.iter().filter_map(|p| match p { MappingProblem::DuplicateTarget { ats_stage, dover_stages } => Some((ats_stage.clone(), dover_stages.clone())), _ => None }).collect();
            let want: Vec<(StageId, Vec<String>)> = sources.into_iter().filter(|(_, v)| v.len() > 1).map(|(k, v)| (k.clone(), v)).collect();
            prop_assert_eq!(dups, want);

            // Per-stage problems come first, sorted by Dover stage, then duplicates.
            let firsts: Vec<&str> = problems.iter().filter_map(|p| match p {
                MappingProblem::Unmapped { dover_stage } | MappingProblem::UnknownDoverStage { dover_stage } | MappingProblem::UnknownTarget { dover_stage, .. } | MappingProblem::TerminalTarget { dover_stage, .. } => Some(dover_stage.as_str()),
                MappingProblem::DuplicateTarget { .. } => None,
            }).collect();
            prop_assert!(firsts.windows(2).all(|w| w[0] < w[1]));
            let first_dup = problems.iter().position(|p| matches!(p, MappingProblem::DuplicateTarget { .. })).unwrap_or(problems.len());
            prop_assert_eq!(first_dup, firsts.len());
        }
    }
}
