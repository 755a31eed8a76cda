//! The wallet commands that need a chain: `wallet show`, `wallet transfer`, `wallet proxy`.

use anyhow::Context;
use chain::{AccountId, Call, Side};
use dtao::units::{Alpha, Tao};
use keys::KdfParams;

use super::submit::{ChainArgs, confirm, sign_and_watch};
use super::wallet::{WalletArgs, open_coldkey, out};

/// Runs an async wallet command on a small runtime.
pub(crate) fn block_on<T>(f: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(f)
}

/// `wallet show`: addresses, balance, stakes and their exit value.
pub(crate) async fn show(wallet: WalletArgs, chain: ChainArgs) -> anyhow::Result<()> {
    let w = wallet.wallet(None);
    let coldkey = AccountId::from(w.coldkeypub()?);
    let chain = chain.connect().await?;
    let account = chain.account(coldkey).await?;
    out(&format!("wallet {:?}\n  coldkey     {coldkey}", w.name()))?;
    for name in w.hotkey_names()? {
        let hk = wallet.wallet(Some(&super::wallet::HotkeyArg { hotkey: name.clone() }));
        if let Ok(public) = hk.hotkeypub() {
            out(&format!("  hotkey      {name}  {public}"))?;
        }
    }
    out(&format!("  free        {}", Tao::from_rao(account.free)))?;
    let mut total = 0u64;
    for stake in chain.stakes(coldkey).await? {
        let value = chain.quote(stake.netuid, Side::Sell, stake.alpha).await.map(|q| q.amount_out);
        total = total.saturating_add(*value.as_ref().unwrap_or(&0));
        out(&format!(
            "  stake       subnet {:>3}  {}  on {}  worth {}",
            stake.netuid,
            Alpha::from_rao(stake.alpha),
            stake.hotkey,
            value.map_or_else(|_| "—".to_string(), |v| Tao::from_rao(v).to_string())
        ))?;
    }
    out(&format!(
        "  total       {} (free + stakes at their exit value)",
        Tao::from_rao(account.free.saturating_add(total))
    ))
}

/// `wallet transfer`: send free TAO.
pub(crate) async fn transfer(
    wallet: WalletArgs,
    chain: ChainArgs,
    dest: String,
    amount: Tao,
    yes: bool,
) -> anyhow::Result<()> {
    let dest: AccountId =
        dest.parse().with_context(|| format!("{dest:?} is not an SS58 address"))?;
    let w = wallet.wallet(None);
    let from = AccountId::from(w.coldkeypub()?);
    let chain = chain.connect_signing().await?;
    let call = Call::Transfer { dest, amount };
    let fee = chain.estimate_fee(from, call.clone()).await?;
    let free = chain.account(from).await?.free;
    out(&format!("send {amount} from {from} to {dest}"))?;
    out(&format!(
        "  transaction fee {}; free balance {}",
        Tao::from_rao(fee),
        Tao::from_rao(free)
    ))?;
    confirm(yes)?;
    let pair = tokio::task::block_in_place(|| open_coldkey(&w, &KdfParams::default()))?;
    let inclusion = sign_and_watch(&chain, &pair, call).await?;
    if let Err(e) = inclusion.result {
        anyhow::bail!("the chain refused the transfer: {e}");
    }
    out(&format!("sent {amount} to {dest}"))
}

/// `wallet proxy add|remove`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum ProxyAction {
    /// Add the proxy.
    Add,
    /// Remove the proxy.
    Remove,
}

/// A proxy type on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum ProxyKind {
    /// Stake, unstake, move and swap stake; never transfer.
    Staking,
    /// Nothing that moves funds.
    NonTransfer,
    /// Anything.
    Any,
}

/// `wallet proxy`: add or remove a proxy of the wallet's coldkey.
pub(crate) async fn proxy(
    action: ProxyAction,
    wallet: WalletArgs,
    chain: ChainArgs,
    delegate: String,
    kind: ProxyKind,
    yes: bool,
) -> anyhow::Result<()> {
    let delegate: AccountId =
        delegate.parse().with_context(|| format!("{delegate:?} is not an SS58 address"))?;
    let proxy_type = match kind {
        ProxyKind::Staking => chain::ProxyType::Staking,
        ProxyKind::NonTransfer => chain::ProxyType::NonTransfer,
        ProxyKind::Any => chain::ProxyType::Any,
    };
    let call = match action {
        ProxyAction::Add => Call::AddProxy { delegate, proxy_type },
        ProxyAction::Remove => Call::RemoveProxy { delegate, proxy_type },
    };
    let w = wallet.wallet(None);
    let chain = chain.connect_signing().await?;
    out(&call.describe())?;
    confirm(yes)?;
    let pair = tokio::task::block_in_place(|| open_coldkey(&w, &KdfParams::default()))?;
    let inclusion = sign_and_watch(&chain, &pair, call).await?;
    if let Err(e) = inclusion.result {
        anyhow::bail!("the chain refused: {e}");
    }
    out("done")
}
