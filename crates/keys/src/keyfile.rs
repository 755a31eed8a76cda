//! Bittensor keyfiles, byte-compatible with `bittensor-wallet` 4.1.1.
//!
//! A keyfile is compact JSON with the fields `accountId`, `publicKey`, `privateKey` (0x hex of the
//! 64-byte schnorrkel secret key ‖ nonce), `secretPhrase`, `secretSeed` (0x hex of the 32-byte
//! mini-secret), `ss58Address` and `cryptoType` (1 = sr25519); fields that are unknown (a key
//! derived from a URI has no phrase or seed) are left out. Public files (`coldkeypub.txt`,
//! `hotkeys/<name>pub.txt`) hold only `accountId`, `publicKey`, `ss58Address` and `cryptoType`.
//! Python writes the fields in hash-map order; readers do not care, and we write a fixed order.
//!
//! An encrypted keyfile is `$NACL` ‖ 24-byte nonce ‖ XSalsa20-Poly1305 secretbox of that JSON,
//! keyed by Argon2i v1.3 (t = 8, m = 512 MiB, p = 1, 32 bytes) over the UTF-8 password with a
//! fixed salt ([`KdfParams`]). The legacy `$ANSIBLE_VAULT` and Fernet (`gAAAAA`) formats are
//! detected and refused with [`Error::LegacyKeyfile`].

use std::fs;
use std::io::Write;
// Keyfiles are private by file mode on Unix; the browser build (crates/keys-wasm) has no files.
#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Key, Nonce, XSalsa20Poly1305};
use rand::RngCore;
use serde::Deserialize;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Error, LegacyFormat, Result};
use crate::pair::{Keypair, PublicKey, decode_hex_array};

/// Marker that starts every encrypted keyfile.
pub const NACL_PREFIX: &[u8] = b"$NACL";

/// The fixed Argon2 salt of `bittensor-wallet` (`NACL_SALT`).
pub const NACL_SALT: [u8; 16] = [
    0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1,
];

const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// Argon2i parameters of the keyfile key derivation.
///
/// [`KdfParams::default`] is what Bittensor uses (libsodium's "sensitive" limits: about 6 s and
/// 512 MiB of memory). Files encrypted with any other parameters open only with the same
/// parameters, and not in Python: smaller values are for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB (default 524 288 = 512 MiB).
    pub memory_kib: u32,
    /// Passes over memory (default 8).
    pub iterations: u32,
    /// Lanes (default 1).
    pub parallelism: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams { memory_kib: 512 * 1024, iterations: 8, parallelism: 1 }
    }
}

impl KdfParams {
    fn derive_key(&self, password: &str) -> Result<Zeroizing<[u8; 32]>> {
        let params =
            argon2::Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
                .map_err(|e| Error::Kdf(e.to_string()))?;
        let argon = argon2::Argon2::new(argon2::Algorithm::Argon2i, argon2::Version::V0x13, params);
        let mut key = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(password.as_bytes(), &NACL_SALT, key.as_mut())
            .map_err(|e| Error::Kdf(e.to_string()))?;
        Ok(key)
    }
}

/// How a keyfile's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Encryption {
    /// Plain JSON (hotkeys and public files, usually).
    None,
    /// `$NACL` secretbox (what `bittensor-wallet` 4 writes).
    Nacl,
    /// A legacy format this crate refuses to read.
    Legacy(LegacyFormat),
}

impl Encryption {
    /// Detects the format from a file's first bytes.
    #[must_use]
    pub fn detect(data: &[u8]) -> Self {
        if data.starts_with(NACL_PREFIX) {
            Encryption::Nacl
        } else if data.starts_with(b"$ANSIBLE_VAULT") {
            Encryption::Legacy(LegacyFormat::AnsibleVault)
        } else if data.starts_with(b"gAAAAA") {
            Encryption::Legacy(LegacyFormat::Fernet)
        } else {
            Encryption::None
        }
    }
}

