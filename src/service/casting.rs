//! Casting a ballot. The usual cast is checked in memory against its vote's layout and handed
//! straight to the ballot writer, which checks in its transaction what can change (the vote is
//! open, the delegate may cast and has not, the token still stands). Anything else, and any
//! cast the writer refuses, is answered by the full checks against the database, in the order
//! their answers take precedence.

use super::ballots::{self, PendingCast};
use super::{layouts, Caller};
use crate::auth::Claims;
use crate::error::AppResult;
use crate::shapes::MarksInput;
use crate::state::AppState;

pub async fn cast(
    state: &AppState,
    claims: Claims,
    vote_id: String,
    input: MarksInput,
) -> AppResult<()> {
    let layout = match state.layouts.get(&vote_id) {
        Some(layout) => Some(layout),
        None => {
            let id = vote_id.clone();
            state
                .db(move |conn| layouts::load(conn, &id))
                .await?
                .map(|layout| state.layouts.keep(vote_id.clone(), layout))
        }
    };
    let marks = layout.and_then(|layout| layout.marks(&input).ok());
    let pending = match marks {
        Some(marks) => PendingCast {
            vote_id,
            member_id: claims.sub,
            token_version: claims.ver,
            marks,
        },
        None => {
            state
                .db(move |conn| {
                    let caller = Caller::load(conn, &claims)?;
                    ballots::prepare(conn, &caller, &vote_id, input)
                })
                .await?
        }
    };
    state.ballots.cast(pending).await
}
