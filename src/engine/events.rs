//! Mid-run tenant changes (`[[events]]`), sent through the target's Management API at their
//! time and recorded as [`EventRow`]s — not part of the measured mix. The bearer is a Management
//! token the fleet already holds (first client in plan order), else one for the event's client
//! through the run's token strategy (then that token request is counted like any other).
//!
//! rotate-secret does not change the credentials the engine uses: the fleet keeps the old
//! secret, so new token requests fail with 401 while cached tokens work until `exp`.

use std::rc::Rc;

use super::ctx::Ctx;
use super::sink::Msg;
use super::tokens::{FetchError, TokenKey};
use crate::metrics::EventRow;
use crate::ops::{Fill, Transport, management, transport};
use crate::scenario::{EventAction, EventPlan, Secret};

fn enc(v: &str) -> String {
    form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

async fn bearer<T>(ctx: &Ctx<T>, ev: &EventPlan) -> Result<Rc<Secret>, String> {
    let key = |client| TokenKey {
        client,
        audience: ctx.management_audience.clone(),
        scope: None,
    };
    if let Some(t) = (0..ctx.plan.clients.len()).find_map(|c| ctx.tokens.peek(&key(c))) {
        return Ok(t);
    }
    match ctx.tokens.bearer(&key(ev.client)).await {
        Ok(t) => Ok(t),
        Err(FetchError::Refused) => Err("no Management token: token guard exhausted".into()),
        Err(FetchError::Failed(f)) => Err(format!(
            "no Management token: {}",
            crate::metrics::Outcome::Token(f)
        )),
    }
}

fn status_text(outcome: crate::metrics::Outcome) -> String {
    if outcome.is_ok() {
        "ok".to_string()
    } else {
        format!("failed: {outcome}")
    }
}

async fn execute<T: Transport>(ctx: &Ctx<T>, ev: &EventPlan) -> String {
    let Some((client_id, _)) = ctx.credentials.get(ev.client) else {
        return "failed: unknown client".into();
    };
    let token = match bearer(ctx, ev).await {
        Ok(t) => t,
        Err(e) => return format!("failed: {e}"),
    };
    let audience = ev
        .audience
        .clone()
        .unwrap_or_else(|| ctx.management_audience.clone());
    // Built at the event's time (the paths hold ids); one that cannot be built is the event's
    // failure, nothing sent.
    let call = async |method: &str, path: String, body: Option<String>, keep_body: bool| {
        match management::template(&ctx.base, method, &path, &[], body.as_deref()) {
            Ok(t) => {
                let fill = Fill {
                    bearer: Some(&token),
                    ..Fill::default()
                };
                Ok(transport::send(&*ctx.transport, &t, fill, keep_body).await)
            }
            Err(e) => Err(format!("failed: {e}")),
        }
    };
    match ev.action {
        EventAction::RotateSecret => {
            // The reply holds the new secret: read and dropped, never kept or printed.
            let path = format!("/api/v2/clients/{}/rotate-secret", enc(client_id));
            match call("POST", path, None, false).await {
                Ok(reply) => status_text(reply.outcome),
                Err(e) => e,
            }
        }
        EventAction::DeleteGrant => {
            let path = format!(
                "/api/v2/client-grants?client_id={}&audience={}",
                enc(client_id),
                enc(&audience)
            );
            let reply = match call("GET", path, None, true).await {
                Ok(reply) => reply,
                Err(e) => return e,
            };
            if !reply.outcome.is_ok() {
                return format!("failed: finding the grant: {}", reply.outcome);
            }
            let list: serde_json::Value = reply
                .body
                .as_deref()
                .and_then(|b| serde_json::from_slice(b).ok())
                .unwrap_or_default();
            let grants = list
                .as_array()
                .or_else(|| list.get("client_grants").and_then(|g| g.as_array()));
            let Some(grant) = grants.and_then(|g| g.first()) else {
                return "failed: no such grant".into();
            };
            let Some(id) = grant.get("id").and_then(|i| i.as_str()) else {
                return "failed: grant without id".into();
            };
            let scope = grant.get("scope").cloned().unwrap_or_default();
            let path = format!("/api/v2/client-grants/{}", enc(id));
            let outcome = match call("DELETE", path, None, false).await {
                Ok(reply) => reply.outcome,
                Err(e) => return e,
            };
            if outcome.is_ok() {
                ctx.deleted_grants
                    .borrow_mut()
                    .insert((ev.client, audience), scope);
            }
            status_text(outcome)
        }
        EventAction::RestoreGrant => {
            let scope = ctx
                .deleted_grants
                .borrow()
                .get(&(ev.client, audience.clone()))
                .cloned()
                .unwrap_or_else(|| serde_json::json!([]));
            let body = serde_json::json!({
                "client_id": client_id,
                "audience": audience,
                "scope": scope,
            });
            let path = "/api/v2/client-grants".to_string();
            match call("POST", path, Some(body.to_string()), false).await {
                Ok(reply) => status_text(reply.outcome),
                Err(e) => e,
            }
        }
    }
}

/// Runs the plan's events at their times until the run stops.
pub async fn run<T: Transport>(ctx: Rc<Ctx<T>>) {
    let mut events = ctx.plan.events.clone();
    events.sort_by_key(|e| e.at);
    for ev in events {
        tokio::select! {
            () = tokio::time::sleep_until(ctx.t0 + ev.at) => {}
            () = ctx.stopper.stopped() => return,
        }
        let at_s = ctx.t0.elapsed().as_secs_f64();
        let outcome = execute(&ctx, &ev).await;
        let client = ctx
            .plan
            .clients
            .get(ev.client)
            .map_or("?", |c| c.name.as_str());
        let detail = match &ev.audience {
            Some(a) => format!("client={client} audience={a}"),
            None => format!("client={client}"),
        };
        ctx.sink.send(Msg::Event(EventRow {
            at_s,
            action: ev.action.label().to_string(),
            detail,
            outcome,
        }));
    }
}
