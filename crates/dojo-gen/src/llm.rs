//! A blocking client for any OpenAI-compatible `POST {base}/chat/completions` endpoint, and
//! an LLM task generator on top of it (original answers, then flawed edits of them).

use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};

use dojo_core::error::DojoError;
use dojo_core::task::{
    Criteria, Flaw, FlawKind, GroundTruth, Modality, Output, Task, TaskShape, derive_seed,
};

/// Endpoint configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LlmConfig {
    /// Base URL including the version path, e.g. `https://api.openai.com/v1` or
    /// `http://127.0.0.1:8080/v1`; `/chat/completions` is appended.
    pub base_url: String,
    /// Bearer token, if the endpoint needs one.
    pub api_key: Option<String>,
    /// Model name.
    pub model: String,
    /// Sampling temperature.
    pub temperature: f64,
    /// Whole-request timeout, seconds.
    pub timeout_secs: u64,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// Text.
    pub content: String,
}

impl ChatMessage {
    /// A message with the given role.
    pub fn new(role: &str, content: impl Into<String>) -> Self {
        ChatMessage { role: role.into(), content: content.into() }
    }
}

#[derive(Serialize)]
struct ChatRequest<'a> {
    model: &'a str,
    messages: &'a [ChatMessage],
    temperature: f64,
}

#[derive(Deserialize)]
struct ChatResponse {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: ChoiceMessage,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    #[serde(default)]
    content: Option<String>,
}

/// The client.
#[derive(Debug, Clone)]
pub struct LlmClient {
    config: LlmConfig,
    agent: ureq::Agent,
}

impl LlmClient {
    /// A client for `config`.
    pub fn new(config: LlmConfig) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(config.timeout_secs.max(1))))
            .http_status_as_error(false)
            .build()
            .into();
        LlmClient { config, agent }
    }

    /// The configuration.
    pub fn config(&self) -> &LlmConfig {
        &self.config
    }

    /// Sends one chat-completions request and returns the first choice's text.
    pub fn chat(&self, messages: &[ChatMessage]) -> Result<String, DojoError> {
        let url = format!("{}/chat/completions", self.config.base_url.trim_end_matches('/'));
        let body = serde_json::to_string(&ChatRequest {
            model: &self.config.model,
            messages,
            temperature: self.config.temperature,
        })?;
        let mut req = self.agent.post(&url).header("Content-Type", "application/json");
        if let Some(key) = &self.config.api_key {
            req = req.header("Authorization", &format!("Bearer {key}"));
        }
        let mut resp =
            req.send(body.as_bytes()).map_err(|e| DojoError::Llm(format!("POST {url}: {e}")))?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .read_to_string()
            .map_err(|e| DojoError::Llm(format!("reading the answer of {url}: {e}")))?;
        if !(200..300).contains(&status) {
            let msg = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| {
                    v.pointer("/error/message").and_then(|m| m.as_str()).map(str::to_string)
                })
                .unwrap_or_else(|| text.chars().take(200).collect());
            return Err(DojoError::Llm(format!("{url} answered HTTP {status}: {msg}")));
        }
        let parsed: ChatResponse = serde_json::from_str(&text).map_err(|e| {
            DojoError::Llm(format!("{url} answered JSON without choices[0].message.content: {e}"))
        })?;
        parsed
            .choices
            .into_iter()
            .next()
            .and_then(|c| c.message.content)
            .ok_or_else(|| DojoError::Llm(format!("{url} answered no choices")))
    }

    /// Asks for a single-file HTML app answering `prompt`.
    pub fn generate_app(&self, prompt: &str) -> Result<String, DojoError> {
        let text = self
            .chat(&[ChatMessage::new("system", SYSTEM_PROMPT), ChatMessage::new("user", prompt)])?;
        extract_html(&text)
    }

    /// Asks for `original` edited according to `instruction` (a flaw to introduce).
    pub fn edit_app(&self, original: &str, instruction: &str) -> Result<String, DojoError> {
        let user = format!(
            "Here is an index.html:\n```html\n{original}\n```\nRewrite it with this change, and nothing else: {instruction}\n\
             Do not add comments and do not mention the change. Answer with the complete file only."
        );
        let text = self
            .chat(&[ChatMessage::new("system", SYSTEM_PROMPT), ChatMessage::new("user", user)])?;
        extract_html(&text)
    }
}

const SYSTEM_PROMPT: &str = "You write single-file interactive web apps. Answer with one complete index.html \
containing all HTML, CSS and JavaScript inline. Use no external assets, libraries, network requests, eval, \
alert or prompt. The app runs in a sandboxed iframe; keep it responsive with a square stage.";

