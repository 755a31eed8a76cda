//! The live stream on loopback: a WebSocket client sees the current block at once and the
//! next block when the chain produces it.

use futures::StreamExt;
use terminal::spawn_live;
use tokio_tungstenite::tungstenite::Message;

use crate::fixture::{LAST_BLOCK, fixture, header};

pub async fn start(
    state: terminal::AppState,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        terminal::serve(listener, state, async move {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    (addr, tx, server)
}

async fn next_json<S>(ws: &mut S) -> serde_json::Value
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        match ws.next().await.expect("stream ended").expect("ws error") {
            Message::Text(t) => return serde_json::from_str(&t).unwrap(),
            _ => continue,
        }
    }
}

#[tokio::test]
async fn stream_delivers_the_current_block_then_each_new_one() {
    let f = fixture();
    let live = spawn_live(f.state.clone());
    let (addr, stop, server) = start(f.state.clone()).await;
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/stream")).await.unwrap();

    // The pump publishes the current block before it listens for heads: the first message.
    let first = next_json(&mut ws).await;
    assert_eq!(first["type"], "block");
    assert_eq!(first["block"], LAST_BLOCK);
    assert_eq!(first["full"], true);
    assert_eq!(first["rows"].as_array().unwrap().len(), 23);

    // A new block on the chain: the price of SN2 goes up 10%.
    let o = f.market.next_block(2, 1.10);
    f.chain.heads.send(header(o.as_of_block)).unwrap();
    let m = next_json(&mut ws).await;
    assert_eq!(m["block"], LAST_BLOCK + 1);
    // A delta: only SN2 changed, and only its price and 1h change.
    assert_eq!(m["full"], false);
    assert_eq!(m["rows"].as_array().unwrap().len(), 1, "{m}");
    let keys: Vec<&str> =
        m["rows"][0]["c"].as_array().unwrap().iter().map(|c| c[0].as_str().unwrap()).collect();
    assert_eq!(keys, ["price", "change_1h"]);
    // A client connecting now gets the full snapshot of the new block.
    let (mut late, _) =
        tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/stream")).await.unwrap();
    let snap = next_json(&mut late).await;
    assert_eq!(
        (snap["full"].clone(), snap["block"].clone()),
        (serde_json::json!(true), serde_json::json!(LAST_BLOCK + 1))
    );
    assert_eq!(snap["rows"].as_array().unwrap().len(), 23);
    drop(late);
    let row = m["rows"].as_array().unwrap().iter().find(|r| r["n"] == 2).unwrap().clone();
    let price = row["c"].as_array().unwrap().iter().find(|c| c[0] == "price").unwrap();
    assert_eq!(
        price[2],
        terminal::fmt::tao_price(o.rows.iter().find(|r| r.netuid == 2).unwrap().price)
    );

    // Market events are forwarded.
    let ev = market::FeedEvent {
        block: LAST_BLOCK + 1,
        seq: 0,
        kind: market::FeedKind::WhaleTrade,
        netuid: Some(2),
        sentence: "Whale buy: 900 τ into SN2".into(),
        data: serde_json::json!({"tao": "900000000000"}),
        timestamp_ms: 0,
    };
    f.market.feed.send(ev).unwrap();
    let m = next_json(&mut ws).await;
    assert_eq!(m["type"], "event");
    assert_eq!(m["event"]["netuid"], 2);

    // Shutdown closes the stream and ends the server.
    stop.send(()).unwrap();
    loop {
        match ws.next().await {
            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
            Some(Ok(_)) => {}
        }
    }
    server.await.unwrap();
    live.shutdown().await;
}
