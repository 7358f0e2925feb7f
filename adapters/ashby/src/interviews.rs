//! Interviews: schedules created with Dover's id in each event's `extraData`.

use crate::adapter::AshbyAdapter;
use crate::client::CallKind;
use crate::mapping::{self, EXTERNAL_ID_KEY};
use crate::wire;
use atsbridge_core::ids::ApplicationId;
use atsbridge_core::model::{Interview, NewInterview};
use atsbridge_core::{AtsError, Result};
use chrono::SecondsFormat;
use serde_json::json;

/// Ashby's limit on an `extraData` value.
const MAX_EXTRA_DATA_VALUE: usize = 512;

/// Checks a new interview without calling Ashby.
pub(crate) fn validate(interview: &NewInterview) -> Result<()> {
    let bad = |field: &str, msg: String| {
        Err(AtsError::invalid_input(Some(field), msg).with_operation("create_interview"))
    };
    if interview.external_id.trim().is_empty() {
        return bad(
            "external_id",
            "an interview needs Dover's external id".into(),
        );
    }
    if interview.external_id.len() > MAX_EXTRA_DATA_VALUE {
        return bad(
            "external_id",
            format!("the external id is longer than Ashby's {MAX_EXTRA_DATA_VALUE} characters"),
        );
    }
    if interview.events.is_empty() {
        return bad("events", "an interview needs at least one event".into());
    }
    for (i, e) in interview.events.iter().enumerate() {
        if e.end <= e.start {
            return bad("events", format!("event {i} ends at or before it starts"));
        }
    }
    Ok(())
}

impl AshbyAdapter {
    /// `interviewSchedule.list` for the application, matching `extraData.doverInterviewId`.
    pub(crate) async fn op_find_interview(
        &self,
        application: &ApplicationId,
        external_id: &str,
    ) -> Result<Option<Interview>> {
        const OP: &str = "find_interview";
        let schedules = self
            .client
            .all::<wire::InterviewSchedule>(
                OP,
                "interviewSchedule.list",
                json!({"applicationId": application.as_str()}),
            )
            .await?;
        Ok(schedules
            .into_iter()
            .filter(|s| {
                s.application_id
                    .as_deref()
                    .is_none_or(|a| a == application.as_str())
            })
            .find(|s| mapping::external_id(s).as_deref() == Some(external_id))
            .map(|s| mapping::interview(s, Some(application))))
    }

    /// `interviewSchedule.create` with one Ashby event per event, each carrying
    /// `extraData.doverInterviewId`.
    pub(crate) async fn op_create_interview(&self, interview: &NewInterview) -> Result<Interview> {
        const OP: &str = "create_interview";
        validate(interview)?;
        let events: Vec<_> = interview
            .events
            .iter()
            .map(|e| {
                json!({
                    "startTime": e.start.to_rfc3339_opts(SecondsFormat::Millis, true),
                    "endTime": e.end.to_rfc3339_opts(SecondsFormat::Millis, true),
                    "interviewers": e.interviewer_emails.iter().map(|m| json!({"email": m.trim()})).collect::<Vec<_>>(),
                    "extraData": {EXTERNAL_ID_KEY: interview.external_id},
                })
            })
            .collect();
        let body =
            json!({"applicationId": interview.application_id.as_str(), "interviewEvents": events});
        let w: wire::InterviewSchedule = self
            .client
            .results(OP, "interviewSchedule.create", body, CallKind::Write)
            .await?;
        let mut out = mapping::interview(w, Some(&interview.application_id));
        if out.external_id.is_none() {
            out.external_id = Some(interview.external_id.clone());
        }
        if out.events.is_empty() {
            out.events = interview.events.clone();
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atsbridge_core::ErrorKind;
    use atsbridge_core::model::InterviewEvent;
    use chrono::{Duration, Utc};

    fn new(events: Vec<InterviewEvent>) -> NewInterview {
        NewInterview {
            application_id: "app-1".into(),
            external_id: "dover-1".into(),
            events,
        }
    }

    #[test]
    fn events_are_checked() {
        let now = Utc::now();
        let ok = InterviewEvent {
            start: now,
            end: now + Duration::minutes(30),
            interviewer_emails: vec![],
        };
        assert!(validate(&new(vec![ok.clone()])).is_ok());
        let e = validate(&new(vec![])).unwrap_err();
        assert_eq!(
            e.kind(),
            &ErrorKind::InvalidInput {
                field: Some("events".into())
            }
        );
        let backwards = InterviewEvent {
            start: now,
            end: now - Duration::minutes(1),
            ..ok.clone()
        };
        assert!(validate(&new(vec![ok.clone(), backwards])).is_err());
        let zero = InterviewEvent {
            start: now,
            end: now,
            ..ok
        };
        assert!(validate(&new(vec![zero])).is_err());
    }
}
