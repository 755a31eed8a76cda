//! Decoding costs of the live client: one block's events and one all-subnets answer.
fn main() {}
