//! `tinnhiem check-ballot`: the check of a ballot the delegate chose to check instead of
//! casting (the Benaloh challenge, docs/verifiable.md §5.5), on a machine the server does not
//! control. It reads the opened ballot's JSON (§5.7), checks the ballot's proofs and tracking
//! code, encrypts each cell again with its r, compares, and says what the ballot holds, row by
//! row, in Vietnamese and English.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use rand_core::OsRng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tinnhiem_crypto::ballot::ROW_PROOF_BYTES;
use tinnhiem_crypto::ballot::{BallotContext, EncryptedBallot, Opening, Shape, CELL_BYTES};
use tinnhiem_crypto::elgamal::JointKey;
use tinnhiem_crypto::group::{decode_nonidentity, decode_scalar, encode_scalar};
use tinnhiem_crypto::hex;

use crate::voter_tool::Encrypted;
use crate::words::Lang;

/// The protocol an opened ballot names: the one the cryptography implements.
pub const PROTOCOL: &str = match std::str::from_utf8(tinnhiem_crypto::transcript::PROTOCOL) {
    Ok(name) => name,
    Err(_) => panic!("the protocol's name is UTF-8"),
};

/// An opened ballot as the tablet shows and saves it (docs/verifiable.md §5.7).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenedBallot {
    pub protocol: String,
    /// The vote's id, for the reader; the manifest hash is what binds the ballot to the vote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vote_id: Option<String>,
    pub manifest_hash: String,
    pub ballot_id: String,
    pub joint_key: String,
    /// The choices' names, one cell each, in ballot order (`high`, `medium`, `low`).
    pub choices: Vec<String>,
    /// The rows' names as the tablet showed them, for the reader; not bound to the ballot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subjects: Option<Vec<String>>,
    /// base64 (standard, padded) of the ballot's bytes (§5.2).
    pub ballot: String,
    pub tracking_code: String,
    /// Per row, the index of the marked choice, or null for a blank row.
    pub marks: Vec<Option<usize>>,
    /// Per row, per cell, the r it was encrypted with (32 bytes little-endian, hex).
    pub randomness: Vec<Vec<String>>,
}

