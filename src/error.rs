//! The one error type: every failure becomes RFC 9457 problem details with an API.md slug.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;
use utoipa::ToSchema;

/// The kinds of problem API.md names, with their status and slug.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    MalformedRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    InvalidState,
    AlreadyCast,
    TallyNotPublished,
    UsernameTaken,
    PayloadTooLarge,
    UnsupportedMediaType,
    InvalidBallot,
    ValidationFailed,
    RateLimited,
    ServiceUnavailable,
    /// A stored record no longer matches its signature or the data it was made from.
    RecordIntegrity,
    Internal,
}

impl Problem {
    pub fn status(self) -> StatusCode {
        use Problem::*;
        match self {
            MalformedRequest => StatusCode::BAD_REQUEST,
            Unauthenticated => StatusCode::UNAUTHORIZED,
            Forbidden => StatusCode::FORBIDDEN,
            NotFound => StatusCode::NOT_FOUND,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            InvalidState | AlreadyCast | TallyNotPublished | UsernameTaken => StatusCode::CONFLICT,
            PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            InvalidBallot | ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            RecordIntegrity | Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn slug(self) -> &'static str {
        use Problem::*;
        match self {
            MalformedRequest => "malformed-request",
            Unauthenticated => "unauthenticated",
            Forbidden => "forbidden",
            NotFound => "not-found",
            MethodNotAllowed => "method-not-allowed",
            InvalidState => "invalid-state",
            AlreadyCast => "already-cast",
            TallyNotPublished => "tally-not-published",
            UsernameTaken => "username-taken",
            PayloadTooLarge => "payload-too-large",
            UnsupportedMediaType => "unsupported-media-type",
            InvalidBallot => "invalid-ballot",
            ValidationFailed => "validation-failed",
            RateLimited => "rate-limited",
            ServiceUnavailable => "service-unavailable",
            RecordIntegrity => "record-integrity",
            Internal => "internal-error",
        }
    }

    pub fn title(self) -> &'static str {
        use Problem::*;
        match self {
            MalformedRequest => "Malformed request",
            Unauthenticated => "Not signed in",
            Forbidden => "Not allowed",
            NotFound => "Not found",
            MethodNotAllowed => "Method not allowed",
            InvalidState => "Not possible in the vote's current state",
            AlreadyCast => "Ballot already cast",
            TallyNotPublished => "Tally not published yet",
            UsernameTaken => "Username taken",
            PayloadTooLarge => "Request too large",
            UnsupportedMediaType => "Unsupported content type",
            InvalidBallot => "Invalid ballot",
            ValidationFailed => "Validation failed",
            RateLimited => "Too many attempts",
            ServiceUnavailable => "Service unavailable",
            RecordIntegrity => "Record does not match its signature or the database",
            Internal => "Internal error",
        }
    }
}

/// One line of a rejected CSV import, or one field of a rejected request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The CSV line (1 is the header), when the error is in an import.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub message: String,
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct AppError {
    pub problem: Problem,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
    /// For a fault of ours: what went wrong and the incident id the client is given. Logged
    /// once, when the response is made; never sent.
    fault: Option<Fault>,
}

#[derive(Debug)]
struct Fault {
    incident: uuid::Uuid,
    cause: String,
}

