//! The procedural renderer: an [`AppSpec`] plus render options → one `index.html`.
//!
//! Every app shares one small runtime (a `<canvas id="stage">`, a frame loop with step and
//! draw hooks, and `on(selector, event, handler)` to bind interactions); features contribute
//! markup and a block of script. Flaws are render options, so a flawed output is the same app
//! rendered differently.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::spec::{AppCategory, AppSpec};
use dojo_core::task::Interaction;

/// One feature an app can have: markup per slot, a script block, its interactions.
#[derive(Debug, Clone, Copy)]
pub struct FeatureDef {
    /// Key used in specs.
    pub key: &'static str,
    /// Requirement text for the prompt.
    pub prompt: &'static str,
    /// Markup in the controls bar.
    pub controls: &'static str,
    /// Markup in the form fields (forms only).
    pub fields: &'static str,
    /// Markup in the readouts area.
    pub readouts: &'static str,
    /// Script block (runs inside the app closure).
    pub js: &'static str,
    /// Interactions as (selector, event).
    pub interactions: &'static [(&'static str, &'static str)],
}

const fn f(
    key: &'static str,
    prompt: &'static str,
    controls: &'static str,
    fields: &'static str,
    readouts: &'static str,
    js: &'static str,
    interactions: &'static [(&'static str, &'static str)],
) -> FeatureDef {
    FeatureDef { key, prompt, controls, fields, readouts, js, interactions }
}

