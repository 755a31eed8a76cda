//! Every generated output loads in headless Chromium without a script error, and a flaw that
//! throws does so on its named interaction only.
//!
//! Outputs are batched: one harness page holds many same-origin `srcdoc` iframes, each with an
//! error recorder injected at the top of its `<head>`. The harness waits for every frame to
//! load, dispatches each declared interaction in turn (recording the errors each one raised
//! synchronously), waits for delayed handlers, then writes a JSON report into the DOM, which
//! `chromium --dump-dom` prints. Set `TAOPLEX_CHROMIUM` to the browser (CI always does);
//! `TAOPLEX_BROWSER_TASKS` overrides the number of tasks (default 1,000).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dojo_core::{FlawKind, Output};
use dojo_gen::ProceduralGenerator;
use serde_json::Value;

const BATCH: usize = 50;

const RECORDER: &str = "<head><script>window.__errs=[];window.addEventListener('error',function(e){window.__errs.push(String(e.message||e.type));});</script>";

const HARNESS: &str = r#"
const frames = OUTPUTS.map(function (o) {
  const f = document.createElement('iframe');
  f.width = 200; f.height = 200;
  f.addEventListener('load', function () { f.dataset.loaded = '1'; });
  f.srcdoc = o.src;
  document.body.appendChild(f);
  return f;
});
function fire(w, d, it) {
  const el = d.querySelector(it.selector);
  if (!el) { return { missing: true, errors: [] }; }
  let ev;
  if (it.event === 'keydown') { ev = new w.KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }); }
  else if (it.event === 'click' || it.event === 'mousemove') { ev = new w.MouseEvent(it.event, { bubbles: true, clientX: 40, clientY: 40 }); }
  else { ev = new w.Event(it.event, { bubbles: true }); }
  const before = w.__errs.length;
  el.dispatchEvent(ev);
  return { missing: false, errors: w.__errs.slice(before) };
}
function run() {
  const res = OUTPUTS.map(function (o, i) {
    const w = frames[i].contentWindow;
    const d = frames[i].contentDocument;
    if (!w || !w.__errs) { return { loaded: false }; }
    const r = { loaded: frames[i].dataset.loaded === '1', load: w.__errs.slice(), fired: [] };
    o.interactions.forEach(function (it) { r.fired.push(fire(w, d, it)); });
    r.mark = w.__errs.length;
    return r;
  });
  setTimeout(function () {
    res.forEach(function (r, i) { const w = frames[i].contentWindow; if (w && w.__errs) { r.late = w.__errs.slice(r.mark); } });
    document.getElementById('results').textContent = JSON.stringify(res);
    frames.forEach(function (f) { f.remove(); });
  }, 2000);
}
let waited = 0;
(function wait() {
  const all = frames.every(function (f) { return f.dataset.loaded === '1'; });
  if (all || waited > 10000) { setTimeout(run, 300); } else { waited += 100; setTimeout(wait, 100); }
})();
"#;

fn harness(outputs: &[&Output]) -> String {
    let items: Vec<Value> = outputs
        .iter()
        .map(|o| {
            serde_json::json!({
                "src": o.content.replacen("<head>", RECORDER, 1),
                "interactions": o.interactions,
            })
        })
        .collect();
    let json = serde_json::to_string(&items).unwrap().replace('<', "\\u003c");
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>harness</title></head><body>\n<pre id=\"results\">pending</pre>\n<script>\nconst OUTPUTS = {json};\n{HARNESS}</script>\n</body></html>\n"
    )
}

