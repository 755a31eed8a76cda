//! Wallets on disk, laid out as `bittensor-wallet` and btcli lay them out:
//!
//! ```text
//! <path>/<name>/coldkey              encrypted ($NACL) private keyfile
//! <path>/<name>/coldkeypub.txt       public keyfile
//! <path>/<name>/hotkeys/<hotkey>     private keyfile (usually not encrypted)
//! <path>/<name>/hotkeys/<hotkey>pub.txt
//! ```
//!
//! `<path>` is `BT_WALLET_PATH` or `~/.bittensor/wallets`; the name and hotkey default to
//! `BT_WALLET_NAME` / `BT_WALLET_HOTKEY`, else `default`. Files are created 0600, directories 0700.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::keyfile::{KdfParams, Keyfile};
use crate::pair::{Keypair, PublicKey};

/// Default wallet and hotkey name.
pub const DEFAULT_NAME: &str = "default";

/// The wallets directory: `BT_WALLET_PATH` (a leading `~` is expanded), else
/// `~/.bittensor/wallets`.
#[must_use]
pub fn default_wallet_path() -> PathBuf {
    match std::env::var_os("BT_WALLET_PATH") {
        Some(p) if !p.is_empty() => expand_tilde(Path::new(&p)),
        _ => expand_tilde(Path::new("~/.bittensor/wallets")),
    }
}

/// The wallet name: `BT_WALLET_NAME`, else `default`.
#[must_use]
pub fn default_wallet_name() -> String {
    env_or_default("BT_WALLET_NAME")
}

/// The hotkey name: `BT_WALLET_HOTKEY`, else `default`.
#[must_use]
pub fn default_hotkey_name() -> String {
    env_or_default("BT_WALLET_HOTKEY")
}

fn env_or_default(var: &str) -> String {
    std::env::var(var).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| DEFAULT_NAME.to_owned())
}

/// Expands a leading `~` to `$HOME`.
#[must_use]
pub fn expand_tilde(path: &Path) -> PathBuf {
    let Ok(rest) = path.strip_prefix("~") else {
        return path.to_path_buf();
    };
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(rest),
        None => path.to_path_buf(),
    }
}

/// A wallet (a coldkey and its hotkeys), by location and name. Nothing is read until asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wallet {
    root: PathBuf,
    name: String,
    hotkey: String,
}

impl Wallet {
    /// The wallet `name` with hotkey `hotkey` under the wallets directory `root`.
    #[must_use]
    pub fn new(
        root: impl Into<PathBuf>,
        name: impl Into<String>,
        hotkey: impl Into<String>,
    ) -> Self {
        Wallet { root: expand_tilde(&root.into()), name: name.into(), hotkey: hotkey.into() }
    }

    /// The wallet the environment names (`BT_WALLET_PATH`, `BT_WALLET_NAME`, `BT_WALLET_HOTKEY`).
    #[must_use]
    pub fn from_env() -> Self {
        Wallet::new(default_wallet_path(), default_wallet_name(), default_hotkey_name())
    }

    /// The wallets directory.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The wallet name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The hotkey name.
    #[must_use]
    pub fn hotkey_name(&self) -> &str {
        &self.hotkey
    }

    /// `<root>/<name>`.
    #[must_use]
    pub fn dir(&self) -> PathBuf {
        self.root.join(&self.name)
    }

    /// `<root>/<name>/coldkey`.
    #[must_use]
    pub fn coldkey_file(&self) -> Keyfile {
        Keyfile::new(self.dir().join("coldkey"))
    }

    /// `<root>/<name>/coldkeypub.txt`.
    #[must_use]
    pub fn coldkeypub_file(&self) -> Keyfile {
        Keyfile::new(self.dir().join("coldkeypub.txt"))
    }

    /// `<root>/<name>/hotkeys/<hotkey>`.
    #[must_use]
    pub fn hotkey_file(&self) -> Keyfile {
        Keyfile::new(self.dir().join("hotkeys").join(&self.hotkey))
    }