/// The HTML document in an answer: the contents of a fenced block if there is one, else the
/// text from `<!DOCTYPE` or `<html` on.
pub fn extract_html(text: &str) -> Result<String, DojoError> {
    let mut body = text;
    if let Some(start) = text.find("```") {
        let after = &text[start + 3..];
        let after = after.split_once('\n').map_or(after, |(_, rest)| rest);
        body = after.find("```").map_or(after, |end| &after[..end]);
    }
    let lower = body.to_ascii_lowercase();
    let start = lower.find("<!doctype").or_else(|| lower.find("<html"));
    match start {
        Some(s) => Ok(body[s..].trim().to_string()),
        None => Err(DojoError::Llm("the answer contains no HTML document".into())),
    }
}

/// Instruction text for a flaw of a kind and severity.
pub fn flaw_instruction(kind: FlawKind, severity: u8) -> String {
    let n = severity.clamp(1, 3);
    match kind {
        FlawKind::DropRequirement => format!("remove {n} of the features the request asked for"),
        FlawKind::AddUnrequestedFeature => format!("add {n} features nobody asked for"),
        FlawKind::BreakStyle => "use colours and fonts unrelated to the request".into(),
        FlawKind::ThrowOnInteraction => {
            "make one specific user action (say which in a final line `INTERACTION: <selector> <event>`) throw a runtime error"
                .into()
        }
        FlawKind::Lag => format!("make every interaction respond only after about {} ms", [400, 900, 1800][usize::from(n - 1)]),
        FlawKind::Jank => "make the animation stutter".into(),
        FlawKind::VisualGlitch => "add a brief visual flicker now and then".into(),
        FlawKind::SwappedTexture => "swap the colours or textures of two parts".into(),
        FlawKind::MissingTexture => "draw one part in flat grey without its texture".into(),
        FlawKind::MissingPart => format!("leave out {n} of the parts the request asked for"),
        FlawKind::WrongLabel => "put a label on the wrong object".into(),
    }
}

/// Builds tasks with an LLM: the viable outputs are independent answers to the prompt, the
/// flawed ones are edits of a viable answer. An edit identical to its original is retried once,
/// then the task fails (as Dojo's augmenter did).
#[derive(Debug, Clone)]
pub struct LlmTaskGenerator {
    /// The client.
    pub client: LlmClient,
    /// Task shape.
    pub shape: TaskShape,
}

impl LlmTaskGenerator {
    /// Generates a task for `prompt`; `seed` picks flaw kinds and severities and the ids.
    pub fn generate(&self, prompt: &str, seed: u64) -> Result<Task, DojoError> {
        let mut rng = ChaCha20Rng::seed_from_u64(derive_seed(seed, &["llm-task"]));
        let model = self.client.config().model.clone();
        let (viable, sevs): (usize, Vec<u8>) = match self.shape {
            TaskShape::TwoViableTwoFlawed => (2, vec![rng.gen_range(1..=3), rng.gen_range(1..=3)]),
            TaskShape::OneOriginalThreeFlawed => (1, vec![1, 2, 3]),
        };
        let mut outputs = Vec::new();
        for _ in 0..viable {
            let content = self.client.generate_app(prompt)?;
            outputs.push(Output {
                id: String::new(),
                modality: Modality::Html,
                content,
                model: model.clone(),
                flaws: vec![],
                interactions: vec![],
                annotations: vec![],
            });
        }
        for sev in sevs {
            let base = outputs[rng.gen_range(0..viable)].content.clone();
            let kind = FlawKind::ALL[rng.gen_range(0..FlawKind::ALL.len())];
            let instruction = flaw_instruction(kind, sev);
            let mut edited = self.client.edit_app(&base, &instruction)?;
            if edited == base {
                edited = self.client.edit_app(&base, &instruction)?;
            }
            if edited == base {
                return Err(DojoError::Generation(format!(
                    "the {kind:?} edit left the output unchanged twice"
                )));
            }
            outputs.push(Output {
                id: String::new(),
                modality: Modality::Html,
                content: edited,
                model: model.clone(),
                flaws: vec![Flaw {
                    kind,
                    severity: sev,
                    description: instruction,
                    interaction: None,
                }],
                interactions: vec![],
                annotations: vec![],
            });
        }
        for (i, o) in outputs.iter_mut().enumerate() {
            o.id = format!("{:016x}", derive_seed(seed, &["llm-output", &i.to_string()]))[..12]
                .to_string();
        }
        let ground_truth = Some(GroundTruth::from_outputs(&outputs)?);
        Ok(Task {
            id: format!("task-llm-{seed:016x}"),
            prompt: prompt.to_string(),
            outputs,
            ground_truth,
            criteria: Criteria::default(),
            shape: self.shape,
            seed: Some(seed),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_fenced_html() {
        let t = "Sure!\n```html\n<!DOCTYPE html>\n<html><body>x</body></html>\n```\nEnjoy";
        assert_eq!(extract_html(t).unwrap(), "<!DOCTYPE html>\n<html><body>x</body></html>");
        assert_eq!(extract_html("<html></html>").unwrap(), "<html></html>");
        assert!(extract_html("no html here").is_err());
    }
}
