//! Names that must match across runs: the Management API's audience carries the tenant's host
//! (for the simulator `https://127.0.0.1:PORT/api/v2/`, a new port every run), so every audience
//! whose path is `/api/v2/` becomes "Management API", in audiences and in the engine's synthetic
//! `token:<audience>` operations. Other names pass through unchanged.

/// What every Management API audience is called in a comparison.
pub const MANAGEMENT_API: &str = "Management API";

/// An audience as compared: `https://host:port/api/v2/` → "Management API".
pub fn audience(aud: &str) -> String {
    let trimmed = aud.trim_end_matches('/');
    if trimmed.contains("://") && trimmed.ends_with("/api/v2") {
        MANAGEMENT_API.to_string()
    } else {
        aud.to_string()
    }
}

/// An operation as compared: `token:<audience>` gets its audience normalised.
pub fn operation(op: &str) -> String {
    match op.strip_prefix("token:") {
        Some(aud) => format!("token:{}", audience(aud)),
        None => op.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn management_audiences_match_whatever_the_port() {
        for (input, want) in [
            ("https://127.0.0.1:40855/api/v2/", "Management API"),
            ("https://127.0.0.1:1/api/v2", "Management API"),
            ("https://acme.eu.auth0.com/api/v2/", "Management API"),
            ("https://api.example.com/", "https://api.example.com/"),
            ("/api/v2/", "/api/v2/"),
        ] {
            assert_eq!(audience(input), want, "{input}");
        }
        assert_eq!(
            operation("token:https://127.0.0.1:40855/api/v2/"),
            "token:Management API"
        );
        assert_eq!(
            operation("token:https://orders.example.com"),
            "token:https://orders.example.com"
        );
        assert_eq!(operation("list-users"), "list-users");
    }
}