/// A tracking code as shown to be read aloud: its first 16 hex digits, upper case, in four
/// groups of four (`3F2A 9C01 B7E4 0D55`). The whole code is what the record lists.
pub fn short_code(code: &str) -> String {
    let head: Vec<char> = code.chars().take(16).collect();
    head.chunks(4)
        .map(|g| g.iter().collect::<String>().to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The opened form of a ballot encrypted by [`crate::voter_tool::encrypt`] for `ballot` (the
/// answer of GET /votes/{id}/ballot): what a tablet shows when the delegate checks it.
pub fn opened(ballot: &Value, encrypted: &Encrypted) -> OpenedBallot {
    let encryption = &ballot["encryption"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    OpenedBallot {
        protocol: PROTOCOL.to_owned(),
        vote_id: ballot["vote_id"].as_str().map(str::to_owned),
        manifest_hash: text(&encryption["manifest_hash"]),
        ballot_id: encrypted.cast.ballot_id.clone(),
        joint_key: text(&encryption["joint_key"]),
        choices: ballot["choices"]
            .as_array()
            .map(|a| a.iter().map(text).collect())
            .unwrap_or_default(),
        subjects: ballot["subjects"]
            .as_array()
            .map(|a| a.iter().map(|s| text(&s["full_name"])).collect()),
        ballot: encrypted.cast.ballot.clone(),
        tracking_code: encrypted.tracking_code.clone(),
        marks: encrypted.opening.marks.clone(),
        randomness: encrypted
            .opening
            .randomness
            .iter()
            .map(|row| row.iter().map(|r| hex::encode(&encode_scalar(r))).collect())
            .collect(),
    }
}

/// What the check found.
#[derive(Debug, Clone)]
pub struct Check {
    /// What each row holds: the choice's name, or `None` for blank.
    pub rows: Vec<Option<String>>,
    pub subjects: Option<Vec<String>>,
    pub tracking_code: String,
    /// Whether every proof holds, the tracking code is the ballot's, and every cell encrypts
    /// its row's mark with its r; the first failure is explained in `failure`.
    pub proofs: bool,
    pub code: bool,
    pub opens: bool,
    pub failure: Option<String>,
}

impl Check {
    /// Whether the ballot is well formed, has the tracking code shown, and encrypts exactly
    /// the marks listed.
    pub fn holds(&self) -> bool {
        self.proofs && self.code && self.opens && self.failure.is_none()
    }

    /// The report printed by `tinnhiem check-ballot`, Vietnamese first.
    pub fn report(&self) -> String {
        let mark = |ok: bool| if ok { "✓" } else { "✗" };
        let mut out = String::new();
        out.push_str(&format!(
            "Mã theo dõi phiếu · Tracking code: {}\n  ({})\n",
            short_code(&self.tracking_code),
            self.tracking_code
        ));
        out.push_str(&format!(
            "{} Các chứng minh của phiếu hợp lệ · The ballot's proofs hold\n",
            mark(self.proofs)
        ));
        out.push_str(&format!(
            "{} Mã theo dõi khớp với phiếu · The tracking code is the ballot's\n",
            mark(self.code)
        ));
        out.push_str(&format!(
            "{} Mỗi ô mã hóa lại đều khớp · Every cell encrypts again to the same ciphertext\n",
            mark(self.opens)
        ));
        if let Some(why) = &self.failure {
            out.push_str(&format!("  {why}\n"));
        }
        out.push_str("Phiếu chứa · The ballot holds:\n");
        for (i, row) in self.rows.iter().enumerate() {
            let name = self
                .subjects
                .as_ref()
                .and_then(|s| s.get(i))
                .map(|n| format!(" {n}"))
                .unwrap_or_default();
            let choice = row.as_deref().unwrap_or("blank");
            out.push_str(&format!(
                "  {}.{name}: {} · {}\n",
                i + 1,
                label(Lang::Vi, choice),
                label(Lang::En, choice)
            ));
        }
        if self.holds() {
            out.push_str(
                "KẾT QUẢ: ĐÚNG. Phiếu đã mã hóa đúng các lựa chọn trên. Phiếu này không được \
                 bỏ vào hòm; hãy bỏ phiếu bằng một phiếu mới.\n\
                 RESULT: MATCHES. The encrypted ballot holds exactly the marks above. This \
                 ballot is never cast; cast a fresh one.\n",
            );
        } else {
            out.push_str(
                "KẾT QUẢ: KHÔNG KHỚP. Đừng bỏ phiếu trên máy tính bảng này; báo ngay cho Ban \
                 kiểm phiếu và chủ tọa.\n\
                 RESULT: DOES NOT MATCH. Do not cast on this tablet; tell the counting \
                 committee and the chair at once.\n",
            );
        }
        out
    }
}

/// A choice's words from the one vocabulary, or its name when the vocabulary has none.
fn label(lang: Lang, choice: &str) -> String {
    let key = format!("choice_{choice}");
    let word = lang.word(&key);
    if word == key {
        choice.to_owned()
    } else {
        word.to_owned()
    }
}

fn bytes_of(field: &str, text: &str, len: usize) -> Result<Vec<u8>, String> {
    let bytes = hex::decode(text).ok_or_else(|| format!("{field} is not lowercase hex"))?;
    if bytes.len() != len {
        return Err(format!("{field} is {} bytes, not {len}", bytes.len()));
    }
    Ok(bytes)
}

/// Checks an opened ballot's JSON. `Err` when it is not an opened ballot at all (not JSON, a
/// field missing or of the wrong form); otherwise what the check found, which may be a
/// refusal.
pub fn check(json: &[u8]) -> Result<Check, String> {
    let opened: OpenedBallot =
        serde_json::from_slice(json).map_err(|e| format!("not an opened ballot: {e}"))?;
    if opened.protocol != PROTOCOL {
        return Err(format!(
            "protocol {:?}: this tool checks {PROTOCOL}",
            opened.protocol
        ));
    }
    let manifest_hash: [u8; 32] = bytes_of("manifest_hash", &opened.manifest_hash, 32)?
        .try_into()
        .expect("32 bytes");
    let ballot_id: [u8; 16] = bytes_of("ballot_id", &opened.ballot_id, 16)?
        .try_into()
        .expect("16 bytes");
    let key = decode_nonidentity(&bytes_of("joint_key", &opened.joint_key, 32)?)
        .map_err(|e| format!("joint_key: {e}"))?;
    let key = JointKey::new(key);
    let code = bytes_of("tracking_code", &opened.tracking_code, 32)?;
    if opened.choices.is_empty() {
        return Err("choices is empty: a ballot has at least one choice".into());
    }
    let bytes = BASE64
        .decode(opened.ballot.as_bytes())
        .map_err(|e| format!("ballot is not base64: {e}"))?;
    let rows = opened.marks.len();
    if opened.randomness.len() != rows {
        return Err(format!(
            "{rows} marks but {} rows of randomness",
            opened.randomness.len()
        ));
    }
    let shape = Shape {
        rows,
        choices: opened.choices.len(),
    };
    let want = rows * (shape.choices * CELL_BYTES + ROW_PROOF_BYTES);
    if bytes.len() != want {
        return Err(format!(
            "the ballot is {} bytes, where {rows} rows of {} choices make {want}",
            bytes.len(),
            shape.choices
        ));
    }
    let mut failure = None;
    let mut randomness = Vec::with_capacity(rows);
    for (i, row) in opened.randomness.iter().enumerate() {
        if row.len() != shape.choices {
            return Err(format!(
                "row {}: {} values of r for {} choices",
                i + 1,
                row.len(),
                shape.choices
            ));
        }
        let mut scalars = Vec::with_capacity(row.len());
        for (j, r) in row.iter().enumerate() {
            let scalar = bytes_of(&format!("r of row {} choice {}", i + 1, j + 1), r, 32)
                .and_then(|b| decode_scalar(&b).map_err(|e| format!("r of row {}: {e}", i + 1)))?;
            scalars.push(scalar);
        }
        randomness.push(scalars);
    }
    for (i, m) in opened.marks.iter().enumerate() {
        if m.is_some_and(|m| m >= shape.choices) {
            return Err(format!(
                "row {}: mark {} is not a choice (0 to {})",
                i + 1,
                m.unwrap_or_default(),
                shape.choices - 1
            ));
        }
    }
    let context = BallotContext {
        manifest_hash,
        key: &key,
        ballot_id,
    };
    let (proofs, ballot) =
        match EncryptedBallot::verify_encoded(&bytes, &context, shape, &mut OsRng) {
            Ok(ballot) => (true, Some(ballot)),
            Err(refusal) => {
                failure = Some(refusal.to_string());
                (false, EncryptedBallot::from_bytes(&bytes, shape).ok())
            }
        };
    let (code_holds, opens) = match &ballot {
        Some(ballot) => {
            let computed = ballot.tracking_code(&manifest_hash, &ballot_id);
            let opening = Opening {
                marks: opened.marks.clone(),
                randomness,
            };
            (computed[..] == code[..], opening.opens(&key, ballot))
        }
        None => (false, false),
    };
    if failure.is_none() && !code_holds {
        failure = Some(
            "the tracking code shown is not the hash of this ballot: the tablet showed another \
             ballot's code"
                .into(),
        );
    }
    if failure.is_none() && !opens {
        failure = Some(
            "some cell is not the encryption of the mark listed with its r: the ballot does \
             not hold these marks"
                .into(),
        );
    }
    Ok(Check {
        rows: opened
            .marks
            .iter()
            .map(|m| m.map(|m| opened.choices[m].clone()))
            .collect(),
        subjects: opened.subjects,
        tracking_code: opened.tracking_code,
        proofs,
        code: code_holds,
        opens,
        failure,
    })
}
