//! RS256 access tokens: key generation, signing, verification and the JWKS document.
//!
//! The key is generated with `rsa` and signed with AWS-LC (`aws-lc-rs`, already in the tree through
//! rustls): measured on this machine, `rsa` 0.10 took ~4.5 ms per RS256 signature at 2048 bits,
//! which capped the token endpoint far below its target; jsonwebtoken's rust_crypto backend also
//! re-parses the DER key on every signature. Verification stays on `rsa` (cheap at e = 65537,
//! and cached per token by `auth`). AWS-LC accepts 2048 to 8192-bit keys. Keys are
//! generated once per process and key size and shared by every simulator in it: key generation
//! is slow in debug builds, and each tenant's tokens still differ by issuer and audience.
//! Owns no policy (scopes, audiences, expiry): see `auth`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::sha2::{Digest, Sha256};
use rsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use rsa::{PrivateKey, PublicKey};
use serde::{Deserialize, Serialize};

use super::SimError;

/// The claims of an access token, as Auth0 issues them for client credentials.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
    pub scope: String,
    pub gty: String,
    pub azp: String,
    /// Auth0's access-token profile has no `jti` (RFC 9068's adds one): the token route issues
    /// none, so identical claim sets (client, audience, scope, `iat` second) are one token
    /// signed once (`Tenant::issue`). The token explorer (`simctl`) still sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

/// Why a token failed verification (before audience, expiry and scope checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("malformed token")]
    Malformed,
    #[error("invalid signature")]
    BadSignature,
}

/// The tenant's signing key with its `kid` and public JWK.
pub struct Keys {
    signing: RsaKeyPair,
    rng: SystemRandom,
    verifying: VerifyingKey<Sha256>,
    kid: String,
    jwk: serde_json::Value,
    header_b64: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("kid", &self.kid).finish()
    }
}

/// The shared key for `bits`, generated on first use in this process.
pub fn keys(bits: usize) -> Result<Arc<Keys>, SimError> {
    static CACHE: OnceLock<Mutex<HashMap<usize, Arc<Keys>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    // Holding the lock while generating makes concurrent starts wait for one key, not make two.
    let mut map = cache
        .lock()
        .map_err(|_| SimError::Key("key cache poisoned".into()))?;
    if let Some(keys) = map.get(&bits) {
        return Ok(keys.clone());
    }
    let keys = Arc::new(Keys::generate(bits)?);
    map.insert(bits, keys.clone());
    Ok(keys)
}

/// A tenant's key: made when the tenant is built, or on first use for a tenant nothing is
/// expected to ask for a token (a run whose every request goes elsewhere: `SimConfig::lazy_keys`).
/// Why not always on first use: generating a 2048-bit key takes 30–130 ms of CPU here, and a
/// run that does ask would stall its first token requests behind it (every real-time test on
/// the simulator would start late); why not always at build: a run that never asks pays it for
/// nothing (1.2–5 µs per request of a 5 s benchmark at 5,000/s, BENCHMARKS.md).
pub struct KeyCell {
    bits: usize,
    cell: OnceLock<Arc<Keys>>,
}

impl KeyCell {
    /// The key now (`lazy` false) or on first use.
    pub fn new(bits: usize, lazy: bool) -> Result<Self, SimError> {
        let cell = OnceLock::new();
        if !lazy {
            let _ = cell.set(keys(bits)?);
        }
        Ok(KeyCell { bits, cell })
    }

    /// The key, made now if it was not yet (`keys` makes one per process and size).
    pub fn get(&self) -> Result<&Arc<Keys>, SimError> {
        if let Some(k) = self.cell.get() {
            return Ok(k);
        }
        let made = keys(self.bits)?;
        Ok(self.cell.get_or_init(|| made))
    }

    /// [`Keys::sign`]; a key that cannot be made is a signing failure.
    pub fn sign(&self, claims: &Claims) -> Result<String, JwtError> {
        self.get().map_err(|_| JwtError::BadSignature)?.sign(claims)
    }

    /// [`Keys::verify`]; with no key nothing verifies.
    pub fn verify(&self, token: &str) -> Result<Claims, JwtError> {
        self.get()
            .map_err(|_| JwtError::BadSignature)?
            .verify(token)
    }

    /// [`Keys::jwks`]; with no key, no keys.
    pub fn jwks(&self) -> serde_json::Value {
        self.get()
            .map_or_else(|_| serde_json::json!({ "keys": [] }), |k| k.jwks())
    }
}

