//! Offline task generation: a seeded procedural generator of single-file HTML apps with flaw
//! operators, and a client for OpenAI-compatible chat-completions endpoints.
//!
#![doc = include_str!("../README.md")]

pub mod html;
pub mod llm;
pub mod media;
pub mod spec;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

use self::html::{RenderOptions, Variant, extras, features_for, interactions, render};
use self::spec::{AppCategory, AppSpec};
use dojo_core::error::DojoError;
use dojo_core::task::{
    Criteria, Flaw, FlawKind, GroundTruth, Modality, Output, Task, TaskShape, derive_seed,
};

/// How many times a flaw is re-drawn when it leaves the output unchanged.
pub const MAX_FLAW_ATTEMPTS: usize = 8;

/// A flaw operator applied to render options; severity 1–3 scales its intensity.
pub fn apply_flaw(
    kind: FlawKind,
    severity: u8,
    spec: &AppSpec,
    base: &RenderOptions,
    rng: &mut ChaCha20Rng,
) -> (RenderOptions, Flaw) {
    let sev = severity.clamp(1, 3);
    let mut o = base.clone();
    let mut interaction = None;
    let description = match kind {
        FlawKind::DropRequirement => {
            let mut keys: Vec<&String> =
                spec.requirements.iter().filter(|k| !o.drop.contains(k)).collect();
            keys.shuffle(rng);
            let n = usize::from(sev).min(keys.len());
            let dropped: Vec<String> = keys[..n].iter().map(|k| k.to_string()).collect();
            o.drop.extend(dropped.iter().cloned());
            format!("requirements left out: {}", dropped.join(", "))
        }
        FlawKind::AddUnrequestedFeature => {
            let mut pool: Vec<&str> = features_for(spec.category)
                .iter()
                .chain(extras())
                .map(|f| f.key)
                .filter(|k| {
                    !spec.requirements.iter().any(|r| r == k) && !o.extra.iter().any(|e| e == k)
                })
                .collect();
            pool.shuffle(rng);
            let n = usize::from(sev).min(pool.len());
            let added: Vec<String> = pool[..n].iter().map(|k| k.to_string()).collect();
            o.extra.extend(added.iter().cloned());
            format!("unrequested features added: {}", added.join(", "))
        }
        FlawKind::BreakStyle => {
            o.broken_style = sev;
            format!("style unrelated to the request (level {sev})")
        }
        FlawKind::ThrowOnInteraction => {
            let candidates = interactions(spec, &o);
            if let Some(i) = candidates.choose(rng) {
                o.throw_on = Some(i.clone());
                interaction = Some(i.clone());
                format!("{} on {} throws a TypeError", i.event, i.selector)
            } else {
                "no interaction to break".into()
            }
        }
        FlawKind::Lag => {
            o.lag_ms = [400, 900, 1800][usize::from(sev - 1)];
            format!("every interaction responds after {} ms", o.lag_ms)
        }
        FlawKind::Jank => {
            o.jank = [3, 6, 12][usize::from(sev - 1)];
            format!("motion advances in bursts every {} frames", o.jank)
        }
        FlawKind::VisualGlitch => {
            o.glitch_every = [60, 20, 7][usize::from(sev - 1)];
            format!("flickering stripe and jitter every {} frames", o.glitch_every)
        }
        // Image and 3D flaws ([`media`]) leave an app unchanged, so [`flawed`] re-draws them.
        FlawKind::SwappedTexture
        | FlawKind::MissingTexture
        | FlawKind::MissingPart
        | FlawKind::WrongLabel => format!("{kind:?} applies to images and 3D models only"),
    };
    (o, Flaw { kind, severity: sev, description, interaction })
}

