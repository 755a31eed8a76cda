//! The request type, its body hash, the signed messages and the header names of Bittensor's
//! axon/dendrite protocol (SDK 10.2).

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value};
use sha3::{Digest, Sha3_256};

use super::pystr::python_str;

/// The SDK version we speak as, `[major, minor, patch]`.
pub const SDK_VERSION: [u64; 3] = [10, 2, 0];

/// Grace added to a request's timeout when checking a first nonce (the SDK's `ALLOWED_DELTA`).
pub const ALLOWED_DELTA_NS: u64 = 4_000_000_000;

/// Default request timeout, seconds (the SDK's `Synapse.timeout`).
pub const DEFAULT_TIMEOUT_SECS: f64 = 12.0;

/// `Σ part·1000^i` over the reversed version parts: 10.2.0 → 10002000.
pub fn version_as_int(major: u64, minor: u64, patch: u64) -> u64 {
    patch + 1000 * minor + 1_000_000 * major
}

/// The SDK version we speak as, as an integer (10002000).
pub fn sdk_version_int() -> u64 {
    let [a, b, c] = SDK_VERSION;
    version_as_int(a, b, c)
}

/// sha3-256 hex of `data`.
pub fn sha3_hex(data: &[u8]) -> String {
    hex::encode(Sha3_256::digest(data))
}

/// The SDK's `Synapse.body_hash`: sha3-256 hex over the concatenation of the sha3-256 hex of
/// Python `str(value)` of each required hash field, in declared order. A field missing from
/// `body` counts as `None`, like a Python field left at its default.
pub fn body_hash(body: &Map<String, Value>, required_hash_fields: &[String]) -> String {
    let mut joined = String::with_capacity(64 * required_hash_fields.len());
    for field in required_hash_fields {
        let value = body.get(field).unwrap_or(&Value::Null);
        joined.push_str(&sha3_hex(python_str(value).as_bytes()));
    }
    sha3_hex(joined.as_bytes())
}

/// The message a dendrite signs: `{nonce}.{dendrite_hotkey}.{axon_hotkey}.{uuid}.{body_hash}`.
pub fn request_message(
    nonce: u64,
    dendrite_hotkey: &str,
    axon_hotkey: &str,
    dendrite_uuid: &str,
    body_hash: &str,
) -> String {
    format!("{nonce}.{dendrite_hotkey}.{axon_hotkey}.{dendrite_uuid}.{body_hash}")
}

/// The message an axon signs: `{axon_nonce}.{dendrite_hotkey}.{axon_hotkey}.{axon_uuid}`.
pub fn response_message(
    axon_nonce: u64,
    dendrite_hotkey: &str,
    axon_hotkey: &str,
    axon_uuid: &str,
) -> String {
    format!("{axon_nonce}.{dendrite_hotkey}.{axon_hotkey}.{axon_uuid}")
}

/// A signature as the SDK sends it: `0x` + 128 hex digits.
pub fn signature_hex(sig: &keys::Signature) -> String {
    format!("0x{}", hex::encode(sig.0))
}

/// Parses `0x` + 128 hex digits.
pub fn parse_signature(s: &str) -> Option<keys::Signature> {
    let bytes = hex::decode(s.trim().strip_prefix("0x").unwrap_or(s.trim())).ok()?;
    bytes.try_into().ok().map(keys::Signature)
}

/// A random version-4 UUID in its hyphenated form.
pub fn uuid4() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// A request: the synapse name (the route, the Python class name), its JSON fields and the
/// fields its body hash covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Synapse {
    /// Class name and route, e.g. `Echo`.
    pub name: String,
    /// The synapse's own fields (everything but the SDK's terminal and bookkeeping fields).
    pub fields: Map<String, Value>,
    /// Fields whose values the body hash covers, in declared order.
    pub required_hash_fields: Vec<String>,
    /// Seconds the caller waits; the axon answers 408 past it.
    pub timeout_secs: f64,
}

impl Synapse {
    /// A synapse named `name` with no fields and no hash fields.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            fields: Map::new(),
            required_hash_fields: Vec::new(),
            timeout_secs: DEFAULT_TIMEOUT_SECS,
        }
    }

    /// Sets a field.
    pub fn field(mut self, name: impl Into<String>, value: Value) -> Self {
        self.fields.insert(name.into(), value);
        self
    }

    /// Declares the fields the body hash covers, in order.
    pub fn hash_fields<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.required_hash_fields = fields.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the timeout, seconds.
    pub fn timeout(mut self, secs: f64) -> Self {
        self.timeout_secs = secs;
        self
    }

    /// The SDK's `body_hash` of this synapse.
    pub fn body_hash(&self) -> String {
        body_hash(&self.fields, &self.required_hash_fields)
    }
}

