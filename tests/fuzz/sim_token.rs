//! Fuzz target: the simulator's `POST /oauth/token`, driven in process through its router.
//! Requests are built from labelled parts (each field right, wrong, empty, huge, of the wrong
//! JSON type, duplicated; form or JSON or a mismatched content type; HTTP Basic good or broken),
//! and a model of Auth0's checks says which answer each must get: the exact status and `error`
//! code, an Auth0 body, a token with the right claims when issued — never a 5xx, never a secret
//! in an error. A second target sends raw bytes under any content type.
//!
//! Time-boxed (see `fuzz_support`): ~25 s in CI, `QUOTAPROBE_FUZZ_SECS` for longer.
#![allow(clippy::unwrap_used)]

use crate::support::fuzz as fuzz_support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use fuzz_support::sim::{self as fs, Answer, CUSTOM, READER_ID};
use proptest::prelude::*;
use quotaprobe::sim::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, jwt};
use serde_json::Value;

/// One body field as sent.
#[derive(Debug, Clone)]
enum Field {
    Absent,
    /// JSON `null` (absent in a form).
    Null,
    /// A JSON number where a string belongs (digits in a form).
    Number(i64),
    Text(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Encoding {
    Form,
    Json,
    /// Form bytes labelled JSON, JSON bytes labelled form, or no/other content type.
    Mismatched(&'static str),
}

#[derive(Debug, Clone)]
struct Case {
    fields: [Field; 5],
    /// Index of a field sent twice.
    duplicate: Option<usize>,
    extra: Vec<(String, String)>,
    basic: Option<String>,
    encoding: Encoding,
}

const KEYS: [&str; 5] = [
    "grant_type",
    "client_id",
    "client_secret",
    "audience",
    "scope",
];

fn huge() -> impl Strategy<Value = String> {
    (1usize..200_000, "[a-zA-Z0-9:/ ._%+-]").prop_map(|(n, c)| c.repeat(n))
}

/// Text no real secret can come from.
fn odd() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".to_string()),
        "\\PC{0,40}",
        "[ -~]{0,40}",
        huge(),
    ]
}

/// Mostly one of the `right` values, else a wrong one, absent, null, a number or odd text.
fn field(right: Vec<String>, wrong: Vec<String>) -> impl Strategy<Value = Field> {
    prop_oneof![
        1 => Just(Field::Absent),
        1 => Just(Field::Null),
        1 => any::<i64>().prop_map(Field::Number),
        2 => odd().prop_map(Field::Text),
        3 => prop::sample::select(wrong).prop_map(Field::Text),
        30 => prop::sample::select(right).prop_map(Field::Text),
    ]
}

fn scope_field() -> impl Strategy<Value = Field> {
    let words = prop::sample::subsequence(
        vec![
            "read:users",
            "read:clients",
            "read:data",
            "write:data",
            "create:users",
            "nope",
        ],
        0..4,
    );
    let sep = prop::sample::select(vec![" ", "  ", "\t", " \n "]);
    prop_oneof![
        4 => Just(Field::Absent),
        1 => Just(Field::Null),
        1 => odd().prop_map(Field::Text),
        6 => (words, sep).prop_map(|(w, s)| Field::Text(w.join(s))),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let mgmt = fs::management_audience();
    let fields = (
        field(
            vec!["client_credentials".into()],
            vec![
                "password".into(),
                "Client_Credentials".into(),
                "refresh_token".into(),
            ],
        ),
        field(
            vec![
                DEMO_CLIENT_ID.into(),
                DEMO_CLIENT_ID.into(),
                READER_ID.into(),
            ],
            vec!["nobody".into(), format!("{DEMO_CLIENT_ID} ")],
        ),
        // "RIGHT" is replaced by the secret of the client id the request ends up naming.
        field(
            vec!["RIGHT".into()],
            vec![DEMO_CLIENT_SECRET.into(), "secret".into()],
        ),
        field(
            vec![mgmt.clone(), CUSTOM.into()],
            vec![CUSTOM.trim_end_matches('/').into(), mgmt.to_uppercase()],
        ),
        scope_field(),
    );
    let basic = prop_oneof![
        4 => Just(None),
        2 => prop::sample::select(vec![DEMO_CLIENT_ID, READER_ID])
            .prop_map(|id| Some(format!("Basic {}", STANDARD.encode(format!("{id}:RIGHT"))))),
        1 => "[ -~]{0,40}".prop_map(|s| Some(format!("Basic {s}"))),
        1 => "[ -~]{0,20}".prop_map(|s| Some(format!("Basic {}", STANDARD.encode(s)))),
        1 => "[ -~]{0,40}".prop_map(Some),
    ];
    let encoding = prop_oneof![
        6 => Just(Encoding::Form),
        6 => Just(Encoding::Json),
        1 => prop::sample::select(vec!["text/plain", "", "application/jsonx", "multipart/form-data"])
            .prop_map(Encoding::Mismatched),
    ];
    let extra = prop::collection::vec(("[a-z_]{1,12}", "[ -~]{0,20}"), 0..3);
    (
        fields,
        prop::option::weighted(0.05, 0..5usize),
        extra,
        basic,
        encoding,
    )
        .prop_map(
            |((g, i, s, a, sc), duplicate, extra, basic, encoding)| Case {
                fields: [g, i, s, a, sc],
                duplicate,
                extra,
                basic,
                encoding,
            },
        )
}

/// The string a field stands for after parsing (`None`: absent).
fn text(f: &Field) -> Option<String> {
    match f {
        Field::Text(t) => Some(t.clone()),
        _ => None,
    }
}

/// HTTP Basic as the tenant reads it: `Basic base64(id:secret)`.
fn basic_pair(h: &str) -> Option<(String, String)> {
    let (kind, b64) = h.trim().split_once(' ')?;
    kind.eq_ignore_ascii_case("basic").then_some(())?;
    let text = String::from_utf8(STANDARD.decode(b64.trim()).ok()?).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// Replace the "RIGHT" placeholder by the secret of the id the request names.
fn resolve(mut case: Case) -> Case {
    let basic = case.basic.as_deref().and_then(basic_pair);
    let id = text(&case.fields[1]).or(basic.map(|b| b.0));
    let right = id
        .as_deref()
        .and_then(fs::secret_of)
        .unwrap_or("not-a-secret");
    if let Field::Text(t) = &mut case.fields[2]
        && t == "RIGHT"
    {
        *t = right.to_string();
    }
    if let Some(b) = &mut case.basic
        && let Some(encoded) = b.strip_prefix("Basic ")
    {
        let decoded = STANDARD
            .decode(encoded)
            .ok()
            .and_then(|d| String::from_utf8(d).ok());
        if let Some((bid, "RIGHT")) = decoded.as_deref().and_then(|d| d.split_once(':')) {
            let s = fs::secret_of(bid).unwrap_or("not-a-secret");
            *b = format!("Basic {}", STANDARD.encode(format!("{bid}:{s}")));
        }
    }
    case
}

/// What Auth0 answers: (status, `error`), and on success (audience, scope) of the token.
fn model(c: &Case) -> (u16, &'static str, Option<(String, String)>) {
    let bad_body = (400, "invalid_request", None);
    // A key sent twice is refused, as any unparseable body (null is not sent in a form).
    let sent_twice = c.duplicate.is_some_and(|i| match &c.fields[i] {
        Field::Absent => false,
        Field::Null => c.encoding != Encoding::Form,
        _ => true,
    });
    if matches!(c.encoding, Encoding::Mismatched(_)) || sent_twice {
        return bad_body;
    }
    if c.encoding == Encoding::Json && c.fields.iter().any(|f| matches!(f, Field::Number(_))) {
        return bad_body;
    }
    let get = |i: usize| match (&c.fields[i], c.encoding) {
        (Field::Number(n), Encoding::Form) => Some(n.to_string()),
        (f, _) => text(f),
    };
    let basic = c.basic.as_deref().and_then(basic_pair);
    match get(0).as_deref() {
        None | Some("") => return (400, "invalid_request", None),
        Some("client_credentials") => {}
        Some(_) => return (400, "unsupported_grant_type", None),
    }
    let id = get(1).or(basic.clone().map(|b| b.0));
    let secret = get(2).or(basic.map(|b| b.1));
    let Some(id) = id.filter(|i| !i.is_empty()) else {
        return (400, "invalid_request", None);
    };
    if fs::secret_of(&id).is_none() || fs::secret_of(&id) != secret.as_deref() {
        return (401, "access_denied", None);
    }
    let Some(audience) = get(3).filter(|a| !a.is_empty()) else {
        return (403, "access_denied", None);
    };
    let Some(granted) = fs::granted(&id, &audience) else {
        return (403, "access_denied", None);
    };
    let scope = get(4)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let scope = match scope {
        None => granted.join(" "),
        Some(asked) => {
            if asked
                .split_whitespace()
                .any(|s| !granted.iter().any(|g| g == s))
            {
                return (403, "access_denied", None);
            }
            asked.split_whitespace().collect::<Vec<_>>().join(" ")
        }
    };
    (200, "", Some((audience, scope)))
}

fn encode(c: &Case) -> (Vec<u8>, &'static str) {
    let mut pairs: Vec<(String, Value)> = Vec::new();
    for (i, f) in c.fields.iter().enumerate() {
        let v = match f {
            Field::Absent => continue,
            Field::Null => Value::Null,
            Field::Number(n) => Value::from(*n),
            Field::Text(t) => Value::from(t.as_str()),
        };
        pairs.push((KEYS[i].to_string(), v.clone()));
        if c.duplicate == Some(i) {
            pairs.push((KEYS[i].to_string(), v));
        }
    }
    for (k, v) in &c.extra {
        if !KEYS.contains(&k.as_str()) {
            pairs.push((k.clone(), Value::from(v.as_str())));
        }
    }
    let form = || {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &pairs {
            match v {
                Value::Null => {}
                Value::String(t) => {
                    s.append_pair(k, t);
                }
                other => {
                    s.append_pair(k, &other.to_string());
                }
            }
        }
        s.finish().into_bytes()
    };
    // JSON objects written by hand, so a duplicated key really is sent twice.
    let json = || {
        let items: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}:{v}", Value::from(k.as_str())))
            .collect();
        format!("{{{}}}", items.join(",")).into_bytes()
    };
    match c.encoding {
        Encoding::Form => (form(), "application/x-www-form-urlencoded"),
        Encoding::Json => (json(), "application/json"),
        Encoding::Mismatched("application/jsonx") => (json(), "application/jsonx"),
        Encoding::Mismatched("") => (form(), ""),
        Encoding::Mismatched(ct) => (json(), ct),
    }
}

fn request(body: Vec<u8>, content_type: &str, auth: Option<&str>) -> Request<Body> {
    let mut r = Request::post("/oauth/token").header("content-length", body.len());
    if !content_type.is_empty() {
        r = r.header("content-type", content_type);
    }
    if let Some(a) = auth {
        r = r.header("authorization", a);
    }
    r.body(Body::from(body)).unwrap()
}

/// Bodies declared larger than this get 413 before any check (`sim::routes::MAX_BODY_BYTES`).
const MAX_BODY: usize = 1024 * 1024;

fn check(case: &Case, body_len: usize, a: &Answer) -> Result<(), TestCaseError> {
    prop_assert!(!a.status.is_server_error(), "{} {}", a.status, a.text());
    if body_len > MAX_BODY {
        prop_assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
        let (code, _) = fs::mgmt_error(a).ok_or_else(|| TestCaseError::fail(a.text()))?;
        prop_assert_eq!(code, "payload_too_large");
        return Ok(());
    }
    let (status, error, issued) = model(case);
    prop_assert_eq!(a.status.as_u16(), status, "{}", a.text());
    prop_assert_eq!(
        a.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let Some((audience, scope)) = issued else {
        let (code, _) = fs::oauth_error(a).ok_or_else(|| TestCaseError::fail(a.text()))?;
        prop_assert_eq!(code, error);
        for secret in [DEMO_CLIENT_SECRET, fs::READER_SECRET] {
            prop_assert!(!a.text().contains(secret), "error body echoes a secret");
        }
        return Ok(());
    };
    let v = a.json().unwrap();
    prop_assert_eq!(&v["token_type"], "Bearer");
    prop_assert_eq!(&v["expires_in"], 86_400);
    prop_assert_eq!(v["scope"].as_str(), Some(scope.as_str()));
    let claims = jwt::keys(2048)
        .unwrap()
        .verify(v["access_token"].as_str().unwrap())
        .map_err(|e| TestCaseError::fail(format!("issued token does not verify: {e}")))?;
    prop_assert_eq!(claims.aud, audience);
    prop_assert_eq!(claims.iss, fs::issuer());
    prop_assert_eq!(claims.scope, scope);
    prop_assert!(claims.sub.ends_with("@clients"));
    Ok(())
}

#[test]
fn token_requests_get_the_answer_auth0_gives() {
    let router = fs::router();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let issued = std::cell::Cell::new(0u64);
    let ran = fuzz_support::run(
        "oauth_token",
        case().prop_map(resolve),
        fuzz_support::budget(25.0),
        1_000_000,
        |case| {
            let (body, ct) = encode(&case);
            let len = body.len();
            let a = rt.block_on(fs::call(&router, request(body, ct, case.basic.as_deref())));
            check(&case, len, &a)?;
            issued.set(issued.get() + u64::from(a.status == StatusCode::OK));
            Ok(())
        },
    );
    // The mix reaches both sides of the model, not only its first refusals.
    assert!(ran.cases >= 500, "only {} cases", ran.cases);
    assert!(
        issued.get() * 20 >= ran.cases,
        "{} of {} issued",
        issued.get(),
        ran.cases
    );
}

#[test]
fn raw_bodies_under_any_content_type_get_a_400_family_answer() {
    let router = fs::router();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ct = prop_oneof![
        Just(String::new()),
        Just("application/json".to_string()),
        Just("application/x-www-form-urlencoded".to_string()),
        Just("application/json; charset=utf-16".to_string()),
        "[ -~]{0,30}",
    ];
    let body = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        "\\PC{0,200}".prop_map(String::into_bytes),
        "([a-z_]{1,12}=[%0-9A-Za-z+&=]{0,12}&?){0,6}".prop_map(String::into_bytes),
        "\\{(\"[a-z_]{1,12}\":(\"[^\"]{0,10}\"|[0-9]{1,30}|null|\\[\\]|\\{\\}|true),?){0,5}\\}?"
            .prop_map(String::into_bytes),
    ];
    let auth = prop::option::of("[ -~]{0,60}");
    fuzz_support::run(
        "oauth_token_raw",
        (ct, body, auth),
        fuzz_support::budget(10.0),
        1_000_000,
        |(ct, body, auth)| {
            let a = rt.block_on(fs::call(&router, request(body, &ct, auth.as_deref())));
            prop_assert!(
                matches!(a.status.as_u16(), 400 | 401 | 403),
                "{} {}",
                a.status,
                a.text()
            );
            prop_assert!(
                fs::oauth_error(&a).is_some(),
                "not an Auth0 body: {}",
                a.text()
            );
            Ok(())
        },
    );
}
