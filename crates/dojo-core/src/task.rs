//! The task model: a prompt, N outputs, the hidden ground truth and the rating criteria.

use std::collections::{BTreeMap, BTreeSet};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::DojoError;

/// Identifier of one output within a task (an opaque completion id, never a model name).
pub type OutputId = String;

/// What kind of artefact an output is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    /// A single-file interactive HTML/CSS/JS app; `content` is the whole `index.html`.
    Html,
    /// Plain text; `content` is the text.
    Text,
    /// An image; `content` is a URI (often a `data:` URI).
    Image,
    /// A 3D model (e.g. a Gaussian splat or glTF); `content` is a URI.
    Model3d,
}

/// The kind of deliberate flaw put into an output (reference §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlawKind {
    /// A requirement of the prompt is missing.
    DropRequirement,
    /// A feature nobody asked for is added.
    AddUnrequestedFeature,
    /// Colours and fonts unrelated to the request.
    BreakStyle,
    /// A named user interaction throws a script error.
    ThrowOnInteraction,
    /// Interactions respond only after a noticeable delay.
    Lag,
    /// The animation stutters.
    Jank,
    /// A visual glitch (flicker, misplaced element).
    VisualGlitch,
    /// Image or 3D: two parts wear each other's texture.
    SwappedTexture,
    /// Image or 3D: a part has no texture (flat grey).
    MissingTexture,
    /// Image or 3D: a part the prompt asked for is missing.
    MissingPart,
    /// Image: a label (bounding box) sits on the wrong object.
    WrongLabel,
}

impl FlawKind {
    /// The flaw kinds of HTML apps, in declaration order.
    pub const ALL: [FlawKind; 7] = [
        FlawKind::DropRequirement,
        FlawKind::AddUnrequestedFeature,
        FlawKind::BreakStyle,
        FlawKind::ThrowOnInteraction,
        FlawKind::Lag,
        FlawKind::Jank,
        FlawKind::VisualGlitch,
    ];
}

/// A user interaction with an HTML output: dispatch `event` on the element `selector`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Interaction {
    /// CSS selector of the element, e.g. `#btn-reset`.
    pub selector: String,
    /// DOM event type, e.g. `click`, `input`, `keydown`.
    pub event: String,
}

/// One deliberate flaw with its severity (1 = mild … 3 = severe).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flaw {
    /// What was done.
    pub kind: FlawKind,
    /// 1 (mild) to 3 (severe); more severe flaws rank lower in the ground truth.
    pub severity: u8,
    /// Human-readable description, e.g. which requirement was dropped.
    pub description: String,
    /// For [`FlawKind::ThrowOnInteraction`]: the only interaction that throws.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interaction: Option<Interaction>,
}

/// A labelled box over an image output ("is this box the ball?"), in thousandths of the
/// image's width and height from its top-left corner, so it holds at any displayed size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// What the box claims to contain.
    pub label: String,
    /// Left edge, 0–1000.
    pub x: u16,
    /// Top edge, 0–1000.
    pub y: u16,
    /// Width, 0–1000.
    pub w: u16,
    /// Height, 0–1000.
    pub h: u16,
}

/// One output of a task, validator-side (with the hidden fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Output {
    /// Opaque id shown to miners.
    pub id: OutputId,
    /// Artefact kind.
    pub modality: Modality,
    /// The artefact (HTML source, text, or a URI).
    pub content: String,
    /// Hidden: the generator or model that produced it.
    pub model: String,
    /// Hidden: the flaws deliberately put in (empty for a viable output).
    #[serde(default)]
    pub flaws: Vec<Flaw>,
    /// Every interaction the output supports (HTML only); used by browser checks.
    #[serde(default)]
    pub interactions: Vec<Interaction>,
    /// Labelled boxes drawn over an image output.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
}

impl Output {
    /// Total severity of the flaws (0 for a viable output).
    pub fn severity(&self) -> u32 {
        self.flaws.iter().map(|f| u32::from(f.severity)).sum()
    }
}

/// The hidden ground truth: a rank per output, 0 = best, equal ranks tie.
///
/// Ranks must be dense (their distinct values are exactly `0..=max`) and there must be at
/// least two distinct ranks. A strict order is the v1 case; ties make a partial order
/// (e.g. 2 viable outputs at rank 0 and 2 flawed ones at ranks 1 and 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GroundTruth {
    /// Output id → rank.
    pub ranks: BTreeMap<OutputId, u32>,
}

