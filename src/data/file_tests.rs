use rand::SeedableRng;

use super::*;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_default();
    path
}

fn rng() -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(7)
}

fn take(rows: &mut Rows, n: usize) -> Vec<Vec<String>> {
    (0..n)
        .map_while(|_| rows.next_row().ok().flatten())
        .collect()
}

#[test]
fn csv_is_checked_and_read_in_each_mode() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = write(
        tmp.path(),
        "u.csv",
        b"user_id,name\nauth0|1,Ann\nauth0|2,\"Bo, Jr\"\nauth0|3,Cy\n",
    );
    assert_eq!(Format::of(&path), Some(Format::Csv));
    let shape = check(&path, Format::Csv, &["user_id"]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(shape.columns, ["user_id", "name"]);
    assert_eq!(shape.rows, 3);

    let mut once =
        Rows::open(&path, Format::Csv, Mode::Once, rng(), None).unwrap_or_else(|e| panic!("{e}"));
    let got = take(&mut once, 10);
    assert_eq!(got.len(), 3);
    assert_eq!(got[1], ["auth0|2", "Bo, Jr"]);
    assert_eq!(once.next_row(), Ok(None));

    let mut cycle =
        Rows::open(&path, Format::Csv, Mode::Cycle, rng(), None).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<String> = take(&mut cycle, 7)
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(
        ids,
        [
            "auth0|1", "auth0|2", "auth0|3", "auth0|1", "auth0|2", "auth0|3", "auth0|1"
        ]
    );

    let draw = || {
        let mut r = Rows::open(&path, Format::Csv, Mode::Random, rng(), None)
            .unwrap_or_else(|e| panic!("{e}"));
        take(&mut r, 300)
            .into_iter()
            .map(|r| r[0].clone())
            .collect::<Vec<_>>()
    };
    let a = draw();
    assert_eq!(a, draw(), "the same seed gives the same order");
    for id in ["auth0|1", "auth0|2", "auth0|3"] {
        let n = a.iter().filter(|x| *x == id).count();
        assert!((60..140).contains(&n), "{id}: {n} of 300");
    }
    assert_ne!(a[..3], ["auth0|1", "auth0|2", "auth0|3"], "not file order");
}

#[test]
fn json_lines_take_the_first_objects_keys() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = write(
        tmp.path(),
        "u.jsonl",
        b"{\"user_id\":\"auth0|1\",\"n\":1,\"tags\":[\"a\"]}\n\n{\"user_id\":\"auth0|2\",\"n\":2.5}\n",
    );
    assert_eq!(Format::of(&path), Some(Format::JsonLines));
    let shape =
        check(&path, Format::JsonLines, &["user_id", "n"]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(shape.columns, ["n", "tags", "user_id"]);
    assert_eq!(shape.rows, 2);
    let mut rows = Rows::open(&path, Format::JsonLines, Mode::Once, rng(), None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        take(&mut rows, 5),
        [vec!["1", "[\"a\"]", "auth0|1"], vec!["2.5", "", "auth0|2"]]
    );
}

#[test]
fn bad_files_name_the_file_and_line() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // (file, bytes, format, required column, line, what the message says)
    type Case<'a> = (&'a str, &'a [u8], Format, &'a str, u64, &'a str);
    let cases: [Case; 9] = [
        ("empty.csv", b"", Format::Csv, "user_id", 0, "is empty"),
        (
            "header.csv",
            b"user_id\n",
            Format::Csv,
            "user_id",
            0,
            "no data rows",
        ),
        (
            "col.csv",
            b"id,name\n1,a\n",
            Format::Csv,
            "user_id",
            1,
            "no column `user_id`",
        ),
        (
            "len.csv",
            b"user_id,name\n1,a\n2\n",
            Format::Csv,
            "user_id",
            3,
            "has 1 fields where the header has 2",
        ),
        (
            "utf8.csv",
            b"user_id\n1\n\xff\xfe\n",
            Format::Csv,
            "user_id",
            3,
            "not valid UTF-8",
        ),
        (
            "empty.jsonl",
            b"\n\n",
            Format::JsonLines,
            "user_id",
            0,
            "is empty",
        ),
        (
            "bad.jsonl",
            b"{\"user_id\":1}\n{nope\n",
            Format::JsonLines,
            "user_id",
            2,
            "not a JSON object",
        ),
        (
            "key.jsonl",
            b"{\"user_id\":1}\n{\"id\":2}\n",
            Format::JsonLines,
            "user_id",
            2,
            "no key `user_id`",
        ),
        (
            "utf8.jsonl",
            b"{\"user_id\":1}\n\xff\n",
            Format::JsonLines,
            "user_id",
            2,
            "not valid UTF-8",
        ),
    ];
    for (name, bytes, format, col, line, says) in cases {
        let path = write(tmp.path(), name, bytes);
        let e = check(&path, format, &[col])
            .err()
            .unwrap_or_else(|| panic!("{name} passed"));
        assert_eq!(
            (e.line, e.file.clone()),
            (line, path.clone()),
            "{name}: {e}"
        );
        assert!(e.to_string().contains(says), "{name}: {e}");
        assert!(
            e.to_string().starts_with(&path.display().to_string()),
            "{name}: {e}"
        );
    }
    let missing = tmp.path().join("nope.csv");
    let e = check(&missing, Format::Csv, &[])
        .err()
        .unwrap_or_else(|| panic!("passed"));
    assert!(
        e.to_string().contains("relative to the scenario file"),
        "{e}"
    );
}

/// Memory stays flat: a file far larger than the shuffle window streams through `check` and
/// every mode without holding more than the window.
#[test]
fn large_files_stream() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut text = String::from("user_id\n");
    for i in 0..50_000 {
        text.push_str(&format!("auth0|{i}\n"));
    }
    let path = write(tmp.path(), "big.csv", text.as_bytes());
    assert_eq!(
        check(&path, Format::Csv, &["user_id"]).map(|s| s.rows),
        Ok(50_000)
    );
    let mut r =
        Rows::open(&path, Format::Csv, Mode::Random, rng(), None).unwrap_or_else(|e| panic!("{e}"));
    let got = take(&mut r, 60_000);
    assert_eq!(got.len(), 60_000);
    assert!(r.window.len() <= SHUFFLE_WINDOW);
    let mut once =
        Rows::open(&path, Format::Csv, Mode::Once, rng(), None).unwrap_or_else(|e| panic!("{e}"));
    let all = take(&mut once, 60_000);
    assert_eq!(all.len(), 50_000);
    assert_eq!(all[49_999], ["auth0|49999"]);
}

#[test]
fn shards_split_the_rows() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = write(tmp.path(), "n.csv", b"n\n0\n1\n2\n3\n4\n5\n6\n");
    let mut all = Vec::new();
    for index in 0..3 {
        let mut r = Rows::open(&path, Format::Csv, Mode::Once, rng(), Some((index, 3)))
            .unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<String> = take(&mut r, 10).into_iter().map(|r| r[0].clone()).collect();
        assert_eq!(got.len(), [3, 2, 2][index as usize]);
        all.extend(got);
    }
    all.sort();
    assert_eq!(all, ["0", "1", "2", "3", "4", "5", "6"]);
}