    /// `<root>/<name>/hotkeys/<hotkey>pub.txt`.
    #[must_use]
    pub fn hotkeypub_file(&self) -> Keyfile {
        Keyfile::new(self.dir().join("hotkeys").join(format!("{}pub.txt", self.hotkey)))
    }

    /// Whether the wallet has a coldkey (private or public file).
    #[must_use]
    pub fn exists(&self) -> bool {
        self.coldkey_file().exists() || self.coldkeypub_file().exists()
    }

    /// Checks that creating the coldkey would replace nothing (or that `overwrite` allows it),
    /// so a caller can refuse before asking for a password or generating a key.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] naming the existing file.
    pub fn check_coldkey_absent(&self, overwrite: bool) -> Result<()> {
        self.coldkey_file().check_overwrite(overwrite)?;
        self.coldkeypub_file().check_overwrite(overwrite)
    }

    /// As [`Wallet::check_coldkey_absent`], for the hotkey.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] naming the existing file.
    pub fn check_hotkey_absent(&self, overwrite: bool) -> Result<()> {
        self.hotkey_file().check_overwrite(overwrite)?;
        self.hotkeypub_file().check_overwrite(overwrite)
    }

    /// Writes the coldkey (encrypted when `password` is given) and `coldkeypub.txt`.
    ///
    /// Both files are checked before either is written, so a refused overwrite changes nothing.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] unless `overwrite`; [`Error::Io`]; [`Error::Kdf`].
    pub fn create_coldkey(
        &self,
        pair: &Keypair,
        password: Option<&str>,
        kdf: &KdfParams,
        overwrite: bool,
    ) -> Result<()> {
        self.check_coldkey_absent(overwrite)?;
        let (private, public) = (self.coldkey_file(), self.coldkeypub_file());
        private.write_keypair(pair, password, kdf, true)?;
        public.write_public(&pair.public(), true)
    }

    /// Writes the hotkey (encrypted when `password` is given) and its `pub.txt`.
    ///
    /// # Errors
    /// As [`Wallet::create_coldkey`].
    pub fn create_hotkey(
        &self,
        pair: &Keypair,
        password: Option<&str>,
        kdf: &KdfParams,
        overwrite: bool,
    ) -> Result<()> {
        self.check_hotkey_absent(overwrite)?;
        let (private, public) = (self.hotkey_file(), self.hotkeypub_file());
        private.write_keypair(pair, password, kdf, true)?;
        public.write_public(&pair.public(), true)
    }

    fn require_wallet(&self) -> Result<()> {
        if self.exists() {
            return Ok(());
        }
        Err(Error::WalletNotFound {
            name: self.name.clone(),
            root: self.root.clone(),
            existing: wallet_names(&self.root)?,
        })
    }

    fn require_hotkey(&self) -> Result<()> {
        self.require_wallet()?;
        if self.hotkey_file().exists() || self.hotkeypub_file().exists() {
            return Ok(());
        }
        Err(Error::HotkeyNotFound {
            wallet: self.name.clone(),
            hotkey: self.hotkey.clone(),
            existing: self.hotkey_names()?,
        })
    }

    /// Whether the coldkey file is encrypted (so a password is needed to open it).
    ///
    /// # Errors
    /// [`Error::WalletNotFound`]; [`Error::Io`].
    pub fn coldkey_is_encrypted(&self) -> Result<bool> {
        self.require_wallet()?;
        Ok(self.coldkey_file().encryption()? != crate::keyfile::Encryption::None)
    }

    /// Opens the coldkey; `password` is needed when it is encrypted (it always is from btcli).
    ///
    /// # Errors
    /// [`Error::WalletNotFound`] (listing the wallets that exist), [`Error::WrongPassword`],
    /// [`Error::CorruptKeyfile`] and the other [`Keyfile::read_keypair`] errors.
    pub fn coldkey(&self, password: Option<&str>, kdf: &KdfParams) -> Result<Keypair> {
        self.require_wallet()?;
        self.coldkey_file().read_keypair(password, kdf)
    }

