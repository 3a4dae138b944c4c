//! A signed-in HTTP session with the server's API.

use reqwest::blocking::{Client, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use super::error::ToolError;

pub struct Session {
    api: String,
    client: Client,
    token: String,
    /// The signed-in member's id.
    pub member_id: String,
}

impl Session {
    /// Signs in at `server` (e.g. `https://hall.example`, or with `/api/v1`).
    pub fn sign_in(server: &str, username: &str, password: &str) -> Result<Session, ToolError> {
        let server = server.trim_end_matches('/');
        let api = if server.ends_with("/api/v1") {
            server.to_owned()
        } else {
            format!("{server}/api/v1")
        };
        let client = Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(|e| ToolError::Transport(e.to_string()))?;
        let mut session = Session {
            api,
            client,
            token: String::new(),
            member_id: String::new(),
        };
        let token: Value = session.send(
            session
                .client
                .post(format!("{}/auth/login", session.api))
                .json(&json!({"username": username, "password": password})),
        )?;
        session.token = token["access_token"]
            .as_str()
            .ok_or_else(|| ToolError::Transport("the sign-in answer has no token".into()))?
            .to_owned();
        let me: Value = session.get("/me")?;
        session.member_id = me["id"]
            .as_str()
            .ok_or_else(|| ToolError::Transport("/me has no id".into()))?
            .to_owned();
        Ok(session)
    }

    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ToolError> {
        self.send(
            self.client
                .get(format!("{}{path}", self.api))
                .bearer_auth(&self.token),
        )
    }

    pub fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, ToolError> {
        self.send(
            self.client
                .post(format!("{}{path}", self.api))
                .bearer_auth(&self.token)
                .json(body),
        )
    }

    fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::blocking::RequestBuilder,
    ) -> Result<T, ToolError> {
        let response = request
            .send()
            .map_err(|e| ToolError::Transport(e.without_url().to_string()))?;
        read(response)
    }
}

fn read<T: DeserializeOwned>(response: Response) -> Result<T, ToolError> {
    let status = response.status();
    if status.is_success() {
        return response
            .json()
            .map_err(|e| ToolError::Transport(format!("an answer that is not the API's: {e}")));
    }
    let problem: Value = response.json().unwrap_or_default();
    Err(ToolError::Refused {
        status: status.as_u16(),
        detail: problem["detail"]
            .as_str()
            .unwrap_or("no detail given")
            .to_owned(),
    })
}
