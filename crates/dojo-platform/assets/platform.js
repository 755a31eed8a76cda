// Dojo worker platform: theme, deadline countdowns, and the rating page's enhancements
// (slider ⇄ number, full screen, phone width, image zoom, explanation counter, review step,
// keyboard shortcuts). Every form works without this script; it only adds.
const $ = (s, r = document) => r.querySelector(s);
const $$ = (s, r = document) => Array.from(r.querySelectorAll(s));

// ---- theme (dark by default; shared with the terminal: same storage key and cookie)
function applyTheme(t) {
  document.documentElement.dataset.theme = t;
  document.cookie = `theme=${t}; Path=/; Max-Age=31536000; SameSite=Lax`;
}
try {
  const saved = localStorage.getItem('taoplex.theme');
  if (saved && saved !== document.documentElement.dataset.theme) applyTheme(saved);
} catch (_) { /* storage may be off */ }
$('#theme')?.addEventListener('click', () => {
  const t = document.documentElement.dataset.theme === 'light' ? 'dark' : 'light';
  try { localStorage.setItem('taoplex.theme', t); } catch (_) { /* cookie still remembers */ }
  applyTheme(t);
});

// ---- deadlines
function countdown(el) {
  const left = Number(el.dataset.deadlineMs) - Date.now();
  if (left <= 0) { el.textContent = el.dataset.ended; el.classList.remove('soon'); return; }
  const s = Math.floor(left / 1000), d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24;
  const m = Math.floor(s / 60) % 60, pad = (n) => String(n).padStart(2, '0');
  const span = d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${pad(m)}m` : `${m}m ${pad(s % 60)}s`;
  el.textContent = `${span} ${el.dataset.left}`;
  el.classList.toggle('soon', left < 600000);
}
const clocks = $$('time.countdown[data-deadline-ms]');
if (clocks.length) { clocks.forEach(countdown); setInterval(() => clocks.forEach(countdown), 1000); }

// ---- rating page
const form = $('#rate');
if (form) {
  const cards = $$('section.output', form);
  const numOf = (card) => $('input.num', card);
  const sliderOf = (card) => $('input.slider', card);

  // slider ⇄ number: the number is the submitted field; the slider looks unset until used.
  for (const card of cards) {
    const n = numOf(card), r = sliderOf(card);
    r.classList.add('unset');
    r.addEventListener('input', () => { n.value = r.value; r.classList.remove('unset'); });
    n.addEventListener('input', () => {
      if (n.value !== '') { r.value = n.value; r.classList.remove('unset'); }
    });
    r.addEventListener('keydown', (e) => {
      // Shift+arrow moves by 10 (the range's own arrows move by 1).
      if (!e.shiftKey || !['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'].includes(e.key)) return;
      e.preventDefault();
      const up = e.key === 'ArrowRight' || e.key === 'ArrowUp';
      const v = Math.min(Number(r.max), Math.max(Number(r.min), Number(r.value) + (up ? 10 : -10)));
      r.value = String(v);
      r.dispatchEvent(new Event('input'));
    });
  }

  // full screen and phone width
  const expanded = () => $('section.output.expanded', form);
  function setExpanded(card, on) {
    const b = $('button.expand', card);
    card.classList.toggle('expanded', on);
    document.body.classList.toggle('has-expanded', on);
    b.setAttribute('aria-expanded', String(on));
    b.textContent = on ? b.dataset.close : b.dataset.open;
    b.focus();
  }
  for (const card of cards) {
    const b = $('button.expand', card);
    b.dataset.open = b.textContent;
    b.addEventListener('click', () => setExpanded(card, !card.classList.contains('expanded')));
    const viewer = $('.viewer.app', card);
    const desk = $('button.view-desktop', card), phone = $('button.view-phone', card);
    const setPhone = (on) => {
      viewer.classList.toggle('phone', on);
      desk.setAttribute('aria-pressed', String(!on));
      phone.setAttribute('aria-pressed', String(on));
    };
    desk?.addEventListener('click', () => setPhone(false));
    phone?.addEventListener('click', () => setPhone(true));
    card.togglePhone = viewer ? () => setPhone(!viewer.classList.contains('phone')) : null;

    // image zoom: buttons, +/- keys, and a click on the image
    const img = $('.viewer.image .zoom', card);
    if (img) {
      let z = 1;
      card.zoom = (f) => {
        z = Math.min(8, Math.max(1, z * f));
        img.style.transform = `scale(${z})`;
        img.style.width = z > 1 ? 'max-content' : '';
      };
      $('button.zoom-in', card).addEventListener('click', () => card.zoom(1.5));
      $('button.zoom-out', card).addEventListener('click', () => card.zoom(1 / 1.5));
      img.addEventListener('click', () => card.zoom(1.5));
    }
  }

  // explanation counter
  const text = $('#explanation');
  const count = $('#explanation-count');
  const updateCount = () => {
    count.textContent = String(text.value.length);
    count.parentElement.classList.toggle('over', text.value.length > 300);
  };
  text.addEventListener('input', updateCount);
  updateCount();

  // review step: the review panel (with the submit button) opens after a check
  const panel = $('#review-panel'), reviewBtn = $('#review'), edit = $('#edit');
  panel.hidden = true;
  reviewBtn.hidden = false;
  edit.hidden = false;
  function openReview() {
    const list = $('#review-list');
    list.replaceChildren();
    const rows = cards.map((c) => ({ l: c.dataset.letter, v: numOf(c).value }));
    const missing = cards.find((c) => numOf(c).value === '');
    rows.sort((a, b) => Number(b.v || -1) - Number(a.v || -1));
    for (const r of rows) {
      const li = document.createElement('li');
      li.textContent = `${r.l} — ${r.v === '' ? '?' : r.v}`;
      if (r.v === '') li.className = 'missing';
      list.append(li);
    }
    $('#review-explanation').textContent = text.value.trim();
    if (missing) { sliderOf(missing).focus(); return; }
    if (!text.value.trim()) { text.focus(); return; }
    panel.hidden = false;
    $('#review-title').focus();
  }
  reviewBtn.addEventListener('click', openReview);
  edit.addEventListener('click', () => { panel.hidden = true; reviewBtn.focus(); });

  // keyboard shortcuts (not while typing in a field, except Esc and Ctrl+Enter)
  const current = () => cards.find((c) => c.contains(document.activeElement)) || expanded();
  document.addEventListener('keydown', (e) => {
    const typing = e.target instanceof HTMLTextAreaElement
      || (e.target instanceof HTMLInputElement && e.target.type !== 'range');
    if (e.key === 'Escape' && expanded()) { setExpanded(expanded(), false); return; }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (panel.hidden) openReview(); else form.requestSubmit();
      return;
    }
    if (typing || e.altKey || e.ctrlKey || e.metaKey) return;
    const k = e.key.toLowerCase();
    const n = Number(k);
    if (n >= 1 && n <= cards.length) { e.preventDefault(); sliderOf(cards[n - 1]).focus(); return; }
    const card = current();
    if (k === 'f' && card) { e.preventDefault(); setExpanded(card, !card.classList.contains('expanded')); }
    else if (k === 'p' && card?.togglePhone) { e.preventDefault(); card.togglePhone(); }
    else if ((k === '+' || k === '=') && card?.zoom) { e.preventDefault(); card.zoom(1.5); }
    else if (k === '-' && card?.zoom) { e.preventDefault(); card.zoom(1 / 1.5); }
    else if (k === 'e') { e.preventDefault(); text.focus(); }
    else if (k === 'r') { e.preventDefault(); openReview(); }
  });
}