/// The body of every error response (`application/problem+json`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemBody {
    /// `urn:tinnhiem:problem:<slug>`
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    /// What to do about it, in plain words.
    pub detail: String,
    /// Each problem found, when there are several (e.g. every bad line of an import).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(problem: Problem, detail: impl Into<String>) -> AppError {
        AppError {
            problem,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after_secs: None,
            fault: None,
        }
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> AppError {
        self.errors = errors;
        self
    }

    pub fn malformed(detail: impl Into<String>) -> AppError {
        AppError::new(Problem::MalformedRequest, detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> AppError {
        AppError::new(Problem::Forbidden, detail)
    }
    pub fn not_found(what: &str) -> AppError {
        AppError::new(
            Problem::NotFound,
            format!("No {what} with that id is visible to you; check the id and your council."),
        )
    }
    pub fn invalid_state(detail: impl Into<String>) -> AppError {
        AppError::new(Problem::InvalidState, detail)
    }
    pub fn validation(detail: impl Into<String>) -> AppError {
        AppError::new(Problem::ValidationFailed, detail)
    }
    pub fn unauthenticated(detail: impl Into<String>) -> AppError {
        AppError::new(Problem::Unauthenticated, detail)
    }

    /// A fault of ours, not the client's: the client sees only an incident id, which the
    /// operator finds in the log beside `cause` once the response is made. `cause` must never
    /// hold secrets or ballot content.
    pub fn internal(cause: impl fmt::Display) -> AppError {
        let incident = uuid::Uuid::new_v4();
        AppError {
            fault: Some(Fault {
                incident,
                cause: cause.to_string(),
            }),
            ..AppError::new(
                Problem::Internal,
                format!(
                    "The server could not complete this request; nothing was changed. Try again; \
                     if it keeps failing, give the operator incident {incident}."
                ),
            )
        }
    }

    /// 429 with `Retry-After`: too many failed attempts; `wait` says for how long.
    pub fn rate_limited(wait: std::time::Duration) -> AppError {
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        AppError {
            retry_after_secs: Some(secs.max(1)),
            ..AppError::new(
                Problem::RateLimited,
                format!(
                    "Too many failed sign-ins for this username or from this address; wait {} \
                     seconds and try again, or ask the operator to reset the password.",
                    secs.max(1)
                ),
            )
        }
    }

    pub fn unavailable(detail: impl Into<String>) -> AppError {
        AppError {
            retry_after_secs: Some(1),
            ..AppError::new(Problem::ServiceUnavailable, detail)
        }
    }

    fn body(&self) -> ProblemBody {
        ProblemBody {
            type_: format!("urn:tinnhiem:problem:{}", self.problem.slug()),
            title: self.problem.title().to_owned(),
            status: self.problem.status().as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        }
    }
}

/// For the operator and the command line: a fault shows its cause, anything else its detail.
impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.fault {
            Some(fault) => write!(f, "{}: {}", self.problem.slug(), fault.cause),
            None => write!(f, "{}: {}", self.problem.slug(), self.detail),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.problem.status()
    }

    fn error_response(&self) -> HttpResponse {
        match &self.fault {
            Some(Fault { incident, cause }) => {
                tracing::error!(%incident, %cause, "request failed on the server");
            }
            // A record that no longer matches: the operator must know at once.
            None if self.problem == Problem::RecordIntegrity => {
                tracing::error!(detail = %self.detail, "a record was not served");
            }
            None => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let Some(secs) = self.retry_after_secs {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        response.body(serde_json::to_string(&self.body()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> AppError {
        match e {
            // A row read with `first`/`get_result` that is not there: what the client asked for
            // does not exist (or was deleted meanwhile), which is theirs to know, not a fault.
            diesel::result::Error::NotFound => AppError::new(
                Problem::NotFound,
                "What you asked for does not exist (any more); check the id and reload.",
            ),
            e => AppError::internal(format_args!("database: {e}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(_: diesel::r2d2::PoolError) -> AppError {
        AppError::unavailable(
            "The service is busy or cannot reach its database right now; try again in a moment.",
        )
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> AppError {
        AppError::internal(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Everything logged while `f` runs.
    fn logged(f: impl FnOnce()) -> String {
        #[derive(Clone, Default)]
        struct Lines(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Lines {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        let bytes = lines.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn a_fault_is_logged_once_when_answered_and_its_cause_never_sent() {
        let mut error = None;
        let made = logged(|| error = Some(AppError::internal("disk on fire")));
        assert_eq!(made, "", "nothing is logged before the response is made");
        let error = error.unwrap();
        assert!(error.to_string().contains("disk on fire"), "{error}");
        let mut response = None;
        let answered = logged(|| response = Some(error.error_response()));
        assert_eq!(answered.lines().count(), 1, "{answered}");
        assert!(answered.contains("disk on fire"), "{answered}");
        let incident = error.detail.split("incident ").nth(1).unwrap();
        assert!(
            answered.contains(incident.trim_end_matches('.')),
            "{answered}"
        );
        let body = actix_web::body::MessageBody::try_into_bytes(response.unwrap().into_body())
            .unwrap_or_default();
        let body = String::from_utf8_lossy(&body);
        assert!(
            body.contains("internal-error") && !body.contains("disk on fire"),
            "{body}"
        );
    }

    #[test]
    fn a_client_mistake_is_not_logged_and_a_missing_row_is_not_found() {
        let quiet = logged(|| {
            AppError::validation("seats must be at least 1").error_response();
        });
        assert_eq!(quiet, "");
        let missing = AppError::from(diesel::result::Error::NotFound);
        assert_eq!(missing.problem, Problem::NotFound);
        assert_eq!(missing.status_code(), StatusCode::NOT_FOUND);
    }
}