fn encrypt(plaintext: &[u8], password: &str, kdf: &KdfParams) -> Result<Vec<u8>> {
    let key = kdf.derive_key(password)?;
    let cipher = XSalsa20Poly1305::new(Key::from_slice(key.as_ref()));
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed =
        cipher.encrypt(Nonce::from_slice(&nonce), plaintext).map_err(|_| Error::Encrypt)?;
    let mut out = Vec::with_capacity(NACL_PREFIX.len() + NONCE_LEN + sealed.len());
    out.extend_from_slice(NACL_PREFIX);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

fn decrypt(
    path: &Path,
    data: &[u8],
    password: &str,
    kdf: &KdfParams,
) -> Result<Zeroizing<Vec<u8>>> {
    let body = data.get(NACL_PREFIX.len()..).unwrap_or_default();
    if body.len() < NONCE_LEN + TAG_LEN {
        return Err(Error::corrupt(path, "encrypted keyfile is truncated"));
    }
    let (nonce, sealed) = body.split_at(NONCE_LEN);
    let key = kdf.derive_key(password)?;
    let cipher = XSalsa20Poly1305::new(Key::from_slice(key.as_ref()));
    cipher
        .decrypt(Nonce::from_slice(nonce), sealed)
        .map(Zeroizing::new)
        .map_err(|_| Error::WrongPassword { path: path.to_path_buf() })
}

/// The JSON fields of a keyfile, as read. Zeroized on drop.
#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(rename_all = "camelCase")]
struct KeyfileJson {
    account_id: Option<String>,
    public_key: Option<String>,
    private_key: Option<String>,
    secret_phrase: Option<String>,
    secret_seed: Option<String>,
    ss58_address: Option<String>,
    crypto_type: Option<u64>,
}

impl KeyfileJson {
    fn parse(path: &Path, data: &[u8]) -> Result<Self> {
        let json: KeyfileJson = serde_json::from_slice(data)
            .map_err(|e| Error::corrupt(path, format!("not keyfile json: {}", e.classify_str())))?;
        if let Some(t) = json.crypto_type
            && t != 1
        {
            return Err(Error::UnsupportedCryptoType { path: path.to_path_buf(), crypto_type: t });
        }
        Ok(json)
    }

    /// The public key stated in the file (publicKey, else accountId, else ss58Address).
    fn stated_public(&self, path: &Path) -> Result<Option<PublicKey>> {
        let bad = |field: &str| Error::corrupt(path, format!("bad {field}"));
        let mut found: Option<PublicKey> = None;
        let mut check = |pk: PublicKey, field: &str| {
            match found {
                Some(f) if f != pk => {
                    return Err(Error::corrupt(
                        path,
                        format!("{field} disagrees with the other key fields"),
                    ));
                }
                _ => found = Some(pk),
            }
            Ok(())
        };
        if let Some(s) = &self.public_key {
            check(PublicKey::from_hex(s).map_err(|_| bad("publicKey"))?, "publicKey")?;
        }
        if let Some(s) = &self.account_id {
            check(PublicKey::from_hex(s).map_err(|_| bad("accountId"))?, "accountId")?;
        }
        if let Some(s) = &self.ss58_address {
            let (_, key) = crate::ss58::decode(s).map_err(|_| bad("ss58Address"))?;
            check(PublicKey(key), "ss58Address")?;
        }
        Ok(found)
    }

    fn keypair(&self, path: &Path) -> Result<Keypair> {
        let pair = if let Some(phrase) = &self.secret_phrase {
            Keypair::from_phrase(phrase).map_err(|_| Error::corrupt(path, "bad secretPhrase"))?
        } else if let Some(seed) = &self.secret_seed {
            Keypair::from_seed_hex(seed).map_err(|_| Error::corrupt(path, "bad secretSeed"))?
        } else if let Some(pk) = &self.private_key {
            let bytes = Zeroizing::new(
                decode_hex_array::<64>("private key", pk)
                    .map_err(|_| Error::corrupt(path, "bad privateKey"))?,
            );
            Keypair::from_secret_key_bytes(&bytes)
                .map_err(|_| Error::corrupt(path, "bad privateKey"))?
        } else {
            return Err(Error::corrupt(path, "it holds no private key (is it a public keyfile?)"));
        };
        if let Some(stated) = self.stated_public(path)?
            && stated != pair.public()
        {
            return Err(Error::corrupt(path, "its secret does not match its public key"));
        }
        Ok(pair)
    }
}

/// The key pair in a keyfile's contents `data` (e.g. a file picked in a browser), decrypting
/// with `password` when it is encrypted; `name` stands for the file in errors.
///
/// # Errors
/// As [`Keyfile::read_keypair`], except [`Error::Io`].
pub fn keypair_from_bytes(
    name: &Path,
    data: &[u8],
    password: Option<&str>,
    kdf: &KdfParams,
) -> Result<Keypair> {
    let decrypted;
    let plain = match Encryption::detect(data) {
        Encryption::None => data,
        Encryption::Nacl => {
            let Some(pw) = password else {
                return Err(Error::PasswordRequired { path: name.to_path_buf() });
            };
            decrypted = decrypt(name, data, pw, kdf)?;
            decrypted.as_slice()
        }
        Encryption::Legacy(format) => {
            return Err(Error::LegacyKeyfile { path: name.to_path_buf(), format });
        }
    };
    KeyfileJson::parse(name, plain)?.keypair(name)
}

/// The private keyfile JSON for `pair`, in the fixed field order taoplex writes.
#[must_use]
pub fn keypair_json(pair: &Keypair) -> Zeroizing<String> {
    let public = pair.public().to_hex();
    let mut s = Zeroizing::new(String::with_capacity(1024));
    s.push_str("{\"accountId\":\"");
    s.push_str(&public);
    s.push_str("\",\"publicKey\":\"");
    s.push_str(&public);
    s.push_str("\",\"privateKey\":\"0x");
    let secret = pair.secret_key_bytes();
    let mut hex_buf = Zeroizing::new([0u8; 128]);
    if hex::encode_to_slice(secret.as_ref(), hex_buf.as_mut()).is_ok() {
        s.push_str(std::str::from_utf8(hex_buf.as_ref()).unwrap_or_default());
    }
    s.push('"');
    if let Some(phrase) = pair.phrase() {
        // A validated English BIP39 phrase: lower-case letters and single spaces, no escaping.
        s.push_str(",\"secretPhrase\":\"");
        s.push_str(phrase);
        s.push('"');
    }
    if let Some(seed) = pair.seed() {
        let mut seed_hex = Zeroizing::new([0u8; 64]);
        if hex::encode_to_slice(seed, seed_hex.as_mut()).is_ok() {
            s.push_str(",\"secretSeed\":\"0x");
            s.push_str(std::str::from_utf8(seed_hex.as_ref()).unwrap_or_default());
            s.push('"');
        }
    }
    s.push_str(",\"ss58Address\":\"");
    s.push_str(&pair.ss58_address());
    s.push_str("\",\"cryptoType\":1}");
    s
}

/// The public keyfile JSON (`coldkeypub.txt`, `<hotkey>pub.txt`) for `public`.
#[must_use]
pub fn public_json(public: &PublicKey) -> String {
    let hex = public.to_hex();
    format!(
        "{{\"accountId\":\"{hex}\",\"publicKey\":\"{hex}\",\"ss58Address\":\"{}\",\"cryptoType\":1}}",
        public.to_ss58()
    )
}

/// One keyfile on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyfile {
    path: PathBuf,
}

