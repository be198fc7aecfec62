//! `report.html`: the [`Document`] as one self-contained page. Inline CSS and inline SVG only:
//! no scripts, no fonts, no external stylesheet or image, so it opens offline, from a mail
//! attachment or a CI artifact, and renders the same everywhere.

use super::charts::{DROPPED, ERROR, OK, RATE_LIMITED, esc};
use super::document::{DocTable, Document};

/// File name inside the report folder.
pub const FILE: &str = "report.html";

const STYLE: &str = "
body { font-family: Helvetica, Arial, sans-serif; color: #212121; margin: 0; background: #fafafa; }
main { max-width: 1180px; margin: 0 auto; padding: 24px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.sub { color: #555; margin: 0 0 16px; }
.verdict { border-left: 6px solid; padding: 12px 16px; margin: 16px 0; line-height: 1.5; }
.fits { border-color: #2e7d32; background: #e8f5e9; }
.nofit { border-color: #c62828; background: #ffebee; }
figure { margin: 0 0 20px; }
figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 13px; margin-top: 4px; }
.intro { color: #555; font-size: 13px; margin: 0 0 8px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 12px; margin-bottom: 8px; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; white-space: nowrap; }
th { background: #f0f0f0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.fail td { background: #ffebee; }
dl { font-size: 13px; }
dt { font-weight: bold; margin-top: 6px; }
dd { margin-left: 16px; color: #333; }
.key { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; }
";

/// The whole page, `<!DOCTYPE html>` to `</html>`.
pub fn render(doc: &Document) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
    );
    out.push_str(&format!(
        "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        esc(&doc.title)
    ));
    out.push_str(&format!("<h1>{}</h1>\n", esc(&doc.title)));
    if let Some(sub) = &doc.subtitle {
        out.push_str(&format!("<p class=\"sub\">{}</p>\n", esc(sub)));
    }
    let class = if doc.verdict.fits { "fits" } else { "nofit" };
    out.push_str(&format!("<h2>Verdict</h2>\n<p class=\"verdict {class}\">"));
    for (i, s) in doc.verdict.sentences.iter().enumerate() {
        if i == 0 {
            out.push_str(&format!("<strong>{}</strong>", esc(s)));
        } else {
            out.push_str(&format!(" {}", esc(s)));
        }
    }
    out.push_str("</p>\n<p class=\"intro\">Outcome colours:");
    for (color, label) in [
        (OK, "ok"),
        (RATE_LIMITED, "429"),
        (ERROR, "error"),
        (DROPPED, "dropped"),
    ] {
        out.push_str(&format!(
            "<span class=\"key\" style=\"background:{color}\"></span>{label}"
        ));
    }
    out.push_str("</p>\n<h2>Charts</h2>\n");
    for c in &doc.charts {
        out.push_str(&format!(
            "<figure id=\"{}\">\n<h3>{}</h3>\n{}<figcaption>{}</figcaption>\n</figure>\n",
            c.id,
            esc(&c.title),
            c.svg,
            esc(&c.explain)
        ));
    }
    for t in &doc.tables {
        table(&mut out, t);
    }
    out.push_str("<h2>Glossary</h2>\n<dl>\n");
    for (term, meaning) in doc.glossary {
        out.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            esc(term),
            esc(meaning)
        ));
    }
    out.push_str("</dl>\n</main>\n</body>\n</html>\n");
    out
}

fn table(out: &mut String, t: &DocTable) {
    out.push_str(&format!(
        "<h2>{}</h2>\n<p class=\"intro\">{}</p>\n",
        esc(&t.title),
        esc(&t.intro)
    ));
    if t.rows.is_empty() {
        out.push_str("<p class=\"intro\">(none)</p>\n");
        return;
    }
    out.push_str("<div class=\"scroll\"><table>\n<thead><tr>");
    for h in &t.header {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        let fail = row.first().is_some_and(|c| c == "FAIL");
        out.push_str(if fail { "<tr class=\"fail\">" } else { "<tr>" });
        for (i, c) in row.iter().enumerate() {
            let numeric = t.numeric.get(i).copied().unwrap_or(false);
            let class = if numeric { " class=\"n\"" } else { "" };
            out.push_str(&format!("<td{class}>{}</td>", esc(c)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
}
