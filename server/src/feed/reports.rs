//! `GET /v1/jobs/{dover_job_id}/report`: the job's funnel from ATS-confirmed state (the
//! application mirror's stage transitions).

use super::FeedDeps;
use crate::api::error::{ApiError, ApiResult, ErrorBody};
use crate::store::{JobLinkRow, StageTransitionRow};
use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use utoipa::ToSchema;

/// One mapped Dover stage of the report.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct StageReport {
    /// Dover stage id.
    pub dover_stage_id: String,
    /// Dover stage name.
    pub name: Option<String>,
    /// The ATS stage it maps to.
    pub ats_stage_id: String,
    /// Active applications there now.
    pub current: usize,
    /// Applications that ever reached it.
    pub reached: usize,
    /// Share of those that also reached the next mapped stage (null for the last stage or
    /// when none reached this one).
    pub conversion_to_next: Option<f64>,
    /// Median time spent in the stage by applications that left it, in ms.
    pub median_time_in_stage_ms: Option<i64>,
}

/// The report of one job.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct JobReport {
    /// The Dover job.
    pub dover_job_id: String,
    /// The connection.
    pub connection_id: String,
    /// The ATS job.
    pub ats_job_id: String,
    /// Mapped stages in Dover stage order.
    pub stages: Vec<StageReport>,
    /// Active applications in stages no Dover stage maps to.
    pub unmapped_current: usize,
    /// Applications hired.
    pub hired: usize,
    /// Applications rejected.
    pub rejected: usize,
    /// Applications withdrawn.
    pub withdrew: usize,
    /// Applications known.
    pub applications: usize,
}

fn median(mut v: Vec<i64>) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    })
}

/// Builds the report of `link` from its ATS job's stage transitions.
pub fn build_report(link: &JobLinkRow, transitions: &[StageTransitionRow]) -> JobReport {
    // Dover stages in order, keeping those with a mapping.
    let mapping = link.stage_mapping.as_object().cloned().unwrap_or_default();
    let mut order: Vec<(String, Option<String>, String)> = Vec::new();
    if let Some(stages) = link.dover_stages.as_array() {
        for s in stages {
            let Some(id) = s.get("id").and_then(|v| v.as_str()) else {
                continue;
            };
            if let Some(ats) = mapping.get(id).and_then(|v| v.as_str()) {
                let name = s.get("name").and_then(|v| v.as_str()).map(str::to_string);
                order.push((id.to_string(), name, ats.to_string()));
            }
        }
    }
    for (id, ats) in &mapping {
        if !order.iter().any(|(d, _, _)| d == id)
            && let Some(ats) = ats.as_str()
        {
            order.push((id.clone(), None, ats.to_string()));
        }
    }

    let mut by_app: BTreeMap<&str, Vec<&StageTransitionRow>> = BTreeMap::new();
    for t in transitions {
        by_app
            .entry(t.ats_application_id.as_str())
            .or_default()
            .push(t);
    }
    let mut reached: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
    let mut stays: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    let mut current: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut hired, mut rejected, mut withdrew) = (0, 0, 0);
    for (app, ts) in by_app.iter_mut() {
        ts.sort_by_key(|t| t.at);
        for (i, t) in ts.iter().enumerate() {
            reached
                .entry(t.ats_stage_id.as_str())
                .or_default()
                .insert(app);
            if let Some(next) = ts.get(i + 1)
                && next.ats_stage_id != t.ats_stage_id
            {
                stays
                    .entry(t.ats_stage_id.as_str())
                    .or_default()
                    .push(next.at - t.at);
            }
        }
        if let Some(last) = ts.last() {
            match last.outcome.as_str() {
                "hired" => hired += 1,
                "rejected" => rejected += 1,
                "withdrew" => withdrew += 1,
                _ => *current.entry(last.ats_stage_id.as_str()).or_default() += 1,
            }
        }
    }
    let mapped: HashSet<&str> = order.iter().map(|(_, _, a)| a.as_str()).collect();
    let unmapped_current = current
        .iter()
        .filter(|(s, _)| !mapped.contains(*s))
        .map(|(_, n)| n)
        .sum();
    let empty = HashSet::new();
    let stages = order
        .iter()
        .enumerate()
        .map(|(i, (dover, name, ats))| {
            let here = reached.get(ats.as_str()).unwrap_or(&empty);
            let conversion = order.get(i + 1).and_then(|(_, _, next)| {
                let there = reached.get(next.as_str()).unwrap_or(&empty);
                (!here.is_empty())
                    .then(|| here.intersection(there).count() as f64 / here.len() as f64)
            });
            StageReport {
                dover_stage_id: dover.clone(),
                name: name.clone(),
                ats_stage_id: ats.clone(),
                current: current.get(ats.as_str()).copied().unwrap_or(0),
                reached: here.len(),
                conversion_to_next: conversion,
                median_time_in_stage_ms: median(
                    stays.get(ats.as_str()).cloned().unwrap_or_default(),
                ),
            }
        })
        .collect();
    JobReport {
        dover_job_id: link.dover_job_id.clone(),
        connection_id: link.connection_id.clone(),
        ats_job_id: link.ats_job_id.clone(),
        stages,
        unmapped_current,
        hired,
        rejected,
        withdrew,
        applications: by_app.len(),
    }
}