impl Keyfile {
    /// A keyfile at `path` (which need not exist yet).
    #[must_use]
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Keyfile { path: path.into() }
    }

    /// Its path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file exists.
    #[must_use]
    pub fn exists(&self) -> bool {
        self.path.is_file()
    }

    fn read(&self) -> Result<Zeroizing<Vec<u8>>> {
        fs::read(&self.path).map(Zeroizing::new).map_err(|e| Error::io("read", &self.path, e))
    }

    /// How the file is stored.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be read.
    pub fn encryption(&self) -> Result<Encryption> {
        Ok(Encryption::detect(&self.read()?))
    }

    /// Reads the key pair, decrypting with `password` when the file is encrypted.
    ///
    /// # Errors
    /// [`Error::PasswordRequired`], [`Error::WrongPassword`], [`Error::CorruptKeyfile`],
    /// [`Error::LegacyKeyfile`], [`Error::UnsupportedCryptoType`] or [`Error::Io`].
    pub fn read_keypair(&self, password: Option<&str>, kdf: &KdfParams) -> Result<Keypair> {
        let data = self.read()?;
        keypair_from_bytes(&self.path, &data, password, kdf)
    }

    /// Reads the public key from a public file or an unencrypted private file.
    ///
    /// # Errors
    /// [`Error::PasswordRequired`] for an encrypted file, [`Error::CorruptKeyfile`],
    /// [`Error::LegacyKeyfile`] or [`Error::Io`].
    pub fn read_public(&self) -> Result<PublicKey> {
        let data = self.read()?;
        match Encryption::detect(&data) {
            Encryption::None => {}
            Encryption::Nacl => return Err(Error::PasswordRequired { path: self.path.clone() }),
            Encryption::Legacy(format) => {
                return Err(Error::LegacyKeyfile { path: self.path.clone(), format });
            }
        }
        KeyfileJson::parse(&self.path, &data)?
            .stated_public(&self.path)?
            .ok_or_else(|| Error::corrupt(&self.path, "it holds no public key"))
    }

    /// Writes `pair`, encrypted with `password` when given (coldkeys always should be).
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] unless `overwrite`; [`Error::Io`]; [`Error::Kdf`].
    pub fn write_keypair(
        &self,
        pair: &Keypair,
        password: Option<&str>,
        kdf: &KdfParams,
        overwrite: bool,
    ) -> Result<()> {
        self.check_overwrite(overwrite)?;
        let json = keypair_json(pair);
        match password {
            Some(pw) => self.write_bytes(&encrypt(json.as_bytes(), pw, kdf)?),
            None => self.write_bytes(json.as_bytes()),
        }
    }

    /// Writes a public keyfile.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] unless `overwrite`; [`Error::Io`].
    pub fn write_public(&self, public: &PublicKey, overwrite: bool) -> Result<()> {
        self.check_overwrite(overwrite)?;
        self.write_bytes(public_json(public).as_bytes())
    }

    pub(crate) fn check_overwrite(&self, overwrite: bool) -> Result<()> {
        if !overwrite && self.path.exists() {
            return Err(Error::AlreadyExists { path: self.path.clone() });
        }
        Ok(())
    }

    /// Writes atomically: a 0600 temporary file beside the target, synced, then renamed.
    fn write_bytes(&self, bytes: &[u8]) -> Result<()> {
        if let Some(dir) = self.path.parent() {
            create_private_dir(dir)?;
        }
        let file_name = self.path.file_name().map(|n| n.to_string_lossy().into_owned());
        let tmp = self.path.with_file_name(format!(
            ".{}.tmp{}",
            file_name.unwrap_or_default(),
            std::process::id()
        ));
        let write = || -> std::io::Result<()> {
            let mut options = fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            options.mode(0o600);
            let mut f = options.open(&tmp)?;
            #[cfg(unix)]
            f.set_permissions(fs::Permissions::from_mode(0o600))?;
            f.write_all(bytes)?;
            f.sync_all()?;
            fs::rename(&tmp, &self.path)
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            Error::io("write", &self.path, e)
        })
    }
}

