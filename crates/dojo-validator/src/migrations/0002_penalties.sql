-- The defences' penalties per miner and task (JSON array of `defence::Penalty`).
ALTER TABLE validator_scores ADD COLUMN penalties_json TEXT;