const PAUSE: FeatureDef = f(
    "pause",
    "a Pause/Resume button that freezes the motion",
    r#"<button type="button" id="btn-pause">Pause</button>"#,
    "",
    "",
    r#"on('#btn-pause', 'click', function () { app.running = !app.running; this.textContent = app.running ? 'Pause' : 'Resume'; });"#,
    &[("#btn-pause", "click")],
);
const RESET: FeatureDef = f(
    "reset",
    "a Reset button that restarts from the initial state",
    r#"<button type="button" id="btn-reset">Reset</button>"#,
    "",
    "",
    r#"on('#btn-reset', 'click', function () { reset(); });"#,
    &[("#btn-reset", "click")],
);
const SPEED: FeatureDef = f(
    "speed",
    "a slider that changes the speed",
    r#"<label>Speed <input type="range" id="speed" min="0.2" max="3" step="0.1" value="1"></label>"#,
    "",
    "",
    r#"on('#speed', 'input', function () { app.speed = parseFloat(this.value) || 1; });"#,
    &[("#speed", "input")],
);
const ADD: FeatureDef = f(
    "add",
    "clicking on the canvas adds a new item where the user clicked",
    "",
    "",
    "",
    r#"on('#stage', 'click', function (e) { const b = canvas.getBoundingClientRect(); const sx = b.width ? W / b.width : 1; const sy = b.height ? H / b.height : 1; spawn(((e.clientX || 0) - b.left) * sx, ((e.clientY || 0) - b.top) * sy); });"#,
    &[("#stage", "click")],
);
const COUNT: FeatureDef = f(
    "count",
    "a live counter showing how many items are on screen",
    "",
    "",
    r#"<span class="readout">Items: <b id="count">0</b></span>"#,
    r#"const el = document.getElementById('count'); app.draw.push(function () { el.textContent = String(app.items.length); });"#,
    &[],
);
const TRAILS: FeatureDef = f(
    "trails",
    "a checkbox that turns motion trails on and off",
    r#"<label><input type="checkbox" id="trails"> Trails</label>"#,
    "",
    "",
    r#"on('#trails', 'change', function () { app.trails = this.checked; });"#,
    &[("#trails", "change")],
);
const SIZE: FeatureDef = f(
    "size",
    "a slider that changes the size of the items",
    r#"<label>Size <input type="range" id="size" min="0.5" max="2" step="0.1" value="1"></label>"#,
    "",
    "",
    r#"on('#size', 'input', function () { app.size = parseFloat(this.value) || 1; });"#,
    &[("#size", "input")],
);
const WIND: FeatureDef = f(
    "wind",
    "the left and right arrow keys push the items sideways like wind",
    "",
    "",
    "",
    r#"on('body', 'keydown', function (e) { if (e.key === 'ArrowLeft') { app.wind = Math.max(-3, app.wind - 0.3); } if (e.key === 'ArrowRight') { app.wind = Math.min(3, app.wind + 0.3); } }); app.step.push(function () { app.wind *= 0.995; });"#,
    &[("body", "keydown")],
);
const THEME: FeatureDef = f(
    "theme",
    "a button that switches between light and dark themes",
    r#"<button type="button" id="btn-theme">Dark mode</button>"#,
    "",
    "",
    r#"on('#btn-theme', 'click', function () { app.dark = document.body.classList.toggle('dark'); this.textContent = app.dark ? 'Light mode' : 'Dark mode'; });"#,
    &[("#btn-theme", "click")],
);
const GRAVITY: FeatureDef = f(
    "gravity",
    "a slider that changes the strength of gravity",
    r#"<label>Gravity <input type="range" id="gravity" min="0" max="1" step="0.05" value="0.2"></label>"#,
    "",
    "",
    r#"on('#gravity', 'input', function () { const g = parseFloat(this.value); app.gravity = isFinite(g) ? g : 0.2; });"#,
    &[("#gravity", "input")],
);
const SCORE: FeatureDef = f(
    "score",
    "a score display that goes up for every item caught",
    "",
    "",
    r#"<span class="readout">Score: <b id="score">0</b></span>"#,
    r#"const el = document.getElementById('score'); app.draw.push(function () { el.textContent = String(app.score); });"#,
    &[],
);
const KEYS: FeatureDef = f(
    "keys",
    "the left and right arrow keys move the basket",
    "",
    "",
    "",
    r#"on('body', 'keydown', function (e) { if (e.key === 'ArrowLeft') { app.basket = Math.max(30, app.basket - 25); } if (e.key === 'ArrowRight') { app.basket = Math.min(W - 30, app.basket + 25); } });"#,
    &[("body", "keydown")],
);
const TIMER: FeatureDef = f(
    "timer",
    "a 60-second countdown after which the game stops",
    "",
    "",
    r#"<span class="readout">Time: <b id="timer">60</b></span>"#,
    r#"const el = document.getElementById('timer'); let left = 60; let last = Date.now(); app.step.push(function () { const now = Date.now(); if (now - last >= 1000) { last = now; left = Math.max(0, left - 1); el.textContent = String(left); if (left === 0) { app.running = false; } } }); app.onReset.push(function () { left = 60; last = Date.now(); el.textContent = '60'; app.running = true; });"#,
    &[],
);
const DIFFICULTY: FeatureDef = f(
    "difficulty",
    "a difficulty selector (easy, normal, hard) that changes the falling speed",
    r#"<label>Difficulty <select id="difficulty"><option value="1">Easy</option><option value="2" selected>Normal</option><option value="3">Hard</option></select></label>"#,
    "",
    "",
    r#"on('#difficulty', 'change', function () { app.level = parseInt(this.value, 10) || 2; });"#,
    &[("#difficulty", "change")],
);
const EMAIL: FeatureDef = f(
    "email",
    "an email field that shows whether the address is valid as the user types",
    "",
    r#"<label>Email <input type="email" id="email" autocomplete="off"></label><span id="email-msg" class="msg"></span>"#,
    "",
    r#"const msg = document.getElementById('email-msg'); on('#email', 'input', function () { const ok = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(this.value); msg.textContent = this.value === '' ? '' : (ok ? 'Looks good' : 'Please enter a valid email'); msg.className = 'msg ' + (ok ? 'ok' : 'bad'); });"#,
    &[("#email", "input")],
);
const CHARS: FeatureDef = f(
    "chars",
    "a message box with a live character counter (maximum 200 characters)",
    "",
    r#"<label>Message <textarea id="message" maxlength="200" rows="3"></textarea></label><span id="chars" class="msg">0 / 200</span>"#,
    "",
    r#"const c = document.getElementById('chars'); on('#message', 'input', function () { c.textContent = this.value.length + ' / 200'; });"#,
    &[("#message", "input")],
);
const PASSWORD: FeatureDef = f(
    "password",
    "a password field with a strength meter",
    "",
    r#"<label>Password <input type="password" id="password" autocomplete="new-password"></label><div class="meter"><div id="strength"></div></div>"#,
    "",
    r#"const bar = document.getElementById('strength'); on('#password', 'input', function () { const v = this.value; let s = 0; if (v.length >= 8) { s++; } if (/[A-Z]/.test(v)) { s++; } if (/[0-9]/.test(v)) { s++; } if (/[^A-Za-z0-9]/.test(v)) { s++; } bar.style.width = (s * 25) + '%'; bar.style.background = s < 2 ? '#c0392b' : (s < 4 ? '#f39c12' : '#27ae60'); });"#,
    &[("#password", "input")],
);
const SUMMARY: FeatureDef = f(
    "summary",
    "on submit, a summary of the entered values appears below the form",
    "",
    "",
    "",
    r#"const out = document.getElementById('summary'); on('#btn-submit', 'click', function () { out.textContent = ''; const list = document.createElement('ul'); document.querySelectorAll('#signup input, #signup textarea').forEach(function (field) { if (field.type === 'password') { return; } const li = document.createElement('li'); li.textContent = field.id + ': ' + field.value; list.appendChild(li); }); out.appendChild(list); });"#,
    &[("#btn-submit", "click")],
);
const CLEAR: FeatureDef = f(
    "clear",
    "a Clear button that empties every field",
    r#"<button type="button" id="btn-clear">Clear</button>"#,
    "",
    "",
    r#"on('#btn-clear', 'click', function () { document.querySelectorAll('#signup input, #signup textarea').forEach(function (field) { field.value = ''; }); });"#,
    &[("#btn-clear", "click")],
);
const REFRESH: FeatureDef = f(
    "refresh",
    "a Refresh button that loads new random data with an animated transition",
    r#"<button type="button" id="btn-refresh">Refresh</button>"#,
    "",
    "",
    r#"on('#btn-refresh', 'click', function () { app.targets = app.targets.map(function () { return Math.round(rand(10, 100)); }); });"#,
    &[("#btn-refresh", "click")],
);
const SORT: FeatureDef = f(
    "sort",
    "a button that sorts the bars from highest to lowest and back",
    r#"<button type="button" id="btn-sort">Sort</button>"#,
    "",
    "",
    r#"on('#btn-sort', 'click', function () { app.sorted = !app.sorted; this.textContent = app.sorted ? 'Original order' : 'Sort'; });"#,
    &[("#btn-sort", "click")],
);
const METRIC: FeatureDef = f(
    "metric",
    "a selector that switches between this week's and last week's figures",
    r#"<label>Period <select id="metric"><option value="a">This week</option><option value="b">Last week</option></select></label>"#,
    "",
    "",
    r#"on('#metric', 'change', function () { const m = app.metrics[this.value]; if (m) { app.targets = m.slice(); } });"#,
    &[("#metric", "change")],
);
const STATS: FeatureDef = f(
    "stats",
    "a panel with the average, minimum and maximum value",
    "",
    "",
    r#"<p id="stats" class="readout"></p>"#,
    r#"const el = document.getElementById('stats'); app.draw.push(function () { const v = app.targets; const avg = v.reduce(function (a, b) { return a + b; }, 0) / v.length; el.textContent = 'Average ' + avg.toFixed(1) + ', minimum ' + Math.min.apply(null, v) + ', maximum ' + Math.max.apply(null, v); });"#,
    &[],
);
const HIGHLIGHT: FeatureDef = f(
    "highlight",
    "clicking a bar highlights it and shows its value",
    "",
    "",
    r#"<p id="selected" class="readout">Click a bar</p>"#,
    r#"const el = document.getElementById('selected'); on('#stage', 'click', function (e) { const b = canvas.getBoundingClientRect(); const x = ((e.clientX || 0) - b.left) * (b.width ? W / b.width : 1); const idx = order(); const k = Math.floor(x / (W / idx.length)); const i = idx[Math.max(0, Math.min(idx.length - 1, k))]; app.selected = i; el.textContent = app.labels[i] + ': ' + Math.round(app.targets[i]); });"#,
    &[("#stage", "click")],
);
const SHUFFLE: FeatureDef = f(
    "shuffle",
    "a button that shuffles the colours",
    r#"<button type="button" id="btn-shuffle">Shuffle colours</button>"#,
    "",
    "",
    r#"on('#btn-shuffle', 'click', function () { app.colors.sort(function () { return Math.random() - 0.5; }); });"#,
    &[("#btn-shuffle", "click")],
);
const ABOUT: FeatureDef = f(
    "about",
    "an About button that shows a short description",
    r#"<button type="button" id="btn-about">About</button>"#,
    "",
    r#"<p id="about" class="readout" hidden>Made with a canvas and a few lines of script.</p>"#,
    r#"const p = document.getElementById('about'); on('#btn-about', 'click', function () { p.hidden = !p.hidden; });"#,
    &[("#btn-about", "click")],
);
const CLOCK: FeatureDef = f(
    "clock",
    "a live clock",
    "",
    "",
    r#"<p class="readout">Now: <span id="clock"></span></p>"#,
    r#"const el = document.getElementById('clock'); app.draw.push(function () { if (app.tick % 30 === 0) { el.textContent = new Date().toLocaleTimeString(); } });"#,
    &[],
);

