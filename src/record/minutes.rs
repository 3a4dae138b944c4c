//! The counting minutes (biên bản kiểm phiếu): the record as one self-contained HTML page laid
//! out to print on A4, in Vietnamese or English, with the record's digest and signature at the
//! foot. Its words are the pages' own ([`crate::words`]): the same word for the same thing on
//! screen and on paper. Every text, the words included, is escaped.

use chrono::{DateTime, Datelike, FixedOffset, Timelike};

use super::chain::EventKind;
use super::model::{ExemptPerson, Person, Record};
use crate::words::{fill, Lang};

/// The words of the minutes in one language, as HTML text.
#[derive(Clone, Copy)]
pub(super) struct Words(pub(super) Lang);

impl Words {
    pub(super) fn get(self, key: &str) -> String {
        esc(self.0.word(key))
    }

    /// The words for `key` with its `{name}` placeholders filled from `vars`, which are HTML.
    pub(super) fn fill(self, key: &str, vars: &[(&str, &str)]) -> String {
        fill(&self.get(key), vars)
    }
}

/// HTML text and attribute escaping.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Vietnam's time (UTC+7, no daylight saving), the time councils meet in.
fn local(rfc3339: &str) -> Option<DateTime<FixedOffset>> {
    let offset = FixedOffset::east_opt(7 * 3600)?;
    DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|t| t.with_timezone(&offset))
}

/// A date and time in the words of `key` (`minutes_time`, `minutes_date`): `{h}` and `{hh}` the
/// hour (bare, two digits), `{mm}` the minutes, `{d}` and `{dd}` the day, `{month}` the month's
/// name from `minutes_months` (twelve, comma-separated), `{year}`.
fn dated(t: DateTime<FixedOffset>, w: Words, key: &str) -> String {
    let months = w.0.word("minutes_months");
    let month = months
        .split(',')
        .nth(t.month0() as usize)
        .unwrap_or_default();
    w.fill(
        key,
        &[
            ("h", &t.hour().to_string()),
            ("hh", &format!("{:02}", t.hour())),
            ("mm", &format!("{:02}", t.minute())),
            ("d", &t.day().to_string()),
            ("dd", &format!("{:02}", t.day())),
            ("month", &esc(month.trim())),
            ("year", &t.year().to_string()),
        ],
    )
}

fn when(rfc3339: &str, w: Words) -> String {
    match local(rfc3339) {
        Some(t) => dated(t, w, "minutes_time"),
        None => esc(rfc3339),
    }
}

/// A short local time to the second, for the event log: `14:05:09 27/11/2026`.
fn moment(rfc3339: &str) -> String {
    match local(rfc3339) {
        Some(t) => t.format("%H:%M:%S %d/%m/%Y").to_string(),
        None => esc(rfc3339),
    }
}

pub(super) fn date_line(rfc3339: &str, w: Words) -> String {
    local(rfc3339).map_or_else(String::new, |t| dated(t, w, "minutes_date"))
}

/// A percentage as printed: a decimal comma in Vietnamese.
pub(super) fn percent(p: &str, lang: Lang) -> String {
    match lang {
        Lang::Vi => p.replace('.', ","),
        Lang::En => p.to_owned(),
    }
}

/// The page box: A4, the margins of Vietnamese administrative documents, and on every page its
/// number and the record's digest, so that a loose printed page can be matched to its record.
pub(super) fn page_style(digest: &str, lang: Lang) -> String {
    let digest: String = digest.chars().filter(char::is_ascii_hexdigit).collect();
    // A CSS string: the word "page" goes in without quotes or backslashes.
    let page = lang.word("minutes_page").replace(['"', '\\'], "");
    format!(
        "@page {{ size: A4; margin: 18mm 15mm 20mm 25mm;\n\
         @bottom-left {{ content: \"SHA-256 {digest}\"; font-family: \"DejaVu Sans Mono\", \
         monospace; font-size: 6.5pt; }}\n\
         @bottom-right {{ content: \"{page} \" counter(page) \"/\" counter(pages); \
         font-family: \"Times New Roman\", \"Liberation Serif\", serif; font-size: 9pt; }} }}\n"
    )
}

