//! One runtime version: its metadata (fetched from the node, cached per spec version) and an
//! offline subxt client over it for decoding events and building extrinsics.
//!
//! Values are decoded with the metadata's own type ids into partial structs that name only the
//! fields taoplex uses, so fields added or reordered by a runtime upgrade do not break
//! decoding; a field that disappears or changes kind is reported with the runtime version and
//! the field's name. Runtime-API answers are read by readers compiled from the metadata
//! ([`crate::layout`]); storage values and events go through `scale_decode::DecodeAsType`.

use scale_decode::DecodeAsType;
use subxt::client::OfflineClient;
use subxt::config::substrate::SpecVersionForRange;
use subxt::config::{SubstrateConfig, substrate::H256};
use subxt::metadata::{ArcMetadata, Metadata};

use crate::error::{Result, SubtensorError};
use crate::layout::Layout;

/// The runtime version reported by `state_getRuntimeVersion`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeVersion {
    /// Runtime spec version (e.g. 393).
    pub spec_version: u32,
    /// Transaction format version.
    pub transaction_version: u32,
}

/// A runtime version's metadata, ready to decode and encode with.
#[derive(Clone)]
pub struct Runtime {
    /// The version.
    pub version: RuntimeVersion,
    metadata: ArcMetadata,
    client: OfflineClient<SubstrateConfig>,
}

impl Runtime {
    /// A runtime from its SCALE metadata bytes (`RuntimeMetadataPrefixed`, V14 or later) on
    /// the chain whose genesis is `genesis`.
    pub fn new(version: RuntimeVersion, metadata_bytes: &[u8], genesis: [u8; 32]) -> Result<Self> {
        let metadata =
            Metadata::decode_from(metadata_bytes).map_err(|e| SubtensorError::Undecodable {
                spec_version: version.spec_version,
                what: "the runtime metadata".into(),
                reason: e.to_string(),
            })?;
        let metadata = metadata.arc();
        let config = SubstrateConfig::builder()
            .set_genesis_hash(H256(genesis))
            .set_metadata_for_spec_versions([(version.spec_version, metadata.clone())])
            .set_spec_version_for_block_ranges([SpecVersionForRange {
                block_range: 0..u64::MAX,
                spec_version: version.spec_version,
                transaction_version: version.transaction_version,
            }])
            .build();
        Ok(Self { version, metadata, client: OfflineClient::new_with_config(config) })
    }

    /// A runtime from the answer to `Metadata_metadata_at_version` (SCALE
    /// `Option<Vec<u8>>`), as the node returns it.
    pub fn from_metadata_at_version(
        version: RuntimeVersion,
        answer: &[u8],
        genesis: [u8; 32],
    ) -> Result<Self> {
        let undecodable = |reason: String| SubtensorError::Undecodable {
            spec_version: version.spec_version,
            what: "Metadata_metadata_at_version".into(),
            reason,
        };
        let bytes = <Option<Vec<u8>> as parity_scale_codec::Decode>::decode(&mut &answer[..])
            .map_err(|e| undecodable(e.to_string()))?
            .ok_or_else(|| undecodable("the node has no metadata of that version".into()))?;
        Self::new(version, &bytes, genesis)
    }

    /// The metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The offline subxt client over this runtime, at `block`.
    pub(crate) fn at(
        &self,
        block: u64,
    ) -> Result<
        subxt::client::ClientAtBlock<
            SubstrateConfig,
            subxt::client::OfflineClientAtBlockImpl<SubstrateConfig>,
        >,
    > {
        self.client.at_block(block).map_err(|e| SubtensorError::Missing {
            spec_version: self.version.spec_version,
            what: format!("client at block {block}: {e}"),
        })
    }

    /// The output type of runtime API `api`'s `method`.
    pub fn api_output_type(&self, api: &str, method: &str) -> Result<u32> {
        self.metadata
            .runtime_api_trait_by_name(api)
            .and_then(|t| t.method_by_name(method))
            .map(|m| m.output_ty())
            .ok_or_else(|| SubtensorError::Missing {
                spec_version: self.version.spec_version,
                what: format!("runtime API {api}_{method}"),
            })
    }

    /// The value type of storage item `pallet`.`entry`.
    pub fn storage_type(&self, pallet: &str, entry: &str) -> Result<u32> {
        self.metadata
            .pallet_by_name(pallet)
            .and_then(|p| p.storage())
            .and_then(|s| s.entry_by_name(entry))
            .map(|e| e.value_ty())
            .ok_or_else(|| SubtensorError::Missing {
                spec_version: self.version.spec_version,
                what: format!("storage {pallet}.{entry}"),
            })
    }