/// The requirement pool of a category.
pub fn features_for(category: AppCategory) -> &'static [FeatureDef] {
    match category {
        AppCategory::Animation => &[PAUSE, RESET, SPEED, ADD, COUNT, TRAILS, SIZE, WIND, THEME],
        AppCategory::Simulation => &[PAUSE, RESET, SPEED, ADD, COUNT, TRAILS, SIZE, GRAVITY, THEME],
        AppCategory::Game => &[PAUSE, RESET, SPEED, SCORE, KEYS, TIMER, DIFFICULTY, THEME],
        AppCategory::Form => &[EMAIL, CHARS, PASSWORD, SUMMARY, CLEAR, THEME],
        AppCategory::Dashboard => &[REFRESH, SORT, METRIC, STATS, HIGHLIGHT, THEME],
    }
}

/// Features never asked for, used to add unrequested features.
pub fn extras() -> &'static [FeatureDef] {
    &[SHUFFLE, ABOUT, CLOCK]
}

/// Looks up a feature of a category (or an extra) by key.
pub fn feature(category: AppCategory, key: &str) -> Option<&'static FeatureDef> {
    features_for(category).iter().chain(extras()).find(|f| f.key == key)
}

/// Presentation choices that differ between two viable outputs of one spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// CSS font stack.
    pub font: String,
    /// Corner radius of buttons, px.
    pub radius: u32,
    /// Item shape: circle, square, triangle or diamond.
    pub shape: String,
    /// Initial number of items.
    pub count: u32,
    /// Controls below the canvas instead of above.
    pub controls_below: bool,
    /// Data for dashboards: labels and two series.
    pub data: Vec<(String, u32, u32)>,
}

