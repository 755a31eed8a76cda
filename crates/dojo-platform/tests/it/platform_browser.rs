//! The worker platform in headless Chromium (chromedriver + fantoccini): the miner puts a task
//! on the platform through its API, a worker signs up with an invite key, opens the task, rates
//! every output, explains, and submits, and the miner reads the result back through its API.
//! One HTML output is hostile: it tries to read the parent's cookie and DOM, its own cookie and
//! storage, to reach the platform's own server over `fetch`, an image, a beacon, a WebSocket, a
//! popup, top-level navigation and a form post. The output runs (it reports into its own DOM),
//! the test reads those reports from inside the frame, and then checks on the server that no
//! probe request arrived.
//!
//! Reads `TAOPLEX_CHROMIUM` and `TAOPLEX_CHROMEDRIVER`; without them the test fails under
//! `CI=true` and elsewhere prints a notice and skips (`test_support::require`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Request;
use axum::middleware::Next;
use fantoccini::{Client, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use test_support::browser::{Browser, browser};

use crate::platform::{App, HOUR, T0, text_task};
use dojo_core::protocol::platform_api::CreateTask;
use dojo_core::task::Modality;

/// The hostile output: every attempt writes its outcome into the output's own DOM.
fn probe_html(base: &str) -> String {
    let ws = base.replacen("http://", "ws://", 1);
    format!(
        r#"<!doctype html><html><body>
<p id="parent">pending</p><p id="own-cookie">pending</p><p id="fetch">pending</p><p id="img">pending</p><p id="beacon">pending</p>
<p id="ws">pending</p><p id="popup">pending</p><p id="top">pending</p><p id="storage">pending</p><p id="form">pending</p>
<script>
function report(id, v) {{ document.getElementById(id).textContent = v; }}
try {{ report('parent', 'read:' + window.parent.document.cookie); }} catch (e) {{ report('parent', 'blocked:' + e.name); }}
try {{ report('own-cookie', 'read:' + document.cookie); }} catch (e) {{ report('own-cookie', 'blocked:' + e.name); }}
try {{
  fetch('{base}/probe/fetch', {{ mode: 'no-cors', credentials: 'include' }}).then(
    function () {{ report('fetch', 'reached'); }},
    function (e) {{ report('fetch', 'blocked:' + e.name); }});
}} catch (e) {{ report('fetch', 'blocked:' + e.name); }}
var img = new Image();
img.onload = function () {{ report('img', 'reached'); }};
img.onerror = function () {{ report('img', 'error'); }};
img.src = '{base}/probe/img';
try {{ report('beacon', navigator.sendBeacon('{base}/probe/beacon', 'x') ? 'queued' : 'blocked'); }}
catch (e) {{ report('beacon', 'blocked:' + e.name); }}
try {{
  var ws = new WebSocket('{ws}/probe/ws');
  ws.onopen = function () {{ report('ws', 'reached'); }};
  ws.onerror = function () {{ report('ws', 'error'); }};
}} catch (e) {{ report('ws', 'blocked:' + e.name); }}
try {{ report('popup', window.open('{base}/probe/popup') ? 'opened' : 'blocked'); }}
catch (e) {{ report('popup', 'blocked:' + e.name); }}
try {{ window.top.location.href = '{base}/probe/top'; report('top', 'not thrown'); }}
catch (e) {{ report('top', 'blocked:' + e.name); }}
try {{ report('storage', 'read:' + window.localStorage.length); }}
catch (e) {{ report('storage', 'blocked:' + e.name); }}
// Last: a form post would navigate this frame away if it were allowed.
var form = document.createElement('form');
form.method = 'post'; form.action = '{base}/probe/form';
document.body.appendChild(form);
try {{ form.submit(); report('form', 'not thrown'); }} catch (e) {{ report('form', 'blocked:' + e.name); }}
</script></body></html>"#
    )
}

/// A miner API call over the loopback server: POST with a body, GET without.
async fn api(
    base: &str,
    path: &str,
    key: &str,
    body: Option<serde_json::Value>,
) -> serde_json::Value {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, http_body_util::Full<axum::body::Bytes>>(HttpConnector::new());
    let (method, bytes) = match body {
        Some(v) => ("POST", v.to_string()),
        None => ("GET", String::new()),
    };
    let req = axum::http::Request::builder()
        .method(method)
        .uri(format!("{base}{path}"))
        .header("x-api-key", key)
        .header("content-type", "application/json")
        .body(http_body_util::Full::new(axum::body::Bytes::from(bytes)))
        .unwrap();
    let resp = client.request(req).await.unwrap();
    let status = resp.status();
    let body = http_body_util::BodyExt::collect(resp.into_body()).await.unwrap().to_bytes();
    assert!(status.is_success(), "{path}: {status} {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap().text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_signs_up_rates_and_a_hostile_output_stays_boxed() {
    let Some(Browser { client: c, driver, profile: _profile }) = browser(&[]).await else {
        return;
    };
    let app = App::new().await;

    // A real server on loopback that records every request it sees.
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let rec = seen.clone();
    let router =
        app.router.clone().layer(axum::middleware::from_fn(move |req: Request, next: Next| {
            let rec = rec.clone();
            async move {
                rec.lock().unwrap().push(req.uri().path().to_string());
                next.run(req).await
            }
        }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });

    // The task comes through the miner API, as the miner forwards a validator's task.
    let mut task = text_task("t-browser").present(0, "miner-hotkey");
    let b = task.outputs.iter().position(|o| o.id == "b").unwrap();
    task.outputs[b].modality = Modality::Html;
    task.outputs[b].content = probe_html(&base);
    let api_key = app.state.issue_api_key(app.miner).await.unwrap();
    let body = CreateTask { task, expire_at_ns: T0 + HOUR, max_results: 4 };
    let created =
        api(&base, "/api/v1/tasks", &api_key, Some(serde_json::to_value(&body).unwrap())).await;
    let task_id = created["id"].as_str().unwrap().to_string();
    let key = app.state.issue_invite(app.miner).await.unwrap();

    // ---- sign up with the invite key
    c.goto(&format!("{base}/signup?invite={key}")).await.unwrap();
    c.find(Locator::Id("username")).await.unwrap().send_keys("browser-worker").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys("a long password").await.unwrap();
    c.find(Locator::Id("signup")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("inbox")).await.unwrap();
    assert_eq!(text_of(&c, "#who").await, "browser-worker");
    let cookies = c.get_all_cookies().await.unwrap();
    let session = cookies.iter().find(|k| k.name() == "dojo_session").expect("session cookie");
    assert_eq!(session.http_only(), Some(true));

    // ---- open the task
    c.find(Locator::Css(&format!("a[href='/tasks/{task_id}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("prompt")).await.unwrap();
    assert_eq!(c.execute("return document.cookie", vec![]).await.unwrap(), json!(""));

    // ---- the hostile output ran, and every attempt was refused
    let frame = c.find(Locator::Css("section[data-output='b'] iframe")).await.unwrap();
    assert_eq!(frame.attr("sandbox").await.unwrap().as_deref(), Some("allow-scripts"));
    frame.enter_frame().await.unwrap();
    for id in
        ["parent", "own-cookie", "fetch", "img", "beacon", "ws", "popup", "top", "storage", "form"]
    {
        c.wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::XPath(&format!("//p[@id='{id}'][text()!='pending']")))
            .await
            .unwrap_or_else(|e| panic!("output never reported {id}: {e}"));
    }
    let parent = text_of(&c, "#parent").await;
    let own = text_of(&c, "#own-cookie").await;
    let fetch = text_of(&c, "#fetch").await;
    let img = text_of(&c, "#img").await;
    let beacon = text_of(&c, "#beacon").await;
    let ws = text_of(&c, "#ws").await;
    let popup = text_of(&c, "#popup").await;
    let top = text_of(&c, "#top").await;
    let storage = text_of(&c, "#storage").await;
    let form = text_of(&c, "#form").await;
    eprintln!(
        "browser: parent={parent} own-cookie={own} fetch={fetch} img={img} beacon={beacon} \
         ws={ws} popup={popup} top={top} storage={storage} form={form}"
    );
    assert!(parent.starts_with("blocked:"), "parent DOM readable: {parent}");
    assert!(!own.contains("dojo_session"), "session cookie readable: {own}");
    assert!(fetch.starts_with("blocked:"), "fetch: {fetch}");
    // `onerror` fires for a CSP block and for a 404 alike; the server check below tells them apart.
    assert_eq!(img, "error");
    // `sendBeacon` answers "queued" before the CSP check runs, so its return value proves
    // nothing; whether it went out is checked on the server below, after the browser closed.
    assert!(beacon == "queued" || beacon.starts_with("blocked"), "beacon: {beacon}");
    // A CSP-blocked WebSocket fails with an error event (or throws, in older engines).
    assert!(ws == "error" || ws.starts_with("blocked:"), "ws: {ws}");
    assert!(popup.starts_with("blocked"), "popup: {popup}");
    assert!(storage.starts_with("blocked:"), "storage of the opaque origin: {storage}");
    assert!(top.starts_with("blocked:"), "top navigation: {top}");
    // The sandbox drops the form post without throwing; the page below is still the task page
    // and the server check at the end shows the post never left.
    assert!(form == "not thrown" || form.starts_with("blocked:"), "form: {form}");
    c.enter_parent_frame().await.unwrap();
    assert!(c.current_url().await.unwrap().path().starts_with("/tasks/"), "top navigated");

    // ---- rate, explain, submit
    for (id, v) in [("a", "90"), ("b", "5"), ("c", "40"), ("d", "10")] {
        c.find(Locator::Css(&format!("input[name='score:{id}']")))
            .await
            .unwrap()
            .send_keys(v)
            .await
            .unwrap();
    }
    c.find(Locator::Id("explanation"))
        .await
        .unwrap()
        .send_keys("A answers the prompt best; B tries to snoop and shows nothing useful.")
        .await
        .unwrap();
    c.find(Locator::Id("review")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("submit")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("message")).await.unwrap();
    assert_eq!(text_of(&c, "#message").await, "Your result was submitted.");

    // The miner collects the result through its API.
    let results = api(&base, &format!("/api/v1/tasks/{task_id}/results"), &api_key, None).await;
    assert_eq!(results["results"][0]["scores"]["b"], json!(5.0));
    assert!(results["results"][0]["elapsed_secs"].as_f64().unwrap() >= 0.0);

    c.close().await.unwrap();
    drop(driver);
    let _ = stop.send(());
    server.await.unwrap().unwrap();

    let subs = app.state.store().submissions(&task_id).await.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].scores["a"], 90);
    assert_eq!(subs[0].scores["b"], 5);
    let seen = seen.lock().unwrap().clone();
    let frame_path = format!("/tasks/{task_id}/frames/b");
    assert!(seen.contains(&frame_path), "the frame loaded: {seen:?}");
    assert!(!seen.iter().any(|p| p.starts_with("/probe")), "a probe reached the server: {seen:?}");
}
