//! Validation of a job link's stage mapping (Dover stage → ATS stage).
//!
//! Rules, with their reasons:
//! - Every **active** Dover stage is mapped: a candidate moved to an unmapped stage could not be
//!   moved in the ATS. Inactive stages may stay unmapped.
//! - Targets are **unique**: two Dover stages on one ATS stage make the ATS stage ambiguous when
//!   changes come back.
//! - Every target **exists in the job's plan**: a move to it would fail.
//! - A pre-hire Dover stage never targets a **Hired- or Archived-kind** ATS stage: moving a
//!   candidate there would hire or reject them. A Dover hire stage may target a Hired stage, never
//!   an Archived one (rejections go through archive with a reason, not through the mapping).
//! - The mapping names only Dover stages that exist.
//!
//! Every problem is reported, not just the first, in a deterministic order (by Dover stage id,
//! then by rule).

use crate::ids::StageId;
use crate::model::{Stage, StageKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One stage of a Dover job's interview plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoverStage {
    /// Dover's stage id.
    pub id: String,
    /// Its name ("Initial Call").
    pub name: String,
    /// Whether the stage is in use; inactive stages need no mapping.
    pub active: bool,
    /// True for Dover's hired stage.
    #[serde(default)]
    pub is_hire: bool,
}

/// One thing wrong with a stage mapping.
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
        /// The Dover stages mapped to it, sorted.
        dover_stages: Vec<String>,
    },
    /// The target is not a stage of the job's interview plan.
    UnknownTarget {
        /// The Dover stage id.
        dover_stage: String,
        /// The unknown ATS stage.
        ats_stage: StageId,
    },
    /// A pre-hire Dover stage targets a hired or archived ATS stage (or a hire stage an archived one).
    TerminalTarget {
        /// The Dover stage id.
        dover_stage: String,
        /// The ATS stage.
        ats_stage: StageId,
        /// Its kind.
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
            MappingProblem::Unmapped { dover_stage } => {
                write!(
                    f,
                    "Dover stage `{dover_stage}` is active but not mapped to an ATS stage"
                )
            }
            MappingProblem::DuplicateTarget {
                ats_stage,
                dover_stages,
            } => write!(
                f,
                "ATS stage `{ats_stage}` is mapped from several Dover stages ({}); each needs its own ATS stage",
                dover_stages.join(", ")
            ),
            MappingProblem::UnknownTarget {
                dover_stage,
                ats_stage,
            } => write!(
                f,
                "Dover stage `{dover_stage}` is mapped to `{ats_stage}`, which is not a stage of the job's interview plan"
            ),
            MappingProblem::TerminalTarget {
                dover_stage,
                ats_stage,
                kind,
            } => write!(
                f,
                "Dover stage `{dover_stage}` is mapped to `{ats_stage}`, a {kind:?} stage: moving a candidate there would end their process"
            ),
            MappingProblem::UnknownDoverStage { dover_stage } => {
                write!(
                    f,
                    "the mapping names Dover stage `{dover_stage}`, which the Dover plan does not have"
                )
            }
        }
    }
}

