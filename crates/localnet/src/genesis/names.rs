//! Subnet names and glyphs. (Being written.)