const FONTS: [&str; 5] = [
    "system-ui, sans-serif",
    "Georgia, serif",
    "\"Trebuchet MS\", sans-serif",
    "\"Segoe UI\", Roboto, sans-serif",
    "Verdana, Geneva, sans-serif",
];
const SHAPES: [&str; 4] = ["circle", "square", "triangle", "diamond"];
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn variant(rng: &mut ChaCha20Rng) -> Variant {
    Variant {
        font: FONTS[rng.gen_range(0..FONTS.len())].to_string(),
        radius: rng.gen_range(0..=12),
        shape: SHAPES[rng.gen_range(0..SHAPES.len())].to_string(),
        count: rng.gen_range(12..=60),
        controls_below: rng.gen_bool(0.5),
        data: DAYS
            .iter()
            .map(|d| (d.to_string(), rng.gen_range(10..=100), rng.gen_range(10..=100)))
            .collect(),
    }
}

fn output_id(seed: u64, index: usize) -> String {
    let d = derive_seed(seed, &["output", &index.to_string()]);
    format!("{d:016x}")[..12].to_string()
}

/// The procedural generator. Deterministic: the same seed gives the same task.
#[derive(Debug, Clone, Default)]
pub struct ProceduralGenerator {
    /// Task shape to produce.
    pub shape: TaskShape,
    /// Restrict to one category (default: any).
    pub category: Option<AppCategory>,
}

impl ProceduralGenerator {
    /// Generates the task of `seed`.
    pub fn generate(&self, seed: u64) -> Result<Task, DojoError> {
        let mut rng = ChaCha20Rng::seed_from_u64(derive_seed(seed, &["task"]));
        let spec = match self.category {
            Some(c) => AppSpec::random_in(c, &mut rng),
            None => AppSpec::random(&mut rng),
        };
        self.generate_from_spec(seed, &spec, &mut rng)
    }

    /// Generates a task for a given spec.
    pub fn generate_from_spec(
        &self,
        seed: u64,
        spec: &AppSpec,
        rng: &mut ChaCha20Rng,
    ) -> Result<Task, DojoError> {
        let title = title(spec);
        let viable_count = match self.shape {
            TaskShape::TwoViableTwoFlawed => 2,
            TaskShape::OneOriginalThreeFlawed => 1,
        };
        let variants: Vec<Variant> = (0..viable_count).map(|_| variant(rng)).collect();
        let severities: Vec<u8> = match self.shape {
            TaskShape::TwoViableTwoFlawed => vec![rng.gen_range(1..=3), rng.gen_range(1..=3)],
            TaskShape::OneOriginalThreeFlawed => vec![1, 2, 3],
        };
        let mut outputs = Vec::new();
        for (i, v) in variants.iter().enumerate() {
            let opts = RenderOptions::default();
            outputs.push(Output {
                id: String::new(),
                modality: Modality::Html,
                content: render(spec, &title, v, &opts),
                model: format!("procedural/viable-{}", i + 1),
                flaws: vec![],
                interactions: interactions(spec, &opts),
                annotations: vec![],
            });
        }
        for sev in severities {
            let base_idx = rng.gen_range(0..variants.len());
            let v = &variants[base_idx];
            let original = &outputs[base_idx].content;
            let (opts, flaw, content) = flawed(spec, &title, v, original, sev, None, rng)?;
            outputs.push(Output {
                id: String::new(),
                modality: Modality::Html,
                content,
                model: format!("procedural/flawed-{:?}", flaw.kind).to_lowercase(),
                interactions: interactions(spec, &opts),
                annotations: vec![],
                flaws: vec![flaw],
            });
        }
        for (i, o) in outputs.iter_mut().enumerate() {
            o.id = output_id(seed, i);
        }
        let ground_truth = Some(GroundTruth::from_outputs(&outputs)?);
        Ok(Task {
            id: format!("task-{seed:016x}"),
            prompt: spec.prompt(),
            outputs,
            ground_truth,
            criteria: Criteria::default(),
            shape: self.shape,
            seed: Some(seed),
        })
    }
}

