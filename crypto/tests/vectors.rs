//! The test vectors of docs/verifiable-vectors.json, which docs/verifiable.md explains: every
//! output is recomputed here from the inputs and must match byte for byte, and every proof
//! must verify. `TINNHIEM_WRITE_VECTORS=1 cargo test -p tinnhiem-crypto --test vectors` writes
//! the file anew (after a deliberate change of the protocol, which also changes its name).
//!
//! Vector nonces are not random: the n-th 64 bytes a vector draws are
//! SHA-512(u32be(len(seed)) ‖ seed ‖ u64be(n)), n = 0, 1, …, so another implementation can
//! draw the same ones. Real ballots draw from the OS.

use rand_core::{CryptoRng, RngCore};
use serde_json::{json, Value};
use sha2::{Digest, Sha512};
use tinnhiem_crypto::ballot::{ballot_list_hash, BallotContext, EncryptedBallot, Shape};
use tinnhiem_crypto::elgamal::{Ciphertext, JointKey};
use tinnhiem_crypto::group::{base_mul, encode_point, encode_scalar};
use tinnhiem_crypto::proofs::{Context, Equality, Knowledge, ZeroOrOne};
use tinnhiem_crypto::threshold::{self, Polynomial, Sealed};
use tinnhiem_crypto::transcript::Transcript;
use tinnhiem_crypto::Scalar;

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../docs/verifiable-vectors.json"
);

/// Draws 64-byte blocks SHA-512(seed, counter); a shorter request takes a block's prefix.
struct Nonces {
    seed: Vec<u8>,
    counter: u64,
}

impl Nonces {
    fn new(seed: &str) -> Nonces {
        Nonces {
            seed: seed.as_bytes().to_vec(),
            counter: 0,
        }
    }

    fn block(&mut self) -> [u8; 64] {
        let mut h = Sha512::new();
        h.update((self.seed.len() as u32).to_be_bytes());
        h.update(&self.seed);
        h.update(self.counter.to_be_bytes());
        self.counter += 1;
        h.finalize().into()
    }

    fn scalar(&mut self) -> Scalar {
        Scalar::from_bytes_mod_order_wide(&self.block())
    }
}

