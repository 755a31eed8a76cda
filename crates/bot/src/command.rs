//! Commands as people type them, parsed into values. Parsing is pure and total: every input
//! is either a [`Command`] or a [`ParseError`] the bot explains; nothing here can panic.

use dtao::units::{Alpha, Tao};

use crate::i18n::Lang;

/// A subnet as a person names it: `12`, `SN12`, or its name (`apex`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubnetRef {
    /// By netuid.
    Id(u16),
    /// By name, case-insensitive.
    Name(String),
}

impl SubnetRef {
    fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        if t.is_empty() || t.chars().count() > 64 {
            return None;
        }
        let digits = t.strip_prefix("SN").or_else(|| t.strip_prefix("sn")).unwrap_or(t);
        if let Ok(n) = digits.parse::<u16>() {
            return Some(SubnetRef::Id(n));
        }
        Some(SubnetRef::Name(t.to_lowercase()))
    }
}

/// Which way a price rule looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Fires when the price rises to or through the level.
    Above,
    /// Fires when the price falls to or through the level.
    Below,
}

/// Which trades a whale rule watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhaleSide {
    /// Stake bought with TAO.
    Buy,
    /// Stake sold for TAO.
    Sell,
    /// Stake moved or swapped between subnets/hotkeys/coldkeys.
    Move,
    /// All of the above.
    Any,
}

/// An alert rule as typed (subnets not yet resolved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertSpec {
    /// Price crosses a level (rao per alpha).
    Price(SubnetRef, Direction, u64),
    /// Price moves at least this many basis points within the hour.
    Move(SubnetRef, u32),
    /// Emission share jumps (the market feed's rule); `None` = every subnet.
    Emission(Option<SubnetRef>),
    /// Owner burn started/stopped, hyperparameter or identity change.
    Owner(Option<SubnetRef>),
    /// Subnet registered or dissolved.
    Registration,
    /// A trade of at least this much TAO.
    Whale(Option<SubnetRef>, Tao, WhaleSide),
}

/// A command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Welcome.
    Start,
    /// Help.
    Help,
    /// One subnet's price.
    Price(SubnetRef),
    /// Top subnets by market cap.
    Top,
    /// A subnet card with chart.
    Subnet(SubnetRef),
    /// Recent market events.
    Events(Option<SubnetRef>),
    /// Language.
    Lang(Lang),
    /// Add an alert.
    Alert(AlertSpec),
    /// List alerts.
    Alerts,
    /// Remove an alert by id.
    Unalert(i64),
    /// Minutes between two alerts of one rule.
    Cooldown(u32),
    /// Quiet hours (UTC) `from..to`, or none.
    Quiet(Option<(u8, u8)>),
    /// Positions of an address.
    Portfolio(String),
    /// Register a coldkey for proxy trading, with limits (per trade, per day).
    Proxy {
        /// The user's coldkey, SS58 as typed.
        coldkey: String,
        /// Most TAO per trade.
        per_trade: Option<Tao>,
        /// Most TAO per day.
        per_day: Option<Tao>,
    },
    /// Register a coldkey for sign-link trading (no proxy: the user's wallet signs each trade).
    Address(String),
    /// How to remove the proxy; forgets the registration.
    Revoke,
    /// Buy stake with TAO, optional limit price (rao per alpha).
    Buy {
        /// Subnet.
        subnet: SubnetRef,
        /// TAO to spend.
        amount: Tao,
        /// Highest price, rao per alpha.
        limit: Option<u64>,
    },
    /// Sell alpha, optional minimum price (rao per alpha).
    Sell {
        /// Subnet.
        subnet: SubnetRef,
        /// Alpha to sell.
        amount: Alpha,
        /// Lowest price, rao per alpha.
        limit: Option<u64>,
    },
    /// DCA: buy `amount` every `every_minutes`, only at or below `limit`.
    Dca {
        /// Subnet.
        subnet: SubnetRef,
        /// TAO per run.
        amount: Tao,
        /// Minutes between runs.
        every_minutes: u32,
        /// Highest price, rao per alpha.
        limit: Option<u64>,
    },
    /// Auto-compound: move the emission earned on `source` (every subnet but the target when
    /// `None`) into `target` every `every_minutes`.
    Compound {
        /// Where the emission is earned; `None` = all subnets.
        source: Option<SubnetRef>,
        /// Where it goes.
        target: SubnetRef,
        /// Minutes between runs.
        every_minutes: u32,
    },
    /// Take-profit (`above`) or stop-loss: sell the whole position once its exit value
    /// reaches `level` rao.
    Exit {
        /// Subnet of the position.
        subnet: SubnetRef,
        /// Take-profit (true) or stop-loss (false).
        above: bool,
        /// Exit value that triggers it, rao.
        level: Tao,
    },
    /// A daily summary of an address at an hour (UTC), or off (`None`).
    PortfolioDaily(String, Option<u8>),
    /// List automations.
    Automations,
    /// Stop an automation.
    Stop(i64),
    /// Where traders moved emissions over a window (the network view).
    Backprop(market::backprop::Window),
    /// The daily digest on at an hour (UTC), or off (`None`).
    Digest(Option<u8>),
}

