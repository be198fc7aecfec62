//! The `static` strategy: a hand-made token from the plan, never refreshed. Its `exp` is read
//! from the JWT payload (base64url middle part, no signature check) so the run can end at
//! expiry instead of sending a storm of requests bound to fail with 401.

use std::rc::Rc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;

use super::FetchError;
use crate::metrics::TokenFailure;
use crate::scenario::Secret;

pub struct StaticToken {
    token: Rc<Secret>,
    exp: Option<SystemTime>,
}

/// `exp` (UNIX seconds) of a JWT, if it has one that parses.
pub fn jwt_exp(token: &str) -> Option<u64> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = v.get("exp")?;
    exp.as_u64()
        .or_else(|| exp.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
}

impl StaticToken {
    pub fn new(token: &Secret) -> Self {
        let exp = jwt_exp(token.expose()).map(|s| UNIX_EPOCH + Duration::from_secs(s));
        StaticToken {
            token: Rc::new(token.clone()),
            exp,
        }
    }

    /// When the token expires; `None` if it carries no readable `exp`.
    pub fn exp(&self) -> Option<SystemTime> {
        self.exp
    }

    pub fn bearer(&self) -> Result<Rc<Secret>, FetchError> {
        match self.exp {
            Some(exp) if crate::clock::now() >= exp => {
                Err(FetchError::Failed(TokenFailure::Expired))
            }
            _ => Ok(self.token.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            b.encode(r#"{"alg":"RS256"}"#),
            b.encode(payload)
        )
    }

    #[test]
    fn exp_table() {
        let table = [
            (
                jwt(r#"{"exp":1700000000,"sub":"x@clients"}"#),
                Some(1_700_000_000),
            ),
            (jwt(r#"{"exp":1700000000.5}"#), Some(1_700_000_000)),
            (jwt(r#"{"sub":"no exp"}"#), None),
            (jwt(r#"{"exp":-5}"#), None),
            (jwt(r#"{"exp":"soon"}"#), None),
            ("not-a-jwt".to_string(), None),
            ("a.!!!.c".to_string(), None),
        ];
        for (token, want) in table {
            assert_eq!(jwt_exp(&token), want, "{token}");
        }
    }

    #[test]
    fn expired_static_token_is_refused() {
        let old = StaticToken::new(&Secret::new(jwt(r#"{"exp":1000}"#)));
        assert_eq!(
            old.bearer().err(),
            Some(FetchError::Failed(TokenFailure::Expired))
        );
        let fresh = StaticToken::new(&Secret::new(jwt(r#"{"exp":99999999999}"#)));
        assert!(fresh.bearer().is_ok());
        assert!(StaticToken::new(&Secret::new("opaque")).bearer().is_ok());
    }
}
