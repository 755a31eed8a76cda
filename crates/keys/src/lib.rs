//! Bittensor-compatible keys and wallets: BIP39 mnemonics, sr25519 key pairs, secret URIs
//! (`//Alice`), SS58 addresses, signatures, and the `$NACL` keyfiles and wallet layout of
//! `bittensor-wallet` 4.1.1 (btcli), byte for byte.
//!
//! Pure and synchronous: no async, no printing, no logging. The only slow call is the keyfile
//! key derivation (Argon2i, about 6 s and 512 MiB with [`KdfParams::default`]); async callers
//! should run it on a blocking thread.
//!
//! # Principal types
//! - [`Keypair`]: an sr25519 pair made [from a mnemonic](Keypair::from_phrase), a
//!   [seed](Keypair::from_seed_hex) or a [secret URI](Keypair::from_uri); [signs](Keypair::sign).
//! - [`PublicKey`]: 32 bytes; [SS58](PublicKey::to_ss58) (prefix 42, others via [`ss58`]);
//!   [verifies](PublicKey::verify). [`Signature`]: 64 bytes.
//! - [`Keyfile`]: one JSON keyfile, plain or `$NACL`-encrypted; [`KdfParams`] sets the Argon2i cost.
//! - [`Wallet`]: `<path>/<name>/{coldkey, coldkeypub.txt, hotkeys/<hotkey>[pub.txt]}`;
//!   [`list_wallets`] reads public files only.
//! - [`Error`]: every failure, with a message that says what to do.
//!
//! # Example
//! ```
//! use keys::{Keypair, PublicKey};
//!
//! let alice = Keypair::from_uri("//Alice")?;
//! assert_eq!(alice.ss58_address(), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
//! let sig = alice.sign(b"hello");
//! let public = PublicKey::from_ss58("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")?;
//! assert!(public.verify(b"hello", &sig));
//! # Ok::<(), keys::Error>(())
//! ```
//!
//! # Design decisions
//! - schnorrkel, bip39, argon2 and crypto_secretbox directly rather than sp-core or subxt-signer:
//!   far fewer dependencies, and every format detail is visible here.
//! - Secrets (phrases, seeds, secret keys, decrypted JSON) live in `Zeroizing` buffers or in
//!   schnorrkel types that zeroize on drop; `Debug` of anything secret prints `<redacted>`;
//!   error messages never quote secret material or file contents.
//! - Writes are atomic (temporary file, fsync, rename) and a refused overwrite writes nothing.
//! - Legacy `$ANSIBLE_VAULT` and Fernet keyfiles are detected and refused with
//!   [`Error::LegacyKeyfile`]; only `$NACL` (bittensor ≥ 6) is decrypted.
//!
//! ## Feature flags
//! None.
#![deny(missing_docs)]

mod error;
pub mod keyfile;
mod pair;
pub mod ss58;
pub mod uri;
pub mod wallet;

pub use error::{Error, LegacyFormat, Result, Ss58Error};
pub use keyfile::{Encryption, KdfParams, Keyfile};
pub use pair::{
    Keypair, PublicKey, SIGNING_CONTEXT, Signature, VerifyingKeys, WORD_COUNTS, generate_mnemonic,
    mini_secret_from_phrase, verify_all,
};
pub use uri::{DEV_PHRASE, SecretUri};
pub use wallet::{Wallet, WalletSummary, list_wallets};
