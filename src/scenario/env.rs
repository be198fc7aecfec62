//! `${VAR}` references in scenario strings, resolved from the environment.

/// Looks a variable up; the real environment in production, a table in tests.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Replaces every `${NAME}` in `value`. Errors name the first unset variable.
pub fn interpolate(value: &str, env: EnvLookup<'_>) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(format!(
                "unclosed `${{` in {value:?}; write references as ${{NAME}}"
            ));
        };
        let name = &after[..end];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "`${{{name}}}` is not a valid variable name; use letters, digits and _"
            ));
        }
        match env(name) {
            Some(v) => out.push_str(&v),
            None => {
                return Err(format!(
                    "environment variable {name} is not set; export {name}=... before running"
                ));
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// True when `value` is nothing but one `${NAME}` reference (how secrets must be written).
pub fn is_pure_reference(value: &str) -> bool {
    let v = value.trim();
    v.starts_with("${") && v.ends_with('}') && v[2..].find('}') == Some(v.len() - 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "DOMAIN" => Some("t.example.com".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn interpolation_table() {
        let table: [(&str, Result<&str, &str>); 6] = [
            ("https://${DOMAIN}", Ok("https://t.example.com")),
            ("plain", Ok("plain")),
            ("${EMPTY}x", Ok("x")),
            ("${MISSING}", Err("environment variable MISSING is not set")),
            ("${DOMAIN", Err("unclosed")),
            ("${bad-name}", Err("not a valid variable name")),
        ];
        for (input, want) in table {
            match (interpolate(input, &env), want) {
                (Ok(got), Ok(w)) => assert_eq!(got, w, "{input}"),
                (Err(got), Err(w)) => assert!(got.contains(w), "{input}: {got}"),
                (got, want) => panic!("{input}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn pure_references() {
        assert!(is_pure_reference("${SECRET}"));
        assert!(!is_pure_reference("abc${SECRET}"));
        assert!(!is_pure_reference("${A}${B}"));
        assert!(!is_pure_reference("literal"));
    }
}
