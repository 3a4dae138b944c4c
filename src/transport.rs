//! What every response carries and how it travels: security headers, CORS, TLS, and problem
//! details for errors raised outside the handlers.

use actix_cors::Cors;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::ResponseError;
use std::sync::Arc;

use crate::config::TlsFiles;
use crate::error::{AppError, Problem};

/// The headers every response gets unless its handler set its own. API responses are JSON read
/// by programs: nothing may frame, sniff, cache or refer from them. A handler that serves a
/// page (HTML) sets its own `Content-Security-Policy` and `Cache-Control`, which are kept.
pub fn security_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .add((header::CACHE_CONTROL, "no-store"));
    if https {
        headers.add((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"))
    } else {
        headers
    }
}

/// Cross-origin calls from browsers: none unless origins are configured; then only from them,
/// with the methods and headers the API uses. Requests from other origins are served without
/// CORS headers, so the browser keeps their answers from the calling page.
pub fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([Method::GET, Method::POST, Method::PUT])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([header::RETRY_AFTER])
        .max_age(600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// Checks a configured CORS origin: `http(s)://host[:port]`, no path, no wildcard.
pub fn check_origin(origin: &str) -> Result<(), String> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| format!("CORS origin {origin:?} must start with https:// or http://"))?;
    let valid = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !valid || header::HeaderValue::from_str(origin).is_err() {
        return Err(format!(
            "CORS origin {origin:?} must be scheme://host[:port] with no path or wildcard"
        ));
    }
    Ok(())
}

/// Errors raised outside our handlers (CORS refusals, for one) answered as problem details like
/// the rest. A response a handler built itself (an HTML error page, say) is left as it is.
pub async fn problem_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    let Some(error) = res.response().error() else {
        return Ok(res);
    };
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return Ok(res);
    }
    let detail = if error.as_error::<actix_cors::CorsError>().is_some() {
        format!(
            "{error}: web pages may call this API only from the origins the operator allows \
             (serve --cors-origin)."
        )
    } else {
        format!("{error}.")
    };
    let problem = match status {
        StatusCode::UNAUTHORIZED => Problem::Unauthenticated,
        StatusCode::FORBIDDEN => Problem::Forbidden,
        StatusCode::NOT_FOUND => Problem::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => Problem::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => Problem::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Problem::UnsupportedMediaType,
        StatusCode::TOO_MANY_REQUESTS => Problem::RateLimited,
        StatusCode::SERVICE_UNAVAILABLE => Problem::ServiceUnavailable,
        s if s.is_server_error() => Problem::Internal,
        _ => Problem::MalformedRequest,
    };
    let (req, _) = res.into_parts();
    let response = AppError::new(problem, detail).error_response();
    Ok(ServiceResponse::new(req, response))
}

/// The TLS set-up for `serve --tls-cert --tls-key`: the certificate chain and key from PEM
/// files, TLS 1.2 and 1.3 with rustls's safe defaults, and ring as the one crypto provider
/// (passed in, not installed process-wide).
pub fn tls_config(files: &TlsFiles) -> Result<rustls::ServerConfig, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            format!(
                "cannot read certificates from {}: {e}",
                files.cert.display()
            )
        })?;
    if certs.is_empty() {
        return Err(format!("{} holds no certificate", files.cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| {
        format!(
            "cannot read a private key from {}: {e}",
            files.key.display()
        )
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("the TLS certificate and key do not make a pair: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_exact() {
        assert!(check_origin("https://hall.example.vn").is_ok());
        assert!(check_origin("http://127.0.0.1:5173").is_ok());
        for bad in [
            "*",
            "hall.example.vn",
            "https://",
            "https://a/b",
            "https://a b",
        ] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
    }
}
