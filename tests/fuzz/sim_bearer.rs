//! Fuzz target: the simulator's bearer check on the Management API and the demo API, driven in
//! process through its router. Authorization headers are built from labelled parts — the scheme
//! in any case and spacing, or none; tokens correctly signed with wrong issuer, audience, expiry,
//! scopes or claim types; forged (payload swapped, signature flipped or cut, `alg` changed to
//! `none`/`HS256`-with-the-public-key/others, padded base64); or garbage — and a model says which
//! Auth0 answer each gets: 401 "Missing authentication" (no `attributes`) or a 401 whose
//! `attributes.error` repeats the message (invalid, expired, bad audience), 403
//! `insufficient_scope`, or 200. Never a 5xx, never the token echoed back.
//!
//! Time-boxed (see `fuzz_support`): ~25 s in CI, `QUOTAPROBE_FUZZ_SECS` for longer.
#![allow(clippy::unwrap_used)]

use crate::support::fuzz as fuzz_support;

use aws_lc_rs::hmac;
use axum::body::Body;
use axum::http::{HeaderValue, Request};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64};
use fuzz_support::sim::{self as fs, Answer, CUSTOM};
use proptest::prelude::*;
use quotaprobe::sim::jwt;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Missing,
    Invalid,
    Expired,
    BadAudience,
    Scope,
    Ok,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Endpoint {
    /// `GET /api/v2/users`, scope `read:users`.
    Users,
    /// `GET /api/v2/clients`, scope `read:clients`.
    Clients,
    /// `GET /demo-api/orders`: any registered custom API's token.
    Demo,
}

/// Claims as the test chooses them; `exp_offset` is seconds from now (negative: past).
#[derive(Debug, Clone)]
struct Claims {
    right_issuer: bool,
    aud: String,
    exp_offset: i64,
    scopes: Vec<&'static str>,
}

