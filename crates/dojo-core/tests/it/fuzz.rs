//! Fuzzing Dojo's task and result JSON (the wire contracts and the ratings store): mutated
//! valid documents parse or are refused without a panic, accepted ones round-trip, and a parsed
//! completed task goes through validation, scoring and every export format without a panic.
//! See `docs/fuzzing.md`.

use dojo_core::protocol::{ResultsReply, ScoreNotice, TaskRequest};
use dojo_core::{CompletedTask, DefencePolicy, ExportFormat, ExportOptions, score_with_defences};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use test_support::fuzz::{boundary_number, bytes, config, mutated};

fn completed_tasks() -> &'static [String] {
    static T: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    T.get_or_init(|| super::export::store(3).lines().map(str::to_string).collect())
}

/// Valid documents of every type: completed tasks, and the wire messages cut from them.
fn seeds() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = completed_tasks().iter().map(|t| t.clone().into_bytes()).collect();
    let task: CompletedTask = serde_json::from_str(&completed_tasks()[0]).unwrap();
    let request = TaskRequest {
        task: task.task.present(7, "5Careful"),
        expire_at_ns: u64::MAX,
        max_results: 4,
    };
    out.push(serde_json::to_vec(&request).unwrap());
    let reply =
        ResultsReply { task_id: task.task.id.clone(), results: task.responses[0].results.clone() };
    out.push(serde_json::to_vec(&reply).unwrap());
    let notice = ScoreNotice {
        task_id: task.task.id.clone(),
        score: 0.25,
        ground_truth: task.task.ground_truth.as_ref().map(|g| g.ranks.clone()),
    };
    out.push(serde_json::to_vec(&notice).unwrap());
    out
}

/// An accepted document serialises and parses back: to itself when it holds no float, else
/// without an error. (Found by this target: serde_json without its `float_roundtrip` feature
/// may read a printed f64 back one ULP off, e.g. `elapsed_secs` 9007199254740991.0; see
/// `docs/fuzzing.md`.)
fn round_trips<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    data: &[u8],
    exact: bool,
) -> Result<Option<T>, TestCaseError> {
    let Ok(v) = serde_json::from_slice::<T>(data) else { return Ok(None) };
    let again = serde_json::from_slice::<T>(&serde_json::to_vec(&v).unwrap());
    prop_assert!(again.is_ok(), "{:?}", again);
    if exact {
        let again = again.ok();
        prop_assert_eq!(again.as_ref(), Some(&v));
    }
    Ok(Some(v))
}

fn check(data: &[u8]) -> Result<(), TestCaseError> {
    round_trips::<TaskRequest>(data, true)?;
    if let Some(reply) = round_trips::<ResultsReply>(data, false)? {
        for r in &reply.results {
            let _ = r.validate(&dojo_core::Criteria::default());
        }
    }
    round_trips::<ScoreNotice>(data, false)?;
    if let Some(task) = round_trips::<CompletedTask>(data, false)? {
        // Whatever a store line holds, scoring and export refuse it or work: never a panic.
        if let Some(g) = &task.task.ground_truth {
            let _ = g.validate();
        }
        let _ = score_with_defences(&task.task, &task.responses, &DefencePolicy::default());
        for format in [ExportFormat::Dpo, ExportFormat::Sft, ExportFormat::Raw] {
            let _ = dojo_core::export::write_task(
                &task,
                format,
                &ExportOptions::default(),
                &mut Vec::new(),
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_dojo_json_arbitrary_bytes(data in bytes(200)) {
        check(&data)?;
    }

    #[test]
    fn fuzz_dojo_json_mutated_documents(data in mutated(seeds())) {
        check(&data)?;
    }

    #[test]
    fn fuzz_dojo_json_boundary_numbers(n in boundary_number(), which in 0usize..3) {
        // Numbers at the edges in a completed task's scores, times and ranks.
        let line = &completed_tasks()[which];
        let edited = line
            .replacen("\"elapsed_secs\":", &format!("\"elapsed_secs\":{n},\"_\":"), 1)
            .replacen("\"created_at\":", &format!("\"created_at\":{n},\"_c\":"), 1);
        check(edited.as_bytes())?;
    }
}