    /// The key of storage `pallet`.`entry` for the SCALE-encoded map keys `keys` (none for a
    /// plain value), hashed as the metadata says.
    pub fn storage_key(&self, pallet: &str, entry: &str, keys: &[&[u8]]) -> Result<Vec<u8>> {
        use subxt::ext::frame_decode::storage::StorageHasher as H;
        let found = self
            .metadata
            .pallet_by_name(pallet)
            .and_then(|p| p.storage())
            .and_then(|s| s.entry_by_name(entry))
            .ok_or_else(|| SubtensorError::Missing {
                spec_version: self.version.spec_version,
                what: format!("storage {pallet}.{entry}"),
            })?;
        let mut key = sp_crypto_hashing::twox_128(pallet.as_bytes()).to_vec();
        key.extend_from_slice(&sp_crypto_hashing::twox_128(entry.as_bytes()));
        for (info, bytes) in found.keys().zip(keys) {
            match info.hasher {
                H::Blake2_128 => key.extend_from_slice(&sp_crypto_hashing::blake2_128(bytes)),
                H::Blake2_256 => key.extend_from_slice(&sp_crypto_hashing::blake2_256(bytes)),
                H::Blake2_128Concat => {
                    key.extend_from_slice(&sp_crypto_hashing::blake2_128(bytes));
                    key.extend_from_slice(bytes);
                }
                H::Twox128 => key.extend_from_slice(&sp_crypto_hashing::twox_128(bytes)),
                H::Twox256 => key.extend_from_slice(&sp_crypto_hashing::twox_256(bytes)),
                H::Twox64Concat => {
                    key.extend_from_slice(&sp_crypto_hashing::twox_64(bytes));
                    key.extend_from_slice(bytes);
                }
                H::Identity => key.extend_from_slice(bytes),
            }
        }
        Ok(key)
    }

    /// The default value of storage `pallet`.`entry` (what the runtime reads when nothing is
    /// stored), if the item exists.
    pub fn storage_default(&self, pallet: &str, entry: &str) -> Option<Vec<u8>> {
        self.metadata
            .pallet_by_name(pallet)
            .and_then(|p| p.storage())
            .and_then(|s| s.entry_by_name(entry))
            .and_then(|e| e.default_value().map(<[u8]>::to_vec))
    }

    /// Decodes `bytes` as type `type_id` into `T`, naming `what` on failure. All bytes must be
    /// used: trailing bytes mean the type is not what we think.
    pub fn decode<T: DecodeAsType>(&self, bytes: &[u8], type_id: u32, what: &str) -> Result<T> {
        let mut cursor = bytes;
        let value = T::decode_as_type(&mut cursor, type_id, self.metadata.types())
            .map_err(|e| self.undecodable(what, e.to_string()))?;
        if !cursor.is_empty() {
            return Err(self.undecodable(what, format!("{} bytes left over", cursor.len())));
        }
        Ok(value)
    }

    /// Reads `bytes` as type `type_id` into `T` with a reader compiled from the metadata,
    /// naming `what` (and the field) on failure. All bytes must be used, as in [`Self::decode`].
    pub fn read<T: Layout>(&self, bytes: &[u8], type_id: u32, what: &str) -> Result<T> {
        let reader = T::reader(self.metadata.types(), type_id)
            .map_err(|e| self.undecodable(what, e.to_string()))?;
        let mut cursor = bytes;
        let value = reader.read(&mut cursor).map_err(|e| self.undecodable(what, e.to_string()))?;
        if !cursor.is_empty() {
            return Err(self.undecodable(what, format!("{} bytes left over", cursor.len())));
        }
        Ok(value)
    }

    /// Reads the answer of runtime API `api`.`method`.
    pub fn decode_api<T: Layout>(&self, api: &str, method: &str, bytes: &[u8]) -> Result<T> {
        let ty = self.api_output_type(api, method)?;
        self.read(bytes, ty, &format!("{api}_{method}"))
    }

    pub(crate) fn undecodable(&self, what: &str, reason: String) -> SubtensorError {
        SubtensorError::Undecodable {
            spec_version: self.version.spec_version,
            what: what.to_string(),
            reason,
        }
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").field("version", &self.version).finish_non_exhaustive()
    }
}
