//! The draft of the council's resolution confirming a vote's results (Nghị quyết xác nhận kết
//! quả lấy phiếu tín nhiệm), made from a verified record's published tally: one self-contained
//! HTML page for A4 whose text the secretariat edits in the browser (contenteditable) before
//! printing. It shares the minutes' words, page box and helpers ([`super::minutes`]).

use super::minutes::{date_line, esc, exempt_table, page_style, percent, Words, STYLE};
use super::model::Record;
use crate::words::Lang;

/// What the resolution adds to the minutes' style: the preamble, the articles, and a note
/// shown on screen only.
const RESOLUTION_STYLE: &str = r#"
.preamble p { margin: 1mm 0; font-style: italic; text-indent: 10mm; }
.decides { text-align: center; font-weight: bold; margin: 4mm 0 2mm; }
.article { margin: 2mm 0; text-indent: 10mm; text-align: justify; }
.article b { font-weight: bold; }
.council-name { text-align: center; font-weight: bold; margin: 4mm 0 0; }
.term { text-align: center; font-weight: bold; margin: 0 0 4mm; }
.closing { display: flex; justify-content: space-between; margin-top: 8mm; break-inside: avoid;
           page-break-inside: avoid; }
.closing .recipients { font-size: 10pt; width: 45%; }
.closing .sign { width: 45%; text-align: center; font-weight: bold; min-height: 30mm; }
.closing .sign em { font-weight: normal; }
.draft-note { border: 0.6pt dashed #555; padding: 2mm; font-size: 10pt; margin-bottom: 4mm; }
[contenteditable]:focus { outline: 1pt dotted #555; }
@media print { .draft-note { display: none; } }
"#;

/// The draft resolution of a verified record's vote.
pub fn render(record: &Record, digest: &str, lang: Lang) -> String {
    let r = record;
    let t = &r.tally;
    let w = Words(lang);
    let rating = r.vote.kind == "rating";
    let council = esc(&r.council.name);
    // Upper case before escaping: an escape (`&amp;`) must not change case.
    let council_upper = esc(&r.council.name.to_uppercase());
    let title = esc(&r.vote.title);
    let mut h = String::with_capacity(16 * 1024);
    h.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — {title}</title>\n<style>\n{}{STYLE}{RESOLUTION_STYLE}</style>\n</head>\n\
         <body>\n",
        lang.code(),
        w.get("resolution_title"),
        page_style(digest, lang),
    ));
    h.push_str(&format!(
        "<p class=\"draft-note\">{}</p>\n<main contenteditable=\"true\">\n",
        w.get("resolution_draft_note")
    ));

    // Masthead: the council and the number to fill in; the national motto and the date.
    h.push_str(&format!(
        "<header class=\"masthead\">\n<div class=\"issuer\"><div class=\"strong\">{}</div>\
         <div class=\"rule\"></div><div>{}</div></div>\n\
         <div class=\"nation\"><div class=\"strong\">{}</div><div class=\"strong\">{}</div>\
         <div class=\"rule\"></div><div class=\"date\">……, {}</div></div>\n</header>\n",
        council_upper.clone(),
        w.get("resolution_number"),
        w.get("minutes_nation"),
        w.get("minutes_motto"),
        date_line(&r.vote.closed_at, w),
    ));
    h.push_str(&format!(
        "<h1>{}</h1>\n<p class=\"subtitle\"><span class=\"title\">{}</span></p>\n\
         <p class=\"council-name\">{}</p>\n<p class=\"term\">{}</p>\n",
        w.get("resolution_title").to_uppercase(),
        w.get(if rating {
            "resolution_subject_rating"
        } else {
            "resolution_subject_confidence"
        }),
        council_upper.clone(),
        w.get("resolution_term"),
    ));

    // The grounds, then the decision.
    let sitting = w.fill(
        "resolution_sitting",
        &[
            ("title", &title),
            ("from", &date_line(&r.vote.opened_at, w)),
            ("to", &date_line(&r.vote.closed_at, w)),
        ],
    );
    h.push_str(&format!(
        "<section class=\"preamble\">\n<p>{}</p>\n<p>{}</p>\n<p>{}</p>\n</section>\n\
         <p class=\"decides\">{}</p>\n",
        w.get("resolution_ground_law"),
        w.get("resolution_ground_96"),
        w.fill("resolution_considering", &[("sitting", &sitting)]),
        w.get("resolution_decides"),
    ));

    // Article 1: ballots issued and collected, then each person's counts and percentages.
    let people = t.results.len().to_string();
    h.push_str(&format!(
        "<p class=\"article\"><b>{}</b> {}</p>\n<p class=\"article\">{}</p>\n",
        w.fill("resolution_article", &[("k", "1")]),
        w.fill(
            if rating {
                "resolution_article1_rating"
            } else {
                "resolution_article1_confidence"
            },
            &[("n", &people), ("sitting", &sitting)],
        ),
        w.fill(
            "resolution_ballots",
            &[
                ("issued", &t.eligible.to_string()),
                ("collected", &t.ballots_cast.to_string()),
                ("base", &t.base.to_string()),
            ],
        ),
    ));
    let choices: &[&str] = if rating {
        &["high", "medium", "low"]
    } else {
        &["confidence", "no_confidence"]
    };
    h.push_str(&format!(
        "<table class=\"grid results\">\n<thead>\n<tr><th>{}</th><th>{}</th>",
        w.get("minutes_number"),
        w.get("col_subject"),
    ));
    for c in choices {
        h.push_str(&format!("<th>{}</th>", w.get(&format!("choice_{c}"))));
    }
    h.push_str("</tr>\n</thead>\n<tbody>\n");
    for (i, s) in t.results.iter().enumerate() {
        let positions: Vec<String> = s.positions.iter().map(|p| esc(p)).collect();
        h.push_str(&format!(
            "<tr><td class=\"c\">{}</td><td><div class=\"name\">{}</div>\
             <div class=\"positions\">{}</div></td>",
            i + 1,
            esc(&s.full_name),
            positions.join("; "),
        ));
        for c in choices {
            let count = s.counts.get(*c).copied().unwrap_or(0).to_string();
            let pct = s
                .percents
                .get(*c)
                .map_or_else(String::new, |p| percent(p, lang));
            h.push_str(&format!(
                "<td class=\"n\">{}</td>",
                w.fill("resolution_count", &[("n", &count), ("p", &pct)])
            ));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    h.push_str(&format!(
        "<p class=\"legend\">{}</p>\n",
        w.get("minutes_percent_note")
    ));

    // Article 2 when someone was not rated: who and why.
    let exempt = t.exempt().unwrap_or_default();
    let mut article = 2;
    if !exempt.is_empty() {
        h.push_str(&format!(
            "<p class=\"article\"><b>{}</b> {}</p>\n",
            w.fill("resolution_article", &[("k", "2")]),
            w.get("minutes_exempt_note"),
        ));
        h.push_str(&exempt_table(&exempt, w));
        article += 1;
    }
    h.push_str(&format!(
        "<p class=\"article\"><b>{}</b> {}</p>\n<p class=\"article\">{}</p>\n",
        w.fill("resolution_article", &[("k", &article.to_string())]),
        w.get("resolution_effect"),
        w.fill(
            "resolution_passed",
            &[
                ("council", &council),
                ("date", &date_line(&r.vote.closed_at, w)),
            ]
        ),
    ));

    // Recipients (one a line, `|` between them in the words) and the chair's signature.
    let recipients: Vec<String> = w
        .get("resolution_recipients_list")
        .split('|')
        .map(str::to_owned)
        .collect();
    h.push_str(&format!(
        "<section class=\"closing\">\n<div class=\"recipients\"><b>{}</b><br>{}</div>\n\
         <div class=\"sign\">{}<br><em>{}</em></div>\n</section>\n</main>\n",
        w.get("resolution_recipients"),
        recipients.join("<br>"),
        w.get("resolution_sign"),
        w.get("minutes_sign_hint"),
    ));
    h.push_str(&format!(
        "<footer class=\"seal\">\n<p>{}</p>\n<p><span class=\"k\">{}</span> <code>{}</code></p>\n\
         <p><span class=\"k\">{}</span> <code>{}</code></p>\n</footer>\n</body>\n</html>\n",
        w.get("resolution_source"),
        w.get("minutes_vote_id"),
        esc(&r.vote.id),
        w.get("minutes_digest"),
        esc(digest),
    ));
    h
}
