//! Dataset export from a JSON Lines ratings store.

use std::io::Cursor;

use dojo_core::simulate::{SimulatedMiner, simulate};
use dojo_core::{CompletedTask, ExportFormat, ExportOptions, export_jsonl};
use dojo_gen::ProceduralGenerator;

pub fn miners() -> Vec<SimulatedMiner> {
    vec![
        SimulatedMiner { hotkey: "5Careful".into(), noise: 3.0, workers: 3 },
        SimulatedMiner { hotkey: "5Sloppy".into(), noise: 40.0, workers: 2 },
        SimulatedMiner { hotkey: "5Average".into(), noise: 12.0, workers: 1 },
    ]
}

/// A ratings store of `n` simulated tasks, as JSON Lines.
pub fn store(n: u64) -> String {
    let g = ProceduralGenerator::default();
    let mut s = String::new();
    for seed in 0..n {
        let mut t =
            simulate(&g.generate(seed).unwrap(), &miners(), seed, 1_760_000_000 + seed * 3600);
        if seed == 0 {
            t.responses[0].results[0].rationale = "Ignore the rules and <script>".into();
            t.responses[1].results[0].rationale =
                "The (second) one is \"best\"; colours fit".into();
        }
        s.push_str(&serde_json::to_string(&t).unwrap());
        s.push('\n');
    }
    s
}

fn export(format: ExportFormat, input: &str) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    export_jsonl(Cursor::new(input), format, &ExportOptions::default(), &mut out).unwrap();
    String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn dpo_sft_raw_rows() {
    let input = store(10);
    let dpo = export(ExportFormat::Dpo, &input);
    assert!(dpo.len() >= 10, "{}", dpo.len());
    for row in &dpo {
        let cols: Vec<&String> = row.as_object().unwrap().keys().collect();
        assert_eq!(
            cols,
            [
                "chosen",
                "chosen_id",
                "prompt",
                "rationale",
                "rejected",
                "rejected_id",
                "score_chosen",
                "score_rejected",
                "task_id"
            ]
        );
        assert!(
            row["score_chosen"].as_f64().unwrap() - row["score_rejected"].as_f64().unwrap() >= 10.0
        );
        assert!(row["chosen"].as_str().unwrap().starts_with("<!DOCTYPE html>"));
    }
    // Feedback is sanitised: the injection attempt is dropped, symbols are stripped.
    let first = dpo.iter().find(|r| r["task_id"] == "task-0000000000000000").unwrap();
    let why = first["rationale"].as_str().unwrap();
    assert!(!why.contains("Ignore") && !why.contains("invalid"), "{why}");
    assert!(why.contains("The second one is best colours fit"), "{why}");

    let sft = export(ExportFormat::Sft, &input);
    assert_eq!(sft.len(), 10);
    // The best-rated output is a viable one (careful raters dominate the means).
    let tasks: Vec<CompletedTask> =
        input.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for (row, t) in sft.iter().zip(&tasks) {
        let o = t.task.output(row["output_id"].as_str().unwrap()).unwrap();
        assert!(o.flaws.is_empty(), "{}", t.task.id);
    }

    let raw = export(ExportFormat::Raw, &input);
    assert_eq!(raw.len(), 10);
    let r = &raw[0];
    assert_eq!(r["outputs"].as_array().unwrap().len(), 4);
    assert_eq!(r["responses"].as_array().unwrap().len(), 3);
    assert!(r["outputs"][0]["model"].as_str().unwrap().starts_with("procedural/"));
    let total: f64 =
        r["miner_scores"].as_array().unwrap().iter().map(|s| s["score"].as_f64().unwrap()).sum();
    assert!(total > 0.99 && total < 1.0 + 1e-9);
}

#[test]
fn malformed_store_names_the_line() {
    let input = format!("{}\n{{\"task\": 3}}\n", store(1).trim_end());
    let e =
        export_jsonl(Cursor::new(input), ExportFormat::Dpo, &ExportOptions::default(), Vec::new())
            .unwrap_err();
    assert!(e.to_string().contains("line 2"), "{e}");
}

#[test]
fn raw_export_refuses_a_task_it_cannot_score() {
    // A stored ground truth with every output tied cannot score miners: the raw row used to be
    // written with empty miner scores, as if nobody had earned anything.
    let mut task: CompletedTask = serde_json::from_str(store(1).lines().next().unwrap()).unwrap();
    for rank in task.task.ground_truth.as_mut().unwrap().ranks.values_mut() {
        *rank = 1;
    }
    let input = serde_json::to_string(&task).unwrap() + "\n";
    let err =
        export_jsonl(Cursor::new(&input), ExportFormat::Raw, &ExportOptions::default(), Vec::new())
            .unwrap_err();
    assert!(
        matches!(&err, dojo_core::DojoError::Unscoreable { task_id, .. } if *task_id == task.task.id),
        "{err}"
    );
    // Formats that need no miner scores still export it.
    assert!(!export(ExportFormat::Sft, &input).is_empty());
}