impl Keys {
    /// Generate a fresh RSA key of `bits` bits (2048 to 8192).
    pub fn generate(bits: usize) -> Result<Self, SimError> {
        let private = PrivateKey::new(&mut rand::rng(), bits)
            .map_err(|e| SimError::Key(format!("generating a {bits}-bit RSA key: {e}")))?;
        let n = B64.encode(private.n_bytes());
        let e = B64.encode(private.e_bytes());
        let kid = B64.encode(&Sha256::digest(private.n_bytes())[..16]);
        let jwk = serde_json::json!({
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": n, "e": e,
        });
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": kid});
        let header_b64 = B64.encode(header.to_string());
        let der = private
            .to_pkcs1_der()
            .map_err(|e| SimError::Key(format!("encoding the key: {e}")))?;
        let signing = RsaKeyPair::from_der(der.as_bytes())
            .map_err(|e| SimError::Key(format!("loading the key into AWS-LC: {e}")))?;
        let verifying = VerifyingKey::<Sha256>::new(PublicKey::from(&private));
        Ok(Keys {
            signing,
            rng: SystemRandom::new(),
            verifying,
            kid,
            jwk,
            header_b64,
        })
    }

    /// The key id in every token header and in the JWKS.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// `GET /.well-known/jwks.json` body.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": [self.jwk] })
    }

    /// Sign `claims` into a compact JWT (`alg: RS256`, `typ: JWT`, `kid`).
    pub fn sign(&self, claims: &Claims) -> Result<String, JwtError> {
        let payload = serde_json::to_vec(claims).map_err(|_| JwtError::Malformed)?;
        self.sign_bytes(&payload)
    }

    /// Sign any payload with the tenant's header: tokens the tenant would never issue (claims of
    /// the wrong type, missing, out of range), so tests can show the bearer check refuses a
    /// correctly signed token whose claims are wrong.
    pub fn sign_bytes(&self, payload: &[u8]) -> Result<String, JwtError> {
        let mut token = String::with_capacity(1024);
        token.push_str(&self.header_b64);
        token.push('.');
        B64.encode_string(payload, &mut token);
        let mut signature = vec![0u8; self.signing.public_modulus_len()];
        self.signing
            .sign(
                &RSA_PKCS1_SHA256,
                &self.rng,
                token.as_bytes(),
                &mut signature,
            )
            .map_err(|_| JwtError::BadSignature)?;
        token.push('.');
        B64.encode_string(signature, &mut token);
        Ok(token)
    }

    /// Check the signature and decode the claims. Audience, expiry and scope are the caller's.
    pub fn verify(&self, token: &str) -> Result<Claims, JwtError> {
        let (signed, signature_b64) = token.rsplit_once('.').ok_or(JwtError::Malformed)?;
        let (header_b64, payload_b64) = signed.split_once('.').ok_or(JwtError::Malformed)?;
        let header: serde_json::Value = decode_json(header_b64)?;
        if header.get("alg").and_then(|v| v.as_str()) != Some("RS256") {
            return Err(JwtError::Malformed);
        }
        let raw = B64.decode(signature_b64).map_err(|_| JwtError::Malformed)?;
        let signature = Signature::try_from(raw.as_slice()).map_err(|_| JwtError::Malformed)?;
        self.verifying
            .verify(signed.as_bytes(), &signature)
            .map_err(|_| JwtError::BadSignature)?;
        decode_json(payload_b64)
    }
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str) -> Result<T, JwtError> {
    let bytes = B64.decode(part).map_err(|_| JwtError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| JwtError::Malformed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn claims() -> Claims {
        Claims {
            iss: "https://t/".into(),
            sub: "c@clients".into(),
            aud: "https://api/".into(),
            iat: 10,
            exp: 20,
            scope: "read:users".into(),
            gty: "client-credentials".into(),
            azp: "c".into(),
            jti: Some("j".into()),
        }
    }

    #[test]
    fn sign_then_verify_round_trips_and_tamper_fails() {
        let keys = keys(2048).unwrap();
        let token = keys.sign(&claims()).unwrap();
        assert_eq!(keys.verify(&token).unwrap(), claims());
        let mut other = claims();
        other.scope = "delete:users".into();
        let forged_payload = B64.encode(serde_json::to_vec(&other).unwrap());
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert_eq!(keys.verify(&forged), Err(JwtError::BadSignature));
        assert_eq!(keys.verify("abc"), Err(JwtError::Malformed));
    }

    #[test]
    fn jwks_names_the_kid() {
        let keys = keys(2048).unwrap();
        let jwks = keys.jwks();
        assert_eq!(jwks["keys"][0]["kid"], keys.kid());
        assert_eq!(jwks["keys"][0]["e"], "AQAB");
    }
}