    /// The coldkey's public key from `coldkeypub.txt` (no password needed).
    ///
    /// # Errors
    /// [`Error::WalletNotFound`]; [`Error::CorruptKeyfile`]; [`Error::Io`].
    pub fn coldkeypub(&self) -> Result<PublicKey> {
        self.require_wallet()?;
        self.coldkeypub_file().read_public()
    }

    /// Opens the hotkey; `password` only if it was encrypted.
    ///
    /// # Errors
    /// [`Error::WalletNotFound`], [`Error::HotkeyNotFound`] (listing the hotkeys that exist) and
    /// the [`Keyfile::read_keypair`] errors.
    pub fn hotkey(&self, password: Option<&str>, kdf: &KdfParams) -> Result<Keypair> {
        self.require_hotkey()?;
        self.hotkey_file().read_keypair(password, kdf)
    }

    /// The hotkey's public key, from `<hotkey>pub.txt`, else from an unencrypted hotkey file.
    ///
    /// # Errors
    /// [`Error::WalletNotFound`]; [`Error::HotkeyNotFound`]; [`Error::CorruptKeyfile`].
    pub fn hotkeypub(&self) -> Result<PublicKey> {
        self.require_hotkey()?;
        let public = self.hotkeypub_file();
        if public.exists() { public.read_public() } else { self.hotkey_file().read_public() }
    }

    /// The names of this wallet's hotkeys, sorted.
    ///
    /// # Errors
    /// [`Error::Io`] when the hotkeys directory exists but cannot be read.
    pub fn hotkey_names(&self) -> Result<Vec<String>> {
        let dir = self.dir().join("hotkeys");
        let mut names = Vec::new();
        for name in dir_entries(&dir, false)? {
            let name = name.strip_suffix("pub.txt").map_or(name.clone(), str::to_owned);
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }
}

/// Names in `dir` (sorted, hidden ones skipped): directories when `dirs`, else files.
fn dir_entries(dir: &Path, dirs: bool) -> Result<Vec<String>> {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("read directory", dir, e)),
    };
    let mut out = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| Error::io("read directory", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || entry.path().is_dir() != dirs {
            continue;
        }
        out.push(name);
    }
    out.sort();
    Ok(out)
}

/// The names of the wallets under `root` (directories holding a coldkey or coldkeypub), sorted.
///
/// # Errors
/// [`Error::Io`] when `root` exists but cannot be read.
pub fn wallet_names(root: &Path) -> Result<Vec<String>> {
    Ok(dir_entries(root, true)?
        .into_iter()
        .filter(|n| Wallet::new(root, n.as_str(), DEFAULT_NAME).exists())
        .collect())
}

/// One wallet as `list` shows it, from public files only.
#[derive(Debug)]
pub struct WalletSummary {
    /// The wallet name.
    pub name: String,
    /// The coldkey's public key, or why it could not be read.
    pub coldkey: Result<PublicKey>,
    /// Each hotkey's name and public key (or why it could not be read).
    pub hotkeys: Vec<(String, Result<PublicKey>)>,
}

