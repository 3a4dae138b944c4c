//! The record as CSV (RFC 4180, UTF-8, CRLF): one row per subject with counts, percentages and
//! outcome. A version 1 record, which lists its ballots, adds a blank line and then one row per
//! ballot with one column per subject; a version 2 record has no ballot to list.

use super::model::Record;

/// Text that a spreadsheet would run as a formula gets a leading `'` (OWASP's advice against
/// CSV injection); the signed JSON keeps the text as it is.
fn text_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_owned(),
    }
}

fn field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn row(out: &mut String, cells: &[String]) {
    let fields: Vec<String> = cells.iter().map(|c| field(c)).collect();
    out.push_str(&fields.join(","));
    out.push_str("\r\n");
}

/// The choice names of the record's vote, then `blank`, from its ballot codes.
fn columns(record: &Record) -> Vec<String> {
    let kind: Option<crate::domain::VoteKind> = record.vote.kind.parse().ok();
    let mut names: Vec<String> = kind
        .map(|k| k.choices().iter().map(|c| c.as_str().to_owned()).collect())
        .unwrap_or_default();
    names.push("blank".to_owned());
    names
}

pub fn render(record: &Record) -> String {
    let mut out = String::new();
    let names = columns(record);
    let mut header = vec![
        "order".to_owned(),
        "full_name".to_owned(),
        "positions".to_owned(),
    ];
    header.extend(names.iter().cloned());
    header.extend(names.iter().map(|n| format!("{n}_percent")));
    header.push("outcome".to_owned());
    row(&mut out, &header);
    for (i, r) in record.tally.results.iter().enumerate() {
        let mut cells = vec![
            (i + 1).to_string(),
            text_cell(&r.full_name),
            text_cell(&r.positions.join("; ")),
        ];
        cells.extend(
            names
                .iter()
                .map(|n| r.counts.get(n).map_or(String::new(), |c| c.to_string())),
        );
        cells.extend(
            names
                .iter()
                .map(|n| r.percents.get(n).cloned().unwrap_or_default()),
        );
        cells.push(r.outcome.clone());
        row(&mut out, &cells);
    }
    // The people not rated, when there are any: a blank line, then one row each with the
    // reason (a version 2 record never lists ballots, so this is the only other part).
    let exempt = record.tally.exempt().unwrap_or_default();
    if !exempt.is_empty() {
        out.push_str("\r\n");
        row(
            &mut out,
            &["not_rated", "full_name", "positions", "reason"].map(str::to_owned),
        );
        for (i, p) in exempt.iter().enumerate() {
            row(
                &mut out,
                &[
                    (i + 1).to_string(),
                    text_cell(&p.full_name),
                    text_cell(&p.positions.join("; ")),
                    text_cell(&p.reason),
                ],
            );
        }
    }
    // Version 1 records, written before ballots were left out, still list them.
    let (Some(ballots), Some(codes)) = (&record.ballots, &record.ballot_codes) else {
        return out;
    };
    out.push_str("\r\n");
    let subjects = record.tally.results.len();
    let mut header = vec!["ballot".to_owned()];
    header.extend((1..=subjects).map(|i| i.to_string()));
    row(&mut out, &header);
    for (i, ballot) in ballots.iter().enumerate() {
        let mut cells = vec![(i + 1).to_string()];
        cells.extend(
            ballot
                .chars()
                .map(|c| match codes.get(&c.to_string()).map(String::as_str) {
                    Some("blank") | None => String::new(),
                    Some(name) => name.to_owned(),
                }),
        );
        row(&mut out, &cells);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("plain"), "plain");
        assert_eq!(text_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text_cell("-1"), "'-1");
        assert_eq!(text_cell("Nguyễn Văn A"), "Nguyễn Văn A");
    }
}
