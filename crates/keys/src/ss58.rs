//! SS58 addresses: `base58(prefix ‖ public key ‖ blake2b-512("SS58PRE" ‖ prefix ‖ public key)[..2])`.

use blake2::{Blake2b512, Digest};

use crate::error::{Error, Result, Ss58Error};

/// The generic Substrate prefix, used by Bittensor.
pub const BITTENSOR_PREFIX: u16 = 42;

/// Highest prefix SS58 can encode (14 bits).
pub const MAX_PREFIX: u16 = 16_383;

fn checksum(body: &[u8]) -> [u8; 2] {
    let mut h = Blake2b512::new();
    h.update(b"SS58PRE");
    h.update(body);
    let out = h.finalize();
    [out[0], out[1]]
}

fn prefix_bytes(prefix: u16) -> Vec<u8> {
    if prefix < 64 {
        vec![prefix.to_le_bytes()[0]]
    } else {
        // 14-bit identifier in two bytes; see the SS58 specification.
        let [lo, hi] = prefix.to_le_bytes();
        let first = ((lo & 0b1111_1100) >> 2) | 0b0100_0000;
        let second = (hi & 0b0011_1111) | ((lo & 0b0000_0011) << 6);
        vec![first, second]
    }
}

/// Encodes a 32-byte public key as an SS58 address with the given network prefix.
///
/// # Errors
/// [`Error::BadSs58`] with [`Ss58Error::InvalidPrefix`] when `prefix` exceeds [`MAX_PREFIX`].
pub fn encode(public: &[u8; 32], prefix: u16) -> Result<String> {
    if prefix > MAX_PREFIX {
        return Err(Error::BadSs58 {
            address: String::new(),
            kind: Ss58Error::InvalidPrefix { got: prefix },
        });
    }
    let mut body = prefix_bytes(prefix);
    body.extend_from_slice(public);
    let sum = checksum(&body);
    body.extend_from_slice(&sum);
    Ok(bs58::encode(body).into_string())
}

/// Decodes an SS58 address into its network prefix and 32-byte public key.
///
/// # Errors
/// [`Error::BadSs58`] saying whether the base58, the length, the prefix or the checksum is wrong.
pub fn decode(address: &str) -> Result<(u16, [u8; 32])> {
    let bad = |kind| Error::BadSs58 { address: address.to_owned(), kind };
    let data = bs58::decode(address).into_vec().map_err(|_| bad(Ss58Error::Base58))?;
    let (prefix, prefix_len) = match data.first() {
        None => return Err(bad(Ss58Error::Length { got: 0 })),
        Some(&b) if b < 64 => (u16::from(b), 1),
        Some(&b) if b < 128 => {
            let Some(&second) = data.get(1) else {
                return Err(bad(Ss58Error::Length { got: data.len() }));
            };
            let lower = (b << 2) | (second >> 6);
            let upper = second & 0b0011_1111;
            (u16::from(lower) | (u16::from(upper) << 8), 2)
        }
        Some(&b) => return Err(bad(Ss58Error::InvalidPrefix { got: u16::from(b) })),
    };
    if data.len() != prefix_len + 32 + 2 {
        return Err(bad(Ss58Error::Length { got: data.len() }));
    }
    let (body, sum) = data.split_at(prefix_len + 32);
    if checksum(body) != sum {
        return Err(bad(Ss58Error::Checksum));
    }
    let mut key = [0u8; 32];
    key.copy_from_slice(&body[prefix_len..]);
    Ok((prefix, key))
}

/// Decodes an SS58 address and requires the given network prefix.
///
/// # Errors
/// As [`decode`], plus [`Ss58Error::WrongPrefix`] for a valid address of another network.
pub fn decode_with_prefix(address: &str, expected: u16) -> Result<[u8; 32]> {
    let (got, key) = decode(address)?;
    if got != expected {
        return Err(Error::BadSs58 {
            address: address.to_owned(),
            kind: Ss58Error::WrongPrefix { got, expected },
        });
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

    fn alice_key() -> [u8; 32] {
        let v = hex::decode("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
            .unwrap();
        v.try_into().unwrap()
    }

    #[test]
    fn alice_vector() {
        assert_eq!(encode(&alice_key(), 42).unwrap(), ALICE);
        assert_eq!(decode(ALICE).unwrap(), (42, alice_key()));
    }

    #[test]
    fn polkadot_and_kusama_prefixes() {
        // Alice on Polkadot (0) and Kusama (2), well-known public values.
        assert_eq!(
            encode(&alice_key(), 0).unwrap(),
            "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5"
        );
        assert_eq!(
            encode(&alice_key(), 2).unwrap(),
            "HNZata7iMYWmk5RvZRTiAsSDhV8366zq2YGb3tLH5Upf74F"
        );
    }

    #[test]
    fn two_byte_prefix_vector() {
        // Public vector from py-substrate-interface's SS58 tests (prefix 255 takes two bytes).
        let (prefix, key) = decode("5GoKvZWG5ZPYL1WUovuHW3zJBWBP5eT8CbqjdRY4Q6iMaQua").unwrap();
        assert_eq!(prefix, 42);
        let addr = encode(&key, 255).unwrap();
        assert_eq!(addr, "yGHU8YKprxHbHdEv7oUK4rzMZXtsdhcXVG2CAMyC9WhzhjH2k");
        assert_eq!(decode(&addr).unwrap(), (255, key));
    }

    #[test]
    fn errors_say_which_part_is_wrong() {
        let mut bad = ALICE.to_owned();
        bad.replace_range(10..11, "G");
        assert!(matches!(decode(&bad), Err(Error::BadSs58 { kind: Ss58Error::Checksum, .. })));
        assert!(matches!(decode("5Grwva0"), Err(Error::BadSs58 { kind: Ss58Error::Base58, .. })));
        assert!(matches!(
            decode(&ALICE[..40]),
            Err(Error::BadSs58 { kind: Ss58Error::Length { .. }, .. })
        ));
        let polkadot = encode(&alice_key(), 0).unwrap();
        let err = decode_with_prefix(&polkadot, 42).unwrap_err();
        assert!(matches!(
            err,
            Error::BadSs58 { kind: Ss58Error::WrongPrefix { got: 0, expected: 42 }, .. }
        ));
        assert!(err.to_string().contains("prefix 0, expected 42"), "{err}");
        assert!(encode(&alice_key(), MAX_PREFIX + 1).is_err());
    }

    proptest! {
        #[test]
        fn round_trip(key in any::<[u8; 32]>(), prefix in 0u16..=MAX_PREFIX) {
            let addr = encode(&key, prefix).unwrap();
            prop_assert_eq!(decode(&addr).unwrap(), (prefix, key));
        }
    }
}
