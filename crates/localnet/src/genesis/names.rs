//! Subnet names, token glyphs and what the subnets do.
//!
//! The names are taoplex's own: evocative one- or two-word names in the style of mainnet's, not
//! a copy of its list. Glyphs follow mainnet's convention: the root subnet is `τ`, and subnets
//! take letters by netuid from the Greek, Hebrew, Arabic, Devanagari, Georgian and Armenian
//! alphabets, in that order.

/// The root subnet's glyph.
#[cfg(test)]
pub(crate) const ROOT_GLYPH: &str = "τ";

/// Letters for subnets 1, 2, 3, … (τ is reserved for root).
const GLYPHS: &[&str] = &[
    // Greek (without τ)
    "α", "β", "γ", "δ", "ε", "ζ", "η", "θ", "ι", "κ", "λ", "μ", "ν", "ξ", "ο", "π", "ρ", "σ", "υ",
    "φ", "χ", "ψ", "ω", // Hebrew
    "א", "ב", "ג", "ד", "ה", "ו", "ז", "ח", "ט", "י", "ך", "כ", "ל", "ם", "מ", "ן", "נ", "ס", "ע",
    "ף", "פ", "ץ", "צ", "ק", "ר", "ש", "ת", // Arabic
    "ا", "ب", "ت", "ث", "ج", "ح", "خ", "د", "ذ", "ر", "ز", "س", "ش", "ص", "ض", "ط", "ظ", "ع", "غ",
    "ف", "ق", "ك", "ل", "م", "ن", "ه", "و", "ي", // Devanagari
    "क", "ख", "ग", "घ", "ङ", "च", "छ", "ज", "झ", "ञ", "ट", "ठ", "ड", "ढ", "ण", "त", "थ", "द", "ध",
    "न", "प", "फ", "ब", "भ", "म", "य", "र", "ल", "व", "श", "ष", "स", "ह", // Georgian
    "ა", "ბ", "გ", "დ", "ე", "ვ", "ზ", "თ", "ი", "კ", "ლ", "მ", "ნ", "ო", "პ", "ჟ", "რ", "ს", "ტ",
    "უ", "ფ", "ქ", "ღ", "ყ", "შ", "ჩ", "ც", "ძ", "წ", "ჭ", "ხ", "ჯ", "ჰ", // Armenian
    "Ա", "Բ", "Գ", "Դ", "Ե", "Զ", "Է", "Ը", "Թ", "Ժ", "Ի", "Լ", "Խ", "Ծ", "Կ", "Հ", "Ձ", "Ղ", "Ճ",
    "Մ", "Յ", "Ն", "Շ", "Ո", "Չ", "Պ", "Ջ", "Ռ", "Ս", "Վ", "Տ", "Ր", "Ց", "Ւ", "Փ", "Ք", "Օ", "Ֆ",
];

/// The glyph of subnet `netuid` (≥ 1). Past the alphabets, a letter with the round number.
pub(crate) fn glyph(netuid: u16) -> String {
    let i = usize::from(netuid.saturating_sub(1));
    match GLYPHS.get(i) {
        Some(g) => (*g).to_string(),
        None => {
            let base = GLYPHS.get(i % GLYPHS.len()).copied().unwrap_or("α");
            format!("{base}{}", i / GLYPHS.len())
        }
    }
}

/// How many distinct glyphs there are before they start repeating with a number.
#[cfg(test)]
pub(crate) fn glyph_count() -> usize {
    GLYPHS.len()
}

/// Subnet names: more than the 128 slots, so the generator can pick.
pub(crate) const NAMES: &[&str] = &[
    "Meridian",
    "Quillwork",
    "Halcyon",
    "Lattice",
    "Emberline",
    "Parallax",
    "Kestrel",
    "Obsidian",
    "Tessera",
    "Cadence",
    "Northlight",
    "Vantage",
    "Riverbed",
    "Pallas",
    "Cinder",
    "Mosaic",
    "Foundry",
    "Threadneedle",
    "Lodestar",
    "Aperture",
    "Sable",
    "Bastion",
    "Wayfarer",
    "Gossamer",
    "Anvil",
    "Harrow",
    "Sextant",
    "Lumen",
    "Cairn",
    "Verdant",
    "Quarry",
    "Tidewater",
    "Corvid",
    "Solstice",
    "Brightwork",
    "Ironwood",
    "Helix Forge",
    "Skylark",
    "Marrow",
    "Driftwood",
    "Keystone",
    "Polaris Grid",
    "Fathom",
    "Basalt",
    "Oracle Sands",
    "Whetstone",
    "Zenith",
    "Umbra",
    "Pilgrim",
    "Loom",
    "Saltmarsh",
    "Copperleaf",
    "Nimbus",
    "Granary",
    "Falconer",
    "Arbor",
    "Mirage",
    "Quasar Mill",
    "Rookery",
    "Tinder",
    "Ledger Hall",
    "Wellspring",
    "Cobalt",
    "Ferrous",
    "Hearth",
    "Juniper",
    "Kiln",
    "Larkspur",
    "Monolith",
    "Nectar",
    "Orchard",
    "Petrichor",
    "Quiver",
    "Rampart",
    "Sundial",
    "Tallow",
    "Undertow",
    "Vesper",
    "Windrose",
    "Yarrow",
    "Zephyrus",
    "Alembic",
    "Beacon Row",
    "Chisel",
    "Dovetail",
    "Eddy",
    "Flint",
    "Glasshouse",
    "Hollow Oak",
    "Inkwell",
    "Jetty",
    "Kindling",
    "Lighthouse",
    "Millrace",
    "Nettle",
    "Outpost",
    "Prism Works",
    "Quorum",
    "Reliquary",
    "Signal Fire",
    "Trellis",
    "Upland",
    "Vellum",
    "Watchtower",
    "Xylem",
    "Yearling",
    "Zinnia",
    "Aurelian",
    "Brackish",
    "Cistern",
    "Dynamo",
    "Estuary",
    "Filament",
    "Gyre",
    "Hinterland",
    "Ingot",
    "Jubilee",
    "Kaleido",
    "Lantern Bay",
    "Mainspring",
    "Nocturne",
    "Overture",
    "Palisade",
    "Quicksilver",
    "Runestone",
    "Steppe",
    "Tundra",
    "Ursa",
    "Voltaic",
    "Wyvern",
    "Axiom Mill",
    "Bellwether",
    "Compass Rose",
    "Delphi",
    "Evergreen",
    "Farsight",
    "Greywater",
    "Heliograph",
    "Isobar",
    "Jacquard",
    "Kelpie",
    "Lyre",
];

