//! The compact encoding of per-block pool states.
//!
//! 128 subnets × every block is too many rows to insert at backfill speed, so states are stored
//! as *chunks*: one row per run of up to [`CHUNK_BLOCKS`] consecutive blocks, holding every
//! subnet's state at the end of each block. Inside a chunk each field is a zig-zag varint
//! delta against the same subnet's previous record in the chunk (the first record of a subnet
//! in a chunk is a delta against zero, so every chunk decodes on its own). Emission changes
//! reserves by a few million rao a block, so a subnet-block costs ~15–25 bytes instead of ~60.

use std::collections::BTreeMap;

use chain::NetUid;

use crate::types::PoolState;

/// Most blocks in one chunk; a point lookup decodes at most this many blocks.
pub const CHUNK_BLOCKS: usize = 64;

const VERSION: u8 = 1;

/// Why a chunk does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("corrupt pool-state chunk: {0}")]
pub struct CorruptChunk(pub &'static str);

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_delta(out: &mut Vec<u8>, new: u64, old: u64) {
    let d = new.wrapping_sub(old) as i64;
    put_varint(out, ((d << 1) ^ (d >> 63)) as u64);
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn varint(&mut self) -> Result<u64, CorruptChunk> {
        let mut v = 0u64;
        let mut shift = 0u32;
        loop {
            let b = *self.buf.get(self.pos).ok_or(CorruptChunk("truncated varint"))?;
            self.pos += 1;
            if shift >= 64 {
                return Err(CorruptChunk("varint too long"));
            }
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
        }
    }

    fn delta(&mut self, old: u64) -> Result<u64, CorruptChunk> {
        let z = self.varint()?;
        let d = ((z >> 1) as i64) ^ -((z & 1) as i64);
        Ok(old.wrapping_add(d as u64))
    }

    fn byte(&mut self) -> Result<u8, CorruptChunk> {
        let b = *self.buf.get(self.pos).ok_or(CorruptChunk("truncated"))?;
        self.pos += 1;
        Ok(b)
    }
}

const FIELDS: usize = 7;

fn fields(s: &PoolState) -> [u64; FIELDS] {
    [
        s.tao_reserve,
        s.alpha_in,
        s.alpha_out,
        s.price,
        s.moving_price,
        s.emission_share_ppb,
        s.tao_emission,
    ]
}

/// Encodes consecutive blocks' states (each block's list sorted by netuid).
pub fn encode_chunk(blocks: &[Vec<PoolState>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + blocks.len() * blocks.first().map_or(0, Vec::len) * 20);
    out.push(VERSION);
    put_varint(&mut out, blocks.len() as u64);
    let mut prev: BTreeMap<NetUid, [u64; FIELDS]> = BTreeMap::new();
    for states in blocks {
        put_varint(&mut out, states.len() as u64);
        let mut last_netuid = 0u16;
        for s in states {
            put_varint(&mut out, u64::from(s.netuid.wrapping_sub(last_netuid)));
            last_netuid = s.netuid;
            out.push(u8::from(s.exact));
            let new = fields(s);
            let old = prev.get(&s.netuid).copied().unwrap_or([0; FIELDS]);
            for (n, o) in new.iter().zip(old.iter()) {
                put_delta(&mut out, *n, *o);
            }
            prev.insert(s.netuid, new);
        }
    }
    out
}

/// Decodes a chunk into its blocks' states, in order.
pub fn decode_chunk(buf: &[u8]) -> Result<Vec<Vec<PoolState>>, CorruptChunk> {
    let mut r = Reader { buf, pos: 0 };
    if r.byte()? != VERSION {
        return Err(CorruptChunk("unknown version"));
    }
    let n_blocks = usize::try_from(r.varint()?).map_err(|_| CorruptChunk("block count"))?;
    if n_blocks > CHUNK_BLOCKS * 1024 {
        return Err(CorruptChunk("block count too large"));
    }
    let mut prev: BTreeMap<NetUid, [u64; FIELDS]> = BTreeMap::new();
    let mut blocks = Vec::with_capacity(n_blocks);
    for _ in 0..n_blocks {
        let count = usize::try_from(r.varint()?).map_err(|_| CorruptChunk("subnet count"))?;
        if count > usize::from(u16::MAX) + 1 {
            return Err(CorruptChunk("subnet count too large"));
        }
        let mut states = Vec::with_capacity(count);
        let mut netuid = 0u16;
        for _ in 0..count {
            let step = u16::try_from(r.varint()?).map_err(|_| CorruptChunk("netuid"))?;
            netuid = netuid.wrapping_add(step);
            let exact = r.byte()? != 0;
            let old = prev.get(&netuid).copied().unwrap_or([0; FIELDS]);
            let mut new = [0u64; FIELDS];
            for (n, o) in new.iter_mut().zip(old.iter()) {
                *n = r.delta(*o)?;
            }
            prev.insert(netuid, new);
            let [
                tao_reserve,
                alpha_in,
                alpha_out,
                price,
                moving_price,
                emission_share_ppb,
                tao_emission,
            ] = new;
            states.push(PoolState {
                netuid,
                tao_reserve,
                alpha_in,
                alpha_out,
                price,
                moving_price,
                emission_share_ppb,
                tao_emission,
                exact,
            });
        }
        blocks.push(states);
    }
    if r.pos != buf.len() {
        return Err(CorruptChunk("trailing bytes"));
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(netuid: u16, k: u64) -> PoolState {
        PoolState {
            netuid,
            tao_reserve: 10_000_000_000_000 + k * 1_000_003,
            alpha_in: 400_000_000_000_000 - k * 7,
            alpha_out: 123 + k,
            price: 25_000_000 + k % 3,
            moving_price: u64::MAX - k,
            emission_share_ppb: 7_812_500,
            tao_emission: 3_906_250,
            exact: k.is_multiple_of(2),
        }
    }

    #[test]
    fn chunks_round_trip_including_extremes_and_membership_changes() {
        let blocks: Vec<Vec<PoolState>> = (0..CHUNK_BLOCKS as u64)
            .map(|k| {
                (0..128u16)
                    .filter(|n| !(k == 5 && *n == 17))
                    .map(|n| state(n, k * 31 + u64::from(n)))
                    .collect()
            })
            .collect();
        let mut blocks = blocks;
        blocks[3].push(PoolState { netuid: u16::MAX, price: 0, ..PoolState::default() });
        blocks.push(Vec::new());
        let enc = encode_chunk(&blocks);
        assert_eq!(decode_chunk(&enc).unwrap(), blocks);
        // Compact: well under the ~60 bytes of a plain record per subnet-block.
        assert!(enc.len() < blocks.len() * 128 * 40, "{} bytes", enc.len());
    }

    #[test]
    fn corrupt_chunks_are_errors_not_panics() {
        let enc = encode_chunk(&[vec![state(1, 1)]]);
        for cut in 0..enc.len() {
            assert!(decode_chunk(&enc[..cut]).is_err());
        }
        let mut bad = enc.clone();
        bad[0] = 9;
        assert!(decode_chunk(&bad).is_err());
        let mut long = enc;
        long.push(0);
        assert!(decode_chunk(&long).is_err());
    }
}
