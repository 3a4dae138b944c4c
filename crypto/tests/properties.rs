//! Every proof: what is valid verifies, and each tampered field, a cell encrypting 2, a row
//! summing to 2, and a proof moved to another ballot id, vote or position are refused.

use proptest::prelude::*;
use rand::rngs::OsRng;
use tinnhiem_crypto::ballot::{BallotContext, EncryptedBallot, Refusal, Shape};
use tinnhiem_crypto::compact;
use tinnhiem_crypto::elgamal::{Ciphertext, JointKey};
use tinnhiem_crypto::group::{base_mul, random_scalar};
use tinnhiem_crypto::proofs::{Context, Equality, Knowledge, ZeroOrOne};
use tinnhiem_crypto::threshold::{self, Counts, Polynomial, Sealed};
use tinnhiem_crypto::{Point, Scalar};

fn key() -> (Scalar, JointKey) {
    let secret = random_scalar(&mut OsRng);
    (secret, JointKey::new(base_mul(&secret)))
}

const CONTEXT: Context = Context {
    tag: b"cell",
    fields: &[b"vote manifest hash", b"ballot id"],
};

/// Changes the `field`-th of a proof's eight parts.
fn tamper(proof: &ZeroOrOne, field: usize) -> ZeroOrOne {
    let mut p = *proof;
    let g = base_mul(&Scalar::ONE);
    match field {
        0 => p.a0 += g,
        1 => p.b0 += g,
        2 => p.a1 += g,
        3 => p.b1 += g,
        4 => p.c0 += Scalar::ONE,
        5 => p.c1 += Scalar::ONE,
        6 => p.v0 += Scalar::ONE,
        _ => p.v1 += Scalar::ONE,
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn zero_or_one_proofs_hold_and_every_tampered_field_fails(m in 0u64..=1, field in 0usize..8) {
        let (_, key) = key();
        let r = random_scalar(&mut OsRng);
        let ct = Ciphertext::encrypt(&key, m, &r);
        let proof = ZeroOrOne::prove(&CONTEXT, &key, &ct, m, &r, &mut OsRng);
        prop_assert!(proof.verify(&CONTEXT, &key, &ct, &mut OsRng));
        let back = ZeroOrOne::from_bytes(&proof.to_bytes()).unwrap();
        prop_assert_eq!(back, proof);
        let compact = ZeroOrOne::from_compact(&proof.compact(), &key, &ct).unwrap();
        prop_assert_eq!(compact, proof);
        prop_assert!(!tamper(&proof, field).verify(&CONTEXT, &key, &ct, &mut OsRng));
        // The statement is bound: the same proof says nothing of another ciphertext.
        let other = Ciphertext::encrypt(&key, m, &random_scalar(&mut OsRng));
        prop_assert!(!proof.verify(&CONTEXT, &key, &other, &mut OsRng));
        // The context is bound.
        let moved = Context { tag: b"cell", fields: &[b"vote manifest hash", b"another id"] };
        prop_assert!(!proof.verify(&moved, &key, &ct, &mut OsRng));
        let retagged = Context { tag: b"row", fields: CONTEXT.fields };
        prop_assert!(!proof.verify(&retagged, &key, &ct, &mut OsRng));
    }

    #[test]
    fn no_proof_makes_a_two_or_a_minus_one_pass(m in prop::sample::select(vec![2u64, 3, 7]), claimed in 0u64..=1) {
        let (_, key) = key();
        let r = random_scalar(&mut OsRng);
        let ct = Ciphertext::encrypt(&key, m, &r);
        let forged = ZeroOrOne::prove(&CONTEXT, &key, &ct, claimed, &r, &mut OsRng);
        prop_assert!(!forged.verify(&CONTEXT, &key, &ct, &mut OsRng));
        let minus_one = Ciphertext { alpha: ct.alpha, beta: ct.beta - base_mul(&Scalar::from(m + 1)) };
        let forged = ZeroOrOne::prove(&CONTEXT, &key, &minus_one, claimed, &r, &mut OsRng);
        prop_assert!(!forged.verify(&CONTEXT, &key, &minus_one, &mut OsRng));
    }

    #[test]
    fn equality_proofs_hold_and_tampering_fails(field in 0usize..3) {
        let x = random_scalar(&mut OsRng);
        let base = base_mul(&random_scalar(&mut OsRng));
        let (big_x, y) = (base_mul(&x), x * base);
        let proof = Equality::prove(&CONTEXT, &x, &base, &mut OsRng);
        prop_assert!(proof.verify(&CONTEXT, &big_x, &base, &y));
        prop_assert_eq!(Equality::from_bytes(&proof.to_bytes()).unwrap(), proof);
        let mut bad = proof;
        match field {
            0 => bad.a += base,
            1 => bad.b += base,
            _ => bad.v += Scalar::ONE,
        }
        prop_assert!(!bad.verify(&CONTEXT, &big_x, &base, &y));
        // A wrong result (another secret's) cannot be proven.
        let wrong = (x + Scalar::ONE) * base;
        prop_assert!(!proof.verify(&CONTEXT, &big_x, &base, &wrong));
    }

    #[test]
    fn knowledge_proofs_hold_and_tampering_fails(field in 0usize..2) {
        let x = random_scalar(&mut OsRng);
        let proof = Knowledge::prove(&CONTEXT, &x, &mut OsRng);
        prop_assert!(proof.verify(&CONTEXT, &base_mul(&x)));
        prop_assert_eq!(Knowledge::from_bytes(&proof.to_bytes()).unwrap(), proof);
        let mut bad = proof;
        match field {
            0 => bad.a += base_mul(&Scalar::ONE),
            _ => bad.v += Scalar::ONE,
        }
        prop_assert!(!bad.verify(&CONTEXT, &base_mul(&x)));
        prop_assert!(!proof.verify(&CONTEXT, &base_mul(&(x + Scalar::ONE))));
    }
}

fn context<'a>(key: &'a JointKey, id: u8) -> BallotContext<'a> {
    BallotContext {
        manifest_hash: [7; 32],
        key,
        ballot_id: [id; 16],
    }
}

