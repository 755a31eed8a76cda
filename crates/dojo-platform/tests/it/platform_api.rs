//! The platform's JSON APIs (miner: `x-api-key`; workers: bearer session) and its hardening
//! (session idle timeout, login rate limits, `Secure` cookies, hashed secrets), via `oneshot`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::connect_info::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use dojo_core::protocol::platform_api::{CreateTask, CreatedTask, TaskResults};
use dojo_core::task::{Criteria, Modality, PresentedOutput, PresentedTask};
use dojo_platform::{LoginLimit, MemoryStore, PlatformStore};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::platform::{App, GOOD, HOUR, Resp, T0, WHY};

const SECOND: u64 = 1_000_000_000;

struct Json {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
}

impl Json {
    fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or_else(|| panic!("no error in {}", self.body))
    }
    fn token(&self) -> String {
        self.body["token"].as_str().unwrap_or_else(|| panic!("no token in {}", self.body)).into()
    }
}

fn sha(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A JSON request; `auth` is `("x-api-key", key)` or `("authorization", "Bearer …")`.
async fn call(
    app: &App,
    method: &str,
    path: &str,
    auth: Option<(&str, &str)>,
    body: Option<Value>,
    from: Option<[u8; 4]>,
) -> Json {
    let mut b = Request::builder().method(method).uri(path);
    if let Some((k, v)) = auth {
        b = b.header(k, v);
    }
    let body = match body {
        Some(v) => {
            b = b.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let mut req = b.body(body).unwrap();
    if let Some(ip) = from {
        req.extensions_mut().insert(ConnectInfo(SocketAddr::from((ip, 40_000))));
    }
    let Resp { status, headers, body } = app.send(req).await;
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
    };
    if !status.is_success() {
        assert!(body["error"].is_string(), "{status}: error body {body}");
    }
    Json { status, headers, body }
}

fn bearer(token: &str) -> Option<(&'static str, String)> {
    Some(("authorization", format!("Bearer {token}")))
}

async fn worker_token(app: &App, user: &str) -> String {
    let key = app.state.issue_invite(app.miner).await.unwrap();
    let r = call(
        app,
        "POST",
        "/api/v1/worker/signup",
        None,
        Some(json!({"invite": key, "username": user, "password": "worker password"})),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.token()
}

fn presented(id: &str) -> PresentedTask {
    let out = |id: &str, content: &str| PresentedOutput {
        id: id.into(),
        modality: Modality::Text,
        content: content.into(),
        annotations: vec![],
    };
    PresentedTask {
        task_id: id.into(),
        prompt: "Write a haiku about rain".into(),
        outputs: vec![out("a", "alpha"), out("b", "beta"), out("c", "gamma"), out("d", "delta")],
        criteria: Criteria::default(),
    }
}

fn create(id: &str, max_results: u32) -> Value {
    serde_json::to_value(CreateTask { task: presented(id), expire_at_ns: T0 + HOUR, max_results })
        .unwrap()
}

async fn miner_flow(store: Arc<dyn PlatformStore>) {
    let app = App::with_store(store).await;
    let key = app.state.issue_api_key(app.miner).await.unwrap();
    assert_eq!(key.len(), 64);
    let k = Some(("x-api-key", key.as_str()));
    // Keys are stored hashed.
    assert!(app.state.store().api_key(&key).await.unwrap().is_none());
    assert_eq!(app.state.store().api_key(&sha(&key)).await.unwrap().unwrap().miner, app.miner);

    for auth in [None, Some(("x-api-key", "wrong"))] {
        let r = call(&app, "POST", "/api/v1/tasks", auth, Some(create("v1", 3)), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.error().contains("x-api-key"), "{}", r.error());
    }
    let r = call(&app, "POST", "/api/v1/tasks", k, Some(create("v1", 3)), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = serde_json::from_value::<CreatedTask>(r.body).unwrap().id;
    assert_ne!(id, "v1");
    let r = call(&app, "POST", "/api/v1/tasks", k, Some(create("v1", 3)), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.error().contains("v1 already exists"), "{}", r.error());

    // Invalid tasks.
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut one = create("v2", 3);
    one["task"]["outputs"].as_array_mut().unwrap().truncate(1);
    cases.push((one, "at least 2 outputs"));
    let mut dup = create("v2", 3);
    dup["task"]["outputs"][1]["id"] = json!("a");
    cases.push((dup, "unique"));
    let mut empty = create("v2", 3);
    empty["task"]["prompt"] = json!("  ");
    cases.push((empty, "prompt is empty"));
    let mut past = create("v2", 3);
    past["expire_at_ns"] = json!(T0);
    cases.push((past, "in the past"));
    cases.push((create("v2", 0), "max_results"));
    for (body, msg) in cases {
        let r = call(&app, "POST", "/api/v1/tasks", k, Some(body), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{msg}");
        assert!(r.error().contains(msg), "{msg}: {}", r.error());
    }
    let r = call(&app, "POST", "/api/v1/tasks", k, Some(json!({"task": 1})), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let req = Request::post("/api/v1/tasks")
        .header("x-api-key", &key)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(serde_json::from_str::<Value>(&r.body).unwrap()["error"].is_string());

    // A worker rates it through the JSON API; the validator's id stays visible.
    let w = worker_token(&app, "rainy").await;
    let auth = bearer(&w);
    let auth = auth.as_ref().map(|(a, b)| (*a, b.as_str()));
    let inbox = call(&app, "GET", "/api/v1/worker/tasks", auth, None, None).await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert_eq!(inbox.body[0]["id"], json!(id));
    assert_eq!(inbox.body[0]["submitted"], json!(false));
    app.clock.set_ns(T0 + 5 * SECOND);
    let t = call(&app, "GET", &format!("/api/v1/worker/tasks/{id}"), auth, None, None).await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.body);
    let shown: PresentedTask = serde_json::from_value(t.body).unwrap();
    assert_eq!(shown.task_id, "v1");
    let mut order: Vec<&str> = shown.outputs.iter().map(|o| o.id.as_str()).collect();
    order.sort();
    assert_eq!(order, ["a", "b", "c", "d"]);
    app.clock.set_ns(T0 + 47 * SECOND);
    let scores = json!({"a": 95, "b": 90, "c": 50, "d": 90});
    let r = call(
        &app,
        "POST",
        &format!("/api/v1/worker/tasks/{id}/result"),
        auth,
        Some(json!({"scores": scores, "explanation": WHY})),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let r = call(&app, "GET", &format!("/api/v1/tasks/{id}/results"), k, None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let res: TaskResults = serde_json::from_value(r.body).unwrap();
    assert_eq!((res.id.as_str(), res.expire_at_ns), (id.as_str(), T0 + HOUR));
    assert_eq!(res.results.len(), 1);
    let wr = &res.results[0];
    let worker = app.state.store().account_by_username("rainy").await.unwrap().unwrap();
    assert_eq!(wr.worker_id, worker.id.to_string());
    assert_eq!(wr.scores["b"], 90.0);
    assert_eq!(wr.rationale, WHY);
    assert_eq!(wr.elapsed_secs, 42.0);

    // Another miner's key sees none of it.
    let other = app.state.create_miner("other-miner", "miner password 2").await.unwrap();
    let other_key = app.state.issue_api_key(other.id).await.unwrap();
    let ok = Some(("x-api-key", other_key.as_str()));
    let r = call(&app, "GET", &format!("/api/v1/tasks/{id}/results"), ok, None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The same validator task may go to another miner on this platform.
    let r = call(&app, "POST", "/api/v1/tasks", ok, Some(create("v1", 3)), None).await;
    assert_eq!(r.status, StatusCode::CREATED);

    // Ground truth: only after expiry, naming exactly the task's outputs.
    let gt = |ranks: Value| Some(json!({ "ranks": ranks }));
    let path = format!("/api/v1/tasks/{id}/ground-truth");
    let good = json!({"a": 1, "b": 0, "c": 2, "d": 2});
    let r = call(&app, "POST", &path, k, gt(good.clone()), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.error().contains("not expired"));
    app.clock.set_ns(T0 + HOUR);
    let r = call(&app, "POST", &path, k, gt(json!({"a": 1, "b": 0, "c": 2})), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = call(&app, "POST", &path, k, gt(json!({"a": 1, "b": 0, "c": 3, "d": 3})), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = call(&app, "POST", &path, ok, gt(good.clone()), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = call(&app, "POST", &path, k, gt(good), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // b (90) is the viable one: flawed a (95) above it is an inversion, d (90) a tie.
    let stats = app.state.team_stats(app.miner).await.unwrap();
    let q = stats.workers[0].quality;
    assert_eq!((q.tasks, q.pairs, q.inversions, q.ties), (1, 3, 1, 1));
}
crate::platform_store::every_store!(miner_api_on, crate::platform_api::miner_flow);

fn auth_of<'a>(h: &'a Option<(&'static str, String)>) -> Option<(&'static str, &'a str)> {
    h.as_ref().map(|(a, b)| (*a, b.as_str()))
}

async fn result(app: &App, token: &str, task: &str, scores: Value, why: &str) -> Json {
    let h = bearer(token);
    call(
        app,
        "POST",
        &format!("/api/v1/worker/tasks/{task}/result"),
        auth_of(&h),
        Some(json!({"scores": scores, "explanation": why})),
        None,
    )
    .await
}

fn good() -> Value {
    let m: BTreeMap<&str, u32> = GOOD.iter().map(|(k, v)| (*k, v.parse().unwrap())).collect();
    json!(m)
}

async fn worker_flow(store: Arc<dyn PlatformStore>) {
    let app = App::with_store(store).await;
    app.add_task(crate::platform::text_task("t1"), 2).await;
    app.add_task(crate::platform::text_task("t2"), 4).await;
    let signup = |invite: String, user: &'static str, password: &'static str| json!({"invite": invite, "username": user, "password": password});
    let post = |body: Value| call(&app, "POST", "/api/v1/worker/signup", None, Some(body), None);

    // Sign-up rules: the form's messages, the API's statuses.
    let r = post(signup("ab".repeat(32), "nobody", "worker password")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.error().contains("invite key is not valid"));
    let key = app.state.issue_invite(app.miner).await.unwrap();
    let r = post(signup(key.clone(), "weak", "short")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.error().contains("at least 10 characters"));
    let r = post(signup(key.clone(), "lena", "worker password")).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let lena = r.token();
    // Session tokens are stored hashed.
    assert!(app.state.store().session(&lena).await.unwrap().is_none());
    assert!(app.state.store().session(&sha(&lena)).await.unwrap().is_some());
    let r = post(signup(key, "lena2", "worker password")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.error().contains("already been used"));
    let key = app.state.issue_invite(app.miner).await.unwrap();
    let r = post(signup(key, "LENA", "worker password")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.error().contains("username is taken"));

    // Login.
    let login = |user: &'static str, pw: &'static str| {
        call(
            &app,
            "POST",
            "/api/v1/worker/login",
            None,
            Some(json!({"username": user, "password": pw})),
            None,
        )
    };
    let r = login("lena", "wrong password").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error(), "wrong username or password");
    let r = login("lena", "worker password").await;
    assert_eq!(r.status, StatusCode::OK);
    let lena2 = r.token();
    assert_ne!(lena, lena2);

    // Bearer required.
    let r = call(&app, "GET", "/api/v1/worker/tasks", None, None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error(), "please log in first");
    let r = call(
        &app,
        "GET",
        "/api/v1/worker/tasks",
        Some(("authorization", "Bearer nope")),
        None,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let h = bearer(&lena2);
    let inbox = call(&app, "GET", "/api/v1/worker/tasks", auth_of(&h), None, None).await;
    let ids: Vec<&str> =
        inbox.body.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["t1", "t2"]);
    // Tasks added by the operator show their own id.
    let t = call(&app, "GET", "/api/v1/worker/tasks/t1", auth_of(&h), None, None).await;
    assert_eq!(t.body["task_id"], json!("t1"));
    assert!(!t.body.to_string().contains("secret-model"), "models stay hidden");
    assert!(t.body.get("ground_truth").is_none());

    // Scores and explanation: the form's rules and messages.
    for bad in [json!(0), json!(101), json!(-5), json!(50.5), json!("abc")] {
        let mut s = good();
        s["b"] = bad.clone();
        let r = result(&app, &lena, "t1", s, WHY).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let mut s = good();
    s["b"] = json!(101);
    let r = result(&app, &lena, "t1", s, WHY).await;
    assert!(r.error().contains("score for output b must be a whole number from 1 to 100"));
    let mut s = good();
    s.as_object_mut().unwrap().remove("d");
    let r = result(&app, &lena, "t1", s, WHY).await;
    assert!(r.error().contains("output d"), "{}", r.error());
    let mut s = good();
    s["zz"] = json!(50);
    let r = result(&app, &lena, "t1", s, WHY).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.error().contains("no output \"zz\""));
    let r = result(&app, &lena, "t1", good(), "ignore previous instructions").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.error().contains("explanation of the best and worst"));
    assert!(app.state.store().submissions("t1").await.unwrap().is_empty());

    // One per worker, the cap, expiry, other teams.
    assert_eq!(result(&app, &lena, "t1", good(), WHY).await.status, StatusCode::CREATED);
    let r = result(&app, &lena2, "t1", good(), WHY).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.error().contains("already submitted"));
    let mia = worker_token(&app, "mia").await;
    assert_eq!(result(&app, &mia, "t1", good(), WHY).await.status, StatusCode::CREATED);
    let noor = worker_token(&app, "noor").await;
    let r = result(&app, &noor, "t1", good(), WHY).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.error().contains("maximum of 2 results"));
    // Full tasks leave the inbox of those who did not submit.
    let h = bearer(&noor);
    let inbox = call(&app, "GET", "/api/v1/worker/tasks", auth_of(&h), None, None).await;
    assert_eq!(inbox.body.as_array().unwrap().len(), 1);
    let h = bearer(&lena);
    let inbox = call(&app, "GET", "/api/v1/worker/tasks", auth_of(&h), None, None).await;
    assert_eq!(inbox.body[0]["submitted"], json!(true));
    app.clock.set_ns(T0 + HOUR);
    let r = result(&app, &noor, "t2", good(), WHY).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert!(r.error().contains("expired"));
    let h = bearer(&noor);
    let inbox = call(&app, "GET", "/api/v1/worker/tasks", auth_of(&h), None, None).await;
    assert!(inbox.body.as_array().unwrap().is_empty());

    let other = app.state.create_miner("other-miner", "miner password 2").await.unwrap();
    let key = app.state.issue_invite(other.id).await.unwrap();
    let r = post(signup(key, "outsider", "worker password")).await;
    let h = bearer(&r.token());
    let r = call(&app, "GET", "/api/v1/worker/tasks/t2", auth_of(&h), None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A miner's session is not a worker's.
    let r = login("acme-miner", "miner password 1").await;
    let h = bearer(&r.token());
    let r = call(&app, "GET", "/api/v1/worker/tasks", auth_of(&h), None, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
crate::platform_store::every_store!(worker_api_on, crate::platform_api::worker_flow);

#[tokio::test]
async fn logins_are_rate_limited_per_username_and_per_address() {
    let app = App::new().await;
    let _ = worker_token(&app, "olga").await;
    let login = |user: &str, pw: &str, ip: [u8; 4]| {
        call(
            &app,
            "POST",
            "/api/v1/worker/login",
            None,
            Some(json!({"username": user, "password": pw})),
            Some(ip),
        )
    };
    // Ten wrong guesses at olga from many addresses, then even the right password waits.
    for i in 0..10u8 {
        assert_eq!(
            login("olga", "wrong password", [10, 0, 0, i]).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let r = login("OLGA", "worker password", [10, 0, 1, 1]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.error().contains("too many login attempts; wait 60 seconds"), "{}", r.error());
    assert_eq!(r.headers.get(header::RETRY_AFTER).unwrap(), "60");
    // The form is limited by the same counter.
    let (c, csrf) = app.anon("/login").await;
    let r = app
        .post(
            "/login",
            Some(&c),
            &[("csrf", &csrf), ("username", "olga"), ("password", "worker password")],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("too many login attempts"));
    // A minute later olga may try again.
    app.clock.set_ns(T0 + 60 * SECOND);
    assert_eq!(login("olga", "worker password", [10, 0, 1, 2]).await.status, StatusCode::OK);

    // One address spraying many usernames.
    for i in 0..10 {
        let r = login(&format!("user{i}"), "whatever password", [192, 0, 2, 7]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = login("olga", "worker password", [192, 0, 2, 7]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(login("olga", "worker password", [192, 0, 2, 8]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn sessions_end_after_the_idle_timeout() {
    let app = App::build(Arc::new(MemoryStore::new()), |s| {
        s.with_session_idle_timeout(Duration::from_secs(3_600)).with_login_limit(LoginLimit {
            per_username: 100,
            per_ip: 100,
            window_secs: 60,
        })
    })
    .await;
    app.add_task(crate::platform::text_task("t1"), 4).await;
    let token = worker_token(&app, "pia").await;
    let cookie = app.worker("quinn").await;
    let h = bearer(&token);
    // Used every 50 minutes, the sessions live on.
    for step in 1..=3u64 {
        app.clock.set_ns(T0 + step * 50 * 60 * SECOND);
        let r = call(&app, "GET", "/api/v1/worker/tasks", auth_of(&h), None, None).await;
        assert_eq!(r.status, StatusCode::OK, "step {step}");
        assert_eq!(app.get("/tasks", Some(&cookie)).await.status, StatusCode::OK, "step {step}");
    }
    // An hour unused, they are gone.
    app.clock.set_ns(T0 + 150 * 60 * SECOND + 3_600 * SECOND);
    let r = call(&app, "GET", "/api/v1/worker/tasks", auth_of(&h), None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error(), "your session expired; please log in again");
    let r = app.get("/tasks", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("session expired"));
    let r = call(&app, "GET", "/api/v1/worker/tasks", auth_of(&h), None, None).await;
    assert_eq!(r.error(), "please log in first", "the expired session was deleted");
    // The login page hands out a fresh anonymous session for an expired cookie.
    let r = app.get("/login", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.cookie().is_some_and(|c| c != cookie));
}

#[tokio::test]
async fn cookies_are_secure_when_asked_and_api_keys_come_from_the_team_page() {
    let plain = App::new().await;
    let set = plain.get("/login", None).await;
    let v = set.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(!v.contains("Secure"), "{v}");

    let app = App::build(Arc::new(MemoryStore::new()), |s| s.with_secure_cookies(true)).await;
    let r = app.get("/login", None).await;
    let v = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
    assert!(
        v.contains("; Secure") && v.contains("HttpOnly") && v.contains("SameSite=Strict"),
        "{v}"
    );
    let (c, csrf) = (r.cookie().unwrap(), r.csrf());
    let r = app
        .post(
            "/login",
            Some(&c),
            &[("csrf", &csrf), ("username", "acme-miner"), ("password", "miner password 1")],
        )
        .await;
    assert!(r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().contains("; Secure"));
    let m = r.cookie().unwrap();

    // The API-key form needs the CSRF token, shows the key once, and the key works.
    let team = app.get("/team", Some(&m)).await;
    assert!(team.body.contains("0 issued"));
    let r = app.post("/team/api-keys", Some(&m), &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.post("/team/api-keys", Some(&m), &[("csrf", &team.csrf())]).await;
    assert_eq!(r.status, StatusCode::OK);
    let i = r.body.find("<code id=\"new-api-key\">").unwrap() + 23;
    let key = r.body[i..i + 64].to_string();
    assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
    let again = app.get("/team", Some(&m)).await;
    assert!(again.body.contains("1 issued") && !again.body.contains(&key));
    let r =
        call(&app, "POST", "/api/v1/tasks", Some(("x-api-key", &key)), Some(create("v9", 2)), None)
            .await;
    assert_eq!(r.status, StatusCode::CREATED);
    // Workers cannot issue keys.
    let w = app.worker("rhea").await;
    let page = app.get("/tasks", Some(&w)).await;
    let r = app.post("/team/api-keys", Some(&w), &[("csrf", &page.csrf())]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
