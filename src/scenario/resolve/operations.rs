//! Operations (one at a time; the mix is scenario/resolve/mix.rs), events and thresholds: what is sent, what changes mid-run, what must hold.

use std::collections::BTreeMap;
use std::time::Duration;

use super::Resolver;
use crate::scenario::plan::*;
use crate::scenario::spec::{EventSpec, OperationSpec, ThresholdSpec};

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

fn client_index(
    r: &mut Resolver<'_>,
    path: &[&str],
    name: Option<&str>,
    clients: &[ClientPlan],
) -> usize {
    let Some(name) = name else { return 0 };
    match clients.iter().position(|c| c.name == name) {
        Some(i) => i,
        None => {
            let known: Vec<&str> = clients.iter().map(|c| c.name.as_str()).collect();
            r.problem(
                path,
                format!(
                    "no client named {name:?}; define it in [[clients]] or use one of: {}",
                    known.join(", ")
                ),
            );
            0
        }
    }
}

fn method(r: &mut Resolver<'_>, path: &[&str], m: Option<&str>) -> String {
    let m = m.unwrap_or("GET").to_ascii_uppercase();
    if !METHODS.contains(&m.as_str()) {
        r.problem(
            path,
            format!(
                "unknown HTTP method {m:?}; use one of {}",
                METHODS.join(", ")
            ),
        );
    }
    m
}

/// Keys that make no sense for a kind are errors, so a typo'd intent is not silently ignored.
pub(super) fn unused(r: &mut Resolver<'_>, at: &[&str], kind: &str, keys: &[(&str, bool)]) {
    for (key, set) in keys {
        if *set {
            r.problem(
                &key_at(at, key),
                format!("is not used by kind = \"{kind}\"; remove it"),
            );
        }
    }
}

/// `at` + `key`: the key path of a key of the operation at `at`.
pub(super) fn key_at<'a>(at: &[&'a str], key: &'a str) -> Vec<&'a str> {
    let mut out = at.to_vec();
    out.push(key);
    out
}

/// The resolved operations: plan operations (a flow's steps among them, in place), the flows,
/// and each plan operation's key path in the file (`operations.2` or `operations.2.steps.0`).
pub(super) struct Resolved {
    pub operations: Vec<OperationPlan>,
    pub flows: Vec<FlowPlan>,
    pub keys: Vec<Vec<String>>,
}

/// The operation's `headers`, interpolated; with `tool_auth` (why), an `Authorization` header is
/// refused: the tool authenticates that request.
fn headers(
    r: &mut Resolver<'_>,
    at: &[&str],
    o: &OperationSpec,
    tool_auth: Option<&str>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in &o.headers {
        let mut key = key_at(at, "headers");
        key.push(k);
        match tool_auth {
            Some(why) if k.eq_ignore_ascii_case("authorization") => r.problem(&key, why),
            _ => {
                if let Some(v) = r.text(&key, v) {
                    out.push((k.clone(), v));
                }
            }
        }
    }
    out
}

/// What one (non-flow) operation at key path `at` sends.
pub(super) fn kind(
    r: &mut Resolver<'_>,
    at: &[&str],
    o: &OperationSpec,
    clients: &[ClientPlan],
) -> Option<OperationKind> {
    let client = client_index(r, &key_at(at, "client"), o.client.as_deref(), clients);
    let audience = o
        .audience
        .as_ref()
        .and_then(|a| r.text(&key_at(at, "audience"), a));
    let scope = o.scope.clone();
    let body = o.body.as_ref().and_then(|b| r.text(&key_at(at, "body"), b));
    let kind = match o.kind.as_str() {
        "token" => {
            unused(
                r,
                at,
                "token",
                &[
                    ("method", o.method.is_some()),
                    ("path", o.path.is_some()),
                    ("url", o.url.is_some()),
                    ("body", o.body.is_some()),
                ],
            );
            let mut headers = headers(
                r,
                at,
                o,
                Some(
                    "a token request's credentials are the tool's (client_id and client_secret from [[clients]], in the body); remove the Authorization header",
                ),
            );
            headers.retain(|(k, _)| {
                let tool = k.eq_ignore_ascii_case("content-type");
                if tool {
                    let mut key = key_at(at, "headers");
                    key.push(k);
                    r.problem(&key, "a token request's Content-Type follows [tokens] format (form or json); remove it");
                }
                !tool
            });
            OperationKind::Token {
                client,
                audience,
                scope,
                headers,
            }
        }
        "management" => {
            unused(
                r,
                at,
                "management",
                &[("url", o.url.is_some()), ("audience", o.audience.is_some())],
            );
            let path = match &o.path {
                Some(p) if p.starts_with("/api/v2/") => {
                    r.text(&key_at(at, "path"), p).unwrap_or_default()
                }
                Some(p) => {
                    r.problem(
                        &key_at(at, "path"),
                        format!("{p:?} is not a Management API path; it must start with /api/v2/"),
                    );
                    String::new()
                }
                None => {
                    r.problem(at, "kind = \"management\" needs path = \"/api/v2/...\"");
                    String::new()
                }
            };
            let method = method(r, &key_at(at, "method"), o.method.as_deref());
            let headers = headers(
                r,
                at,
                o,
                Some(
                    "a Management call's Authorization is the tool's (a bearer from [tokens]); remove it",
                ),
            );
            OperationKind::Management {
                client,
                method,
                path,
                headers,
                body,
            }
        }
        "http" => {
            unused(r, at, "http", &[("path", o.path.is_some())]);
            let url = match &o.url {
                Some(u) => {
                    let u = r.text(&key_at(at, "url"), u).unwrap_or_default();
                    if !(u.starts_with('/')
                        || u.starts_with("http://")
                        || u.starts_with("https://"))
                    {
                        r.problem(
                            &key_at(at, "url"),
                            format!(
                                "{u:?} must be absolute (https://...) or target-relative (/path)"
                            ),
                        );
                    }
                    u
                }
                None => {
                    r.problem(
                        at,
                        "kind = \"http\" needs url = \"https://...\" or \"/path\"",
                    );
                    String::new()
                }
            };
            let method = method(r, &key_at(at, "method"), o.method.as_deref());
            let headers = headers(r, at, o, None);
            let bearer = (o.audience.is_some() || o.client.is_some()).then_some(BearerPlan {
                client,
                audience,
                scope,
            });
            OperationKind::Http {
                method,
                url,
                headers,
                body,
                bearer,
            }
        }
        other => {
            r.problem(
                &key_at(at, "kind"),
                format!(
                    "unknown kind {other:?}; use \"token\", \"management\", \"http\" or \"flow\""
                ),
            );
            return None;
        }
    };
    Some(kind)
}

