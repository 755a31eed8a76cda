//! Cost basis, FIFO over a coldkey's indexed trades, and P&L of a position against its exit
//! value. Pure functions; emission is kept apart from trading P&L: alpha held beyond what the
//! indexed buys left is emission earned (or bought before indexing began) and carries no cost.

use std::collections::{BTreeMap, VecDeque};

use chain::{AccountId, NetUid};
use serde::{Deserialize, Serialize};

use crate::types::{Trade, TradeKind};

/// What the indexed trades left on one (subnet, hotkey) of a coldkey.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basis {
    /// Bought alpha still held (FIFO lots), rao.
    pub lot_alpha: u64,
    /// TAO paid for those lots, fees included, rao.
    pub cost_tao: u64,
    /// Realized trading P&L of sells: proceeds minus the FIFO cost of the lots they used, rao.
    pub realized_tao: i128,
    /// Proceeds of alpha sold beyond the lots (emission or pre-index alpha), rao.
    pub emission_sold_tao: u64,
}

#[derive(Default)]
struct Book {
    lots: VecDeque<(u64, u64)>,
    basis: Basis,
}

impl Book {
    fn buy(&mut self, alpha: u64, cost: u64) {
        if alpha > 0 {
            self.lots.push_back((alpha, cost));
            self.basis.lot_alpha = self.basis.lot_alpha.saturating_add(alpha);
            self.basis.cost_tao = self.basis.cost_tao.saturating_add(cost);
        }
    }

    /// Takes `alpha` out FIFO: (alpha covered by lots, their cost).
    fn take(&mut self, mut alpha: u64) -> (u64, u64) {
        let (mut covered, mut cost) = (0u64, 0u64);
        while alpha > 0 {
            let Some(front) = self.lots.front_mut() else { break };
            let n = alpha.min(front.0);
            let c = if n == front.0 { front.1 } else { share(front.1, n, front.0) };
            front.0 -= n;
            front.1 -= c;
            if front.0 == 0 {
                self.lots.pop_front();
            }
            alpha -= n;
            covered += n;
            cost += c;
        }
        self.basis.lot_alpha -= covered;
        self.basis.cost_tao -= cost;
        (covered, cost)
    }
}

/// `amount × part / whole`, rounded down; 0 when `whole` is 0.
pub fn share(amount: u64, part: u64, whole: u64) -> u64 {
    if whole == 0 {
        return 0;
    }
    u64::try_from(u128::from(amount) * u128::from(part) / u128::from(whole)).unwrap_or(u64::MAX)
}

/// FIFO cost basis per (subnet, hotkey) of `coldkey` over `trades` (any order; replayed by
/// block, extrinsic, sequence). A move or swap carries its lots' cost to the destination; a
/// transfer away removes lots without realizing; a transfer in starts a lot at the TAO value
/// moved.
pub fn fifo_basis(coldkey: AccountId, trades: &[Trade]) -> BTreeMap<(NetUid, AccountId), Basis> {
    let mut order: Vec<&Trade> = trades.iter().collect();
    order.sort_by_key(|t| (t.block, t.extrinsic, t.seq));
    let mut books: BTreeMap<(NetUid, AccountId), Book> = BTreeMap::new();
    for t in order {
        let mine = t.coldkey == coldkey;
        match t.kind {
            TradeKind::Buy if mine => {
                books.entry((t.netuid, t.hotkey)).or_default().buy(t.alpha, t.tao)
            }
            TradeKind::Sell if mine => {
                let book = books.entry((t.netuid, t.hotkey)).or_default();
                let (covered, cost) = book.take(t.alpha);
                let trading = share(t.tao, covered, t.alpha);
                book.basis.realized_tao += i128::from(trading) - i128::from(cost);
                book.basis.emission_sold_tao += t.tao - trading;
            }
            TradeKind::Buy | TradeKind::Sell => {}
            TradeKind::Move | TradeKind::Swap | TradeKind::Transfer => {
                let dest_netuid = t.dest_netuid.unwrap_or(t.netuid);
                let dest_hotkey = t.dest_hotkey.unwrap_or(t.hotkey);
                let dest_coldkey = t.dest_coldkey.unwrap_or(t.coldkey);
                let arrived = if dest_netuid == t.netuid { t.alpha } else { t.alpha_dest };
                // Own move: the lots' cost travels on the alpha they became; the rest stays
                // emission. A transfer in starts a lot at the TAO value moved.
                let carried = if mine {
                    let (covered, cost) =
                        books.entry((t.netuid, t.hotkey)).or_default().take(t.alpha);
                    Some((share(arrived, covered, t.alpha), cost))
                } else {
                    Some((arrived, t.tao))
                };
                if let Some((alpha, cost)) = carried.filter(|_| dest_coldkey == coldkey) {
                    books.entry((dest_netuid, dest_hotkey)).or_default().buy(alpha, cost);
                }
            }
        }
    }
    books.into_iter().map(|(k, b)| (k, b.basis)).collect()
}

