//! Fuzzing keyfile parsing (`Keyfile::read_public`/`read_keypair`): arbitrary bytes, mutations
//! of valid JSON and `$NACL` files, and key fields of the wrong size. See `docs/fuzzing.md`.

use keys::keyfile::{Encryption, KdfParams, Keyfile, keypair_json, public_json};
use keys::{Error, Keypair};
use proptest::prelude::*;
use test_support::fuzz::{bytes, config, mutated};

/// Tiny Argon2 parameters: the fuzzer needs thousands of decryptions, not a real wallet's cost.
const KDF: KdfParams = KdfParams { memory_kib: 8, iterations: 1, parallelism: 1 };
const PASSWORD: &str = "fuzz-password";
const SEED: &str = "0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

struct Fixture {
    pair: Keypair,
    /// Plain private JSON, public JSON, and the same private JSON under `$NACL`.
    plain: Vec<u8>,
    public: Vec<u8>,
    encrypted: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static F: std::sync::OnceLock<Fixture> = std::sync::OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let pair = Keypair::from_seed_hex(SEED).unwrap();
        let file = Keyfile::new(dir.path().join("coldkey"));
        file.write_keypair(&pair, Some(PASSWORD), &KDF, true).unwrap();
        Fixture {
            plain: keypair_json(&pair).as_bytes().to_vec(),
            public: public_json(&pair.public()).into_bytes(),
            encrypted: std::fs::read(file.path()).unwrap(),
            pair,
        }
    })
}

/// Reads `data` as a keyfile every way: never a panic; accepted keys re-validate; errors are the
/// documented variants and never quote a secret.
fn check(data: &[u8]) -> Result<(), TestCaseError> {
    thread_local! {
        static DIR: tempfile::TempDir = tempfile::tempdir().unwrap();
    }
    static CASE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    // New names for every case: on ext4, rewriting a truncated file (or renaming over one)
    // forces a flush to disk, which made each case wait milliseconds on the disk.
    let n = CASE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = DIR.with(|d| d.path().to_path_buf());
    let file = Keyfile::new(dir.join(format!("key-{n}")));
    std::fs::write(file.path(), data).unwrap();
    let result = check_file(&file, &dir, n, data);
    let _ = std::fs::remove_file(file.path());
    let _ = std::fs::remove_file(dir.join(format!("again-{n}")));
    let _ = std::fs::remove_file(dir.join(format!("public-{n}")));
    result
}

fn check_file(
    file: &Keyfile,
    dir: &std::path::Path,
    n: u64,
    data: &[u8],
) -> Result<(), TestCaseError> {
    let encryption = Encryption::detect(data);
    let no_secret = |e: &Error| {
        let text = e.to_string();
        !text.contains(PASSWORD) && !text.contains(&SEED[2..]) && !text.contains("privateKey\":")
    };
    match file.read_public() {
        Ok(public) => {
            prop_assert_eq!(encryption, Encryption::None);
            // A stated public key re-validates through the public file format.
            let public_file = Keyfile::new(dir.join(format!("public-{n}")));
            std::fs::write(public_file.path(), public_json(&public)).unwrap();
            prop_assert_eq!(public_file.read_public().ok(), Some(public));
        }
        Err(e) => {
            prop_assert!(no_secret(&e), "{}", e);
            if encryption == Encryption::Nacl {
                prop_assert!(matches!(e, Error::PasswordRequired { .. }), "{}", e);
            } else {
                prop_assert!(
                    matches!(
                        e,
                        Error::CorruptKeyfile { .. }
                            | Error::UnsupportedCryptoType { .. }
                            | Error::LegacyKeyfile { .. }
                    ),
                    "{}",
                    e
                );
            }
        }
    }
    for password in [None, Some(PASSWORD)] {
        match file.read_keypair(password, &KDF) {
            Ok(pair) => {
                // An accepted key pair writes and reads back as itself.
                let again = Keyfile::new(dir.join(format!("again-{n}")));
                again.write_keypair(&pair, None, &KDF, false).unwrap();
                let reread = again.read_keypair(None, &KDF).unwrap().public();
                std::fs::remove_file(again.path()).unwrap();
                prop_assert_eq!(reread, pair.public());
                if encryption == Encryption::Nacl {
                    prop_assert_eq!(
                        pair.public(),
                        fixture().pair.public(),
                        "a forged $NACL file opened"
                    );
                }
            }
            Err(e) => {
                prop_assert!(no_secret(&e), "{}", e);
                prop_assert!(
                    matches!(
                        e,
                        Error::CorruptKeyfile { .. }
                            | Error::UnsupportedCryptoType { .. }
                            | Error::LegacyKeyfile { .. }
                            | Error::PasswordRequired { .. }
                            | Error::WrongPassword { .. }
                    ),
                    "{}",
                    e
                );
            }
        }
    }
    Ok(())
}

fn valid_files() -> Vec<Vec<u8>> {
    let f = fixture();
    vec![f.plain.clone(), f.public.clone(), f.encrypted.clone()]
}

/// A key field holding hex of any length (the right ones are 32 and 64 bytes).
fn sized_field() -> impl Strategy<Value = Vec<u8>> {
    let fields = proptest::sample::select(vec![
        "publicKey",
        "accountId",
        "privateKey",
        "secretSeed",
        "ss58Address",
    ]);
    (fields, bytes(80), any::<bool>()).prop_map(|(field, key, prefixed)| {
        let hex = format!("{}{}", if prefixed { "0x" } else { "" }, hex_of(&key));
        format!("{{\"{field}\":\"{hex}\",\"cryptoType\":1}}").into_bytes()
    })
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_keyfile_arbitrary_bytes(data in bytes(256)) {
        check(&data)?;
    }

    #[test]
    fn fuzz_keyfile_mutated_files(data in mutated(valid_files())) {
        check(&data)?;
    }

    #[test]
    fn fuzz_keyfile_wrong_sizes(data in sized_field()) {
        check(&data)?;
    }
}

#[test]
fn valid_fixture_files_are_accepted() {
    // The seeds of the mutations are themselves accepted (else the mutations start from junk).
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let file = Keyfile::new(dir.path().join("key"));
    for (data, password) in [(&f.plain, None), (&f.encrypted, Some(PASSWORD))] {
        std::fs::write(file.path(), data).unwrap();
        assert_eq!(file.read_keypair(password, &KDF).unwrap().public(), f.pair.public());
    }
    std::fs::write(file.path(), &f.public).unwrap();
    assert_eq!(file.read_public().unwrap(), f.pair.public());
}
