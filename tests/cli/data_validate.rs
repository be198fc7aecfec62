//! Per-request data through `quotaprobe validate`: a `{{hole}}` without a source and a bad data
//! file are exit 2 before anything is sent, naming the scenario's file:line:column and key, and
//! for a data file its own file and line.

use std::path::Path;

use assert_cmd::Command;

const BASE: &str = r#"name = "t"

[[clients]]
name = "backend"

[[operations]]
name = "get-user"
kind = "management"
path = "/api/v2/users/{{users.user_id}}"
client = "backend"

[[phases]]
duration = "2s"
rate = 5
"#;

/// Writes `scenario` and the `files` beside it, runs validate, returns (exit code, stderr).
fn validate(scenario: &str, files: &[(&str, &[u8])]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (name, bytes) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{e}"));
    }
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, scenario).unwrap_or_else(|e| panic!("{e}"));
    let o = Command::cargo_bin("quotaprobe")
        .unwrap_or_else(|e| panic!("{e}"))
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).to_string(),
        dir.path().display().to_string(),
    )
}

fn with_data(extra: &str) -> String {
    format!("{BASE}\n{extra}")
}

const USERS: &str = "[[data]]\nname = \"users\"\nfile = \"data/users.csv\"\nmode = \"once\"\n";

#[test]
fn a_hole_without_a_source_is_exit_2_at_its_key() {
    let (code, stderr, _) = validate(BASE, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("scenario.toml:9:8: operations[0].path:"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "`{{users.user_id}}` reads a data file named \"users\", but there is no [[data]]"
        ),
        "{stderr}"
    );

    let bare = BASE.replace("{{users.user_id}}", "{{user_id}}");
    let (code, stderr, _) = validate(&bare, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("operations[0].path: `{{user_id}}` has no source: define [vars.user_id]"),
        "{stderr}"
    );

    let open = BASE.replace("{{users.user_id}}", "{{users.user_id");
    let (code, stderr, _) = validate(&open, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("operations[0].path: `{{` has no closing `}}`"),
        "{stderr}"
    );
}

#[test]
fn bad_data_files_are_exit_2_naming_the_file_and_line() {
    let scenario = with_data(USERS);
    for (bytes, line, says) in [
        (&b""[..], "", "is empty"),
        (&b"id,name\n1,a\n"[..], ":1", "has no column `user_id`"),
        (
            &b"user_id,name\nauth0|1,a\nauth0|2\n"[..],
            ":3",
            "has 1 fields where the header has 2",
        ),
        (&b"user_id\nauth0|1\n\xff\n"[..], ":3", "is not valid UTF-8"),
    ] {
        let (code, stderr, dir) = validate(&scenario, &[("data/users.csv", bytes)]);
        assert_eq!(code, Some(2), "{stderr}");
        let file = Path::new(&dir).join("data/users.csv").display().to_string();
        assert!(stderr.contains("data[0].file:"), "{stderr}");
        assert!(
            stderr.contains(&format!("{file}{line}: {says}")),
            "{says}: {stderr}"
        );
    }
    let (code, stderr, _) = validate(&scenario, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot read it") && stderr.contains("relative to the scenario file"),
        "{stderr}"
    );
}

#[test]
fn vars_are_checked_by_kind() {
    let scenario = BASE.replace("{{users.user_id}}", "{{n}}");
    for (vars, says) in [
        (
            "[vars.n]\nkind = \"sequense\"\n",
            "unknown kind \"sequense\"",
        ),
        (
            "[vars.n]\nkind = \"uuid\"\nmin = 1\n",
            "vars.n.min: is not used by kind = \"uuid\"",
        ),
        (
            "[vars.n]\nkind = \"random_int\"\nmin = 5\nmax = 1\n",
            "vars.n.max: must be at least min",
        ),
        (
            "[vars.n]\nkind = \"choice\"\nvalues = []\n",
            "needs values =",
        ),
        (
            "[vars.n]\nkind = \"now\"\nformat = \"iso\"\n",
            "use \"rfc3339\", \"unix\" or \"unix_ms\"",
        ),
    ] {
        let (code, stderr, _) = validate(&format!("{scenario}\n{vars}"), &[]);
        assert_eq!(code, Some(2), "{vars}: {stderr}");
        assert!(stderr.contains(says), "{vars}: {stderr}");
    }
}

