//! Vietnamese alphabetical order for lists of people (the record's lists of who cast and who
//! did not). Code point order would put "Phạm" after "Phan" and every "Đ" after "V".
//!
//! Letters compare in the Vietnamese alphabet, a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p
//! q r s t u ư v (w) x y (z), case and tone marks ignored; a space sorts before any letter, so
//! "An" comes before "An Bình". Names equal so far compare by tone marks, letter by letter, in
//! dictionary order (none, huyền, hỏi, ngã, sắc, nặng), then by code points.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Each base letter in alphabet order; a vowel lists its six tone forms in tone order.
const ALPHABET: [&str; 33] = [
    "aàảãáạ",
    "ăằẳẵắặ",
    "âầẩẫấậ",
    "b",
    "c",
    "d",
    "đ",
    "eèẻẽéẹ",
    "êềểễếệ",
    "f",
    "g",
    "h",
    "iìỉĩíị",
    "j",
    "k",
    "l",
    "m",
    "n",
    "oòỏõóọ",
    "ôồổỗốộ",
    "ơờởỡớợ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "uùủũúụ",
    "ưừửữứự",
    "v",
    "w",
    "x",
    "yỳỷỹýỵ",
    "z",
];

/// `(letter rank, tone rank)`: letters from 1 in alphabet order; any other character after
/// every letter, by code point; whitespace 0.
fn rank(c: char) -> (u32, u32) {
    if c.is_whitespace() {
        return (0, 0);
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    letter_ranks()
        .get(&lower)
        .copied()
        .unwrap_or((ALPHABET.len() as u32 + 1 + lower as u32, 0))
}

/// Every letter form of `ALPHABET` with its rank, built once: lists of thousands of names are
/// sorted at each close.
fn letter_ranks() -> &'static HashMap<char, (u32, u32)> {
    static RANKS: OnceLock<HashMap<char, (u32, u32)>> = OnceLock::new();
    RANKS.get_or_init(|| {
        let mut ranks = HashMap::new();
        for (letter, forms) in ALPHABET.iter().enumerate() {
            for (tone, form) in forms.chars().enumerate() {
                ranks
                    .entry(form)
                    .or_insert((letter as u32 + 1, tone as u32));
            }
        }
        ranks
    })
}

/// A combining mark (a name typed in decomposed form): no letter of its own; it counts among
/// the tone marks.
fn combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// A name's place in Vietnamese alphabetical order: its letters, then its tone marks, then its
/// code points. Computed once per name when sorting a list (`sort_by_cached_key`).
pub fn sort_key(name: &str) -> (Vec<u32>, Vec<u32>, String) {
    let mut letters = Vec::with_capacity(name.len());
    let mut tones = Vec::with_capacity(name.len());
    for c in name.chars() {
        let (letter, tone) = rank(c);
        if !combining(c) {
            letters.push(letter);
        }
        tones.push(tone);
    }
    (letters, tones, name.to_owned())
}

/// Compares two names in Vietnamese alphabetical order.
pub fn compare(a: &str, b: &str) -> Ordering {
    sort_key(a).cmp(&sort_key(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        v.sort_by(|a, b| compare(a, b));
        v
    }

    #[test]
    fn vietnamese_letters_and_tones_sort_as_in_a_dictionary() {
        assert_eq!(
            sorted(&[
                "Phan Văn A",
                "Phạm Thị B",
                "Đỗ C",
                "Vũ D",
                "Dương E",
                "Ánh",
                "An"
            ]),
            [
                "An",
                "Ánh",
                "Dương E",
                "Đỗ C",
                "Phạm Thị B",
                "Phan Văn A",
                "Vũ D"
            ]
        );
        // ă and â are letters of their own, after a; ư after u; ơ after ô after o.
        assert_eq!(
            sorted(&["Ân", "Ăn", "An", "Ưng", "Uy"]),
            ["An", "Ăn", "Ân", "Uy", "Ưng"]
        );
        assert_eq!(sorted(&["Ơn", "Ôn", "On"]), ["On", "Ôn", "Ơn"]);
        // Tones only break ties: ma, mà, mả, mã, má, mạ.
        assert_eq!(
            sorted(&["mạ", "má", "mã", "mả", "mà", "ma"]),
            ["ma", "mà", "mả", "mã", "má", "mạ"]
        );
        assert_eq!(sorted(&["An Bình", "An", "Anh"]), ["An", "An Bình", "Anh"]);
        assert_eq!(sorted(&["bình", "Bình"]), ["Bình", "bình"]);
        // Decomposed "Phạm" (a + combining dot below) still sorts before "Phan".
        assert_eq!(sorted(&["Phan", "Pha\u{323}m"]), ["Pha\u{323}m", "Phan"]);
    }

    proptest! {
        /// A total order: antisymmetric, and equal only for equal names.
        #[test]
        fn the_order_is_total(a in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĐ ]{0,12}",
                              b in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĐ ]{0,12}") {
            prop_assert_eq!(compare(&a, &b), compare(&b, &a).reverse());
            prop_assert_eq!(compare(&a, &b) == Ordering::Equal, a == b);
        }
    }
}