impl RngCore for Nonces {
    fn next_u32(&mut self) -> u32 {
        u32::from_le_bytes(self.block()[..4].try_into().unwrap())
    }
    fn next_u64(&mut self) -> u64 {
        u64::from_le_bytes(self.block()[..8].try_into().unwrap())
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        assert!(dest.len() <= 64, "one block per draw");
        let block = self.block();
        dest.copy_from_slice(&block[..dest.len()]);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for Nonces {}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn vectors() -> Value {
    // The transcript alone.
    let mut t = Transcript::new(b"example");
    t.field(b"first field").index(7);
    let transcript = json!({
        "tag": hex(b"example"),
        "fields": [hex(b"first field"), hex(&7u32.to_be_bytes())],
        "challenge": hex(&encode_scalar(&t.challenge())),
    });

    // A joint key from one secret, a ballot of two rows of three choices under it.
    let mut nonces = Nonces::new("ballot");
    let secret = nonces.scalar();
    let key = JointKey::new(base_mul(&secret));
    let manifest_hash = [0x11u8; 32];
    let ballot_id = [0x22u8; 16];
    let context = BallotContext {
        manifest_hash,
        key: &key,
        ballot_id,
    };
    let shape = Shape {
        rows: 2,
        choices: 3,
    };
    let marks = [Some(2), None];
    let (ballot, opening) = EncryptedBallot::encrypt(&context, shape, &marks, &mut nonces);
    assert!(ballot
        .verify(&context, shape, &mut rand::rngs::OsRng)
        .is_ok());
    let first = &ballot.rows[0].cells[0];
    let ballot_vector = json!({
        "nonce_seed": "ballot",
        "secret": hex(&encode_scalar(&secret)),
        "joint_key": hex(&encode_point(&key.point)),
        "manifest_hash": hex(&manifest_hash),
        "ballot_id": hex(&ballot_id),
        "choices": 3,
        "marks": [2, null],
        "randomness": opening.randomness.iter()
            .map(|row| row.iter().map(|r| hex(&encode_scalar(r))).collect::<Vec<_>>())
            .collect::<Vec<_>>(),
        "ballot": hex(&ballot.to_bytes()),
        "first_cell_compact_proof": hex(&first.proof.compact()),
        "compact_ballot": hex(&tinnhiem_crypto::compact::compact(&ballot.to_bytes(), shape).unwrap()),
        "tracking_code": hex(&ballot.tracking_code(&manifest_hash, &ballot_id)),
    });

    // The hash of a list of ballots (§12): this one's code and two others, given out of order.
    let codes = [
        [0xeeu8; 32],
        ballot.tracking_code(&manifest_hash, &ballot_id),
        [0x11u8; 32],
    ];
    let list = ballot_list_hash(&manifest_hash, &codes);
    let ballot_list = json!({
        "manifest_hash": hex(&manifest_hash),
        "tracking_codes": codes.iter().map(|c| hex(c)).collect::<Vec<_>>(),
        "hash": hex(&list),
    });

    // A partial decryption of a row's sum, proven.
    let mut nonces = Nonces::new("partial-decryption");
    let share = nonces.scalar();
    let alpha = ballot.rows[0].sum().alpha;
    // §12's context: the manifest hash, the ballot list hash, the member's position (3), the
    // cell's row and choice.
    let summed = threshold::Summed {
        manifest_hash: &manifest_hash,
        ballot_list: Some(&list),
    };
    let owned = threshold::decryption_fields(summed, 3, 0, 0);
    let fields: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
    let fields: &[&[u8]] = &fields;
    assert_eq!(
        fields.len(),
        5,
        "the manifest, the list, the position, the row, the choice"
    );
    let ctx = Context {
        tag: b"partial-decryption",
        fields,
    };
    let proof = Equality::prove(&ctx, &share, &alpha, &mut nonces);
    assert!(proof.verify(&ctx, &base_mul(&share), &alpha, &(share * alpha)));
    let partial = json!({
        "nonce_seed": "partial-decryption",
        "share": hex(&encode_scalar(&share)),
        "share_key": hex(&encode_point(&base_mul(&share))),
        "tag": hex(b"partial-decryption"),
        "fields": fields.iter().map(|f| hex(f)).collect::<Vec<_>>(),
        "alpha": hex(&encode_point(&alpha)),
        "partial": hex(&encode_point(&(share * alpha))),
        "proof": hex(&proof.to_bytes()),
    });

    // A committee member's polynomial (t = 2), its commitments and proofs, a value sealed
    // to member 3.
    let mut nonces = Nonces::new("ceremony");
    let polynomial = Polynomial::random(2, &mut nonces);
    let member: &[&[u8]] = &[b"committee id", &1u32.to_be_bytes()];
    let proofs: Vec<Knowledge> = polynomial.proofs(member, &mut nonces);
    let commitments = polynomial.commitments();
    assert!(threshold::commitments_proven(member, &commitments, &proofs));
    let recipient = nonces.scalar();
    let value = polynomial.value_at(3);
    let sealing: &[&[u8]] = &[b"committee id", &1u32.to_be_bytes(), &3u32.to_be_bytes()];
    let sealed = Sealed::seal(sealing, &base_mul(&recipient), &value, &mut nonces);
    assert_eq!(sealed.open(sealing, &recipient), value);
    let ceremony = json!({
        "nonce_seed": "ceremony",
        "threshold": 2,
        "context": member.iter().map(|f| hex(f)).collect::<Vec<_>>(),
        "commitments": commitments.iter().map(|c| hex(&encode_point(c))).collect::<Vec<_>>(),
        "proofs": proofs.iter().map(|p| hex(&p.to_bytes())).collect::<Vec<_>>(),
        "recipient_secret": hex(&encode_scalar(&recipient)),
        "recipient_key": hex(&encode_point(&base_mul(&recipient))),
        "sealing_context": sealing.iter().map(|f| hex(f)).collect::<Vec<_>>(),
        "value_at_3": hex(&encode_scalar(&value)),
        "sealed": {
            "ephemeral": hex(&encode_point(&sealed.ephemeral)),
            "masked": hex(&encode_scalar(&sealed.masked)),
        },
        "lagrange_at_0_of_1_among_1_2_4": hex(&encode_scalar(&threshold::lagrange(1, &[1, 2, 4]))),
    });

    // One cell proof on its own, for the smallest verifier.
    let mut nonces = Nonces::new("cell");
    let r = nonces.scalar();
    let ciphertext = Ciphertext::encrypt(&key, 1, &r);
    let fields: &[&[u8]] = &[
        &manifest_hash,
        &ballot_id,
        &0u32.to_be_bytes(),
        &1u32.to_be_bytes(),
    ];
    let ctx = Context {
        tag: b"cell",
        fields,
    };
    let cell_proof = ZeroOrOne::prove(&ctx, &key, &ciphertext, 1, &r, &mut nonces);
    let cell = json!({
        "nonce_seed": "cell",
        "m": 1,
        "r": hex(&encode_scalar(&r)),
        "joint_key": hex(&encode_point(&key.point)),
        "tag": hex(b"cell"),
        "fields": fields.iter().map(|f| hex(f)).collect::<Vec<_>>(),
        "ciphertext": hex(&ciphertext.to_bytes()),
        "proof": hex(&cell_proof.to_bytes()),
        "compact_proof": hex(&cell_proof.compact()),
    });

    json!({
        "protocol": String::from_utf8_lossy(tinnhiem_crypto::transcript::PROTOCOL),
        "transcript": transcript,
        "cell": cell,
        "ballot": ballot_vector,
        "ballot_list": ballot_list,
        "partial_decryption": partial,
        "ceremony": ceremony,
    })
}

#[test]
fn the_published_vectors_are_what_this_implementation_computes() {
    let now = serde_json::to_string_pretty(&vectors()).unwrap() + "\n";
    if std::env::var_os("TINNHIEM_WRITE_VECTORS").is_some() {
        std::fs::write(FILE, &now).unwrap();
    }
    let published = std::fs::read_to_string(FILE)
        .unwrap_or_else(|e| panic!("{FILE}: {e}; write it with TINNHIEM_WRITE_VECTORS=1"));
    assert_eq!(
        published, now,
        "docs/verifiable-vectors.json differs from the implementation"
    );
}

/// Reads the vectors back from the file and checks them as an outside verifier would: the
/// ballot decodes and verifies, and changing any one of its bytes is refused.
#[test]
fn the_published_ballot_verifies_and_any_change_is_refused() {
    let text = std::fs::read_to_string(FILE).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let unhex = |s: &Value| -> Vec<u8> {
        let s = s.as_str().unwrap();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    };
    let b = &v["ballot"];
    let key = JointKey::new(tinnhiem_crypto::group::decode_point(&unhex(&b["joint_key"])).unwrap());
    let context = BallotContext {
        manifest_hash: unhex(&b["manifest_hash"]).try_into().unwrap(),
        key: &key,
        ballot_id: unhex(&b["ballot_id"]).try_into().unwrap(),
    };
    let shape = Shape {
        rows: 2,
        choices: 3,
    };
    let bytes = unhex(&b["ballot"]);
    let ballot = EncryptedBallot::from_bytes(&bytes, shape).unwrap();
    assert!(ballot
        .verify(&context, shape, &mut rand::rngs::OsRng)
        .is_ok());
    // The record's compact form checks alone and gives back the same ballot.
    let compact = unhex(&b["compact_ballot"]);
    let back = tinnhiem_crypto::compact::verify_compact(&compact, &context, shape).unwrap();
    assert_eq!(back.to_bytes(), bytes);
    for i in (0..bytes.len()).step_by(7) {
        let mut changed = bytes.clone();
        changed[i] ^= 0x01;
        let refused = match EncryptedBallot::from_bytes(&changed, shape) {
            Err(_) => true,
            Ok(b) => b.verify(&context, shape, &mut rand::rngs::OsRng).is_err(),
        };
        assert!(refused, "byte {i} changed and still accepted");
    }
}
