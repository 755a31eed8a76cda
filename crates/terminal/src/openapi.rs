//! The OpenAPI 3.1 document of the public API, written by hand (no code generation: it keeps
//! the build light) and checked by a snapshot test.

use axum::Json;
use serde_json::{Value, json};

fn param(name: &str, location: &str, description: &str, schema: Value, required: bool) -> Value {
    json!({ "name": name, "in": location, "description": description, "required": required, "schema": schema })
}

fn netuid_path() -> Value {
    param(
        "netuid",
        "path",
        "Subnet id.",
        json!({ "type": "integer", "minimum": 0, "maximum": 65535 }),
        true,
    )
}

fn limit(default: u32, max: u32) -> Value {
    param(
        "limit",
        "query",
        &format!("Page size (default {default}, at most {max})."),
        json!({ "type": "integer", "minimum": 1, "maximum": max, "default": default }),
        false,
    )
}

fn rao(description: &str) -> Value {
    json!({ "type": "string", "pattern": "^[0-9]+$", "description": format!("{description} Integer rao (1 τ = 10^9 rao) as a string.") })
}

fn ok(description: &str, schema: &str) -> Value {
    json!({
        "200": { "description": description, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } },
        "400": { "$ref": "#/components/responses/BadRequest" },
        "429": { "$ref": "#/components/responses/TooManyRequests" }
    })
}

fn ok_404(description: &str, schema: &str) -> Value {
    let mut v = ok(description, schema);
    if let Some(m) = v.as_object_mut() {
        m.insert("404".into(), json!({ "$ref": "#/components/responses/NotFound" }));
    }
    v
}

fn get(op: &str, tag: &str, summary: &str, params: Vec<Value>, responses: Value) -> Value {
    json!({ "get": { "operationId": op, "tags": [tag], "summary": summary, "parameters": params, "responses": responses } })
}

fn error_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn post(op: &str, summary: &str, request: &str, responses: Value) -> Value {
    json!({ "post": { "operationId": op, "tags": ["trading"], "summary": summary,
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{request}") } } } },
        "responses": responses } })
}