/// Why a message is not a command the bot can run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Not a command at all (no leading `/`).
    NotACommand,
    /// A command the bot does not know.
    Unknown(String),
    /// A known command with wrong arguments; the usage line to show.
    Usage(&'static str),
    /// An amount that does not parse.
    Amount(String),
}

/// The longest message the bot reads; longer input is refused without parsing.
pub const MAX_INPUT: usize = 1024;

fn amount<T: std::str::FromStr>(s: &str) -> Result<T, ParseError> {
    s.parse::<T>().map_err(|_| ParseError::Amount(s.chars().take(40).collect()))
}

/// A price in TAO per alpha (e.g. `0.05`) as rao per alpha.
fn price(s: &str) -> Result<u64, ParseError> {
    amount::<Tao>(s).map(Tao::rao)
}

fn percent_bps(s: &str) -> Result<u32, ParseError> {
    let t = s.trim_end_matches('%');
    let bad = || ParseError::Amount(s.chars().take(40).collect());
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if frac.len() > 2 || whole.is_empty() {
        return Err(bad());
    }
    let w: u32 = whole.parse().map_err(|_| bad())?;
    let f: u32 =
        if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| bad())? };
    let bps = w.checked_mul(100).and_then(|v| v.checked_add(f)).ok_or_else(bad)?;
    if bps == 0 || bps > 100_000 { Err(bad()) } else { Ok(bps) }
}

/// An hour of the day (`17` or `17utc`).
fn hour(s: &str) -> Option<u8> {
    s.to_lowercase().trim_end_matches("utc").parse::<u8>().ok().filter(|h| *h < 24)
}

/// A period of 1 minute to 30 days: `90`, `90m`, `6h` or `1d`.
fn minutes(s: &str) -> Option<u32> {
    let s = s.to_lowercase();
    let (n, unit) = match s.strip_suffix('d') {
        Some(n) => (n, 24 * 60),
        None => match s.strip_suffix('h') {
            Some(n) => (n, 60),
            None => (s.strip_suffix('m').unwrap_or(&s), 1),
        },
    };
    n.parse::<u32>().ok()?.checked_mul(unit).filter(|m| *m >= 1 && *m <= 30 * 24 * 60)
}

fn all_or_subnet(s: Option<&&str>) -> Option<SubnetRef> {
    match s {
        None => None,
        Some(s) if s.eq_ignore_ascii_case("all") => None,
        Some(s) => SubnetRef::parse(s),
    }
}