/// A position's P&L: its exit value split between the bought lots and the rest (emission),
/// pro rata by alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pnl {
    /// Cost of the alpha held that indexed buys account for, rao.
    pub cost_tao: u64,
    /// Exit value of that alpha minus its cost, rao.
    pub unrealized_tao: i128,
    /// Realized trading P&L, rao.
    pub realized_tao: i128,
    /// Alpha held beyond the lots: emission earned, rao.
    pub emission_alpha: u64,
    /// Exit value of that emission alpha plus emission already sold, rao.
    pub emission_tao: u64,
}

/// P&L of holding `alpha` with exit value `exit_tao`, given its basis.
pub fn pnl(basis: &Basis, alpha: u64, exit_tao: u64) -> Pnl {
    // Lots beyond what is held now were sold before indexing caught up; count only what is held.
    let lot_alpha = basis.lot_alpha.min(alpha);
    let cost_tao = share(basis.cost_tao, lot_alpha, basis.lot_alpha);
    let lot_exit = share(exit_tao, lot_alpha, alpha);
    Pnl {
        cost_tao,
        unrealized_tao: i128::from(lot_exit) - i128::from(cost_tao),
        realized_tao: basis.realized_tao,
        emission_alpha: alpha - lot_alpha,
        emission_tao: (exit_tao - lot_exit).saturating_add(basis.emission_sold_tao),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: AccountId = AccountId([1; 32]);
    const HOT: AccountId = AccountId([2; 32]);

    fn t(block: u64, kind: TradeKind, tao: u64, alpha: u64) -> Trade {
        Trade {
            block,
            extrinsic: 0,
            seq: 0,
            kind,
            netuid: 1,
            dest_netuid: None,
            coldkey: ME,
            hotkey: HOT,
            dest_coldkey: None,
            dest_hotkey: None,
            tao,
            alpha,
            alpha_dest: 0,
            fee_tao: 0,
            fee_alpha: 0,
            price: 0,
        }
    }

    #[test]
    fn sells_use_the_oldest_lots_first() {
        // Given in reverse order: replay sorts by block.
        let trades = [
            t(3, TradeKind::Sell, 90, 150),
            t(2, TradeKind::Buy, 200, 100),
            t(1, TradeKind::Buy, 100, 100),
        ];
        let b = &fifo_basis(ME, &trades)[&(1, HOT)];
        // The sell took lot 1 (100 α, cost 100) and half of lot 2 (50 α, cost 100): cost 200.
        assert_eq!(b.lot_alpha, 50);
        assert_eq!(b.cost_tao, 100);
        assert_eq!(b.realized_tao, 90 - 200);
        assert_eq!(b.emission_sold_tao, 0);
    }

    #[test]
    fn alpha_beyond_the_lots_is_emission_not_trading_pnl() {
        let trades = [t(1, TradeKind::Buy, 100, 100), t(5, TradeKind::Sell, 60, 120)];
        let b = &fifo_basis(ME, &trades)[&(1, HOT)];
        // 100 of the 120 sold had a lot; the other 20 were emission.
        assert_eq!(b.realized_tao, 50 - 100);
        assert_eq!(b.emission_sold_tao, 10);
        assert_eq!(b.lot_alpha, 0);

        let b = Basis { lot_alpha: 100, cost_tao: 100, ..Basis::default() };
        let p = pnl(&b, 125, 250);
        assert_eq!(p.cost_tao, 100);
        assert_eq!(p.unrealized_tao, 200 - 100);
        assert_eq!(p.emission_alpha, 25);
        assert_eq!(p.emission_tao, 50);
    }

    #[test]
    fn a_move_carries_cost_and_other_coldkeys_trades_are_ignored() {
        let mut other = t(1, TradeKind::Buy, 999, 999);
        other.coldkey = AccountId([9; 32]);
        let mut mv = t(2, TradeKind::Move, 100, 100);
        mv.dest_netuid = Some(2);
        mv.alpha_dest = 40;
        let books = fifo_basis(ME, &[t(1, TradeKind::Buy, 100, 100), mv, other]);
        assert_eq!(books[&(1, HOT)].lot_alpha, 0);
        let moved = &books[&(2, HOT)];
        assert_eq!((moved.lot_alpha, moved.cost_tao, moved.realized_tao), (40, 100, 0));
    }
}