/// Creates `dir` and its missing parents with mode 0700 (existing ones are left as they are).
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(dir).map_err(|e| Error::io("create directory", dir, e))
}

trait ClassifyStr {
    fn classify_str(&self) -> &'static str;
}

impl ClassifyStr for serde_json::Error {
    /// A reason that never quotes the file's content (which may be secret).
    fn classify_str(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "i/o error",
            serde_json::error::Category::Syntax => "invalid json",
            serde_json::error::Category::Data => "unexpected field types",
            serde_json::error::Category::Eof => "json is truncated",
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Fast parameters for tests only.
    pub(crate) const FAST: KdfParams = KdfParams { memory_kib: 64, iterations: 1, parallelism: 1 };

    const ABANDON: &str = "abandon abandon abandon abandon abandon abandon abandon abandon \
                           abandon abandon abandon about";

    /// `coldkey` as bittensor-wallet 4.1.1 wrote it for the abandon mnemonic, password "hunter22".
    pub(crate) const PY_COLDKEY: &str = include_str!("../tests/fixtures/py_coldkey_abandon.hex");

    #[test]
    fn json_round_trip_and_exact_public_file() {
        let dir = tempfile::tempdir().unwrap();
        let pair = Keypair::from_phrase(ABANDON).unwrap();
        let kf = Keyfile::new(dir.path().join("sub/hk"));
        kf.write_keypair(&pair, None, &FAST, false).unwrap();
        let back = kf.read_keypair(None, &FAST).unwrap();
        assert_eq!(back.public(), pair.public());
        assert_eq!(back.phrase(), Some(ABANDON));
        let v: serde_json::Value = serde_json::from_slice(&fs::read(kf.path()).unwrap()).unwrap();
        assert_eq!(
            v["secretSeed"],
            "0x4ed8d4b17698ddeaa1f1559f152f87b5d472f725ca86d341bd0276f1b61197e2"
        );
        assert_eq!(v["ss58Address"], "5EPCUjPxiHAcNooYipQFWr9NmmXJKpNG5RhcntXwbtUySrgH");
        assert_eq!(v["cryptoType"], 1);
        let mode = fs::metadata(kf.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dmode = fs::metadata(dir.path().join("sub")).unwrap().permissions().mode() & 0o777;
        assert_eq!(dmode, 0o700);

        let pubf = Keyfile::new(dir.path().join("hkpub.txt"));
        pubf.write_public(&pair.public(), false).unwrap();
        assert_eq!(
            fs::read_to_string(pubf.path()).unwrap(),
            "{\"accountId\":\"0x66933bd1f37070ef87bd1198af3dacceb095237f803f3d32b173e6b425ed7972\",\
             \"publicKey\":\"0x66933bd1f37070ef87bd1198af3dacceb095237f803f3d32b173e6b425ed7972\",\
             \"ss58Address\":\"5EPCUjPxiHAcNooYipQFWr9NmmXJKpNG5RhcntXwbtUySrgH\",\"cryptoType\":1}"
        );
        assert_eq!(pubf.read_public().unwrap(), pair.public());
        assert!(matches!(
            pubf.write_public(&pair.public(), false),
            Err(Error::AlreadyExists { .. })
        ));
        pubf.write_public(&pair.public(), true).unwrap();
    }

    #[test]
    fn reads_python_files_in_any_field_order() {
        let dir = tempfile::tempdir().unwrap();
        // Exactly as bittensor-wallet 4.1.1 wrote a hotkey from `//Alice` (no phrase, no seed).
        let py = "{\"ss58Address\":\"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\",\
                  \"privateKey\":\"0x33a6f3093f158a7109f679410bef1a0c54168145e0cecb4df006c1c2fffb1f09\
                  925a225d97aa00682d6a59b95b18780c10d7032336e88f3442b42361f4a66011\",\"cryptoType\":1,\
                  \"accountId\":\"0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d\",\
                  \"publicKey\":\"0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d\"}";
        let path = dir.path().join("alice");
        fs::write(&path, py).unwrap();
        let pair = Keyfile::new(&path).read_keypair(None, &FAST).unwrap();
        assert_eq!(pair.ss58_address(), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
        assert!(pair.phrase().is_none());
        // What we write back for it has the same fields.
        let ours: serde_json::Value = serde_json::from_str(&keypair_json(&pair)).unwrap();
        let theirs: serde_json::Value = serde_json::from_str(py).unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn encrypted_round_trip_and_wrong_password_message() {
        let dir = tempfile::tempdir().unwrap();
        let pair = Keypair::generate(12).unwrap();
        let kf = Keyfile::new(dir.path().join("coldkey"));
        kf.write_keypair(&pair, Some("correct horse"), &FAST, false).unwrap();
        let raw = fs::read(kf.path()).unwrap();
        assert!(raw.starts_with(b"$NACL"));
        assert_eq!(kf.encryption().unwrap(), Encryption::Nacl);
        assert!(!String::from_utf8_lossy(&raw).contains(pair.phrase().unwrap()));
        assert_eq!(kf.read_keypair(Some("correct horse"), &FAST).unwrap().public(), pair.public());
        let err = kf.read_keypair(Some("wrong"), &FAST).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "wrong password for {}: the keyfile could not be decrypted; check the password \
                 (or TAOPLEX_WALLET_PASSWORD) and try again",
                kf.path().display()
            )
        );
        assert!(matches!(kf.read_keypair(None, &FAST), Err(Error::PasswordRequired { .. })));
        assert!(matches!(kf.read_public(), Err(Error::PasswordRequired { .. })));
    }

    #[test]
    fn corrupt_keyfile_message_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("coldkey");
        let kf = Keyfile::new(&path);
        for (content, reason) in [
            (&b"{\"publicKey\": \"0x"[..], "not keyfile json: json is truncated"),
            (b"hello", "not keyfile json: invalid json"),
            (b"{\"publicKey\": 12}", "not keyfile json: unexpected field types"),
            (b"$NACL123", "encrypted keyfile is truncated"),
            (b"{\"privateKey\":\"0x1234\"}", "bad privateKey"),
            (
                b"{\"ss58Address\":\"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\"}",
                "it holds no private key (is it a public keyfile?)",
            ),
        ] {
            fs::write(&path, content).unwrap();
            let err = kf.read_keypair(Some("pw"), &FAST).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "{} is corrupt or not a bittensor keyfile ({reason}); restore it from a \
                     backup or regenerate the key from its mnemonic",
                    path.display()
                )
            );
        }
        // A secret that does not match the stated public key.
        let alice = Keypair::from_uri("//Alice").unwrap();
        let bob = Keypair::from_uri("//Bob").unwrap();
        let mixed = keypair_json(&alice)
            .replace(&alice.public().to_hex(), &bob.public().to_hex())
            .replace(&alice.ss58_address(), &bob.ss58_address());
        fs::write(&path, mixed.as_bytes()).unwrap();
        assert!(kf.read_keypair(None, &FAST).unwrap_err().to_string().contains("does not match"));
        let half = keypair_json(&alice).replace(&alice.ss58_address(), &bob.ss58_address());
        fs::write(&path, half.as_bytes()).unwrap();
        assert!(kf.read_keypair(None, &FAST).unwrap_err().to_string().contains("disagrees"));
        fs::write(&path, b"{\"cryptoType\":0,\"privateKey\":\"0x00\"}").unwrap();
        assert!(matches!(
            kf.read_keypair(None, &FAST),
            Err(Error::UnsupportedCryptoType { crypto_type: 0, .. })
        ));
    }

    #[test]
    fn legacy_formats_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("coldkey");
        fs::write(&path, b"$ANSIBLE_VAULT;1.1;AES256\n3033").unwrap();
        let err = Keyfile::new(&path).read_keypair(Some("x"), &FAST).unwrap_err();
        assert!(matches!(err, Error::LegacyKeyfile { format: LegacyFormat::AnsibleVault, .. }));
        assert!(err.to_string().contains("ansible vault"), "{err}");
        fs::write(&path, b"gAAAAABlegacyfernet").unwrap();
        let err = Keyfile::new(&path).read_keypair(Some("x"), &FAST).unwrap_err();
        assert!(matches!(err, Error::LegacyKeyfile { format: LegacyFormat::Fernet, .. }));
    }

    /// The one unit test with the real (slow, 512 MiB) parameters: decrypt a file Python wrote.
    #[test]
    fn decrypts_python_coldkey_with_real_kdf() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("coldkey");
        fs::write(&path, hex::decode(PY_COLDKEY.trim()).unwrap()).unwrap();
        let pair =
            Keyfile::new(&path).read_keypair(Some("hunter22"), &KdfParams::default()).unwrap();
        assert_eq!(pair.ss58_address(), "5EPCUjPxiHAcNooYipQFWr9NmmXJKpNG5RhcntXwbtUySrgH");
        assert_eq!(pair.phrase(), Some(ABANDON));
    }
}
