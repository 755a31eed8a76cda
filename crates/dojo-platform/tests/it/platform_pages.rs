//! The designed pages through `oneshot`: feedback after scoring, the progress page, the
//! organisation's exports, language and theme, and the embedded static files.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use dojo_core::task::{Flaw, FlawKind};
use dojo_platform::SESSION_COOKIE;

use crate::platform::{App, GOOD, HOUR, WHY, text_task};

#[tokio::test]
async fn feedback_shows_the_flawed_outputs_only_after_the_task_closes() {
    let app = App::new().await;
    let mut t = text_task("t1");
    t.outputs[2].flaws = vec![Flaw {
        kind: FlawKind::DropRequirement,
        severity: 1,
        description: "the greeting has no name".into(),
        interaction: None,
    }];
    app.add_task(t, 4).await;
    let w = app.worker("kim").await;
    // Before submitting: nothing to show.
    let early = app.get("/tasks/t1/feedback", Some(&w)).await;
    assert!(early.body.contains("once the task is closed"), "{}", early.body);
    // a, b viable; c (rank 1), d (rank 2) flawed. Kim puts c above b: 1 inversion of 4 pairs.
    let scores = [("a", "90"), ("b", "30"), ("c", "40"), ("d", "10")];
    assert_eq!(app.submit(&w, "t1", &scores, WHY).await.status, StatusCode::OK);
    let open = app.get("/tasks/t1/feedback", Some(&w)).await;
    assert!(open.body.contains("once the task is closed"), "no feedback while teammates rate");
    assert!(app.get("/tasks", Some(&w)).await.body.contains("submitted"));

    app.clock.advance_ns(HOUR);
    let inbox = app.get("/tasks", Some(&w)).await;
    assert!(inbox.body.contains("href=\"/tasks/t1/feedback\""), "{}", inbox.body);
    let f = app.get("/tasks/t1/feedback", Some(&w)).await;
    assert_eq!(f.status, StatusCode::OK);
    assert!(f.body.contains("id=\"pairs-right\">3 / 4<"), "{}", f.body);
    assert!(f.body.contains("a requirement was dropped — the greeting has no name"));
    assert_eq!(f.body.matches("<tr data-letter=").count(), 4);
    assert_eq!(f.body.matches("class=\"flawed\"").count(), 2, "c and d are marked flawed");
    assert!(f.body.contains(WHY));

    // The progress page counts it.
    let me = app.get("/me", Some(&w)).await;
    assert!(me.body.contains("id=\"done\">1<"), "{}", me.body);
    assert!(me.body.contains("id=\"accuracy\">75%<"), "{}", me.body);
    assert!(me.body.contains("<svg class=\"acc\" id=\"accuracy-chart\""));
}

