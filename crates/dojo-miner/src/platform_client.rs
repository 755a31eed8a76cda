//! The miner's client of its worker platform's miner API ([`dojo_core::protocol::platform_api`]):
//! blocking `ureq` on tokio's blocking pool (like the dendrite), one timeout per request, and
//! errors that carry the platform's own `{"error"}` message.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use dojo_core::protocol::ApiError;
use dojo_core::protocol::platform_api::{
    API_KEY_HEADER, CreateTask, CreatedTask, RevealGroundTruth, TaskResults,
};

/// Why a platform request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlatformError {
    /// No HTTP answer (connection refused, DNS, timeout).
    #[error("the worker platform at {url} is unreachable: {reason}")]
    Unreachable {
        /// The request URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The platform answered with an error status.
    #[error("the worker platform refused ({status}): {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The platform's `error` message, or the body's start.
        message: String,
    },
    /// The platform's answer does not decode.
    #[error("the worker platform at {url} answered something unexpected: {reason}")]
    Decode {
        /// The request URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The blocking worker failed.
    #[error("the HTTP worker thread failed: {0}")]
    Worker(String),
}

/// A client of one platform with one miner API key.
#[derive(Clone)]
pub struct PlatformClient {
    base: String,
    api_key: String,
    agent: ureq::Agent,
}

impl std::fmt::Debug for PlatformClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the API key.
        f.debug_struct("PlatformClient").field("base", &self.base).finish()
    }
}

/// Percent-encodes a path segment (everything but RFC 3986 unreserved characters).
fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl PlatformClient {
    /// A client of the platform at `base_url` (e.g. `http://127.0.0.1:8080`), sending
    /// `api_key`, giving each request `timeout`.
    pub fn new(base_url: &str, api_key: &str, timeout: Duration) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .build()
            .into();
        Self {
            base: base_url.trim_end_matches('/').to_string(),
            api_key: api_key.to_string(),
            agent,
        }
    }

    /// The platform's base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `POST /api/v1/tasks`.
    pub async fn create_task(&self, task: &CreateTask) -> Result<CreatedTask, PlatformError> {
        let url = format!("{}/api/v1/tasks", self.base);
        let text = self.send("POST", url.clone(), Some(task)).await?;
        decode(&url, &text)
    }

    /// `GET /api/v1/tasks/{id}/results`.
    pub async fn results(&self, platform_id: &str) -> Result<TaskResults, PlatformError> {
        let url = format!("{}/api/v1/tasks/{}/results", self.base, segment(platform_id));
        let text = self.send::<()>("GET", url.clone(), None).await?;
        decode(&url, &text)
    }

    /// `POST /api/v1/tasks/{id}/ground-truth`.
    pub async fn reveal_ground_truth(
        &self,
        platform_id: &str,
        reveal: &RevealGroundTruth,
    ) -> Result<(), PlatformError> {
        let url = format!("{}/api/v1/tasks/{}/ground-truth", self.base, segment(platform_id));
        self.send("POST", url, Some(reveal)).await.map(|_| ())
    }

    /// Whether the platform answers HTTP at all (any status counts).
    pub async fn reachable(&self) -> bool {
        let agent = self.agent.clone();
        let url = format!("{}/", self.base);
        tokio::task::spawn_blocking(move || agent.get(&url).call().is_ok()).await.unwrap_or(false)
    }

    async fn send<B: Serialize>(
        &self,
        method: &'static str,
        url: String,
        body: Option<&B>,
    ) -> Result<String, PlatformError> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| PlatformError::Worker(format!("cannot encode the request: {e}")))?;
        let agent = self.agent.clone();
        let key = self.api_key.clone();
        tokio::task::spawn_blocking(move || blocking(&agent, method, &url, &key, body))
            .await
            .map_err(|e| PlatformError::Worker(e.to_string()))?
    }
}

fn blocking(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    key: &str,
    body: Option<Vec<u8>>,
) -> Result<String, PlatformError> {
    let unreachable =
        |e: ureq::Error| PlatformError::Unreachable { url: url.to_string(), reason: e.to_string() };
    let mut response = match body {
        Some(body) => agent
            .post(url)
            .header(API_KEY_HEADER, key)
            .header("Content-Type", "application/json")
            .send(&body[..])
            .map_err(unreachable)?,
        None if method == "GET" => {
            agent.get(url).header(API_KEY_HEADER, key).call().map_err(unreachable)?
        }
        None => agent.post(url).header(API_KEY_HEADER, key).send_empty().map_err(unreachable)?,
    };
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| PlatformError::Decode { url: url.to_string(), reason: e.to_string() })?;
    if (200..300).contains(&status) {
        return Ok(text);
    }
    let message = match serde_json::from_str::<ApiError>(&text) {
        Ok(e) => e.error,
        Err(_) => {
            let start: String = text.chars().take(200).collect();
            if start.trim().is_empty() { format!("HTTP {status}") } else { start }
        }
    };
    Err(PlatformError::Refused { status, message })
}

fn decode<T: DeserializeOwned>(url: &str, text: &str) -> Result<T, PlatformError> {
    serde_json::from_str(text)
        .map_err(|e| PlatformError::Decode { url: url.to_string(), reason: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(segment("abc-1_2.3~"), "abc-1_2.3~");
        assert_eq!(segment("a/b?c"), "a%2Fb%3Fc");
        assert_eq!(segment("é"), "%C3%A9");
    }

    #[test]
    fn debug_hides_the_key() {
        let c = PlatformClient::new("http://x/", "secret-key", Duration::from_secs(1));
        assert!(!format!("{c:?}").contains("secret-key"));
        assert_eq!(c.base_url(), "http://x");
    }
}
