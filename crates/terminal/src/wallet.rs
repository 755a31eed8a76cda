//! The browser wallet's pages: `/wallet` (create, import a mnemonic or a `bittensor-wallet`
//! coldkey file, connect a browser extension's accounts, watch an address; lock) and `/sign/{id}` (sign a prepared transaction and
//! follow it to a receipt). The pages carry no secret: keys are made, stored (encrypted in
//! IndexedDB) and used by `assets/wallet.js` and the keys WebAssembly in the browser.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use maud::{Markup, html};

use crate::error::ApiError;
use crate::fmt;
use crate::i18n::{Catalogue, Lang};
use crate::pages::{ctx, layout, respond};
use crate::state::AppState;

/// The strings `assets/wallet.js` writes into the page, in the page's language (a template is
/// inert, so this adds no script under the CSP).
pub(crate) fn script_strings(t: &Catalogue) -> Markup {
    html! {
        template #wallet-strings {
            @for (k, v) in t.wallet_js { span data-k=(k) { (v) } }
        }
    }
}

fn unlock_form(t: &Catalogue) -> Markup {
    html! {
        form #unlock.walletform hidden {
            h3 { (t.w_unlock) }
            p.muted { (t.w_unlock_note) }
            label { span { (t.w_password) } input #unlock-password type="password" autocomplete="current-password" required; }
            button type="submit" { (t.w_unlock_sign) }
        }
    }
}

/// The trade panel of a subnet page: buy or sell with a live chain quote as you type, swap
/// stake into another subnet (quoted leg by leg), or move stake to another validator or
/// transfer it to another coldkey on the subnet; the hotkey picked from the subnet's validators
/// (the owner's hotkey when it has none), then a prepared transaction signed on its sign page.
/// `assets/wallet.js` fills the accounts. The overview opens the same card in a dialog
/// ([`trade_fragment`]).
pub(crate) fn trade_card(
    t: &Catalogue,
    netuid: chain::NetUid,
    symbol: &str,
    validators: &[chain::NeuronInfo],
    owner_hotkey: Option<chain::AccountId>,
    markets: &[market::OverviewRow],
) -> Markup {
    // The subnet's validators (the owner's hotkey when it has none): where to stake, and where
    // a move goes.
    let options = html! {
        @for v in validators {
            option value=(v.hotkey.to_string()) { (t.uid) " " (v.uid) " · " (v.hotkey.to_string()) " · " (t.stake) " " (fmt::tao_exact(v.stake)) " · " (t.dividends) " " (v.dividends) }
        }
        @if validators.is_empty() { @if let Some(h) = owner_hotkey {
            option value=(h.to_string()) { (t.w_owner) " · " (h.to_string()) }
        } }
    };
    html! {
        section.card #trade data-netuid=(netuid) data-symbol=(symbol) {
            div.cardhead { h2 { (t.w_trade) } span.muted { (t.w_quoted_live) } }
            form #trade-form.walletform.tradeform {
                label { span { (t.account) } select #trade-account required {} }
                div.seg role="group" aria-label=(t.pf_side) {
                    button #side-buy type="button" aria-pressed="true" { (t.buy) }
                    button #side-sell type="button" aria-pressed="false" { (t.sell) }
                    button #side-swap type="button" aria-pressed="false" { (t.w_swap) }
                    button #side-move type="button" aria-pressed="false" { (t.w_move) }
                    button #side-transfer type="button" aria-pressed="false" { (t.w_transfer) }
                }
                label { span #trade-amount-label { (t.w_pay) }
                    span.amountrow {
                        input #trade-amount type="number" min="0" step="any" inputmode="decimal" required;
                        button #trade-max type="button" title=(t.w_max_title) { (t.w_max) }
                    }
                }
                label { span { (t.w_validator_hotkey) } select #trade-hotkey required { (options) } }
                label #trade-dest-netuid-row hidden { span { (t.w_to_subnet) } select #trade-dest-netuid {
                    @for target in markets.iter().filter(|x| x.netuid != netuid) {
                        option value=(target.netuid) data-symbol=(target.symbol) {
                            "SN" (target.netuid) " · " (target.symbol) @if !target.name.is_empty() { " · " (target.name) }
                        }
                    }
                } }
                label #trade-dest-hotkey-row hidden { span { (t.w_to_hotkey) } select #trade-dest-hotkey { (options) } }
                label #trade-dest-coldkey-row hidden { span { (t.w_to_coldkey) } input #trade-dest-coldkey.mono autocomplete="off" spellcheck="false"; }
                label #trade-slippage-row { span { (t.w_slippage) } input #trade-slippage type="number" min="0" max="100" step="0.01" value="1"; }
                label.check #trade-partial-row { input #trade-partial type="checkbox"; span { (t.w_partial) } }
                p #trade-holding.muted hidden {}
                dl.receipt #trade-quote {}
                p #trade-lesson.muted hidden {}
                p #trade-warning.warn hidden {}
                button #trade-submit type="submit" { (t.w_review) }
            }
            p #wallet-message.message role="status" {}
            (script_strings(t))
        }
    }
}

