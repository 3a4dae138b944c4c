//! The words of the pages and of the printed minutes, one file per language:
//! `web/assets/vi.json` (Vietnamese, the default) and `web/assets/en.json`, each a flat JSON
//! object from key to text, `{name}` marking what is filled in. The pages fetch them
//! (`web/assets/i18n.js`); the minutes ([`crate::record::minutes`]) read them here, so that
//! screen and paper use the same word for the same thing. Keys only the minutes use start
//! with `minutes_`, those only the draft resolution ([`crate::record::resolution`]) uses with
//! `resolution_`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// `web/assets/vi.json`, embedded once for the minutes and the pages.
pub const VI_JSON: &str = include_str!("../web/assets/vi.json");
/// `web/assets/en.json`.
pub const EN_JSON: &str = include_str!("../web/assets/en.json");

/// A language of the pages and the minutes.
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

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The words for `key`. As on the pages, Vietnamese stands in for a word missing in English
    /// and the key itself for one missing in both; under test a missing word panics instead, so
    /// that the minutes' tests catch it.
    pub fn word(self, key: &str) -> &str {
        let [vi, en] = tables();
        let own = match self {
            Lang::Vi => vi,
            Lang::En => en,
        };
        match own.get(key).or_else(|| vi.get(key)) {
            Some(text) => text,
            None if cfg!(test) => panic!("no words for {key:?}"),
            None => key,
        }
    }
}

/// Both files, parsed once.
fn tables() -> &'static [BTreeMap<String, String>; 2] {
    static TABLES: OnceLock<[BTreeMap<String, String>; 2]> = OnceLock::new();
    TABLES.get_or_init(|| {
        let parse = |json| serde_json::from_str(json).expect("a flat JSON object of strings");
        [parse(VI_JSON), parse(EN_JSON)]
    })
}

/// `text` with each `{name}` of `vars` replaced by its value, in one pass as the pages' `t()`
/// does: other braces stay as they are, and a value is never read for placeholders itself.
pub fn fill(text: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let known = after.find('}').and_then(|close| {
            let name = &after[..close];
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (close, v))
        });
        match known {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Outcome, VoteKind, VoteState};
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    fn languages() -> [(&'static str, &'static BTreeMap<String, String>); 2] {
        let [vi, en] = tables();
        [("vi.json", vi), ("en.json", en)]
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let [(_, vi), (_, en)] = languages();
        let only = |a: &BTreeMap<String, String>, b: &BTreeMap<String, String>| -> Vec<String> {
            a.keys().filter(|k| !b.contains_key(*k)).cloned().collect()
        };
        assert_eq!(only(vi, en), Vec::<String>::new(), "in vi.json only");
        assert_eq!(only(en, vi), Vec::<String>::new(), "in en.json only");
    }

    #[test]
    fn each_key_is_written_once() {
        // A JSON parser keeps the last of two equal keys without a word: read them off the text,
        // which has one key a line.
        for ((file, words), json) in languages().into_iter().zip([VI_JSON, EN_JSON]) {
            let mut seen = BTreeSet::new();
            for line in json.lines().map(str::trim_start) {
                if let Some((key, _)) = line.strip_prefix('"').and_then(|l| l.split_once("\":")) {
                    assert!(seen.insert(key), "{file}: \"{key}\" twice");
                }
            }
            assert_eq!(seen.len(), words.len(), "{file}: one key a line");
        }
    }

    #[test]
    fn placeholders_are_filled_by_name() {
        assert_eq!(
            fill("{n} / {total}: {n}", &[("n", "3"), ("total", "5")]),
            "3 / 5: 3"
        );
        assert_eq!(fill("GET /votes/{id}", &[("n", "3")]), "GET /votes/{id}");
        assert_eq!(fill("{a}{b}", &[("a", "{b}"), ("b", "x")]), "{b}x");
        assert_eq!(fill("{ {a} }", &[("a", "1")]), "{ 1 }");
        assert_eq!(Lang::En.word("choice_blank"), "Blank");
        assert_eq!(Lang::Vi.word("choice_blank"), "Để trống");
    }

    /// The names the pages and the minutes look words up by: `choice_{name}`, `outcome_{name}`,
    /// and so on.
    fn domain_names() -> Vec<(&'static str, Vec<String>)> {
        let kinds = [VoteKind::Rating, VoteKind::Confidence];
        let mut choices: Vec<String> = kinds
            .iter()
            .flat_map(|k| k.choices())
            .map(|c| c.as_str().to_owned())
            .collect();
        choices.push("blank".to_owned());
        let outcomes: Vec<String> = [
            Outcome::None,
            Outcome::MayResign,
            Outcome::DismissalRequired,
            Outcome::DismissalProposed,
        ]
        .iter()
        .map(|o| {
            serde_json::to_value(o)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
        let consequences = outcomes.iter().filter(|o| *o != "none").cloned().collect();
        vec![
            (
                "kind_",
                kinds.iter().map(|k| k.as_str().to_owned()).collect(),
            ),
            (
                "state_",
                [VoteState::Draft, VoteState::Open, VoteState::Closed]
                    .iter()
                    .map(|s| s.as_str().to_owned())
                    .collect(),
            ),
            ("choice_", choices),
            ("outcome_", outcomes),
            ("explain_", consequences),
        ]
    }

    #[test]
    fn every_kind_state_choice_and_outcome_has_its_words() {
        for (file, words) in languages() {
            for (prefix, names) in domain_names() {
                for name in names {
                    let key = format!("{prefix}{name}");
                    assert!(words.contains_key(&key), "{file} has no \"{key}\"");
                }
            }
        }
    }

    fn files_under(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                files_under(&path, ext, out);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }

    /// What the code could look a word up by: every quoted name (`'seats'`, `"seats"`), and
    /// every start of a name built at run time (`` `outcome_${o}` ``, `"outcome_{o}"`).
    fn names_in_code() -> (BTreeSet<String>, BTreeSet<String>) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        files_under(&root.join("web/assets"), "js", &mut files);
        files.push(root.join("src/record/minutes.rs"));
        files.push(root.join("src/record/resolution.rs"));
        let (mut whole, mut starts) = (BTreeSet::new(), BTreeSet::new());
        for file in files {
            let text = std::fs::read_to_string(&file).expect("readable");
            for (at, quote) in text.char_indices().filter(|(_, c)| "'\"`".contains(*c)) {
                let rest = &text[at + 1..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                let (name, after) = rest.split_at(end);
                if name.is_empty() {
                    continue;
                }
                if after.starts_with(quote) {
                    whole.insert(name.to_owned());
                } else if after.starts_with("${") || after.starts_with('{') {
                    starts.insert(name.to_owned());
                }
            }
        }
        (whole, starts)
    }

    #[test]
    fn every_word_is_used() {
        let (whole, starts) = names_in_code();
        let built = domain_names();
        let used = |key: &str| {
            whole.contains(key)
                || built.iter().any(|(prefix, names)| {
                    starts.contains(*prefix)
                        && key
                            .strip_prefix(prefix)
                            .is_some_and(|name| names.iter().any(|n| n == name))
                })
        };
        let [(_, vi), _] = languages();
        let unused: Vec<&String> = vi.keys().filter(|k| !used(k)).collect();
        assert!(
            unused.is_empty(),
            "words no page and not the minutes use: {unused:?}"
        );
    }
}
