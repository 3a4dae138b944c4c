//! Checks one encrypted ballot with this crate's verifier, for implementations in other
//! languages (tests/browser/crypto.mjs runs it on ballots encrypted in JavaScript). Reads lines
//! `name value` from stdin, values in lowercase hex except the two counts:
//!
//! ```text
//! joint_key HEX
//! manifest_hash HEX
//! ballot_id HEX
//! rows N
//! choices N
//! ballot HEX
//! ```
//!
//! Prints `ok` and the ballot's tracking code, or `refused: ` and why (exit status 1); a
//! malformed input exits with status 2.
//!
//! cargo run -p tinnhiem-crypto --example verify_ballot < ballot.txt

use rand_core::OsRng;
use std::collections::HashMap;
use std::io::Read;
use std::process::ExitCode;
use tinnhiem_crypto::ballot::{BallotContext, EncryptedBallot, Shape};
use tinnhiem_crypto::elgamal::JointKey;
use tinnhiem_crypto::group::decode_nonidentity;
use tinnhiem_crypto::hex;

fn main() -> ExitCode {
    match run() {
        Ok(Ok(code)) => {
            println!("ok {code}");
            ExitCode::SUCCESS
        }
        Ok(Err(refusal)) => {
            println!("refused: {refusal}");
            ExitCode::from(1)
        }
        Err(why) => {
            eprintln!("verify_ballot: {why}");
            ExitCode::from(2)
        }
    }
}

/// The tracking code of an accepted ballot, or the refusal; Err for input that is not usable.
fn run() -> Result<Result<String, String>, String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("reading stdin: {e}"))?;
    let values: HashMap<&str, &str> = input
        .lines()
        .filter_map(|line| line.trim().split_once(' '))
        .map(|(name, value)| (name, value.trim()))
        .collect();
    let get = |name: &str| values.get(name).copied().ok_or(format!("no {name}"));
    let hex_of = |name: &str| hex::decode(get(name)?).ok_or(format!("{name} is not hex"));
    let count = |name: &str| {
        get(name)?
            .parse::<usize>()
            .map_err(|_| format!("{name} is not a count"))
    };
    let shape = Shape {
        rows: count("rows")?,
        choices: count("choices")?,
    };
    let key = match decode_nonidentity(&hex_of("joint_key")?) {
        Ok(point) => JointKey::new(point),
        Err(e) => return Ok(Err(format!("the joint key {e}"))),
    };
    let manifest_hash: [u8; 32] = hex_of("manifest_hash")?
        .try_into()
        .map_err(|_| "the manifest hash is not 32 bytes")?;
    let ballot_id: [u8; 16] = hex_of("ballot_id")?
        .try_into()
        .map_err(|_| "the ballot id is not 16 bytes")?;
    let bytes = hex_of("ballot")?;
    let context = BallotContext {
        manifest_hash,
        key: &key,
        ballot_id,
    };
    Ok(
        EncryptedBallot::verify_encoded(&bytes, &context, shape, &mut OsRng)
            .map(|ballot| hex::encode(&ballot.tracking_code(&manifest_hash, &ballot_id)))
            .map_err(|refusal| refusal.to_string()),
    )
}