/// Parses one message. Bot-name suffixes (`/price@taoplex_bot`) are accepted.
pub fn parse(text: &str) -> Result<Command, ParseError> {
    if text.len() > MAX_INPUT {
        return Err(ParseError::Usage("/help"));
    }
    let text = text.trim();
    let Some(rest) = text.strip_prefix('/') else { return Err(ParseError::NotACommand) };
    let mut words = rest.split_whitespace();
    let head = words.next().unwrap_or("");
    let name = head.split('@').next().unwrap_or("").to_lowercase();
    let args: Vec<&str> = words.collect();
    use Command as C;
    use ParseError::Usage;
    let one_subnet = |usage| args.first().and_then(|s| SubnetRef::parse(s)).ok_or(Usage(usage));
    Ok(match name.as_str() {
        "start" => C::Start,
        "help" => C::Help,
        "price" => C::Price(one_subnet("/price <netuid|name>")?),
        "top" => C::Top,
        "subnet" => C::Subnet(one_subnet("/subnet <netuid|name>")?),
        "events" => C::Events(all_or_subnet(args.first())),
        "lang" => match args.first().map(|s| s.to_lowercase()).as_deref() {
            Some("en") => C::Lang(Lang::En),
            Some("zh") | Some("cn") => C::Lang(Lang::Zh),
            _ => return Err(Usage("/lang en|zh")),
        },
        "alert" => C::Alert(alert(&args)?),
        "whale" => {
            const U: &str = "/whale <netuid|all> <min τ> [buy|sell|move|any]";
            let (Some(s), Some(min)) = (args.first(), args.get(1)) else { return Err(Usage(U)) };
            let side = match args.get(2).map(|s| s.to_lowercase()).as_deref() {
                None | Some("any") => WhaleSide::Any,
                Some("buy") => WhaleSide::Buy,
                Some("sell") => WhaleSide::Sell,
                Some("move") => WhaleSide::Move,
                Some(_) => return Err(Usage(U)),
            };
            C::Alert(AlertSpec::Whale(all_or_subnet(Some(s)), amount(min)?, side))
        }
        "alerts" => C::Alerts,
        "unalert" => C::Unalert(
            args.first()
                .and_then(|s| s.trim_start_matches('#').parse().ok())
                .ok_or(Usage("/unalert <id>"))?,
        ),
        "cooldown" => C::Cooldown(
            args.first()
                .and_then(|s| s.parse().ok())
                .filter(|m| *m <= 7 * 24 * 60)
                .ok_or(Usage("/cooldown <minutes, 0–10080>"))?,
        ),
        "quiet" => match args.first() {
            Some(s) if s.eq_ignore_ascii_case("off") => C::Quiet(None),
            Some(s) => {
                let (a, b) =
                    s.split_once('-').ok_or(Usage("/quiet <from>-<to> (UTC hours) | off"))?;
                match (a.parse::<u8>(), b.parse::<u8>()) {
                    (Ok(a), Ok(b)) if a < 24 && b < 24 && a != b => C::Quiet(Some((a, b))),
                    _ => return Err(Usage("/quiet <from>-<to> (UTC hours) | off")),
                }
            }
            None => return Err(Usage("/quiet <from>-<to> (UTC hours) | off")),
        },
        "portfolio" => {
            const U: &str = "/portfolio <ss58 address> [daily [hour UTC, 0–23] | off]";
            let addr = args.first().map(|s| s.to_string()).ok_or(Usage(U))?;
            match (args.get(1).map(|s| s.to_lowercase()).as_deref(), args.get(2), args.get(3)) {
                (None, _, _) => C::Portfolio(addr),
                (Some("off"), None, _) => C::PortfolioDaily(addr, None),
                (Some("daily"), None, _) => C::PortfolioDaily(addr, Some(8)),
                (Some("daily"), Some(h), None) => {
                    C::PortfolioDaily(addr, Some(hour(h).ok_or(Usage(U))?))
                }
                _ => return Err(Usage(U)),
            }
        }
        "tp" | "sl" => {
            const U: &str = "/tp <netuid|name> <exit τ> · /sl <netuid|name> <exit τ>";
            let (Some(s), Some(a), None) = (args.first(), args.get(1), args.get(2)) else {
                return Err(Usage(U));
            };
            let subnet = SubnetRef::parse(s).ok_or(Usage(U))?;
            let level: Tao = amount(a)?;
            if level.is_zero() {
                return Err(ParseError::Amount((*a).into()));
            }
            C::Exit { subnet, above: name == "tp", level }
        }
        "compound" => {
            const U: &str = "/compound <netuid|all> into <netuid> every <minutes|Nh|Nd>";
            let (Some(s), Some(into), Some(t), Some(every), Some(p), None) =
                (args.first(), args.get(1), args.get(2), args.get(3), args.get(4), args.get(5))
            else {
                return Err(Usage(U));
            };
            if !into.eq_ignore_ascii_case("into") || !every.eq_ignore_ascii_case("every") {
                return Err(Usage(U));
            }
            let source = if s.eq_ignore_ascii_case("all") {
                None
            } else {
                Some(SubnetRef::parse(s).ok_or(Usage(U))?)
            };
            C::Compound {
                source,
                target: SubnetRef::parse(t).ok_or(Usage(U))?,
                every_minutes: minutes(p).ok_or(Usage(U))?,
            }
        }
        "proxy" => {
            const U: &str = "/proxy <your coldkey ss58> [max τ per trade] [max τ per day]";
            let coldkey = args.first().map(|s| s.to_string()).ok_or(Usage(U))?;
            let per_trade = args.get(1).map(|s| amount(s)).transpose()?;
            let per_day = args.get(2).map(|s| amount(s)).transpose()?;
            C::Proxy { coldkey, per_trade, per_day }
        }
        "address" => C::Address(
            args.first().map(|s| s.to_string()).ok_or(Usage("/address <your coldkey ss58>"))?,
        ),
        "revoke" => C::Revoke,
        "buy" => {
            const U: &str = "/buy <netuid|name> <τ> [max price τ/α]";
            let (Some(s), Some(a)) = (args.first(), args.get(1)) else { return Err(Usage(U)) };
            let subnet = SubnetRef::parse(s).ok_or(Usage(U))?;
            let amount: Tao = amount(a)?;
            if amount.is_zero() {
                return Err(ParseError::Amount((*a).into()));
            }
            C::Buy { subnet, amount, limit: args.get(2).map(|p| price(p)).transpose()? }
        }
        "sell" => {
            const U: &str = "/sell <netuid|name> <α> [min price τ/α]";
            let (Some(s), Some(a)) = (args.first(), args.get(1)) else { return Err(Usage(U)) };
            let subnet = SubnetRef::parse(s).ok_or(Usage(U))?;
            let amount: Alpha = amount(a)?;
            if amount.is_zero() {
                return Err(ParseError::Amount((*a).into()));
            }
            C::Sell { subnet, amount, limit: args.get(2).map(|p| price(p)).transpose()? }
        }
        "dca" => {
            const U: &str = "/dca <netuid|name> <τ> <every minutes> [max price τ/α]";
            let (Some(s), Some(a), Some(e)) = (args.first(), args.get(1), args.get(2)) else {
                return Err(Usage(U));
            };
            let subnet = SubnetRef::parse(s).ok_or(Usage(U))?;
            let amount: Tao = amount(a)?;
            let every_minutes: u32 =
                e.parse().ok().filter(|m| *m >= 1 && *m <= 30 * 24 * 60).ok_or(Usage(U))?;
            if amount.is_zero() {
                return Err(ParseError::Amount((*a).into()));
            }
            C::Dca {
                subnet,
                amount,
                every_minutes,
                limit: args.get(3).map(|p| price(p)).transpose()?,
            }
        }
        "backprop" => match args.first() {
            None => C::Backprop(market::backprop::Window::Day),
            Some(w) => {
                C::Backprop(w.to_lowercase().parse().map_err(|_| Usage("/backprop [24h|7d|30d]"))?)
            }
        },
        "digest" => {
            const U: &str = "/digest on|off [hour UTC, 0–23]";
            match (args.first().map(|s| s.to_lowercase()).as_deref(), args.get(1)) {
                (Some("off"), None) => C::Digest(None),
                (Some("on"), None) => C::Digest(Some(8)),
                (Some("on"), Some(h)) => C::Digest(Some(
                    h.to_lowercase()
                        .trim_end_matches("utc")
                        .parse::<u8>()
                        .ok()
                        .filter(|h| *h < 24)
                        .ok_or(Usage(U))?,
                )),
                _ => return Err(Usage(U)),
            }
        }
        "automations" => C::Automations,
        "stop" => C::Stop(
            args.first()
                .and_then(|s| s.trim_start_matches('#').parse().ok())
                .ok_or(Usage("/stop <id>"))?,
        ),
        other => return Err(ParseError::Unknown(other.chars().take(32).collect())),
    })
}

