//! Image and 3D outputs in headless Chromium: generated tasks (PNG scenes with a "ball" box,
//! GLB houses with textures) render on the rating page; the 3D view is checked on its canvas
//! pixels (the model covers the view, and its brick texture shows where it should, not on the
//! untextured flaw); the image zoom works; screenshots in both themes.

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::json;
use test_support::browser::{Browser, browser, screenshot};

use crate::platform::App;
use crate::platform_ui_browser::Loopback;
use dojo_core::task::{FlawKind, TaskShape};
use dojo_gen::media::{MediaGenerator, MediaTask};

/// Pixels of the frame's canvas: (drawn = not background, brick-red).
const PIXELS: &str = "
  const c = document.getElementById('view');
  const t = document.createElement('canvas');
  t.width = c.width; t.height = c.height;
  const g = t.getContext('2d');
  g.drawImage(c, 0, 0);
  const d = g.getImageData(0, 0, t.width, t.height).data;
  let drawn = 0, red = 0;
  for (let i = 0; i < d.length; i += 4) {
    const [r, gr, b] = [d[i], d[i + 1], d[i + 2]];
    if (Math.abs(r - 0x1b) + Math.abs(gr - 0x21) + Math.abs(b - 0x30) > 30) drawn++;
    if (r > gr + 50 && r > b + 50) red++;
  }
  return [drawn, red, d.length / 4];";

async fn canvas_pixels(c: &Client, output: &str) -> (u64, u64, u64) {
    let frame =
        c.find(Locator::Css(&format!("section[data-output='{output}'] iframe"))).await.unwrap();
    frame.enter_frame().await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("body[data-state]"))
        .await
        .unwrap();
    let state = c.execute("return document.body.dataset.state", vec![]).await.unwrap();
    let error = c.execute("return document.body.dataset.error || ''", vec![]).await.unwrap();
    assert_eq!(state, json!("loaded"), "3D viewer of {output}: {error}");
    // A few frames after loading, so the textures are on screen.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let v = c.execute(PIXELS, vec![]).await.unwrap();
    c.enter_parent_frame().await.unwrap();
    let n = |i: usize| v[i].as_u64().unwrap();
    (n(0), n(1), n(2))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn image_and_3d_outputs_render_with_boxes_textures_and_zoom() {
    let args = ["--enable-unsafe-swiftshader", "--use-angle=swiftshader", "--ignore-gpu-blocklist"];
    let Some(Browser { client: c, driver, profile: _profile }) = browser(&args).await else {
        return;
    };
    let app = App::new().await;
    let model =
        MediaGenerator { kind: MediaTask::Model3d, shape: TaskShape::OneOriginalThreeFlawed }
            .generate(5)
            .unwrap();
    let image = MediaGenerator { kind: MediaTask::Image, shape: TaskShape::TwoViableTwoFlawed }
        .generate(5)
        .unwrap();
    let (model_id, image_id) = (model.id.clone(), image.id.clone());
    app.add_task(model.clone(), 4).await;
    app.add_task(image.clone(), 4).await;
    let invite = app.state.issue_invite(app.miner).await.unwrap();

    let served = Loopback::start(app.router.clone()).await;
    let base = served.base.clone();
    c.goto(&format!("{base}/signup?invite={invite}")).await.unwrap();
    c.find(Locator::Id("username")).await.unwrap().send_keys("viewer-vic").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys("a long password").await.unwrap();
    c.find(Locator::Id("signup")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("inbox")).await.unwrap();

    // ---- 3D: every model draws; the viable one shows its brick texture, the untextured flaw
    // does not.
    c.goto(&format!("{base}/tasks/{model_id}")).await.unwrap();
    c.wait().for_element(Locator::Id("prompt")).await.unwrap();
    for o in &model.outputs {
        let (drawn, red, total) = canvas_pixels(&c, &o.id).await;
        eprintln!(
            "3D {}: drawn {drawn} red {red} of {total} ({:?})",
            o.id,
            o.flaws.first().map(|f| f.kind)
        );
        assert!(drawn * 20 > total, "{}: the model covers at least 5% of the view", o.id);
        if o.flaws.is_empty() {
            assert!(red * 50 > total, "the viable model's brick texture is visible: {red}/{total}");
        }
        if o.flaws.iter().any(|f| f.kind == FlawKind::MissingTexture && f.severity > 1) {
            assert!(red * 1000 < total, "the untextured model has no brick red: {red}/{total}");
        }
    }
    screenshot(&c, "dojo-3d-dark").await;
    c.find(Locator::Id("theme")).await.unwrap().click().await.unwrap();
    screenshot(&c, "dojo-3d-light").await;

    // ---- images: each shows its PNG with its box; zoom scales it.
    c.goto(&format!("{base}/tasks/{image_id}")).await.unwrap();
    c.wait().for_element(Locator::Id("prompt")).await.unwrap();
    for o in &image.outputs {
        let sel = format!("section[data-output='{}']", o.id);
        let loaded = c
            .execute(
                &format!("const i = document.querySelector(\"{sel} img\"); return i.complete && i.naturalWidth"),
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(loaded, json!(240), "{} decodes as a 240 px PNG", o.id);
        let boxes = c.find_all(Locator::Css(&format!("{sel} svg.overlay rect.box"))).await.unwrap();
        assert_eq!(boxes.len(), 1);
    }
    screenshot(&c, "dojo-image-light").await;
    let first = &image.outputs[0].id;
    let width = |c: &Client| {
        let js = format!(
            "return document.querySelector(\"section[data-output='{first}'] .zoom\").getBoundingClientRect().width"
        );
        let c = c.clone();
        async move { c.execute(&js, vec![]).await.unwrap().as_f64().unwrap() }
    };
    let before = width(&c).await;
    c.find(Locator::Css(&format!("section[data-output='{first}'] button.zoom-in")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let after = width(&c).await;
    assert!(after > before * 1.4, "zoom in scales the image: {before} → {after}");
    c.find(Locator::Id("theme")).await.unwrap().click().await.unwrap();
    screenshot(&c, "dojo-image-dark").await;

    c.close().await.unwrap();
    drop(driver);
    served.stop().await;
}
