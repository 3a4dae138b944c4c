//! The records this process has verified, by vote. A record is written once and never
//! changes, so a download checks that the stored bytes are still those verified (their digest
//! and signature) instead of verifying the whole record again; what the database holds is
//! still compared with the record on every download. Each replica keeps its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::record::Record;

/// A record verified by this process: what every later download compares the database with.
pub struct Verified {
    /// Hex SHA-256 of the stored canonical record.
    pub digest: String,
    pub signature: String,
    /// The record, without its encrypted ballots (a committee vote's), which `ballots` stands
    /// for.
    pub record: Record,
    /// The digest of a committee vote's encrypted ballots (`BallotsDigest`).
    pub ballots: Option<[u8; 32]>,
}

#[derive(Clone, Default)]
pub struct VerifiedRecords(Arc<Mutex<HashMap<String, Arc<Verified>>>>);

impl VerifiedRecords {
    /// The record verified for `vote_id`, if the stored bytes are still those.
    pub fn get(&self, vote_id: &str, digest: &str, signature: &str) -> Option<Arc<Verified>> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(vote_id)
            .filter(|v| v.digest == digest && v.signature == signature)
            .cloned()
    }

    pub fn insert(&self, vote_id: &str, verified: Verified) -> Arc<Verified> {
        let verified = Arc::new(verified);
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(vote_id.to_owned(), verified.clone());
        verified
    }
}