/// The trading paths (quote and prepared transactions) and their schemas.
fn trading() -> (Value, Value) {
    let refused = |extra: &[(&str, &str)]| {
        let mut v = json!({
            "400": { "$ref": "#/components/responses/BadRequest" },
            "429": { "$ref": "#/components/responses/TooManyRequests" },
            "502": error_response("The chain did not answer (`chain_error`).")
        });
        if let Some(m) = v.as_object_mut() {
            for (status, description) in extra {
                m.insert((*status).into(), error_response(description));
            }
        }
        v
    };
    let mut prepare = refused(&[
        (
            "422",
            "The trade would fail on chain (`quote_failed`) or the chain refuses the transaction (`refused`).",
        ),
        ("503", "Too many prepared transactions are pending (`busy`)."),
    ]);
    let mut submit = refused(&[
        ("404", "No prepared transaction has this id (`unknown_tx`)."),
        ("409", "The id was already submitted (`already_submitted`); an id is used once."),
        ("410", "The prepared transaction expired (`expired`); prepare it again."),
        ("422", "The chain refused the transaction before inclusion (`refused`), nothing charged."),
    ]);
    let mut status = json!({
        "404": { "description": "No prepared transaction has this id (`unknown_tx`).", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
    });
    let mut quote = ok("The chain's quote.", "Quote");
    if let Some(m) = quote.as_object_mut() {
        m.insert(
            "422".into(),
            error_response(
                "The trade would fail on chain (`quote_failed`), e.g. more than the pool holds.",
            ),
        );
    }
    let mut swap = quote.clone();
    if let Some(m) = swap.as_object_mut() {
        m.insert("200".into(), json!({ "description": "The chain's quote of both legs.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SwapQuote" } } } }));
    }
    let mut lesson = quote.clone();
    if let Some(m) = lesson.as_object_mut() {
        m.insert("200".into(), json!({ "description": "The projection.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/LessonAnswer" } } } }));
    }
    let ok_schema = |description: &str, schema: &str| json!({ "description": description, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } });
    for (v, description, schema) in [
        (
            &mut prepare,
            "Prepared: sign `payload` with the signer's sr25519 key, then submit.",
            "Prepared",
        ),
        (
            &mut submit,
            "Accepted into the chain's pool; follow it on the stream or at /api/v1/tx/{id}.",
            "Submitted",
        ),
        (&mut status, "The transaction's status.", "TxStatus"),
    ] {
        if let Some(m) = v.as_object_mut() {
            m.insert("200".into(), ok_schema(description, schema));
        }
    }
    let paths = json!({
        "/api/v1/quote": get("quote", "trading", "The chain's quote of a swap now: amount out, fee, prices before and after, impact, minimum received and limit price at a tolerance.", vec![
            param("netuid", "query", "Subnet.", json!({ "type": "integer", "minimum": 0, "maximum": 65535 }), true),
            param("side", "query", "`buy` (TAO in, alpha out) or `sell` (alpha in, TAO out).", json!({ "type": "string", "enum": ["buy", "sell"] }), true),
            param("amount", "query", "Amount in, rao.", json!({ "type": "integer", "minimum": 1 }), true),
            param("tolerance_bps", "query", "Slippage tolerance in basis points (default 50).", json!({ "type": "integer", "minimum": 0, "maximum": 10000 }), false),
        ], quote),
        "/api/v1/quote/swap": get("quote_swap", "trading", "The chain's quote of swapping staked alpha from subnet `from` to subnet `to` (same hotkey): the sell on `from`, the buy on `to` with its TAO, the price ratio before and after, and the ratio limit at a tolerance that `swap_stake_limit` takes. Prepare `swap_stake` with `tolerance_bps` to trade it.", vec![
            param("from", "query", "Subnet the alpha leaves.", json!({ "type": "integer", "minimum": 0, "maximum": 65535 }), true),
            param("to", "query", "Subnet the alpha goes to (not `from`).", json!({ "type": "integer", "minimum": 0, "maximum": 65535 }), true),
            param("amount", "query", "Alpha of `from` to swap, rao.", json!({ "type": "integer", "minimum": 1 }), true),
            param("tolerance_bps", "query", "Slippage tolerance in basis points (default 50).", json!({ "type": "integer", "minimum": 0, "maximum": 10000 }), false),
        ], swap),
        "/api/v1/quote/lesson": get("quote_lesson", "trading", "What the quoted swap teaches the network: the subnet's emission share now, in a day, 7 days and at convergence if prices then hold, with and without the trade. Apart from `/api/v1/quote` so the quote stays fast; the trade panel asks for it after each quote.", vec![
            param("netuid", "query", "Subnet.", json!({ "type": "integer", "minimum": 0, "maximum": 65535 }), true),
            param("side", "query", "`buy` (TAO in, alpha out) or `sell` (alpha in, TAO out).", json!({ "type": "string", "enum": ["buy", "sell"] }), true),
            param("amount", "query", "Amount in, rao.", json!({ "type": "integer", "minimum": 1 }), true),
        ], lesson),
        "/api/v1/basket": get("basket", "trading", "Plans a basket buy: `amount` split over the top `n` subnets by market cap (root excluded), equally or by `weights`, exactly to the rao (the rounding's rao go one each to the first legs); per leg the subnet, its share, the hotkey (the subnet's largest validator, else its owner's hotkey) and the chain's quote. Prepare the legs as one `batch_all` of `add_stake` calls with `tolerance_bps`.", vec![
            param("amount", "query", "TAO to spend in all, rao.", json!({ "type": "integer", "minimum": 1 }), true),
            param("n", "query", "How many subnets (default 5).", json!({ "type": "integer", "minimum": 2, "maximum": 20, "default": 5 }), false),
            param("weights", "query", "One whole-number weight per subnet, comma-separated (e.g. `3,1,1,1,1`); equal when absent.", json!({ "type": "string" }), false),
            param("tolerance_bps", "query", "Slippage tolerance in basis points (default 50).", json!({ "type": "integer", "minimum": 0, "maximum": 10000 }), false),
        ], json!({ "200": { "description": "The plan: `amount`, `tolerance_bps` and `legs` (netuid, name, symbol, market_cap, hotkey, weight, amount, quote).", "content": { "application/json": {} } } })),
        "/api/v1/basket/rebalance": get("basket_rebalance", "trading", "Plans a rebalance of a coldkey's positions (root excluded) to target weights over the top `n` subnets by market cap: each subnet is worth what its positions sell for now; subnets above target sell the excess from each position in proportion (`sells`: netuid, hotkey, held, alpha, quote), subnets below buy (`buys`: netuid, name, hotkey, weight, amount, quote) with exactly the TAO the sells are quoted to return. Subnets within 0.5 % of the portfolio of their target, and legs under 0.002 τ, are left alone. Prepare the sells then the buys as one `batch_all` with `tolerance_bps`.", vec![
            param("coldkey", "query", "The coldkey, SS58.", json!({ "type": "string" }), true),
            param("n", "query", "How many subnets (default 5).", json!({ "type": "integer", "minimum": 2, "maximum": 20, "default": 5 }), false),
            param("weights", "query", "One whole-number weight per subnet, comma-separated; equal when absent.", json!({ "type": "string" }), false),
            param("tolerance_bps", "query", "Slippage tolerance in basis points (default 50).", json!({ "type": "integer", "minimum": 0, "maximum": 10000 }), false),
        ], json!({ "200": { "description": "The plan: `coldkey`, `value`, `tolerance_bps`, `sells`, `buys`.", "content": { "application/json": {} } } })),
        "/api/v1/tx/prepare": post("tx_prepare", "Prepares a call for a signer: the exact payload to sign (the signer's key never reaches the server), the call in words, the fee and, for trades, the chain's quote. A `batch_all` (all or nothing, at most 64 calls, never a batch inside a batch) is quoted leg by leg in `legs`. With `tolerance_bps`, a market stake or unstake becomes its fill-or-kill limit form at the quote's limit price. Expires after 120 s by default.", "PrepareRequest", prepare),
        "/api/v1/tx/submit": post("tx_submit", "Submits the signature of a prepared transaction. The signature must verify for the prepared signer over the prepared payload, or nothing is submitted (`bad_signature`). Single use.", "SubmitRequest", submit),
        "/api/v1/tx/{id}": get("tx_status", "trading", "A prepared transaction's status: prepared, submitted, in_block, finalized, failed (with the chain's reason) or expired.", vec![
            param("id", "path", "The id `prepare` returned.", json!({ "type": "string" }), true),
        ], status),
    });
    let schemas = json!({
        "Quote": { "type": "object", "properties": {
            "netuid": { "type": "integer" }, "side": { "type": "string", "enum": ["buy", "sell"] },
            "amount_in": rao("Amount in."), "amount_out": rao("Amount out."), "fee": rao("Swap fee, in the input token."),
            "price_before": rao("Spot price per alpha before."), "price_after": rao("Spot price per alpha after."),
            "impact": { "type": "number", "description": "Price impact as a fraction." },
            "tolerance_bps": { "type": "integer" }, "min_received": rao("Least amount out at the tolerance."),
            "limit_price": rao("The limit price (per alpha) a limit order at the tolerance carries.")
        } },
        "SwapQuote": { "type": "object", "properties": {
            "from": { "type": "integer" }, "to": { "type": "integer" },
            "sell": { "$ref": "#/components/schemas/Quote" },
            "buy": { "$ref": "#/components/schemas/Quote", "description": "With the pool fee, which the chain does not charge on a swap's second leg: a floor." },
            "amount_out": rao("Alpha of `to` received, at least."), "tolerance_bps": { "type": "integer" },
            "min_received": rao("Least alpha of `to` at the tolerance."),
            "ratio_before": rao("Price of `from` over price of `to`, × 10⁹, now."),
            "ratio_after": rao("The same after both legs."),
            "limit_ratio": rao("The ratio limit at the tolerance (`swap_stake_limit`'s `limit_price`)."),
            "impact": { "type": "number", "description": "Both legs' price impact compounded, as a fraction." }
        } },
        "LessonAnswer": { "type": "object", "properties": {
            "lesson": { "oneOf": [{ "$ref": "#/components/schemas/Lesson" }, { "type": "null" }], "description": "null when it could not be projected." }
        } },
        "Lesson": { "type": "object", "description": "The traded subnet's emission share now and projected a day, 7 days and at convergence after the trade, if prices then hold, with the chain's share rule (`market::lesson`).", "properties": {
            "rule": { "type": "string", "description": "The share rule in force." },
            "block": { "type": "integer", "description": "The block the projection starts after." },
            "subnets": { "type": "array", "description": "One per subnet the trade touches.", "items": { "type": "object", "properties": {
                "netuid": { "type": "integer" },
                "now": { "$ref": "#/components/schemas/LessonShare" },
                "horizons": { "type": "array", "items": { "type": "object", "properties": {
                    "horizon": { "type": "string", "description": "`1d`, `7d` or `convergence`." },
                    "with_trade": { "$ref": "#/components/schemas/LessonShare" },
                    "without_trade": { "$ref": "#/components/schemas/LessonShare" }
                } } }
            } } }
        } },
        "LessonShare": { "type": "object", "properties": {
            "share_ppb": { "type": "integer", "description": "Share of the block emission, parts per billion (floored)." },
            "tao_per_day": rao("TAO a day at that share (7200 blocks).")
        } },
        "PrepareRequest": { "type": "object", "required": ["signer", "call"], "additionalProperties": false, "properties": {
            "signer": { "type": "string", "description": "SS58 address of the account that signs and pays." },
            "call": { "type": "object", "required": ["name"], "description": "A call: `name` (snake case: transfer, add_stake, add_stake_limit, remove_stake, remove_stake_limit, swap_stake_limit, move_stake, transfer_stake, …) and its fields; accounts as SS58, amounts as rao strings.", "examples": [{ "name": "add_stake", "hotkey": "5F…", "netuid": 1, "amount_staked": "1000000000" }] },
            "tolerance_bps": { "type": "integer", "minimum": 0, "maximum": 10000, "description": "Slippage tolerance; turns a market stake/unstake into a fill-or-kill limit order." },
            "allow_partial": { "type": "boolean", "default": false, "description": "With `tolerance_bps`: the limit order fills as much as the limit price allows instead of failing whole." },
            "format": { "type": "string", "enum": ["native", "substrate"], "default": "native", "description": "`substrate`: prepare a Subtensor v4 extrinsic (always so on finney and testnet), for signers that take polkadot.js's `SignerPayloadJSON` (browser extensions); the answer then carries `signer_payload`." },
            "lang": { "type": "string", "enum": ["en", "zh"], "default": "en", "description": "The language of `description` and of each leg's words (here, in the status and in the receipt); figures and accounts are the same in both." }
        } },
        "Prepared": { "type": "object", "properties": {
            "id": { "type": "string", "description": "Opaque random id." },
            "payload": { "type": "string", "description": "0x-hex of the exact bytes to sign (sr25519, `substrate` context)." },
            "description": { "type": "string", "description": "The call in plain words." },
            "fee_rao": { "type": "integer", "description": "Transaction fee estimate, rao." },
            "quote": { "oneOf": [{ "$ref": "#/components/schemas/Quote" }, { "type": "null" }] },
            "expires_at_ms": { "type": "integer", "description": "Unix ms after which submit answers 410." },
            "sign_url": { "type": "string", "description": "A page where a browser wallet or extension signs and submits it." },
            "signer_payload": { "$ref": "#/components/schemas/SignerPayload" }
        } },
        "SignerPayload": { "type": "object", "description": "A v4 extrinsic's signing payload as polkadot.js hands it to a signer (`SignerPayloadJSON`): pass it to an injected extension's `signer.signPayload`. Present when the transaction was prepared as a Subtensor extrinsic.", "properties": {
            "address": { "type": "string" }, "blockHash": { "type": "string" }, "blockNumber": { "type": "string" },
            "era": { "type": "string" }, "genesisHash": { "type": "string" }, "method": { "type": "string" },
            "nonce": { "type": "string" }, "specVersion": { "type": "string" }, "tip": { "type": "string" },
            "transactionVersion": { "type": "string" }, "signedExtensions": { "type": "array", "items": { "type": "string" } },
            "version": { "type": "integer" }, "mode": { "type": "integer" }
        } },
        "SubmitRequest": { "type": "object", "required": ["id", "signature"], "additionalProperties": false, "properties": {
            "id": { "type": "string" }, "signature": { "type": "string", "description": "0x-hex of the 64-byte sr25519 signature over `payload`, or of the 65-byte `MultiSignature` (0x01 then the sr25519 signature) an extension's `signPayload` returns." }
        } },
        "Submitted": { "type": "object", "properties": { "tx_hash": { "type": "string", "description": "0x-hex transaction hash." } } },
        "TxStatus": { "type": "object", "properties": {
            "id": { "type": "string" },
            "status": { "type": "string", "enum": ["prepared", "submitted", "in_block", "finalized", "failed", "expired"] },
            "signer": { "type": "string" }, "description": { "type": "string" }, "expires_at_ms": { "type": "integer" },
            "tx_hash": { "type": "string" }, "block": { "type": "integer" }, "block_hash": { "type": "string" },
            "index": { "type": "integer", "description": "Extrinsic index in the block." },
            "reason": { "type": "string", "description": "Why it failed: the chain's error." },
            "events": { "type": "array", "items": { "type": "object" }, "description": "The extrinsic's events (what the trade did)." },
            "quote": { "oneOf": [{ "$ref": "#/components/schemas/Quote" }, { "type": "null" }], "description": "The quote at preparation." }
        } }
    });
    (paths, schemas)
}

