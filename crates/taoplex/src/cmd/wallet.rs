//! `taoplex wallet`: create, import, list and use Bittensor wallets, offline, in the same files
//! btcli uses (`BT_WALLET_PATH`, default `~/.bittensor/wallets`).
//!
//! Passwords come from `TAOPLEX_WALLET_PASSWORD` or an interactive prompt without echo. The key
//! derivation that protects a coldkey is slow on purpose (Argon2i, 512 MiB): a spinner shows on
//! stderr meanwhile. Secrets are held in zeroizing buffers and printed only once: a new mnemonic,
//! with a warning to write it down.
//!
//! `show` and `transfer` talk to a chain (`--rpc`, default the localnet); see `wallet_online`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use keys::{KdfParams, Keypair, PublicKey, Signature, Wallet};
use zeroize::{Zeroize, Zeroizing};

/// Environment variable holding the wallet password for automation.
const PASSWORD_ENV: &str = "TAOPLEX_WALLET_PASSWORD";

/// `taoplex wallet` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum WalletCommand {
    /// Create a coldkey from a new mnemonic, encrypted with a password.
    NewColdkey {
        #[command(flatten)]
        wallet: WalletArgs,
        #[command(flatten)]
        new: NewKeyArgs,
    },
    /// Create a hotkey from a new mnemonic (stored unencrypted, as btcli does).
    NewHotkey {
        #[command(flatten)]
        wallet: WalletArgs,
        #[command(flatten)]
        hotkey: HotkeyArg,
        #[command(flatten)]
        new: NewKeyArgs,
    },
    /// Restore a coldkey from its mnemonic, seed or secret URI, encrypted with a password.
    RegenColdkey {
        #[command(flatten)]
        wallet: WalletArgs,
        #[command(flatten)]
        source: KeySource,
        /// Replace an existing coldkey (its key is lost unless you have its mnemonic).
        #[arg(long)]
        overwrite: bool,
    },
    /// Restore a hotkey from its mnemonic, seed or secret URI.
    RegenHotkey {
        #[command(flatten)]
        wallet: WalletArgs,
        #[command(flatten)]
        hotkey: HotkeyArg,
        #[command(flatten)]
        source: KeySource,
        /// Replace an existing hotkey (its key is lost unless you have its mnemonic).
        #[arg(long)]
        overwrite: bool,
    },
    /// Addresses, free TAO and stakes (with what they would sell for now), from the chain.
    Show {
        #[command(flatten)]
        wallet: WalletArgs,
        #[command(flatten)]
        chain: super::submit::ChainArgs,
    },
    /// Send free TAO to another coldkey (shows the fee first; asks unless --yes).
    Transfer {
        #[command(flatten)]
        wallet: WalletArgs,
        #[command(flatten)]
        chain: super::submit::ChainArgs,
        /// Recipient coldkey (SS58).
        #[arg(long)]
        dest: String,
        /// TAO to send, e.g. `1.5` or `0.25 TAO`.
        #[arg(long, value_parser = super::args::positive_tao, allow_negative_numbers = true)]
        amount: dtao::units::Tao,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Add or remove a proxy of the coldkey (e.g. the Telegram bot as a `staking` proxy: the
    /// chain then lets it stake, unstake and move stake for you, and refuses any transfer).
    Proxy {
        /// `add` or `remove`.
        action: super::wallet_online::ProxyAction,
        #[command(flatten)]
        wallet: WalletArgs,
        #[command(flatten)]
        chain: super::submit::ChainArgs,
        /// The proxy's account (SS58), e.g. the address the bot shows.
        #[arg(long)]
        delegate: String,
        /// What the proxy may do: `staking` (stake management only), `non-transfer`, `any`.
        #[arg(long = "type", default_value = "staking")]
        proxy_type: super::wallet_online::ProxyKind,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// List wallets and their hotkeys with addresses (reads public files only; no password).
    List {
        /// Directory holding the wallets.
        #[arg(long, env = "BT_WALLET_PATH", default_value = "~/.bittensor/wallets")]
        wallet_path: PathBuf,
    },
    /// Sign a message with the coldkey (or the hotkey with --use-hotkey); prints the signature.
    Sign {
        #[command(flatten)]
        wallet: WalletArgs,
        #[command(flatten)]
        hotkey: HotkeyArg,
        /// Sign with the hotkey instead of the coldkey.
        #[arg(long)]
        use_hotkey: bool,
        /// The message. One starting with 0x is taken as hex bytes (as btcli does); anything
        /// else is signed as its UTF-8 bytes.
        #[arg(long)]
        message: String,
    },
    /// Verify a signature; exits 0 if valid, 1 if not.
    Verify {
        /// The message, read as for `sign` (0x… = hex bytes, else UTF-8).
        #[arg(long)]
        message: String,
        /// The signature: 64 bytes as hex.
        #[arg(long)]
        signature: String,
        /// The signer's SS58 address; without it, the wallet's coldkey (or hotkey with
        /// --use-hotkey) public key is used.
        #[arg(long)]
        address: Option<String>,
        #[command(flatten)]
        wallet: WalletArgs,
        #[command(flatten)]
        hotkey: HotkeyArg,
        /// Verify against the wallet's hotkey instead of its coldkey.
        #[arg(long)]
        use_hotkey: bool,
    },
}

/// Which wallet.
#[derive(Debug, Args)]
pub(crate) struct WalletArgs {
    /// Wallet name.
    #[arg(long, env = "BT_WALLET_NAME", default_value = "default")]
    name: String,
    /// Directory holding the wallets.
    #[arg(long, env = "BT_WALLET_PATH", default_value = "~/.bittensor/wallets")]
    wallet_path: PathBuf,
}

/// Which hotkey.
#[derive(Debug, Args)]
pub(crate) struct HotkeyArg {
    /// Hotkey name.
    #[arg(long, env = "BT_WALLET_HOTKEY", default_value = "default")]
    pub(crate) hotkey: String,
}

/// Options of a newly generated key.
#[derive(Debug, Args)]
pub(crate) struct NewKeyArgs {
    /// Words in the new mnemonic.
    #[arg(long, default_value_t = 12, value_parser = parse_n_words)]
    n_words: usize,
    /// Replace an existing key (its key is lost unless you have its mnemonic).
    #[arg(long)]
    overwrite: bool,
}

/// Where a restored key comes from: exactly one of these. `Debug` redacts the secret.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub(crate) struct KeySource {
    /// The mnemonic, quoted: "word1 word2 …".
    #[arg(long)]
    mnemonic: Option<String>,
    /// The 32-byte seed (secretSeed) as 0x hex.
    #[arg(long)]
    seed: Option<String>,
    /// A secret URI, e.g. //Alice or "<mnemonic>//hard/soft".
    #[arg(long)]
    uri: Option<String>,
}

fn parse_n_words(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if keys::WORD_COUNTS.contains(&n) => Ok(n),
        _ => Err(format!("must be one of {:?}", keys::WORD_COUNTS)),
    }
}

