//! The cryptography of a committee vote, pure and free of I/O (docs/verifiable.md specifies
//! every byte):
//!
//! - [`group`]: ristretto255 points and scalars, decoded canonically or refused;
//! - [`transcript`]: Fiat–Shamir challenges that bind the protocol, the context, the statement
//!   and every commitment;
//! - [`elgamal`]: exponential ElGamal, one ciphertext per (subject, choice) cell;
//! - [`proofs`]: that a ciphertext holds 0 or 1, that two discrete logarithms are equal, and
//!   that a commitment's secret is known;
//! - [`ballot`]: a whole encrypted ballot with its proofs and tracking code, and its batch
//!   verification;
//! - [`compact`]: a ballot in the record's compact form (proofs without their commitments);
//! - [`threshold`]: the committee's key without a dealer, partial decryptions and their
//!   combination, and counts read back from k·G.
//!
//! Randomness always comes from the caller's cryptographic generator (the OS's in production).

pub mod ballot;
pub mod compact;
pub mod elgamal;
pub mod group;
pub mod hex;
pub mod proofs;
pub mod threshold;
pub mod transcript;

pub use curve25519_dalek::ristretto::RistrettoPoint as Point;
pub use curve25519_dalek::scalar::Scalar;
pub use group::DecodeError;
