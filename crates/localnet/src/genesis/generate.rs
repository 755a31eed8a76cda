//! Generates the default genesis from a seed. (Being written.)

use super::Genesis;

/// Options of the generated genesis.
#[derive(Debug, Clone)]
pub struct GenesisOptions {
    /// Seed.
    pub seed: u64,
}

/// Generates a genesis.
pub fn generate(_options: &GenesisOptions) -> Genesis {
    todo!("genesis generator")
}