impl WalletArgs {
    pub(crate) fn wallet(&self, hotkey: Option<&HotkeyArg>) -> Wallet {
        let hk = hotkey.map_or(keys::wallet::DEFAULT_NAME, |h| h.hotkey.as_str());
        Wallet::new(&self.wallet_path, self.name.as_str(), hk)
    }
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match (&self.mnemonic, &self.seed, &self.uri) {
            (Some(_), _, _) => "mnemonic",
            (_, Some(_), _) => "seed",
            (_, _, Some(_)) => "uri",
            _ => "none",
        };
        write!(f, "KeySource({kind}: <redacted>)")
    }
}

impl KeySource {
    /// The key pair; the secret text given on the command line is zeroized afterwards.
    fn into_keypair(mut self) -> anyhow::Result<Keypair> {
        let pair = match (&self.mnemonic, &self.seed, &self.uri) {
            (Some(m), _, _) => Keypair::from_phrase(m),
            (_, Some(s), _) => Keypair::from_seed_hex(s),
            (_, _, Some(u)) => Keypair::from_uri(u),
            _ => {
                return Err(anyhow::anyhow!("give one of --mnemonic, --seed or --uri"));
            }
        };
        self.mnemonic.zeroize();
        self.seed.zeroize();
        self.uri.zeroize();
        Ok(pair?)
    }
}