/// `GET /subnets/{netuid}/trade`: a subnet's trade card alone, which the overview's "Trade"
/// buttons open in a dialog (`assets/wallet.js`), so a trade starts from the market list.
pub(crate) async fn trade_fragment(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (lang, netuid) = match crate::pages::page_netuid(&raw, &headers) {
        Ok(v) => v,
        Err(page) => return *page,
    };
    let o = match s.market.overview().await {
        Ok(o) => o,
        Err(e) => return ApiError::from(e).into_page(lang),
    };
    let Some(row) = o.rows.iter().find(|r| r.netuid == netuid) else {
        return ApiError::from(market::MarketError::UnknownSubnet(netuid)).into_page(lang);
    };
    let validators = crate::api::validator_list(&s, netuid).await.unwrap_or_default();
    let owner_hotkey = s.chain.subnet(netuid).await.ok().map(|i| i.owner_hotkey);
    let c = ctx(&s, &uri, &headers, "subnet", Some(&o));
    let name = if row.name.is_empty() { format!("SN{netuid}") } else { row.name.clone() };
    let card = html! {
        div.tradehead {
            span class=(crate::pages::hue(netuid)) { (row.symbol) }
            a href=(format!("/subnets/{netuid}")) { b { (name) } }
            span.tag { "SN" (netuid) }
        }
        (trade_card(c.t(), netuid, &row.symbol, &validators, owner_hotkey, &o.rows))
    };
    respond(&c, StatusCode::OK, card)
}