fn marks_strategy(rows: usize, choices: usize) -> impl Strategy<Value = Vec<Option<usize>>> {
    prop::collection::vec(prop::option::of(0..choices), rows)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn a_ballot_verifies_opens_and_any_flipped_bit_is_refused(
        marks in marks_strategy(4, 3),
        bit in 0usize..(4 * (3 * 320 + 256) * 8),
    ) {
        let (_, key) = key();
        let shape = Shape { rows: 4, choices: 3 };
        let ctx = context(&key, 1);
        let (ballot, opening) = EncryptedBallot::encrypt(&ctx, shape, &marks, &mut OsRng);
        prop_assert_eq!(ballot.verify(&ctx, shape, &mut OsRng), Ok(()));
        prop_assert!(opening.opens(&key, &ballot));
        let bytes = ballot.to_bytes();
        prop_assert_eq!(&EncryptedBallot::from_bytes(&bytes, shape).unwrap(), &ballot);
        let mut flipped = bytes.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let refused = match EncryptedBallot::from_bytes(&flipped, shape) {
            Err(_) => true,
            Ok(b) => b.verify(&ctx, shape, &mut OsRng).is_err(),
        };
        prop_assert!(refused, "bit {} flipped and still accepted", bit);
    }

    #[test]
    fn a_compact_ballot_verifies_gives_back_the_full_form_and_any_flipped_bit_is_refused(
        marks in marks_strategy(3, 3),
        bit in 0usize..(3 * (3 * 192 + 128) * 8),
    ) {
        let (_, key) = key();
        let shape = Shape { rows: 3, choices: 3 };
        let ctx = context(&key, 1);
        let (ballot, _) = EncryptedBallot::encrypt(&ctx, shape, &marks, &mut OsRng);
        let full = ballot.to_bytes();
        let short = compact::compact(&full, shape).unwrap();
        prop_assert_eq!(short.len(), compact::compact_len(shape));
        let back = compact::verify_compact(&short, &ctx, shape).unwrap();
        prop_assert_eq!(&back.to_bytes(), &full);
        prop_assert!(compact::verify_compact(&short, &context(&key, 2), shape).is_err());
        let mut flipped = short.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(compact::verify_compact(&flipped, &ctx, shape).is_err(), "bit {} flipped and still accepted", bit);
        prop_assert!(compact::compact(&full[1..], shape).is_none());
    }

    #[test]
    fn a_ballot_is_bound_to_its_id_vote_and_rows(marks in marks_strategy(3, 2)) {
        let (_, key) = key();
        let shape = Shape { rows: 3, choices: 2 };
        let (ballot, opening) = EncryptedBallot::encrypt(&context(&key, 1), shape, &marks, &mut OsRng);
        // A copy cast under another ballot id.
        prop_assert!(ballot.verify(&context(&key, 2), shape, &mut OsRng).is_err());
        // Another vote.
        let other_vote = BallotContext { manifest_hash: [8; 32], ..context(&key, 1) };
        prop_assert!(ballot.verify(&other_vote, shape, &mut OsRng).is_err());
        // Rows swapped.
        let mut swapped = ballot.clone();
        swapped.rows.swap(0, 1);
        if swapped != ballot {
            prop_assert!(swapped.verify(&context(&key, 1), shape, &mut OsRng).is_err());
        }
        // Another key.
        let (_, other_key) = self::key();
        prop_assert!(ballot.verify(&context(&other_key, 1), shape, &mut OsRng).is_err());
        // The opening tells only its own marks.
        let mut lie = opening.clone();
        lie.marks[0] = match lie.marks[0] { Some(0) => Some(1), _ => Some(0) };
        prop_assert!(!lie.opens(&key, &ballot));
    }
}