/// Which applications a report counts.
#[derive(Clone, Copy, Debug, Default, serde::Deserialize, PartialEq, Eq, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `dover` (default): only applications of candidates Dover pushed; `all`: every application
    /// of the ATS job.
    #[serde(default)]
    pub scope: ReportScope,
}

/// See [`ReportQuery::scope`].
#[derive(Clone, Copy, Debug, Default, serde::Deserialize, PartialEq, Eq, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportScope {
    /// Applications of candidates Dover pushed (what Dover's own reports show).
    #[default]
    Dover,
    /// Every application of the ATS job, whoever added it.
    All,
}

/// The funnel of a linked Dover job: per mapped stage (Dover order) the applications there now,
/// the conversion to the next stage and the median time in stage; hired, rejected and withdrew
/// counts. From ATS-confirmed state only; by default only Dover's candidates (`?scope=all` for
/// every application of the ATS job).
#[utoipa::path(get, path = "/v1/jobs/{dover_job_id}/report", tag = "reports",
    params(("dover_job_id" = String, Path), ReportQuery),
    responses((status = 200, body = JobReport), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn report(
    State(deps): State<FeedDeps>,
    Path(dover_job_id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<ReportQuery>,
) -> ApiResult<Json<JobReport>> {
    let link = deps
        .store
        .get_job_link(&dover_job_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Dover job `{dover_job_id}` is not linked")))?;
    let mut transitions = deps
        .store
        .list_stage_transitions(&link.connection_id, &link.ats_job_id)
        .await?;
    if query.scope == ReportScope::Dover {
        let dover_apps: HashSet<String> = deps
            .store
            .list_links_for_job(&dover_job_id)
            .await?
            .into_iter()
            .filter_map(|l| l.ats_application_id)
            .collect();
        transitions.retain(|t| dover_apps.contains(&t.ats_application_id));
    }
    Ok(Json(build_report(&link, &transitions)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(app: &str, stage: &str, outcome: &str, at: i64) -> StageTransitionRow {
        StageTransitionRow {
            connection_id: "c".into(),
            ats_job_id: "j".into(),
            ats_application_id: app.into(),
            ats_stage_id: stage.into(),
            outcome: outcome.into(),
            at,
        }
    }

    #[test]
    fn funnel_counts_conversion_and_median() {
        let link = JobLinkRow {
            dover_job_id: "dj".into(),
            connection_id: "c".into(),
            ats_job_id: "j".into(),
            post_as_user_id: None,
            dover_stages: json!([{"id": "d1", "name": "Screen"}, {"id": "d2", "name": "Onsite"}]),
            stage_mapping: json!({"d1": "s1", "d2": "s2"}),
            reason_overrides: json!({}),
            created_at: 0,
            updated_at: 0,
        };
        let tr = vec![
            t("a", "s1", "active", 0),
            t("a", "s2", "active", 100),
            t("b", "s1", "active", 0),
            t("b", "s1", "rejected", 300),
            t("c", "s1", "active", 0),
            t("d", "sx", "active", 0),
        ];
        let r = build_report(&link, &tr);
        assert_eq!(r.stages[0].reached, 3);
        assert_eq!(r.stages[0].current, 1);
        assert_eq!(r.stages[0].conversion_to_next, Some(1.0 / 3.0));
        assert_eq!(r.stages[0].median_time_in_stage_ms, Some(100));
        assert_eq!(r.stages[1].current, 1);
        assert_eq!(r.stages[1].conversion_to_next, None);
        assert_eq!((r.rejected, r.hired, r.withdrew), (1, 0, 0));
        assert_eq!(r.unmapped_current, 1);
        assert_eq!(r.applications, 4);
    }
}