/// How to render: the variant plus flaw switches (all off for a viable output).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RenderOptions {
    /// Requirements left out.
    pub drop: Vec<String>,
    /// Unrequested features added.
    pub extra: Vec<String>,
    /// 0 = good style; 1–3 = increasingly unrelated fonts, colours and layout.
    pub broken_style: u8,
    /// The interaction that throws, if any.
    pub throw_on: Option<Interaction>,
    /// Delay before any interaction takes effect, ms (0 = none).
    pub lag_ms: u32,
    /// Motion advances only every N frames, N steps at once (0 or 1 = smooth).
    pub jank: u32,
    /// A visual disturbance every N frames (0 = none).
    pub glitch_every: u32,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn motion(spec: &AppSpec) -> &'static str {
    let s = spec.subject.as_str();
    match spec.category {
        AppCategory::Game => "catch",
        AppCategory::Form | AppCategory::Dashboard => "wander",
        AppCategory::Simulation if s.contains("planets") => "orbit",
        AppCategory::Simulation if s.contains("pollen") || s.contains("gas") => "brownian",
        AppCategory::Simulation => "bounce",
        AppCategory::Animation
            if ["bubbles", "lanterns", "balloons", "jellyfish"].iter().any(|w| s.contains(w)) =>
        {
            "up"
        }
        AppCategory::Animation if s.contains("fireflies") || s.contains("sparks") => "wander",
        AppCategory::Animation => "fall",
    }
}

/// The features an output has: requirements minus dropped, plus extras.
pub fn present_features(spec: &AppSpec, opts: &RenderOptions) -> Vec<&'static FeatureDef> {
    spec.requirements
        .iter()
        .filter(|k| !opts.drop.contains(k))
        .chain(opts.extra.iter())
        .filter_map(|k| feature(spec.category, k))
        .collect()
}