#[test]
fn a_row_with_two_marks_is_refused_even_with_valid_cell_proofs() {
    let (_, key) = key();
    let shape = Shape {
        rows: 2,
        choices: 3,
    };
    let ctx = context(&key, 1);
    let (mut ballot, opening) = EncryptedBallot::encrypt(&ctx, shape, &[Some(0), None], &mut OsRng);
    // Make row 1's second cell a 1 too, with a valid cell proof (as a cheating tablet could).
    let r = random_scalar(&mut OsRng);
    let ct = Ciphertext::encrypt(&key, 1, &r);
    let cell_context = Context {
        tag: b"cell",
        fields: &[&[7; 32], &[1; 16], &0u32.to_be_bytes(), &1u32.to_be_bytes()],
    };
    ballot.rows[0].cells[1].ciphertext = ct;
    ballot.rows[0].cells[1].proof = ZeroOrOne::prove(&cell_context, &key, &ct, 1, &r, &mut OsRng);
    // Its row proof can only claim 0 or 1 for a sum that is 2.
    let sum = ballot.rows[0].sum();
    let r_sum = opening.randomness[0][0] + r + opening.randomness[0][2];
    let row_context = Context {
        tag: b"row",
        fields: &[&[7; 32], &[1; 16], &0u32.to_be_bytes()],
    };
    ballot.rows[0].sum_proof = ZeroOrOne::prove(&row_context, &key, &sum, 1, &r_sum, &mut OsRng);
    assert!(ballot.rows[0].cells[1]
        .proof
        .verify(&cell_context, &key, &ct, &mut OsRng));
    assert_eq!(
        ballot.verify(&ctx, shape, &mut OsRng),
        Err(Refusal::Row { row: 0 })
    );
}

