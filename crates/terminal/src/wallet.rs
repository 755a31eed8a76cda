//! The browser wallet's pages: `/wallet` (create, import a mnemonic or a `bittensor-wallet`
//! coldkey file, watch an address; lock) and `/sign/{id}` (sign a prepared transaction and
//! follow it to a receipt). The pages carry no secret: keys are made, stored (encrypted in
//! IndexedDB) and used by `assets/wallet.js` and the keys WebAssembly in the browser.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use maud::{Markup, html};

use crate::error::ApiError;
use crate::i18n::Lang;
use crate::pages::{ctx, layout, respond};
use crate::state::AppState;

fn tao(rao: u64) -> String {
    format!("{} τ", chain::Tao::from_rao(rao).to_decimal_string())
}

fn unlock_form() -> Markup {
    html! {
        form #unlock.walletform hidden {
            h3 { "Unlock" }
            p.muted { "Your key is stored encrypted in this browser. Enter its password to sign." }
            label { span { "Password" } input #unlock-password type="password" autocomplete="current-password" required; }
            button type="submit" { "Unlock and sign" }
        }
    }
}

/// The trade panel of a subnet page: buy or sell with a live chain quote as you type, the
/// hotkey picked from the subnet's validators (the owner's hotkey when it has none), then a
/// prepared transaction signed on its sign page. `assets/wallet.js` fills the accounts.
pub(crate) fn trade_card(
    netuid: chain::NetUid,
    symbol: &str,
    validators: &[chain::NeuronInfo],
    owner_hotkey: Option<chain::AccountId>,
) -> Markup {
    html! {
        section.card #trade data-netuid=(netuid) data-symbol=(symbol) {
            div.cardhead { h2 { "Trade" } span.muted { "quoted by the chain as you type" } }
            form #trade-form.walletform.tradeform {
                label { span { "Account" } select #trade-account required {} }
                div.seg role="group" aria-label="side" {
                    button #side-buy type="button" aria-pressed="true" { "Buy" }
                    button #side-sell type="button" aria-pressed="false" { "Sell" }
                }
                label { span #trade-amount-label { "Pay (τ)" } input #trade-amount type="number" min="0" step="any" inputmode="decimal" required; }
                label { span { "Validator hotkey" } select #trade-hotkey required {
                    @for v in validators {
                        option value=(v.hotkey.to_string()) { "UID " (v.uid) " · " (v.hotkey.to_string()) " · stake " (tao(v.stake)) " · dividends " (v.dividends) }
                    }
                    @if validators.is_empty() { @if let Some(h) = owner_hotkey {
                        option value=(h.to_string()) { "owner · " (h.to_string()) }
                    } }
                } }
                label { span { "Slippage tolerance (%)" } input #trade-slippage type="number" min="0" max="100" step="0.01" value="1"; }
                dl.receipt #trade-quote {}
                p #trade-warning.warn hidden {}
                button #trade-submit type="submit" { "Review and sign" }
            }
            p #wallet-message.message role="status" {}
        }
    }
}

