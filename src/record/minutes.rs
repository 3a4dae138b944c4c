//! The counting minutes (biên bản kiểm phiếu): the record as one self-contained HTML page laid
//! out to print on A4, in Vietnamese or English, with the record's digest and signature at the
//! foot. Every text that came from a user is escaped.

use chrono::{DateTime, Datelike, FixedOffset, Timelike};

use super::chain::EventKind;
use super::model::{Person, Record, FORMAT};

/// The language of the minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    fn pick(self, vi: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
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

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn when(rfc3339: &str, lang: Lang) -> String {
    let Some(t) = local(rfc3339) else {
        return esc(rfc3339);
    };
    match lang {
        Lang::Vi => format!(
            "{} giờ {:02} phút, ngày {:02} tháng {:02} năm {}",
            t.hour(),
            t.minute(),
            t.day(),
            t.month(),
            t.year()
        ),
        Lang::En => format!(
            "{} {} {}, {:02}:{:02} (UTC+7)",
            t.day(),
            MONTHS[t.month0() as usize],
            t.year(),
            t.hour(),
            t.minute()
        ),
    }
}

/// A short local time to the second, for the event log: `14:05:09 27/11/2026`.
fn moment(rfc3339: &str) -> String {
    match local(rfc3339) {
        Some(t) => t.format("%H:%M:%S %d/%m/%Y").to_string(),
        None => esc(rfc3339),
    }
}

fn date_line(rfc3339: &str, lang: Lang) -> String {
    let Some(t) = local(rfc3339) else {
        return String::new();
    };
    match lang {
        Lang::Vi => format!(
            "ngày {:02} tháng {:02} năm {}",
            t.day(),
            t.month(),
            t.year()
        ),
        Lang::En => format!("{} {} {}", t.day(), MONTHS[t.month0() as usize], t.year()),
    }
}

fn percent(p: &str, lang: Lang) -> String {
    match lang {
        Lang::Vi => p.replace('.', ","),
        Lang::En => p.to_owned(),
    }
}

fn choice_label(name: &str, lang: Lang) -> &'static str {
    match name {
        "high" => lang.pick("Tín nhiệm cao", "High confidence"),
        "medium" => lang.pick("Tín nhiệm", "Confidence"),
        "low" => lang.pick("Tín nhiệm thấp", "Low confidence"),
        "confidence" => lang.pick("Tín nhiệm", "Confidence"),
        "no_confidence" => lang.pick("Không tín nhiệm", "No confidence"),
        "blank" => lang.pick("Không đánh dấu", "Blank"),
        _ => "?",
    }
}

fn outcome_label(name: &str, lang: Lang) -> &'static str {
    match name {
        "none" => lang.pick("Không", "None"),
        "may_resign" => lang.pick("Có thể xin từ chức", "May resign"),
        "dismissal_required" => lang.pick("Phải trình miễn nhiệm", "Dismissal must be submitted"),
        "dismissal_proposed" => lang.pick("Đề nghị miễn nhiệm", "Dismissal to be proposed"),
        _ => "?",
    }
}

/// The page box: A4, the margins of Vietnamese administrative documents, and on every page its
/// number and the record's digest, so that a loose printed page can be matched to its record.
fn page_style(digest: &str, lang: Lang) -> String {
    let digest: String = digest.chars().filter(char::is_ascii_hexdigit).collect();
    format!(
        "@page {{ size: A4; margin: 18mm 15mm 20mm 25mm;\n\
         @bottom-left {{ content: \"SHA-256 {digest}\"; font-family: \"DejaVu Sans Mono\", \
         monospace; font-size: 6.5pt; }}\n\
         @bottom-right {{ content: \"{} \" counter(page) \"/\" counter(pages); \
         font-family: \"Times New Roman\", \"Liberation Serif\", serif; font-size: 9pt; }} }}\n",
        lang.pick("Trang", "Page")
    )
}

const STYLE: &str = r#"
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

