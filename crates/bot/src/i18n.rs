//! English and Chinese. Every fixed sentence the bot writes is a [`Text`]; numbers, names and
//! addresses are put in by the caller (already HTML-escaped where they came from outside).

use serde::{Deserialize, Serialize};

/// A chat's language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// From a stored code (unknown codes are English).
    pub fn from_code(code: &str) -> Self {
        if code == "zh" { Lang::Zh } else { Lang::En }
    }
}

macro_rules! texts {
    ($($name:ident => $en:expr, $zh:expr;)*) => {
        /// A fixed sentence of the bot's.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum Text { $($name),* }

        impl Text {
            /// In `lang`.
            pub fn get(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Text::$name, Lang::En) => $en, (Text::$name, Lang::Zh) => $zh,)*
                }
            }
        }
    };
}

texts! {
    Welcome => "Welcome to taoplex: dTAO prices, alerts, whale watching, and trading that never holds your coldkey. /help lists the commands.",
               "欢迎使用 taoplex：dTAO 价格、提醒、巨鲸监控，以及从不持有您冷钱包私钥的交易。/help 查看命令。";
    Help => "<b>Market</b>\n/price &lt;netuid|name&gt; · /top · /subnet &lt;netuid&gt; · /events [netuid]\n<b>Alerts</b>\n/alert price &lt;netuid&gt; above|below &lt;τ&gt;\n/alert move &lt;netuid&gt; &lt;%&gt; (1h)\n/alert emission|owner &lt;netuid|all&gt; · /alert registration\n/whale &lt;netuid|all&gt; &lt;min τ&gt; [buy|sell|move]\n/alerts · /unalert &lt;id&gt; · /cooldown &lt;min&gt; · /quiet &lt;from&gt;-&lt;to&gt;|off\n<b>Portfolio</b>\n/portfolio &lt;address&gt; [daily [HH]|off]\n<b>Network</b>\n/backprop [24h|7d|30d]: where traders moved emissions\n/digest on|off [HH]: the 24h view daily at HH UTC (08)\n<b>Trading</b> (private chat)\n/proxy &lt;coldkey&gt; [τ per trade] [τ per day] · /address &lt;coldkey&gt; · /revoke\n/buy &lt;netuid&gt; &lt;τ&gt; [max price] · /sell &lt;netuid&gt; &lt;α&gt; [min price]\n/dca &lt;netuid&gt; &lt;τ&gt; &lt;every min&gt; [max price]\n/compound &lt;netuid|all&gt; into &lt;netuid&gt; every &lt;min|6h|1d&gt;\n/tp &lt;netuid&gt; &lt;exit τ&gt; · /sl &lt;netuid&gt; &lt;exit τ&gt;\n/automations · /stop &lt;id&gt;\n/lang en|zh",
            "<b>市场</b>\n/price &lt;编号|名称&gt; · /top · /subnet &lt;编号&gt; · /events [编号]\n<b>提醒</b>\n/alert price &lt;编号&gt; above|below &lt;τ&gt;\n/alert move &lt;编号&gt; &lt;%&gt;（1 小时）\n/alert emission|owner &lt;编号|all&gt; · /alert registration\n/whale &lt;编号|all&gt; &lt;最小 τ&gt; [buy|sell|move]\n/alerts · /unalert &lt;id&gt; · /cooldown &lt;分钟&gt; · /quiet &lt;起&gt;-&lt;止&gt;|off\n<b>持仓</b>\n/portfolio &lt;地址&gt; [daily [时]|off]\n<b>网络</b>\n/backprop [24h|7d|30d]：交易者把排放推向了哪里\n/digest on|off [时]：每天该时（UTC，默认 08）推送 24 小时视图\n<b>交易</b>（仅私聊）\n/proxy &lt;冷钱包&gt; [每笔 τ] [每日 τ] · /address &lt;冷钱包&gt; · /revoke\n/buy &lt;编号&gt; &lt;τ&gt; [最高价] · /sell &lt;编号&gt; &lt;α&gt; [最低价]\n/dca &lt;编号&gt; &lt;τ&gt; &lt;间隔分钟&gt; [最高价]\n/compound &lt;编号|all&gt; into &lt;编号&gt; every &lt;分钟|6h|1d&gt;：自动复利\n/tp &lt;编号&gt; &lt;退出 τ&gt; · /sl &lt;编号&gt; &lt;退出 τ&gt;：止盈 / 止损\n/automations · /stop &lt;id&gt;\n/lang en|zh";
    LangSet => "Language: English.", "语言：中文。";
    UnknownSubnet => "No such subnet. Try /top for the list.", "没有这个子网。用 /top 查看列表。";
    UnknownCommand => "Unknown command. /help lists what I can do.", "未知命令。/help 查看可用命令。";
    BadAmount => "That amount does not parse (up to 9 decimals, e.g. 1.5):", "金额格式错误（最多 9 位小数，例如 1.5）：";
    Usage => "Usage:", "用法：";
    NoData => "No market data yet; the indexer is still catching up. Try again in a minute.", "暂无市场数据，索引仍在同步，请稍后再试。";
    Price => "Price", "价格";
    Pool => "Pool", "池子";
    EmissionShare => "Emission share", "排放占比";
    Flow => "Net flow 24h", "24 小时净流入";
    Holders => "Holders", "持有人";
    MarketCap => "Market cap", "市值";
    TopTitle => "Top subnets by market cap", "市值前列子网";
    EventsTitle => "Recent events", "最近事件";
    NoEvents => "No events yet.", "暂无事件。";
    AlertAdded => "Alert added", "已添加提醒";
    AlertRemoved => "Alert removed.", "已删除提醒。";
    NoSuchAlert => "No alert with that id in this chat. /alerts lists them.", "此聊天中没有该提醒。用 /alerts 查看。";
    NoAlerts => "No alerts. /help shows how to add one.", "没有提醒。/help 查看如何添加。";
    AlertsTitle => "Your alerts", "您的提醒";
    CooldownSet => "Cooldown set (minutes):", "冷却时间已设置（分钟）：";
    QuietSet => "Quiet hours (UTC):", "免打扰时段（UTC）：";
    QuietOff => "Quiet hours off.", "已关闭免打扰。";
    PrivateOnly => "Trading works only in a private chat with the bot.", "交易仅限与机器人的私聊。";
    BadAddress => "That is not an SS58 address.", "这不是有效的 SS58 地址。";
    PortfolioTitle => "Portfolio", "持仓";
    NoPositions => "No positions.", "没有持仓。";
    ExitValue => "Exit value", "退出价值";
    ProxySetup => "Proxy registered. Now add the bot as a <b>Staking</b> proxy of your coldkey (the chain then lets it stake, unstake and move stake for you, and refuses any transfer):", "已登记代理。请将机器人添加为您冷钱包的 <b>Staking</b> 代理（链上只允许它质押、解押和移动质押，拒绝任何转账）：";
    Revoke => "Registration removed. To remove the proxy on chain:", "已删除登记。在链上移除代理：";
    NoProxy => "No proxy yet; sign this trade in your browser wallet:", "尚未设置代理；请在浏览器钱包中签署此交易：";
    ProxyNotOnChain => "The bot is not (or no longer) a Staking proxy of your coldkey on chain. Add it with:", "链上机器人不是（或已不再是）您冷钱包的 Staking 代理。添加方法：";
    OverTradeLimit => "Over your per-trade limit of", "超过每笔限额";
    OverDayLimit => "Over your per-day limit; left today:", "超过每日限额；今日剩余：";
    Quote => "Quote", "报价";
    YouPay => "You pay", "支付";
    YouGet => "You get (est.)", "预计获得";
    Fee => "Fee", "手续费";
    Impact => "Price impact", "价格影响";
    MinReceived => "Minimum received", "最少获得";
    LimitPrice => "Limit price", "限价";
    ExpiresIn => "Confirm within 60 s.", "请在 60 秒内确认。";
    Confirm => "✅ Confirm", "✅ 确认";
    Cancel => "✖ Cancel", "✖ 取消";
    Cancelled => "Cancelled.", "已取消。";
    Expired => "This quote expired; ask again.", "报价已过期，请重新下单。";
    AlreadyUsed => "This card was already used.", "此报价已使用。";
    NotYours => "Only the person who set up this proxy can trade it.", "只有设置此代理的人才能使用它交易。";
    Submitted => "Submitted…", "已提交……";
    InBlock => "In block", "已打包，区块";
    Finalized => "Finalized 🪙", "已确认 🪙";
    Failed => "Failed:", "失败：";
    Receipt => "Quoted vs filled", "报价 vs 成交";
    NoStake => "You hold no stake on that subnet.", "您在该子网没有质押。";
    DcaCreated => "DCA created; each run is reported here.", "定投已创建；每次执行都会在此报告。";
    AutomationsTitle => "Automations", "自动任务";
    NoAutomations => "No automations.", "没有自动任务。";
    Stopped => "Stopped.", "已停止。";
    DcaRun => "DCA run", "定投执行";
    DcaSkippedPrice => "DCA skipped: price above your limit", "定投跳过：价格高于限价";
    DcaStoppedProxy => "DCA stopped: the proxy was removed on chain.", "定投已停止：链上代理已被移除。";
    AddressSet => "Sign-link trading set up: each trade's Confirm gives you a link where your own wallet signs. Coldkey:", "已设置签名链接交易：每次确认后会给您一个链接，由您自己的钱包签名。冷钱包：";
    NoTerminal => "Sign links need the terminal (the bot runs without --terminal-url); use /proxy instead.", "签名链接需要终端（机器人未配置 --terminal-url）；请改用 /proxy。";
    Register => "First tell me your coldkey: /proxy &lt;coldkey&gt; (the bot trades through a Staking proxy) or /address &lt;coldkey&gt; (you sign each trade in your browser wallet).", "请先告诉我您的冷钱包：/proxy &lt;冷钱包&gt;（机器人通过 Staking 代理交易）或 /address &lt;冷钱包&gt;（您在浏览器钱包中签署每笔交易）。";
    BackpropGainers => "Gained emission share", "排放占比上升";
    BackpropLosers => "Lost emission share", "排放占比下降";
    BackpropMoved => "of emissions moved between subnets over", "的排放在子网之间转移，时间窗口";
    DigestOn => "Daily digest on, at this hour (UTC):", "每日摘要已开启，推送时间（UTC）：";
    DigestOff => "Daily digest off.", "每日摘要已关闭。";
    DigestTitle => "Daily digest", "每日摘要";
    BackpropNone => "none", "无";
    AutomationCreated => "Created; each run is reported here. /automations lists it, /stop &lt;id&gt; ends it.", "已创建；每次执行都会在此报告。/automations 查看，/stop &lt;id&gt; 停止。";
    AutomationStoppedProxy => "Automations stopped: the bot is no longer your Staking proxy on chain.", "自动任务已停止：链上已不再是您的 Staking 代理。";
    CompoundSameSubnet => "dTAO already compounds there: emission on a subnet is paid as that subnet's alpha, staked where it was earned, and it earns in turn. Pick another target, or another source.", "dTAO 已在该子网自动复利：子网的排放以该子网的 alpha 支付并原地质押，继续产生收益。请选择其他目标或来源。";
    CompoundRoot => "Auto-compound moves alpha between subnets; root (SN0) is neither a source nor a target.", "自动复利在子网之间移动 alpha；根网络（SN0）不能作为来源或目标。";
    CompoundHow => "Each period: the alpha your coldkey earned since the last run (stake growth minus your own trades) moves with swap_stake_limit, same hotkey, 1 % price tolerance, counted against your per-day limit. Your principal never moves.", "每个周期：自上次执行以来您的冷钱包赚取的 alpha（质押增长减去您自己的交易）通过 swap_stake_limit 移动，同一热键，1% 价格容差，计入每日限额。本金从不移动。";
    ExitAlreadyThere => "That level is already reached (use /sell); the exit value now is", "该价位已达到（请使用 /sell）；当前退出价值为";
    ExitHow => "Checked at every finalized block; when it hits, sells the whole position once with remove_stake_limit (limit 1 % under the quoted end price), counted against your per-day limit.", "每个最终确认区块检查一次；触发时以 remove_stake_limit 一次性卖出全部仓位（限价为报价结束价格下浮 1%），计入每日限额。";
    ExitPositionGone => "stopped: the position is gone.", "已停止：仓位已不存在。";
    ExitTomorrow => "It waits until the next UTC day.", "将等到下一个 UTC 日。";
    ExitRetry => "Nothing was sold; it will check again in a minute.", "未卖出任何仓位；一分钟后再次检查。";
    TakeProfit => "🎯 Take-profit", "🎯 止盈";
    StopLoss => "🛑 Stop-loss", "🛑 止损";
    Sold => "Sold", "已卖出";
    Earned => "earned", "已赚取";
    CompoundRun => "Auto-compound run", "自动复利执行";
    CompoundNothing => "Nothing earned since the last run.", "自上次执行以来没有收益。";
    CompoundTooLittle => "too little to move yet; it keeps accruing.", "数额过小暂不移动；继续累积。";
    CompoundNoReading => "Auto-compound stopped: no consistent stake reading after a move; set it up again.", "自动复利已停止：移动后无法获得一致的质押读数；请重新设置。";
    RetryNextPeriod => "Nothing moved; it is tried again next period.", "未移动任何资产；下个周期重试。";
    OutcomeUnknown => "The outcome is unknown, so it is not retried; check /portfolio.", "结果未知，因此不会重试；请查看 /portfolio。";
    PortfolioDailyOn => "Daily portfolio summary on, at this hour (UTC):", "每日持仓摘要已开启，推送时间（UTC）：";
    PortfolioDailyOff => "Daily portfolio summary off.", "每日持仓摘要已关闭。";
    PortfolioDailyTitle => "Daily portfolio", "每日持仓";
    Change24h => "24h change", "24 小时变化";
    FirstSummary => "— (first summary)", "—（首次摘要）";
    TooLong => "Message too long; commands are short.", "消息过长；命令都很短。";
    GroupTradeRefused => "Trading commands work only in a private chat with me.", "交易命令仅在与我的私聊中有效。";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_text() {
        for t in [Text::Welcome, Text::Help, Text::Finalized, Text::NotYours] {
            assert!(!t.get(Lang::En).is_empty());
            assert!(!t.get(Lang::Zh).is_empty());
            assert_ne!(t.get(Lang::En), t.get(Lang::Zh));
        }
        assert_eq!(Lang::from_code(Lang::Zh.code()), Lang::Zh);
    }
}
