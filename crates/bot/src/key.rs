//! The bot's proxy key: its only key, an sr25519 keypair in a `$NACL` keyfile encrypted with a
//! password (the `keys` crate writes it 0600). Created on first start.

use std::path::Path;

use keys::{KdfParams, Keyfile, Keypair};

use crate::error::{BotError, Result};

/// Loads the key at `path`, creating it (12 new words) if the file does not exist.
pub fn load_or_create(path: &Path, password: &str, kdf: &KdfParams) -> Result<Keypair> {
    let err = |source| BotError::Key { path: path.display().to_string(), source };
    let file = Keyfile::new(path);
    if file.exists() {
        return file.read_keypair(Some(password), kdf).map_err(err);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| {
            err(keys::Error::Io { action: "create directory", path: dir.to_path_buf(), source })
        })?;
    }
    let pair = Keypair::generate(12).map_err(err)?;
    file.write_keypair(&pair, Some(password), kdf, false).map_err(err)?;
    Ok(pair)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_once_then_loads_the_same_key_encrypted_and_private() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let path = dir.path().join("bot").join("proxy-key");
        let kdf = KdfParams { memory_kib: 64, iterations: 1, parallelism: 1 };
        let a = load_or_create(&path, "pw", &kdf).unwrap_or_else(|e| panic!("{e}"));
        let b = load_or_create(&path, "pw", &kdf).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.public(), b.public());
        assert!(load_or_create(&path, "wrong", &kdf).is_err());
        let bytes = std::fs::read(&path).unwrap_or_default();
        assert!(bytes.starts_with(b"$NACL"), "encrypted at rest");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode =
                std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
            assert_eq!(mode, 0o600);
        }
    }
}
