//! RFC 9496's ristretto255 test vectors (appendix A), as crypto/tests/rfc9496-vectors.json holds
//! them: the group this crate uses must agree with every one. The browser's own implementation
//! (web/assets/crypto, tested by tests/browser/crypto.mjs) is checked against the same file, so
//! the two meet on the RFC rather than on each other.

use serde_json::Value;
use tinnhiem_crypto::group::{base_mul, decode_point, encode_point};
use tinnhiem_crypto::{hex, Point, Scalar};

fn vectors() -> Value {
    let text = include_str!("rfc9496-vectors.json");
    serde_json::from_str(text).expect("the vectors are JSON")
}

fn bytes(value: &Value) -> Vec<u8> {
    hex::decode(value.as_str().expect("a hex string")).expect("lowercase hex")
}

#[test]
fn the_first_sixteen_multiples_of_the_generator() {
    let all = vectors();
    let multiples = all["multiples_of_the_generator"].as_array().unwrap();
    assert_eq!(multiples.len(), 16);
    for (k, want) in multiples.iter().enumerate() {
        let point = base_mul(&Scalar::from(k as u64));
        assert_eq!(encode_point(&point).to_vec(), bytes(want), "{k}·G");
        assert_eq!(decode_point(&bytes(want)), Ok(point), "{k}·G decodes");
    }
}

#[test]
fn every_bad_encoding_is_refused() {
    let all = vectors();
    let bad = all["bad_encodings"].as_array().unwrap();
    assert_eq!(bad.len(), 29);
    for entry in bad {
        let encoding = bytes(&entry["encoding"]);
        assert!(
            decode_point(&encoding).is_err(),
            "{} ({}) was accepted",
            entry["encoding"],
            entry["why"]
        );
    }
}

#[test]
fn the_one_way_map_from_uniform_bytes() {
    let all = vectors();
    for entry in all["from_uniform_bytes"].as_array().unwrap() {
        let input: [u8; 64] = bytes(&entry["input"]).try_into().expect("64 bytes");
        let point = Point::from_uniform_bytes(&input);
        assert_eq!(
            encode_point(&point).to_vec(),
            bytes(&entry["output"]),
            "{}",
            entry["input"]
        );
    }
}