impl GroundTruth {
    /// Builds and validates a ground truth.
    pub fn new(ranks: BTreeMap<OutputId, u32>) -> Result<Self, DojoError> {
        let gt = GroundTruth { ranks };
        gt.validate()?;
        Ok(gt)
    }

    /// Ground truth from flaw severities: viable outputs rank 0, flawed outputs are ranked by
    /// total severity (dense ranks, equal severities tie).
    pub fn from_outputs(outputs: &[Output]) -> Result<Self, DojoError> {
        let levels: BTreeSet<u32> = outputs.iter().map(Output::severity).collect();
        let ranks = outputs
            .iter()
            .map(|o| {
                let rank = levels.iter().take_while(|&&s| s < o.severity()).count();
                (o.id.clone(), u32::try_from(rank).unwrap_or(u32::MAX))
            })
            .collect();
        GroundTruth::new(ranks)
    }

    /// Checks density (ranks 0..=max all used) and that at least two levels exist.
    pub fn validate(&self) -> Result<(), DojoError> {
        if self.ranks.len() < 2 {
            return Err(DojoError::GroundTruth(format!(
                "needs at least 2 outputs, got {}",
                self.ranks.len()
            )));
        }
        let distinct: BTreeSet<u32> = self.ranks.values().copied().collect();
        for (expected, got) in distinct.iter().enumerate() {
            if u32::try_from(expected).ok() != Some(*got) {
                return Err(DojoError::GroundTruth(format!(
                    "ranks must be contiguous from 0 (equal ranks tie); got {:?}",
                    distinct.iter().collect::<Vec<_>>()
                )));
            }
        }
        if distinct.len() < 2 {
            return Err(DojoError::GroundTruth(
                "all outputs tie: a ground truth needs at least two distinct ranks".into(),
            ));
        }
        Ok(())
    }

    /// True when no two outputs share a rank.
    pub fn is_strict(&self) -> bool {
        let distinct: BTreeSet<u32> = self.ranks.values().copied().collect();
        distinct.len() == self.ranks.len()
    }
}

/// What a rater is asked for, per task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criteria {
    /// Lowest score per output (1).
    pub score_min: u32,
    /// Highest score per output (100).
    pub score_max: u32,
    /// Whether a full ranking of the outputs is asked for.
    pub ranking: bool,
    /// The question for the written "why".
    pub rationale_query: String,
}

impl Default for Criteria {
    fn default() -> Self {
        Criteria {
            score_min: 1,
            score_max: 100,
            ranking: true,
            rationale_query:
                "Why did you rank the outputs this way? What would make the best one better?".into(),
        }
    }
}

/// The shape of a generated task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskShape {
    /// 2 viable outputs and 2 deliberately flawed ones (default).
    #[default]
    TwoViableTwoFlawed,
    /// Dojo v1: 1 original and 3 flawed outputs of severity 1, 2 and 3 (strict order).
    OneOriginalThreeFlawed,
}

/// A task, validator-side: everything including the hidden ground truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Unique task id.
    pub id: String,
    /// The prompt shown to raters.
    pub prompt: String,
    /// The outputs (canonical, unshuffled order).
    pub outputs: Vec<Output>,
    /// Hidden ground truth; `None` for tasks scored by agreement only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ground_truth: Option<GroundTruth>,
    /// What raters are asked for.
    #[serde(default)]
    pub criteria: Criteria,
    /// Shape the task was generated with.
    #[serde(default)]
    pub shape: TaskShape,
    /// Seed the task was generated from, if procedural.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

/// One output as a miner sees it: no model name, no flaws.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentedOutput {
    /// Opaque id.
    pub id: OutputId,
    /// Artefact kind.
    pub modality: Modality,
    /// The artefact.
    pub content: String,
    /// Labelled boxes drawn over an image output.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
}

/// A task as sent to one miner: outputs in a miner-specific order, hidden fields removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentedTask {
    /// Task id.
    pub task_id: String,
    /// The prompt.
    pub prompt: String,
    /// Outputs, shuffled for this miner.
    pub outputs: Vec<PresentedOutput>,
    /// What to rate.
    pub criteria: Criteria,
}