/// Header names of the wire protocol.
pub mod headers {
    /// Synapse name.
    pub const NAME: &str = "name";
    /// Timeout, seconds, as a Python float.
    pub const TIMEOUT: &str = "timeout";
    /// Body hash the signature covers.
    pub const COMPUTED_BODY_HASH: &str = "computed_body_hash";
    /// Python `sys.getsizeof` of the headers on the SDK; informational.
    pub const HEADER_SIZE: &str = "header_size";
    /// Python `sys.getsizeof` of the synapse on the SDK; informational.
    pub const TOTAL_SIZE: &str = "total_size";
    /// Prefix of the base64 JSON of required input fields.
    pub const INPUT_OBJ_PREFIX: &str = "bt_header_input_obj_";
    /// Axon terminal: IP.
    pub const AXON_IP: &str = "bt_header_axon_ip";
    /// Axon terminal: port.
    pub const AXON_PORT: &str = "bt_header_axon_port";
    /// Axon terminal: hotkey (SS58).
    pub const AXON_HOTKEY: &str = "bt_header_axon_hotkey";
    /// Axon terminal: status code.
    pub const AXON_STATUS_CODE: &str = "bt_header_axon_status_code";
    /// Axon terminal: status message.
    pub const AXON_STATUS_MESSAGE: &str = "bt_header_axon_status_message";
    /// Axon terminal: seconds spent.
    pub const AXON_PROCESS_TIME: &str = "bt_header_axon_process_time";
    /// Axon terminal: nonce (ns).
    pub const AXON_NONCE: &str = "bt_header_axon_nonce";
    /// Axon terminal: uuid.
    pub const AXON_UUID: &str = "bt_header_axon_uuid";
    /// Axon terminal: version integer.
    pub const AXON_VERSION: &str = "bt_header_axon_version";
    /// Axon terminal: signature of the response message.
    pub const AXON_SIGNATURE: &str = "bt_header_axon_signature";
    /// Dendrite terminal: IP.
    pub const DENDRITE_IP: &str = "bt_header_dendrite_ip";
    /// Dendrite terminal: port.
    pub const DENDRITE_PORT: &str = "bt_header_dendrite_port";
    /// Dendrite terminal: version integer.
    pub const DENDRITE_VERSION: &str = "bt_header_dendrite_version";
    /// Dendrite terminal: nonce (ns).
    pub const DENDRITE_NONCE: &str = "bt_header_dendrite_nonce";
    /// Dendrite terminal: uuid.
    pub const DENDRITE_UUID: &str = "bt_header_dendrite_uuid";
    /// Dendrite terminal: hotkey (SS58).
    pub const DENDRITE_HOTKEY: &str = "bt_header_dendrite_hotkey";
    /// Dendrite terminal: signature of the request message.
    pub const DENDRITE_SIGNATURE: &str = "bt_header_dendrite_signature";
}

/// Wall time in nanoseconds since the Unix epoch, injected so tests can fix it.
pub trait Clock: Send + Sync + 'static {
    /// Nanoseconds since the Unix epoch.
    fn now_ns(&self) -> u64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ns(&self) -> u64 {
        let since =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
    }
}

/// A clock that moves only when told to.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    /// A clock at `ns`.
    pub fn new(ns: u64) -> Self {
        Self(AtomicU64::new(ns))
    }

    /// Sets the time.
    pub fn set(&self, ns: u64) {
        self.0.store(ns, Ordering::SeqCst);
    }

    /// Moves the time forward.
    pub fn advance(&self, ns: u64) {
        self.0.fetch_add(ns, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ns(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn version_and_empty_hash() {
        assert_eq!(sdk_version_int(), 10_002_000);
        assert_eq!(version_as_int(7, 2, 0), 7_002_000);
        assert_eq!(
            Synapse::new("Ping").body_hash(),
            "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"
        );
    }

    #[test]
    fn echo_vector() {
        let s = Synapse::new("Echo").field("text", json!("hello")).hash_fields(["text"]);
        assert_eq!(
            s.body_hash(),
            "cd1ba9b9d9fae7c1e56ddf6aa2947ad2e0b83b96bd91dd4b67fc560e83589bad"
        );
        let u = uuid4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }
}