/// Every wallet under `root` with its coldkey and hotkey addresses, reading only public files
/// (and unencrypted hotkeys that lack a `pub.txt`). Never asks for a password.
///
/// # Errors
/// [`Error::Io`] when `root` exists but cannot be read.
pub fn list_wallets(root: &Path) -> Result<Vec<WalletSummary>> {
    let mut out = Vec::new();
    for name in wallet_names(root)? {
        let w = Wallet::new(root, name.as_str(), DEFAULT_NAME);
        let coldkey = w.coldkeypub();
        let mut hotkeys = Vec::new();
        for hk in w.hotkey_names()? {
            let key = Wallet::new(root, name.as_str(), hk.as_str()).hotkeypub();
            hotkeys.push((hk, key));
        }
        out.push(WalletSummary { name, coldkey, hotkeys });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyfile::tests::FAST;

    #[test]
    fn layout_and_round_trip() {
        let root = tempfile::tempdir().unwrap();
        let w = Wallet::new(root.path(), "alice", "miner1");
        let cold = Keypair::generate(12).unwrap();
        let hot = Keypair::from_uri("//Alice").unwrap();
        w.create_coldkey(&cold, Some("pw"), &FAST, false).unwrap();
        w.create_hotkey(&hot, None, &FAST, false).unwrap();
        for f in ["coldkey", "coldkeypub.txt", "hotkeys/miner1", "hotkeys/miner1pub.txt"] {
            assert!(root.path().join("alice").join(f).is_file(), "{f}");
        }
        assert_eq!(w.coldkeypub().unwrap(), cold.public());
        assert_eq!(w.coldkey(Some("pw"), &FAST).unwrap().public(), cold.public());
        assert!(w.coldkey_is_encrypted().unwrap());
        assert_eq!(w.hotkey(None, &FAST).unwrap().public(), hot.public());
        assert_eq!(w.hotkeypub().unwrap(), hot.public());
        assert_eq!(w.hotkey_names().unwrap(), vec!["miner1".to_owned()]);

        let list = list_wallets(root.path()).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].name, "alice");
        assert_eq!(*list[0].coldkey.as_ref().unwrap(), cold.public());
        assert_eq!(list[0].hotkeys[0].0, "miner1");
    }

    #[test]
    fn never_overwrites_without_flag() {
        let root = tempfile::tempdir().unwrap();
        let w = Wallet::new(root.path(), "w", "default");
        let first = Keypair::generate(12).unwrap();
        w.create_coldkey(&first, Some("pw"), &FAST, false).unwrap();
        let before = fs::read(w.coldkey_file().path()).unwrap();
        // Only the pub file left: still refused, and nothing is written.
        fs::remove_file(w.coldkey_file().path()).unwrap();
        let err = w.create_coldkey(&Keypair::generate(12).unwrap(), Some("pw"), &FAST, false);
        let err = err.unwrap_err();
        assert!(matches!(err, Error::AlreadyExists { .. }));
        assert!(err.to_string().contains("pass --overwrite"), "{err}");
        assert!(!w.coldkey_file().exists());
        fs::write(w.coldkey_file().path(), &before).unwrap();
        let second = Keypair::generate(12).unwrap();
        w.create_coldkey(&second, Some("pw"), &FAST, true).unwrap();
        assert_eq!(w.coldkeypub().unwrap(), second.public());
    }

    #[test]
    fn missing_wallet_message_lists_existing() {
        let root = tempfile::tempdir().unwrap();
        let err = Wallet::new(root.path(), "nope", "default").coldkeypub().unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "no wallet named \"nope\" in {}; there are none yet: create one with `taoplex \
                 wallet new-coldkey`",
                root.path().display()
            )
        );
        for name in ["b", "a"] {
            Wallet::new(root.path(), name, "default")
                .create_coldkey(&Keypair::generate(12).unwrap(), None, &FAST, false)
                .unwrap();
        }
        fs::create_dir(root.path().join("not-a-wallet")).unwrap();
        let err = Wallet::new(root.path(), "nope", "default").coldkey(None, &FAST).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "no wallet named \"nope\" in {}; existing wallets: a, b",
                root.path().display()
            )
        );
        let err = Wallet::new(root.path(), "a", "hk").hotkey(None, &FAST).unwrap_err();
        assert_eq!(
            err.to_string(),
            "wallet \"a\" has no hotkey \"hk\"; there are none yet: create one with `taoplex \
             wallet new-hotkey`"
        );
    }

    #[test]
    fn tilde_expansion() {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        if let Some(home) = home {
            assert_eq!(expand_tilde(Path::new("~/x")), home.join("x"));
        }
        assert_eq!(expand_tilde(Path::new("/abs")), PathBuf::from("/abs"));
    }
}
