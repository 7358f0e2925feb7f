//! webhook.* endpoints.

use serde_json::{Value, json};

use super::{Req, opt_bool, opt_str, req_str};
use crate::envelope::{ApiError, Reply};
use crate::ids::{Kind, id};
use crate::model::Webhook;
use crate::webhooks::WEBHOOK_TYPES;

fn valid_url(u: &str) -> Result<(), ApiError> {
    if u.starts_with("http://") || u.starts_with("https://") {
        Ok(())
    } else {
        Err(ApiError::invalid("requestUrl must be an http(s) URL"))
    }
}

fn view(w: &Webhook, i: u32, with_secret: bool) -> Value {
    let mut v = json!({
        "id": id(Kind::Webhook, i),
        "enabled": w.enabled,
        "requestUrl": w.url,
        "webhookType": w.kind,
    });
    if with_secret {
        v["secretToken"] = json!(w.secret);
    }
    v
}

pub(crate) fn create(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let kind = req_str(b, "webhookType")?;
    if !WEBHOOK_TYPES.contains(&kind) {
        return Err(ApiError::invalid(format!(
            "webhookType: {kind:?} is not a webhook type"
        )));
    }
    let url = req_str(b, "requestUrl")?;
    valid_url(url)?;
    let secret = req_str(b, "secretToken")?;
    r.st.webhooks.push(Webhook {
        kind: kind.into(),
        url: url.into(),
        secret: secret.into(),
        enabled: true,
        deleted: false,
    });
    let i = r.st.webhooks.len() as u32 - 1;
    Ok(Reply::One(view(&r.st.webhooks[i as usize], i, true)))
}

pub(crate) fn info(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let i = r.st.webhook_idx(req_str(b, "webhookId")?)?;
    Ok(Reply::One(view(&r.st.webhooks[i as usize], i, false)))
}

pub(crate) fn update(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let i = r.st.webhook_idx(req_str(b, "webhookId")?)?;
    let enabled = opt_bool(b, "enabled")?;
    let url = opt_str(b, "requestUrl")?;
    let secret = opt_str(b, "secretToken")?;
    if enabled.is_none() && url.is_none() && secret.is_none() {
        return Err(ApiError::invalid(
            "At least one of enabled, requestUrl, secretToken is required",
        ));
    }
    if let Some(u) = url {
        valid_url(u)?;
    }
    let w = &mut r.st.webhooks[i as usize];
    if let Some(e) = enabled {
        w.enabled = e;
    }
    if let Some(u) = url {
        w.url = u.into();
    }
    if let Some(s) = secret {
        w.secret = s.into();
    }
    Ok(Reply::One(view(w, i, true)))
}

pub(crate) fn delete(r: &mut Req<'_>, b: &Value) -> Result<Reply, ApiError> {
    let wid = req_str(b, "webhookId")?;
    let i = r.st.webhook_idx(wid)?;
    r.st.webhooks[i as usize].deleted = true;
    Ok(Reply::One(json!({"webhookId": wid})))
}
