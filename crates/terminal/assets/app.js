// taoplex terminal: theme, τ/$ toggle, overview sorting/search/watchlist, freshness, and live
// updates over the WebSocket stream. No framework; the pages work without it (minus live data).
const $ = (s, el = document) => el.querySelector(s);
const $$ = (s, el = document) => Array.from(el.querySelectorAll(s));
const store = {
  get(k, d) { try { const v = localStorage.getItem(k); return v === null ? d : JSON.parse(v); } catch { return d; } },
  set(k, v) { try { localStorage.setItem(k, JSON.stringify(v)); } catch { /* private mode */ } },
};
const body = document.body;

// ---- theme (dark by default; remembered in localStorage and a cookie for the server)
function applyTheme(t) {
  document.documentElement.dataset.theme = t;
  document.cookie = `theme=${t}; Path=/; Max-Age=31536000; SameSite=Lax`;
  document.dispatchEvent(new CustomEvent('taoplex:theme', { detail: t }));
}
const savedTheme = store.get('taoplex.theme', null);
if (savedTheme && savedTheme !== document.documentElement.dataset.theme) applyTheme(savedTheme);
$('#theme')?.addEventListener('click', () => {
  const t = document.documentElement.dataset.theme === 'light' ? 'dark' : 'light';
  store.set('taoplex.theme', t);
  applyTheme(t);
});

// ---- τ / $ (the $ button is disabled by the server when no price is configured)
const curTao = $('#cur-tao'), curUsd = $('#cur-usd');
function applyCur(c) {
  const usd = c === 'usd' && curUsd && !curUsd.disabled;
  body.classList.toggle('cur-usd', usd);
  curTao?.setAttribute('aria-pressed', String(!usd));
  curUsd?.setAttribute('aria-pressed', String(usd));
}
applyCur(store.get('taoplex.cur', 'tao'));
curTao?.addEventListener('click', () => { store.set('taoplex.cur', 'tao'); applyCur('tao'); });
curUsd?.addEventListener('click', () => { store.set('taoplex.cur', 'usd'); applyCur('usd'); });

// ---- freshness: "as of block N, 12 s ago", ticking
let ageBase = Number(body.dataset.ageMs || 0), ageAt = performance.now();
function fmtAge(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  if (s < 172800) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}
function tickAge() { const el = $('#age'); if (el) el.textContent = fmtAge(ageBase + performance.now() - ageAt); }
setInterval(tickAge, 1000);

// ---- overview: sort, search, watchlist
const table = $('#markets');
const tbody = table?.tBodies[0];
let sortKey = 'market_cap', sortDir = -1;
function cellValue(tr, k) {
  const td = tr.querySelector(`td[data-k="${k}"]`);
  if (!td) return 0;
  const v = td.dataset.v;
  const n = Number(v);
  return Number.isNaN(n) ? v : n;
}
function sortRows() {
  if (!tbody) return;
  const rows = $$('tr', tbody);
  rows.sort((a, b) => {
    const x = cellValue(a, sortKey), y = cellValue(b, sortKey);
    const c = typeof x === 'string' ? String(x).localeCompare(String(y)) : x - y;
    return (c || Number(a.dataset.netuid) - Number(b.dataset.netuid)) * sortDir;
  });
  rows.forEach((r) => tbody.appendChild(r));
  $$('th', table).forEach((th) => th.removeAttribute('aria-sort'));
  $(`button.sort[data-k="${sortKey}"]`, table)?.parentElement.setAttribute('aria-sort', sortDir < 0 ? 'descending' : 'ascending');
}
$$('button.sort', table || document).forEach((b) => b.addEventListener('click', () => {
  const k = b.dataset.k;
  if (k === sortKey) sortDir = -sortDir; else { sortKey = k; sortDir = (k === 'name' || k === 'rank') ? 1 : -1; }
  sortRows();
}));
let watch = new Set(store.get('taoplex.watch', []));
let watchOnly = false;
function filterRows() {
  if (!tbody) return;
  const q = ($('#q')?.value || '').trim().toLowerCase();
  let shown = 0;
  for (const tr of $$('tr', tbody)) {
    const ok = (!q || tr.dataset.search.includes(q)) && (!watchOnly || watch.has(Number(tr.dataset.netuid)));
    tr.hidden = !ok;
    if (ok) shown++;
  }
  const nm = $('#nomatch'); if (nm) nm.hidden = shown > 0;
}
function paintStars() {
  $$('button.watch').forEach((b) => {
    const on = watch.has(Number(b.dataset.netuid));
    b.classList.toggle('on', on);
    b.textContent = on ? '★' : '☆';
    b.setAttribute('aria-pressed', String(on));
  });
}
$$('button.watch').forEach((b) => b.addEventListener('click', () => {
  const n = Number(b.dataset.netuid);
  if (watch.has(n)) watch.delete(n); else watch.add(n);
  store.set('taoplex.watch', [...watch]);
  paintStars(); filterRows();
}));
$('#q')?.addEventListener('input', filterRows);
$('#scope-all')?.addEventListener('click', () => { watchOnly = false; $('#scope-all').setAttribute('aria-pressed', 'true'); $('#scope-watch').setAttribute('aria-pressed', 'false'); filterRows(); });
$('#scope-watch')?.addEventListener('click', () => { watchOnly = true; $('#scope-all').setAttribute('aria-pressed', 'false'); $('#scope-watch').setAttribute('aria-pressed', 'true'); filterRows(); });
paintStars();