/// A 64-bit seed derived from a base seed and labels (SHA-256), for per-miner shuffles.
pub fn derive_seed(seed: u64, labels: &[&str]) -> u64 {
    let mut h = Sha256::new();
    h.update(seed.to_le_bytes());
    for l in labels {
        h.update((l.len() as u64).to_le_bytes());
        h.update(l.as_bytes());
    }
    let d = h.finalize();
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    u64::from_le_bytes(b)
}

impl Task {
    /// The task as `hotkey` sees it: outputs permuted by a permutation seeded from
    /// (`seed`, task id, hotkey), model names and flaws removed.
    pub fn present(&self, seed: u64, hotkey: &str) -> PresentedTask {
        let mut outputs: Vec<PresentedOutput> = self
            .outputs
            .iter()
            .map(|o| PresentedOutput {
                id: o.id.clone(),
                modality: o.modality,
                content: o.content.clone(),
                annotations: o.annotations.clone(),
            })
            .collect();
        let mut rng = ChaCha20Rng::seed_from_u64(derive_seed(seed, &[&self.id, hotkey]));
        outputs.shuffle(&mut rng);
        PresentedTask {
            task_id: self.id.clone(),
            prompt: self.prompt.clone(),
            outputs,
            criteria: self.criteria.clone(),
        }
    }

    /// Output by id.
    pub fn output(&self, id: &str) -> Option<&Output> {
        self.outputs.iter().find(|o| o.id == id)
    }
}

/// A batch of tasks as one miner sees it: task order and output order both shuffled per miner.
pub fn present_batch(tasks: &[Task], seed: u64, hotkey: &str) -> Vec<PresentedTask> {
    let mut presented: Vec<PresentedTask> = tasks.iter().map(|t| t.present(seed, hotkey)).collect();
    let mut rng = ChaCha20Rng::seed_from_u64(derive_seed(seed, &["batch", hotkey]));
    presented.shuffle(&mut rng);
    presented
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(id: &str, sev: &[u8]) -> Output {
        Output {
            id: id.into(),
            modality: Modality::Text,
            content: id.into(),
            model: "m".into(),
            flaws: sev
                .iter()
                .map(|&s| Flaw {
                    kind: FlawKind::BreakStyle,
                    severity: s,
                    description: String::new(),
                    interaction: None,
                })
                .collect(),
            interactions: vec![],
            annotations: vec![],
        }
    }

    #[test]
    fn ground_truth_from_severity_is_dense_with_ties() {
        let outs = [out("a", &[]), out("b", &[]), out("c", &[2]), out("d", &[3])];
        let gt = GroundTruth::from_outputs(&outs).unwrap();
        assert_eq!(gt.ranks["a"], 0);
        assert_eq!(gt.ranks["b"], 0);
        assert_eq!(gt.ranks["c"], 1);
        assert_eq!(gt.ranks["d"], 2);
        assert!(!gt.is_strict());
    }

    #[test]
    fn non_contiguous_ranks_rejected() {
        let ranks = [("a", 0), ("b", 1), ("c", 3)].map(|(k, v)| (k.to_string(), v)).into();
        assert!(GroundTruth::new(ranks).is_err());
        let all_tie = [("a", 0), ("b", 0)].map(|(k, v)| (k.to_string(), v)).into();
        assert!(GroundTruth::new(all_tie).is_err());
    }

    #[test]
    fn presentation_hides_model_and_shuffles_per_miner() {
        let task = Task {
            id: "t".into(),
            prompt: "p".into(),
            outputs: (0..8).map(|i| out(&format!("o{i}"), &[])).collect(),
            ground_truth: None,
            criteria: Criteria::default(),
            shape: TaskShape::default(),
            seed: None,
        };
        let a = task.present(1, "alice");
        let b = task.present(1, "bob");
        assert_eq!(a, task.present(1, "alice"));
        assert_ne!(
            a.outputs.iter().map(|o| &o.id).collect::<Vec<_>>(),
            b.outputs.iter().map(|o| &o.id).collect::<Vec<_>>()
        );
        let json = serde_json::to_string(&a).unwrap();
        assert!(!json.contains("\"model\""));
        assert!(!json.contains("flaws"));
    }
}