/// Runs a `taoplex wallet` subcommand. Failures print `error: …` and exit 1.
pub(crate) fn run(cmd: WalletCommand) -> ExitCode {
    match execute(cmd) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn execute(cmd: WalletCommand) -> anyhow::Result<ExitCode> {
    let kdf = KdfParams::default();
    match cmd {
        WalletCommand::Show { wallet, chain } => {
            super::wallet_online::block_on(super::wallet_online::show(wallet, chain))?;
        }
        WalletCommand::Transfer { wallet, chain, dest, amount, yes } => {
            super::wallet_online::block_on(super::wallet_online::transfer(
                wallet, chain, dest, amount, yes,
            ))?;
        }
        WalletCommand::Proxy { action, wallet, chain, delegate, proxy_type, yes } => {
            super::wallet_online::block_on(super::wallet_online::proxy(
                action, wallet, chain, delegate, proxy_type, yes,
            ))?;
        }
        WalletCommand::NewColdkey { wallet, new } => {
            let w = wallet.wallet(None);
            w.check_coldkey_absent(new.overwrite)?;
            let password = new_password(&format!("coldkey of wallet {:?}", w.name()))?;
            let pair = Keypair::generate(new.n_words)?;
            with_spinner("encrypting the coldkey (argon2i, 512 MiB; a few seconds)", || {
                w.create_coldkey(&pair, Some(&password), &kdf, new.overwrite)
            })?;
            show_mnemonic(&pair)?;
            out(&format!(
                "created coldkey {} for wallet {:?} in {}",
                pair.ss58_address(),
                w.name(),
                w.dir().display()
            ))?;
        }
        WalletCommand::NewHotkey { wallet, hotkey, new } => {
            let w = wallet.wallet(Some(&hotkey));
            w.check_hotkey_absent(new.overwrite)?;
            let pair = Keypair::generate(new.n_words)?;
            w.create_hotkey(&pair, None, &kdf, new.overwrite)?;
            show_mnemonic(&pair)?;
            out(&format!(
                "created hotkey {:?} {} in wallet {:?}",
                w.hotkey_name(),
                pair.ss58_address(),
                w.name()
            ))?;
        }
        WalletCommand::RegenColdkey { wallet, source, overwrite } => {
            let w = wallet.wallet(None);
            w.check_coldkey_absent(overwrite)?;
            let pair = source.into_keypair()?;
            let password = new_password(&format!("coldkey of wallet {:?}", w.name()))?;
            with_spinner("encrypting the coldkey (argon2i, 512 MiB; a few seconds)", || {
                w.create_coldkey(&pair, Some(&password), &kdf, overwrite)
            })?;
            out(&format!(
                "restored coldkey {} for wallet {:?} in {}",
                pair.ss58_address(),
                w.name(),
                w.dir().display()
            ))?;
        }
        WalletCommand::RegenHotkey { wallet, hotkey, source, overwrite } => {
            let w = wallet.wallet(Some(&hotkey));
            w.check_hotkey_absent(overwrite)?;
            let pair = source.into_keypair()?;
            w.create_hotkey(&pair, None, &kdf, overwrite)?;
            out(&format!(
                "restored hotkey {:?} {} in wallet {:?}",
                w.hotkey_name(),
                pair.ss58_address(),
                w.name()
            ))?;
        }
        WalletCommand::List { wallet_path } => list(&keys::wallet::expand_tilde(&wallet_path))?,
        WalletCommand::Sign { wallet, hotkey, use_hotkey, message } => {
            let w = wallet.wallet(Some(&hotkey));
            let bytes = message_bytes(&message)?;
            let pair = if use_hotkey { open_hotkey(&w, &kdf)? } else { open_coldkey(&w, &kdf)? };
            let sig = pair.sign(&bytes);
            let _ = writeln!(
                std::io::stderr(),
                "signed {} bytes with {} {}",
                bytes.len(),
                if use_hotkey { "hotkey" } else { "coldkey" },
                pair.ss58_address()
            );
            out(&sig.to_hex())?;
        }
        WalletCommand::Verify { message, signature, address, wallet, hotkey, use_hotkey } => {
            let bytes = message_bytes(&message)?;
            let sig = Signature::from_hex(&signature)?;
            let public = match address {
                Some(a) => PublicKey::from_ss58(a.trim())?,
                None => {
                    let w = wallet.wallet(Some(&hotkey));
                    if use_hotkey { w.hotkeypub()? } else { w.coldkeypub()? }
                }
            };
            if public.verify(&bytes, &sig) {
                out(&format!("valid signature by {public}"))?;
            } else {
                // Wallet extensions (polkadot.js) sign `<Bytes>message</Bytes>`; accept that too.
                let mut wrapped = b"<Bytes>".to_vec();
                wrapped.extend_from_slice(&bytes);
                wrapped.extend_from_slice(b"</Bytes>");
                if public.verify(&wrapped, &sig) {
                    out(&format!("valid signature by {public} (of the <Bytes>-wrapped message)"))?;
                } else {
                    let _ = writeln!(
                        std::io::stderr(),
                        "error: invalid signature: it was not made by {public} over this message"
                    );
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The message bytes: `0x…` hex (as btcli's `Keypair.sign` reads strings), else UTF-8.
fn message_bytes(message: &str) -> anyhow::Result<Vec<u8>> {
    match message.strip_prefix("0x") {
        Some(digits) => hex::decode(digits)
            .with_context(|| "the message starts with 0x but is not valid hex".to_owned()),
        None => Ok(message.as_bytes().to_vec()),
    }
}

fn list(root: &std::path::Path) -> anyhow::Result<()> {
    let wallets = keys::list_wallets(root)?;
    if wallets.is_empty() {
        out(&format!(
            "no wallets in {}; create one with `taoplex wallet new-coldkey --name NAME`",
            root.display()
        ))?;
        return Ok(());
    }
    let mut text = format!("wallets in {}:\n", root.display());
    for w in wallets {
        let cold = match &w.coldkey {
            Ok(pk) => pk.to_ss58(),
            Err(e) => format!("? ({e})"),
        };
        text.push_str(&format!("{}  coldkey {cold}\n", w.name));
        for (name, key) in &w.hotkeys {
            let addr = match key {
                Ok(pk) => pk.to_ss58(),
                Err(e) => format!("? ({e})"),
            };
            text.push_str(&format!("  hotkey {name}  {addr}\n"));
        }
    }
    out(text.trim_end())
}

pub(crate) fn open_coldkey(w: &Wallet, kdf: &KdfParams) -> anyhow::Result<Keypair> {
    if !w.coldkey_is_encrypted()? {
        return Ok(w.coldkey(None, kdf)?);
    }
    let password = existing_password(&format!("coldkey of wallet {:?}", w.name()))?;
    Ok(with_spinner("decrypting the coldkey (argon2i, 512 MiB; a few seconds)", || {
        w.coldkey(Some(&password), kdf)
    })?)
}

pub(crate) fn open_hotkey(w: &Wallet, kdf: &KdfParams) -> anyhow::Result<Keypair> {
    match w.hotkey(None, kdf) {
        Err(keys::Error::PasswordRequired { .. }) => {
            let password = existing_password(&format!("hotkey {:?}", w.hotkey_name()))?;
            Ok(with_spinner("decrypting the hotkey", || w.hotkey(Some(&password), kdf))?)
        }
        other => Ok(other?),
    }
}

/// A password for an existing key: `TAOPLEX_WALLET_PASSWORD`, else a prompt.
pub(crate) fn existing_password(what: &str) -> anyhow::Result<Zeroizing<String>> {
    if let Some(pw) = env_password() {
        return Ok(pw);
    }
    prompt(&format!("password for the {what}: "))
}

/// A password for a new key: `TAOPLEX_WALLET_PASSWORD`, else prompted twice.
fn new_password(what: &str) -> anyhow::Result<Zeroizing<String>> {
    if let Some(pw) = env_password() {
        return Ok(pw);
    }
    let first = prompt(&format!("new password for the {what}: "))?;
    if first.is_empty() {
        bail!("the password is empty; choose one (it protects the coldkey on disk)");
    }
    let second = prompt("repeat the password: ")?;
    if *first != *second {
        bail!("the passwords differ; nothing was written, run the command again");
    }
    Ok(first)
}

fn env_password() -> Option<Zeroizing<String>> {
    std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty()).map(Zeroizing::new)
}

fn prompt(text: &str) -> anyhow::Result<Zeroizing<String>> {
    if !std::io::stdin().is_terminal() && !std::io::stderr().is_terminal() {
        bail!("a password is needed but there is no terminal to ask on; set {PASSWORD_ENV}");
    }
    rpassword::prompt_password(text)
        .map(Zeroizing::new)
        .with_context(|| format!("cannot read the password; set {PASSWORD_ENV} instead"))
}

/// Runs a slow step with a spinner on stderr (hidden when stderr is not a terminal).
pub(crate) fn with_spinner<T>(message: &str, f: impl FnOnce() -> T) -> T {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(100));
    let result = f();
    bar.finish_and_clear();
    result
}

fn show_mnemonic(pair: &Keypair) -> anyhow::Result<()> {
    let Some(phrase) = pair.phrase() else { return Ok(()) };
    let mut text = Zeroizing::new(String::new());
    text.push_str(
        "IMPORTANT: write this mnemonic down and keep it offline and private. It is the only way \
         to restore the key, and it will not be shown again.\n\n    ",
    );
    text.push_str(phrase);
    text.push('\n');
    out(&text)
}

/// Prints a line to stdout.
pub(crate) fn out(line: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}").context("cannot write to stdout")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(subcommand)]
        cmd: WalletCommand,
    }

    #[test]
    fn debug_never_shows_the_mnemonic() {
        let cli = Cli::try_parse_from([
            "t",
            "regen-coldkey",
            "--mnemonic",
            "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon \
             abandon about",
        ])
        .unwrap();
        let dbg = format!("{cli:?}");
        assert!(!dbg.contains("abandon"), "{dbg}");
        assert!(dbg.contains("KeySource(mnemonic: <redacted>)"), "{dbg}");
    }

    #[test]
    fn messages_are_hex_or_utf8() {
        assert_eq!(message_bytes("0x6869").unwrap(), b"hi");
        assert_eq!(message_bytes("hi").unwrap(), b"hi");
        assert!(message_bytes("0xzz").is_err());
    }
}
