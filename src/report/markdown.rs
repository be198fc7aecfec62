//! `report.md`: the [`Document`] as GitHub-flavoured Markdown. Charts are linked from the
//! `charts/` folder written beside it (Markdown cannot inline SVG portably).

use super::document::{DocTable, Document};

/// File name inside the report folder.
pub const FILE: &str = "report.md";

/// The whole Markdown file.
pub fn render(doc: &Document) -> String {
    let mut out = format!("# {}\n\n", inline(&doc.title));
    if let Some(sub) = &doc.subtitle {
        out.push_str(&format!("_{}_\n\n", inline(sub)));
    }
    out.push_str("## Verdict\n\n");
    let mut sentences = doc.verdict.sentences.iter();
    if let Some(first) = sentences.next() {
        out.push_str(&format!("**{}**", inline(first)));
    }
    for s in sentences {
        out.push(' ');
        out.push_str(&inline(s));
    }
    out.push_str("\n\n## Charts\n\n");
    for c in &doc.charts {
        out.push_str(&format!(
            "### {}\n\n![{}]({})\n\n{}\n\n",
            inline(&c.title),
            inline(&c.title),
            c.file(),
            inline(&c.explain)
        ));
    }
    for t in &doc.tables {
        table(&mut out, t);
    }
    out.push_str("## Glossary\n\n");
    for (term, meaning) in doc.glossary {
        out.push_str(&format!("- **{term}**: {}\n", inline(meaning)));
    }
    out
}

fn table(out: &mut String, t: &DocTable) {
    out.push_str(&format!(
        "## {}\n\n{}\n\n",
        inline(&t.title),
        inline(&t.intro)
    ));
    if t.rows.is_empty() {
        out.push_str("(none)\n\n");
        return;
    }
    let header: Vec<String> = t.header.iter().map(|h| cell(h)).collect();
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    let align: Vec<&str> = t
        .numeric
        .iter()
        .map(|n| if *n { "--:" } else { "---" })
        .collect();
    out.push_str(&format!("|{}|\n", align.join("|")));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push('\n');
}

/// Keeps text literal without cluttering the raw file: escapes backslashes, backticks, `*`,
/// and `<` only where it could open an HTML tag. (GFM ignores `_` inside words.)
fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '`' | '*' => {
                out.push('\\');
                out.push(c);
            }
            '<' if chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')) =>
            {
                out.push_str("\\<");
            }
            '_' if out.is_empty() || out.ends_with(' ') => out.push_str("\\_"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn cell(s: &str) -> String {
    let s = inline(s).replace('|', "\\|");
    if s.is_empty() { " ".to_string() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_raw_text_readable() {
        assert_eq!(inline("p99_ms <= 800"), "p99_ms <= 800");
        assert_eq!(inline("<script> *x* `y`"), "\\<script> \\*x\\* \\`y\\`");
        assert_eq!(inline("_lead a\nb"), "\\_lead a b");
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(cell(""), " ");
    }
}