fn run_chromium(chromium: &str, page: &Path, profile: &Path) -> String {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--mute-audio",
            "--virtual-time-budget=60000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took more than 300 s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

fn report(dom: &str) -> Vec<Value> {
    let start = dom.find("<pre id=\"results\">").expect("no results element")
        + "<pre id=\"results\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let text = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    assert_ne!(text, "pending", "harness did not finish");
    serde_json::from_str(&text).unwrap()
}

/// Checks one output's report; returns a description of every problem.
fn check(o: &Output, r: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if r["loaded"] != true {
        problems.push("did not load".to_string());
        return problems;
    }
    let load = r["load"].as_array().unwrap();
    if !load.is_empty() {
        problems.push(format!("script error on load: {load:?}"));
    }
    let throws = o
        .flaws
        .iter()
        .find(|f| f.kind == FlawKind::ThrowOnInteraction)
        .and_then(|f| f.interaction.clone());
    for (it, fired) in o.interactions.iter().zip(r["fired"].as_array().unwrap()) {
        if fired["missing"] == true {
            problems.push(format!("no element for {it:?}"));
        }
        let errs = fired["errors"].as_array().unwrap();
        let should = throws.as_ref() == Some(it);
        if should && errs.is_empty() {
            problems.push(format!("{} on {} should throw but did not", it.event, it.selector));
        }
        if !should && !errs.is_empty() {
            problems.push(format!("{} on {} threw {errs:?}", it.event, it.selector));
        }
    }
    let late = r["late"].as_array().map(Vec::len).unwrap_or(1);
    if late != 0 {
        problems.push(format!("delayed script errors: {:?}", r["late"]));
    }
    problems
}

#[test]
fn every_output_loads_without_script_errors() {
    let Ok(chromium) = std::env::var("TAOPLEX_CHROMIUM") else {
        println!(
            "\n!!!!!!!! TAOPLEX_CHROMIUM is not set: SKIPPING the headless-browser check of generated outputs !!!!!!!!\n"
        );
        return;
    };
    let n: u64 =
        std::env::var("TAOPLEX_BROWSER_TASKS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let g = ProceduralGenerator::default();
    let tasks: Vec<_> = (0..n).map(|seed| g.generate(seed).unwrap()).collect();
    let outputs: Vec<(&str, &Output)> =
        tasks.iter().flat_map(|t| t.outputs.iter().map(move |o| (t.id.as_str(), o))).collect();
    // Canaries prove the harness sees errors: one fails on load, one throws on an interaction
    // it does not declare as flawed. Both must be reported.
    let mut broken_load = tasks[0].outputs[0].clone();
    broken_load.content =
        broken_load.content.replacen("\"use strict\";", "\"use strict\"; undefinedFunction();", 1);
    broken_load.id = "canary-load".into();
    let mut broken_click = tasks[0].outputs[0].clone();
    let it = broken_click.interactions[0].clone();
    broken_click.content = broken_click.content.replacen(
        "reset();\nrequestAnimationFrame(frame);",
        &format!("reset();\nrequestAnimationFrame(frame);\ndocument.querySelector('{}').addEventListener('{}', function () {{ null.x(); }});", it.selector, it.event),
        1,
    );
    broken_click.id = "canary-click".into();
    assert_ne!(broken_load.content, tasks[0].outputs[0].content);
    assert_ne!(broken_click.content, tasks[0].outputs[0].content);
    let mut outputs = outputs;
    outputs.insert(0, ("canary", &broken_load));
    outputs.insert(1, ("canary", &broken_click));
    let dir = tempfile::tempdir().unwrap();
    let batches: Vec<&[(&str, &Output)]> = outputs.chunks(BATCH).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let problems = std::sync::Mutex::new(Vec::new());
    let checked = std::sync::atomic::AtomicUsize::new(0);
    let thrown = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(batch) = batches.get(i) else { break };
                    let page = dir.path().join(format!("batch-{i}.html"));
                    let outs: Vec<&Output> = batch.iter().map(|(_, o)| *o).collect();
                    std::fs::write(&page, harness(&outs)).unwrap();
                    let profile = dir.path().join(format!("profile-{i}"));
                    let dom = run_chromium(&chromium, &page, &profile);
                    let reports = report(&dom);
                    assert_eq!(reports.len(), batch.len());
                    for ((task, o), r) in batch.iter().zip(&reports) {
                        checked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if o.flaws.iter().any(|f| f.kind == FlawKind::ThrowOnInteraction) {
                            thrown.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        for p in check(o, r) {
                            problems
                                .lock()
                                .unwrap()
                                .push(format!("{task} output {} ({}): {p}", o.id, o.model));
                        }
                    }
                }
            });
        }
    });
    let mut problems = problems.into_inner().unwrap();
    for canary in ["canary-load", "canary-click"] {
        let before = problems.len();
        problems.retain(|p| !p.contains(canary));
        assert!(problems.len() < before, "the harness missed the error of {canary}");
    }
    println!(
        "browser check: {} outputs of {n} tasks, {} with a throwing interaction, {} problems",
        checked.load(std::sync::atomic::Ordering::Relaxed),
        thrown.load(std::sync::atomic::Ordering::Relaxed),
        problems.len()
    );
    assert!(
        problems.is_empty(),
        "{} problems, first 20:\n{}",
        problems.len(),
        problems[..problems.len().min(20)].join("\n")
    );
    assert_eq!(checked.into_inner(), outputs.len());
    assert_eq!(outputs.len() as u64, 4 * n + 2);
}