#[test]
fn validate_shows_the_data_and_filled_sample_requests_with_secrets_masked() {
    let scenario = with_data(&format!(
        "{USERS}\n[vars.n]\nkind = \"sequence\"\nstart = 7\n"
    ))
    .replace(
        "client = \"backend\"",
        "client = \"backend\"\nmethod = \"PATCH\"\nbody = '{\"n\": {{n}}, \"password\": \"{{users.name}}\"}'",
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(dir.path().join("data")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("data/users.csv"),
        "user_id,name\nauth0|1,secret-one\nauth0|2,secret-two\nauth0|3,x\nauth0|4,y\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, scenario).unwrap_or_else(|e| panic!("{e}"));
    let o = Command::cargo_bin("quotaprobe")
        .unwrap_or_else(|e| panic!("{e}"))
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.contains(
            "(4 rows; columns user_id, name; once: the run stops when every row is used)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("n             sequence from 7, step 1"),
        "{stdout}"
    );
    for (i, n) in [(1, 7), (2, 8), (3, 9)] {
        let line = format!(
            "get-user            PATCH /api/v2/users/auth0%7C{i}  body {{\"n\":{n},\"password\":\"***\"}}"
        );
        assert!(stdout.contains(&line), "{line}\n{stdout}");
    }
    assert!(
        !stdout.contains("secret-one") && !stdout.contains("auth0%7C4"),
        "{stdout}"
    );
}

#[test]
fn management_calls_take_headers_but_not_authorization() {
    let ok = BASE.replace("{{users.user_id}}", "me").replace(
        "client = \"backend\"",
        "client = \"backend\"\nheaders = { x-request-source = \"nightly\" }",
    );
    let (code, stderr, _) = validate(&ok, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let auth = ok.replace("x-request-source", "Authorization");
    let (code, stderr, _) = validate(&auth, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "operations[0].headers.Authorization: a Management call's Authorization is the tool's"
        ),
        "{stderr}"
    );
}

/// A token operation takes headers (never the tool's Authorization or Content-Type) and holes
/// in its audience; a bearer's audience may not have holes (one cached token per audience).
#[test]
fn token_headers_and_audience_holes_where_they_are_allowed() {
    let ok = r#"name = "t"

[vars.t]
kind = "choice"
values = ["a", "b"]

[[operations]]
name = "tenant-token"
kind = "token"
audience = "https://api-{{t}}.example.com/"
headers = { x-tenant = "{{t}}" }

[[phases]]
duration = "2s"
rate = 5
"#;
    let (code, stderr, _) = validate(ok, &[]);
    assert_eq!(code, Some(0), "{stderr}");

    let tool = ok.replace(
        r#"headers = { x-tenant = "{{t}}" }"#,
        r#"headers = { Authorization = "Basic x", content-type = "text/plain" }"#,
    );
    let (code, stderr, _) = validate(&tool, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "operations[0].headers.Authorization: a token request's credentials are the tool's"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("operations[0].headers.\"content-type\": a token request's Content-Type follows [tokens] format"),
        "{stderr}"
    );

    let bearer = ok
        .replace(
            r#"kind = "token""#,
            "kind = \"http\"\nurl = \"/demo-api/orders\"",
        )
        .replace(r#"headers = { x-tenant = "{{t}}" }"#, "");
    let (code, stderr, _) = validate(&bearer, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("operations[0].audience: `{{t}}`: a bearer's audience and scope are not filled per request"),
        "{stderr}"
    );
}
