// The browser wallet: keys made and used in this page (the keys crate as WebAssembly, in a
// worker), stored only encrypted (AES-GCM under a PBKDF2 key from your password) in IndexedDB,
// forgotten from memory after 5 idle minutes; or kept in a browser extension (the polkadot.js
// injected API), which signs each transaction itself. The server sees addresses and signatures
// only.
"use strict";
(() => {
  const IDLE_MS = 5 * 60 * 1000;
  const PBKDF2_ITERATIONS = 310000;
  const $ = (id) => document.getElementById(id);
  // Strings in the page's language, rendered by the server into #wallet-strings (wallet.rs);
  // "{name}" marks a value.
  const tr = (key, vars) => {
    let s = $("wallet-strings")?.content.querySelector(`[data-k="${key}"]`)?.textContent ?? key;
    for (const [k, v] of Object.entries(vars || {})) s = s.replaceAll("{" + k + "}", String(v));
    return s;
  };
  const message = (text, bad) => {
    const m = $("wallet-message");
    if (m) { m.textContent = text; m.classList.toggle("bad", !!bad); }
  };

  // ------------------------------------------------------------------ keys worker
  const workerUrl = document.querySelector('script[src*="wallet.js"]').src.replace("wallet.js", "keys-worker.js");
  let worker = null;
  let nextId = 0;
  const pending = new Map();
  function keys(op, args, transfer) {
    if (!worker) {
      worker = new Worker(workerUrl);
      worker.onmessage = (e) => {
        const p = pending.get(e.data.id);
        pending.delete(e.data.id);
        if (p) e.data.ok ? p.resolve(e.data.value) : p.reject(new Error(e.data.error));
      };
    }
    const id = ++nextId;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, op, args }, transfer || []);
    });
  }

  // ------------------------------------------------------------------ encrypted vault
  function db() {
    return new Promise((resolve, reject) => {
      const r = indexedDB.open("taoplex-wallet", 1);
      r.onupgradeneeded = () => r.result.createObjectStore("accounts", { keyPath: "address" });
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  }
  async function store(mode, f) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const tx = d.transaction("accounts", mode);
      const r = f(tx.objectStore("accounts"));
      tx.oncomplete = () => resolve(r && r.result);
      tx.onerror = () => reject(tx.error);
    });
  }
  const accounts = () => store("readonly", (s) => s.getAll());
  const save = (a) => store("readwrite", (s) => s.put(a));
  const remove = (address) => store("readwrite", (s) => s.delete(address));

  async function aesKey(password, salt) {
    const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveKey"]);
    return crypto.subtle.deriveKey(
      { name: "PBKDF2", salt, iterations: PBKDF2_ITERATIONS, hash: "SHA-256" },
      base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  }
  async function seal(secret, password) {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const key = await aesKey(password, salt);
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(secret));
    return { salt, iv, ct: new Uint8Array(ct) };
  }
  async function open(sealed, password) {
    const key = await aesKey(password, sealed.salt);
    try {
      const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv }, key, sealed.ct);
      return new TextDecoder().decode(pt);
    } catch (_) {
      throw new Error("wrong password");
    }
  }

  // ------------------------------------------------------------------ unlocked keys, idle lock
  const unlocked = new Map();
  let idleTimer = null;
  function lock() {
    unlocked.clear();
    const s = $("lock-state");
    if (s) s.textContent = tr("locked");
  }
  function touch() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(lock, IDLE_MS);
  }
  ["pointerdown", "keydown"].forEach((ev) => document.addEventListener(ev, touch, { passive: true }));

  async function addSecretAccount(name, secret, password) {
    const info = await keys("inspect", { secret });
    await save({ address: info.address, name, kind: "key", sealed: await seal(secret, password), created_ms: Date.now() });
    return info.address;
  }

  // ------------------------------------------------------------------ browser extensions
  // The polkadot.js injected API (Talisman, SubWallet, Polkadot.js, Bittensor's wallet): each
  // extension registers itself in window.injectedWeb3; enable() asks the user to let this site
  // see its accounts and request signatures. The extension rebuilds the payload from the
  // SignerPayloadJSON it is given, shows it, and signs it: its keys never reach this page.
  const DAPP = "taoplex";
  const signing = (a) => a.kind === "key" || a.kind === "extension";
  async function enableExtension(source) {
    const injected = (window.injectedWeb3 || {})[source];
    if (!injected) throw new Error(tr("extension_missing", { s: source }));
    return injected.enable(DAPP);
  }
  async function connectExtensions() {
    const sources = Object.keys(window.injectedWeb3 || {});
    if (sources.length === 0) { message(tr("no_extension"), true); return; }
    const held = new Set((await accounts()).filter((a) => a.kind === "key").map((a) => a.address));
    for (const source of sources) {
      try {
        const ext = await enableExtension(source);
        // Bittensor accounts are sr25519; an extension may hold others (ed25519, Ethereum).
        const found = (await ext.accounts.get()).filter((a) => !a.type || a.type === "sr25519");
        // A key already in this browser stays as it is (a put would drop its sealed secret).
        for (const a of found.filter((x) => !held.has(x.address))) {
          await save({ address: a.address, name: a.name || source, kind: "extension", source, created_ms: Date.now() });
        }
        message(tr("extension_connected", { n: found.length, s: source }));
      } catch (err) { message(err.message, true); }
    }
    renderAccounts();
  }

  // ------------------------------------------------------------------ /wallet
  async function renderAccounts() {
    const list = $("accounts");
    if (!list) return;
    const all = await accounts();
    list.replaceChildren(...all.map((a) => {
      const li = document.createElement("li");
      const name = document.createElement("b");
      name.textContent = a.name;
      const addr = document.createElement("a");
      addr.className = "mono";
      addr.href = "/portfolio/" + a.address;
      addr.textContent = a.address;
      const kind = document.createElement("span");
      kind.className = "muted";
      kind.textContent = a.kind === "watch" ? tr("watch_only")
        : a.kind === "extension" ? tr("via_extension", { s: a.source }) : tr("key_encrypted");
      const del = document.createElement("button");
      del.type = "button";
      del.textContent = tr("forget");
      del.addEventListener("click", async () => { await remove(a.address); unlocked.delete(a.address); renderAccounts(); });
      li.append(name, " ", addr, " ", kind, " ", del);
      li.dataset.address = a.address;
      return li;
    }));
    $("no-accounts").hidden = all.length > 0;
  }

  function walletPage() {
    renderAccounts();
    $("lock").addEventListener("click", () => { lock(); message(tr("locked_msg")); });
    let made = null;
    let check = 0;
    $("create").addEventListener("submit", async (e) => {
      e.preventDefault();
      made = await keys("generate", { words: 12 });
      const words = made.secret.split(" ");
      check = Math.floor(Math.random() * words.length);
      $("phrase").textContent = made.secret;
      $("confirm-label").textContent = tr("word_n", { n: check + 1 });
      $("create-phrase").hidden = false;
      $("create").hidden = true;
    });
    $("confirm").addEventListener("click", async () => {
      if (!made) return;
      const words = made.secret.split(" ");
      if ($("confirm-word").value.trim() !== words[check]) {
        message(tr("not_word", { n: check + 1 }), true);
        return;
      }
      const address = await addSecretAccount($("create-name").value, made.secret, $("create-password").value);
      made = null;
      $("phrase").textContent = "";
      $("create-phrase").hidden = true;
      $("create").hidden = false;
      $("create").reset();
      message(tr("created", { a: address }));
      renderAccounts();
    });
    $("import-phrase").addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        const address = await addSecretAccount($("phrase-name").value, $("phrase-words").value.trim().replace(/\s+/g, " "), $("phrase-password").value);
        $("import-phrase").reset();
        message(tr("imported", { a: address }));
        renderAccounts();
      } catch (err) { message(err.message, true); }
    });
    $("import-keyfile").addEventListener("submit", async (e) => {
      e.preventDefault();
      const file = $("keyfile-file").files[0];
      if (!file) return;
      const bar = $("keyfile-progress");
      bar.hidden = false;
      bar.value = 0;
      // Argon2i gives no progress of its own: the bar tracks the expected ~10 s.
      const started = Date.now();
      const tick = setInterval(() => { bar.value = Math.min(95, (Date.now() - started) / 100); }, 200);
      message(tr("opening_keyfile"));
      try {
        const data = await file.arrayBuffer();
        const opened = await keys("keyfile", { data, password: $("keyfile-password").value }, [data]);
        const address = await addSecretAccount($("keyfile-name").value, opened.secret, $("keyfile-new-password").value);
        $("import-keyfile").reset();
        message(tr("imported", { a: address }));
        renderAccounts();
      } catch (err) {
        message(err.message, true);
      } finally {
        clearInterval(tick);
        bar.value = 100;
        bar.hidden = true;
      }
    });
    $("connect-extension").addEventListener("click", connectExtensions);
    $("watch").addEventListener("submit", async (e) => {
      e.preventDefault();
      const address = $("watch-address").value.trim();
      const r = await fetch("/api/v1/portfolio/" + encodeURIComponent(address));
      if (r.status === 400) { message((await r.json()).error, true); return; }
      await save({ address, name: $("watch-name").value, kind: "watch", created_ms: Date.now() });
      $("watch").reset();
      message(tr("watching", { a: address }));
      renderAccounts();
    });
  }

  // ------------------------------------------------------------------ coin sound
  const muted = () => localStorage.getItem("taoplex-mute") === "1";
  function coin() {
    document.dispatchEvent(new CustomEvent("taoplex:coin"));
    document.body.dataset.coin = muted() ? "muted" : "played";
    if (muted()) return;
    const ctx = new (window.AudioContext || window.webkitAudioContext)();
    const t = ctx.currentTime;
    // Two bright partials, a fifth apart, decaying fast: a small coin on a counter.
    [[1568, 0], [2349, 0.07]].forEach(([f, at]) => {
      const o = ctx.createOscillator();
      const g = ctx.createGain();
      o.type = "triangle";
      o.frequency.value = f;
      g.gain.setValueAtTime(0.0001, t + at);
      g.gain.exponentialRampToValueAtTime(0.25, t + at + 0.01);
      g.gain.exponentialRampToValueAtTime(0.0001, t + at + 0.35);
      o.connect(g).connect(ctx.destination);
      o.start(t + at);
      o.stop(t + at + 0.4);
    });
  }

  // ------------------------------------------------------------------ /sign/{id}
  function receipt(tx) {
    // [key, value]: the key names the field (data-field, for tests and links), tr() its label.
    const rows = [["status", tx.status], ["transaction", tx.tx_hash], ["block", tx.block != null ? "#" + tx.block : "—"],
      ["block_hash", tx.block_hash], ["extrinsic", tx.block != null ? tx.block + "-" + tx.index : "—"]];
    const filled = (tx.events || []).map((r) => r.event).find((ev) => ev.event === "StakeAdded" || ev.event === "StakeRemoved");
    if (tx.quote) rows.push(["quoted_out", tr("quoted_out_value", { out: tx.quote.amount_out, min: tx.quote.min_received })]);
    // A move or transfer on one subnet: the same alpha leaves one stake and enters another.
    const evs = (tx.events || []).map((r) => r.event);
    const left = evs.find((ev) => ev.event === "StakeRemoved");
    const entered = evs.find((ev) => ev.event === "StakeAdded");
    const moved = !tx.quote && left && entered && left.alpha === entered.alpha && left.netuid === entered.netuid;
    if (moved) rows.push(["filled", tr("filled_move", { alpha: entered.alpha, coldkey: entered.coldkey, hotkey: entered.hotkey })]);
    else if (filled && !(tx.legs || []).length) rows.push(["filled", tr(filled.event === "StakeAdded" ? "filled_buy" : "filled_sell", { alpha: filled.alpha, tao: filled.tao })]);
    // A batch: each leg's quote against the first unclaimed stake event on its subnet and side.
    // (The leg's label is already translated: tr() passes it through.)
    const fills = (tx.events || []).map((r) => r.event).filter((ev) => ev.event === "StakeAdded" || ev.event === "StakeRemoved");
    (tx.legs || []).forEach((leg, i) => {
      const q = leg.quote;
      const at = q ? fills.findIndex((ev) => ev.netuid === q.netuid && ev.event === (q.side === "buy" ? "StakeAdded" : "StakeRemoved")) : -1;
      const ev = at >= 0 ? fills.splice(at, 1)[0] : null;
      const quoted = q ? tr("leg_quoted", { out: q.amount_out, min: q.min_received }) : leg.description;
      const got = ev ? tr(ev.event === "StakeAdded" ? "leg_filled_buy" : "leg_filled_sell", { alpha: ev.alpha, tao: ev.tao })
        : tr("leg_not_filled");
      rows.push([tr("leg_n", { n: i + 1 }) + (q ? " · SN" + q.netuid : ""), quoted + " · " + got]);
    });
    if (tx.reason) rows.push(["reason", tx.reason]);
    const list = $("receipt-list");
    list.replaceChildren(...rows.flatMap(([k, v]) => {
      const dt = document.createElement("dt");
      dt.textContent = tr(k);
      const dd = document.createElement("dd");
      dd.dataset.field = k;
      // The block and the extrinsic link to the explorer; the text stays what is copied.
      const href = tx.block == null ? null : k === "block" ? "/blocks/" + tx.block
        : k === "extrinsic" ? "/extrinsics/" + tx.block + "-" + tx.index
        : k === "block_hash" && tx.block_hash ? "/blocks/" + tx.block_hash : null;
      if (href) {
        const a = document.createElement("a");
        a.href = href;
        a.textContent = String(v);
        dd.appendChild(a);
      } else {
        dd.textContent = v == null ? "—" : String(v);
      }
      return [dt, dd];
    }));
    $("receipt").hidden = false;
  }

  function follow(id) {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/v1/stream");
    ws.onopen = () => ws.send(JSON.stringify({ watch_tx: id }));
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type !== "tx" || m.tx.id !== id) return;
      $("tx-status").textContent = m.tx.status.replace("_", " ");
      $("tx-status").dataset.status = m.tx.status;
      if (m.tx.status === "finalized") { coin(); receipt(m.tx); ws.close(); }
      if (m.tx.status === "failed" || m.tx.status === "expired") { receipt(m.tx); ws.close(); }
    };
  }

  async function submit(id, signature) {
    const r = await fetch("/api/v1/tx/submit", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id, signature }) });
    const v = await r.json();
    if (!r.ok) throw new Error(v.error);
    return v.tx_hash;
  }

  // Hands the signature to the server and follows the transaction to its receipt.
  async function send(id, signature) {
    follow(id);
    await submit(id, signature);
    // The stream may already have reported a later step (instant blocks).
    if (["prepared", undefined].includes($("tx-status").dataset.status)) $("tx-status").textContent = tr("submitted");
  }

  // An extension's account: the extension signs the v4 payload it rebuilds from the
  // SignerPayloadJSON the server prepared (a transaction prepared for a key here has none).
  function extensionSign(id, account, signerPayload) {
    const box = $("ext-sign");
    box.hidden = false;
    if (!signerPayload) {
      $("ext-sign-note").textContent = tr("extension_native");
      $("ext-sign-btn").hidden = true;
      return;
    }
    $("ext-sign-note").textContent = tr("extension_sign_note", { s: account.source });
    $("ext-sign-btn").addEventListener("click", async () => {
      try {
        const ext = await enableExtension(account.source);
        const { signature } = await ext.signer.signPayload(JSON.parse(signerPayload));
        await send(id, signature);
        box.hidden = true;
      } catch (err) { message(err.message, true); }
    });
  }

  async function signPage() {
    const card = $("signcard");
    const { id, payload, signer, signerPayload } = card.dataset;
    const mute = $("mute");
    const showMute = () => { mute.textContent = muted() ? tr("sound_off") : tr("sound_on"); mute.setAttribute("aria-pressed", String(muted())); };
    showMute();
    mute.addEventListener("click", () => { localStorage.setItem("taoplex-mute", muted() ? "0" : "1"); showMute(); });
    $("copy-receipt").addEventListener("click", () => navigator.clipboard.writeText($("receipt-list").innerText));
    const account = (await accounts()).find((a) => a.address === signer && signing(a));
    if (!account) { $("no-key").hidden = false; return; }
    if (account.kind === "extension") { extensionSign(id, account, signerPayload); return; }
    $("unlock").hidden = false;
    $("unlock").addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        let secret = unlocked.get(signer);
        if (!secret) {
          secret = await open(account.sealed, $("unlock-password").value);
          unlocked.set(signer, secret);
          touch();
        }
        const signature = await keys("sign", { secret, payload });
        await send(id, signature);
        $("unlock").hidden = true;
      } catch (err) { message(err.message, true); }
    });
  }


  // ------------------------------------------------------------------ trade panel (subnet pages)
  const IMPACT_WARNING = 0.02;
  const RAO = 1000000000n;
  // Exact decimal → rao (no floats on amounts): "1.5" → 1500000000n.
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

  // A share in parts per billion as an exact percent to 4 places: 123456789 → "12.3456 %".
  function ppbPercent(ppb) {
    const u = BigInt(ppb) / 1000n;
    return (u / 10000n).toString() + "." + (u % 10000n).toString().padStart(4, "0") + " %";
  }
  // One subnet of the quote's lesson (tx.rs `Lesson`) in words; the τ/day is what the trade
  // adds at convergence over the world where nothing trades.
  function lessonLine(sn) {
    const at = (h) => sn.horizons.find((x) => x.horizon === h);
    const [day, week, conv] = [at("1d"), at("7d"), at("convergence")];
    const gain = BigInt(conv.with_trade.tao_per_day) - BigInt(conv.without_trade.tao_per_day);
    return tr("lesson", {
      n: sn.netuid,
      a: ppbPercent(sn.now.share_ppb),
      b: ppbPercent(day.with_trade.share_ppb),
      c: ppbPercent(week.with_trade.share_ppb),
      d: ppbPercent(conv.with_trade.share_ppb),
      e: (gain < 0n ? "−" : "+") + fromRao(gain < 0n ? -gain : gain),
    });
  }

  async function tradePanel() {
    const card = $("trade");
    const netuid = Number(card.dataset.netuid);
    const symbol = card.dataset.symbol;
    const keyAccounts = (await accounts()).filter(signing);
    $("trade-account").replaceChildren(...keyAccounts.map((a) => {
      const o = document.createElement("option");
      o.value = a.address;
      o.textContent = a.name + " · " + a.address;
      return o;
    }));
    let side = "buy";
    let seq = 0;
    // What the selected account holds, read from the chain's head: the holding line and "max".
    let held = null;
    let heldSeq = 0;
    async function refreshHolding() {
      const address = $("trade-account").value;
      const line = $("trade-holding");
      if (!address) { held = null; line.hidden = true; return; }
      const mine = ++heldSeq;
      const r = await fetch(`/api/v1/accounts/${address}?netuid=${netuid}`);
      if (mine !== heldSeq) return;
      if (!r.ok) { held = null; line.hidden = true; return; }
      const a = await r.json();
      if (mine !== heldSeq) return;
      const hotkey = $("trade-hotkey").value;
      const mineHere = a.stakes.find((x) => x.hotkey === hotkey);
      held = {
        alpha: mineHere ? BigInt(mineHere.alpha) : 0n,
        exit: mineHere && mineHere.exit_value !== null ? BigInt(mineHere.exit_value) : null,
        all: a.stakes.reduce((sum, x) => sum + BigInt(x.alpha), 0n),
        free: BigInt(a.free),
        fee: BigInt(a.stake_fee),
      };
      line.textContent = held.alpha > 0n
        ? tr("holding", { alpha: fromRao(held.alpha), s: symbol, exit: held.exit === null ? "—" : fromRao(held.exit),
          all: fromRao(held.all), free: fromRao(held.free) })
        : tr("holding_none", { s: symbol, free: fromRao(held.free) });
      line.hidden = false;
    }
    // Max: on a buy the free TAO less the chain's fee for the stake; otherwise (sell, swap,
    // move, transfer) all that is held with the chosen validator.
    function max() {
      if (!held) return;
      const amount = side === "buy" ? (held.free > held.fee ? held.free - held.fee : 0n) : held.alpha;
      $("trade-amount").value = fromRao(amount);
      requote();
    }
    // buy/sell trade through this subnet's pool; swap sells here and buys into another subnet
    // (two pools, limited by their price ratio); move (to another validator) and transfer (to
    // another coldkey) keep the alpha on this subnet: no swap, no quote beyond its exit value.
    const SIDES = ["buy", "sell", "swap", "move", "transfer"];
    const swaps = () => side === "buy" || side === "sell" || side === "swap";
    const destSubnet = () => {
      const o = $("trade-dest-netuid").selectedOptions[0];
      return o ? { netuid: Number(o.value), symbol: o.dataset.symbol } : null;
    };
    const setSide = (s) => {
      side = s;
      for (const x of SIDES) $("side-" + x).setAttribute("aria-pressed", String(s === x));
      $("trade-amount-label").textContent = s === "buy" ? tr("pay") : tr(s === "sell" ? "sell_symbol" : s + "_symbol", { s: symbol });
      $("trade-submit").textContent = tr("review_" + s);
      $("trade-dest-netuid-row").hidden = s !== "swap";
      $("trade-dest-hotkey-row").hidden = s !== "move";
      $("trade-dest-coldkey-row").hidden = s !== "transfer";
      $("trade-slippage-row").hidden = !swaps();
      $("trade-partial-row").hidden = !swaps();
      requote();
    };
    const bps = () => Math.round(Number($("trade-slippage").value || "0") * 100);
    const show = (rows) => $("trade-quote").replaceChildren(...rows.flatMap(([k, v, label]) => {
      const dt = document.createElement("dt");
      dt.textContent = label || tr(k);
      const dd = document.createElement("dd");
      dd.textContent = v;
      dd.dataset.field = k;
      return [dt, dd];
    }));
    const showWarning = (impact) => {
      const warn = $("trade-warning");
      warn.hidden = !(impact !== null && impact > IMPACT_WARNING);
      warn.textContent = impact !== null ? tr("impact_warning", { p: (impact * 100).toFixed(2) }) : "";
    };
    // The lesson after the quote, on its own requests: its projection is slower than a quote.
    // legs: [[netuid, side, amount]], one line per subnet the trade touches.
    async function showLesson(mine, legs) {
      const lesson = $("trade-lesson");
      const answers = await Promise.all(legs.map(([n, sd, amount]) =>
        fetch(`/api/v1/quote/lesson?netuid=${n}&side=${sd}&amount=${amount}`).then((r) => r.json())));
      if (mine !== seq) return;
      const lines = answers.flatMap((l) => l.lesson ? l.lesson.subnets.map(lessonLine) : []);
      lesson.textContent = lines.join("\n");
      lesson.hidden = lines.length === 0;
    }
    // A swap into another subnet: both legs quoted by the chain, limited by the price ratio.
    async function requoteSwap(mine, amount) {
      const dest = destSubnet();
      if (!dest) { show([["quote", tr("pick_subnet")]]); return; }
      const r = await fetch(`/api/v1/quote/swap?from=${netuid}&to=${dest.netuid}&amount=${amount}&tolerance_bps=${bps()}`);
      const q = await r.json();
      if (mine !== seq) return;
      show(r.ok ? [
        ["you_swap", fromRao(amount) + " " + symbol],
        ["sold_for", fromRao(q.sell.amount_out) + " τ (" + tr("fee") + " " + fromRao(q.sell.fee) + " " + symbol + ")"],
        ["you_receive", fromRao(q.amount_out) + " " + dest.symbol, tr("you_receive_at_least")],
        ["price", fromRao(q.ratio_before) + " → " + fromRao(q.ratio_after), tr("price_ratio", { a: symbol, b: dest.symbol })],
        ["impact", (q.impact * 100).toFixed(3) + " %"],
        ["minimum_received", fromRao(q.min_received) + " " + dest.symbol],
        ["limit_price", fromRao(q.limit_ratio), tr("limit_ratio")],
      ] : [["quote", q.error]]);
      showWarning(r.ok ? q.impact : null);
      if (!r.ok) { $("trade-lesson").hidden = true; return; }
      await showLesson(mine, [[netuid, "sell", amount], [dest.netuid, "buy", q.sell.amount_out]]);
    }
    async function requote() {
      const amount = toRao($("trade-amount").value);
      const mine = ++seq;
      const list = $("trade-quote");
      if (amount === null || amount === 0n) { list.replaceChildren(); $("trade-warning").hidden = true; return; }
      if (side === "swap") { await requoteSwap(mine, amount); return; }
      if (!swaps()) {
        // What the moved alpha would sell for now: the panel's measure of what changes hands.
        const r = await fetch(`/api/v1/quote?netuid=${netuid}&side=sell&amount=${amount}`);
        const q = await r.json();
        if (mine !== seq) return;
        show(r.ok ? [["you_move", fromRao(amount) + " " + symbol], ["exit_value", fromRao(q.amount_out) + " τ"],
          ["no_swap", tr("no_swap_note")]] : [["quote", q.error]]);
        $("trade-warning").hidden = true;
        $("trade-lesson").hidden = true;
        return;
      }
      const r = await fetch(`/api/v1/quote?netuid=${netuid}&side=${side}&amount=${amount}&tolerance_bps=${bps()}`);
      const q = await r.json();
      if (mine !== seq) return; // a newer keystroke won
      const [pay, get] = side === "buy" ? ["τ", symbol] : [symbol, "τ"];
      show(r.ok ? [
        ["you_receive", fromRao(q.amount_out) + " " + get],
        ["fee", fromRao(q.fee) + " " + pay],
        ["price", fromRao(q.price_before) + " → " + fromRao(q.price_after) + " τ/" + symbol],
        ["impact", (q.impact * 100).toFixed(3) + " %"],
        ["minimum_received", fromRao(q.min_received) + " " + get],
        ["limit_price", fromRao(q.limit_price) + " τ/" + symbol],
      ] : [["quote", q.error]]);
      showWarning(r.ok ? q.impact : null);
      if (!r.ok) { $("trade-lesson").hidden = true; return; }
      await showLesson(mine, [[netuid, side, amount]]);
    }
    for (const x of SIDES) $("side-" + x).addEventListener("click", () => setSide(x));
    $("trade-amount").addEventListener("input", requote);
    $("trade-max").addEventListener("click", max);
    $("trade-account").addEventListener("change", refreshHolding);
    $("trade-hotkey").addEventListener("change", refreshHolding);
    $("trade-slippage").addEventListener("input", requote);
    $("trade-dest-netuid").addEventListener("change", requote);
    $("trade-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const amount = toRao($("trade-amount").value);
      if (!amount) return;
      const hotkey = $("trade-hotkey").value;
      const alpha = amount.toString();
      const calls = {
        buy: () => ({ name: "add_stake", hotkey, netuid, amount_staked: alpha }),
        sell: () => ({ name: "remove_stake", hotkey, netuid, amount_unstaked: alpha }),
        swap: () => ({ name: "swap_stake", hotkey, origin_netuid: netuid, destination_netuid: destSubnet().netuid,
          alpha_amount: alpha }),
        move: () => ({ name: "move_stake", origin_hotkey: hotkey, destination_hotkey: $("trade-dest-hotkey").value,
          origin_netuid: netuid, destination_netuid: netuid, alpha_amount: alpha }),
        transfer: () => ({ name: "transfer_stake", destination_coldkey: $("trade-dest-coldkey").value.trim(), hotkey,
          origin_netuid: netuid, destination_netuid: netuid, alpha_amount: alpha }),
      };
      if (side === "move" && $("trade-dest-hotkey").value === hotkey) { message(tr("same_hotkey"), true); return; }
      if (side === "swap" && !destSubnet()) { message(tr("pick_subnet"), true); return; }
      const body = { signer: $("trade-account").value, call: calls[side](), lang: document.documentElement.lang };
      // An extension signs Subtensor's own payload, from its parts.
      if (keyAccounts.find((a) => a.address === body.signer)?.kind === "extension") body.format = "substrate";
      if (swaps()) Object.assign(body, { tolerance_bps: bps(), allow_partial: $("trade-partial").checked });
      const r = await fetch("/api/v1/tx/prepare", { method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify(body) });
      const p = await r.json();
      if (!r.ok) { message(p.error, true); return; }
      location.href = p.sign_url;
    });
    setSide("buy");
    refreshHolding();
  }

  // ------------------------------------------------------------------ /portfolio
  // The wallet's accounts live in this browser only: the page lists them; with one, it opens it.
  async function portfolioPage() {
    const all = await accounts();
    $("portfolio-accounts").replaceChildren(...all.map((a) => {
      const li = document.createElement("li");
      const link = document.createElement("a");
      link.className = "mono";
      link.href = "/portfolio/" + a.address;
      link.textContent = a.name + " · " + a.address;
      li.append(link);
      return li;
    }));
    $("no-accounts").hidden = all.length > 0;
    if (all.length === 1) location.replace("/portfolio/" + all[0].address);
  }

  // ------------------------------------------------------------------ / (overview)
  // Each row's "Trade" opens that subnet's trade card (the subnet page's own, fetched from
  // /subnets/{n}/trade) in a dialog: a trade starts from the market list.
  function overviewTrades() {
    const dialog = $("trade-dialog");
    const slot = $("trade-slot");
    let opened = 0;
    document.querySelectorAll("button.tradebtn").forEach((b) => b.addEventListener("click", async () => {
      const mine = ++opened;
      const r = await fetch(`/subnets/${b.dataset.netuid}/trade`);
      if (mine !== opened) return;
      if (!r.ok) { slot.textContent = `${r.status} ${r.statusText}`; dialog.showModal(); return; }
      // Our own server's markup for this page (no script in it: the CSP forbids inline script).
      slot.replaceChildren(document.createRange().createContextualFragment(await r.text()));
      if (!dialog.open) dialog.showModal();
      await tradePanel();
      $("trade-amount").focus();
    }));
    $("trade-close").addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => { slot.replaceChildren(); });
  }

  const page = document.body.dataset.page;
  if (page === "overview" && $("trade-dialog")) overviewTrades();
  if (page === "portfolio" && $("portfolio-accounts")) portfolioPage();
  if (page === "subnet" && $("trade")) tradePanel();
  if (page === "wallet") walletPage();
  if (page === "sign") signPage();
})();
