// The basket page: plan a buy of the top N subnets (GET /api/v1/basket quotes every leg as you
// type), then prepare ONE all-or-nothing batch of stakes and open its sign page. Amounts are
// exact rao (BigInt), never floats. The wallet's accounts are read from this browser's
// IndexedDB, where wallet.js keeps them; no key is touched here.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const RAO = 1000000000n;
  const IMPACT_WARNING = 0.02;
  const message = (text, bad) => {
    const m = $("wallet-message");
    m.textContent = text;
    m.classList.toggle("bad", !!bad);
  };
  // "1.5" → 1500000000n; null when not a decimal with at most 9 places.
  function toRao(text) {
    const m = /^(\d*)(?:\.(\d{0,9}))?$/.exec(text.trim());
    if (!m || (m[1] === "" && !m[2])) return null;
    return BigInt(m[1] || "0") * RAO + BigInt((m[2] || "").padEnd(9, "0"));
  }
  function fromRao(rao) {
    const r = BigInt(rao);
    const frac = (r % RAO).toString().padStart(9, "0").replace(/0+$/, "");
    return (r / RAO).toString() + (frac ? "." + frac : "");
  }
  function accounts() {
    return new Promise((resolve, reject) => {
      const r = indexedDB.open("taoplex-wallet", 1);
      r.onupgradeneeded = () => r.result.createObjectStore("accounts", { keyPath: "address" });
      r.onerror = () => reject(r.error);
      r.onsuccess = () => {
        const get = r.result.transaction("accounts", "readonly").objectStore("accounts").getAll();
        get.onsuccess = () => resolve(get.result);
        get.onerror = () => reject(get.error);
      };
    });
  }

  // With `?rebalance=<address>`: that address's positions to the target weights instead.
  const rebalance = document.getElementById("basket") && $("basket").dataset.rebalance;
  let byWeights = false;
  let seq = 0;
  let plan = null;
  const bps = () => Math.round(Number($("basket-slippage").value || "0") * 100);

  function cell(text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }

  function row(label, leg, weight, pay, receive, sym) {
    const tr = document.createElement("tr");
    tr.dataset.netuid = leg.netuid;
    tr.append(
      cell(label),
      cell(weight, "num"),
      cell(pay, "num"),
      cell(receive, "num"),
      cell((leg.quote.impact * 100).toFixed(3) + " %", "num"),
      cell(fromRao(leg.quote.min_received) + " " + (sym || "τ"), "num"),
      cell(fromRao(leg.quote.limit_price) + " τ/α", "num"),
      cell(leg.hotkey.slice(0, 8) + "…", "mono"));
    return tr;
  }

  async function replan() {
    const amount = toRao($("basket-amount").value);
    const mine = ++seq;
    plan = null;
    $("basket-submit").disabled = true;
    const body = $("basket-legs");
    if (!rebalance && (amount === null || amount === 0n)) { body.replaceChildren(); $("basket-warning").hidden = true; return; }
    const q = new URLSearchParams({ n: $("basket-n").value, tolerance_bps: String(bps()) });
    if (rebalance) q.set("coldkey", rebalance); else q.set("amount", amount.toString());
    if (byWeights && $("basket-weights").value.trim()) q.set("weights", $("basket-weights").value.trim());
    const r = await fetch((rebalance ? "/api/v1/basket/rebalance?" : "/api/v1/basket?") + q);
    const p = await r.json();
    if (mine !== seq) return; // a newer keystroke won
    const warn = $("basket-warning");
    if (!r.ok) {
      body.replaceChildren();
      warn.hidden = false;
      warn.textContent = p.error;
      return;
    }
    plan = p;
    if (rebalance) {
      // Sells first: their TAO pays for the buys in the same batch.
      body.replaceChildren(
        ...p.sells.map((leg) => row("Sell SN" + leg.netuid, leg, "", fromRao(leg.alpha) + " α", fromRao(leg.quote.amount_out) + " τ", "τ")),
        ...p.buys.map((leg) => row("Buy SN" + leg.netuid + " " + (leg.name || ""), leg, String(leg.weight), fromRao(leg.amount) + " τ", fromRao(leg.quote.amount_out) + " α", "α")));
      const legs = p.sells.concat(p.buys);
      const warn = $("basket-warning");
      warn.hidden = legs.length > 0;
      warn.textContent = legs.length ? "" : "Already at the target weights: nothing to trade.";
      $("basket-submit").disabled = !legs.length || !$("basket-account").value;
      return;
    }
    body.replaceChildren(...p.legs.map((leg) => {
      const tr = document.createElement("tr");
      tr.dataset.netuid = leg.netuid;
      const sym = leg.symbol || "α";
      tr.append(
        cell("SN" + leg.netuid + " " + (leg.name || "")),
        cell(String(leg.weight), "num"),
        cell(fromRao(leg.amount) + " τ", "num"),
        cell(fromRao(leg.quote.amount_out) + " " + sym, "num"),
        cell((leg.quote.impact * 100).toFixed(3) + " %", "num"),
        cell(fromRao(leg.quote.min_received) + " " + sym, "num"),
        cell(fromRao(leg.quote.limit_price) + " τ/" + sym, "num"),
        cell(leg.hotkey.slice(0, 8) + "…", "mono"));
      return tr;
    }));
    const worst = Math.max(...p.legs.map((l) => l.quote.impact));
    warn.hidden = !(worst > IMPACT_WARNING);
    warn.textContent = worst > IMPACT_WARNING ? "Price impact up to " + (worst * 100).toFixed(2) + " % on one leg: a large trade for that pool." : "";
    $("basket-submit").disabled = !$("basket-account").value;
  }

  function setSplit(weights) {
    byWeights = weights;
    $("split-equal").setAttribute("aria-pressed", String(!weights));
    $("split-weights").setAttribute("aria-pressed", String(weights));
    $("basket-weights-label").hidden = !weights;
    replan();
  }

  async function review(e) {
    e.preventDefault();
    if (!plan) return;
    // The legs as planned (amounts and hotkeys); prepare quotes each again and, with the
    // tolerance, makes each its fill-or-kill limit order.
    const calls = rebalance
      ? plan.sells.map((leg) => ({ name: "remove_stake", hotkey: leg.hotkey, netuid: leg.netuid, amount_unstaked: leg.alpha }))
        .concat(plan.buys.map((leg) => ({ name: "add_stake", hotkey: leg.hotkey, netuid: leg.netuid, amount_staked: leg.amount })))
      : plan.legs.map((leg) => ({ name: "add_stake", hotkey: leg.hotkey, netuid: leg.netuid, amount_staked: leg.amount }));
    const r = await fetch("/api/v1/tx/prepare", { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ signer: $("basket-account").value, call: { name: "batch_all", calls }, tolerance_bps: bps(),
        lang: document.documentElement.lang,
        // An extension signs Subtensor's own payload, from its parts.
        format: $("basket-account").selectedOptions[0]?.dataset.kind === "extension" ? "substrate" : "native" }) });
    const p = await r.json();
    if (!r.ok) { message(p.error, true); return; }
    location.href = p.sign_url;
  }

  async function init() {
    const keyAccounts = (await accounts()).filter((a) => (a.kind === "key" || a.kind === "extension") && (!rebalance || a.address === rebalance));
    $("basket-account").replaceChildren(...keyAccounts.map((a) => {
      const o = document.createElement("option");
      o.value = a.address;
      o.dataset.kind = a.kind;
      o.textContent = a.name + " · " + a.address;
      return o;
    }));
    $("no-accounts").hidden = keyAccounts.length > 0;
    $("split-equal").addEventListener("click", () => setSplit(false));
    $("split-weights").addEventListener("click", () => setSplit(true));
    ["basket-amount", "basket-n", "basket-weights", "basket-slippage"].forEach((id) => $(id).addEventListener("input", replan));
    $("basket-account").addEventListener("change", replan);
    $("basket-form").addEventListener("submit", review);
    setSplit(false);
  }

  if (document.body.dataset.page === "basket") init();
})();