#[test]
fn a_cell_encrypting_two_is_refused_and_named() {
    let (_, key) = key();
    let shape = Shape {
        rows: 3,
        choices: 2,
    };
    let ctx = context(&key, 1);
    let (mut ballot, _) = EncryptedBallot::encrypt(&ctx, shape, &[None, None, None], &mut OsRng);
    let r = random_scalar(&mut OsRng);
    let ct = Ciphertext::encrypt(&key, 2, &r);
    let cell_context = Context {
        tag: b"cell",
        fields: &[&[7; 32], &[1; 16], &2u32.to_be_bytes(), &1u32.to_be_bytes()],
    };
    ballot.rows[2].cells[1] = tinnhiem_crypto::ballot::Cell {
        ciphertext: ct,
        proof: ZeroOrOne::prove(&cell_context, &key, &ct, 1, &r, &mut OsRng),
    };
    assert_eq!(
        ballot.verify(&ctx, shape, &mut OsRng),
        Err(Refusal::Cell { row: 2, col: 1 })
    );
}

/// A cell encrypted with no randomness (r = 0) shows its mark to anyone and is a receipt: its
/// proof holds, but the ballot is refused, in both forms.
#[test]
fn a_cell_made_without_randomness_is_refused() {
    let (_, key) = key();
    let shape = Shape {
        rows: 2,
        choices: 2,
    };
    let ctx = context(&key, 1);
    let (mut ballot, _) = EncryptedBallot::encrypt(&ctx, shape, &[None, None], &mut OsRng);
    let zero = Scalar::ZERO;
    let ct = Ciphertext::encrypt(&key, 1, &zero);
    let cell_context = Context {
        tag: b"cell",
        fields: &[&[7; 32], &[1; 16], &1u32.to_be_bytes(), &0u32.to_be_bytes()],
    };
    let proof = ZeroOrOne::prove(&cell_context, &key, &ct, 1, &zero, &mut OsRng);
    assert!(
        proof.verify(&cell_context, &key, &ct, &mut OsRng),
        "the proof itself holds"
    );
    ballot.rows[1].cells[0] = tinnhiem_crypto::ballot::Cell {
        ciphertext: ct,
        proof,
    };
    let bytes = ballot.to_bytes();
    let refused = EncryptedBallot::verify_encoded(&bytes, &ctx, shape, &mut OsRng).unwrap_err();
    assert!(
        matches!(refused, Refusal::Form(ref why) if why.contains("row 2")),
        "{refused:?}"
    );
    let short = compact::compact(&bytes, shape).unwrap();
    assert!(compact::verify_compact(&short, &ctx, shape).is_err());
}

#[test]
fn tracking_codes_follow_the_ciphertexts_only() {
    let (_, key) = key();
    let shape = Shape {
        rows: 2,
        choices: 3,
    };
    let ctx = context(&key, 1);
    let (a, _) = EncryptedBallot::encrypt(&ctx, shape, &[Some(1), None], &mut OsRng);
    let (b, _) = EncryptedBallot::encrypt(&ctx, shape, &[Some(1), None], &mut OsRng);
    let code = a.tracking_code(&[7; 32], &[1; 16]);
    assert_eq!(code, a.tracking_code(&[7; 32], &[1; 16]));
    assert_ne!(
        code,
        b.tracking_code(&[7; 32], &[1; 16]),
        "fresh randomness"
    );
    assert_ne!(code, a.tracking_code(&[7; 32], &[2; 16]));
}