fn merge(into: &mut Value, pointer: &str, extra: Value) {
    if let (Some(target), Value::Object(extra)) =
        (into.pointer_mut(pointer).and_then(Value::as_object_mut), extra)
    {
        target.extend(extra);
    }
}

/// The document.
pub fn document() -> Value {
    let mut doc = market_document();
    let (paths, schemas) = trading();
    merge(&mut doc, "/paths", paths);
    merge(&mut doc, "/components/schemas", schemas);
    doc
}

fn market_document() -> Value {
    let trade_params = |netuid_in_query: bool| {
        let mut v = Vec::new();
        if netuid_in_query {
            v.push(param(
                "netuid",
                "query",
                "Only trades touching this subnet.",
                json!({ "type": "integer", "minimum": 0, "maximum": 65535 }),
                false,
            ));
        } else {
            v.push(netuid_path());
        }
        v.push(param(
            "coldkey",
            "query",
            "Only this coldkey (SS58).",
            json!({ "type": "string" }),
            false,
        ));
        v.push(param(
            "min_tao",
            "query",
            "Only trades of at least this much TAO, in rao (the whale filter).",
            json!({ "type": "integer", "minimum": 0 }),
            false,
        ));
        v.push(param(
            "from",
            "query",
            "Only blocks at or after this.",
            json!({ "type": "integer", "minimum": 0 }),
            false,
        ));
        v.push(param(
            "before",
            "query",
            "Cursor `block-extrinsic-seq`: the `next_cursor` of the previous page.",
            json!({ "type": "string", "pattern": "^[0-9]+-[0-9]+-[0-9]+$" }),
            false,
        ));
        v.push(limit(50, 500));
        v
    };
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "taoplex terminal API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Market data of every dTAO subnet, read from the chain by taoplex's own indexer. Every response says the block its numbers are as of. Amounts are integer rao (1 τ = 10^9 rao; alpha also has 9 decimals) carried as JSON strings; prices are rao per alpha. Lists page with an opaque `before` cursor (`next_cursor` of the previous page) and a bounded `limit`. Unknown, repeated or malformed parameters are rejected with 400 and a JSON body naming the parameter. Each client IP has a token-bucket rate limit; over it, 429 with Retry-After. Live updates: WebSocket at /api/v1/stream (see the x-websocket section).",
            "license": { "name": "Apache-2.0" }
        },
        "servers": [{ "url": "/" }],
        "tags": [
            { "name": "market", "description": "Overview, subnets, candles, trades, holders." },
            { "name": "events", "description": "Market-moving events." },
            { "name": "accounts", "description": "Portfolios." },
            { "name": "meta", "description": "Status and this document." }
        ],
        "paths": {
            "/api/v1/status": get("status", "meta", "Last indexed block, its age, and the TAO/USD source.", vec![], ok("Status.", "Status")),
            "/api/v1/overview": get("overview", "market", "One row per subnet.", vec![
                param("sort", "query", "Column to sort by.", json!({ "type": "string", "enum": ["netuid", "name", "price", "change_1h", "change_24h", "change_7d", "market_cap", "volume_24h", "tao_in_pool", "emission_share", "net_flow_24h"], "default": "market_cap" }), false),
                param("order", "query", "Sort order (default desc, asc for netuid and name).", json!({ "type": "string", "enum": ["asc", "desc"] }), false),
                limit(1000, 1000),
                param("offset", "query", "Rows to skip.", json!({ "type": "integer", "minimum": 0, "maximum": 1000000, "default": 0 }), false),
            ], ok("The overview.", "OverviewPage")),
            "/api/v1/subnets/{netuid}": get("subnet", "market", "A subnet: its overview row, chain metadata, pool state, flows and depth.", vec![netuid_path()], ok_404("The subnet.", "SubnetDetail")),
            "/api/v1/subnets/{netuid}/candles": get("candles", "market", "OHLC candles of the per-block spot price with buy/sell volume.", vec![
                netuid_path(),
                param("interval", "query", "Candle length; 1m = 5 blocks.", json!({ "type": "string", "enum": ["1m", "5m", "15m", "1h", "4h", "1d", "1w"], "default": "1h" }), false),
                param("from", "query", "First block (default: `limit` candles before `to`).", json!({ "type": "integer", "minimum": 0 }), false),
                param("to", "query", "Last block (default: the last indexed block).", json!({ "type": "integer", "minimum": 0 }), false),
                limit(300, 5000),
            ], ok_404("Candles, oldest first.", "Candles")),
            "/api/v1/subnets/{netuid}/trades": get("subnet_trades", "market", "The subnet's trades tape, newest first, whales flagged.", trade_params(false), ok("A page of trades.", "TradesPage")),
            "/api/v1/subnets/{netuid}/holders": get("holders", "market", "Holder count and the top holders.", vec![netuid_path(), limit(20, 100)], ok("Holders.", "Holders")),
            "/api/v1/subnets/{netuid}/validators": get("validators", "market", "Neurons holding validator permits, largest stake first.", vec![netuid_path()], ok_404("Validators.", "Validators")),
            "/api/v1/subnets/{netuid}/predictability": get("predictability", "market", "Rule changes and owner burn of miner emission over a block range.", vec![
                netuid_path(),
                param("from", "query", "First block (default: 30 days before `to`).", json!({ "type": "integer", "minimum": 0 }), false),
                param("to", "query", "Last block (default: the last indexed block).", json!({ "type": "integer", "minimum": 0 }), false),
            ], ok("The record.", "Predictability")),
            "/api/v1/trades": get("trades", "market", "Trades across subnets, newest first.", trade_params(true), ok("A page of trades.", "TradesPage")),
            "/api/v1/events": get("events", "events", "Market events, newest first.", vec![
                param("kind", "query", "Comma-separated kinds.", json!({ "type": "string", "examples": ["whale_trade,price_move"] }), false),
                param("netuid", "query", "Only this subnet.", json!({ "type": "integer", "minimum": 0, "maximum": 65535 }), false),
                param("min_tao", "query", "Only events carrying a TAO size (whale trades) of at least this many rao; applied within the page.", json!({ "type": "integer", "minimum": 0 }), false),
                param("from", "query", "Only blocks at or after this.", json!({ "type": "integer", "minimum": 0 }), false),
                param("before", "query", "Cursor `block-seq`: the `next_cursor` of the previous page.", json!({ "type": "string", "pattern": "^[0-9]+-[0-9]+$" }), false),
                limit(50, 500),
            ], ok("A page of events.", "EventsPage")),
            "/api/v1/portfolio/{coldkey}": get("portfolio", "accounts", "A coldkey's positions with spot value and exit value (what selling now through the pool returns).", vec![
                param("coldkey", "path", "SS58 address (prefix 42) or 0x public key.", json!({ "type": "string" }), true),
            ], ok("The portfolio.", "Portfolio")),
            "/api/v1/accounts/{address}": get("account", "accounts", "An account at the chain's head: free and reserved TAO, next nonce, the chain's fee for a stake from it (what the trade panel's \"max\" keeps back on a buy), and its stakes with what selling each now returns.", vec![
                param("address", "path", "SS58 address (prefix 42) or 0x public key.", json!({ "type": "string" }), true),
                param("netuid", "query", "Only the stakes on this subnet.", json!({ "type": "integer", "minimum": 0, "maximum": 65535 }), false),
            ], json!({ "200": { "description": "`address`, `free`, `reserved` and `stake_fee` (rao strings), `nonce`, `stakes` (hotkey, netuid, alpha, exit_value: rao strings; exit_value null if the pool cannot take it).", "content": { "application/json": {} } } })),
            "/api/v1/backprop": get("backprop", "market", "Where traders moved TAO emissions over a window: each subnet's emission share at the window's two ends (normalised to 10^9 parts, so the changes sum to zero), its τ/day, the net TAO flow of the trades in between, the addresses with the largest flows and a summary sentence.", vec![
                param("window", "query", "24h, 7d (default) or 30d.", json!({ "type": "string", "enum": ["24h", "7d", "30d"], "default": "7d" }), false),
            ], ok("The network view.", "Backprop")),
            "/api/openapi.json": get("openapi", "meta", "This document.", vec![], json!({ "200": { "description": "OpenAPI 3.1 document.", "content": { "application/json": {} } } })),
        },
        "x-websocket": {
            "/api/v1/stream": {
                "description": "Live updates as JSON text frames. On connect, the full snapshot of the last block (`full: true`); then one `block` delta per indexed block (only the cells that changed) and one `event` message per market event. A client that falls behind is sent the full snapshot again. A client may send `{\"watch_tx\": \"<id>\"}` to get `tx` messages for a prepared transaction.",
                "messages": {
                    "block": { "type": "object", "properties": {
                        "type": { "const": "block" },
                        "full": { "type": "boolean", "description": "A full snapshot (true) or a delta of the changed cells (false)." },
                        "block": { "type": "integer" },
                        "timestamp_ms": { "type": "integer" },
                        "age_ms": { "type": "integer" },
                        "usd": { "type": ["number", "null"] },
                        "rows": { "type": "array", "items": { "type": "object", "properties": {
                            "n": { "type": "integer", "description": "netuid" },
                            "name": { "type": "string" },
                            "c": { "type": "array", "description": "Cells: [key, sort value, text in τ, text in $ or null, css class]." }
                        } } }
                    } },
                    "event": { "type": "object", "properties": { "type": { "const": "event" }, "event": { "$ref": "#/components/schemas/FeedEvent" } } },
                    "tx": { "type": "object", "description": "A watched transaction's status, after the client sent `{\"watch_tx\": \"<id>\"}` (answered at once with the current status).", "properties": { "type": { "const": "tx" }, "tx": { "$ref": "#/components/schemas/TxStatus" } } }
                }
            }
        },
        "components": {
            "responses": {
                "BadRequest": { "description": "A parameter is unknown, repeated, malformed or out of range.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                "NotFound": { "description": "No such subnet.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                "TooManyRequests": {
                    "description": "Rate limit exceeded.",
                    "headers": { "Retry-After": { "description": "Seconds to wait.", "schema": { "type": "integer" } } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
                }
            },
            "schemas": {
                "Error": { "type": "object", "required": ["error", "status", "code"], "properties": {
                    "error": { "type": "string", "description": "What was wrong and what to do." },
                    "code": { "type": "string", "description": "Machine-readable: bad_param, bad_request, not_found, rate_limited, unavailable, chain_error, internal; for transactions unknown_tx, expired, already_submitted, bad_signature, refused, quote_failed, busy." },
                    "parameter": { "type": "string", "description": "The offending parameter, for 400s about one." },
                    "status": { "type": "integer" }
                } },
                "Usd": { "type": ["object", "null"], "properties": {
                    "usd_per_tao": { "type": "number" }, "source": { "type": "string" }, "as_of_ms": { "type": "integer" }
                } },
                "Status": { "type": "object", "properties": {
                    "as_of_block": { "type": "integer" }, "as_of_timestamp_ms": { "type": "integer" }, "age_ms": { "type": "integer" },
                    "subnets": { "type": "integer" }, "usd": { "$ref": "#/components/schemas/Usd" }
                } },
                "OverviewRow": { "type": "object", "properties": {
                    "netuid": { "type": "integer" }, "name": { "type": "string" }, "symbol": { "type": "string" },
                    "price": rao("Spot price per alpha."),
                    "change_1h": { "type": ["number", "null"], "description": "Fraction over 300 blocks." },
                    "change_24h": { "type": ["number", "null"], "description": "Fraction over 7200 blocks." },
                    "change_7d": { "type": ["number", "null"], "description": "Fraction over 50,400 blocks." },
                    "market_cap": rao("Alpha outstanding × price."), "fdv": rao("21M alpha × price."),
                    "volume_24h": rao("Buy + sell volume."), "buy_volume_24h": rao("Buy volume."), "sell_volume_24h": rao("Sell volume."),
                    "tao_in_pool": rao("TAO reserve."), "emission_share": { "type": "number", "description": "Fraction of the block's TAO emission." },
                    "net_flow_24h": { "type": "string", "description": "Signed integer rao." }, "net_flow_7d": { "type": "string", "description": "Signed integer rao." },
                    "sparkline_7d": { "type": "array", "items": rao("Price."), "description": "Up to 42 prices, oldest first." },
                    "exact": { "type": "boolean", "description": "State read from the chain (true) or derived from trades." },
                    "as_of_block": { "type": "integer" }
                } },
                "OverviewPage": { "type": "object", "properties": {
                    "as_of_block": { "type": "integer" }, "as_of_timestamp_ms": { "type": "integer" }, "usd": { "$ref": "#/components/schemas/Usd" },
                    "total": { "type": "integer" }, "offset": { "type": "integer" }, "limit": { "type": "integer" },
                    "sort": { "type": "string" }, "order": { "type": "string" },
                    "rows": { "type": "array", "items": { "$ref": "#/components/schemas/OverviewRow" } }
                } },
                "SubnetDetail": { "type": "object", "properties": {
                    "row": { "$ref": "#/components/schemas/OverviewRow" },
                    "info": { "type": ["object", "null"], "description": "Chain metadata: identity, owner, registration block, pool, hyperparameters." },
                    "state": { "type": "object", "description": "Pool state (reserves, alpha out, price, moving price, emission)." },
                    "change_30d": { "type": ["number", "null"] },
                    "flow_ema": { "type": "number", "description": "EMA of net flow, rao per block." },
                    "max_buy_for_impact": { "type": "array", "description": "[basis points, TAO rao] pairs." },
                    "max_sell_for_impact": { "type": "array", "description": "[basis points, alpha rao] pairs." },
                    "registration_age_blocks": { "type": ["integer", "null"] },
                    "as_of_timestamp_ms": { "type": "integer" }
                } },
                "Candle": { "type": "object", "properties": {
                    "start_block": { "type": "integer" }, "open": rao("Price."), "high": rao("Price."), "low": rao("Price."), "close": rao("Price."),
                    "buy_volume": rao("TAO in."), "sell_volume": rao("TAO out."), "trades": { "type": "integer" }
                } },
                "Candles": { "type": "object", "properties": {
                    "netuid": { "type": "integer" }, "interval": { "type": "string" }, "interval_blocks": { "type": "integer" },
                    "block_time_ms": { "type": "integer" }, "as_of_block": { "type": "integer" }, "as_of_timestamp_ms": { "type": "integer" },
                    "candles": { "type": "array", "items": { "$ref": "#/components/schemas/Candle" } }
                } },
                "Trade": { "type": "object", "properties": {
                    "block": { "type": "integer" }, "extrinsic": { "type": "integer" }, "seq": { "type": "integer" },
                    "kind": { "type": "string", "enum": ["buy", "sell", "move", "swap", "transfer"] },
                    "netuid": { "type": "integer" }, "dest_netuid": { "type": ["integer", "null"] },
                    "coldkey": { "type": "string" }, "hotkey": { "type": "string" },
                    "dest_coldkey": { "type": ["string", "null"] }, "dest_hotkey": { "type": ["string", "null"] },
                    "tao": rao("TAO."), "alpha": rao("Alpha."), "alpha_dest": rao("Alpha credited on the destination."),
                    "fee_tao": rao("Fee in TAO."), "fee_alpha": rao("Fee in alpha."), "price": rao("Execution price."),
                    "whale": { "type": "boolean" }
                } },
                "TradesPage": { "type": "object", "properties": {
                    "trades": { "type": "array", "items": { "$ref": "#/components/schemas/Trade" } },
                    "next_cursor": { "type": ["string", "null"] }
                } },
                "Holders": { "type": "object", "properties": {
                    "netuid": { "type": "integer" }, "count": { "type": "integer" }, "total_alpha": rao("Alpha."),
                    "top": { "type": "array", "items": { "type": "object", "properties": { "coldkey": { "type": "string" }, "alpha": rao("Alpha."), "share": { "type": "number" } } } },
                    "as_of_block": { "type": ["integer", "null"] }
                } },
                "Validators": { "type": "object", "properties": {
                    "netuid": { "type": "integer" },
                    "validators": { "type": "array", "items": { "type": "object", "description": "Neuron: uid, hotkey, coldkey, stake (rao string), incentive, dividends, consensus, emission, registered_at, last_update." } }
                } },
                "Predictability": { "type": "object", "properties": {
                    "netuid": { "type": "integer" },
                    "rule_changes": { "type": "array", "items": { "type": "object" } },
                    "burns": { "type": "array", "items": { "type": "object", "properties": { "block": { "type": "integer" }, "incentive": rao("Alpha."), "burned": rao("Alpha."), "fraction": { "type": "number" } } } },
                    "burned_total": rao("Alpha."), "burned_fraction": { "type": "number" }, "burning_epochs": { "type": "integer" }
                } },
                "FeedEvent": { "type": "object", "properties": {
                    "block": { "type": "integer" }, "seq": { "type": "integer" },
                    "kind": { "type": "string", "enum": ["whale_trade", "price_move", "emission_share_jump", "owner_burn_started", "owner_burn_stopped", "hyperparameter_changed", "identity_changed", "subnet_registered", "subnet_deregistered"] },
                    "netuid": { "type": ["integer", "null"] }, "sentence": { "type": "string" },
                    "data": { "type": "object", "description": "The numbers behind it (amounts as rao strings)." },
                    "timestamp_ms": { "type": "integer" }
                } },
                "EventsPage": { "type": "object", "properties": {
                    "events": { "type": "array", "items": { "$ref": "#/components/schemas/FeedEvent" } },
                    "next_cursor": { "type": ["string", "null"] }
                } },
                "Backprop": { "type": "object", "properties": {
                    "window": { "type": "string", "enum": ["24h", "7d", "30d"] },
                    "from_block": { "type": "integer" }, "to_block": { "type": "integer" },
                    "moved_ppb": { "type": "integer", "description": "Share of emissions moved (sum of the gains), parts per 10^9." },
                    "subnets": { "type": "array", "description": "Largest gain first.", "items": { "type": "object", "properties": {
                        "netuid": { "type": "integer" }, "name": { "type": "string" },
                        "share_before_ppb": { "type": "integer" }, "share_after_ppb": { "type": "integer" }, "share_change_ppb": { "type": "integer" },
                        "tao_per_day_before": rao("TAO a day."), "tao_per_day_after": rao("TAO a day."),
                        "tao_per_day_change": { "type": "string", "description": "Signed integer rao." },
                        "net_flow": { "type": "string", "description": "Signed integer rao: buys and moves in minus sells and moves out." },
                        "trades": { "type": "integer" }
                    } } },
                    "teachers": { "type": "array", "items": { "type": "object", "properties": {
                        "coldkey": { "type": "string" }, "identity": { "type": ["string", "null"] },
                        "gross_flow": rao("Sum of the absolute net flows over its subnets."),
                        "pushed": { "type": ["array", "null"], "description": "[netuid, signed rao string]: where it put the most." },
                        "pulled": { "type": ["array", "null"], "description": "[netuid, signed rao string]: where it took the most from." },
                        "trades": { "type": "integer" }
                    } } },
                    "summary": { "type": "string" }
                } },
                "Portfolio": { "type": "object", "properties": {
                    "coldkey": { "type": "string" },
                    "positions": { "type": "array", "items": { "type": "object", "properties": {
                        "hotkey": { "type": "string" }, "netuid": { "type": "integer" }, "alpha": rao("Alpha."),
                        "spot_value": rao("Alpha × spot price."), "exit_value": { "type": ["string", "null"], "description": "What selling it all now returns, rao." },
                        "exit_impact": { "type": ["number", "null"] }
                    } } },
                    "spot_total": rao("Sum of spot values."), "exit_total": rao("Sum of exit values."), "as_of_block": { "type": "integer" }
                } }
            }
        }
    })
}

/// `GET /api/openapi.json`.
pub(crate) async fn serve() -> Json<Value> {
    Json(document())
}
