//! A delegate finds their tracking code among a committee vote's counted ballots, once the
//! tally is published (docs/verifiable.md §11): the code names a ballot and proves nothing
//! about its content, so any member of the council may ask about any code.

use super::visible::load_visible;
use super::{committees, Caller};
use crate::db::{ballots, encrypted, DbConn};
use crate::domain::{Secrecy, VoteState};
use crate::error::{AppError, AppResult, Problem};
use crate::shapes::TrackingCodeFound;

/// The length of a tracking code in hex: SHA-256.
const CODE_HEX: usize = 64;

/// `code` in its stored spelling (lowercase hex), or why it is not a tracking code.
fn parse(code: &str) -> AppResult<String> {
    if code.len() != CODE_HEX || !code.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::validation(format!(
            "A tracking code is the {CODE_HEX} hexadecimal characters of the whole code (the \
             ballot page keeps it; the short form shown on screen is only its start); got {} \
             characters.",
            code.chars().count()
        )));
    }
    Ok(code.to_ascii_lowercase())
}

/// `{"counted": true}` when `code` is the tracking code of one of the ballots counted in the
/// vote's published tally. 404 when the vote is not visible or not a committee vote, or no
/// counted ballot has the code; 409 `tally-not-published` until the tally is published.
pub fn find(
    conn: &mut DbConn,
    caller: &Caller,
    vote_id: &str,
    code: &str,
) -> AppResult<TrackingCodeFound> {
    let vote = load_visible(conn, caller, vote_id)?;
    if vote.secrecy != Secrecy::Committee {
        return Err(AppError::new(
            Problem::NotFound,
            "This vote is counted by the server: its ballots have no tracking codes. Tracking \
             codes exist in committee votes only.",
        ));
    }
    let code = parse(code)?;
    if vote.state != VoteState::Closed {
        return Err(AppError::new(
            Problem::TallyNotPublished,
            format!(
                "The vote is {}; tracking codes can be looked up once it is closed and its \
                 tally published.",
                vote.state.as_str()
            ),
        ));
    }
    if ballots::tally_of(conn, vote_id)?.is_none() {
        return Err(committees::awaiting_decryption());
    }
    if encrypted::has_tracking_code(conn, vote_id, &code)? {
        Ok(TrackingCodeFound { counted: true })
    } else {
        Err(AppError::new(
            Problem::NotFound,
            "No ballot counted in this vote has that tracking code. Check that it is copied \
             whole; if it is, tell the counting committee and the chair at once.",
        ))
    }
}
