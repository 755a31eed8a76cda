//! The dendrite: signs requests with a hotkey and sends them to axons.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine;
use chain::AccountId;
use serde_json::{Map, Value};

use super::error::TransportError;
use super::pystr::python_float_repr;
use super::synapse::{
    Clock, Synapse, SystemClock, headers as h, parse_signature, request_message, response_message,
    sdk_version_int, signature_hex, uuid4,
};

/// How much longer than the synapse's timeout the dendrite waits for the axon's answer.
pub const CLIENT_GRACE: Duration = Duration::from_secs(2);

/// Where a request goes: the axon's address and hotkey (from its `AxonInfo` on chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AxonTarget {
    /// IP address.
    pub ip: String,
    /// Port.
    pub port: u16,
    /// The axon's hotkey; the signature commits to it.
    pub hotkey: AccountId,
}

/// A signed request, ready to send (fields are public so tests can tamper with them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// `http://{ip}:{port}/{name}`.
    pub url: String,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// JSON body.
    pub body: String,
    /// How long to wait for the answer: the synapse's timeout plus [`CLIENT_GRACE`].
    pub timeout: Duration,
}

impl PreparedRequest {
    /// The value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Replaces (or adds) header `name`.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.headers.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value,
            None => self.headers.push((name.to_string(), value)),
        }
    }
}

/// The axon's terminal as its response headers describe it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AxonTerminal {
    /// `bt_header_axon_status_code`.
    pub status_code: Option<u16>,
    /// `bt_header_axon_status_message`.
    pub status_message: Option<String>,
    /// `bt_header_axon_process_time`, seconds as text.
    pub process_time: Option<String>,
    /// `bt_header_axon_nonce`.
    pub nonce: Option<u64>,
    /// `bt_header_axon_uuid`.
    pub uuid: Option<String>,
    /// `bt_header_axon_version`.
    pub version: Option<u64>,
    /// `bt_header_axon_signature`.
    pub signature: Option<String>,
    /// `bt_header_axon_hotkey`.
    pub hotkey: Option<String>,
}

/// An axon's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct SynapseResponse {
    /// HTTP status.
    pub status: u16,
    /// The axon terminal from the headers.
    pub axon: AxonTerminal,
    /// The JSON body: the response synapse on 200, `{"message": …}` otherwise.
    pub body: Map<String, Value>,
}

impl SynapseResponse {
    /// Whether the axon served the request (HTTP 200).
    pub fn is_success(&self) -> bool {
        self.status == 200
    }

    /// Checks the axon's signature over `{axon_nonce}.{dendrite_hotkey}.{axon_hotkey}.{axon_uuid}`
    /// with the expected axon hotkey (the SDK does not; we can).
    pub fn verify_axon_signature(&self, dendrite_hotkey: &AccountId, axon: &AccountId) -> bool {
        let (Some(nonce), Some(uuid), Some(sig)) =
            (self.axon.nonce, self.axon.uuid.as_deref(), self.axon.signature.as_deref())
        else {
            return false;
        };
        let Some(sig) = parse_signature(sig) else { return false };
        let msg = response_message(nonce, &dendrite_hotkey.to_ss58(), &axon.to_ss58(), uuid);
        axon.public_key().verify(msg.as_bytes(), &sig)
    }
}

/// A client that signs with one hotkey. Nonces are the clock's nanoseconds, forced strictly
/// increasing so that two requests never share one.
pub struct Dendrite {
    keypair: keys::Keypair,
    hotkey_ss58: String,
    uuid: String,
    external_ip: String,
    clock: Arc<dyn Clock>,
    last_nonce: AtomicU64,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Dendrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dendrite")
            .field("hotkey", &self.hotkey_ss58)
            .field("uuid", &self.uuid)
            .finish()
    }
}

