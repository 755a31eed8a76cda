//! The compact encoding of per-block pool states.
//!
//! 128 subnets × every block is too many rows to insert at backfill speed, so states are stored
//! as *chunks*: one row per run of up to [`CHUNK_BLOCKS`] consecutive blocks, holding every
//! subnet's state at the end of each block. Inside a chunk each field is stored as a zig-zag
//! varint of its *second* difference against the same subnet's previous records in the chunk
//! (value and delta start at zero in every chunk, so every chunk decodes on its own). Emission
//! grows reserves by a near-constant amount each block, so second differences are mostly 0–2
//! bytes and a subnet-block costs ~8–15 bytes instead of ~60.

use std::collections::BTreeMap;

use chain::NetUid;

use crate::types::PoolState;

/// Most blocks in one chunk; a point lookup decodes at most this many blocks.
pub const CHUNK_BLOCKS: usize = 64;

const VERSION: u8 = 2;

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

fn put_zigzag(out: &mut Vec<u8>, d: u64) {
    let d = d as i64;
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

    fn zigzag(&mut self) -> Result<u64, CorruptChunk> {
        let z = self.varint()?;
        Ok((((z >> 1) as i64) ^ -((z & 1) as i64)) as u64)
    }

    fn byte(&mut self) -> Result<u8, CorruptChunk> {
        let b = *self.buf.get(self.pos).ok_or(CorruptChunk("truncated"))?;
        self.pos += 1;
        Ok(b)
    }
}

const FIELDS: usize = 7;

/// A subnet's previous values and deltas within a chunk.
#[derive(Default, Clone, Copy)]
struct Prev {
    values: [u64; FIELDS],
    deltas: [u64; FIELDS],
}

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
    let mut prev: BTreeMap<NetUid, Prev> = BTreeMap::new();
    for states in blocks {
        put_varint(&mut out, states.len() as u64);
        let mut last_netuid = 0u16;
        for s in states {
            let step = u64::from(s.netuid.wrapping_sub(last_netuid));
            put_varint(&mut out, (step << 1) | u64::from(s.exact));
            last_netuid = s.netuid;
            let new = fields(s);
            let p = prev.entry(s.netuid).or_default();
            for ((n, o), od) in new.iter().zip(p.values.iter_mut()).zip(p.deltas.iter_mut()) {
                let d = n.wrapping_sub(*o);
                put_zigzag(&mut out, d.wrapping_sub(*od));
                *o = *n;
                *od = d;
            }
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
    let mut prev: BTreeMap<NetUid, Prev> = BTreeMap::new();
    let mut blocks = Vec::with_capacity(n_blocks);
    for _ in 0..n_blocks {
        let count = usize::try_from(r.varint()?).map_err(|_| CorruptChunk("subnet count"))?;
        if count > usize::from(u16::MAX) + 1 {
            return Err(CorruptChunk("subnet count too large"));
        }
        let mut states = Vec::with_capacity(count);
        let mut netuid = 0u16;
        for _ in 0..count {
            let head = r.varint()?;
            let step = u16::try_from(head >> 1).map_err(|_| CorruptChunk("netuid"))?;
            netuid = netuid.wrapping_add(step);
            let exact = head & 1 == 1;
            let p = prev.entry(netuid).or_default();
            for (o, od) in p.values.iter_mut().zip(p.deltas.iter_mut()) {
                let d = od.wrapping_add(r.zigzag()?);
                *o = o.wrapping_add(d);
                *od = d;
            }
            let new = p.values;
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