/// Interactions of an output (deduplicated, in feature order).
pub fn interactions(spec: &AppSpec, opts: &RenderOptions) -> Vec<Interaction> {
    let mut out: Vec<Interaction> = Vec::new();
    let mut push = |sel: &str, ev: &str| {
        let i = Interaction { selector: sel.into(), event: ev.into() };
        if !out.contains(&i) {
            out.push(i);
        }
    };
    match spec.category {
        AppCategory::Form => push("#btn-submit", "click"),
        AppCategory::Game => push("#stage", "mousemove"),
        _ => {}
    }
    for fd in present_features(spec, opts) {
        for (s, e) in fd.interactions {
            push(s, e);
        }
    }
    out
}

fn css(spec: &AppSpec, v: &Variant, broken: u8) -> String {
    let p = &spec.palette;
    let mut s = format!(
        ":root {{ --bg: {bg}; --fg: {fg}; --accent: {ac}; --panel: {pa}; }}\n\
         * {{ box-sizing: border-box; }}\n\
         body {{ margin: 0; font-family: {font}; background: var(--bg); color: var(--fg); }}\n\
         body.dark {{ --bg: #121212; --fg: #eeeeee; --panel: #1e1e1e; }}\n\
         .app {{ max-width: 560px; margin: 0 auto; padding: 16px; }}\n\
         h1 {{ font-size: 1.4rem; color: var(--accent); margin: 0 0 8px; }}\n\
         .hint {{ margin: 0 0 8px; opacity: 0.8; }}\n\
         .controls, .readouts {{ display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }}\n\
         button, select, input, textarea {{ font: inherit; }}\n\
         button {{ background: var(--accent); color: var(--bg); border: 0; border-radius: {r}px; padding: 6px 12px; cursor: pointer; }}\n\
         canvas {{ width: 100%; display: block; border-radius: {r}px; background: var(--panel); }}\n\
         form label {{ display: block; margin: 8px 0 2px; }}\n\
         form input, form textarea {{ width: 100%; padding: 6px; border: 1px solid var(--accent); border-radius: {r}px; }}\n\
         .msg {{ font-size: 0.9rem; }} .ok {{ color: #27ae60; }} .bad {{ color: #c0392b; }}\n\
         .meter {{ height: 6px; background: var(--panel); border-radius: 3px; }} #strength {{ height: 6px; width: 0; }}\n\
         .readout {{ font-weight: bold; }}\n",
        bg = p.bg,
        fg = p.fg,
        ac = p.accent,
        pa = p.panel,
        font = v.font,
        r = v.radius,
    );
    if broken >= 1 {
        s.push_str("body, button, h1 { font-family: \"Comic Sans MS\", Papyrus, fantasy; letter-spacing: 2px; }\n");
    }
    if broken >= 2 {
        s.push_str(":root { --bg: #00ff00; --fg: #ff00ff; --accent: #ffff00; --panel: #ff6600; }\nbutton { border: 3px dotted #0000ff; }\n");
    }
    if broken >= 3 {
        s.push_str(".controls { transform: rotate(-4deg); position: relative; top: 40px; }\nh1 { text-align: right; font-size: 3rem; }\ncanvas { width: 70%; margin-left: 25%; }\n");
    }
    s
}