/// `GET /wallet`.
pub(crate) async fn wallet(State(s): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let o = s.market.overview().await.ok();
    let c = ctx(&s, &uri, &headers, "wallet", o.as_deref());
    let main = html! {
        section.hero { div {
            h1 { "Wallet" }
            p.sub { "Non-custodial: keys are made and kept in this browser, encrypted with your password; the server only ever sees addresses and signatures." }
        } }
        section.card #accounts-card {
            h2 { "Accounts" }
            ul #accounts.accounts {}
            p #no-accounts.empty { "No account in this browser yet." }
            div.row { button #lock type="button" { "Lock now" } span #lock-state.muted {} }
        }
        div.wallet-grid {
            section.card {
                h2 { "Create" }
                form #create.walletform {
                    label { span { "Name" } input #create-name value="main" required; }
                    label { span { "Password" } input #create-password type="password" autocomplete="new-password" minlength="8" required; }
                    button type="submit" { "Create a new key" }
                }
                div #create-phrase hidden {
                    p.warn { "Write these words down, in order, and keep them offline. They are shown once; whoever has them has the account." }
                    p #phrase.phrase.mono {}
                    label { span #confirm-label { "Word" } input #confirm-word autocomplete="off"; }
                    button #confirm type="button" { "Confirm and save" }
                }
            }
            section.card {
                h2 { "Import a mnemonic" }
                form #import-phrase.walletform {
                    label { span { "Name" } input #phrase-name value="imported" required; }
                    label { span { "Mnemonic" } textarea #phrase-words rows="3" autocomplete="off" spellcheck="false" required {} }
                    label { span { "Password" } input #phrase-password type="password" autocomplete="new-password" minlength="8" required; }
                    button type="submit" { "Import" }
                }
            }
            section.card {
                h2 { "Import a coldkey file" }
                p.muted { "A bittensor-wallet coldkey (~/.bittensor/wallets/<name>/coldkey). It is opened here with its password; Argon2i takes several seconds by design." }
                form #import-keyfile.walletform {
                    label { span { "Name" } input #keyfile-name value="coldkey" required; }
                    label { span { "Coldkey file" } input #keyfile-file type="file" required; }
                    label { span { "Its password" } input #keyfile-password type="password" autocomplete="off"; }
                    label { span { "New password" } input #keyfile-new-password type="password" autocomplete="new-password" minlength="8" required; }
                    button type="submit" { "Import" }
                    progress #keyfile-progress hidden max="100" {}
                }
            }
            section.card {
                h2 { "Watch an address" }
                form #watch.walletform {
                    label { span { "Name" } input #watch-name value="watched" required; }
                    label { span { "SS58 address" } input #watch-address required autocomplete="off"; }
                    button type="submit" { "Watch" }
                }
            }
        }
        p #wallet-message.message role="status" {}
    };
    respond(&c, StatusCode::OK, layout(&c, "Wallet", &["wallet.js"], main))
}

/// `GET /sign/{id}`: a prepared transaction, to sign in the browser.
pub(crate) async fn sign(
    State(s): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(None, &headers);
    let Some(p) = s.tx.for_signing(&id, s.clock.now_ms()) else {
        return ApiError::NotFound(format!(
            "no prepared transaction {id}; it may have expired: prepare it again"
        ))
        .into_page(lang);
    };
    let o = s.market.overview().await.ok();
    let c = ctx(&s, &uri, &headers, "sign", o.as_deref());
    let main = html! {
        section.hero { div { h1 { "Sign a transaction" } p.sub { "Check what it does, then sign it with your key. The key never leaves this browser." } } }
        section.card #signcard data-id=(id) data-payload=(p.payload) data-signer=(p.signer.to_string()) data-expires=(p.expires_at_ms) {
            dl.receipt {
                dt { "What" } dd #tx-description { (p.description) }
                dt { "Signer" } dd.mono { (p.signer.to_string()) }
                dt { "Fee" } dd { (tao(p.fee_rao)) }
                @if let Some(q) = &p.quote {
                    dt { "Quoted" } dd #tx-quote data-amount-out=(q.amount_out) data-min=(q.min_received) { (q.amount_out) " rao out, at least " (q.min_received) " (impact " (format!("{:.3} %", q.impact * 100.0)) ")" }
                }
                @for (i, leg) in p.legs.iter().enumerate() {
                    dt { "Leg " (i + 1) } dd.leg data-leg=(i) {
                        (leg.description)
                        @if let Some(q) = &leg.quote { br; span.muted { "quoted " (q.amount_out) " rao out, at least " (q.min_received) " (impact " (format!("{:.3} %", q.impact * 100.0)) ")" } }
                    }
                }
                dt { "Status" } dd #tx-status { "prepared" }
            }
            (unlock_form())
            p #no-key.warn hidden { "No key for this signer in this browser: import it on the " a href="/wallet" { "wallet page" } "." }
            div.row { button #mute type="button" aria-pressed="false" { "Sound on" } }
            section #receipt hidden {
                h3 { "Receipt" }
                dl.receipt #receipt-list {}
                button #copy-receipt type="button" { "Copy" }
            }
        }
        p #wallet-message.message role="status" {}
    };
    respond(&c, StatusCode::OK, layout(&c, "Sign", &["wallet.js"], main))
}
