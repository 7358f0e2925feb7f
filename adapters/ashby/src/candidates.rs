//! Candidates: search, change stream, create, notes and email logging.

use crate::adapter::AshbyAdapter;
use crate::client::CallKind;
use crate::html::sanitize_note_html;
use crate::mapping;
use crate::pagination::cursor::Position;
use crate::wire;
use atsbridge_core::ids::{CandidateId, NoteId};
use atsbridge_core::model::{
    Candidate, ChangePage, EmailMessage, Identity, IdentityKind, LoggedEmail, NewCandidate,
    NewNote, NoteBody, SyncCursor,
};
use atsbridge_core::{AtsError, ErrorKind, Result};
use serde_json::{Map, Value, json};

/// The marker line that ties a fallback email note to its message id (see `log_email`).
const EMAIL_NOTE_MARKER: &str = "Dover message id:";

fn http_url(s: &str) -> bool {
    let l = s.trim().to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl AshbyAdapter {
    /// Email → `candidate.search`; Ashby cannot search by LinkedIn URL or phone.
    pub(crate) async fn op_find_candidates(&self, identity: &Identity) -> Result<Vec<Candidate>> {
        const OP: &str = "find_candidates";
        let kind_name = match identity.kind {
            IdentityKind::Email => "email",
            IdentityKind::LinkedIn => "linkedin",
            IdentityKind::Phone => "phone",
        };
        if identity.kind != IdentityKind::Email {
            return Err(AtsError::invalid_input(
                Some(kind_name),
                format!(
                    "Ashby cannot search candidates by {kind_name}; only email search is possible"
                ),
            )
            .with_operation(OP));
        }
        let email = identity.value.trim();
        if email.is_empty() {
            return Err(
                AtsError::invalid_input(Some("email"), "the email to search for is empty")
                    .with_operation(OP),
            );
        }
        let wanted = email.to_lowercase();
        let mut queries = vec![email.to_owned()];
        if wanted != email {
            queries.push(wanted.clone());
        }
        let mut found: Vec<Candidate> = Vec::new();
        for q in queries {
            let raw: Vec<wire::Candidate> = self
                .client
                .results(OP, "candidate.search", json!({"email": q}), CallKind::Read)
                .await?;
            for w in raw {
                let c = mapping::candidate(w, &self.fields);
                let matches = c
                    .profile
                    .emails
                    .iter()
                    .any(|e| e.trim().to_lowercase() == wanted);
                if matches && !found.iter().any(|f| f.id == c.id) {
                    found.push(c);
                }
            }
        }
        // Oldest first; records without a creation time last.
        found.sort_by_key(|c| (c.created_at.is_none(), c.created_at));
        Ok(found)
    }

    pub(crate) async fn op_candidate_changes(
        &self,
        since: Option<&SyncCursor>,
    ) -> Result<ChangePage<Candidate>> {
        const OP: &str = "candidate_changes";
        let pos = Position::decode(since).map_err(|e| e.with_operation(OP))?;
        let page = self
            .client
            .page::<wire::Candidate>(OP, "candidate.list", pos.request())
            .await?;
        let (next, more) = pos.after_page(page.more, page.next_cursor, page.sync_token);
        Ok(ChangePage {
            items: page
                .items
                .into_iter()
                .map(|w| mapping::candidate(w, &self.fields))
                .collect(),
            next: next.encode(),
            more,
        })
    }

    /// `candidate.create`, then title/company into the configured custom fields, then one
    /// sourcing note with the given note and whatever had no place (title, company, location,
    /// extra phones). Failures after the create are logged, not returned: the candidate exists
    /// and a retry must adopt it rather than create it again.
    pub(crate) async fn op_create_candidate(&self, new: &NewCandidate) -> Result<Candidate> {
        const OP: &str = "create_candidate";
        let p = &new.profile;
        let name = p.name.trim();
        if name.is_empty() {
            return Err(
                AtsError::invalid_input(Some("name"), "a candidate needs a name")
                    .with_operation(OP),
            );
        }
        let source_id = match &new.source_id {
            Some(s) => Some(s.clone()),
            None => self.dover_source_id(OP).await?,
        };
        let mut body = Map::new();
        body.insert("name".into(), json!(name));
        let emails: Vec<&str> = p
            .emails
            .iter()
            .map(|e| e.trim())
            .filter(|e| !e.is_empty())
            .collect();
        if let Some((first, rest)) = emails.split_first() {
            body.insert("email".into(), json!(first));
            if !rest.is_empty() {
                body.insert("alternateEmailAddresses".into(), json!(rest));
            }
        }
        let phones: Vec<&str> = p
            .phones
            .iter()
            .map(|e| e.trim())
            .filter(|e| !e.is_empty())
            .collect();
        if let Some(first) = phones.first() {
            body.insert("phoneNumber".into(), json!(first));
        }
        if let Some(li) = p
            .linkedin_url
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            body.insert("linkedInUrl".into(), json!(li));
        }
        let links: Vec<&str> = p
            .other_links
            .iter()
            .map(|l| l.trim())
            .filter(|l| http_url(l))
            .collect();
        if let Some(gh) = links
            .iter()
            .find(|l| l.to_ascii_lowercase().contains("github.com/"))
        {
            body.insert("githubUrl".into(), json!(gh));
        }
        if let Some(site) = links
            .iter()
            .find(|l| !l.to_ascii_lowercase().contains("github.com/"))
        {
            body.insert("website".into(), json!(site));
        }
        if let Some(s) = &source_id {
            body.insert("sourceId".into(), json!(s.as_str()));
        }
        if let Some(u) = &new.credited_to {
            body.insert("creditedToUserId".into(), json!(u.as_str()));
        }
        let w: wire::Candidate = self
            .client
            .results(OP, "candidate.create", Value::Object(body), CallKind::Write)
            .await?;
        let mut candidate = mapping::candidate(w, &self.fields);

        let mut note_lines: Vec<String> = Vec::new();
        let fields = [
            (
                p.current_title.as_deref(),
                self.fields.title.as_deref(),
                "Current title",
            ),
            (
                p.company.as_deref(),
                self.fields.company.as_deref(),
                "Current company",
            ),
        ];
        for (i, (value, field, label)) in fields.into_iter().enumerate() {
            let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
                continue;
            };
            let stored = match field {
                Some(field_id) => {
                    let body = json!({"objectId": candidate.id.as_str(), "objectType": "Candidate",
                                      "fieldId": field_id, "fieldValue": value});
                    match self
                        .client
                        .call(OP, "customField.setValue", body, CallKind::Write)
                        .await
                    {
                        Ok(_) => true,
                        Err(e) => {
                            tracing::warn!(error = %e.ats, "could not set an Ashby custom field; keeping the value in the sourcing note");
                            false
                        }
                    }
                }
                None => false,
            };
            if stored {
                if i == 0 {
                    candidate.profile.current_title = Some(value.to_owned());
                } else {
                    candidate.profile.company = Some(value.to_owned());
                }
            } else {
                note_lines.push(format!("{label}: {value}"));
            }
        }
        if let Some(loc) = p
            .location
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            note_lines.push(format!("Location: {loc}"));
        }
        if phones.len() > 1 {
            note_lines.push(format!("Other phones: {}", phones[1..].join(", ")));
        }
        let mut note = new
            .sourcing_note
            .as_deref()
            .map(str::trim)
            .unwrap_or("")
            .to_owned();
        if !note_lines.is_empty() {
            if !note.is_empty() {
                note.push_str("\n\n");
            }
            note.push_str(&note_lines.join("\n"));
        }
        if !note.is_empty() {
            let body = json!({"candidateId": candidate.id.as_str(), "note": note, "sendNotifications": false});
            if let Err(e) = self
                .client
                .call(OP, "candidate.createNote", body, CallKind::Write)
                .await
            {
                tracing::warn!(error = %e.ats, "could not add the sourcing note to the new Ashby candidate");
            }
        }
        Ok(candidate)
    }

    pub(crate) async fn op_add_note(&self, note: &NewNote) -> Result<NoteId> {
        self.create_note("add_note", &note.candidate_id, &note.body)
            .await
    }

    async fn create_note(
        &self,
        op: &'static str,
        candidate: &CandidateId,
        body: &NoteBody,
    ) -> Result<NoteId> {
        let note = match body {
            NoteBody::Plain(text) => json!(text),
            NoteBody::Html(html) => json!({"type": "text/html", "value": sanitize_note_html(html)}),
        };
        let body =
            json!({"candidateId": candidate.as_str(), "note": note, "sendNotifications": false});
        let w: wire::Note = self
            .client
            .results(op, "candidate.createNote", body, CallKind::Write)
            .await?;
        Ok(NoteId::new(w.id))
    }

    /// `candidate.addEmailMessage` keyed by the message id (Ashby keeps one message per
    /// `emailProviderEmailId`). When Ashby refuses it for lack of permission or does not know the
    /// endpoint, the email is logged as an HTML note carrying a `Dover message id:` line; an
    /// existing note with that line is reused, so the fallback is idempotent too.
    pub(crate) async fn op_log_email(&self, email: &EmailMessage) -> Result<LoggedEmail> {
        const OP: &str = "log_email";
        // Ashby takes `to` and `cc` as single strings: recipients are joined with ", ".
        let mut body = json!({
            "candidateId": email.candidate_id.as_str(),
            "emailProviderEmailId": email.message_id,
            "subject": email.subject,
            "from": email.from,
            "to": email.to.join(", "),
            "body": email.body_html,
            "sentAt": email.sent_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        });
        if !email.cc.is_empty() {
            body["cc"] = json!(email.cc.join(", "));
        }
        if email.message_id.starts_with('<') && email.message_id.ends_with('>') {
            body["messageIdHeader"] = json!(email.message_id);
        }
        let err = match self
            .client
            .call(OP, "candidate.addEmailMessage", body, CallKind::Write)
            .await
        {
            Ok(_) => return Ok(LoggedEmail::AsEmail),
            Err(e) => e,
        };
        let fall_back =
            matches!(err.kind(), ErrorKind::PermissionDenied { .. }) || err.is_unknown_endpoint();
        if !fall_back {
            return Err(err.into());
        }
        tracing::info!(reason = %err.ats, "Ashby refused email logging; logging the email as a note");
        let marker = format!("{EMAIL_NOTE_MARKER} {}", email.message_id);
        let existing = self
            .client
            .all::<wire::Note>(
                OP,
                "candidate.listNotes",
                json!({"candidateId": email.candidate_id.as_str()}),
            )
            .await;
        match existing {
            Ok(notes) => {
                let escaped = escape_html(&marker);
                let tagged = |c: &str| c.contains(&marker) || c.contains(&escaped);
                if let Some(n) = notes
                    .into_iter()
                    .find(|n| n.content.as_deref().is_some_and(tagged))
                {
                    return Ok(LoggedEmail::AsNote(NoteId::new(n.id)));
                }
            }
            Err(e)
                if matches!(e.kind(), ErrorKind::PermissionDenied { .. })
                    || e.is_unknown_endpoint() => {}
            Err(e) => return Err(e.into()),
        }
        let mut html = format!(
            "<b>Email: {}</b>\nFrom: {}\nTo: {}\n",
            escape_html(&email.subject),
            escape_html(&email.from),
            escape_html(&email.to.join(", "))
        );
        if !email.cc.is_empty() {
            html.push_str(&format!("Cc: {}\n", escape_html(&email.cc.join(", "))));
        }
        html.push_str(&format!(
            "Sent: {}\n\n",
            email
                .sent_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ));
        html.push_str(&email.body_html);
        html.push_str(&format!("\n\n{}", escape_html(&marker)));
        let id = self
            .create_note(OP, &email.candidate_id, &NoteBody::Html(html))
            .await?;
        Ok(LoggedEmail::AsNote(id))
    }
}