/// The minutes of a verified record.
pub fn render(record: &Record, digest: &str, signature: &str, lang: Lang) -> String {
    let r = record;
    let t = &r.tally;
    let rating = r.vote.kind == "rating";
    let mut h = String::with_capacity(16 * 1024);
    let title = esc(&r.vote.title);
    h.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — {title}</title>\n<style>\n{}{STYLE}</style>\n</head>\n<body>\n",
        lang.code(),
        lang.pick("Biên bản kiểm phiếu", "Counting minutes"),
        page_style(digest, lang),
    ));

    // Masthead: the issuing body on the left, the national motto on the right.
    h.push_str(&format!(
        "<header class=\"masthead\">\n<div class=\"issuer\"><div>{}</div>\
         <div class=\"strong\">{}</div><div class=\"rule\"></div></div>\n\
         <div class=\"nation\"><div class=\"strong\">{}</div><div class=\"strong\">{}</div>\
         <div class=\"rule\"></div><div class=\"date\">{}</div></div>\n</header>\n",
        esc(&r.council.name),
        lang.pick("BAN KIỂM PHIẾU", "COUNTING COMMITTEE"),
        lang.pick(
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "SOCIALIST REPUBLIC OF VIET NAM"
        ),
        lang.pick(
            "Độc lập - Tự do - Hạnh phúc",
            "Independence - Freedom - Happiness"
        ),
        date_line(&r.vote.closed_at, lang),
    ));
    h.push_str(&format!(
        "<h1>{}</h1>\n<p class=\"subtitle\">{}<br><span class=\"title\">{title}</span></p>\n",
        lang.pick("BIÊN BẢN KIỂM PHIẾU", "COUNTING MINUTES"),
        if rating {
            lang.pick(
                "Kết quả lấy phiếu tín nhiệm",
                "Result of the confidence rating (lấy phiếu tín nhiệm)",
            )
        } else {
            lang.pick(
                "Kết quả bỏ phiếu tín nhiệm",
                "Result of the confidence vote (bỏ phiếu tín nhiệm)",
            )
        },
    ));

    // The facts of the vote.
    let base_text = match r.vote.percent_base.as_str() {
        "seats" => lang.pick(
            "tổng số đại biểu (Nghị quyết 85/2014/QH13)",
            "the seats (Resolution 85/2014/QH13)",
        ),
        _ => lang.pick(
            "tổng số phiếu thu về (Nghị quyết 96/2023/QH15)",
            "the ballots cast (Resolution 96/2023/QH15)",
        ),
    };
    let not_cast = r.electors.not_cast.len();
    let facts: Vec<(&str, String)> = vec![
        (lang.pick("Hội đồng", "Council"), esc(&r.council.name)),
        (
            lang.pick("Bắt đầu bỏ phiếu", "Voting opened"),
            when(&r.vote.opened_at, lang),
        ),
        (
            lang.pick("Kết thúc bỏ phiếu", "Voting closed"),
            when(&r.vote.closed_at, lang),
        ),
        (lang.pick("Tổng số đại biểu", "Seats"), t.seats.to_string()),
        (
            lang.pick(
                "Số đại biểu được phát phiếu",
                "Eligible delegates (ballots issued)",
            ),
            t.eligible.to_string(),
        ),
        (
            lang.pick("Số phiếu thu về", "Ballots cast"),
            t.ballots_cast.to_string(),
        ),
        (
            lang.pick(
                "Số đại biểu không bỏ phiếu",
                "Eligible delegates who did not cast",
            ),
            not_cast.to_string(),
        ),
        (
            lang.pick("Căn cứ tính tỷ lệ", "Percentages taken of"),
            format!("{base_text}: {}", t.base),
        ),
    ];
    h.push_str("<table class=\"facts\">\n");
    for (label, value) in facts {
        h.push_str(&format!("<tr><td>{label}</td><td>{value}</td></tr>\n"));
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
        lang.pick("Kết quả kiểm phiếu", "Results"),
        lang.pick("STT", "No."),
        lang.pick("Họ và tên, chức vụ", "Name and positions"),
    ));
    for n in &names {
        h.push_str(&format!("<th colspan=\"2\">{}</th>", choice_label(n, lang)));
    }
    h.push_str(&format!(
        "<th rowspan=\"2\">{}</th></tr>\n<tr>",
        lang.pick("Kết quả", "Outcome")
    ));
    for _ in &names {
        h.push_str(&format!(
            "<th>{}</th><th>%</th>",
            lang.pick("Số phiếu", "Votes")
        ));
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
            outcome_label(&s.outcome, lang)
        ));
    }
    h.push_str("</tbody>\n</table>\n");
    let legend = if rating {
        lang.pick(
            "Tỷ lệ phần trăm tính trên căn cứ nêu trên, làm tròn đến hai chữ số thập phân. \
             <b>Có thể xin từ chức</b>: quá nửa đánh giá “tín nhiệm thấp” (nếu không xin từ chức \
             thì trình Hội đồng bỏ phiếu tín nhiệm). <b>Phải trình miễn nhiệm</b>: từ hai phần ba \
             trở lên đánh giá “tín nhiệm thấp”.",
            "Percentages of the base above, rounded half-up to two decimals. <b>May resign</b>: \
             more than half rated “low confidence” (otherwise a confidence vote must follow). \
             <b>Dismissal must be submitted</b>: two thirds or more rated “low confidence”.",
        )
    } else {
        lang.pick(
            "Tỷ lệ phần trăm tính trên căn cứ nêu trên, làm tròn đến hai chữ số thập phân. \
             <b>Đề nghị miễn nhiệm</b>: quá nửa bỏ phiếu “không tín nhiệm”.",
            "Percentages of the base above, rounded half-up to two decimals. <b>Dismissal to be \
             proposed</b>: more than half voted “no confidence”.",
        )
    };
    h.push_str(&format!("<p class=\"legend\">{legend}</p>\n"));

    // Who cast and who did not: names only.
    let people = |list: &[Person]| -> String {
        if list.is_empty() {
            return format!(
                "<p class=\"none\">{}</p>\n",
                lang.pick("Không có.", "None.")
            );
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
        lang.pick("Đại biểu đã bỏ phiếu", "Delegates who cast a ballot"),
        r.electors.cast.len(),
        people(&r.electors.cast)
    ));
    h.push_str(&format!(
        "<h2>{} ({})</h2>\n{}",
        lang.pick(
            "Đại biểu không bỏ phiếu",
            "Eligible delegates who did not cast"
        ),
        r.electors.not_cast.len(),
        people(&r.electors.not_cast)
    ));

    // The event log.
    h.push_str(&format!(
        "<section class=\"keep\">\n<h2>{}</h2>\n<table class=\"grid log\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th>\
         <th>{}</th></tr></thead>\n<tbody>\n",
        lang.pick("Diễn biến", "Event log"),
        lang.pick("Sự kiện", "Event"),
        lang.pick("Thời điểm", "When"),
        lang.pick("Người thực hiện", "By"),
        lang.pick("Số liệu", "Counts"),
    ));
    for e in &r.events {
        let (what, count) = match e.event {
            EventKind::Created => (
                lang.pick("Tạo cuộc biểu quyết", "Vote created"),
                lang.pick("người được lấy phiếu", "subjects"),
            ),
            EventKind::Opened => (
                lang.pick("Bắt đầu bỏ phiếu", "Voting opened"),
                lang.pick("đại biểu được phát phiếu", "eligible delegates"),
            ),
            EventKind::Closed => (
                lang.pick(
                    "Kết thúc, công bố kết quả",
                    "Voting closed, result published",
                ),
                lang.pick("phiếu thu về", "ballots cast"),
            ),
        };
        h.push_str(&format!(
            "<tr><td>{what}</td><td>{}</td><td>{} <span class=\"user\">({})</span></td>\
             <td>{} {count}</td></tr>\n",
            moment(&e.at),
            esc(&e.actor.full_name),
            esc(&e.actor.username),
            e.count().unwrap_or(0),
        ));
    }
    h.push_str("</tbody>\n</table>\n</section>\n");

    // Hand signatures.
    h.push_str(&format!(
        "<section class=\"signatures\">\n<div>{}<br><em>{}</em></div>\n\
         <div>{}<br><em>{}</em></div>\n</section>\n",
        lang.pick("CHỦ TỌA", "CHAIR"),
        lang.pick("(Ký, ghi rõ họ tên)", "(signature and full name)"),
        lang.pick(
            "TM. BAN KIỂM PHIẾU<br>TRƯỞNG BAN",
            "FOR THE COUNTING COMMITTEE<br>HEAD"
        ),
        lang.pick("(Ký, ghi rõ họ tên)", "(signature and full name)"),
    ));

    // The seal: what makes the printed page checkable against the signed electronic record.
    h.push_str(&format!(
        "<footer class=\"seal\">\n<p class=\"k\">{}</p>\n<p>{}</p>\n\
         <p><span class=\"k\">{}</span> <code>{}</code></p>\n\
         <p><span class=\"k\">{}</span> <code>{}</code></p>\n\
         <p><span class=\"k\">{}</span> <code>{}</code></p>\n\
         <p><span class=\"k\">{}</span> <code>{}</code></p>\n\
         <p><span class=\"k\">{}</span> <code>{FORMAT}</code>, RFC 8785, SHA-256, Ed25519</p>\n\
         </footer>\n",
        lang.pick("BIÊN BẢN ĐIỆN TỬ ĐÃ KÝ SỐ", "SIGNED ELECTRONIC RECORD"),
        lang.pick(
            "Bản in này trình bày biên bản điện tử của cuộc biểu quyết. Bản gốc là tệp JSON có chữ \
             ký số, tải tại GET /api/v1/votes/{id}/record; kiểm tra bằng lệnh \
             <code>tinnhiem verify</code> hoặc theo hướng dẫn trong docs/auditing.md.",
            "This page presents the vote's electronic record. The original is the signed JSON file \
             from GET /api/v1/votes/{id}/record; check it with <code>tinnhiem verify</code> or by \
             the procedure in docs/auditing.md.",
        ),
        lang.pick("Mã cuộc biểu quyết:", "Vote id:"),
        esc(&r.vote.id),
        lang.pick("Mã băm SHA-256:", "SHA-256 digest:"),
        esc(digest),
        lang.pick("Chữ ký Ed25519:", "Ed25519 signature:"),
        esc(signature),
        lang.pick("Khóa công khai:", "Public key:"),
        esc(&r.signing_key.public_key),
        lang.pick("Định dạng:", "Format:"),
    ));
    h.push_str("</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

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
            when("2026-11-27T07:05:09.123Z", Lang::Vi),
            "14 giờ 05 phút, ngày 27 tháng 11 năm 2026"
        );
        assert_eq!(
            when("2026-12-31T18:30:00.000Z", Lang::En),
            "1 January 2027, 01:30 (UTC+7)"
        );
        assert_eq!(percent("47.61", Lang::Vi), "47,61");
    }
}
