//! The chat-completions client against a tiny fake server on 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

use dojo_core::{DojoError, TaskShape};
use dojo_gen::llm::{ChatMessage, LlmClient, LlmConfig, LlmTaskGenerator};

/// Serves `answers` (status, body) to successive requests; sends each request (head, body) back.
fn fake_server(answers: Vec<(u16, String)>) -> (String, mpsc::Receiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for (status, body) in answers {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
                head.push_str(&line);
            }
            let mut buf = vec![0; len];
            reader.read_exact(&mut buf).unwrap();
            tx.send((head, String::from_utf8(buf).unwrap())).unwrap();
            let mut stream = stream;
            write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
        }
    });
    (format!("http://{addr}/v1"), rx)
}

fn completion(content: &str) -> String {
    serde_json::json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "fake-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    })
    .to_string()
}

fn config(base_url: String) -> LlmConfig {
    LlmConfig {
        base_url,
        api_key: Some("sk-test".into()),
        model: "fake-model".into(),
        temperature: 0.5,
        timeout_secs: 10,
    }
}

#[test]
fn sends_the_real_request_shape_and_reads_the_answer() {
    let (url, rx) = fake_server(vec![(200, completion("hello"))]);
    let client = LlmClient::new(config(url));
    let answer = client.chat(&[ChatMessage::new("user", "hi")]).unwrap();
    assert_eq!(answer, "hello");
    let (head, body) = rx.recv().unwrap();
    assert!(head.starts_with("POST /v1/chat/completions HTTP/1.1"), "{head}");
    assert!(head.to_ascii_lowercase().contains("authorization: bearer sk-test"));
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["model"], "fake-model");
    assert_eq!(json["messages"][0]["role"], "user");
    assert_eq!(json["messages"][0]["content"], "hi");
    assert_eq!(json["temperature"], 0.5);
}

#[test]
fn reports_endpoint_errors() {
    let err = serde_json::json!({"error": {"message": "Incorrect API key", "type": "invalid_request_error"}}).to_string();
    let (url, _rx) = fake_server(vec![(401, err), (200, "{}".into())]);
    let client = LlmClient::new(config(url));
    let e = client.chat(&[ChatMessage::new("user", "hi")]).unwrap_err();
    assert!(
        matches!(&e, DojoError::Llm(m) if m.contains("401") && m.contains("Incorrect API key")),
        "{e}"
    );
    let e = client.chat(&[ChatMessage::new("user", "hi")]).unwrap_err();
    assert!(matches!(&e, DojoError::Llm(m) if m.contains("choices")), "{e}");
}

#[test]
fn builds_a_v1_task_and_retries_an_unchanged_edit() {
    let page = |s: &str| format!("```html\n<!DOCTYPE html>\n<html><body>{s}</body></html>\n```");
    let answers = vec![
        (200, completion(&page("original"))),
        (200, completion(&page("original"))), // unchanged edit: retried once
        (200, completion(&page("flaw one"))),
        (200, completion(&page("flaw two"))),
        (200, completion(&page("flaw three"))),
    ];
    let (url, rx) = fake_server(answers);
    let generator = LlmTaskGenerator {
        client: LlmClient::new(config(url)),
        shape: TaskShape::OneOriginalThreeFlawed,
    };
    let task = generator.generate("Make a bouncing ball app", 5).unwrap();
    assert_eq!(task.outputs.len(), 4);
    assert!(task.outputs[0].content.contains("original"));
    assert!(task.outputs[1].content.contains("flaw one"));
    assert!(task.ground_truth.unwrap().is_strict());
    assert_eq!(rx.iter().take(5).count(), 5);
}
