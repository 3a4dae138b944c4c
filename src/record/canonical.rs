//! Canonical JSON, RFC 8785 (JSON Canonicalization Scheme, "JCS"): the one byte form of a
//! record that is hashed and signed, so that any tool can rebuild the same bytes.
//!
//! - objects: members sorted by their names compared as UTF-16 code units, each name once;
//! - no whitespace anywhere;
//! - strings: `"` and `\` escaped, U+0008/09/0A/0C/0D as `\b \t \n \f \r`, other control
//!   characters below U+0020 as `\u00xx` (lower-case hex), every other character as itself in
//!   UTF-8 (no `\/`, no `\u` for non-ASCII);
//! - numbers: the record holds integers only, written in plain decimal with no sign for zero,
//!   which is what RFC 8785's ECMAScript number form gives for integers of magnitude at most
//!   2^53 − 1. Any other number is refused rather than canonicalized, so an independent
//!   verifier never needs floating-point formatting.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// The largest integer magnitude every JSON implementation reads exactly (I-JSON, RFC 7493).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A value that has no canonical form here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalError {
    /// Where in the value, e.g. `tally.results[0].counts.high`.
    pub path: String,
    pub number: String,
}

impl fmt::Display for CanonicalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.path.is_empty() {
            "the top level"
        } else {
            &self.path
        };
        write!(
            f,
            "{at} holds the number {}, which is not an integer within ±(2^53 − 1); a record holds \
             only such integers",
            self.number
        )
    }
}

/// The canonical text of `value` with the array at `path` (a member of a member:
/// `["encryption", "ballots"]`) written from `items`, one item at a time, instead of from
/// `value`: a list of tens of megabytes is never held as a JSON value too. `value` has the
/// member at `path` (its content is ignored). The text is [`to_canonical`]'s of `value` with
/// the items in that member.
pub fn to_canonical_with_list<T: serde::Serialize>(
    value: &Value,
    path: [&str; 2],
    items: Vec<T>,
) -> Result<String, CanonicalError> {
    let item_value = |i: usize, item: &T| {
        serde_json::to_value(item).map_err(|e| CanonicalError {
            path: format!("{}.{}[{i}]", path[0], path[1]),
            number: e.to_string(),
        })
    };
    // The outline, with a random placeholder where the list goes.
    let mut mark = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut mark);
    let mark: String = mark.iter().map(|b| format!("{b:02x}")).collect();
    let mut outline = value.clone();
    let Some(slot) = outline.get_mut(path[0]).and_then(|v| v.get_mut(path[1])) else {
        return to_canonical(value);
    };
    *slot = Value::String(mark.clone());
    let text = to_canonical(&outline)?;
    let placeholder = format!("\"{mark}\"");
    let at = match (text.find(&placeholder), text.rfind(&placeholder)) {
        (Some(first), Some(last)) if first == last => first,
        // Only if the record held those 32 random digits itself: the plain way.
        _ => {
            let all = items
                .iter()
                .enumerate()
                .map(|(i, item)| item_value(i, item))
                .collect::<Result<Vec<Value>, _>>()?;
            if let Some(slot) = outline.get_mut(path[0]).and_then(|v| v.get_mut(path[1])) {
                *slot = Value::Array(all);
            }
            return to_canonical(&outline);
        }
    };
    let mut out = String::with_capacity(text.len() + items.len() * 256);
    out.push_str(&text[..at]);
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_value(&item_value(i, &item)?, &mut out, &mut String::new())?;
    }
    out.push(']');
    out.push_str(&text[at + placeholder.len()..]);
    Ok(out)
}

/// The canonical (RFC 8785) text of `value`.
pub fn to_canonical(value: &Value) -> Result<String, CanonicalError> {
    let mut out = String::new();
    write_value(value, &mut out, &mut String::new())?;
    Ok(out)
}

