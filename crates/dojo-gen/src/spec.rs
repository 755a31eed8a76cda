//! Prompt specs: what an app must do, drawn at random from a seed.

use rand::Rng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// The kind of app asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppCategory {
    /// A small canvas game.
    Game,
    /// A canvas animation.
    Animation,
    /// A physics-like simulation.
    Simulation,
    /// A form with live validation.
    Form,
    /// A data dashboard with a chart.
    Dashboard,
}

impl AppCategory {
    /// Every category.
    pub const ALL: [AppCategory; 5] = [
        AppCategory::Game,
        AppCategory::Animation,
        AppCategory::Simulation,
        AppCategory::Form,
        AppCategory::Dashboard,
    ];

    /// True for the categories drawn around moving canvas items.
    pub fn is_canvas_world(self) -> bool {
        matches!(self, AppCategory::Game | AppCategory::Animation | AppCategory::Simulation)
    }

    /// Subjects an app of this category can be about.
    pub fn subjects(self) -> &'static [&'static str] {
        match self {
            AppCategory::Game => {
                &["apples", "stars", "coins", "raindrops", "eggs", "snowballs", "gems", "leaves"]
            }
            AppCategory::Animation => &[
                "fireflies",
                "snowflakes",
                "soap bubbles",
                "falling leaves",
                "confetti",
                "lanterns",
                "jellyfish",
                "balloons",
                "sparks",
                "petals",
            ],
            AppCategory::Simulation => &[
                "bouncing balls under gravity",
                "gas molecules in a box",
                "sand grains",
                "billiard balls",
                "planets around a star",
                "pollen in water",
                "hailstones",
                "ping-pong balls",
            ],
            AppCategory::Form => &[
                "a book club",
                "a hiking trip",
                "a cooking class",
                "a hackathon",
                "a yoga retreat",
                "a chess tournament",
                "a community garden",
                "a photography workshop",
                "a volunteer day",
            ],
            AppCategory::Dashboard => &[
                "weekly bakery sales",
                "server response times",
                "city temperatures",
                "reading habits",
                "gym attendance",
                "coffee orders",
                "solar panel output",
                "website visitors",
                "bike rentals",
            ],
        }
    }

    /// How the prompt names this category.
    pub fn phrase(self) -> &'static str {
        match self {
            AppCategory::Game => "a small game where the player catches falling",
            AppCategory::Animation => "an animation of",
            AppCategory::Simulation => "a simulation of",
            AppCategory::Form => "a sign-up form for",
            AppCategory::Dashboard => "a dashboard of",
        }
    }
}

/// A colour palette.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Palette {
    /// Name used in the prompt.
    pub name: String,
    /// Background colour, `#rrggbb`.
    pub bg: String,
    /// Text colour.
    pub fg: String,
    /// Accent colour (buttons, headings).
    pub accent: String,
    /// Panel colour (canvas, cards).
    pub panel: String,
    /// Colours of drawn items.
    pub items: Vec<String>,
}

pub(crate) fn palettes() -> Vec<Palette> {
    let p = |name: &str, bg: &str, fg: &str, accent: &str, panel: &str, items: [&str; 3]| Palette {
        name: name.into(),
        bg: bg.into(),
        fg: fg.into(),
        accent: accent.into(),
        panel: panel.into(),
        items: items.iter().map(|s| s.to_string()).collect(),
    };
    vec![
        p("ocean", "#e8f1f8", "#0b2545", "#13315c", "#cfe2f3", ["#1b98e0", "#247ba0", "#70c1b3"]),
        p("sunset", "#fff4e6", "#3d1f0f", "#e4572e", "#ffe0c2", ["#f3a712", "#e4572e", "#a8201a"]),
        p("forest", "#eef5ea", "#1f2d1b", "#386641", "#d8e8cf", ["#6a994e", "#a7c957", "#bc4749"]),
        p("pastel", "#fdf6fb", "#3a3042", "#9d4edd", "#f1e4f3", ["#ffafcc", "#bde0fe", "#cdb4db"]),
        p(
            "monochrome",
            "#f5f5f5",
            "#111111",
            "#333333",
            "#e0e0e0",
            ["#222222", "#666666", "#999999"],
        ),
        p("night", "#0d1b2a", "#e0e1dd", "#f4d35e", "#1b263b", ["#f4d35e", "#ee964b", "#7dcfb6"]),
    ]
}

/// One requirement of a prompt, by feature key (see the feature table).
pub type FeatureKey = String;

/// What an app must be: category, subject, palette and requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSpec {
    /// Kind of app.
    pub category: AppCategory,
    /// What it is about.
    pub subject: String,
    /// Colour palette.
    pub palette: Palette,
    /// Required features, by key.
    pub requirements: Vec<FeatureKey>,
}

impl AppSpec {
    /// Draws a spec: uniform category and subject, 2–4 requirements from the category's pool.
    pub fn random<R: Rng>(rng: &mut R) -> AppSpec {
        let category = AppCategory::ALL[rng.gen_range(0..AppCategory::ALL.len())];
        AppSpec::random_in(category, rng)
    }

    /// Draws a spec of the given category.
    pub fn random_in<R: Rng>(category: AppCategory, rng: &mut R) -> AppSpec {
        let subjects = category.subjects();
        let subject = subjects[rng.gen_range(0..subjects.len())].to_string();
        let all = palettes();
        let palette = all[rng.gen_range(0..all.len())].clone();
        let mut pool: Vec<&str> =
            super::html::features_for(category).iter().map(|f| f.key).collect();
        pool.shuffle(rng);
        let n = rng.gen_range(2..=4).min(pool.len());
        let mut requirements: Vec<FeatureKey> = pool[..n].iter().map(|s| s.to_string()).collect();
        requirements.sort();
        AppSpec { category, subject, palette, requirements }
    }

    /// The prompt text shown to raters (and to an LLM generator).
    pub fn prompt(&self) -> String {
        let mut s = format!(
            "Create a single-file interactive HTML app (HTML, CSS and JavaScript in one index.html, no external \
             assets or libraries): {} {}. Use a {} colour palette.",
            self.category.phrase(),
            self.subject,
            self.palette.name
        );
        if !self.requirements.is_empty() {
            s.push_str(" Requirements:");
            for (i, key) in self.requirements.iter().enumerate() {
                let text =
                    super::html::feature(self.category, key).map_or(key.as_str(), |f| f.prompt);
                s.push_str(&format!(" {}) {}.", i + 1, text));
            }
        }
        s
    }
}
