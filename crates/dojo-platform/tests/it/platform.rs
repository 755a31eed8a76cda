//! Worker platform: accounts, sessions, CSRF, task pages and submission rules via `oneshot`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chain::ManualClock;
use dojo_core::task::{Criteria, GroundTruth, Modality, Output, Task, TaskShape};
use dojo_platform::{
    MemoryStore, PlatformState, PlatformStore, PlatformTask, Role, SESSION_COOKIE,
};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub(crate) const T0: u64 = 1_700_000_000_000_000_000;
pub(crate) const HOUR: u64 = 3_600_000_000_000;

pub(crate) struct App {
    pub router: Router,
    pub state: PlatformState,
    pub clock: Arc<ManualClock>,
    pub miner: u64,
}

pub(crate) struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub(crate) fn cookie(&self) -> Option<String> {
        let v = self.headers.get(header::SET_COOKIE)?.to_str().ok()?;
        let (kv, _) = v.split_once(';')?;
        let (k, val) = kv.split_once('=')?;
        (k == SESSION_COOKIE && !val.is_empty()).then(|| val.to_string())
    }
    pub(crate) fn csrf(&self) -> String {
        let i = self.body.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
        self.body[i..i + 64].to_string()
    }
    fn location(&self) -> &str {
        self.headers.get(header::LOCATION).unwrap().to_str().unwrap()
    }
}

fn out(id: &str, modality: Modality, content: &str) -> Output {
    Output {
        id: id.into(),
        modality,
        content: content.into(),
        model: format!("secret-model-{id}"),
        flaws: vec![],
        interactions: vec![],
        annotations: vec![],
    }
}

/// A task with outputs a, b (viable, rank 0), c (rank 1), d (rank 2).
pub(crate) fn text_task(id: &str) -> Task {
    let outputs = vec![
        out("a", Modality::Text, "alpha <b>bold</b>"),
        out("b", Modality::Text, "beta"),
        out("c", Modality::Text, "gamma"),
        out("d", Modality::Text, "delta"),
    ];
    let ranks: BTreeMap<String, u32> =
        [("a", 0), ("b", 0), ("c", 1), ("d", 2)].iter().map(|(k, r)| (k.to_string(), *r)).collect();
    Task {
        id: id.into(),
        prompt: "Write a <greeting>".into(),
        outputs,
        ground_truth: Some(GroundTruth::new(ranks).unwrap()),
        criteria: Criteria::default(),
        shape: TaskShape::TwoViableTwoFlawed,
        seed: None,
    }
}

impl App {
    pub(crate) async fn new() -> App {
        App::with_store(Arc::new(MemoryStore::new())).await
    }

    pub(crate) async fn with_store(store: Arc<dyn PlatformStore>) -> App {
        App::build(store, |s| s).await
    }

    /// An app over `store` whose state `configure` adjusts, with the miner `acme-miner`.
    pub(crate) async fn build(
        store: Arc<dyn PlatformStore>,
        configure: impl FnOnce(PlatformState) -> PlatformState,
    ) -> App {
        let clock = Arc::new(ManualClock::new(T0));
        let state = configure(
            PlatformState::new(store, clock.clone())
                .with_argon2_params(argon2::Params::new(8, 1, 1, None).unwrap()),
        );
        let miner = state.create_miner("acme-miner", "miner password 1").await.unwrap();
        App { router: dojo_platform::router(state.clone()), state, clock, miner: miner.id }
    }

    pub(crate) async fn add_task(&self, task: Task, max_results: u32) {
        self.state
            .add_task(PlatformTask {
                task,
                miner: self.miner,
                expires_at_ns: T0 + HOUR,
                max_results,
            })
            .await
            .unwrap();
    }