/// Draws a flaw of severity `sev` (of kind `first`, if given, for the first attempt), renders
/// it, and rejects and re-draws it while the result is identical to `original`.
pub fn flawed(
    spec: &AppSpec,
    title: &str,
    v: &Variant,
    original: &str,
    sev: u8,
    first: Option<FlawKind>,
    rng: &mut ChaCha20Rng,
) -> Result<(RenderOptions, Flaw, String), DojoError> {
    for attempt in 0..MAX_FLAW_ATTEMPTS {
        let kind = match (attempt, first) {
            (0, Some(k)) => k,
            _ => FlawKind::ALL[rng.gen_range(0..FlawKind::ALL.len())],
        };
        let (opts, flaw) = apply_flaw(kind, sev, spec, &RenderOptions::default(), rng);
        let content = render(spec, title, v, &opts);
        if content != original {
            return Ok((opts, flaw, content));
        }
    }
    Err(DojoError::Generation(format!(
        "no flaw changed the output after {MAX_FLAW_ATTEMPTS} attempts"
    )))
}

fn title(spec: &AppSpec) -> String {
    let mut s = spec.subject.clone();
    if let Some(c) = s.get_mut(0..1) {
        c.make_ascii_uppercase();
    }
    match spec.category {
        AppCategory::Game => format!("Catch the {s}"),
        AppCategory::Animation | AppCategory::Simulation => s,
        AppCategory::Form => format!("Sign up: {}", spec.subject.trim_start_matches("a ")),
        AppCategory::Dashboard => format!("Dashboard: {}", spec.subject),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_shaped() {
        let g = ProceduralGenerator::default();
        let a = g.generate(7).unwrap();
        assert_eq!(a, g.generate(7).unwrap());
        assert_ne!(a, g.generate(8).unwrap());
        assert_eq!(a.outputs.len(), 4);
        let gt = a.ground_truth.as_ref().unwrap();
        assert_eq!(gt.ranks[&a.outputs[0].id], 0);
        assert_eq!(gt.ranks[&a.outputs[1].id], 0);
        assert!(gt.ranks[&a.outputs[2].id] > 0);
        assert!(a.outputs.iter().all(|o| !o.content.contains(&o.model)));
        let v1 = ProceduralGenerator { shape: TaskShape::OneOriginalThreeFlawed, category: None }
            .generate(7)
            .unwrap();
        let gt = v1.ground_truth.unwrap();
        assert!(gt.is_strict());
        let ranks: Vec<u32> = v1.outputs.iter().map(|o| gt.ranks[&o.id]).collect();
        assert_eq!(ranks, vec![0, 1, 2, 3]);
    }

    #[test]
    fn identical_flaw_is_rejected_and_redrawn() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let mut spec = AppSpec::random_in(AppCategory::Animation, &mut rng);
        spec.requirements.clear();
        let v = variant(&mut rng);
        let original = render(&spec, "t", &v, &RenderOptions::default());
        // Dropping a requirement from a spec without requirements changes nothing.
        let (o, _) =
            apply_flaw(FlawKind::DropRequirement, 1, &spec, &RenderOptions::default(), &mut rng);
        assert_eq!(render(&spec, "t", &v, &o), original);
        let (_, flaw, content) =
            flawed(&spec, "t", &v, &original, 1, Some(FlawKind::DropRequirement), &mut rng)
                .unwrap();
        assert_ne!(flaw.kind, FlawKind::DropRequirement);
        assert_ne!(content, original);
    }

    #[test]
    fn every_flaw_kind_changes_a_typical_output() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        for cat in AppCategory::ALL {
            let spec = AppSpec::random_in(cat, &mut rng);
            let v = variant(&mut rng);
            let original = render(&spec, "t", &v, &RenderOptions::default());
            for kind in FlawKind::ALL {
                let (o, flaw) = apply_flaw(kind, 2, &spec, &RenderOptions::default(), &mut rng);
                assert_ne!(render(&spec, "t", &v, &o), original, "{cat:?} {kind:?}");
                if kind == FlawKind::ThrowOnInteraction {
                    assert!(flaw.interaction.is_some());
                }
            }
        }
    }
}