pub(super) fn events(
    r: &mut Resolver<'_>,
    specs: &[EventSpec],
    clients: &[ClientPlan],
    real: bool,
    planned: Duration,
) -> Vec<EventPlan> {
    let mut out = Vec::new();
    for (i, e) in specs.iter().enumerate() {
        let idx = i.to_string();
        let idx = idx.as_str();
        let at = humantime::parse_duration(e.at.trim()).ok();
        if at.is_none() {
            r.problem(
                &["events", idx, "at"],
                format!("{:?} is not a duration; write it like \"40s\"", e.at),
            );
        }
        let at = at.unwrap_or_default();
        if at >= planned && !planned.is_zero() {
            r.problem(
                &["events", idx, "at"],
                format!(
                    "{} is at or after the end of the phases ({}); move it earlier",
                    e.at,
                    humantime::format_duration(planned)
                ),
            );
        }
        let action = match e.action.as_str() {
            "rotate-secret" => EventAction::RotateSecret,
            "delete-grant" => EventAction::DeleteGrant,
            "restore-grant" => EventAction::RestoreGrant,
            other => {
                r.problem(&["events", idx, "action"], format!("unknown action {other:?}; use \"rotate-secret\", \"delete-grant\" or \"restore-grant\""));
                continue;
            }
        };
        if real && !e.allow_on_real_tenant {
            r.problem(&["events", idx], "changes a real tenant's configuration; add allow_on_real_tenant = true if you really mean it");
        }
        let client = client_index(r, &["events", idx, "client"], Some(&e.client), clients);
        let audience = e
            .audience
            .as_ref()
            .and_then(|a| r.text(&["events", idx, "audience"], a));
        out.push(EventPlan {
            at,
            action,
            client,
            audience,
        });
    }
    out
}

pub(super) fn thresholds(
    r: &mut Resolver<'_>,
    specs: &BTreeMap<String, ThresholdSpec>,
    ops: &[OperationPlan],
) -> Vec<ThresholdPlan> {
    let mut out = Vec::new();
    for (name, spec) in specs {
        let operation = if name == "ALL" {
            None
        } else {
            match ops.iter().position(|o| &o.name == name) {
                Some(i) => Some(i),
                None => {
                    let known: Vec<&str> = ops.iter().map(|o| o.name.as_str()).collect();
                    r.problem(
                        &["thresholds", name],
                        format!(
                            "no operation named {name:?}; use \"ALL\" or one of: {}",
                            known.join(", ")
                        ),
                    );
                    continue;
                }
            }
        };
        let limits = spec.limits();
        if limits.is_empty() {
            r.problem(&["thresholds", name], "sets no limit; add p99_ms, p50_ms, max_429_ratio, max_error_ratio, min_achieved_rps, max_quota_pct, min_ok_rps or max_wire_rps");
        }
        for (key, limit) in limits {
            let Some(metric) = ThresholdMetric::ALL.into_iter().find(|m| m.key() == key) else {
                continue;
            };
            let ratio = matches!(
                metric,
                ThresholdMetric::Max429Ratio | ThresholdMetric::MaxErrorRatio
            );
            if !limit.is_finite() || limit < 0.0 || (ratio && limit > 1.0) {
                let range = if ratio { "between 0 and 1" } else { ">= 0" };
                r.problem(
                    &["thresholds", name, key],
                    format!("must be {range}, got {limit}"),
                );
                continue;
            }
            out.push(ThresholdPlan {
                operation,
                metric,
                limit,
                abort: spec.abort,
            });
        }
    }
    out
}
