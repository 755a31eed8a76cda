//! English and Chinese: every UI string lives in one of two catalogues ([`EN`], [`ZH`]) with the
//! same fields, so a missing translation is a compile error. The language comes from `?lang=`,
//! then the `lang` cookie, then `Accept-Language`.

use axum::http::HeaderMap;
use axum::http::header;
use market::{FeedKind, TradeKind};

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// `"en"` or `"zh"`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// Parses `en`/`zh` (and `zh-CN` etc.).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") || s.starts_with("zh_") {
            Some(Lang::Zh)
        } else if s == "en" || s.starts_with("en-") || s.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The strings of this language.
    pub fn t(self) -> &'static Catalogue {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }

    /// The language of a request: `?lang=` (already extracted), the `lang` cookie, then the
    /// best of `Accept-Language` (by q-value), else English.
    pub fn negotiate(query: Option<&str>, headers: &HeaderMap) -> Lang {
        if let Some(l) = query.and_then(Lang::parse) {
            return l;
        }
        if let Some(l) = cookie(headers, "lang").and_then(|v| Lang::parse(&v)) {
            return l;
        }
        let Some(accept) = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())
        else {
            return Lang::En;
        };
        let mut best: Option<(f32, Lang)> = None;
        for part in accept.split(',') {
            let mut bits = part.split(';');
            let tag = bits.next().unwrap_or_default();
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(l) = Lang::parse(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, l));
            }
        }
        best.map_or(Lang::En, |(_, l)| l)
    }
}

/// A cookie's value from the request headers.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|line| {
        line.split(';').find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
    })
}

/// Every UI string.
#[allow(missing_docs)]
#[derive(Debug)]
pub struct Catalogue {
    pub lang_name: &'static str,
    pub tagline: &'static str,
    pub nav_markets: &'static str,
    pub nav_events: &'static str,
    pub nav_api: &'static str,
    pub search: &'static str,
    pub watchlist: &'static str,
    pub watch_add: &'static str,
    pub all: &'static str,
    pub usd_disabled: &'static str,
    pub usd_from: &'static str,
    pub theme: &'static str,
    pub live: &'static str,
    pub as_of_block: &'static str,
    pub ago: &'static str,
    pub source: &'static str,
    pub overview_title: &'static str,
    pub overview_sub: &'static str,
    pub subnets: &'static str,
    pub total_mcap: &'static str,
    pub total_volume: &'static str,
    pub col_name: &'static str,
    pub col_price: &'static str,
    pub col_1h: &'static str,
    pub col_24h: &'static str,
    pub col_7d: &'static str,
    pub col_mcap: &'static str,
    pub col_volume: &'static str,
    pub col_pool: &'static str,
    pub col_emission: &'static str,
    pub col_flow: &'static str,
    pub col_spark: &'static str,
    pub no_match: &'static str,
    pub market_cap: &'static str,
    pub fdv: &'static str,
    pub alpha_in_pool: &'static str,
    pub alpha_out: &'static str,
    pub tao_emission: &'static str,
    pub moving_price: &'static str,
    pub flow_24h: &'static str,
    pub flow_7d: &'static str,
    pub flow_ema: &'static str,
    pub change_30d: &'static str,
    pub registered: &'static str,
    pub reg_age: &'static str,
    pub blocks: &'static str,
    pub days: &'static str,
    pub owner: &'static str,
    pub neurons: &'static str,
    pub fee: &'static str,
    pub tempo: &'static str,
    pub max_buy: &'static str,
    pub max_sell: &'static str,
    pub impact: &'static str,
    pub pool_stats: &'static str,
    pub emission_stats: &'static str,
    pub chart: &'static str,
    pub chart_needs_js: &'static str,
    pub trades: &'static str,
    pub holders: &'static str,
    pub holder_count: &'static str,
    pub validators: &'static str,
    pub predictability: &'static str,
    pub rule_changes: &'static str,
    pub owner_burn: &'static str,
    pub burned_total: &'static str,
    pub burned_fraction: &'static str,
    pub burning_epochs: &'static str,
    pub no_trades: &'static str,
    pub no_holders: &'static str,
    pub no_validators: &'static str,
    pub no_changes: &'static str,
    pub no_burns: &'static str,
    pub whale: &'static str,
    pub block: &'static str,
    pub kind: &'static str,
    pub amount: &'static str,
    pub price: &'static str,
    pub account: &'static str,
    pub stake: &'static str,
    pub share: &'static str,
    pub uid: &'static str,
    pub hotkey: &'static str,
    pub dividends: &'static str,
    pub parameter: &'static str,
    pub value: &'static str,
    pub exact: &'static str,
    pub derived: &'static str,
    pub events_title: &'static str,
    pub events_sub: &'static str,
    pub filter_kind: &'static str,
    pub filter_subnet: &'static str,
    pub filter_min: &'static str,
    pub apply: &'static str,
    pub any: &'static str,
    pub no_events: &'static str,
    pub older: &'static str,
    pub error_title: &'static str,
    pub back_home: &'static str,
    pub footer: &'static str,
    pub kind_whale_trade: &'static str,
    pub kind_price_move: &'static str,
    pub kind_emission_share_jump: &'static str,
    pub kind_owner_burn_started: &'static str,
    pub kind_owner_burn_stopped: &'static str,
    pub kind_hyperparameter_changed: &'static str,
    pub kind_identity_changed: &'static str,
    pub kind_subnet_registered: &'static str,
    pub kind_subnet_deregistered: &'static str,
    pub buy: &'static str,
    pub sell: &'static str,
    pub move_: &'static str,
    pub swap: &'static str,
    pub transfer: &'static str,
}

