//! What a committee vote's cryptography costs on this machine: encrypting a ballot with all
//! its proofs (the tablet's work, here in Rust), verifying it (the server's and each committee
//! member's work per ballot), and its size. Prints one line per figure and a JSON summary.
//!
//! cargo run --release -p tinnhiem-crypto --example ballot_cost -- [subjects] [choices] [runs]

use rand_core::OsRng;
use std::time::Instant;
use tinnhiem_crypto::ballot::{BallotContext, EncryptedBallot, Shape};
use tinnhiem_crypto::elgamal::JointKey;
use tinnhiem_crypto::group::{base_mul, random_scalar};

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let shape = Shape {
        rows: args.first().copied().unwrap_or(44),
        choices: args.get(1).copied().unwrap_or(3),
    };
    let runs = args.get(2).copied().unwrap_or(20).max(1);
    let key = JointKey::new(base_mul(&random_scalar(&mut OsRng)));
    let context = BallotContext {
        manifest_hash: [1; 32],
        key: &key,
        ballot_id: [2; 16],
    };
    let marks: Vec<Option<usize>> = (0..shape.rows)
        .map(|i| (i % (shape.choices + 1) < shape.choices).then_some(i % (shape.choices + 1)))
        .collect();
    let mut encrypt_ms = Vec::with_capacity(runs);
    let mut verify_ms = Vec::with_capacity(runs);
    let mut decode_ms = Vec::with_capacity(runs);
    let mut compact_ms = Vec::with_capacity(runs);
    let mut size = 0;
    let mut compact_size = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let (ballot, _) = EncryptedBallot::encrypt(&context, shape, &marks, &mut OsRng);
        encrypt_ms.push(start.elapsed().as_secs_f64() * 1e3);
        let bytes = ballot.to_bytes();
        size = bytes.len();
        let start = Instant::now();
        EncryptedBallot::from_bytes(&bytes, shape).expect("decodes");
        decode_ms.push(start.elapsed().as_secs_f64() * 1e3);
        let start = Instant::now();
        EncryptedBallot::verify_encoded(&bytes, &context, shape, &mut OsRng).expect("verifies");
        verify_ms.push(start.elapsed().as_secs_f64() * 1e3);
        let short = tinnhiem_crypto::compact::compact(&bytes, shape).expect("a ballot");
        compact_size = short.len();
        let start = Instant::now();
        tinnhiem_crypto::compact::verify_compact(&short, &context, shape).expect("verifies");
        compact_ms.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (e, v, d, c) = (
        median(&mut encrypt_ms),
        median(&mut verify_ms),
        median(&mut decode_ms),
        median(&mut compact_ms),
    );
    println!(
        "ballot: {} subjects x {} choices, {runs} runs",
        shape.rows, shape.choices
    );
    println!("encrypt with proofs: {e:.2} ms (median)");
    println!("decode and verify (batch): {v:.2} ms (median), of which decoding {d:.2} ms");
    println!("size: {size} bytes ({} base64)", size.div_ceil(3) * 4);
    println!(
        "compact form (the record's): {compact_size} bytes ({} base64), decoded and verified in \
         {c:.2} ms (median)",
        compact_size.div_ceil(3) * 4
    );
    println!(
        "{{\"subjects\":{},\"choices\":{},\"encrypt_ms\":{e:.2},\"verify_ms\":{v:.2},\"decode_ms\":{d:.2},\"bytes\":{size},\"compact_verify_ms\":{c:.2},\"compact_bytes\":{compact_size}}}",
        shape.rows, shape.choices
    );
}
