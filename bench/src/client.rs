//! The load generator's HTTP client: JSON requests checked for the status expected, casts
//! posted from bodies serialized beforehand, and the timed close of a vote.

use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// An HTTP client of the server's API.
pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    /// A client for the API at `base`, keeping up to `concurrency` connections open.
    pub fn new(base: &str, concurrency: usize) -> Result<Client, String> {
        Ok(Client {
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(concurrency)
                .timeout(Duration::from_secs(120))
                .build()
                .map_err(|e| e.to_string())?,
            base: base.to_owned(),
        })
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<(u16, Value), String> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(|e| format!("{path}: {e}"))?;
        let status = resp.status().as_u16();
        let value = resp.json().await.unwrap_or(Value::Null);
        Ok((status, value))
    }

    /// The body of a GET answered 200, as bytes.
    pub async fn get_bytes(&self, path: &str, token: &str) -> Result<Vec<u8>, String> {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| format!("{path}: {e}"))?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(|e| format!("{path}: {e}"))?;
        if status != 200 {
            return Err(format!(
                "{path}: expected 200, got {status}: {}",
                String::from_utf8_lossy(&bytes)
            ));
        }
        Ok(bytes.to_vec())
    }

    pub async fn expect(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        want: u16,
    ) -> Result<Value, String> {
        let (status, value) = self.send(method, path, token, body).await?;
        if status != want {
            return Err(format!("{path}: expected {want}, got {status}: {value}"));
        }
        Ok(value)
    }

    /// Posts a body serialized beforehand and checks only the status, so that the load
    /// generator spends as little as it can of the cores it shares with the server.
    pub async fn post_prepared(
        &self,
        path: &str,
        token: &str,
        body: &[u8],
        want: u16,
    ) -> Result<(), String> {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| format!("{path}: {e}"))?;
        let status = resp.status().as_u16();
        let answer = resp.bytes().await.map_err(|e| format!("{path}: {e}"))?;
        if status != want {
            return Err(format!(
                "{path}: expected {want}, got {status}: {}",
                String::from_utf8_lossy(&answer)
            ));
        }
        Ok(())
    }

    /// Closes the vote as `chair`, fetches its tally as `reader`, checks that it counts
    /// `ballots`, and returns the milliseconds from the close request to the tally's arrival.
    pub async fn close_and_tally(
        &self,
        vote_id: &str,
        chair: &str,
        reader: &str,
        ballots: usize,
    ) -> Result<f64, String> {
        let t = Instant::now();
        let close = format!("/votes/{vote_id}/close");
        self.expect(reqwest::Method::POST, &close, Some(chair), None, 200)
            .await?;
        let tally_path = format!("/votes/{vote_id}/tally");
        let tally = self
            .expect(reqwest::Method::GET, &tally_path, Some(reader), None, 200)
            .await?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if tally["ballots_cast"].as_u64() != Some(ballots as u64) {
            return Err(format!(
                "tally counts {} ballots, {ballots} were cast",
                tally["ballots_cast"]
            ));
        }
        Ok(ms)
    }

    pub async fn login(&self, username: &str, password: &str) -> Result<String, String> {
        let v = self
            .expect(
                reqwest::Method::POST,
                "/auth/login",
                None,
                Some(&json!({"username": username, "password": password})),
                200,
            )
            .await?;
        v["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| "no token".to_owned())
    }

    /// Imports members as `admin` from a CSV body; the import must be accepted (201).
    pub async fn import_members(
        &self,
        admin: &str,
        council_id: &str,
        csv: String,
    ) -> Result<(), String> {
        let resp = self
            .http
            .post(format!(
                "{}/councils/{council_id}/members/import",
                self.base
            ))
            .bearer_auth(admin)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if resp.status().as_u16() != 201 {
            return Err(format!(
                "import failed: {}",
                resp.text().await.unwrap_or_default()
            ));
        }
        Ok(())
    }
}