impl Catalogue {
    /// The label of a feed kind.
    pub fn feed_kind(&self, k: FeedKind) -> &'static str {
        match k {
            FeedKind::WhaleTrade => self.kind_whale_trade,
            FeedKind::PriceMove => self.kind_price_move,
            FeedKind::EmissionShareJump => self.kind_emission_share_jump,
            FeedKind::OwnerBurnStarted => self.kind_owner_burn_started,
            FeedKind::OwnerBurnStopped => self.kind_owner_burn_stopped,
            FeedKind::HyperparameterChanged => self.kind_hyperparameter_changed,
            FeedKind::IdentityChanged => self.kind_identity_changed,
            FeedKind::SubnetRegistered => self.kind_subnet_registered,
            FeedKind::SubnetDeregistered => self.kind_subnet_deregistered,
        }
    }

    /// The label of a trade kind.
    pub fn trade_kind(&self, k: TradeKind) -> &'static str {
        match k {
            TradeKind::Buy => self.buy,
            TradeKind::Sell => self.sell,
            TradeKind::Move => self.move_,
            TradeKind::Swap => self.swap,
            TradeKind::Transfer => self.transfer,
        }
    }
}

/// English.
pub static EN: Catalogue = Catalogue {
    lang_name: "English",
    tagline: "dTAO market terminal",
    nav_markets: "Markets",
    nav_events: "Events",
    nav_api: "API",
    search: "Search subnets",
    watchlist: "Watchlist",
    watch_add: "Add to or remove from your watchlist (kept in this browser)",
    all: "All",
    usd_disabled: "No TAO/USD price is configured: start the terminal with --usd-price or --price-feed to enable the $ view.",
    usd_from: "TAO/USD from",
    theme: "Toggle light/dark theme",
    live: "Live",
    as_of_block: "as of block",
    ago: "ago",
    source: "finalized data indexed from the chain",
    overview_title: "Subnet token prices",
    overview_sub: "Every dTAO subnet token, priced by its on-chain pool.",
    subnets: "Subnets",
    total_mcap: "Total market cap",
    total_volume: "24h volume",
    col_name: "Name",
    col_price: "Price",
    col_1h: "1h %",
    col_24h: "24h %",
    col_7d: "7d %",
    col_mcap: "Market cap",
    col_volume: "Volume (24h)",
    col_pool: "TAO in pool",
    col_emission: "Emission",
    col_flow: "Net flow (24h)",
    col_spark: "Last 7 days",
    no_match: "No subnet matches.",
    market_cap: "Market cap",
    fdv: "Fully diluted value",
    alpha_in_pool: "Alpha in pool",
    alpha_out: "Alpha outstanding",
    tao_emission: "TAO emission per block",
    moving_price: "Moving (EMA) price",
    flow_24h: "Net flow 24h",
    flow_7d: "Net flow 7d",
    flow_ema: "Flow EMA per block",
    change_30d: "30d change",
    registered: "Registered at block",
    reg_age: "Registration age",
    blocks: "blocks",
    days: "days",
    owner: "Owner",
    neurons: "Neurons",
    fee: "Swap fee",
    tempo: "Tempo",
    max_buy: "Largest buy before impact",
    max_sell: "Largest sell before impact",
    impact: "impact",
    pool_stats: "Pool",
    emission_stats: "Emission",
    chart: "Price",
    chart_needs_js: "The chart needs JavaScript.",
    trades: "Trades",
    holders: "Top holders",
    holder_count: "holders",
    validators: "Validators",
    predictability: "Predictability record",
    rule_changes: "Rule changes",
    owner_burn: "Owner burn of miner emission",
    burned_total: "Burned in total",
    burned_fraction: "Share of miner emission burned",
    burning_epochs: "Epochs with burn",
    no_trades: "No trades yet.",
    no_holders: "No holders indexed yet.",
    no_validators: "No validators with permits.",
    no_changes: "No rule changes recorded.",
    no_burns: "No owner burn recorded.",
    whale: "Whale",
    block: "Block",
    kind: "Kind",
    amount: "Amount",
    price: "Price",
    account: "Account",
    stake: "Stake",
    share: "Share",
    uid: "UID",
    hotkey: "Hotkey",
    dividends: "Dividends",
    parameter: "Parameter",
    value: "Value",
    exact: "read from the chain",
    derived: "derived from trades",
    events_title: "Market events",
    events_sub: "Whale trades, price moves, emission jumps, owner burns and rule changes, live.",
    filter_kind: "Kind",
    filter_subnet: "Subnet",
    filter_min: "Min size (τ)",
    apply: "Apply",
    any: "Any",
    no_events: "No events match.",
    older: "Older events",
    error_title: "Something went wrong",
    back_home: "Back to markets",
    footer: "Self-hosted. Every number comes from the chain, with its block.",
    kind_whale_trade: "Whale trade",
    kind_price_move: "Price move",
    kind_emission_share_jump: "Emission jump",
    kind_owner_burn_started: "Owner burn started",
    kind_owner_burn_stopped: "Owner burn stopped",
    kind_hyperparameter_changed: "Rule change",
    kind_identity_changed: "Identity change",
    kind_subnet_registered: "New subnet",
    kind_subnet_deregistered: "Subnet dissolved",
    buy: "Buy",
    sell: "Sell",
    move_: "Move",
    swap: "Swap",
    transfer: "Transfer",
};

