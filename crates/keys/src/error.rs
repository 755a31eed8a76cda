//! The one error type of this crate.

use std::fmt;
use std::path::{Path, PathBuf};

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong with keys, keyfiles and wallets.
///
/// Messages are lower-case, name the file or value at fault and say what to do. No variant ever
/// holds a secret (password, mnemonic, seed or private key).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The password did not decrypt the keyfile.
    #[error(
        "wrong password for {path}: the keyfile could not be decrypted; check the password (or \
         TAOPLEX_WALLET_PASSWORD) and try again"
    )]
    WrongPassword {
        /// The encrypted keyfile.
        path: PathBuf,
    },
    /// The keyfile is encrypted and no password was given.
    #[error("{path} is encrypted: give its password to open it")]
    PasswordRequired {
        /// The encrypted keyfile.
        path: PathBuf,
    },
    /// The file is not a Bittensor keyfile (truncated, edited or something else entirely).
    #[error(
        "{path} is corrupt or not a bittensor keyfile ({reason}); restore it from a backup or \
         regenerate the key from its mnemonic"
    )]
    CorruptKeyfile {
        /// The file at fault.
        path: PathBuf,
        /// What was wrong with it (never contains secret material).
        reason: String,
    },
    /// The keyfile is in an old encryption format that this crate does not read.
    #[error(
        "{path} uses the legacy {format} encryption, which taoplex does not read; open the wallet \
         once with btcli (which re-encrypts it as $NACL) or regenerate it from its mnemonic"
    )]
    LegacyKeyfile {
        /// The file at fault.
        path: PathBuf,
        /// Which legacy format was detected.
        format: LegacyFormat,
    },
    /// The keyfile holds a key type other than sr25519.
    #[error(
        "{path} holds a key of crypto type {crypto_type}; only sr25519 (cryptoType 1) is supported"
    )]
    UnsupportedCryptoType {
        /// The file at fault.
        path: PathBuf,
        /// The `cryptoType` found.
        crypto_type: u64,
    },
    /// No wallet of that name exists.
    #[error(
        "no wallet named {name:?} in {root}; {}",
        existing_list(
            "existing wallets",
            "create one with `taoplex wallet new-coldkey`",
            existing
        )
    )]
    WalletNotFound {
        /// The wallet name asked for.
        name: String,
        /// The wallets directory searched.
        root: PathBuf,
        /// The wallets that do exist there, sorted.
        existing: Vec<String>,
    },
    /// The wallet exists but the hotkey does not.
    #[error(
        "wallet {wallet:?} has no hotkey {hotkey:?}; {}",
        existing_list("its hotkeys", "create one with `taoplex wallet new-hotkey`", existing)
    )]
    HotkeyNotFound {
        /// The wallet name.
        wallet: String,
        /// The hotkey name asked for.
        hotkey: String,
        /// The hotkeys that do exist, sorted.
        existing: Vec<String>,
    },
    /// A key file already exists and overwriting was not allowed.
    #[error(
        "{path} already exists and was left untouched; pass --overwrite to replace it (the old key \
         is lost unless you have its mnemonic)"
    )]
    AlreadyExists {
        /// The existing file.
        path: PathBuf,
    },
    /// The mnemonic is not a valid BIP39 phrase.
    #[error(
        "invalid mnemonic: {reason}; expected 12, 15, 18, 21 or 24 english bip39 words separated \
         by spaces"
    )]
    BadMnemonic {
        /// Why it was rejected (never the phrase itself).
        reason: String,
    },
    /// An unsupported mnemonic length was requested.
    #[error("a new mnemonic has 12, 15, 18, 21 or 24 words, not {0}")]
    BadWordCount(usize),
    /// The secret URI could not be parsed.
    #[error(
        "invalid secret uri: {reason}; expected `[phrase or 0x seed][//hard][/soft][///password]`, \
         e.g. `//Alice`"
    )]
    BadUri {
        /// Why it was rejected (never the secret part).
        reason: String,
    },
    /// A seed was not 32 bytes of 0x-prefixed hex.
    #[error("invalid seed: {reason}; expected 32 bytes as hex, e.g. 0x4ed8…97e2 (64 hex digits)")]
    BadSeed {
        /// Why it was rejected.
        reason: String,
    },
    /// An SS58 address could not be decoded.
    #[error("invalid ss58 address {address:?}: {kind}")]
    BadSs58 {
        /// The address given.
        address: String,
        /// What was wrong with it.
        kind: Ss58Error,
    },
    /// A public key or signature given as hex was malformed.
    #[error("invalid {what}: {reason}")]
    BadHex {
        /// What the value was meant to be ("public key", "signature").
        what: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// The Argon2 parameters were rejected.
    #[error("invalid key derivation parameters: {0}")]
    Kdf(String),
    /// Encryption of a keyfile failed (should not happen).
    #[error("keyfile encryption failed")]
    Encrypt,
    /// A file-system operation failed.
    #[error("could not {action} {path}: {source}")]
    Io {
        /// What was being done ("read", "write", "create directory").
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Error::Io { action, path: path.to_path_buf(), source }
    }

    pub(crate) fn corrupt(path: &Path, reason: impl Into<String>) -> Self {
        Error::CorruptKeyfile { path: path.to_path_buf(), reason: reason.into() }
    }
}

fn existing_list(label: &str, hint: &str, existing: &[String]) -> String {
    if existing.is_empty() {
        format!("there are none yet: {hint}")
    } else {
        format!("{label}: {}", existing.join(", "))
    }
}

/// Legacy keyfile encryption formats (read by old Bittensor versions only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LegacyFormat {
    /// `$ANSIBLE_VAULT` (bittensor before 6).
    AnsibleVault,
    /// Fernet tokens starting `gAAAAA` (bittensor before 6).
    Fernet,
}

impl fmt::Display for LegacyFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LegacyFormat::AnsibleVault => "ansible vault ($ANSIBLE_VAULT)",
            LegacyFormat::Fernet => "fernet (gAAAAA…)",
        })
    }
}

/// What was wrong with an SS58 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Ss58Error {
    /// Not base58 at all.
    #[error("not base58: check for typos (base58 has no 0, O, I or l)")]
    Base58,
    /// Decoded to the wrong number of bytes.
    #[error("it decodes to {got} bytes, but an account address has 35 or 36; check it is complete")]
    Length {
        /// Bytes decoded.
        got: usize,
    },
    /// The two checksum bytes do not match.
    #[error("bad checksum: a character is wrong; copy the address again")]
    Checksum,
    /// The network prefix is reserved or out of range.
    #[error("network prefix {got} is invalid")]
    InvalidPrefix {
        /// The prefix decoded.
        got: u16,
    },
    /// A valid address for another network.
    #[error("it is for network prefix {got}, expected {expected}; re-encode it for this network")]
    WrongPrefix {
        /// The prefix in the address.
        got: u16,
        /// The prefix required.
        expected: u16,
    },
}