/// A committee of five with threshold three: shares check against commitments, any three
/// decrypt a sum of ballots, two cannot, a wrong share or partial decryption is caught.
#[test]
fn three_of_five_make_a_key_and_decrypt_only_together() {
    let (n, t) = (5u32, 3usize);
    let ceremony: &[&[u8]] = &[b"committee id"];
    let polynomials: Vec<Polynomial> = (0..n).map(|_| Polynomial::random(t, &mut OsRng)).collect();
    let commitments: Vec<Vec<Point>> = polynomials.iter().map(Polynomial::commitments).collect();
    for (i, p) in polynomials.iter().enumerate() {
        let index = (i as u32 + 1).to_be_bytes();
        let member: Vec<&[u8]> = vec![ceremony[0], &index];
        let proofs = p.proofs(&member, &mut OsRng);
        assert!(threshold::commitments_proven(
            &member,
            &commitments[i],
            &proofs
        ));
        let other = (i as u32 + 2).to_be_bytes();
        assert!(!threshold::commitments_proven(
            &[ceremony[0], &other],
            &commitments[i],
            &proofs
        ));
    }
    // Each member's long-term key receives sealed values.
    let member_keys: Vec<Scalar> = (0..n).map(|_| random_scalar(&mut OsRng)).collect();
    let mut shares = vec![Scalar::ZERO; n as usize];
    for (i, p) in polynomials.iter().enumerate() {
        for j in 1..=n {
            let value = p.value_at(j);
            let sealed = Sealed::seal(
                ceremony,
                &base_mul(&member_keys[j as usize - 1]),
                &value,
                &mut OsRng,
            );
            let opened = sealed.open(ceremony, &member_keys[j as usize - 1]);
            assert_eq!(opened, value);
            assert_ne!(sealed.open(ceremony, &random_scalar(&mut OsRng)), value);
            assert!(threshold::value_matches(&commitments[i], j, &opened));
            assert!(!threshold::value_matches(
                &commitments[i],
                j,
                &(opened + Scalar::ONE)
            ));
            shares[j as usize - 1] += opened;
        }
    }
    let joint = JointKey::new(threshold::joint_key(&commitments));
    for j in 1..=n {
        assert_eq!(
            base_mul(&shares[j as usize - 1]),
            threshold::share_key(&commitments, j)
        );
    }
    // Ten ballots of one cell: 6 ones.
    let cells: Vec<Ciphertext> = [1u64, 0, 1, 1, 0, 1, 1, 0, 0, 1]
        .iter()
        .map(|m| Ciphertext::encrypt(&joint, *m, &random_scalar(&mut OsRng)))
        .collect();
    let sum = Ciphertext::sum(&cells);
    let counts = Counts::up_to(10);
    let partial = |j: u32| (j, shares[j as usize - 1] * sum.alpha);
    for chosen in [[1u32, 2, 3], [2, 4, 5], [5, 1, 3]] {
        let combined = threshold::combine(&chosen.map(partial));
        assert_eq!(counts.of(&(sum.beta - combined)), Some(6), "{chosen:?}");
    }
    let two = threshold::combine(&[partial(1), partial(2)]);
    assert_eq!(
        counts.of(&(sum.beta - two)),
        None,
        "two members learn nothing"
    );
    // A partial decryption is proven against the member's share key; a wrong one fails.
    let decryption: &[&[u8]] = &[b"vote", b"cell 0 0"];
    let ctx = Context {
        tag: b"partial-decryption",
        fields: decryption,
    };
    let proof = Equality::prove(&ctx, &shares[0], &sum.alpha, &mut OsRng);
    let z1 = threshold::share_key(&commitments, 1);
    assert!(proof.verify(&ctx, &z1, &sum.alpha, &partial(1).1));
    assert!(!proof.verify(
        &ctx,
        &z1,
        &sum.alpha,
        &(partial(1).1 + base_mul(&Scalar::ONE))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The ballot list hash names the set of tracking codes: the same codes in any order give
    /// it, and a code more, a code less or one changed does not.
    #[test]
    fn the_ballot_list_hash_names_the_codes_whatever_their_order(
        codes in proptest::collection::vec(any::<[u8; 32]>(), 1..12),
        turn in 0usize..12,
        at in 0usize..32,
    ) {
        use tinnhiem_crypto::ballot::ballot_list_hash;
        let manifest = [7u8; 32];
        let hash = ballot_list_hash(&manifest, &codes);
        let mut turned = codes.clone();
        turned.rotate_left(turn % codes.len());
        turned.reverse();
        prop_assert_eq!(ballot_list_hash(&manifest, &turned), hash);
        let mut more = codes.clone();
        more.push([0u8; 32]);
        prop_assert_ne!(ballot_list_hash(&manifest, &more), hash);
        prop_assert_ne!(ballot_list_hash(&manifest, &codes[1..]), hash);
        let mut changed = codes.clone();
        changed[turn % codes.len()][at] ^= 1;
        prop_assert_ne!(ballot_list_hash(&manifest, &changed), hash);
        prop_assert_ne!(ballot_list_hash(&[8u8; 32], &codes), hash);
    }
}

/// A member's partial decryption holds for the sums of the ballot list it was made for, and
/// not for the same sums said to be of another list: two blank ballots whose randomness
/// cancels leave every sum as it was, so only the list tells them apart.
#[test]
fn a_partial_decryption_holds_only_for_the_ballot_list_it_was_made_for() {
    use tinnhiem_crypto::ballot::ballot_list_hash;
    use tinnhiem_crypto::threshold::Summed;
    let secret = random_scalar(&mut OsRng);
    let key = JointKey::new(base_mul(&secret));
    let shape = Shape {
        rows: 2,
        choices: 3,
    };
    let manifest = [3u8; 32];
    let context = |id: u8| BallotContext {
        manifest_hash: manifest,
        key: &key,
        ballot_id: [id; 16],
    };
    let (cast, _) = EncryptedBallot::encrypt(&context(1), shape, &[Some(2), None], &mut OsRng);
    let (blank, opening) = EncryptedBallot::encrypt(&context(2), shape, &[None, None], &mut OsRng);
    let negated: Vec<Vec<Scalar>> = opening
        .randomness
        .iter()
        .map(|row| row.iter().map(|r| -r).collect())
        .collect();
    let (cancel, _) =
        EncryptedBallot::encrypt_with(&context(3), shape, &[None, None], &negated, &mut OsRng);
    for (ballot, id) in [(&blank, 2), (&cancel, 3)] {
        assert!(ballot.verify(&context(id), shape, &mut OsRng).is_ok());
    }
    let sum = |ballots: &[&EncryptedBallot]| -> Ciphertext {
        Ciphertext::sum(ballots.iter().map(|b| &b.rows[0].cells[2].ciphertext))
    };
    assert_eq!(
        sum(&[&cast]),
        sum(&[&cast, &blank, &cancel]),
        "the sums are the same"
    );

    let code = |b: &EncryptedBallot, id: u8| b.tracking_code(&manifest, &[id; 16]);
    let one = ballot_list_hash(&manifest, &[code(&cast, 1)]);
    let three = ballot_list_hash(
        &manifest,
        &[code(&cast, 1), code(&blank, 2), code(&cancel, 3)],
    );
    let alpha = sum(&[&cast]).alpha;
    let proven_for = |list: &[u8; 32]| {
        let summed = Summed {
            manifest_hash: &manifest,
            ballot_list: Some(list),
        };
        let fields = threshold::decryption_fields(summed, 1, 0, 2);
        let refs: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
        let ctx = Context {
            tag: b"partial-decryption",
            fields: &refs,
        };
        Equality::prove(&ctx, &secret, &alpha, &mut OsRng)
    };
    let holds = |proof: &Equality, list: &[u8; 32], position: u32| {
        let summed = Summed {
            manifest_hash: &manifest,
            ballot_list: Some(list),
        };
        threshold::partial_holds(
            proof,
            summed,
            position,
            0,
            2,
            &key.point,
            &alpha,
            &(secret * alpha),
        )
    };
    let proof = proven_for(&one);
    assert!(holds(&proof, &one, 1));
    assert!(!holds(&proof, &three, 1), "the same sums of another list");
    assert!(!holds(&proof, &one, 2), "another member's position");
    assert!(holds(&proven_for(&three), &three, 1));
}