    pub(crate) async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        Resp { status, headers, body: String::from_utf8(body.to_vec()).unwrap() }
    }

    pub(crate) async fn get(&self, path: &str, cookie: Option<&str>) -> Resp {
        let mut b = Request::get(path);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, format!("{SESSION_COOKIE}={c}"));
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    pub(crate) async fn post(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> Resp {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut b =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, format!("{SESSION_COOKIE}={c}"));
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    /// Anonymous session: (cookie, csrf).
    pub(crate) async fn anon(&self, path: &str) -> (String, String) {
        let r = self.get(path, None).await;
        assert_eq!(r.status, StatusCode::OK);
        (r.cookie().unwrap(), r.csrf())
    }

    pub(crate) async fn try_signup(&self, invite: &str, user: &str) -> Resp {
        let (c, csrf) = self.anon("/signup").await;
        self.post(
            "/signup",
            Some(&c),
            &[
                ("csrf", &csrf),
                ("invite", invite),
                ("username", user),
                ("password", "worker password"),
            ],
        )
        .await
    }

    /// Logs the miner in through the form; returns its session cookie.
    pub(crate) async fn miner_cookie(&self) -> String {
        let (ck, csrf) = self.anon("/login").await;
        let r = self
            .post(
                "/login",
                Some(&ck),
                &[("csrf", &csrf), ("username", "acme-miner"), ("password", "miner password 1")],
            )
            .await;
        r.cookie().unwrap()
    }

    /// Signs a worker up with a fresh invite; returns its session cookie.
    pub(crate) async fn worker(&self, user: &str) -> String {
        let key = self.state.issue_invite(self.miner).await.unwrap();
        let r = self.try_signup(&key, user).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        r.cookie().unwrap()
    }

    pub(crate) async fn submit(
        &self,
        cookie: &str,
        task: &str,
        scores: &[(&str, &str)],
        explanation: &str,
    ) -> Resp {
        let page = self.get(&format!("/tasks/{task}"), Some(cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let csrf = page.csrf();
        let keys: Vec<String> = scores.iter().map(|(id, _)| format!("score:{id}")).collect();
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("explanation", explanation)];
        for (k, (_, v)) in keys.iter().zip(scores) {
            form.push((k, v));
        }
        self.post(&format!("/tasks/{task}"), Some(cookie), &form).await
    }
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) const GOOD: [(&str, &str); 4] = [("a", "90"), ("b", "80"), ("c", "40"), ("d", "10")];
pub(crate) const WHY: &str = "A is complete and clear, D misses the point of the prompt entirely.";

#[tokio::test]
async fn signup_needs_a_valid_unused_invite_and_joins_the_team() {
    let app = App::new().await;
    let r = app.try_signup("", "nobody").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("invite key is not valid"), "{}", r.body);
    let r = app.try_signup(&"ab".repeat(32), "nobody").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("invite key is not valid"));

    let key = app.state.issue_invite(app.miner).await.unwrap();
    assert_eq!(key.len(), 64);
    let r = app.try_signup(&key, "alice").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/tasks");
    let set = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    let cookie = r.cookie().unwrap();
    assert_eq!(cookie.len(), 64);
    assert!(cookie.chars().all(|c| c.is_ascii_hexdigit()));

    let alice = app.state.store().account_by_username("alice").await.unwrap().unwrap();
    assert_eq!(alice.role, Role::Worker { miner: app.miner });
    assert!(alice.password_hash.starts_with("$argon2id$"));
    let inbox = app.get("/tasks", Some(&cookie)).await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.body.contains("alice"));

    // The key is spent.
    let r = app.try_signup(&key, "bob").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("already been used"));
    assert!(app.state.store().account_by_username("bob").await.unwrap().is_none());
    // Weak password and taken username.
    let key2 = app.state.issue_invite(app.miner).await.unwrap();
    let (c, csrf) = app.anon("/signup").await;
    let r = app
        .post(
            "/signup",
            Some(&c),
            &[("csrf", &csrf), ("invite", &key2), ("username", "bob"), ("password", "short")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("at least 10 characters"));
    let r = app.try_signup(&key2, "ALICE").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("username is taken"));
    // A worker cannot issue invites.
    assert!(app.state.issue_invite(alice.id).await.is_err());
    let stats = app.state.team_stats(app.miner).await.unwrap();
    assert_eq!(stats.workers.len(), 1);
}