/// `GET /wallet`.
pub(crate) async fn wallet(State(s): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let o = s.market.overview().await.ok();
    let c = ctx(&s, &uri, &headers, "wallet", o.as_deref());
    let t = c.t();
    let main = html! {
        section.hero { div {
            h1 { (t.nav_wallet) }
            p.sub { (t.w_sub) }
        } }
        section.card #accounts-card {
            h2 { (t.w_accounts) }
            ul #accounts.accounts {}
            p #no-accounts.empty { (t.w_no_accounts) }
            div.row { button #lock type="button" { (t.w_lock) } span #lock-state.muted {} }
        }
        div.wallet-grid {
            section.card {
                h2 { (t.w_create) }
                form #create.walletform {
                    label { span { (t.w_name) } input #create-name value="main" required; }
                    label { span { (t.w_password) } input #create-password type="password" autocomplete="new-password" minlength="8" required; }
                    button type="submit" { (t.w_create_key) }
                }
                div #create-phrase hidden {
                    p.warn { (t.w_write_down) }
                    p #phrase.phrase.mono {}
                    label { span #confirm-label { (t.w_word) } input #confirm-word autocomplete="off"; }
                    button #confirm type="button" { (t.w_confirm) }
                }
            }
            section.card {
                h2 { (t.w_import_phrase) }
                form #import-phrase.walletform {
                    label { span { (t.w_name) } input #phrase-name value="imported" required; }
                    label { span { (t.w_mnemonic) } textarea #phrase-words rows="3" autocomplete="off" spellcheck="false" required {} }
                    label { span { (t.w_password) } input #phrase-password type="password" autocomplete="new-password" minlength="8" required; }
                    button type="submit" { (t.w_import) }
                }
            }
            section.card {
                h2 { (t.w_import_keyfile) }
                p.muted { (t.w_keyfile_note) }
                form #import-keyfile.walletform {
                    label { span { (t.w_name) } input #keyfile-name value="coldkey" required; }
                    label { span { (t.w_keyfile) } input #keyfile-file type="file" required; }
                    label { span { (t.w_its_password) } input #keyfile-password type="password" autocomplete="off"; }
                    label { span { (t.w_new_password) } input #keyfile-new-password type="password" autocomplete="new-password" minlength="8" required; }
                    button type="submit" { (t.w_import) }
                    progress #keyfile-progress hidden max="100" {}
                }
            }
            section.card {
                h2 { (t.w_extension) }
                p.muted { (t.w_extension_note) }
                div.walletform { button #connect-extension type="button" { (t.w_connect_extension) } }
            }
            section.card {
                h2 { (t.w_watch) }
                form #watch.walletform {
                    label { span { (t.w_name) } input #watch-name value="watched" required; }
                    label { span { (t.w_ss58) } input #watch-address required autocomplete="off"; }
                    button type="submit" { (t.w_watch_btn) }
                }
            }
        }
        p #wallet-message.message role="status" {}
        (script_strings(t))
    };
    respond(&c, StatusCode::OK, layout(&c, t.nav_wallet, &["wallet.js"], main))
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
    let t = c.t();
    let main = html! {
        section.hero { div { h1 { (t.w_sign_title) } p.sub { (t.w_sign_sub) } } }
        section.card #signcard data-id=(id) data-payload=(p.payload) data-signer=(p.signer.to_string()) data-expires=(p.expires_at_ms) data-signer-payload=[p.signer_payload.as_deref()] {
            dl.receipt {
                dt { (t.w_what) } dd #tx-description { (crate::describe::describe(&p.call, c.lang)) }
                dt { (t.signer) } dd.mono { (p.signer.to_string()) }
                dt { (t.tx_fee) } dd { (fmt::tao_exact(p.fee_rao)) }
                @if let Some(q) = &p.quote {
                    dt { (t.w_quoted) } dd #tx-quote data-amount-out=(q.amount_out) data-min=(q.min_received) { (q.amount_out) " " (t.w_rao_out) " " (q.min_received) " (" (t.impact) " " (format!("{:.3} %", q.impact * 100.0)) ")" }
                }
                @for (i, (leg, words)) in p.legs.iter().zip(crate::describe::legs(&p.call, c.lang)).enumerate() {
                    dt { (t.w_leg) " " (i + 1) } dd.leg data-leg=(i) {
                        (words)
                        @if let Some(q) = &leg.quote { br; span.muted { (t.w_quoted) " " (q.amount_out) " " (t.w_rao_out) " " (q.min_received) " (" (t.impact) " " (format!("{:.3} %", q.impact * 100.0)) ")" } }
                    }
                }
                dt { (t.w_status) } dd #tx-status { "prepared" }
            }
            (unlock_form(t))
            div #ext-sign.walletform hidden {
                p #ext-sign-note.muted {}
                button #ext-sign-btn type="button" { (t.w_ext_sign) }
            }
            p #no-key.warn hidden { (t.w_no_key) " " a href="/wallet" { (t.w_wallet_page) } (t.w_no_key_end) }
            div.row { button #mute type="button" aria-pressed="false" { (t.w_sound_on) } }
            section #receipt hidden {
                h3 { (t.w_receipt) }
                dl.receipt #receipt-list {}
                button #copy-receipt type="button" { (t.w_copy) }
            }
        }
        p #wallet-message.message role="status" {}
        (script_strings(t))
    };
    respond(&c, StatusCode::OK, layout(&c, t.w_sign, &["wallet.js"], main))
}