pub(super) const STYLE: &str = r#"
* { box-sizing: border-box; }
html { color: #000; background: #fff; }
body { font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", serif; font-size: 12pt;
       line-height: 1.35; margin: 0; }
@media screen { body { max-width: 180mm; margin: 12mm auto; } }
.masthead { display: flex; justify-content: space-between; align-items: flex-start; gap: 8mm;
            text-align: center; font-size: 11pt; }
.masthead .issuer { flex: 0 0 42%; }
.masthead .nation { flex: 1; }
.masthead .strong { font-weight: bold; }
.masthead .rule { width: 40%; margin: 1mm auto 0; border-top: 0.6pt solid #000; }
.masthead .date { margin-top: 3mm; font-style: italic; }
h1 { font-size: 15pt; text-align: center; margin: 9mm 0 1mm; letter-spacing: 0.3pt; }
.subtitle { text-align: center; margin: 0 0 6mm; }
.subtitle .title { font-weight: bold; font-size: 13pt; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; break-after: avoid; page-break-after: avoid; }
.keep { break-inside: avoid; page-break-inside: avoid; }
table { border-collapse: collapse; }
table.facts td { padding: 0.6mm 0; vertical-align: top; }
table.facts td:first-child { padding-right: 5mm; width: 70mm; }
table.grid { width: 100%; font-size: 9.5pt; line-height: 1.25; }
table.grid th, table.grid td { border: 0.6pt solid #000; padding: 1mm 1.2mm; vertical-align: top; }
table.grid th { font-weight: bold; text-align: center; vertical-align: middle; }
table.grid thead { display: table-header-group; }
table.grid tr { break-inside: avoid; page-break-inside: avoid; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.c { text-align: center; }
td.outcome { text-align: center; font-weight: bold; }
.name { font-weight: bold; }
.positions { font-size: 9pt; font-style: italic; }
.legend { font-size: 9.5pt; margin: 2mm 0 0; }
ol.names { columns: 3; column-gap: 6mm; margin: 0; padding-left: 7mm; font-size: 10.5pt; }
ol.names li { break-inside: avoid; }
.user { font-size: 8.5pt; color: #333; }
.none { font-style: italic; }
.signatures { display: flex; justify-content: space-around; text-align: center; margin-top: 8mm;
              break-inside: avoid; page-break-inside: avoid; }
.signatures div { width: 45%; min-height: 30mm; font-weight: bold; }
.signatures em { font-weight: normal; }
.seal { margin-top: 8mm; border-top: 0.6pt solid #000; padding-top: 2mm; font-size: 8.5pt;
        break-inside: avoid; page-break-inside: avoid; }
.seal .k { font-weight: bold; }
.seal code { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 7.5pt;
             word-break: break-all; overflow-wrap: anywhere; }
.seal p { margin: 0.8mm 0; }
"#;

/// The people the vote did not rate (Art. 2(5)), each as not rated with the reason; nothing
/// when there are none.
pub(super) fn exempt_section(people: &[ExemptPerson], w: Words) -> String {
    if people.is_empty() {
        return String::new();
    }
    format!(
        "<section class=\"keep\">\n<h2>{}</h2>\n<p class=\"legend\">{}</p>\n{}</section>\n",
        w.get("minutes_exempt"),
        w.get("minutes_exempt_note"),
        exempt_table(people, w),
    )
}

/// The table of the people not rated: each as not rated, with the reason.
pub(super) fn exempt_table(people: &[ExemptPerson], w: Words) -> String {
    let mut h = format!(
        "<table class=\"grid exempt\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th>\
         <th>{}</th></tr></thead>\n<tbody>\n",
        w.get("minutes_number"),
        w.get("col_subject"),
        w.get("col_outcome"),
        w.get("minutes_reason"),
    );
    for (i, p) in people.iter().enumerate() {
        let positions: Vec<String> = p.positions.iter().map(|x| esc(x)).collect();
        h.push_str(&format!(
            "<tr><td class=\"c\">{}</td><td><div class=\"name\">{}</div>\
             <div class=\"positions\">{}</div></td><td class=\"outcome\">{}</td><td>{}</td></tr>\n",
            i + 1,
            esc(&p.full_name),
            positions.join("; "),
            w.get("minutes_not_rated"),
            esc(&p.reason),
        ));
    }
    h.push_str("</tbody>\n</table>\n");
    h
}

/// The minutes of a verified record.
/// A committee vote's facts: how its ballots were kept secret, its committee, the ceremony's
/// fingerprint (which the members read out in the hall and sign here), and who decrypted.
fn committee_facts(r: &Record, w: Words) -> Vec<(&'static str, String)> {
    let Some(count) = &r.encryption else {
        return Vec::new();
    };
    let c = &count.committee;
    let name = |position: u32| {
        c.members
            .iter()
            .find(|m| m.position == position)
            .map_or(format!("#{position}"), |m| esc(&m.full_name))
    };
    let members: Vec<String> = c.members.iter().map(|m| name(m.position)).collect();
    let decrypted: Vec<String> = count.decryptions.iter().map(|d| name(d.position)).collect();
    vec![
        (
            "minutes_secrecy",
            w.fill(
                "minutes_committee_secrecy",
                &[
                    ("t", &c.threshold.to_string()),
                    ("n", &c.members.len().to_string()),
                ],
            ),
        ),
        ("minutes_committee_members", members.join(", ")),
        (
            "minutes_fingerprint",
            format!(
                "<b>{}</b>",
                esc(&crate::domain::committee::fingerprint(&c.ceremony_hash))
            ),
        ),
        ("minutes_decrypted_by", decrypted.join(", ")),
    ]
}

pub fn render(record: &Record, digest: &str, signature: &str, lang: Lang) -> String {
    let r = record;
    let t = &r.tally;
    let w = Words(lang);
    let rating = r.vote.kind == "rating";
    let mut h = String::with_capacity(16 * 1024);
    let title = esc(&r.vote.title);
    h.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — {title}</title>\n<style>\n{}{STYLE}</style>\n</head>\n<body>\n",
        lang.code(),
        w.get("minutes_title"),
        page_style(digest, lang),
    ));

    // Masthead: the issuing body on the left, the national motto on the right.
    h.push_str(&format!(
        "<header class=\"masthead\">\n<div class=\"issuer\"><div>{}</div>\
         <div class=\"strong\">{}</div><div class=\"rule\"></div></div>\n\
         <div class=\"nation\"><div class=\"strong\">{}</div><div class=\"strong\">{}</div>\
         <div class=\"rule\"></div><div class=\"date\">{}</div></div>\n</header>\n",
        esc(&r.council.name),
        w.get("minutes_committee").to_uppercase(),
        w.get("minutes_nation"),
        w.get("minutes_motto"),
        date_line(&r.vote.closed_at, w),
    ));
    h.push_str(&format!(
        "<h1>{}</h1>\n<p class=\"subtitle\">{}<br><span class=\"title\">{title}</span></p>\n",
        w.get("minutes_title").to_uppercase(),
        w.get(if rating {
            "minutes_result_rating"
        } else {
            "minutes_result_confidence"
        }),
    ));

    // The facts of the vote.
    let n = t.base.to_string();
    let base = match r.vote.percent_base.as_str() {
        "seats" => format!(
            "{} {}",
            w.fill("base_seats", &[("n", &n)]),
            w.get("minutes_rule_seats")
        ),
        _ => format!(
            "{} {}",
            w.fill("base_ballots", &[("n", &n)]),
            w.get("minutes_rule_ballots")
        ),
    };
    let facts = [
        ("council", esc(&r.council.name)),
        ("opened_at", when(&r.vote.opened_at, w)),
        ("closed_at", when(&r.vote.closed_at, w)),
        ("seats", t.seats.to_string()),
        ("eligible", t.eligible.to_string()),
        ("ballots_cast", t.ballots_cast.to_string()),
        (
            "minutes_not_cast_count",
            r.electors.not_cast.len().to_string(),
        ),
        ("base", base),
    ];
    h.push_str("<table class=\"facts\">\n");
    for (label, value) in facts.into_iter().chain(committee_facts(r, w)) {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{value}</td></tr>\n",
            w.get(label)
        ));
    }
    h.push_str("</table>\n");

    // The results, subject by subject in ballot order.
    let names: Vec<&str> = if rating {
        vec!["high", "medium", "low", "blank"]
    } else {
        vec!["confidence", "no_confidence", "blank"]
    };
    h.push_str(&format!(
        "<h2>{}</h2>\n<table class=\"grid results\">\n<thead>\n<tr><th rowspan=\"2\">{}</th>\
         <th rowspan=\"2\">{}</th>",
        w.get("tally_title"),
        w.get("minutes_number"),
        w.get("col_subject"),
    ));
    for n in &names {
        h.push_str(&format!(
            "<th colspan=\"2\">{}</th>",
            w.get(&format!("choice_{n}"))
        ));
    }
    h.push_str(&format!(
        "<th rowspan=\"2\">{}</th></tr>\n<tr>",
        w.get("col_outcome")
    ));
    for _ in &names {
        h.push_str(&format!("<th>{}</th><th>%</th>", w.get("minutes_votes")));
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
        for n in &names {
            let count = s.counts.get(*n).map_or(String::new(), |c| c.to_string());
            let pct = s
                .percents
                .get(*n)
                .map_or(String::new(), |p| percent(p, lang));
            h.push_str(&format!(
                "<td class=\"n\">{count}</td><td class=\"n\">{pct}</td>"
            ));
        }
        h.push_str(&format!(
            "<td class=\"outcome\">{}</td></tr>\n",
            w.get(&format!("outcome_{}", s.outcome))
        ));
    }
    h.push_str("</tbody>\n</table>\n");
    // The outcomes this kind of vote can have, explained as under the tally on screen.
    let consequences: &[&str] = if rating {
        &["may_resign", "dismissal_required"]
    } else {
        &["dismissal_proposed"]
    };
    let mut legend = w.get("minutes_percent_note");
    for o in consequences {
        legend.push_str(&format!(
            " <b>{}</b>: {}",
            w.get(&format!("outcome_{o}")),
            w.get(&format!("explain_{o}"))
        ));
    }
    h.push_str(&format!("<p class=\"legend\">{legend}</p>\n"));
    // A verified record's exempt list reads; one that does not was refused before.
    h.push_str(&exempt_section(&t.exempt().unwrap_or_default(), w));

    // Who cast and who did not: names only.
    let people = |list: &[Person]| -> String {
        if list.is_empty() {
            return format!("<p class=\"none\">{}</p>\n", w.get("minutes_nobody"));
        }
        let items: Vec<String> = list
            .iter()
            .map(|p| {
                format!(
                    "<li>{} <span class=\"user\">({})</span></li>",
                    esc(&p.full_name),
                    esc(&p.username)
                )
            })
            .collect();
        format!("<ol class=\"names\">\n{}\n</ol>\n", items.join("\n"))
    };
    h.push_str(&format!(
        "<h2>{} ({})</h2>\n{}",
        w.get("minutes_cast"),
        r.electors.cast.len(),
        people(&r.electors.cast)
    ));
    h.push_str(&format!(
        "<h2>{} ({})</h2>\n{}",
        w.get("minutes_not_cast"),
        r.electors.not_cast.len(),
        people(&r.electors.not_cast)
    ));

    // The event log.
    h.push_str(&format!(
        "<section class=\"keep\">\n<h2>{}</h2>\n<table class=\"grid log\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th>\
         <th>{}</th></tr></thead>\n<tbody>\n",
        w.get("minutes_log"),
        w.get("minutes_log_event"),
        w.get("minutes_log_when"),
        w.get("minutes_log_by"),
        w.get("minutes_log_counts"),
    ));
    for e in &r.events {
        // Each event's one count, under the word the facts above give it.
        let (what, count) = match e.event {
            EventKind::Created => ("minutes_event_created", "minutes_subjects"),
            EventKind::Opened => ("minutes_event_opened", "eligible"),
            EventKind::Closed => ("minutes_event_closed", "ballots_cast"),
        };
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{} <span class=\"user\">({})</span></td>\
             <td>{}: {}</td></tr>\n",
            w.get(what),
            moment(&e.at),
            esc(&e.actor.full_name),
            esc(&e.actor.username),
            w.get(count),
            e.count().unwrap_or(0),
        ));
    }
    h.push_str("</tbody>\n</table>\n</section>\n");

    // Hand signatures.
    h.push_str(&format!(
        "<section class=\"signatures\">\n<div>{}<br><em>{}</em></div>\n\
         <div>{}<br>{}<br><em>{}</em></div>\n</section>\n",
        w.get("minutes_sign_chair"),
        w.get("minutes_sign_hint"),
        w.get("minutes_sign_committee"),
        w.get("minutes_sign_head"),
        w.get("minutes_sign_hint"),
    ));

    // The seal: what makes the printed page checkable against the signed electronic record.
    h.push_str(&format!(
        "<footer class=\"seal\">\n<p class=\"k\">{}</p>\n<p>{}</p>\n\
         <p><span class=\"k\">{}</span> <code>{}</code></p>\n\
         <p><span class=\"k\">{}</span> <code>{}</code></p>\n\
         <p><span class=\"k\">{}</span> <code>{}</code></p>\n\
         <p><span class=\"k\">{}</span> <code>{}</code></p>\n\
         <p><span class=\"k\">{}</span> <code>{}</code>, RFC 8785, SHA-256, Ed25519</p>\n\
         </footer>\n",
        w.get("minutes_seal"),
        w.fill(
            "minutes_seal_text",
            &[("command", "<code>tinnhiem verify</code>")]
        ),
        w.get("minutes_vote_id"),
        esc(&r.vote.id),
        w.get("minutes_digest"),
        esc(digest),
        w.get("minutes_signature"),
        esc(signature),
        w.get("minutes_public_key"),
        esc(&r.signing_key.public_key),
        w.get("minutes_format"),
        esc(&r.format),
    ));
    h.push_str("</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escaping_covers_markup_and_attributes() {
        assert_eq!(
            esc("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn times_are_shown_in_vietnam_time() {
        assert_eq!(
            when("2026-11-27T07:05:09.123Z", Words(Lang::Vi)),
            "14 giờ 05 phút, ngày 27 tháng 11 năm 2026"
        );
        assert_eq!(
            when("2026-12-31T18:30:00.000Z", Words(Lang::En)),
            "1 January 2027, 01:30 (UTC+7)"
        );
        assert_eq!(
            date_line("2026-03-04T01:00:00.000Z", Words(Lang::Vi)),
            "ngày 04 tháng 03 năm 2026"
        );
        assert_eq!(percent("47.61", Lang::Vi), "47,61");
        for lang in [Lang::Vi, Lang::En] {
            assert_eq!(lang.word("minutes_months").split(',').count(), 12);
        }
    }

    /// A closed vote of `kind` with one subject, one ballot cast and one not.
    fn record(kind: &str, percent_base: &str) -> Record {
        let (choices, outcome): (&[&str], &str) = if kind == "rating" {
            (&["high", "medium", "low", "blank"], "may_resign")
        } else {
            (
                &["confidence", "no_confidence", "blank"],
                "dismissal_proposed",
            )
        };
        let counts: serde_json::Map<String, serde_json::Value> =
            choices.iter().map(|c| (c.to_string(), json!(1))).collect();
        let percents: serde_json::Map<String, serde_json::Value> = choices
            .iter()
            .map(|c| (c.to_string(), json!("33.33")))
            .collect();
        let at = "2026-11-27T07:05:09.123Z";
        let actor = json!({"id": "m1", "username": "chutoa", "full_name": "Nguyễn Thị Minh"});
        let event = |seq: u64, event: &str, count: &str, n: u64| {
            json!({"seq": seq, "event": event, "vote_id": "v1", "at": at, "actor": actor,
                   "counts": {count: n}, "prev": "0", "hash": "0"})
        };
        serde_json::from_value(json!({
            "format": crate::record::FORMAT,
            "signing_key": {"algorithm": "ed25519", "public_key": "KEY"},
            "council": {"id": "c1", "name": "HĐND xã", "seats": 3},
            "vote": {"id": "v1", "title": "Kỳ họp <thứ 9>", "kind": kind,
                     "percent_base": percent_base, "secrecy": "server", "created_at": at,
                     "opened_at": at,
                     "closed_at": at},
            "tally": {"vote_id": "v1", "council_id": "c1", "title": "Kỳ họp", "kind": kind,
                      "percent_base": percent_base, "base": 3, "seats": 3, "eligible": 2,
                      "ballots_cast": 1, "opened_at": at, "closed_at": at,
                      "results": [{"subject_id": "s1", "full_name": "Lê Văn A",
                                   "positions": ["Chủ tịch"], "counts": counts,
                                   "percents": percents, "outcome": outcome}]},
            "electors": {"cast": [{"full_name": "Trần B", "username": "b"}], "not_cast": []},
            "events": [event(1, "created", "subjects", 1), event(2, "opened", "eligible", 2),
                       event(3, "closed", "ballots_cast", 1)],
        }))
        .expect("a record")
    }

    #[test]
    fn the_minutes_say_what_the_screens_say() {
        for lang in [Lang::Vi, Lang::En] {
            for (kind, base, outcomes) in [
                (
                    "rating",
                    "ballots",
                    &["may_resign", "dismissal_required"][..],
                ),
                ("confidence", "seats", &["dismissal_proposed"][..]),
            ] {
                // A word missing from the files would panic here (Lang::word under test).
                let page = render(&record(kind, base), "ab12", "c2lnbmF0dXJl", lang);
                let has = |text: String| assert!(page.contains(&text), "{lang:?} {kind}: {text}");
                for label in ["seats", "eligible", "ballots_cast", "base", "council"] {
                    has(format!("<tr><td>{}</td>", esc(lang.word(label))));
                }
                has(esc(lang.word("col_subject")));
                has(format!(
                    "<th colspan=\"2\">{}</th>",
                    lang.word("choice_blank")
                ));
                for o in outcomes {
                    has(format!("<b>{}</b>: ", lang.word(&format!("outcome_{o}"))));
                    has(esc(lang.word(&format!("explain_{o}"))));
                }
                has(format!(
                    "<td class=\"outcome\">{}</td>",
                    lang.word(&format!("outcome_{}", outcomes[0]))
                ));
                has(format!("{}: 2", esc(lang.word("eligible"))));
                has(format!("{}: 1", esc(lang.word("ballots_cast"))));
                has("<code>tinnhiem verify</code>".to_owned());
                has("Kỳ họp &lt;thứ 9&gt;".to_owned());
                for raw in [
                    "minutes_", "choice_", "outcome_", "explain_", "{n}", "{month}",
                ] {
                    assert!(
                        !page.contains(raw),
                        "{lang:?} {kind}: {raw} left in the page"
                    );
                }
            }
        }
        let mut exempt = record("rating", "ballots");
        exempt.tally.other.insert(
            "exempt".into(),
            json!([{"full_name": "Phạm <Văn> C", "positions": ["Phó Chủ tịch"],
                    "reason": "Được bầu trong năm"}]),
        );
        let page = render(&exempt, "ab12", "c2ln", Lang::Vi);
        assert!(
            page.contains("Người không lấy phiếu tín nhiệm") && page.contains("Phạm &lt;Văn&gt; C")
        );
        assert!(
            page.contains("<td class=\"outcome\">Không lấy phiếu</td><td>Được bầu trong năm</td>")
        );
        let csv = crate::record::csv::render(&exempt);
        assert!(csv.ends_with("\r\nnot_rated,full_name,positions,reason\r\n1,Phạm <Văn> C,Phó Chủ tịch,Được bầu trong năm\r\n"), "{csv}");
        let resolution = crate::record::resolution::render(&exempt, "ab12", Lang::Vi);
        assert!(resolution.contains("1 phiếu (33,33%)") && resolution.contains("Điều 3."));
        assert!(
            !resolution.contains("resolution_") && !resolution.contains("{n}"),
            "{resolution}"
        );
        let vi = render(&record("rating", "ballots"), "ab12", "c2ln", Lang::Vi);
        assert!(
            vi.contains("<th colspan=\"2\">Để trống</th>"),
            "the blank row's word"
        );
        assert!(vi.contains("BIÊN BẢN KIỂM PHIẾU") && vi.contains("BAN KIỂM PHIẾU"));
        assert!(vi.contains("3 (số phiếu thu về) theo Nghị quyết 96/2023/QH15"));
    }
}