fn write_value(value: &Value, out: &mut String, path: &mut String) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(n, out, path)?,
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                write_value(item, out, path)?;
                path.truncate(len);
            }
            out.push(']');
        }
        Value::Object(members) => {
            let mut names: Vec<&String> = members.keys().collect();
            names.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, name) in names.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(name, out);
                out.push(':');
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(name);
                write_value(&members[name], out, path)?;
                path.truncate(len);
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_number(n: &Number, out: &mut String, path: &str) -> Result<(), CanonicalError> {
    let refuse = || CanonicalError {
        path: path.to_owned(),
        number: n.to_string(),
    };
    if let Some(u) = n.as_u64() {
        if u > MAX_SAFE_INTEGER {
            return Err(refuse());
        }
        out.push_str(&u.to_string());
    } else if let Some(i) = n.as_i64() {
        if i.unsigned_abs() > MAX_SAFE_INTEGER {
            return Err(refuse());
        }
        out.push_str(&i.to_string());
    } else {
        return Err(refuse());
    }
    Ok(())
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Reads JSON refusing what RFC 8785 input must not hold: an object naming a member twice (two
/// readers could keep different ones), and anything after the value but whitespace.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let Strict(value) = Strict::deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(value)
}

struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Strict, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number that is not finite"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if members.contains_key(&name) {
                return Err(de::Error::custom(format!(
                    "the member {name:?} appears twice in one object"
                )));
            }
            let Strict(value) = map.next_value()?;
            members.insert(name, value);
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list written an item at a time gives the very text of the whole value: the same
    /// member order around it, the same escapes inside it.
    #[test]
    fn a_list_written_apart_is_the_text_of_the_whole_value() {
        let item = |i: u32| {
            serde_json::json!({
                "tracking_code": format!("{i:064x}"),
                "ballot_id": format!("id \"{i}\" \\ \u{1} é"),
                "ballot": "QUJD".repeat(i as usize),
            })
        };
        for n in [0u32, 1, 5] {
            let items: Vec<Value> = (0..n).map(item).collect();
            let whole = serde_json::json!({
                "zeta": 1,
                "encryption": {"sums": [["a"]], "ballots": items.clone(), "protocol": "p"},
                "alpha": {"ballots": "not this one"},
            });
            let mut outline = whole.clone();
            outline["encryption"]["ballots"] = serde_json::json!([]);
            assert_eq!(
                to_canonical_with_list(&outline, ["encryption", "ballots"], items).unwrap(),
                to_canonical(&whole).unwrap(),
                "{n} items"
            );
        }
    }
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn rfc_8785_sorts_names_by_utf16_code_units() {
        // RFC 8785 §3.2.3: U+1F600 is a surrogate pair (D83D DE00), so it sorts before U+FB33
        // although its code point is larger.
        let value: Value = serde_json::from_str(
            r#"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#,
        )
        .unwrap();
        let text = to_canonical(&value).unwrap();
        let order: Vec<&str> = [
            "Carriage Return",
            "One",
            "Control",
            "Latin Small Letter O With Diaeresis",
            "Euro Sign",
            "Emoji: Grinning Face",
            "Hebrew Letter Dalet With Dagesh",
        ]
        .to_vec();
        let mut last = 0;
        for name in order {
            let at = text.find(name).unwrap();
            assert!(at > last, "{name} out of order in {text}");
            last = at;
        }
    }

    #[test]
    fn strings_are_escaped_as_rfc_8785_says() {
        let value = json!({"s": "\u{0}\u{8}\t\n\u{b}\u{c}\r\u{1f}\"\\/\u{7f}é\u{2028}😀"});
        assert_eq!(
            to_canonical(&value).unwrap(),
            "{\"s\":\"\\u0000\\b\\t\\n\\u000b\\f\\r\\u001f\\\"\\\\/\u{7f}é\u{2028}😀\"}"
        );
    }

    #[test]
    fn no_whitespace_and_literals_as_written() {
        let value = json!({"b": [true, false, null, 0, -7, 9007199254740991_u64], "a": {}});
        assert_eq!(
            to_canonical(&value).unwrap(),
            r#"{"a":{},"b":[true,false,null,0,-7,9007199254740991]}"#
        );
    }

    #[test]
    fn fractions_and_unsafe_integers_are_refused_with_their_place() {
        let err = to_canonical(&json!({"t": {"r": [1, 2.5]}})).unwrap_err();
        assert_eq!(err.path, "t.r[1]");
        assert!(to_canonical(&json!(9007199254740992_u64)).is_err());
        assert!(to_canonical(&json!(-9007199254740992_i64)).is_err());
        assert!(to_canonical(&json!(-9007199254740991_i64)).is_ok());
    }

    #[test]
    fn strict_parsing_refuses_repeated_names_and_trailing_text() {
        assert!(parse_strict(br#"{"a":1,"a":2}"#).is_err());
        assert!(parse_strict(br#"{"x":{"a":1,"b":{"a":1,"a":1}}}"#).is_err());
        assert!(parse_strict(br#"{"a":1} x"#).is_err());
        assert_eq!(
            parse_strict(b" {\"a\":[1,-2,\"x\",null]}\n").unwrap(),
            json!({"a": [1, -2, "x", null]})
        );
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-(MAX_SAFE_INTEGER as i64)..=(MAX_SAFE_INTEGER as i64)).prop_map(|n| json!(n)),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// The canonical text reads back as the same value, and canonicalizing it again changes
        /// nothing: the form is a fixed point.
        #[test]
        fn canonical_text_round_trips_and_is_a_fixed_point(value in arb_value()) {
            let text = to_canonical(&value).unwrap();
            let back = parse_strict(text.as_bytes()).unwrap();
            prop_assert_eq!(&back, &value);
            prop_assert_eq!(to_canonical(&back).unwrap(), text.clone());
            // serde_json's own pretty form of the same value canonicalizes to the same bytes.
            let pretty = serde_json::to_string_pretty(&value).unwrap();
            prop_assert_eq!(to_canonical(&parse_strict(pretty.as_bytes()).unwrap()).unwrap(), text);
        }

        /// Names come out in UTF-16 order whatever order they went in.
        #[test]
        fn member_order_is_utf16_order(names in proptest::collection::btree_set(any::<String>(), 0..8)) {
            let object: Map<String, Value> = names.iter().rev().map(|n| (n.clone(), Value::Null)).collect();
            let text = to_canonical(&Value::Object(object)).unwrap();
            let mut sorted: Vec<&String> = names.iter().collect();
            sorted.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            let expected = format!("{{{}}}", sorted.iter().map(|n| {
                let mut s = String::new();
                write_string(n, &mut s);
                format!("{s}:null")
            }).collect::<Vec<_>>().join(","));
            prop_assert_eq!(text, expected);
        }
    }
}
