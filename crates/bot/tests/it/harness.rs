//! One bot on one chain: a localnet producing a block every 50 ms (indexed as it goes), the
//! bot's stores in a temporary directory, the fake Bot API, and a manual clock for the bot.

use std::sync::Arc;
use std::time::Duration;

use bot::store::BotStore;
use bot::{BotConfig, Services};
use chain::{AccountId, Call, Chain, ManualClock, TxOptions, TxStatus};
use futures::StreamExt as _;
use localnet::genesis::{Genesis, GenesisAccount, GenesisNeuron, GenesisStake};
use localnet::node::{BlockProduction, Node};
use market::{FeedConfig, Indexer, IndexerConfig, Market, Store, StoreConfig};
use test_support::genesis::{
    TAO, fast_hyperparameters, id, keys_pair, pool_subnet, treasury_genesis,
};
use test_support::telegram::{Call as TgCall, FakeTelegram, TOKEN};
use tokio::sync::watch;

pub const ALICE: i64 = 1001;
pub const BOB: i64 = 1002;
pub const BOT_URI: &str = "//BotProxy";
/// Long enough for anything a healthy run does on a loaded machine; only a hang reaches it.
pub const PATIENCE: Duration = Duration::from_secs(60);

pub struct Harness {
    pub node: Node,
    pub chain: Arc<dyn Chain>,
    pub market: Arc<Market>,
    pub market_store: Store,
    pub store: BotStore,
    pub tg: FakeTelegram,
    pub clock: Arc<ManualClock>,
    pub key: Arc<keys::Keypair>,
    pub config: BotConfig,
    _dir: tempfile::TempDir,
    stop: watch::Sender<bool>,
    bot: Option<tokio::task::JoinHandle<bot::Result<()>>>,
    ticker: tokio::task::JoinHandle<()>,
}

/// Two pools, no emission (the treasury holds the rest of the supply): prices move only by
/// trades.
pub fn genesis() -> Genesis {
    treasury_genesis(
        "bot-test",
        7,
        100,
        1_700_000_000_000,
        &[
            ("//Alice", 10_000 * TAO),
            ("//Bob", 1_000 * TAO),
            (BOT_URI, 100 * TAO),
            ("//Owner2", 10_000 * TAO),
        ],
        vec![
            pool_subnet(1, "Apex", "α", 1_000 * TAO, 1_000 * TAO),
            pool_subnet(2, "Beta", "β", 2_000 * TAO, 1_000 * TAO),
        ],
    )
}

/// [`genesis`] with emission: the treasury keeps only 1M TAO, and SN1 (tempo 12) has a
/// validator `//V1` (its coldkey `//V1c` and Alice nominate it, 1,000 α each) and a miner `//M1`.
/// Once `//V1` sets weights, every epoch pays Alice dividends on SN1.
pub fn emitting_genesis() -> Genesis {
    let mut g = genesis();
    g.accounts[0].free = 1_000_000 * TAO;
    g.accounts.push(GenesisAccount { account: id("//V1"), free: 100 * TAO });
    let sn1 = &mut g.subnets[0];
    sn1.hyperparameters = fast_hyperparameters();
    for (hot, cold) in [("//V1", "//V1c"), ("//M1", "//M1c")] {
        sn1.neurons.push(GenesisNeuron {
            hotkey: id(hot),
            coldkey: id(cold),
            axon: None,
            registered_at: 10,
        });
    }
    for cold in ["//V1c", "//Alice"] {
        sn1.stakes.push(GenesisStake {
            coldkey: id(cold),
            hotkey: id("//V1"),
            amount: 1_000 * TAO,
        });
    }
    g
}

impl Harness {
    pub async fn start(config: BotConfig) -> Self {
        Self::start_with(config, genesis()).await
    }

