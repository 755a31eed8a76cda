//! Fuzzing the external task API body: JSON parsing into `SubmitExternalTask`, then `validate`.
//! Arbitrary bytes, mutations of valid bodies, boundary numbers in the numeric fields. Accepted
//! bodies respect every limit and validate again after a round trip; refusals are
//! `ExternalError::Invalid` naming the field. See `docs/fuzzing.md`.

use proptest::prelude::*;
use serde_json::json;
use test_support::fuzz::{boundary_number, bytes, config, mutated};

use super::*;

fn valid_bodies() -> Vec<Vec<u8>> {
    let text = |c: &str| json!({"modality": "text", "content": c});
    [
        json!({"prompt": "Rank these", "outputs": [text("a"), text("b")]}),
        json!({
            "prompt": "Build a to-do app",
            "outputs": [
                {"modality": "html", "content": "<p>one</p>"},
                {"modality": "image", "content": "data:image/png;base64,iVBORw0KGgo="},
                {"modality": "model3d", "content": "data:model/gltf-binary;base64,Z2xURgIAAAAMAAAA"},
            ],
            "criteria": {"score_min": 1, "score_max": 100, "ranking": true, "rationale_query": "Why?"},
            "max_results": 4,
            "deadline_secs": 3600,
            "webhook_url": "https://example.com/hook",
        }),
        json!({"prompt": "p", "outputs": [text("x"), text("y"), text("z")], "webhook_url": "http://[::1]:8080/h"}),
    ]
    .iter()
    .map(|v| serde_json::to_vec(v).unwrap_or_default())
    .collect()
}

fn check(body: &[u8]) -> Result<(), TestCaseError> {
    let Ok(req) = serde_json::from_slice::<SubmitExternalTask>(body) else { return Ok(()) };
    let config = ExternalConfig::default();
    let limits = &config.limits;
    match validate(&req, &config) {
        Ok(valid) => {
            let prompt = req.prompt.trim();
            prop_assert!(!prompt.is_empty() && prompt.chars().count() <= limits.max_prompt_chars);
            prop_assert!((MIN_OUTPUTS..=MAX_OUTPUTS).contains(&req.outputs.len()));
            let total: usize = req.outputs.iter().map(|o| o.content.len()).sum();
            prop_assert!(total <= limits.max_task_bytes);
            prop_assert!(valid.criteria.score_min < valid.criteria.score_max);
            prop_assert!((1..=MAX_RESULTS).contains(&valid.max_results));
            prop_assert!(
                (limits.min_deadline_secs..=limits.max_deadline_secs)
                    .contains(&valid.deadline_secs)
            );
            if let Some(url) = &valid.webhook_url {
                prop_assert!(url.starts_with("https://") || url.starts_with("http://"), "{}", url);
            }
            // What was accepted is accepted again after a round trip through JSON.
            let again: SubmitExternalTask =
                serde_json::from_slice(&serde_json::to_vec(&req).unwrap_or_default())
                    .map_err(|e| TestCaseError::fail(format!("re-parse: {e}")))?;
            prop_assert!(validate(&again, &config).is_ok());
        }
        Err(ExternalError::Invalid(m)) => {
            let fields =
                ["prompt", "outputs", "criteria", "max_results", "deadline_secs", "webhook_url"];
            prop_assert!(fields.iter().any(|f| m.starts_with(f)), "{}", m);
        }
        Err(other) => prop_assert!(false, "not a field error: {}", other),
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_external_body_arbitrary_bytes(body in bytes(200)) {
        check(&body)?;
    }

    #[test]
    fn fuzz_external_body_mutated(body in mutated(valid_bodies())) {
        check(&body)?;
    }

    #[test]
    fn fuzz_external_body_boundary_numbers(
        max_results in boundary_number(),
        deadline in boundary_number(),
        score_min in boundary_number(),
    ) {
        let body = format!(
            r#"{{"prompt":"p","outputs":[{{"modality":"text","content":"a"}},{{"modality":"text","content":"b"}}],"max_results":{max_results},"deadline_secs":{deadline},"criteria":{{"score_min":{score_min},"score_max":100,"ranking":true,"rationale_query":""}}}}"#
        );
        check(body.as_bytes())?;
    }
}

#[test]
fn the_valid_bodies_are_accepted() {
    // The mutations start from bodies that pass, else they would only explore the refusals.
    for body in valid_bodies() {
        let req: SubmitExternalTask = serde_json::from_slice(&body).unwrap();
        assert!(
            validate(&req, &ExternalConfig::default()).is_ok(),
            "{}",
            String::from_utf8_lossy(&body)
        );
    }
}