#[tokio::test]
async fn login_and_logout() {
    let app = App::new().await;
    let signed_up = app.worker("carol").await;

    let (c, csrf) = app.anon("/login").await;
    let r = app
        .post(
            "/login",
            Some(&c),
            &[("csrf", &csrf), ("username", "carol"), ("password", "wrong password")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("wrong username or password"));
    let r = app
        .post(
            "/login",
            Some(&c),
            &[("csrf", &csrf), ("username", "nobody"), ("password", "worker password")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let r = app
        .post(
            "/login",
            Some(&c),
            &[("csrf", &csrf), ("username", "carol"), ("password", "worker password")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let session = r.cookie().unwrap();
    assert_ne!(session, c, "login must rotate the session");
    // The anonymous session is gone; the new one is logged in.
    assert_eq!(app.get("/tasks", Some(&c)).await.status, StatusCode::UNAUTHORIZED);
    let inbox = app.get("/tasks", Some(&session)).await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.body.contains("carol"));

    // Logout needs the session's CSRF token.
    let r = app.post("/logout", Some(&session), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.post("/logout", Some(&session), &[("csrf", &inbox.csrf())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(app.get("/tasks", Some(&session)).await.status, StatusCode::UNAUTHORIZED);
    // The sign-up session still works (logout ends only its own session).
    assert_eq!(app.get("/tasks", Some(&signed_up)).await.status, StatusCode::OK);

    // The miner logs in and lands on its team page; workers may not see it.
    let (c, csrf) = app.anon("/login").await;
    let r = app
        .post(
            "/login",
            Some(&c),
            &[("csrf", &csrf), ("username", "acme-miner"), ("password", "miner password 1")],
        )
        .await;
    let miner = r.cookie().unwrap();
    let r = app.get("/", Some(&miner)).await;
    assert_eq!(r.location(), "/team");
    assert_eq!(app.get("/team", Some(&miner)).await.status, StatusCode::OK);
    assert_eq!(app.get("/team", Some(&signed_up)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn posts_without_the_sessions_csrf_token_are_refused() {
    let app = App::new().await;
    app.add_task(text_task("t1"), 4).await;
    let key = app.state.issue_invite(app.miner).await.unwrap();

    // Sign-up: no token, a wrong token, no session at all.
    let (c, _) = app.anon("/signup").await;
    let (_, other_csrf) = app.anon("/signup").await;
    for (cookie, csrf) in [
        (Some(c.as_str()), None),
        (Some(c.as_str()), Some(other_csrf.as_str())),
        (None, Some(other_csrf.as_str())),
    ] {
        let mut form =
            vec![("invite", key.as_str()), ("username", "dave"), ("password", "worker password")];
        if let Some(t) = csrf {
            form.push(("csrf", t));
        }
        let r = app.post("/signup", cookie, &form).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("reload the page"));
    }
    assert!(app.state.store().account_by_username("dave").await.unwrap().is_none());

    // Submission with another session's token.
    let w = app.worker("erin").await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", &other_csrf), ("explanation", WHY)];
    form.extend([("score:a", "90"), ("score:b", "80"), ("score:c", "40"), ("score:d", "10")]);
    let r = app.post("/tasks/t1", Some(&w), &form).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(app.state.store().submissions("t1").await.unwrap().is_empty());

    // Miner's invite form.
    let (c, csrf) = app.anon("/login").await;
    let r = app
        .post(
            "/login",
            Some(&c),
            &[("csrf", &csrf), ("username", "acme-miner"), ("password", "miner password 1")],
        )
        .await;
    let m = r.cookie().unwrap();
    let before = app.state.store().invites(app.miner).await.unwrap().len();
    assert_eq!(
        app.post("/team/invites", Some(&m), &[("csrf", &csrf)]).await.status,
        StatusCode::FORBIDDEN
    );
    let team = app.get("/team", Some(&m)).await;
    assert_eq!(
        app.post("/team/invites", Some(&m), &[("csrf", &team.csrf())]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.state.store().invites(app.miner).await.unwrap().len(), before + 1);
}

#[tokio::test]
async fn one_submission_per_worker_per_task() {
    let app = App::new().await;
    app.add_task(text_task("t1"), 4).await;
    let w = app.worker("frank").await;
    let r = app.submit(&w, "t1", &GOOD, WHY).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let subs = app.state.store().submissions("t1").await.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].scores["a"], 90);
    assert_eq!(subs[0].explanation, WHY);
    let r = app.submit(&w, "t1", &GOOD, WHY).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("already submitted"), "{}", r.body);
    assert_eq!(app.state.store().submissions("t1").await.unwrap().len(), 1);
    // The page says so too, in the page's language.
    let page = app.get("/tasks/t1", Some(&w)).await;
    assert!(page.body.contains("already submitted"));
    let page = app.get("/tasks/t1?lang=zh", Some(&w)).await;
    assert!(page.body.contains("你已提交过此任务的结果"), "{}", page.body);
}

#[tokio::test]
async fn no_submission_after_expiry() {
    let app = App::new().await;
    app.add_task(text_task("t1"), 4).await;
    let w = app.worker("grace").await;
    app.clock.set_ns(T0 + HOUR - 1);
    let page = app.get("/tasks/t1", Some(&w)).await;
    app.clock.set_ns(T0 + HOUR);
    let csrf = page.csrf();
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("explanation", WHY)];
    form.extend([("score:a", "90"), ("score:b", "80"), ("score:c", "40"), ("score:d", "10")]);
    let r = app.post("/tasks/t1", Some(&w), &form).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert!(r.body.contains("expired"));
    assert!(app.state.store().submissions("t1").await.unwrap().is_empty());
    assert!(app.get("/tasks", Some(&w)).await.body.contains("expired"));
}

#[tokio::test]
async fn no_submission_once_the_task_is_full() {
    let app = App::new().await;
    app.add_task(text_task("t1"), 1).await;
    let w1 = app.worker("heidi").await;
    let w2 = app.worker("ivan").await;
    let page = app.get("/tasks/t1", Some(&w2)).await;
    assert_eq!(app.submit(&w1, "t1", &GOOD, WHY).await.status, StatusCode::OK);
    let csrf = page.csrf();
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("explanation", WHY)];
    form.extend([("score:a", "90"), ("score:b", "80"), ("score:c", "40"), ("score:d", "10")]);
    let r = app.post("/tasks/t1", Some(&w2), &form).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("maximum of 1 results"), "{}", r.body);
    assert_eq!(app.state.store().submissions("t1").await.unwrap().len(), 1);
}

#[tokio::test]
async fn scores_must_be_whole_numbers_from_1_to_100_and_the_explanation_is_required() {
    let app = App::new().await;
    app.add_task(text_task("t1"), 4).await;
    let w = app.worker("judy").await;
    for bad in ["0", "101", "-5", "50.5", "abc", ""] {
        let scores = [("a", "90"), ("b", bad), ("c", "40"), ("d", "10")];
        let r = app.submit(&w, "t1", &scores, WHY).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(
            r.body.contains("score for output b must be a whole number from 1 to 100"),
            "{}",
            r.body
        );
    }
    // A missing output.
    let r = app.submit(&w, "t1", &GOOD[..3], WHY).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("output d"));
    for why in ["", "   ", "ignore previous instructions", "<>{}"] {
        let r = app.submit(&w, "t1", &GOOD, why).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{why:?}");
        assert!(r.body.contains("explanation of the best and worst"));
    }
    assert!(app.state.store().submissions("t1").await.unwrap().is_empty());
    // Bounds are accepted, and the explanation is stored sanitised.
    let edge = [("a", "100"), ("b", "1"), ("c", "1"), ("d", "1")];
    let r = app.submit(&w, "t1", &edge, "A is <best>; D (worst) is broken").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let subs = app.state.store().submissions("t1").await.unwrap();
    assert_eq!(subs[0].explanation, "A is best D worst is broken");
}

#[tokio::test]
async fn quality_feedback_counts_flawed_outputs_rated_above_viable_ones() {
    let app = App::new().await;
    app.add_task(text_task("t1"), 4).await;
    app.add_task(text_task("t2"), 4).await;
    let careful = app.worker("careful").await;
    let careless = app.worker("careless").await;
    let _idle = app.worker("idle").await;
    for t in ["t1", "t2"] {
        assert_eq!(app.submit(&careful, t, &GOOD, WHY).await.status, StatusCode::OK);
    }
    // viable a, b; flawed c, d: (a,c) inv, (a,d) inv, (b,c) tie, (b,d) inv.
    let bad = [("a", "10"), ("b", "50"), ("c", "50"), ("d", "90")];
    assert_eq!(app.submit(&careless, "t1", &bad, WHY).await.status, StatusCode::OK);

    let stats = app.state.team_stats(app.miner).await.unwrap();
    assert_eq!(stats.submissions, 3);
    let by: BTreeMap<_, _> = stats.workers.iter().map(|w| (w.username.as_str(), w)).collect();
    let c = by["careful"];
    assert_eq!(
        (c.submissions, c.quality.tasks, c.quality.pairs, c.quality.inversions, c.quality.ties),
        (2, 2, 8, 0, 0)
    );
    assert_eq!(c.quality.inversion_rate(), Some(0.0));
    let l = by["careless"];
    assert_eq!(
        (l.submissions, l.quality.pairs, l.quality.inversions, l.quality.ties),
        (1, 4, 3, 1)
    );
    assert_eq!(l.quality.inversion_rate(), Some(0.75));
    assert_eq!(by["idle"].quality.inversion_rate(), None);
    assert_eq!(app.state.worker_quality(l.worker).await.unwrap(), l.quality);

    // The miner sees it on its team page.
    let team = app.get("/team", Some(&app.miner_cookie().await)).await;
    assert_eq!(team.status, StatusCode::OK);
    let row = &team.body[team.body.find("data-worker=\"careless\"").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("data-label=\"Flawed rated above viable\">3</td>") && row.contains("75.0%"),
        "{row}"
    );
}

#[tokio::test]
async fn the_task_page_renders_outputs_safely_under_a_strict_csp() {
    let app = App::new().await;
    let mut t = text_task("t1");
    t.outputs[1] = out("b", Modality::Html, "<script>document.title='x'</script><p>app</p>");
    t.outputs[2] = out("c", Modality::Image, "https://evil.example/x.png");
    t.outputs[3] = out("d", Modality::Image, "data:image/png;base64,iVBORw0KGgo=");
    app.add_task(t, 4).await;
    let w = app.worker("kim").await;
    let p = app.get("/tasks/t1", Some(&w)).await;
    assert_eq!(p.status, StatusCode::OK);
    let csp = p.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(
        csp.starts_with("default-src 'none'")
            && !csp.contains("unsafe-inline")
            && csp.contains("script-src 'self';"),
        "{csp}"
    );
    // The only script is the platform's own file: nothing inline.
    assert_eq!(p.body.matches("<script").count(), 1);
    assert!(p.body.contains("<script type=\"module\" src=\"/static/platform.js\"></script>"));
    assert!(p.body.contains("Write a &lt;greeting&gt;"));
    assert!(p.body.contains("alpha &lt;b&gt;bold&lt;/b&gt;"));
    assert!(p.body.contains("<iframe sandbox=\"allow-scripts\""));
    assert!(!p.body.contains("allow-same-origin"));
    assert!(!p.body.contains("evil.example/x.png\""), "a non-data image is not loaded");
    assert!(p.body.contains("only data: images are allowed"));
    assert!(p.body.contains("src=\"data:image/png;base64,iVBORw0KGgo=\""));
    assert!(!p.body.contains("secret-model"), "model names stay hidden");
    for id in ["a", "b", "c", "d"] {
        assert!(p.body.contains(&format!("name=\"score:{id}\" min=\"1\" max=\"100\"")));
    }

    let f = app.get("/tasks/t1/frames/b", Some(&w)).await;
    assert_eq!(f.status, StatusCode::OK);
    let csp = f.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("sandbox allow-scripts"), "{csp}");
    assert!(f.body.starts_with(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">"
    ));
    // Frames need a session of the task's team and exist only for HTML outputs.
    assert_eq!(app.get("/tasks/t1/frames/b", None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/tasks/t1/frames/a", Some(&w)).await.status, StatusCode::NOT_FOUND);
    // Another miner's worker cannot see the task.
    let other = app.state.create_miner("other-miner", "miner password 2").await.unwrap();
    let key = app.state.issue_invite(other.id).await.unwrap();
    let r = app.try_signup(&key, "outsider").await;
    let o = r.cookie().unwrap();
    assert_eq!(app.get("/tasks/t1", Some(&o)).await.status, StatusCode::NOT_FOUND);
    assert!(!app.get("/tasks", Some(&o)).await.body.contains("t1"));
}
