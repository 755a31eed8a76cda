//! The procedural generator: 1,000 distinct, deterministic tasks of well-formed HTML.

use std::collections::BTreeSet;

use dojo_core::{FlawKind, Modality, TaskShape};
use dojo_gen::ProceduralGenerator;

const VOID: [&str; 8] = ["meta", "input", "br", "img", "hr", "link", "source", "wbr"];

/// Checks the document is well formed: doctype, html/head/body, every non-void element closed in
/// order, script and style bodies free of a stray `</script` or `</style`.
pub fn check_html(doc: &str) -> Result<(), String> {
    if !doc.starts_with("<!DOCTYPE html>") {
        return Err("no <!DOCTYPE html> first".into());
    }
    let mut stack: Vec<String> = Vec::new();
    let mut rest = &doc["<!DOCTYPE html>".len()..];
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt + 1..];
        let gt = rest.find('>').ok_or("unterminated tag")?;
        let tag = &rest[..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            return Err(format!("bad tag <{tag}>"));
        }
        if !tag.matches('"').count().is_multiple_of(2) {
            return Err(format!("unbalanced quotes in <{tag}>"));
        }
        if VOID.contains(&name.as_str()) {
            continue;
        }
        if name == "script" || name == "style" {
            let close = format!("</{name}>");
            let end = rest.find(&close).ok_or(format!("unclosed <{name}>"))?;
            let body = &rest[..end];
            if body.contains(&format!("</{name}")) {
                return Err(format!("stray close inside <{name}>"));
            }
            rest = &rest[end + close.len()..];
            continue;
        }
        stack.push(name);
    }
    if !stack.is_empty() {
        return Err(format!("unclosed elements {stack:?}"));
    }
    for needle in ["<html", "<head>", "<body>", "<title>", "<script>"] {
        if !doc.contains(needle) {
            return Err(format!("missing {needle}"));
        }
    }
    Ok(())
}

#[test]
fn thousand_seeds_give_thousand_distinct_well_formed_tasks() {
    let g = ProceduralGenerator::default();
    let mut prompts_and_outputs = BTreeSet::new();
    let mut categories = BTreeSet::new();
    let mut kinds = BTreeSet::new();
    for seed in 0..1000u64 {
        let t = g.generate(seed).unwrap();
        assert_eq!(t.outputs.len(), 4);
        let gt = t.ground_truth.as_ref().unwrap();
        assert_eq!(t.outputs.iter().filter(|o| gt.ranks[&o.id] == 0).count(), 2, "seed {seed}");
        for o in &t.outputs {
            assert_eq!(o.modality, Modality::Html);
            check_html(&o.content).unwrap_or_else(|e| panic!("seed {seed} output {}: {e}", o.id));
            assert!(!o.content.contains("procedural/"), "model name leaks");
            for f in &o.flaws {
                kinds.insert(f.kind);
                if f.kind == FlawKind::ThrowOnInteraction {
                    assert!(o.interactions.contains(f.interaction.as_ref().unwrap()));
                }
            }
        }
        // flawed outputs differ from every viable one
        for f in t.outputs.iter().filter(|o| !o.flaws.is_empty()) {
            assert!(
                t.outputs.iter().filter(|o| o.flaws.is_empty()).all(|v| v.content != f.content)
            );
        }
        categories.insert(
            t.prompt
                .split(':')
                .nth(1)
                .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" ")),
        );
        let key = format!(
            "{}\u{0}{}",
            t.prompt,
            t.outputs.iter().map(|o| o.content.as_str()).collect::<String>()
        );
        assert!(prompts_and_outputs.insert(key), "seed {seed} repeats an earlier task");
        if seed.is_multiple_of(100) {
            assert_eq!(t, g.generate(seed).unwrap(), "not deterministic");
        }
    }
    assert_eq!(kinds.len(), FlawKind::ALL.len(), "every flaw operator used: {kinds:?}");
    assert!(categories.len() >= 5, "{categories:?}");
}

#[test]
fn v1_shape_is_strict() {
    let g = ProceduralGenerator { shape: TaskShape::OneOriginalThreeFlawed, category: None };
    for seed in 0..50 {
        let t = g.generate(seed).unwrap();
        let gt = t.ground_truth.unwrap();
        assert!(gt.is_strict());
        let sev: Vec<u8> = t.outputs.iter().skip(1).map(|o| o.flaws[0].severity).collect();
        assert_eq!(sev, vec![1, 2, 3]);
    }
}