impl Dendrite {
    /// A dendrite signing with `keypair`, a fresh uuid4 and the system clock.
    pub fn new(keypair: keys::Keypair) -> Self {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).build().into();
        Self {
            hotkey_ss58: keypair.ss58_address(),
            keypair,
            uuid: uuid4(),
            external_ip: "127.0.0.1".into(),
            clock: Arc::new(SystemClock),
            last_nonce: AtomicU64::new(0),
            agent,
        }
    }

    /// Uses `clock` for nonces.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Uses a fixed uuid (the SDK makes one uuid4 per dendrite).
    pub fn with_uuid(mut self, uuid: impl Into<String>) -> Self {
        self.uuid = uuid.into();
        self
    }

    /// The IP sent in `bt_header_dendrite_ip`.
    pub fn with_external_ip(mut self, ip: impl Into<String>) -> Self {
        self.external_ip = ip.into();
        self
    }

    /// The signing hotkey's SS58 address.
    pub fn hotkey(&self) -> &str {
        &self.hotkey_ss58
    }

    /// This dendrite's uuid.
    pub fn uuid(&self) -> &str {
        &self.uuid
    }

    fn next_nonce(&self) -> u64 {
        let now = self.clock.now_ns();
        let mut last = self.last_nonce.load(Ordering::SeqCst);
        loop {
            let next = now.max(last.saturating_add(1));
            match self.last_nonce.compare_exchange(last, next, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(_) => return next,
                Err(seen) => last = seen,
            }
        }
    }

    /// Builds and signs a request for `synapse` to `target` with nonce `nonce`.
    pub fn prepare_with_nonce(
        &self,
        target: &AxonTarget,
        synapse: &Synapse,
        nonce: u64,
    ) -> PreparedRequest {
        let body_hash = synapse.body_hash();
        let axon_hotkey = target.hotkey.to_ss58();
        let message =
            request_message(nonce, &self.hotkey_ss58, &axon_hotkey, &self.uuid, &body_hash);
        let signature = signature_hex(&self.keypair.sign(message.as_bytes()));

        let mut body = synapse.fields.clone();
        body.insert("name".into(), Value::String(synapse.name.clone()));
        body.insert("timeout".into(), serde_json::json!(synapse.timeout_secs));
        body.insert("computed_body_hash".into(), Value::String(body_hash.clone()));
        let body = Value::Object(body).to_string();

        let mut headers: Vec<(String, String)> = vec![
            (h::NAME.into(), synapse.name.clone()),
            (h::TIMEOUT.into(), python_float_repr(synapse.timeout_secs)),
            (h::AXON_IP.into(), target.ip.clone()),
            (h::AXON_PORT.into(), target.port.to_string()),
            (h::AXON_HOTKEY.into(), axon_hotkey),
            (h::DENDRITE_IP.into(), self.external_ip.clone()),
            (h::DENDRITE_VERSION.into(), sdk_version_int().to_string()),
            (h::DENDRITE_NONCE.into(), nonce.to_string()),
            (h::DENDRITE_UUID.into(), self.uuid.clone()),
            (h::DENDRITE_HOTKEY.into(), self.hotkey_ss58.clone()),
            (h::DENDRITE_SIGNATURE.into(), signature),
        ];
        let b64 = base64::engine::general_purpose::STANDARD;
        for field in &synapse.required_hash_fields {
            let empty = match synapse.fields.get(field) {
                Some(Value::String(_)) => Value::String(String::new()),
                Some(Value::Number(_)) => serde_json::json!(0),
                Some(Value::Array(_)) => Value::Array(Vec::new()),
                Some(Value::Object(_)) => Value::Object(Map::new()),
                Some(Value::Bool(_)) => Value::Bool(false),
                Some(Value::Null) | None => Value::Null,
            };
            headers.push((
                format!("{}{field}", h::INPUT_OBJ_PREFIX),
                b64.encode(empty.to_string().as_bytes()),
            ));
        }
        let header_size: usize = headers.iter().map(|(k, v)| k.len() + v.len()).sum();
        headers.push((h::COMPUTED_BODY_HASH.into(), body_hash));
        headers.push((h::HEADER_SIZE.into(), header_size.to_string()));
        headers.push((h::TOTAL_SIZE.into(), (header_size + body.len()).to_string()));

        // The axon answers 408 at the timeout; wait a little longer so that answer arrives.
        let timeout =
            Duration::from_secs_f64(synapse.timeout_secs.clamp(0.001, 86_400.0)) + CLIENT_GRACE;
        PreparedRequest {
            url: format!("http://{}:{}/{}", target.ip, target.port, synapse.name),
            headers,
            body,
            timeout,
        }
    }

    /// Builds and signs a request with the next nonce.
    pub fn prepare(&self, target: &AxonTarget, synapse: &Synapse) -> PreparedRequest {
        self.prepare_with_nonce(target, synapse, self.next_nonce())
    }

    /// Sends a prepared request (on a blocking thread) and parses the answer.
    pub async fn send(&self, request: PreparedRequest) -> Result<SynapseResponse, TransportError> {
        let agent = self.agent.clone();
        tokio::task::spawn_blocking(move || send_blocking(&agent, &request))
            .await
            .map_err(|e| TransportError::Worker(e.to_string()))?
    }

    /// Signs and sends `synapse` to `target`.
    pub async fn call(
        &self,
        target: &AxonTarget,
        synapse: &Synapse,
    ) -> Result<SynapseResponse, TransportError> {
        self.send(self.prepare(target, synapse)).await
    }
}

fn send_blocking(
    agent: &ureq::Agent,
    request: &PreparedRequest,
) -> Result<SynapseResponse, TransportError> {
    let url = request.url.clone();
    let http = |e: ureq::Error| TransportError::Http { url: url.clone(), reason: e.to_string() };
    let mut builder = agent.post(&request.url).header("Content-Type", "application/json");
    for (k, v) in &request.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let mut response = builder
        .config()
        .timeout_global(Some(request.timeout))
        .build()
        .send(request.body.as_bytes())
        .map_err(http)?;
    let status = response.status().as_u16();
    let get =
        |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let axon = AxonTerminal {
        status_code: get(h::AXON_STATUS_CODE).and_then(|v| v.parse().ok()),
        status_message: get(h::AXON_STATUS_MESSAGE),
        process_time: get(h::AXON_PROCESS_TIME),
        nonce: get(h::AXON_NONCE).and_then(|v| v.parse().ok()),
        uuid: get(h::AXON_UUID),
        version: get(h::AXON_VERSION).and_then(|v| v.parse().ok()),
        signature: get(h::AXON_SIGNATURE),
        hotkey: get(h::AXON_HOTKEY),
    };
    let text = response.body_mut().read_to_string().map_err(http)?;
    let body = if text.trim().is_empty() {
        Map::new()
    } else {
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(m)) => m,
            Ok(_) => {
                return Err(TransportError::Decode { url, reason: "not an object".into() });
            }
            Err(e) => return Err(TransportError::Decode { url, reason: e.to_string() }),
        }
    };
    Ok(SynapseResponse { status, axon, body })
}
