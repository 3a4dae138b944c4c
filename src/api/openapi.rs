//! The OpenAPI 3.1 document, generated from the handlers' annotations, and its route.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    ballots, committees, councils, follow_up, members, records, resolution, results, signin,
    subjects, system, votes,
};
use crate::domain::{
    CommitteeState, Outcome, PercentBase, Role, Secrecy, Step, VoteKind, VoteState,
};
use crate::error::{FieldError, ProblemBody};
use crate::shapes::*;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tinnhiem",
        description = "Confidence votes in councils: secret ballots, published tallies, signed \
                       records. Every error is RFC 9457 problem details \
                       (application/problem+json) with type urn:tinnhiem:problem:<slug>."
    ),
    paths(
        signin::login, signin::me, signin::change_password,
        councils::create, councils::list, councils::get,
        members::create, members::import, members::list,
        members::set_password, members::set_roles, members::deactivate, members::activate,
        votes::create, votes::list, votes::get, votes::open, votes::close, votes::tally,
        ballots::get, ballots::cast, ballots::encrypted, ballots::decrypt, ballots::tracking_code,
        committees::get, committees::join, committees::reveal, committees::shares,
        committees::confirm,
        records::record, records::public_key, records::public_keys,
        subjects::replace, subjects::import, follow_up::create, results::publish,
        results::public_results,
        councils::set_parent, councils::children, resolution::resolution,
        system::healthz, openapi,
    ),
    components(schemas(
        LoginRequest, TokenResponse, Me, NewCouncil, Council, NewMember, Member, ImportResult,
        SetPassword, SetRoles, ChangePassword,
        NewVote, NewSubject, Vote, Subject, Ballot, CastRequest, CastResponse, Tally,
        SubjectTally, Health, ProblemBody, FieldError, Role, VoteKind, VoteState, PercentBase,
        Outcome, PublicKey, PublicKeys, KnownPublicKey, SignedRecord, NewCommittee,
        VoteCommittee, Committee, CommitteeSeat, SealedValue, JoinCeremony, RevealCommitments,
        SendShares, SealedTo, ConfirmCeremony, Secrecy, CommitteeState, Step, Encryption,
        EncryptedCast, EncryptedBallots, StoredBallot, PartialDecryption, DecryptionShare,
        DecryptionProgress, SetSubjects, PublicTally, TrackingCodeFound,
        Exempt, SetParent, ChildCouncil, VoteProgress,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// This document: OpenAPI 3.1.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json")))]
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