/// Validates `mapping` (Dover stage id → ATS stage id) against Dover's stages and the ATS job's
/// stages. `Ok(())` when every rule holds; otherwise every problem.
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
        let stage = dover_by_id.get(id);
        match (stage, mapping.get(id)) {
            (None, Some(_)) => problems.push(MappingProblem::UnknownDoverStage {
                dover_stage: id.to_owned(),
            }),
            (Some(s), None) if s.active => problems.push(MappingProblem::Unmapped {
                dover_stage: id.to_owned(),
            }),
            (Some(s), Some(target)) => match ats_by_id.get(target) {
                None => problems.push(MappingProblem::UnknownTarget {
                    dover_stage: id.to_owned(),
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
                            dover_stage: id.to_owned(),
                            ats_stage: target.clone(),
                            kind: ats_stage.kind.clone(),
                        });
                    }
                }
            },
            _ => {}
        }
    }

    let mut by_target: BTreeMap<&StageId, Vec<String>> = BTreeMap::new();
    for (dover_id, target) in mapping {
        by_target.entry(target).or_default().push(dover_id.clone());
    }
    for (target, mut sources) in by_target {
        if sources.len() > 1 {
            sources.sort();
            problems.push(MappingProblem::DuplicateTarget {
                ats_stage: target.clone(),
                dover_stages: sources,
            });
        }
    }

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

    fn ats_plan() -> Vec<Stage> {
        let kinds = [
            StageKind::Lead,
            StageKind::PreInterviewScreen,
            StageKind::Active,
            StageKind::Active,
            StageKind::Offer,
            StageKind::Hired,
            StageKind::Archived,
        ];
        kinds
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
    fn every_problem_is_reported() {
        let mut mapping = bijection(4);
        mapping.insert("d1".into(), StageId::new("s0")); // duplicate with d0
        mapping.insert("d2".into(), StageId::new("nope")); // unknown target
        mapping.insert("d3".into(), StageId::new("s6")); // archived
        mapping.insert("ghost".into(), StageId::new("s4")); // unknown Dover stage
        let mut stages = dover(5); // d4 unmapped
        stages[4].active = true;
        let problems = validate_stage_mapping(&stages, &ats_plan(), &mapping).unwrap_err();
        assert!(problems.contains(&MappingProblem::DuplicateTarget {
            ats_stage: StageId::new("s0"),
            dover_stages: vec!["d0".into(), "d1".into()]
        }));
        assert!(problems.contains(&MappingProblem::UnknownTarget {
            dover_stage: "d2".into(),
            ats_stage: StageId::new("nope")
        }));
        assert!(problems.contains(&MappingProblem::TerminalTarget {
            dover_stage: "d3".into(),
            ats_stage: StageId::new("s6"),
            kind: StageKind::Archived
        }));
        assert!(problems.contains(&MappingProblem::UnknownDoverStage {
            dover_stage: "ghost".into()
        }));
        assert!(problems.contains(&MappingProblem::Unmapped {
            dover_stage: "d4".into()
        }));
        assert_eq!(problems.len(), 5, "{problems:#?}");
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
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(
            problems
                .iter()
                .all(|p| matches!(p, MappingProblem::TerminalTarget { .. }))
        );
    }

    #[test]
    fn problems_read_as_sentences() {
        let text = MappingProblem::Unmapped {
            dover_stage: "Onsite".into(),
        }
        .to_string();
        assert!(
            text.contains("Onsite") && text.contains("not mapped"),
            "{text}"
        );
    }

    proptest! {
        #[test]
        fn removing_one_entry_gives_exactly_one_unmapped(n in 1usize..6, drop in 0usize..6) {
            let drop = drop % n;
            let mut mapping = bijection(n);
            mapping.remove(&format!("d{drop}"));
            let problems = validate_stage_mapping(&dover(n), &ats_plan(), &mapping).unwrap_err();
            prop_assert_eq!(problems, vec![MappingProblem::Unmapped { dover_stage: format!("d{drop}") }]);
        }

        #[test]
        fn k_stages_on_one_target_are_all_named(k in 2usize..6) {
            let mapping: BTreeMap<String, StageId> = (0..k).map(|i| (format!("d{i}"), StageId::new("s2"))).collect();
            let problems = validate_stage_mapping(&dover(k), &ats_plan(), &mapping).unwrap_err();
            let expected: Vec<String> = (0..k).map(|i| format!("d{i}")).collect();
            prop_assert_eq!(problems, vec![MappingProblem::DuplicateTarget { ats_stage: StageId::new("s2"), dover_stages: expected }]);
        }

        #[test]
        fn result_does_not_depend_on_input_order(seed in any::<u64>()) {
            let mut stages = dover(5);
            let mut plan = ats_plan();
            let mut mapping = bijection(5);
            mapping.insert("d1".into(), StageId::new("s0"));
            mapping.remove("d3");
            let first = validate_stage_mapping(&stages, &plan, &mapping);
            let rot = (seed % 5) as usize;
            stages.rotate_left(rot);
            plan.rotate_left(rot);
            prop_assert_eq!(first, validate_stage_mapping(&stages, &plan, &mapping));
        }
    }
}