#[tokio::test]
async fn the_organisation_exports_quality_and_results_as_csv() {
    let app = App::new().await;
    app.add_task(text_task("t1"), 4).await;
    let w = app.worker("kim").await;
    app.submit(&w, "t1", &GOOD, WHY).await;
    let m = app.miner_cookie().await;
    let team = app.get("/team", Some(&m)).await;
    assert!(team.body.contains("href=\"/team/export/workers.csv\""));
    let workers = app.get("/team/export/workers.csv", Some(&m)).await;
    assert_eq!(workers.status, StatusCode::OK);
    assert_eq!(workers.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(
        workers.body,
        "worker,submissions,scored_tasks,pairs,inversions,ties\n\"kim\",1,1,4,0,0\n"
    );
    let results = app.get("/team/export/results.csv", Some(&m)).await;
    assert_eq!(results.body.lines().count(), 5, "a header and one row per output");
    assert!(results.body.contains(",\"a\",90,"), "{}", results.body);
    // Workers cannot export.
    assert_eq!(app.get("/team/export/results.csv", Some(&w)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn language_and_theme_come_from_the_request() {
    let app = App::new().await;
    app.add_task(text_task("t1"), 4).await;
    let w = app.worker("kim").await;
    let zh = app.get("/tasks?lang=zh", Some(&w)).await;
    assert!(zh.body.contains("<html lang=\"zh\" data-theme=\"dark\">"));
    assert!(zh.body.contains("你的任务"));
    let cookies: Vec<_> = zh.headers.get_all(header::SET_COOKIE).iter().collect();
    assert!(cookies.iter().any(|c| c.to_str().unwrap().starts_with("lang=zh;")), "{cookies:?}");

    let req = Request::get("/tasks/t1")
        .header(header::COOKIE, format!("{SESSION_COOKIE}={w}; lang=zh; theme=light"))
        .body(Body::empty())
        .unwrap();
    let page = app.send(req).await;
    assert!(page.body.contains("<html lang=\"zh\" data-theme=\"light\">"));
    assert!(page.body.contains("为输出打分"));
    let req = Request::get("/login")
        .header(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9,en;q=0.8")
        .body(Body::empty())
        .unwrap();
    assert!(app.send(req).await.body.contains("登录"));
}

#[tokio::test]
async fn error_pages_follow_the_request_language_and_theme() {
    let app = App::new().await;
    let w = app.worker("kim").await;
    // English by default, as the JSON APIs' messages are.
    let en = app.get("/tasks/nope", Some(&w)).await;
    assert_eq!(en.status, StatusCode::NOT_FOUND);
    assert!(en.body.contains("<html lang=\"en\" data-theme=\"dark\">"), "{}", en.body);
    assert!(en.body.contains("Something went wrong") && en.body.contains("no such task"));

    let req = Request::get("/tasks/nope")
        .header(header::COOKIE, format!("{SESSION_COOKIE}={w}; lang=zh; theme=light"))
        .body(Body::empty())
        .unwrap();
    let zh = app.send(req).await;
    assert_eq!(zh.status, StatusCode::NOT_FOUND, "the status survives the translation");
    assert!(zh.body.contains("<html lang=\"zh\" data-theme=\"light\">"), "{}", zh.body);
    assert!(zh.body.contains("出了点问题") && zh.body.contains("没有这个任务"), "{}", zh.body);
    assert!(!zh.body.contains("no such task"));

    // A failed form post: the login's error in the language the browser asks for.
    let (c, csrf) = app.anon("/login").await;
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("{SESSION_COOKIE}={c}"))
        .header(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9")
        .body(Body::from(format!("csrf={csrf}&username=kim&password=wrong+password")))
        .unwrap();
    let login = app.send(req).await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    assert!(login.body.contains("用户名或密码错误"), "{}", login.body);
    // Sign-up's field rules, too.
    let (c, csrf) = app.anon("/signup?lang=zh").await;
    let req = Request::post("/signup")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("{SESSION_COOKIE}={c}; lang=zh"))
        .body(Body::from(format!("csrf={csrf}&username=x&password=long+enough+pw&invite=k")))
        .unwrap();
    let signup = app.send(req).await;
    assert_eq!(signup.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", signup.body);
    assert!(signup.body.contains("用户名须为 3 到 32 个"), "{}", signup.body);
}

#[tokio::test]
async fn the_rating_page_labels_outputs_by_letter_and_offers_a_review() {
    let app = App::new().await;
    app.add_task(text_task("t1"), 4).await;
    let w = app.worker("kim").await;
    let p = app.get("/tasks/t1", Some(&w)).await;
    for l in ['A', 'B', 'C', 'D'] {
        assert!(p.body.contains(&format!("data-letter=\"{l}\"")));
        assert!(p.body.contains(&format!("<label for=\"n-{l}\">Score {l}</label>")));
        assert!(p.body.contains(&format!("type=\"range\" id=\"r-{l}\"")));
    }
    assert!(p.body.contains("id=\"explanation-count\""));
    assert!(p.body.contains("id=\"review-panel\""));
    assert!(p.body.contains("<time class=\"countdown\""));
    assert!(!p.body.contains(">a<") && !p.body.contains("Output a"), "ids stay hidden");
}

#[tokio::test]
async fn static_files_are_embedded_with_their_types() {
    let app = App::new().await;
    for (f, ty) in [
        ("app.css", "text/css; charset=utf-8"),
        ("platform.css", "text/css; charset=utf-8"),
        ("platform.js", "text/javascript; charset=utf-8"),
    ] {
        let r = app.get(&format!("/static/{f}"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{f}");
        assert_eq!(r.headers[header::CONTENT_TYPE], ty);
    }
    // The base stylesheet is the terminal's, so the two share their tokens.
    let base = app.get("/static/app.css", None).await.body;
    assert_eq!(base, include_str!("../../../terminal/assets/app.css"));
    assert_eq!(app.get("/static/nope.js", None).await.status, StatusCode::NOT_FOUND);
}