// ---- live updates
function setCell(el, [, sort, tao, usd, cls], flash) {
  if (!el) return;
  const old = Number(el.dataset.v);
  if (sort !== undefined && el.dataset.v !== undefined) el.dataset.v = String(sort);
  const t = el.querySelector('.v-tao'), u = el.querySelector('.v-usd');
  if (t) t.textContent = tao; else el.textContent = tao;
  if (u && usd) u.textContent = usd;
  if (cls !== undefined && (el.classList.contains('up') || el.classList.contains('down') || el.classList.contains('flat') || cls)) {
    el.classList.remove('up', 'down', 'flat');
    if (cls) el.classList.add(cls);
  }
  if (flash && !Number.isNaN(old) && sort !== old) {
    el.classList.remove('flash-up', 'flash-down');
    void el.offsetWidth;
    el.classList.add(sort > old ? 'flash-up' : 'flash-down');
  }
}
function onBlock(m) {
  const b = $('#block'); if (b) b.textContent = `#${m.block}`;
  body.dataset.block = String(m.block);
  ageBase = m.age_ms; ageAt = performance.now(); tickAge();
  const st = $('#status'); st?.classList.add('flash'); setTimeout(() => st?.classList.remove('flash'), 600);
  for (const row of m.rows) {
    const tr = tbody?.querySelector(`tr[data-netuid="${row.n}"]`);
    if (tr) for (const c of row.c) setCell(tr.querySelector(`td[data-k="${c[0]}"]`), c, true);
    const head = $(`.subnet-head[data-netuid="${row.n}"]`);
    if (head) for (const c of row.c) {
      const el = head.querySelector(`[data-k="${c[0]}"]`);
      if (el && el.classList.contains('chip')) { setCell(el, [c[0], undefined, c[2], null, c[4]], false); }
      else setCell(el, [c[0], undefined, c[2], c[3], undefined], false);
    }
  }
  if (tbody) { sortRows(); filterRows(); }
  document.dispatchEvent(new CustomEvent('taoplex:block', { detail: m }));
}
function onEvent(e) {
  const list = $('#events');
  if (!list) return;
  const f = list.dataset;
  if (f.kind && f.kind !== e.kind) return;
  if (f.netuid && Number(f.netuid) !== e.netuid) return;
  if (f.min) { const t = e.data && e.data.tao ? Number(e.data.tao) : NaN; if (!(t >= Number(f.min))) return; }
  const li = document.createElement('li');
  li.className = 'ev new';
  li.dataset.kind = e.kind;
  const k = document.createElement('span');
  k.className = `kind k-${e.kind}`;
  k.textContent = $(`#kind-labels`)?.content.querySelector(`[data-kind="${e.kind}"]`)?.textContent || e.kind;
  const w = document.createElement('span'); w.className = 'what'; w.textContent = `${e.sentence} `;
  if (e.netuid !== null && e.netuid !== undefined) { const a = document.createElement('a'); a.href = `/subnets/${e.netuid}`; a.textContent = `SN${e.netuid}`; w.appendChild(a); }
  const when = document.createElement('span'); when.className = 'when muted';
  const bl = document.createElement('a'); bl.href = `/blocks/${e.block}`; bl.textContent = `#${e.block}`; when.appendChild(bl);
  li.append(k, w, when);
  list.prepend(li);
  const ne = $('#noevents'); if (ne) ne.hidden = true;
}
let backoff = 1000;
function connect() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/stream`);
  ws.onopen = () => { backoff = 1000; $('#status')?.classList.add('live'); };
  ws.onmessage = (ev) => {
    let m; try { m = JSON.parse(ev.data); } catch { return; }
    if (m.type === 'block') onBlock(m); else if (m.type === 'event') onEvent(m.event);
  };
  ws.onclose = () => { $('#status')?.classList.remove('live'); setTimeout(connect, backoff); backoff = Math.min(backoff * 2, 30000); };
}
if (body.dataset.page && body.dataset.page !== 'error') connect();