fn alert(args: &[&str]) -> Result<AlertSpec, ParseError> {
    const U: &str = "/alert price <netuid> above|below <τ> · /alert move <netuid> <%> · /alert emission|owner <netuid|all> · /alert registration";
    let usage = ParseError::Usage(U);
    let kind = args.first().map(|s| s.to_lowercase()).ok_or(usage.clone())?;
    let subnet = || args.get(1).and_then(|s| SubnetRef::parse(s)).ok_or(usage.clone());
    Ok(match kind.as_str() {
        "price" => {
            let dir = match args.get(2).map(|s| s.to_lowercase()).as_deref() {
                Some("above") | Some(">") => Direction::Above,
                Some("below") | Some("<") => Direction::Below,
                _ => return Err(usage),
            };
            let level = price(args.get(3).ok_or(usage.clone())?)?;
            if level == 0 {
                return Err(usage);
            }
            AlertSpec::Price(subnet()?, dir, level)
        }
        "move" => AlertSpec::Move(subnet()?, percent_bps(args.get(2).ok_or(usage.clone())?)?),
        "emission" => AlertSpec::Emission(all_or_subnet(args.get(1))),
        "owner" => AlertSpec::Owner(all_or_subnet(args.get(1))),
        "registration" | "registrations" => AlertSpec::Registration,
        _ => return Err(usage),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_market_commands() {
        assert_eq!(parse("/price 12"), Ok(Command::Price(SubnetRef::Id(12))));
        assert_eq!(parse("/price@taoplex_bot SN3"), Ok(Command::Price(SubnetRef::Id(3))));
        assert_eq!(parse("/price Apex"), Ok(Command::Price(SubnetRef::Name("apex".into()))));
        assert_eq!(parse("/lang zh"), Ok(Command::Lang(Lang::Zh)));
        assert_eq!(parse("/events all"), Ok(Command::Events(None)));
    }

    #[test]
    fn parses_alerts() {
        assert_eq!(
            parse("/alert price 1 above 0.05"),
            Ok(Command::Alert(AlertSpec::Price(SubnetRef::Id(1), Direction::Above, 50_000_000)))
        );
        assert_eq!(
            parse("/alert move 2 7.5%"),
            Ok(Command::Alert(AlertSpec::Move(SubnetRef::Id(2), 750)))
        );
        assert_eq!(
            parse("/whale all 1000 sell"),
            Ok(Command::Alert(AlertSpec::Whale(
                None,
                Tao::from_rao(1_000_000_000_000),
                WhaleSide::Sell
            )))
        );
        assert_eq!(parse("/quiet 22-7"), Ok(Command::Quiet(Some((22, 7)))));
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert!(matches!(parse("/price"), Err(ParseError::Usage(_))));
        assert!(matches!(parse("/buy 1 abc"), Err(ParseError::Amount(_))));
        assert!(matches!(parse("/buy 1 0"), Err(ParseError::Amount(_))));
        assert!(matches!(parse("/buy 1 1.0000000001"), Err(ParseError::Amount(_))));
        assert!(matches!(parse("/alert move 1 -3"), Err(ParseError::Amount(_))));
        assert!(matches!(parse("/nope"), Err(ParseError::Unknown(_))));
        assert_eq!(parse("hello"), Err(ParseError::NotACommand));
        assert!(parse(&"/price ".repeat(1000)).is_err());
        assert!(matches!(parse("/quiet 25-3"), Err(ParseError::Usage(_))));
        assert!(matches!(parse("/"), Err(ParseError::Unknown(_))));
        assert_eq!(parse("/digest on"), Ok(Command::Digest(Some(8))));
        assert_eq!(parse("/digest on 17utc"), Ok(Command::Digest(Some(17))));
        assert_eq!(parse("/digest off"), Ok(Command::Digest(None)));
        assert!(matches!(parse("/digest on 24"), Err(ParseError::Usage(_))));
        assert_eq!(parse("/backprop 5y"), Err(ParseError::Usage("/backprop [24h|7d|30d]")));
        assert_eq!(parse("/backprop"), Ok(Command::Backprop(market::backprop::Window::Day)));
        assert_eq!(parse("/backprop 7D"), Ok(Command::Backprop(market::backprop::Window::Week)));
    }

    #[test]
    fn parses_automations_and_daily_summaries() {
        assert_eq!(
            parse("/compound all into 2 every 6h"),
            Ok(Command::Compound { source: None, target: SubnetRef::Id(2), every_minutes: 360 })
        );
        assert_eq!(
            parse("/compound SN1 into apex every 90"),
            Ok(Command::Compound {
                source: Some(SubnetRef::Id(1)),
                target: SubnetRef::Name("apex".into()),
                every_minutes: 90
            })
        );
        assert!(matches!(parse("/compound 1 to 2 every 5"), Err(ParseError::Usage(_))));
        assert!(matches!(parse("/compound 1 into 2 every 0"), Err(ParseError::Usage(_))));
        assert!(matches!(parse("/compound 1 into 2 every 31d"), Err(ParseError::Usage(_))));
        assert_eq!(
            parse("/tp 1 12.5"),
            Ok(Command::Exit {
                subnet: SubnetRef::Id(1),
                above: true,
                level: Tao::from_rao(12_500_000_000)
            })
        );
        assert!(matches!(parse("/sl 1 0"), Err(ParseError::Amount(_))));
        assert!(matches!(parse("/sl 1 x"), Err(ParseError::Amount(_))));
        assert!(matches!(parse("/sl 1"), Err(ParseError::Usage(_))));
        assert_eq!(
            parse("/portfolio 5F daily 7"),
            Ok(Command::PortfolioDaily("5F".into(), Some(7)))
        );
        assert_eq!(parse("/portfolio 5F daily"), Ok(Command::PortfolioDaily("5F".into(), Some(8))));
        assert_eq!(parse("/portfolio 5F off"), Ok(Command::PortfolioDaily("5F".into(), None)));
        assert_eq!(parse("/portfolio 5F"), Ok(Command::Portfolio("5F".into())));
        assert!(matches!(parse("/portfolio 5F daily 24"), Err(ParseError::Usage(_))));
    }
}