/// Kinds of work a subnet does, with a description template (`{name}` is replaced).
pub(crate) const KINDS: &[(&str, &str)] = &[
    (
        "inference",
        "{name} serves open-weight language models; miners compete on latency and answer quality under live traffic.",
    ),
    (
        "pretraining",
        "{name} pretrains a foundation model across the open internet, scoring miners by the loss their gradients remove.",
    ),
    (
        "fine-tuning",
        "{name} rewards miners who fine-tune small models that beat the reigning checkpoint on held-out tasks.",
    ),
    (
        "storage",
        "{name} is decentralized object storage: miners prove they hold encrypted shards and serve them on demand.",
    ),
    (
        "compute",
        "{name} rents out verified GPU time; validators benchmark miners' hardware and uptime.",
    ),
    (
        "prediction",
        "{name} forecasts prices and events; miners are scored when the future arrives.",
    ),
    (
        "protein",
        "{name} folds proteins and screens small molecules for binding, a wet-lab pipeline's first filter.",
    ),
    (
        "image",
        "{name} generates images from prompts, judged by human preference and aesthetic models.",
    ),
    (
        "speech",
        "{name} turns text into natural speech and speech into text in dozens of languages.",
    ),
    (
        "translation",
        "{name} translates documents between languages, graded by bilingual reference sets.",
    ),
    (
        "data",
        "{name} scrapes and cleans public web and social data into fresh, deduplicated datasets.",
    ),
    (
        "detection",
        "{name} detects AI-generated images, audio and video; miners race the newest generators.",
    ),
    ("trading", "{name} crowdsources trading signals and scores them on out-of-sample returns."),
    ("code", "{name} writes and repairs code; miners' patches must pass hidden test suites."),
    (
        "robotics",
        "{name} trains control policies in simulation and ranks them on unseen environments.",
    ),
    (
        "weather",
        "{name} forecasts weather at kilometre scale, verified against station observations.",
    ),
    (
        "search",
        "{name} is a retrieval network: miners index the web and answer queries with sources.",
    ),
    (
        "agents",
        "{name} evaluates autonomous agents on long-horizon tasks in sandboxed environments.",
    ),
    ("security", "{name} hunts vulnerabilities in smart contracts and open-source packages."),
    ("video", "{name} generates and upscales video; validators compare clips frame by frame."),
    ("3d", "{name} builds 3D assets from text and images for games and digital twins."),
    ("privacy", "{name} runs confidential inference inside trusted hardware with attested miners."),
    (
        "education",
        "{name} produces graded tutoring dialogues and exercises for open course material.",
    ),
    (
        "human feedback",
        "{name} turns human judgements into rewards for training and evaluating models.",
    ),
];

/// URL-safe slug of a name: lower-case letters and digits joined by dashes.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn names_and_glyphs_are_distinct() {
        let names: BTreeSet<_> = NAMES.iter().collect();
        assert_eq!(names.len(), NAMES.len(), "duplicate subnet names");
        assert!(NAMES.len() >= 128);
        let glyphs: BTreeSet<_> = GLYPHS.iter().collect();
        assert_eq!(glyphs.len(), GLYPHS.len(), "duplicate glyphs");
        assert!(glyph_count() >= 128);
        assert!(!GLYPHS.contains(&ROOT_GLYPH));
        let generated: BTreeSet<_> = (1..=400).map(glyph).collect();
        assert_eq!(generated.len(), 400);
        let slugs: BTreeSet<_> = NAMES.iter().map(|n| slug(n)).collect();
        assert_eq!(slugs.len(), NAMES.len());
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Helix Forge"), "helix-forge");
        assert_eq!(slug("  Quasar  Mill! "), "quasar-mill");
        assert_eq!(glyph(1), "α");
        assert_eq!(glyph(24), "א");
    }
}