/// Renders one output.
pub fn render(spec: &AppSpec, title: &str, v: &Variant, opts: &RenderOptions) -> String {
    let feats = present_features(spec, opts);
    let (w, h) = match spec.category {
        AppCategory::Form => (480, 120),
        AppCategory::Dashboard => (480, 320),
        _ => (480, 480),
    };
    let mut controls = String::new();
    let mut fields = String::new();
    let mut readouts = String::new();
    for fd in &feats {
        controls.push_str(fd.controls);
        fields.push_str(fd.fields);
        readouts.push_str(fd.readouts);
    }
    let stage = format!(r#"<canvas id="stage" width="{w}" height="{h}"></canvas>"#);
    let controls_div = format!("<div class=\"controls\">{controls}</div>\n");
    let readouts_div = format!("<div class=\"readouts\">{readouts}</div>\n");
    let mut body = String::new();
    let hint = match spec.category {
        AppCategory::Game => "Move the basket with the mouse and catch what falls.",
        AppCategory::Animation | AppCategory::Simulation => {
            "Watch the motion and try the controls."
        }
        AppCategory::Form => "Fill in the form to sign up.",
        AppCategory::Dashboard => "Explore the figures with the controls.",
    };
    let _ = writeln!(body, "<h1>{}</h1>\n<p class=\"hint\">{hint}</p>", esc(title));
    if spec.category == AppCategory::Form {
        body.push_str(&stage);
        body.push('\n');
        let _ = write!(
            body,
            "<form id=\"signup\" novalidate>\n<label>Name <input type=\"text\" id=\"name\" autocomplete=\"off\"></label>\n{fields}\n<div class=\"controls\">{controls}<button type=\"button\" id=\"btn-submit\">Sign up</button></div>\n<p id=\"status\" class=\"msg\"></p>\n<div id=\"summary\"></div>\n</form>\n{readouts_div}"
        );
    } else if v.controls_below {
        let _ = write!(body, "{stage}\n{controls_div}{readouts_div}");
    } else {
        let _ = write!(body, "{controls_div}{stage}\n{readouts_div}");
    }
    let js = script(spec, v, opts, &feats);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t}</title>\n<style>\n{css}</style>\n</head>\n<body>\n<main class=\"app\">\n{body}</main>\n<script>\n{js}</script>\n</body>\n</html>\n",
        t = esc(title),
        css = css(spec, v, opts.broken_style),
    )
}

fn js_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn script(spec: &AppSpec, v: &Variant, opts: &RenderOptions, feats: &[&FeatureDef]) -> String {
    let p = &spec.palette;
    let colors: Vec<String> = p.items.iter().map(|c| js_str(c)).collect();
    let mut s = String::new();
    s.push_str("\"use strict\";\n(function () {\n");
    let _ = writeln!(
        s,
        "const canvas = document.getElementById('stage');\nconst ctx = canvas.getContext('2d');\nconst W = canvas.width;\nconst H = canvas.height;\nconst MOTION = {m};\nconst SHAPE = {sh};\nconst COUNT = {n};\nconst PANEL = {pa};\nconst ACCENT = {ac};\nconst FG = {fg};",
        m = js_str(motion(spec)),
        sh = js_str(&v.shape),
        n = if spec.category == AppCategory::Dashboard { 0 } else { v.count },
        pa = js_str(&p.panel),
        ac = js_str(&p.accent),
        fg = js_str(&p.fg),
    );
    let _ = writeln!(
        s,
        "const app = {{ running: true, speed: 1, size: 1, wind: 0, gravity: 0.2, level: 2, trails: false, dark: false, tick: 0, score: 0, basket: W / 2, items: [], colors: [{}], step: [], draw: [], onReset: [], sorted: false, selected: -1 }};",
        colors.join(", ")
    );
    if spec.category == AppCategory::Dashboard {
        let labels: Vec<String> = v.data.iter().map(|d| js_str(&d.0)).collect();
        let a: Vec<String> = v.data.iter().map(|d| d.1.to_string()).collect();
        let b: Vec<String> = v.data.iter().map(|d| d.2.to_string()).collect();
        let _ = writeln!(
            s,
            "app.labels = [{}];\napp.metrics = {{ a: [{}], b: [{}] }};\napp.targets = app.metrics.a.slice();\napp.values = app.targets.map(function () {{ return 0; }});",
            labels.join(", "),
            a.join(", "),
            b.join(", ")
        );
    }
    s.push_str(CORE_JS);
    if opts.lag_ms > 0 {
        let _ = writeln!(
            s,
            "function on(sel, ev, fn) {{ const el = document.querySelector(sel); if (!el) {{ return; }} el.addEventListener(ev, function (e) {{ setTimeout(function () {{ fn.call(el, e); }}, {}); }}); }}",
            opts.lag_ms
        );
    } else {
        s.push_str("function on(sel, ev, fn) { const el = document.querySelector(sel); if (!el) { return; } el.addEventListener(ev, fn); }\n");
    }
    match spec.category {
        AppCategory::Dashboard => s.push_str(DASHBOARD_JS),
        AppCategory::Game => s.push_str(GAME_JS),
        AppCategory::Form => s.push_str(FORM_JS),
        _ => {}
    }
    for fd in feats {
        let _ = writeln!(s, "{{ {} }}", fd.js);
    }
    if let Some(i) = &opts.throw_on {
        let _ = writeln!(
            s,
            "on({}, {}, function () {{ app.pending.commit(); }});",
            js_str(&i.selector),
            js_str(&i.event)
        );
    }
    if opts.glitch_every > 0 {
        let _ = writeln!(
            s,
            "app.draw.push(function () {{ if (app.tick % {} === 0) {{ ctx.fillStyle = app.colors[app.tick % app.colors.length]; ctx.fillRect(0, rand(0, H), W, rand(6, 24)); canvas.style.transform = 'translateX(' + Math.round(rand(-12, 12)) + 'px)'; }} else if (app.tick % 7 === 0) {{ canvas.style.transform = ''; }} }});",
            opts.glitch_every
        );
    }
    let jank = opts.jank.max(1);
    let _ = writeln!(
        s,
        "function frame() {{\n  app.tick++;\n  if (app.running && app.tick % {jank} === 0) {{ for (let j = 0; j < {jank}; j++) {{ for (const p of app.items) {{ move(p); }} app.step.forEach(function (f) {{ f(); }}); }} }}\n  paint();\n  requestAnimationFrame(frame);\n}}\nreset();\nrequestAnimationFrame(frame);\n}})();"
    );
    s
}