/// Simplified Chinese.
pub static ZH: Catalogue = Catalogue {
    lang_name: "中文",
    tagline: "dTAO 行情终端",
    nav_markets: "行情",
    nav_events: "事件",
    nav_api: "API",
    search: "搜索子网",
    watchlist: "自选",
    watch_add: "加入或移出自选（保存在本浏览器）",
    all: "全部",
    usd_disabled: "未配置 TAO/USD 价格：启动终端时使用 --usd-price 或 --price-feed 以启用美元视图。",
    usd_from: "TAO/USD 来源",
    theme: "切换浅色/深色主题",
    live: "实时",
    as_of_block: "截至区块",
    ago: "前",
    source: "从链上索引的已确认数据",
    overview_title: "子网代币价格",
    overview_sub: "所有 dTAO 子网代币，按链上资金池定价。",
    subnets: "子网数",
    total_mcap: "总市值",
    total_volume: "24小时成交额",
    col_name: "名称",
    col_price: "价格",
    col_1h: "1小时 %",
    col_24h: "24小时 %",
    col_7d: "7天 %",
    col_mcap: "市值",
    col_volume: "成交额(24小时)",
    col_pool: "池中 TAO",
    col_emission: "排放占比",
    col_flow: "净流入(24小时)",
    col_spark: "最近7天",
    no_match: "没有匹配的子网。",
    market_cap: "市值",
    fdv: "完全稀释估值",
    alpha_in_pool: "池中 Alpha",
    alpha_out: "流通 Alpha",
    tao_emission: "每区块 TAO 排放",
    moving_price: "移动平均价格",
    flow_24h: "24小时净流入",
    flow_7d: "7天净流入",
    flow_ema: "每区块净流入 EMA",
    change_30d: "30天涨跌",
    registered: "注册区块",
    reg_age: "注册时长",
    blocks: "个区块",
    days: "天",
    owner: "所有者",
    neurons: "神经元",
    fee: "兑换手续费",
    tempo: "周期",
    max_buy: "价格冲击内最大买入",
    max_sell: "价格冲击内最大卖出",
    impact: "冲击",
    pool_stats: "资金池",
    emission_stats: "排放",
    chart: "价格",
    chart_needs_js: "图表需要 JavaScript。",
    trades: "成交",
    holders: "主要持有者",
    holder_count: "个持有者",
    validators: "验证者",
    predictability: "可预期性记录",
    rule_changes: "规则变更",
    owner_burn: "所有者销毁的矿工排放",
    burned_total: "累计销毁",
    burned_fraction: "矿工排放销毁比例",
    burning_epochs: "有销毁的周期",
    no_trades: "暂无成交。",
    no_holders: "暂无已索引的持有者。",
    no_validators: "没有持有许可的验证者。",
    no_changes: "没有规则变更记录。",
    no_burns: "没有所有者销毁记录。",
    whale: "巨鲸",
    block: "区块",
    kind: "类型",
    amount: "数量",
    price: "价格",
    account: "账户",
    stake: "质押",
    share: "占比",
    uid: "UID",
    hotkey: "热键",
    dividends: "分红",
    parameter: "参数",
    value: "值",
    exact: "从链上读取",
    derived: "由成交推算",
    events_title: "市场事件",
    events_sub: "巨鲸交易、价格异动、排放跳变、所有者销毁与规则变更，实时更新。",
    filter_kind: "类型",
    filter_subnet: "子网",
    filter_min: "最小金额 (τ)",
    apply: "筛选",
    any: "任意",
    no_events: "没有匹配的事件。",
    older: "更早的事件",
    error_title: "出错了",
    back_home: "返回行情",
    footer: "自托管。每个数字都来自链上，并标明区块。",
    kind_whale_trade: "巨鲸交易",
    kind_price_move: "价格异动",
    kind_emission_share_jump: "排放跳变",
    kind_owner_burn_started: "所有者开始销毁",
    kind_owner_burn_stopped: "所有者停止销毁",
    kind_hyperparameter_changed: "规则变更",
    kind_identity_changed: "身份变更",
    kind_subnet_registered: "新子网",
    kind_subnet_deregistered: "子网解散",
    buy: "买入",
    sell: "卖出",
    move_: "转移",
    swap: "兑换",
    transfer: "转账",
};

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn negotiation_order() {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("en;q=0.5, zh-CN;q=0.9"));
        assert_eq!(Lang::negotiate(None, &h), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("en"), &h), Lang::En);
        h.insert(header::COOKIE, HeaderValue::from_static("theme=dark; lang=en"));
        assert_eq!(Lang::negotiate(None, &h), Lang::En);
        assert_eq!(Lang::negotiate(None, &HeaderMap::new()), Lang::En);
    }
}
