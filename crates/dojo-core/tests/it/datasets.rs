//! Round trip through Python `datasets`: the exported files load as is.

use std::process::Command;

use dojo_core::{ExportFormat, ExportOptions, export_jsonl};

const SCRIPT: &str = r#"
import json, sys
from datasets import load_dataset
d = sys.argv[1]
expect = {
    "dpo": ["task_id", "prompt", "chosen", "rejected", "chosen_id", "rejected_id", "score_chosen", "score_rejected", "rationale"],
    "sft": ["task_id", "prompt", "completion", "output_id", "score"],
    "raw": ["task_id", "prompt", "shape", "created_at", "expire_at", "outputs", "responses", "miner_scores"],
}
for name, cols in expect.items():
    ds = load_dataset("json", data_files=f"{d}/{name}.jsonl", split="train")
    rows = sum(1 for _ in open(f"{d}/{name}.jsonl"))
    assert ds.num_rows == rows and rows > 0, (name, ds.num_rows, rows)
    assert sorted(ds.column_names) == sorted(cols), (name, ds.column_names)
    print(name, ds.num_rows, "rows")
ds = load_dataset("json", data_files=f"{d}/dpo.jsonl", split="train")
assert ds[0]["chosen"].startswith("<!DOCTYPE html>")
assert ds[0]["score_chosen"] > ds[0]["score_rejected"]
print("datasets round trip ok")
"#;

#[test]
fn exported_files_load_with_python_datasets() {
    let Ok(python) = std::env::var("TAOPLEX_PYTHON") else {
        println!(
            "\n!!!!!!!! TAOPLEX_PYTHON is not set: SKIPPING the Python `datasets` round trip !!!!!!!!\n"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = super::export::store(12);
    for (name, format) in
        [("dpo", ExportFormat::Dpo), ("sft", ExportFormat::Sft), ("raw", ExportFormat::Raw)]
    {
        let file = std::fs::File::create(dir.path().join(format!("{name}.jsonl"))).unwrap();
        export_jsonl(
            std::io::Cursor::new(&input),
            format,
            &ExportOptions::default(),
            std::io::BufWriter::new(file),
        )
        .unwrap();
    }
    let out = Command::new(python)
        .arg("-c")
        .arg(SCRIPT)
        .arg(dir.path())
        .env("HF_DATASETS_CACHE", dir.path().join("cache"))
        .env("HF_HOME", dir.path().join("hf"))
        .env("HF_HUB_OFFLINE", "1")
        .env("HF_DATASETS_OFFLINE", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "python failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("datasets round trip ok"));
}