const CORE_JS: &str = r#"function rand(a, b) { return a + Math.random() * (b - a); }
function spawn(x, y) {
  const r = rand(4, 12);
  const d = Math.max(30, Math.hypot(x - W / 2, y - H / 2));
  app.items.push({ x: x, y: y, vx: rand(-2, 2), vy: rand(-1, 1), r: r, a: rand(0, Math.PI * 2), d: d, c: app.colors[app.items.length % app.colors.length] });
}
function reset() {
  app.items = [];
  for (let i = 0; i < COUNT; i++) { spawn(rand(0, W), rand(0, H)); }
  app.score = 0;
  app.onReset.forEach(function (f) { f(); });
}
function wrap(p) {
  if (p.x < -p.r) { p.x = W + p.r; }
  if (p.x > W + p.r) { p.x = -p.r; }
  if (p.y < -p.r) { p.y = H + p.r; }
  if (p.y > H + p.r) { p.y = -p.r; }
}
function move(p) {
  const s = app.speed;
  if (MOTION === 'up') {
    p.y -= (0.6 + p.r * 0.05) * s; p.x += (Math.sin((app.tick + p.a * 50) / 30) * 0.5 + app.wind) * s;
    if (p.y < -p.r) { p.y = H + p.r; p.x = rand(0, W); }
    wrap(p);
  } else if (MOTION === 'fall') {
    p.y += (0.8 + p.r * 0.05) * s; p.x += (Math.sin((app.tick + p.a * 50) / 30) * 0.6 + app.wind) * s;
    if (p.y > H + p.r) { p.y = -p.r; p.x = rand(0, W); }
    wrap(p);
  } else if (MOTION === 'wander') {
    p.a += rand(-0.2, 0.2); p.x += (Math.cos(p.a) + app.wind) * s * 0.8; p.y += Math.sin(p.a) * s * 0.8;
    wrap(p);
  } else if (MOTION === 'orbit') {
    p.a += (0.6 / Math.sqrt(p.d)) * s * (0.5 + app.gravity * 2.5);
    p.x = W / 2 + Math.cos(p.a) * p.d; p.y = H / 2 + Math.sin(p.a) * p.d;
  } else if (MOTION === 'brownian') {
    p.vx = (p.vx + rand(-0.5, 0.5)) * 0.95; p.vy = (p.vy + rand(-0.5, 0.5) + app.gravity * 0.05) * 0.95;
    p.x += (p.vx + app.wind) * s; p.y += p.vy * s;
    if (p.x < p.r || p.x > W - p.r) { p.vx = -p.vx; p.x = Math.min(W - p.r, Math.max(p.r, p.x)); }
    if (p.y < p.r || p.y > H - p.r) { p.vy = -p.vy; p.y = Math.min(H - p.r, Math.max(p.r, p.y)); }
  } else if (MOTION === 'bounce') {
    p.vy += app.gravity * s; p.x += (p.vx + app.wind) * s; p.y += p.vy * s;
    if (p.y > H - p.r) { p.y = H - p.r; p.vy *= -0.85; }
    if (p.y < p.r) { p.y = p.r; p.vy = Math.abs(p.vy); }
    if (p.x < p.r) { p.x = p.r; p.vx = Math.abs(p.vx); }
    if (p.x > W - p.r) { p.x = W - p.r; p.vx = -Math.abs(p.vx); }
  } else if (MOTION === 'catch') {
    p.y += (1 + p.r * 0.08) * s * app.level * 0.5;
    if (p.y > H - 24 && p.y < H - 8 && Math.abs(p.x - app.basket) < 40) { app.score++; p.y = -p.r; p.x = rand(20, W - 20); }
    if (p.y > H + p.r) { p.y = -p.r; p.x = rand(20, W - 20); }
  }
}
function shape(p) {
  const r = p.r * app.size;
  ctx.fillStyle = p.c;
  ctx.beginPath();
  if (SHAPE === 'square') { ctx.rect(p.x - r, p.y - r, r * 2, r * 2); }
  else if (SHAPE === 'triangle') { ctx.moveTo(p.x, p.y - r); ctx.lineTo(p.x + r, p.y + r); ctx.lineTo(p.x - r, p.y + r); ctx.closePath(); }
  else if (SHAPE === 'diamond') { ctx.moveTo(p.x, p.y - r); ctx.lineTo(p.x + r, p.y); ctx.lineTo(p.x, p.y + r); ctx.lineTo(p.x - r, p.y); ctx.closePath(); }
  else { ctx.arc(p.x, p.y, r, 0, Math.PI * 2); }
  ctx.fill();
}
function paint() {
  ctx.globalAlpha = app.trails ? 0.2 : 1;
  ctx.fillStyle = app.dark ? '#1e1e1e' : PANEL;
  ctx.fillRect(0, 0, W, H);
  ctx.globalAlpha = 1;
  if (MOTION === 'orbit') { ctx.fillStyle = ACCENT; ctx.beginPath(); ctx.arc(W / 2, H / 2, 16, 0, Math.PI * 2); ctx.fill(); }
  for (const p of app.items) { shape(p); }
  app.draw.forEach(function (f) { f(); });
}
"#;