#[derive(Debug, Clone)]
enum Forge {
    None,
    /// Another payload under the original signature.
    SwapPayload,
    FlipSignatureByte(usize),
    CutSignature(usize),
    /// The header re-encoded with this `alg` (or none), signature kept.
    Alg(Option<&'static str>),
    AlgNone,
    /// `HS256` keyed with the tenant's public modulus (the classic key-confusion attack).
    Hs256WithPublicKey,
    PaddedBase64,
    /// A claim removed or of the wrong type, correctly signed.
    BadClaim(&'static str, Value),
}

#[derive(Debug, Clone)]
enum Token {
    Signed(Claims, Forge),
    Garbage(String),
}

#[derive(Debug, Clone)]
enum Header {
    Absent,
    /// `{scheme}{sep}{token}{trail}`.
    Scheme(&'static str, &'static str, Token, &'static str),
    Raw(Vec<u8>),
}

fn claims() -> impl Strategy<Value = Claims> {
    let aud = prop_oneof![
        4 => Just(fs::management_audience()),
        2 => Just(CUSTOM.to_string()),
        1 => "[ -~]{0,30}",
    ];
    let exp = prop_oneof![
        6 => 3_600i64..=10_000_000_000,
        2 => -10_000_000_000i64..=-1,
        1 => Just(0i64),
        1 => Just(i64::MAX),
    ];
    let scopes = prop::sample::subsequence(
        vec!["read:users", "read:clients", "read:data", "delete:users"],
        0..=4,
    );
    (prop::bool::weighted(0.9), aud, exp, scopes).prop_map(
        |(right_issuer, aud, exp_offset, scopes)| Claims {
            right_issuer,
            aud,
            exp_offset,
            scopes,
        },
    )
}

fn forge() -> impl Strategy<Value = Forge> {
    prop_oneof![
        10 => Just(Forge::None),
        1 => Just(Forge::SwapPayload),
        1 => any::<usize>().prop_map(Forge::FlipSignatureByte),
        1 => (0usize..400).prop_map(Forge::CutSignature),
        1 => prop::sample::select(vec![None, Some("none"), Some("HS256"), Some("RS512"), Some("rs256"), Some("ES256")])
            .prop_map(Forge::Alg),
        1 => Just(Forge::AlgNone),
        1 => Just(Forge::Hs256WithPublicKey),
        1 => Just(Forge::PaddedBase64),
        2 => (
            // Not `jti`: Auth0's access-token profile has none, so a token without one (or with
            // null) is valid; the tenant issues none (src/sim/jwt.rs).
            prop::sample::select(vec!["iss", "sub", "aud", "iat", "exp", "scope", "gty", "azp"]),
            prop_oneof![
                Just(Value::Null),
                Just(json!(-1)),
                Just(json!(1.5e300)),
                Just(json!([fs::management_audience()])),
                Just(json!({})),
                Just(json!(true)),
                Just(json!("REMOVE")),
            ],
        )
            .prop_map(|(k, v)| Forge::BadClaim(k, v)),
    ]
}

fn token() -> impl Strategy<Value = Token> {
    prop_oneof![
        8 => (claims(), forge()).prop_map(|(c, f)| Token::Signed(c, f)),
        1 => "[ -~]{0,80}".prop_map(Token::Garbage),
        1 => "([A-Za-z0-9_=+/-]{0,40}\\.){0,4}[A-Za-z0-9_=+/-]{0,40}".prop_map(Token::Garbage),
    ]
}

fn header() -> impl Strategy<Value = Header> {
    let scheme = prop_oneof![
        10 => Just("Bearer"),
        2 => prop::sample::select(vec!["bearer", "BEARER", "bEaReR"]),
        1 => prop::sample::select(vec!["Basic", "Token", "", "Bearer:"]),
    ];
    let sep = prop_oneof![6 => Just(" "), 1 => Just("   "), 1 => Just("\t")];
    let trail = prop::sample::select(vec!["", "", " ", "  "]);
    prop_oneof![
        1 => Just(Header::Absent),
        12 => (scheme, sep, token(), trail).prop_map(|(s, p, t, tr)| Header::Scheme(s, p, t, tr)),
        1 => prop::collection::vec(any::<u8>(), 0..120).prop_map(Header::Raw),
    ]
}

/// The token's string and what the check must conclude about it, for `endpoint`.
fn materialize(t: &Token, endpoint: Endpoint) -> (String, Expect) {
    let (c, f) = match t {
        Token::Garbage(s) => return (s.clone(), Expect::Invalid),
        Token::Signed(c, f) => (c, f),
    };
    let now = fs::epoch_now() as i64;
    let exp = now.saturating_add(c.exp_offset).max(0) as u64;
    let mut payload = json!({
        "iss": if c.right_issuer { fs::issuer() } else { "https://evil.example/".into() },
        "sub": "fuzz@clients", "aud": c.aud, "iat": now, "exp": exp,
        "scope": c.scopes.join(" "), "gty": "client-credentials", "azp": "fuzz", "jti": "j",
    });
    if let Forge::BadClaim(k, v) = f {
        if v == "REMOVE" {
            payload.as_object_mut().unwrap().remove(*k);
        } else {
            payload[*k] = v.clone();
        }
    }
    let keys = jwt::keys(2048).unwrap();
    let signed = keys.sign_bytes(payload.to_string().as_bytes()).unwrap();
    let parts: Vec<&str> = signed.split('.').collect();
    let (h, p, s) = (parts[0], parts[1], parts[2]);
    let rejoin = |h: &str, p: &str, s: &str| format!("{h}.{p}.{s}");
    let forged = match f {
        Forge::None => None,
        Forge::BadClaim(..) => Some(signed.clone()),
        Forge::SwapPayload => {
            let mut other = payload.clone();
            other["scope"] = json!("read:users read:clients delete:users");
            other["jti"] = json!("forged");
            Some(rejoin(h, &B64.encode(other.to_string()), s))
        }
        Forge::FlipSignatureByte(i) => {
            let mut sig = B64.decode(s).unwrap();
            let n = sig.len();
            sig[i % n] ^= 0x01;
            Some(rejoin(h, p, &B64.encode(sig)))
        }
        Forge::CutSignature(n) => Some(rejoin(h, p, &s[..s.len() - (*n).clamp(1, s.len())])),
        Forge::Alg(alg) => {
            let mut header = json!({"typ": "JWT", "kid": keys.kid()});
            if let Some(a) = alg {
                header["alg"] = json!(a);
            }
            Some(rejoin(&B64.encode(header.to_string()), p, s))
        }
        Forge::AlgNone => {
            let header = B64.encode(json!({"alg": "none", "typ": "JWT"}).to_string());
            Some(format!("{header}.{p}."))
        }
        Forge::Hs256WithPublicKey => {
            let header = B64.encode(json!({"alg": "HS256", "typ": "JWT"}).to_string());
            let n = keys.jwks()["keys"][0]["n"].as_str().unwrap().to_string();
            let key = hmac::Key::new(hmac::HMAC_SHA256, &B64.decode(n).unwrap());
            let tag = hmac::sign(&key, format!("{header}.{p}").as_bytes());
            Some(rejoin(&header, p, &B64.encode(tag.as_ref())))
        }
        Forge::PaddedBase64 => {
            let pad = |x: &str| STANDARD.encode(B64.decode(x).unwrap());
            Some(rejoin(&pad(h), &pad(p), &pad(s)))
        }
    };
    let bad_claim = matches!(f, Forge::BadClaim(..));
    let token = forged.clone().unwrap_or(signed.clone());
    // A forgery that happens to leave the token intact (padding already absent) is no forgery.
    if (forged.is_some() && token != signed) || bad_claim {
        return (token, Expect::Invalid);
    }
    let mgmt = fs::management_audience();
    let expect = if !c.right_issuer {
        Expect::Invalid
    } else if exp <= now as u64 {
        Expect::Expired
    } else if endpoint == Endpoint::Demo {
        if c.aud == CUSTOM {
            Expect::Ok
        } else {
            Expect::BadAudience
        }
    } else if c.aud != mgmt {
        Expect::BadAudience
    } else {
        let need = if endpoint == Endpoint::Users {
            "read:users"
        } else {
            "read:clients"
        };
        if c.scopes.contains(&need) {
            Expect::Ok
        } else {
            Expect::Scope
        }
    };
    (token, expect)
}

/// What the tenant makes of an Authorization value: Missing unless `Bearer <non-empty>`.
fn scheme_ok(value: &[u8]) -> bool {
    let Ok(v) = HeaderValue::from_bytes(value) else {
        return false;
    };
    let Ok(v) = v.to_str() else { return false };
    v.trim()
        .split_once(' ')
        .is_some_and(|(k, t)| k.eq_ignore_ascii_case("bearer") && !t.trim().is_empty())
}

fn check(expect: Expect, token: &str, a: &Answer) -> Result<(), TestCaseError> {
    prop_assert!(!a.status.is_server_error(), "{} {}", a.status, a.text());
    let got = fs::mgmt_error(a);
    let (status, code, message) = match expect {
        Expect::Ok => {
            prop_assert_eq!(a.status.as_u16(), 200, "{}", a.text());
            prop_assert!(a.json().is_some());
            return Ok(());
        }
        Expect::Missing => (401, "", "Missing authentication"),
        Expect::Invalid => (401, "attributes", "Invalid token"),
        Expect::Expired => (401, "attributes", "Expired token"),
        Expect::BadAudience => (401, "attributes", "Bad audience"),
        Expect::Scope => (403, "insufficient_scope", "Insufficient scope"),
    };
    prop_assert_eq!(a.status.as_u16(), status, "{}", a.text());
    let (got_code, got_message) = got.ok_or_else(|| TestCaseError::fail(a.text()))?;
    prop_assert_eq!(got_code, code);
    prop_assert!(got_message.starts_with(message), "{}", got_message);
    if token.len() >= 24 {
        prop_assert!(!a.text().contains(token), "the token is echoed back");
    }
    Ok(())
}

#[test]
fn authorization_headers_get_the_answer_auth0_gives() {
    let router = fs::router();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let endpoint = prop::sample::select(vec![Endpoint::Users, Endpoint::Clients, Endpoint::Demo]);
    let seen = std::cell::RefCell::new(std::collections::BTreeMap::<String, u64>::new());
    let ran = fuzz_support::run(
        "bearer_check",
        (
            header(),
            endpoint,
            prop::option::weighted(0.05, "[ -~]{0,20}"),
        ),
        fuzz_support::budget(25.0),
        1_000_000,
        |(h, endpoint, second)| {
            let (value, token, expect) = match &h {
                Header::Absent => (None, String::new(), Expect::Missing),
                Header::Raw(b) => (Some(b.clone()), String::new(), Expect::Invalid),
                Header::Scheme(scheme, sep, t, trail) => {
                    let (tok, e) = materialize(t, endpoint);
                    (
                        Some(format!("{scheme}{sep}{tok}{trail}").into_bytes()),
                        tok,
                        e,
                    )
                }
            };
            // A value no HTTP peer can send (CR, LF, NUL...) is not sent at all.
            let value = value.filter(|v| HeaderValue::from_bytes(v).is_ok());
            let expect = match &value {
                Some(v) if scheme_ok(v) => expect,
                _ => Expect::Missing,
            };
            run_one(&rt, &router, endpoint, value, second, expect, &token, &seen)
        },
    );
    let seen = seen.into_inner();
    println!("{seen:?}");
    // Every answer the model knows was reached, so the mix tests each branch of the check.
    assert_eq!(seen.len(), 6, "{seen:?}");
    assert!(ran.cases >= 500);
}

#[allow(clippy::too_many_arguments)]
fn run_one(
    rt: &tokio::runtime::Runtime,
    router: &axum::Router,
    endpoint: Endpoint,
    value: Option<Vec<u8>>,
    second: Option<String>,
    expect: Expect,
    token: &str,
    seen: &std::cell::RefCell<std::collections::BTreeMap<String, u64>>,
) -> Result<(), TestCaseError> {
    let path = match endpoint {
        Endpoint::Users => "/api/v2/users?per_page=1",
        Endpoint::Clients => "/api/v2/clients",
        Endpoint::Demo => "/demo-api/orders",
    };
    let mut r = Request::get(path);
    if let Some(v) = value {
        r = r.header("authorization", HeaderValue::from_bytes(&v).unwrap());
        // A second Authorization header never overrides the first.
        if let Some(s) = second {
            r = r.header("authorization", s);
        }
    }
    let a = rt.block_on(fs::call(router, r.body(Body::empty()).unwrap()));
    *seen.borrow_mut().entry(format!("{expect:?}")).or_default() += 1;
    check(expect, token, &a)
}