    pub async fn start_with(config: BotConfig, genesis: localnet::genesis::Genesis) -> Self {
        let (node, chain) = test_support::node::start_node(&genesis, BlockProduction::Manual);
        let dir = tempfile::tempdir().unwrap();
        let market_store =
            Store::open(&StoreConfig::SqliteDir(dir.path().join("market"))).await.unwrap();
        let indexer = Arc::new(Indexer::new(
            chain.clone(),
            market_store.clone(),
            IndexerConfig { batch_blocks: 64, ..IndexerConfig::default() },
        ));
        indexer.observe_head().await.unwrap();
        node.handle().produce_block().await.unwrap();
        node.handle().produce_block().await.unwrap();
        node.handle().produce_block().await.unwrap();
        indexer.observe_head().await.unwrap();
        indexer.sync().await.unwrap();
        let market = Arc::new(Market::new(&indexer, chain.clone(), FeedConfig::default()));
        let ticker = {
            let handle = node.handle();
            let indexer = indexer.clone();
            tokio::spawn(async move {
                loop {
                    if handle.produce_block().await.is_err() {
                        return;
                    }
                    let _ = indexer.observe_head().await;
                    let _ = indexer.sync().await;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            })
        };
        let store =
            BotStore::open(&db::DbConfig::Sqlite(dir.path().join("bot.sqlite"))).await.unwrap();
        let tg = FakeTelegram::start().await;
        let (stop, _) = watch::channel(false);
        let mut h = Self {
            node,
            chain,
            market,
            market_store,
            store,
            tg,
            // 01:00 UTC: the tests' hours stay within one day of the daily limits.
            clock: Arc::new(ManualClock::from_ms(1_699_837_200_000)),
            key: Arc::new(keys_pair(BOT_URI)),
            config,
            _dir: dir,
            stop,
            bot: None,
            ticker,
        };
        h.start_bot();
        h
    }

    pub fn start_bot(&mut self) {
        self.stop.send_replace(false);
        let services = Services {
            chain: self.chain.clone(),
            market: self.market.clone(),
            market_store: self.market_store.clone(),
            store: self.store.clone(),
            clock: self.clock.clone(),
            proxy_key: self.key.clone(),
        };
        let api = bot::telegram(TOKEN, Some(&self.tg.url())).unwrap();
        let mut config = self.config.clone();
        config.poll_timeout_s = 1;
        let rx = self.stop.subscribe();
        self.bot = Some(tokio::spawn(bot::run(api, services, config, rx)));
    }

    pub async fn stop_bot(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.bot.take() {
            t.await.unwrap().unwrap();
        }
    }

    pub async fn shutdown(mut self) {
        self.stop_bot().await;
        self.ticker.abort();
        let _ = self.ticker.await;
        self.node.shutdown().await;
    }

    /// Types `text` as `user` in their private chat and waits for the bot's next call to that
    /// chat; returns it.
    pub async fn say(&self, user: i64, text: &str) -> TgCall {
        self.say_in(user, user, text).await
    }

    pub async fn say_in(&self, chat: i64, user: i64, text: &str) -> TgCall {
        let before = self.chat_calls(chat).len();
        self.tg.message(chat, user, text);
        let calls = self
            .tg
            .wait_until(&format!("a reply to {text:?}"), PATIENCE, |c| {
                c.iter()
                    .filter(|c| {
                        c.chat_id == Some(chat) && !c.throttled && c.method != "answercallbackquery"
                    })
                    .count()
                    > before
            })
            .await;
        calls
            .into_iter()
            .filter(|c| {
                c.chat_id == Some(chat) && !c.throttled && c.method != "answercallbackquery"
            })
            .nth(before)
            .unwrap()
    }

    pub fn chat_calls(&self, chat: i64) -> Vec<TgCall> {
        self.tg
            .calls()
            .into_iter()
            .filter(|c| {
                c.chat_id == Some(chat) && !c.throttled && c.method != "answercallbackquery"
            })
            .collect()
    }

    /// Waits until a message or edit to `chat` contains `needle`; returns it.
    pub async fn wait_text(&self, chat: i64, needle: &str) -> TgCall {
        let calls = self
            .tg
            .wait_until(&format!("{needle:?} in chat {chat}"), PATIENCE, |c| {
                c.iter().any(|c| {
                    c.chat_id == Some(chat)
                        && !c.throttled
                        && c.text.as_deref().is_some_and(|t| t.contains(needle))
                })
            })
            .await;
        calls
            .into_iter()
            .find(|c| {
                c.chat_id == Some(chat)
                    && !c.throttled
                    && c.text.as_deref().is_some_and(|t| t.contains(needle))
            })
            .unwrap()
    }

    /// Waits until the alert watcher has evaluated the finalized block that includes
    /// everything submitted so far.
    pub async fn settle(&self) {
        let head = self.chain.header(chain::BlockId::Head).await.unwrap().number;
        let start = std::time::Instant::now();
        loop {
            let cursor = self.store.state(bot::watch::CURSOR).await.unwrap().unwrap_or(0);
            if u64::try_from(cursor).unwrap() >= head {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "the watcher never reached block {head} (at {cursor})"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Signs `call` with the dev key `uri`, submits it and waits until it is in a block;
    /// returns the call's result and its events.
    pub async fn submit(
        &self,
        uri: &str,
        call: Call,
    ) -> (Result<(), chain::DispatchError>, Vec<chain::EventRecord>) {
        let key = keys_pair(uri);
        let mut stream =
            chain::sign_and_submit(&*self.chain, &key, call, TxOptions::default()).await.unwrap();
        while let Some(s) = stream.next().await {
            if let TxStatus::InBlock { result, events, .. } = s.unwrap() {
                return (result, events);
            }
        }
        panic!("the transaction never reached a block")
    }

    pub async fn buy(&self, uri: &str, netuid: u16, tao: u64) {
        let call = Call::AddStake {
            hotkey: id(&format!("//Owner{netuid}//hot")),
            netuid,
            amount_staked: chain::Tao::from_rao(tao * TAO),
        };
        let (result, _) = self.submit(uri, call).await;
        result.unwrap();
    }

    pub async fn price(&self, netuid: u16) -> u64 {
        self.chain.subnet(netuid).await.unwrap().pool.price
    }

    pub fn bot_account(&self) -> AccountId {
        AccountId::from(self.key.public())
    }

    pub async fn add_proxy(&self, uri: &str) {
        let call =
            Call::AddProxy { delegate: self.bot_account(), proxy_type: chain::ProxyType::Staking };
        self.submit(uri, call).await.0.unwrap();
    }
}
