//! The error answers each operation lists in the OpenAPI document: one type per problem (or
//! per group of problems that always come together), named in a handler's `responses(...)`
//! beside its success answer. Every one is `application/problem+json` with the `ProblemBody`
//! schema.

use std::collections::BTreeMap;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::IntoResponses;

fn problem(status: &str, description: &str) -> (String, RefOr<Response>) {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ProblemBody")))
        .build();
    let response = ResponseBuilder::new()
        .description(description)
        .content("application/problem+json", content)
        .build();
    (status.to_owned(), RefOr::T(response))
}

macro_rules! problems {
    ($($(#[$doc:meta])* $name:ident { $($status:literal: $description:literal),+ $(,)? })*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                BTreeMap::from([$(problem($status, $description)),+])
            }
        }
    )*};
}

problems! {
    /// Every operation that needs a signed-in caller and the database.
    SignedIn {
        "401": "unauthenticated: no token, or one that is not valid, has expired or has ended",
        "503": "service-unavailable: the database cannot be reached or is busy; see Retry-After",
    }
    /// Signing in with a username and password.
    SignIn {
        "401": "unauthenticated: wrong username or password, or a deactivated member",
        "503": "service-unavailable: the database cannot be reached or is busy; see Retry-After",
    }
    /// The health check.
    Unavailable {
        "503": "service-unavailable: the database does not answer",
    }
    /// Every operation that reads a JSON body.
    JsonBody {
        "400": "malformed-request: the body is not JSON, or lacks or adds a field",
        "413": "payload-too-large: body over the size limit or JSON nested too deep",
    }
    /// Every operation that reads a CSV body.
    CsvBody {
        "400": "malformed-request: not CSV, or no header",
        "413": "payload-too-large: body over the size limit",
    }
    Forbidden {
        "403": "forbidden: your role in the council does not allow this",
    }
    NotFound {
        "404": "not-found: no such council, vote or member is visible to you",
    }
    InvalidState {
        "409": "invalid-state: the vote is not in a state that allows this",
    }
    UsernameTaken {
        "409": "username-taken: the username exists (an import lists the lines in `errors`)",
    }
    TallyNotPublished {
        "409": "tally-not-published: the vote is not closed yet",
    }
    /// Casting: the two reasons a ballot is refused as a conflict.
    CastConflict {
        "409": "already-cast: your ballot is in and final; or invalid-state: the vote is not open",
    }
    InvalidBallot {
        "422": "invalid-ballot: an unknown subject or choice; nothing was stored",
    }
    Validation {
        "422": "validation-failed: a field is present but wrong (an import lists every bad line in `errors`)",
    }
    RateLimited {
        "429": "rate-limited: too many failed sign-ins for this username or from this address; see Retry-After",
    }
    RecordIntegrity {
        "500": "record-integrity: the stored record no longer matches its signature or the database; not served",
    }
}