const GAME_JS: &str = r#"app.draw.push(function () { ctx.fillStyle = ACCENT; ctx.fillRect(app.basket - 40, H - 16, 80, 10); });
on('#stage', 'mousemove', function (e) { const b = canvas.getBoundingClientRect(); const x = ((e.clientX || 0) - b.left) * (b.width ? W / b.width : 1); app.basket = Math.max(30, Math.min(W - 30, x)); });
"#;

const FORM_JS: &str = r#"document.getElementById('signup').addEventListener('submit', function (e) { e.preventDefault(); });
const status = document.getElementById('status');
const nameField = document.getElementById('name');
on('#btn-submit', 'click', function () { status.textContent = 'Thanks, ' + (nameField.value || 'friend') + '! You are signed up.'; });
"#;

const DASHBOARD_JS: &str = r#"function order() { const idx = app.labels.map(function (_, i) { return i; }); if (app.sorted) { idx.sort(function (i, j) { return app.targets[j] - app.targets[i]; }); } return idx; }
app.onReset.push(function () { app.targets = app.metrics.a.slice(); });
app.step.push(function () { for (let i = 0; i < app.values.length; i++) { app.values[i] += (app.targets[i] - app.values[i]) * 0.08 * app.speed; } });
app.draw.push(function () {
  const idx = order();
  const max = Math.max.apply(null, app.targets.concat([1]));
  const bw = W / idx.length;
  ctx.font = '12px sans-serif';
  ctx.textAlign = 'center';
  idx.forEach(function (i, k) {
    const h = (app.values[i] / max) * (H - 60);
    ctx.fillStyle = i === app.selected ? ACCENT : app.colors[k % app.colors.length];
    ctx.fillRect(k * bw + 8, H - 30 - h, bw - 16, h);
    ctx.fillStyle = app.dark ? '#eeeeee' : FG;
    ctx.fillText(app.labels[i], k * bw + bw / 2, H - 12);
  });
});
"#;
