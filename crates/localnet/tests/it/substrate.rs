//! localnet's Substrate face: the generated metadata against the recorded spec-393 runtime, and
//! the Substrate JSON-RPC methods.

use std::collections::HashSet;

use frame_metadata::v14::{StorageEntryMetadata, StorageEntryType};
use frame_metadata::v15::RuntimeMetadataV15;
use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
use localnet::substrate::metadata::{metadata_bytes, metadata_v15};
use parity_scale_codec::{Decode, Encode};
use scale_info::form::PortableForm;
use scale_info::{Field, PortableRegistry, TypeDef};
use test_support::replay::{finney_fixtures, metadata_v15_hex};

/// Structural comparison of one of our types with the real one; differences go to `diffs`.
/// Variant types may declare a subset of the real variants (each at the real index); composites,
/// tuples, arrays, primitives and compacts must match exactly, as must the type's path (clients
/// recognise well-known types by it).
struct Compare<'a> {
    ours: &'a PortableRegistry,
    real: &'a PortableRegistry,
    seen: HashSet<(u32, u32)>,
    diffs: Vec<String>,
}

impl Compare<'_> {
    fn ty(&mut self, at: &str, ours: u32, real: u32) {
        if !self.seen.insert((ours, real)) {
            return;
        }
        let (o, r) = (self.ours.resolve(ours).unwrap(), self.real.resolve(real).unwrap());
        let (op, rp) = (o.path.segments.join("::"), r.path.segments.join("::"));
        if !r.path.segments.is_empty() && op != rp {
            self.diffs.push(format!("{at}: type {op}, real {rp}"));
        }
        match (&o.type_def, &r.type_def) {
            (TypeDef::Composite(a), TypeDef::Composite(b)) => {
                self.fields(at, &a.fields, &b.fields);
            }
            (TypeDef::Variant(a), TypeDef::Variant(b)) => {
                for v in &a.variants {
                    let at = format!("{at}::{}", v.name);
                    match b.variants.iter().find(|x| x.name == v.name) {
                        None => {
                            self.diffs.push(format!("{at}: no such variant on the real runtime"))
                        }
                        Some(w) => {
                            if v.index != w.index {
                                self.diffs
                                    .push(format!("{at}: index {}, real {}", v.index, w.index));
                            }
                            self.fields(&at, &v.fields, &w.fields);
                        }
                    }
                }
            }
            (TypeDef::Sequence(a), TypeDef::Sequence(b)) => {
                self.ty(&format!("{at}[]"), a.type_param.id, b.type_param.id);
            }
            (TypeDef::Array(a), TypeDef::Array(b)) => {
                if a.len != b.len {
                    self.diffs.push(format!("{at}: array of {}, real {}", a.len, b.len));
                }
                self.ty(&format!("{at}[]"), a.type_param.id, b.type_param.id);
            }
            (TypeDef::Tuple(a), TypeDef::Tuple(b)) => {
                if a.fields.len() != b.fields.len() {
                    self.diffs.push(format!(
                        "{at}: {}-tuple, real {}",
                        a.fields.len(),
                        b.fields.len()
                    ));
                }
                for (i, (x, y)) in a.fields.iter().zip(&b.fields).enumerate() {
                    self.ty(&format!("{at}.{i}"), x.id, y.id);
                }
            }
            (TypeDef::Primitive(a), TypeDef::Primitive(b)) => {
                if a != b {
                    self.diffs.push(format!("{at}: {a:?}, real {b:?}"));
                }
            }
            (TypeDef::Compact(a), TypeDef::Compact(b)) => {
                self.ty(&format!("{at}<compact>"), a.type_param.id, b.type_param.id);
            }
            (a, b) => self.diffs.push(format!("{at}: {}, real {}", kind(a), kind(b))),
        }
    }

    fn fields(&mut self, at: &str, a: &[Field<PortableForm>], b: &[Field<PortableForm>]) {
        if a.len() != b.len() {
            self.diffs.push(format!("{at}: {} fields, real {}", a.len(), b.len()));
            return;
        }
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            if x.name != y.name {
                self.diffs.push(format!("{at}: field {i} named {:?}, real {:?}", x.name, y.name));
            }
            let name = x.name.clone().unwrap_or_else(|| i.to_string());
            self.ty(&format!("{at}.{name}"), x.ty.id, y.ty.id);
        }
    }

    fn storage(
        &mut self,
        at: &str,
        a: &StorageEntryMetadata<PortableForm>,
        b: &StorageEntryMetadata<PortableForm>,
    ) {
        if a.modifier != b.modifier {
            self.diffs.push(format!("{at}: modifier {:?}, real {:?}", a.modifier, b.modifier));
        }
        if a.default != b.default {
            self.diffs.push(format!(
                "{at}: default {}, real {}",
                hex::encode(&a.default),
                hex::encode(&b.default)
            ));
        }
        match (&a.ty, &b.ty) {
            (StorageEntryType::Plain(x), StorageEntryType::Plain(y)) => self.ty(at, x.id, y.id),
            (
                StorageEntryType::Map { hashers: h1, key: k1, value: v1 },
                StorageEntryType::Map { hashers: h2, key: k2, value: v2 },
            ) => {
                if h1 != h2 {
                    self.diffs.push(format!("{at}: hashers {h1:?}, real {h2:?}"));
                }
                self.ty(&format!("{at}<key>"), k1.id, k2.id);
                self.ty(&format!("{at}<value>"), v1.id, v2.id);
            }
            _ => self.diffs.push(format!("{at}: plain vs map")),
        }
    }
}

fn kind(t: &TypeDef<PortableForm>) -> &'static str {
    match t {
        TypeDef::Composite(_) => "composite",
        TypeDef::Variant(_) => "variant",
        TypeDef::Sequence(_) => "sequence",
        TypeDef::Array(_) => "array",
        TypeDef::Tuple(_) => "tuple",
        TypeDef::Primitive(_) => "primitive",
        TypeDef::Compact(_) => "compact",
        TypeDef::BitSequence(_) => "bit sequence",
    }
}

fn recorded_v15(finney: &std::path::Path) -> RuntimeMetadataV15 {
    let answer = hex::decode(metadata_v15_hex(finney, "spec393").trim_start_matches("0x")).unwrap();
    let bytes: Option<Vec<u8>> = Decode::decode(&mut &answer[..]).unwrap();
    match RuntimeMetadataPrefixed::decode(&mut &bytes.unwrap()[..]).unwrap().1 {
        RuntimeMetadata::V15(m) => m,
        _ => panic!("the recorded spec-393 metadata is V15"),
    }
}

/// Every difference between our metadata and the real one, for the items we define.
fn differences(ours: &RuntimeMetadataV15, real: &RuntimeMetadataV15) -> Vec<String> {
    let mut c =
        Compare { ours: &ours.types, real: &real.types, seen: HashSet::new(), diffs: Vec::new() };
    for p in &ours.pallets {
        let Some(q) = real.pallets.iter().find(|q| q.name == p.name) else {
            c.diffs.push(format!("pallet {}: not on the real runtime", p.name));
            continue;
        };
        if p.index != q.index {
            c.diffs.push(format!("pallet {}: index {}, real {}", p.name, p.index, q.index));
        }
        if let Some(s) = &p.storage {
            let real_entries = q.storage.as_ref().map(|s| s.entries.as_slice()).unwrap_or_default();
            for e in &s.entries {
                let at = format!("{}.{} (storage)", p.name, e.name);
                match real_entries.iter().find(|x| x.name == e.name) {
                    Some(x) => c.storage(&at, e, x),
                    None => c.diffs.push(format!("{at}: no such item on the real runtime")),
                }
            }
        }
        let parts = [
            ("calls", p.calls.as_ref().map(|x| x.ty.id), q.calls.as_ref().map(|x| x.ty.id)),
            ("events", p.event.as_ref().map(|x| x.ty.id), q.event.as_ref().map(|x| x.ty.id)),
            ("errors", p.error.as_ref().map(|x| x.ty.id), q.error.as_ref().map(|x| x.ty.id)),
        ];
        for (what, o, r) in parts {
            match (o, r) {
                (Some(o), Some(r)) => c.ty(&format!("{} {what}", p.name), o, r),
                (Some(_), None) => c.diffs.push(format!("{}: real runtime has no {what}", p.name)),
                _ => {}
            }
        }
        for k in &p.constants {
            let at = format!("{}.{} (constant)", p.name, k.name);
            match q.constants.iter().find(|x| x.name == k.name) {
                Some(x) => {
                    c.ty(&at, k.ty.id, x.ty.id);
                    if k.value != x.value {
                        c.diffs.push(format!(
                            "{at}: value {}, real {}",
                            hex::encode(&k.value),
                            hex::encode(&x.value)
                        ));
                    }
                }
                None => c.diffs.push(format!("{at}: no such constant on the real runtime")),
            }
        }
    }
    let (e, f) = (&ours.extrinsic, &real.extrinsic);
    if e.version != f.version {
        c.diffs.push(format!("extrinsic version {}, real {}", e.version, f.version));
    }
    c.ty("extrinsic address", e.address_ty.id, f.address_ty.id);
    c.ty("extrinsic call", e.call_ty.id, f.call_ty.id);
    c.ty("extrinsic signature", e.signature_ty.id, f.signature_ty.id);
    c.ty("extrinsic extra", e.extra_ty.id, f.extra_ty.id);
    let ids = |x: &[frame_metadata::v15::SignedExtensionMetadata<PortableForm>]| {
        x.iter().map(|s| s.identifier.clone()).collect::<Vec<_>>()
    };
    if ids(&e.signed_extensions) != ids(&f.signed_extensions) {
        c.diffs.push(format!(
            "signed extensions {:?}, real {:?}",
            ids(&e.signed_extensions),
            ids(&f.signed_extensions)
        ));
    }
    for (s, t) in e.signed_extensions.iter().zip(&f.signed_extensions) {
        c.ty(&format!("extension {}", s.identifier), s.ty.id, t.ty.id);
        c.ty(
            &format!("extension {} (signed)", s.identifier),
            s.additional_signed.id,
            t.additional_signed.id,
        );
    }
    let (o, r) = (&ours.outer_enums, &real.outer_enums);
    c.ty("RuntimeCall", o.call_enum_ty.id, r.call_enum_ty.id);
    c.ty("RuntimeEvent", o.event_enum_ty.id, r.event_enum_ty.id);
    c.ty("RuntimeError", o.error_enum_ty.id, r.error_enum_ty.id);
    for a in &ours.apis {
        let Some(b) = real.apis.iter().find(|b| b.name == a.name) else {
            c.diffs.push(format!("runtime API {}: not on the real runtime", a.name));
            continue;
        };
        for m in &a.methods {
            let at = format!("{}_{}", a.name, m.name);
            let Some(n) = b.methods.iter().find(|n| n.name == m.name) else {
                c.diffs.push(format!("{at}: no such method on the real runtime"));
                continue;
            };
            let names = |x: &[frame_metadata::v15::RuntimeApiMethodParamMetadata<
                PortableForm,
            >]| { x.iter().map(|i| i.name.clone()).collect::<Vec<_>>() };
            if names(&m.inputs) != names(&n.inputs) {
                c.diffs.push(format!(
                    "{at}: inputs {:?}, real {:?}",
                    names(&m.inputs),
                    names(&n.inputs)
                ));
            }
            for (i, j) in m.inputs.iter().zip(&n.inputs) {
                c.ty(&format!("{at}({})", i.name), i.ty.id, j.ty.id);
            }
            c.ty(&format!("{at} -> "), m.output.id, n.output.id);
        }
    }
    c.diffs
}

#[test]
fn metadata_matches_the_recorded_spec_393_runtime_for_every_item_it_defines() {
    let Some(finney) = finney_fixtures() else { return };
    let real = recorded_v15(&finney);
    let ours = metadata_v15();
    let diffs = differences(&ours, &real);
    for d in &diffs {
        println!("DIFF {d}");
    }
    assert!(diffs.is_empty(), "{} differences from spec 393 (listed above)", diffs.len());
    // The comparison is not vacuous: it sees a wrong index.
    let mut broken = ours.clone();
    broken.pallets[0].index = 99;
    assert!(differences(&broken, &real).iter().any(|d| d.contains("pallet System: index 99")));
}

#[test]
fn metadata_round_trips_through_frame_metadata_decoding() {
    for version in [14, 15] {
        let bytes = metadata_bytes(version, 250).unwrap();
        let decoded = RuntimeMetadataPrefixed::decode(&mut &bytes[..]).unwrap();
        assert_eq!(decoded.0, frame_metadata::META_RESERVED, "the \"meta\" magic");
        assert_eq!(decoded.1.version(), version);
        assert_eq!(decoded.encode(), &bytes[..], "v{version} re-encodes to the same bytes");
        let pallets: Vec<String> = match &decoded.1 {
            RuntimeMetadata::V14(m) => m.pallets.iter().map(|p| p.name.clone()).collect(),
            RuntimeMetadata::V15(m) => {
                assert!(m.apis.iter().any(|a| a.name == "SubnetInfoRuntimeApi"));
                m.pallets.iter().map(|p| p.name.clone()).collect()
            }
            _ => unreachable!(),
        };
        assert_eq!(
            pallets,
            [
                "System",
                "Timestamp",
                "Aura",
                "Balances",
                "TransactionPayment",
                "SubtensorModule",
                "Utility",
                "Proxy",
                "Commitments",
                "AdminUtils",
                "Swap",
                "MevShield"
            ]
        );
    }
    assert!(metadata_bytes(16, 250).is_none());
}

#[test]
fn subxt_builds_its_metadata_from_both_versions() {
    for version in [14, 15] {
        let m = subxt::metadata::Metadata::decode_from(&metadata_bytes(version, 250).unwrap()[..])
            .unwrap();
        let sub = m.pallet_by_name("SubtensorModule").unwrap();
        assert_eq!(sub.call_index(), 7, "v{version}");
        assert_eq!(sub.call_variant_by_name("add_stake_limit").unwrap().index, 88);
        let extensions: Vec<&str> = m
            .extrinsic()
            .transaction_extensions_to_use_for_encoding()
            .map(|e| e.identifier())
            .collect();
        assert_eq!(extensions.len(), 13, "v{version}: {extensions:?}");
        assert_eq!(extensions[4], "CheckMortality");
        assert_eq!(extensions[12], "CheckMetadataHash");
        if version == 15 {
            let api = m.runtime_api_trait_by_name("SubnetInfoRuntimeApi").unwrap();
            assert!(api.method_by_name("get_all_dynamic_info").is_some());
        }
    }
}

// ---- JSON-RPC ----

mod rpc {
    use axum::body::Body;
    use axum::http::Request;
    use chain::{AccountId, Call, Hash};
    use localnet::node::{BlockProduction, BlockRef, Node};
    use localnet::rpc::{RpcConfig, router};
    use localnet::substrate::metadata::metadata_bytes;
    use localnet::substrate::storage;
    use localnet::substrate::types::{AccountInfo, DigestItem, Header, RuntimeVersion};
    use parity_scale_codec::{Decode, Encode};
    use serde_json::{Value, json};
    use tower::ServiceExt;

    use crate::node::{config, sign, small_genesis};

    const ALICE: &str = "//Alice";

    fn id(uri: &str) -> AccountId {
        AccountId::from(keys::Keypair::from_uri(uri).unwrap().public())
    }

    async fn call(node: &Node, method: &str, params: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let request = Request::post("/")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let response = router(node.handle(), RpcConfig::default()).oneshot(request).await.unwrap();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    async fn ok(node: &Node, method: &str, params: Value) -> Value {
        let v = call(node, method, params).await;
        assert!(v.get("error").is_none(), "{method}: {v}");
        v["result"].clone()
    }

    async fn err(node: &Node, method: &str, params: Value) -> (i64, String) {
        let v = call(node, method, params).await;
        let e = &v["error"];
        (
            e["code"].as_i64().unwrap_or_else(|| panic!("{method}: not an error: {v}")),
            e["message"].as_str().unwrap().into(),
        )
    }

    fn bytes(v: &Value) -> Vec<u8> {
        hex::decode(v.as_str().unwrap().trim_start_matches("0x")).unwrap()
    }

    fn manual_node() -> Node {
        Node::start(&small_genesis(), config(BlockProduction::Manual)).unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn system_and_chain_methods_answer_in_substrate_shapes() {
        let node = manual_node();
        assert_eq!(
            ok(&node, "system_properties", json!([])).await,
            json!({"ss58Format": 42, "tokenDecimals": 9, "tokenSymbol": "TAO"})
        );
        assert_eq!(ok(&node, "system_name", json!([])).await, "taoplex-localnet");
        assert!(ok(&node, "system_version", json!([])).await.is_string());
        assert_eq!(ok(&node, "system_health", json!([])).await["isSyncing"], false);
        let methods = ok(&node, "rpc_methods", json!([])).await;
        for m in ["state_getStorage", "state_call", "chain_subscribeAllHeads", "taoplex_getHeader"]
        {
            assert!(methods["methods"].as_array().unwrap().contains(&json!(m)), "{m}");
        }

        // The header's hash is blake2_256 of its SCALE encoding, rebuilt from the JSON.
        let head = node.handle().head();
        let hash = ok(&node, "chain_getBlockHash", json!([head.number])).await;
        assert_eq!(hash, json!(head.hash));
        assert_eq!(
            ok(&node, "chain_getBlockHash", json!([format!("0x{:x}", head.number)])).await,
            hash
        );
        assert_eq!(
            ok(&node, "chain_getBlockHash", json!([[head.number, 999_999]])).await,
            json!([hash, null])
        );
        assert_eq!(ok(&node, "chain_getBlockHash", json!([])).await, hash);
        let genesis = node.handle().signing_context().genesis_hash;
        assert_eq!(ok(&node, "chain_getBlockHash", json!([0])).await, json!(genesis));
        assert_eq!(
            ok(&node, "chain_getFinalizedHead", json!([])).await,
            hash,
            "manual mode, depth reached"
        );
        let h = ok(&node, "chain_getHeader", json!([hash])).await;
        assert_eq!(h["number"], format!("0x{:x}", head.number));
        let digest: Vec<DigestItem> = h["digest"]["logs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| DigestItem::decode(&mut &bytes(l)[..]).unwrap())
            .collect();
        assert_eq!(
            digest,
            [DigestItem::PreRuntime(*b"tplx", head.timestamp_ms.to_le_bytes().to_vec())]
        );
        let rebuilt = Header {
            parent_hash: localnet::substrate::types::H256(
                bytes(&h["parentHash"]).try_into().unwrap(),
            ),
            number: u32::try_from(head.number).unwrap(),
            state_root: localnet::substrate::types::H256(
                bytes(&h["stateRoot"]).try_into().unwrap(),
            ),
            extrinsics_root: localnet::substrate::types::H256(
                bytes(&h["extrinsicsRoot"]).try_into().unwrap(),
            ),
            digest: localnet::substrate::types::Digest { logs: digest },
        };
        assert_eq!(json!(Hash(sp_hash(&rebuilt.encode()))), hash);
        let block = ok(&node, "chain_getBlock", json!([hash])).await;
        assert_eq!(block["block"]["header"], h);
        assert_eq!(ok(&node, "chain_getHeader", json!([Hash([9; 32])])).await, Value::Null);
        assert_eq!(ok(&node, "chain_getBlockHash", json!([999_999])).await, Value::Null);
        assert_eq!(err(&node, "chain_getBlockHash", json!([-1])).await.0, -32602);
        assert_eq!(err(&node, "chain_getHeader", json!(["0x12"])).await.0, -32602);

        let v = ok(&node, "state_getRuntimeVersion", json!([])).await;
        assert_eq!(v["specName"], "node-subtensor");
        assert_eq!(v["transactionVersion"], 1);
        assert_eq!(v["specVersion"], node.handle().signing_context().spec_version);
        // blake2_64("Core"), the id every Substrate runtime announces.
        assert!(v["apis"].as_array().unwrap().contains(&json!(["0xdf6acb689907609b", 5])), "{v}");
        node.shutdown().await;
    }

    fn sp_hash(data: &[u8]) -> [u8; 32] {
        sp_crypto_hashing::blake2_256(data)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn runtime_version_announces_the_apis_with_spec_393_ids_and_versions() {
        let Some(finney) = test_support::replay::finney_fixtures() else { return };
        let text = std::fs::read_to_string(finney.join("spec393/responses.json")).unwrap();
        let recorded: Value = serde_json::from_str(&text).unwrap();
        let real = recorded["seeds"]
            .as_object()
            .unwrap()
            .values()
            .find_map(|seed| {
                seed["calls"]["state_getRuntimeVersion"][0]["result"]["apis"].as_array()
            })
            .unwrap()
            .clone();
        let node = manual_node();
        let ours = ok(&node, "state_getRuntimeVersion", json!([])).await;
        let ours = ours["apis"].as_array().unwrap();
        assert_eq!(ours.len(), 8);
        for api in ours {
            assert!(real.contains(api), "{api} is not among spec 393's {real:?}");
        }
        node.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn state_get_storage_serves_system_account_in_the_real_layout() {
        let node = manual_node();
        let alice = id(ALICE);
        // twox128("System") ++ twox128("Account"), spelled out: the layout every client uses.
        let key = format!(
            "0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9{}{}",
            hex::encode(sp_crypto_hashing::blake2_128(&alice.0)),
            hex::encode(alice.0)
        );
        let value = ok(&node, "state_getStorage", json!([key])).await;
        let info = AccountInfo::decode(&mut &bytes(&value)[..]).unwrap();
        let view = node.handle().account(&alice).await;
        assert_eq!((info.data.free, u64::from(info.nonce)), (view.free, view.nonce));
        assert_eq!(info.data.free, 10_000 * test_support::genesis::TAO);
        assert_eq!(info.data.flags.0, 1 << 127);

        let nobody = format!("0x{}", hex::encode(storage::system_account(&[0xab; 32])));
        assert_eq!(ok(&node, "state_getStorage", json!([nobody])).await, Value::Null);
        let number = ok(
            &node,
            "state_getStorage",
            json!([format!("0x{}", hex::encode(storage::prefix("System", "Number")))]),
        )
        .await;
        assert_eq!(
            u64::from(u32::decode(&mut &bytes(&number)[..]).unwrap()),
            node.handle().head().number
        );
        let now = ok(
            &node,
            "state_getStorageAt",
            json!([format!("0x{}", hex::encode(storage::prefix("Timestamp", "Now")))]),
        )
        .await;
        assert_eq!(u64::decode(&mut &bytes(&now)[..]).unwrap(), node.handle().head().timestamp_ms);

        // Declared but not served yet: an error, never a silent default.
        let alpha = format!("0x{}", hex::encode(storage::prefix("SubtensorModule", "Alpha")));
        let (code, message) = err(&node, "state_getStorage", json!([alpha])).await;
        assert_eq!(code, 4003);
        assert!(message.contains("SubtensorModule.Alpha"), "{message}");
        assert_eq!(ok(&node, "state_getStorage", json!(["0x0102"])).await, Value::Null);
        assert_eq!(err(&node, "state_getStorage", json!(["0xzz"])).await.0, -32602);
        assert_eq!(err(&node, "state_getStorage", json!(["26aa"])).await.0, -32602);
        assert_eq!(err(&node, "state_getStorage", json!([])).await.0, -32602);

        // State at a block is served while nothing changed since, refused once it has.
        let head = node.handle().head();
        assert!(ok(&node, "state_getStorage", json!([key, head.hash])).await.is_string());
        let (code, message) = err(&node, "state_getStorage", json!([key, Hash([7; 32])])).await;
        assert_eq!(code, 4003);
        assert!(message.contains("UnknownBlock"), "{message}");
        let ctx = node.handle().signing_context();
        let transfer =
            Call::Transfer { dest: id("//Bob"), amount: chain::Tao::from_rao(1_000_000_000) };
        node.handle().submit(sign(ALICE, transfer, 0, head.number, &ctx)).await.unwrap();
        let next = node.handle().produce_block().await.unwrap();
        assert_ne!(next.state_root, head.state_root);
        let (code, message) = err(&node, "state_getStorage", json!([key, head.hash])).await;
        assert_eq!(code, 4003);
        assert!(message.contains("State already discarded"), "{message}");
        let (code, _) = err(&node, "state_call", json!(["Core_version", "0x", head.hash])).await;
        assert_eq!(code, 4003);
        let info = ok(&node, "state_getStorage", json!([key, next.hash])).await;
        assert_eq!(AccountInfo::decode(&mut &bytes(&info)[..]).unwrap().nonce, 1);
        node.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn storage_maps_are_listed_and_read_in_substrate_shapes() {
        let node = manual_node();
        let hex_of = |bytes: &[u8]| format!("0x{}", hex::encode(bytes));
        let tempo = storage::prefix("SubtensorModule", "Tempo");
        // One key per subnet, root included, in key (byte) order: netuid as Identity(u16 LE).
        let expected: Vec<Value> = [0u16, 1, 2]
            .iter()
            .map(|n| json!(hex_of(&[&tempo[..], &n.to_le_bytes()].concat())))
            .collect();
        let keys = ok(&node, "state_getKeysPaged", json!([hex_of(&tempo), 10])).await;
        assert_eq!(keys, json!(expected));
        // Pages: `startKey` is exclusive, as on Substrate.
        let page =
            ok(&node, "state_getKeysPaged", json!([hex_of(&tempo), 2, hex_of(&tempo)])).await;
        assert_eq!(page, json!(expected[..2]));
        let rest = ok(&node, "state_getKeysPaged", json!([hex_of(&tempo), 2, expected[1]])).await;
        assert_eq!(rest, json!(expected[2..]));
        let none = ok(&node, "state_getKeysPaged", json!([hex_of(&tempo), 2, expected[2]])).await;
        assert_eq!(none, json!([]));
        let (code, message) = err(&node, "state_getKeysPaged", json!([hex_of(&tempo), 1001])).await;
        assert_eq!(code, 4002, "{message}");

        // The values at a block, in Substrate's change-set shape; unknown keys are null.
        let head = node.handle().head();
        let mut asked = expected.clone();
        asked.push(json!("0x0102"));
        let sets = ok(&node, "state_queryStorageAt", json!([asked, head.hash])).await;
        let tempos: Vec<Value> = node
            .handle()
            .subnets()
            .await
            .iter()
            .map(|s| json!(hex_of(&s.hyperparameters.tempo.encode())))
            .collect();
        let mut changes: Vec<Value> =
            expected.iter().zip(&tempos).map(|(k, v)| json!([k, v])).collect();
        changes.push(json!(["0x0102", null]));
        assert_eq!(sets, json!([{"block": head.hash, "changes": changes}]));
        assert_eq!(
            ok(&node, "state_queryStorageAt", json!([[expected[0]]])).await[0]["block"],
            json!(head.hash),
            "the head's when no block is given"
        );

        // Accounts with a balance, each key the account's.
        let accounts = storage::prefix("System", "Account");
        let keys = ok(&node, "state_getKeysPaged", json!([hex_of(&accounts), 1000])).await;
        let keys: Vec<Vec<u8>> = keys.as_array().unwrap().iter().map(bytes).collect();
        assert_eq!(keys.len(), 5, "the treasury, Alice, Bob and two owners");
        assert!(keys.is_sorted());
        assert!(keys.contains(&storage::system_account(&id(ALICE).0)));

        // Declared but not served: listing or reading them is refused; undeclared: nothing.
        let alpha = storage::prefix("SubtensorModule", "Alpha");
        for params in [json!([hex_of(&alpha), 10]), json!([hex_of(&tempo[..16]), 10])] {
            let (code, message) = err(&node, "state_getKeysPaged", params).await;
            assert_eq!(code, 4003);
            assert!(message.contains("but does not serve it yet"), "{message}");
        }
        let (code, message) = err(&node, "state_queryStorageAt", json!([[hex_of(&alpha)]])).await;
        assert_eq!(code, 4003);
        assert!(message.contains("SubtensorModule.Alpha"), "{message}");
        let foo = storage::prefix("Foo", "Bar");
        assert_eq!(ok(&node, "state_getKeysPaged", json!([hex_of(&foo), 10])).await, json!([]));
        assert_eq!(err(&node, "state_getKeysPaged", json!(["0xzz", 10])).await.0, -32602);
        assert_eq!(err(&node, "state_queryStorageAt", json!(["0x00"])).await.0, -32602);

        // Head state only: once the state moves on, the old block's is discarded; its events stay.
        let ctx = node.handle().signing_context();
        let transfer =
            Call::Transfer { dest: id("//Bob"), amount: chain::Tao::from_rao(1_000_000_000) };
        node.handle().submit(sign(ALICE, transfer, 0, head.number, &ctx)).await.unwrap();
        let next = node.handle().produce_block().await.unwrap();
        for (method, params) in [
            ("state_getKeysPaged", json!([hex_of(&tempo), 10, null, head.hash])),
            ("state_queryStorageAt", json!([expected, head.hash])),
        ] {
            let (code, message) = err(&node, method, params).await;
            assert_eq!(code, 4003, "{method}");
            assert!(message.contains("State already discarded"), "{method}: {message}");
        }
        let events = hex_of(&storage::prefix("System", "Events"));
        let sets = ok(&node, "state_queryStorageAt", json!([[events], next.hash])).await;
        let single = ok(&node, "state_getStorage", json!([events, next.hash])).await;
        assert!(single.is_string(), "the transfer's events");
        assert_eq!(sets[0]["changes"], json!([[events, single]]));
        let listed = ok(&node, "state_getKeysPaged", json!([events, 10])).await;
        assert_eq!(listed, json!([events]));
        node.shutdown().await;
    }

    /// A client pins a block and reads at it while blocks arrive (the Python SDK does, for
    /// every read): the state of recent blocks is kept for it, the older one is discarded.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn recent_blocks_keep_their_state_for_clients_reading_at_them() {
        let hex_of = |bytes: &[u8]| format!("0x{}", hex::encode(bytes));
        let node = Node::start(&small_genesis(), config(BlockProduction::Instant)).unwrap();
        let handle = node.handle();
        let ctx = handle.signing_context();
        let alice = hex_of(&storage::system_account(&id(ALICE).0));
        let mut pinned = Vec::new();
        for nonce in 0..localnet::node::RECENT_STATES as u64 + 2 {
            let head = handle.head();
            pinned
                .push((head.hash, ok(&node, "state_getStorage", json!([alice, head.hash])).await));
            let transfer =
                Call::Transfer { dest: id("//Bob"), amount: chain::Tao::from_rao(1_000_000_000) };
            let mut blocks = handle.subscribe_blocks();
            handle.submit(sign(ALICE, transfer, nonce, head.number, &ctx)).await.unwrap();
            blocks.recv().await.unwrap();
        }
        // Every pinned block's balance differs (a transfer each), and reads back the same at
        // it, as long as the node keeps its state.
        let (oldest, kept) = pinned.split_at(2);
        for (hash, value) in kept {
            assert_eq!(&ok(&node, "state_getStorage", json!([alice, hash])).await, value);
            let at = ok(&node, "state_queryStorageAt", json!([[alice], hash])).await;
            assert_eq!(&at[0]["changes"][0][1], value);
            let nonce = ok(
                &node,
                "state_call",
                json!(["AccountNonceApi_account_nonce", hex_of(&id(ALICE).0), hash]),
            )
            .await;
            assert!(nonce.is_string());
        }
        let (code, message) = err(&node, "state_getStorage", json!([alice, oldest[0].0])).await;
        assert_eq!(code, 4003);
        assert!(message.contains("State already discarded"), "{message}");
        node.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn system_events_are_served_per_block_in_the_real_encoding() {
        use localnet::substrate::pallets::{
            RuntimeEvent, balances, index, system, transaction_payment,
        };
        use localnet::substrate::types::{
            AccountId32, DispatchError, EventRecord, ModuleError, Phase,
        };

        let node = manual_node();
        let h = node.handle();
        let key = format!("0x{}", hex::encode(storage::prefix("System", "Events")));
        let events_at = |at: Value| {
            let (node, key) = (&node, key.clone());
            async move {
                let v = ok(node, "state_getStorageAt", json!([key, at])).await;
                (!v.is_null()).then(|| Vec::<EventRecord>::decode(&mut &bytes(&v)[..]).unwrap())
            }
        };
        let head = h.head();
        let ctx = h.signing_context();
        let transfer =
            Call::Transfer { dest: id("//Bob"), amount: chain::Tao::from_rao(1_000_000_000) };
        h.submit(sign(ALICE, transfer, 0, head.number, &ctx)).await.unwrap();
        let missing = Call::AddStake {
            hotkey: id("//Bob"),
            netuid: 1,
            amount_staked: chain::Tao::from_rao(1_000_000_000),
        };
        h.submit(sign("//Bob", missing, 0, head.number, &ctx)).await.unwrap();
        let block = h.produce_block().await.unwrap();
        let local = h.block(BlockRef::Hash(block.hash)).unwrap();
        let failed = local
            .extrinsics
            .iter()
            .find_map(|x| x.result.clone().err())
            .expect("staking to an unregistered hotkey fails in dispatch");

        let records = events_at(json!(block.hash)).await.unwrap();
        let at = |i: u32| records.iter().filter(move |r| r.phase == Phase::ApplyExtrinsic(i));
        let first: Vec<&RuntimeEvent> = at(0).map(|r| &r.event).collect();
        let fee = local.extrinsics[0].fee;
        assert!(fee > 0);
        // As on Subtensor: the fee withdrawn, the call's events, the fee paid, the outcome.
        assert_eq!(
            first[..3],
            [
                &RuntimeEvent::Balances(balances::Event::Withdraw {
                    who: AccountId32(id(ALICE).0),
                    amount: fee,
                }),
                &RuntimeEvent::Balances(balances::Event::Transfer {
                    from: AccountId32(id(ALICE).0),
                    to: AccountId32(id("//Bob").0),
                    amount: 1_000_000_000,
                }),
                &RuntimeEvent::TransactionPayment(transaction_payment::Event::TransactionFeePaid {
                    who: AccountId32(id(ALICE).0),
                    actual_fee: fee,
                    tip: 0,
                }),
            ]
        );
        assert!(
            matches!(first[3], RuntimeEvent::System(system::Event::ExtrinsicSuccess { .. })),
            "{first:?}"
        );
        assert_eq!(first.len(), 4);
        let second: Vec<&RuntimeEvent> = at(1).map(|r| &r.event).collect();
        let RuntimeEvent::System(system::Event::ExtrinsicFailed { dispatch_error, .. }) =
            second.last().unwrap()
        else {
            panic!("{second:?}")
        };
        let name = failed.to_string();
        let name = name.split(':').next().unwrap();
        let expected = localnet::substrate::metadata::error_index(None, name)
            .map(|(index, error)| {
                DispatchError::Module(ModuleError { index, error: [error, 0, 0, 0] })
            })
            .unwrap_or(DispatchError::Other);
        assert_eq!(*dispatch_error, expected, "{failed}");
        let DispatchError::Module(m) = dispatch_error else {
            panic!("{failed}: {dispatch_error:?}")
        };
        assert_eq!(m.index, index::SUBTENSOR, "{failed}");
        assert!(records.iter().all(|r| r.topics.is_empty()));

        // Events stay with their block once the state moves on; the head's are the default.
        let transfer =
            Call::Transfer { dest: id("//Bob"), amount: chain::Tao::from_rao(1_000_000_000) };
        h.submit(sign(ALICE, transfer, 1, block.number, &ctx)).await.unwrap();
        let next = h.produce_block().await.unwrap();
        assert_ne!(next.state_root, block.state_root);
        assert_eq!(events_at(json!(block.hash)).await.unwrap(), records);
        let latest = ok(&node, "state_getStorage", json!([key])).await;
        assert_eq!(Some(bytes(&latest)), events_at(json!(next.hash)).await.map(|r| r.encode()));
        let (code, message) = err(&node, "state_getStorage", json!([key, Hash([7; 32])])).await;
        assert_eq!(code, 4003);
        assert!(message.contains("UnknownBlock"), "{message}");
        node.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn head_subscriptions_notify_substrate_headers() {
        use futures::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::Message;

        // Finality at the head, so one block is both new and finalized.
        let node = Node::start(
            &small_genesis(),
            localnet::node::NodeConfig {
                finality_depth: Some(0),
                ..config(BlockProduction::Manual)
            },
        )
        .unwrap();
        let rpc = RpcConfig { addr: "127.0.0.1:0".parse().unwrap(), ..RpcConfig::default() };
        let server = localnet::rpc::RpcServer::start(node.handle(), rpc).await.unwrap();
        let (mut ws, _) = tokio_tungstenite::connect_async(server.ws_url()).await.unwrap();
        let mut ids = std::collections::HashMap::new();
        for (i, m) in
            ["chain_subscribeNewHeads", "chain_subscribeAllHeads", "chain_subscribeFinalizedHeads"]
                .into_iter()
                .enumerate()
        {
            let request = json!({"jsonrpc": "2.0", "id": i, "method": m});
            ws.send(Message::text(request.to_string())).await.unwrap();
            let Some(Ok(Message::Text(t))) = ws.next().await else { panic!("no answer to {m}") };
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            ids.insert(v["result"].as_str().unwrap().to_string(), m);
        }
        let produced = node.handle().produce_block().await.unwrap();
        let mut seen = std::collections::BTreeSet::new();
        while seen.len() < 3 {
            let m = tokio::time::timeout(std::time::Duration::from_secs(60), ws.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            let Message::Text(t) = m else { continue };
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            let sub = v["params"]["subscription"].as_str().unwrap();
            let header = &v["params"]["result"];
            assert_eq!(header["number"], format!("0x{:x}", produced.number), "{v}");
            assert!(header["digest"]["logs"].is_array());
            let expected = match ids[sub] {
                "chain_subscribeNewHeads" => "chain_newHead",
                "chain_subscribeAllHeads" => "chain_allHead",
                _ => "chain_finalizedHead",
            };
            assert_eq!(v["method"], expected);
            seen.insert(expected);
        }
        let all = ids.iter().find(|(_, m)| **m == "chain_subscribeAllHeads").unwrap().0.clone();
        let unsub = json!({"jsonrpc": "2.0", "id": 9, "method": "chain_unsubscribeAllHeads", "params": [all]});
        ws.send(Message::text(unsub.to_string())).await.unwrap();
        loop {
            let Some(Ok(Message::Text(t))) = ws.next().await else { panic!("closed") };
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["id"] == 9 {
                assert_eq!(v["result"], true);
                break;
            }
        }
        server.shutdown().await;
        node.shutdown().await;
    }

    #[derive(Debug, scale_decode::DecodeAsType)]
    struct Fixed {
        bits: i128,
    }

    /// The fields of the real `DynamicInfo` this test checks (the rest are skipped by name).
    #[derive(Debug, scale_decode::DecodeAsType)]
    struct Dynamic {
        netuid: u16,
        subnet_name: Vec<u8>,
        token_symbol: Vec<u8>,
        tempo: u16,
        alpha_in: u64,
        alpha_out: u64,
        tao_in: u64,
        tao_in_emission: u64,
        subnet_volume: u128,
        moving_price: Fixed,
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn get_all_dynamic_info_decodes_with_the_real_spec_393_types() {
        let Some(finney) = test_support::replay::finney_fixtures() else { return };
        let real = super::recorded_v15(&finney);
        let output = |api: &str, method: &str| {
            let a = real.apis.iter().find(|a| a.name == api).unwrap();
            a.methods.iter().find(|m| m.name == method).unwrap().output.id
        };
        // The generated mainnet-like chain, which emits (the small one holds back emission).
        let genesis = localnet::genesis::generate(&localnet::genesis::GenesisOptions::default());
        let node = Node::start(&genesis, config(BlockProduction::Manual)).unwrap();
        node.handle().fast_forward(3).await.unwrap();
        let answer =
            ok(&node, "state_call", json!(["SubnetInfoRuntimeApi_get_all_dynamic_info", "0x"]))
                .await;
        let answer = bytes(&answer);
        let mut input = &answer[..];
        let all = <Vec<Option<Dynamic>> as scale_decode::DecodeAsType>::decode_as_type(
            &mut input,
            output("SubnetInfoRuntimeApi", "get_all_dynamic_info"),
            &real.types,
        )
        .unwrap();
        assert!(input.is_empty(), "{} bytes the real type does not account for", input.len());
        let subnets = node.handle().subnets().await;
        assert_eq!(all.len(), subnets.len());
        for (d, s) in all.iter().zip(&subnets) {
            let d = d.as_ref().unwrap();
            assert_eq!(d.netuid, s.netuid);
            assert_eq!(
                (d.tao_in, d.alpha_in, d.alpha_out),
                (s.pool.tao_reserve, s.pool.alpha_in, s.pool.alpha_out)
            );
            assert_eq!(d.subnet_volume, s.pool.volume);
            assert_eq!(d.tempo, s.hyperparameters.tempo);
            assert_eq!(String::from_utf8(d.subnet_name.clone()).unwrap(), s.identity.name);
            assert_eq!(String::from_utf8(d.token_symbol.clone()).unwrap(), s.identity.symbol);
            // moving_price is I96F32: the floored rao price is bits × 1e9 / 2^32.
            let rao = u64::try_from((d.moving_price.bits * 1_000_000_000) >> 32).unwrap();
            assert_eq!(rao, s.pool.moving_price, "subnet {}", s.netuid);
        }
        assert!(
            all.iter().flatten().any(|d| d.tao_in_emission > 0),
            "subnets emitted in the last block"
        );

        let one =
            ok(&node, "state_call", json!(["SubnetInfoRuntimeApi_get_dynamic_info", "0x0100"]))
                .await;
        let one = bytes(&one);
        let d = <Option<Dynamic> as scale_decode::DecodeAsType>::decode_as_type(
            &mut &one[..],
            output("SubnetInfoRuntimeApi", "get_dynamic_info"),
            &real.types,
        )
        .unwrap()
        .unwrap();
        assert_eq!(d.tao_in, subnets[1].pool.tao_reserve);
        let none =
            ok(&node, "state_call", json!(["SubnetInfoRuntimeApi_get_dynamic_info", "0xe703"]))
                .await;
        assert_eq!(none, "0x00", "no subnet 999");

        #[derive(Debug, scale_decode::DecodeAsType)]
        struct Price {
            netuid: u16,
            price: u64,
        }
        let prices =
            ok(&node, "state_call", json!(["SwapRuntimeApi_current_alpha_price_all", "0x"])).await;
        let prices = <Vec<Price> as scale_decode::DecodeAsType>::decode_as_type(
            &mut &bytes(&prices)[..],
            output("SwapRuntimeApi", "current_alpha_price_all"),
            &real.types,
        )
        .unwrap();
        let expected: Vec<(u16, u64)> = subnets.iter().map(|s| (s.netuid, s.pool.price)).collect();
        assert_eq!(prices.iter().map(|p| (p.netuid, p.price)).collect::<Vec<_>>(), expected);

        // The same pools under their storage keys.
        for (name, value) in [
            ("SubnetTAO", subnets[1].pool.tao_reserve),
            ("SubnetAlphaIn", subnets[1].pool.alpha_in),
        ] {
            let key = format!("0x{}0100", hex::encode(storage::prefix("SubtensorModule", name)));
            let v = ok(&node, "state_getStorage", json!([key])).await;
            assert_eq!(u64::decode(&mut &bytes(&v)[..]).unwrap(), value, "{name}");
        }
        let absent =
            format!("0x{}e703", hex::encode(storage::prefix("SubtensorModule", "SubnetTAO")));
        assert_eq!(ok(&node, "state_getStorage", json!([absent])).await, Value::Null);
        node.shutdown().await;
    }

    #[derive(Debug, scale_decode::DecodeAsType)]
    struct Sim {
        tao_amount: u64,
        alpha_amount: u64,
        tao_fee: u64,
        alpha_fee: u64,
    }

    #[derive(Debug, scale_decode::DecodeAsType)]
    struct Stake {
        hotkey: [u8; 32],
        coldkey: [u8; 32],
        netuid: u16,
        stake: u64,
        is_registered: bool,
    }

    #[derive(Debug, scale_decode::DecodeAsType)]
    struct Axon {
        ip: u128,
        port: u16,
    }

    #[derive(Debug, scale_decode::DecodeAsType)]
    struct NeuronLite {
        hotkey: [u8; 32],
        coldkey: [u8; 32],
        uid: u16,
        netuid: u16,
        axon_info: Axon,
        stake: Vec<([u8; 32], u64)>,
        emission: u64,
        incentive: u16,
        dividends: u16,
        last_update: u64,
        validator_permit: bool,
    }

    #[derive(Debug, scale_decode::DecodeAsType)]
    struct MetagraphPart {
        netuid: u16,
        owner_hotkey: [u8; 32],
        block: u64,
        tempo: u16,
        tao_in: u64,
        alpha_in: u64,
        burn: u64,
        num_uids: u16,
        max_uids: u16,
        hotkeys: Vec<[u8; 32]>,
        coldkeys: Vec<[u8; 32]>,
        axons: Vec<Axon>,
        validator_permit: Vec<bool>,
        block_at_registration: Vec<u64>,
        alpha_stake: Vec<u64>,
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn metagraph_and_one_stake_decode_with_the_real_spec_393_types() {
        let Some(finney) = test_support::replay::finney_fixtures() else { return };
        let real = super::recorded_v15(&finney);
        let output = |api: &str, method: &str| {
            let a = real.apis.iter().find(|a| a.name == api).unwrap();
            a.methods.iter().find(|m| m.name == method).unwrap().output.id
        };
        let node = manual_node();
        let h = node.handle();
        let call = |name: &'static str, args: Vec<u8>| {
            let node = &node;
            async move {
                bytes(
                    &ok(node, "state_call", json!([name, format!("0x{}", hex::encode(args))]))
                        .await,
                )
            }
        };
        let answer = call("SubnetInfoRuntimeApi_get_metagraph", 1u16.encode()).await;
        let mut input = &answer[..];
        let ty = output("SubnetInfoRuntimeApi", "get_metagraph");
        let m: Option<MetagraphPart> =
            scale_decode::DecodeAsType::decode_as_type(&mut input, ty, &real.types).unwrap();
        assert!(input.is_empty(), "{} bytes the real type does not account for", input.len());
        let m = m.expect("SN1 exists");
        let s = h.subnet(1).await.unwrap();
        let neurons = h.neurons(1).await.unwrap();
        assert_eq!(
            (m.netuid, m.owner_hotkey, m.block, m.tempo, m.tao_in, m.alpha_in, m.burn),
            (
                1,
                s.owner_hotkey.0,
                h.head().number,
                s.hyperparameters.tempo,
                s.pool.tao_reserve,
                s.pool.alpha_in,
                s.hyperparameters.burn
            )
        );
        assert_eq!((m.num_uids, m.max_uids), (s.neuron_count, s.hyperparameters.max_allowed_uids));
        assert!(!neurons.is_empty());
        assert_eq!(m.hotkeys, neurons.iter().map(|n| n.hotkey.0).collect::<Vec<_>>());
        assert_eq!(m.coldkeys, neurons.iter().map(|n| n.coldkey.0).collect::<Vec<_>>());
        assert_eq!(m.alpha_stake, neurons.iter().map(|n| n.stake).collect::<Vec<_>>());
        assert_eq!(
            m.validator_permit,
            neurons.iter().map(|n| n.validator_permit).collect::<Vec<_>>()
        );
        assert_eq!(
            m.block_at_registration,
            neurons.iter().map(|n| n.registered_at).collect::<Vec<_>>()
        );
        assert_eq!(m.axons.len(), neurons.len());
        let none = call("SubnetInfoRuntimeApi_get_metagraph", 999u16.encode()).await;
        assert_eq!(none, [0], "no subnet: None");

        let owner = id("//Owner1");
        let hot = s.owner_hotkey;
        let held = h.stakes(&owner).await;
        let held = held.iter().find(|x| x.netuid == 1 && x.hotkey == hot).unwrap().alpha;
        let ty = output("StakeInfoRuntimeApi", "get_stake_info_for_hotkey_coldkey_netuid");
        for (coldkey, expected) in [(owner, Some(held)), (id("//Bob"), None)] {
            let answer = call(
                "StakeInfoRuntimeApi_get_stake_info_for_hotkey_coldkey_netuid",
                (hot.0, coldkey.0, 1u16).encode(),
            )
            .await;
            let mut input = &answer[..];
            let one: Option<Stake> =
                scale_decode::DecodeAsType::decode_as_type(&mut input, ty, &real.types).unwrap();
            assert!(input.is_empty());
            assert_eq!(
                one.map(|x| (x.hotkey, x.coldkey, x.netuid, x.stake)),
                expected.map(|a| (hot.0, coldkey.0, 1, a))
            );
        }
        node.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sim_swap_stake_info_and_neurons_decode_with_the_real_spec_393_types() {
        let Some(finney) = test_support::replay::finney_fixtures() else { return };
        let real = super::recorded_v15(&finney);
        let output = |api: &str, method: &str| {
            let a = real.apis.iter().find(|a| a.name == api).unwrap();
            a.methods.iter().find(|m| m.name == method).unwrap().output.id
        };
        fn decode<T: scale_decode::DecodeAsType>(
            answer: &Value,
            ty: u32,
            types: &scale_info::PortableRegistry,
        ) -> T {
            let answer = bytes(answer);
            let mut input = &answer[..];
            let v = T::decode_as_type(&mut input, ty, types).unwrap();
            assert!(input.is_empty(), "{} bytes the real type does not account for", input.len());
            v
        }
        let options = localnet::genesis::GenesisOptions {
            subnets: 4,
            fresh_subnets: 0,
            max_neurons: 12,
            ..localnet::genesis::GenesisOptions::default()
        };
        let node =
            Node::start(&localnet::genesis::generate(&options), config(BlockProduction::Manual))
                .unwrap();
        let h = node.handle();
        let state_call = |name: &'static str, args: Vec<u8>| {
            let node = &node;
            async move {
                ok(node, "state_call", json!([name, format!("0x{}", hex::encode(args))])).await
            }
        };

        for (side, method, amount) in [
            (chain::Side::Buy, "sim_swap_tao_for_alpha", 3_000_000_000u64),
            (chain::Side::Sell, "sim_swap_alpha_for_tao", 40_000_000_000),
        ] {
            let q = h.quote(2, side, amount).await.unwrap();
            let answer = state_call(
                if side == chain::Side::Buy {
                    "SwapRuntimeApi_sim_swap_tao_for_alpha"
                } else {
                    "SwapRuntimeApi_sim_swap_alpha_for_tao"
                },
                (2u16, amount).encode(),
            )
            .await;
            let sim: Sim = decode(&answer, output("SwapRuntimeApi", method), &real.types);
            let got = match side {
                chain::Side::Buy => (sim.tao_amount, sim.tao_fee, sim.alpha_amount, sim.alpha_fee),
                chain::Side::Sell => (sim.alpha_amount, sim.alpha_fee, sim.tao_amount, sim.tao_fee),
            };
            assert_eq!(got, (q.delta_in + q.fee, q.fee, q.amount_out, 0), "{method}");
            assert!(q.amount_out > 0 && q.fee > 0, "{q:?}");
        }
        let none =
            state_call("SwapRuntimeApi_sim_swap_tao_for_alpha", (999u16, 1u64).encode()).await;
        assert_eq!(bytes(&none), [0; 48], "no subnet: all zeros, as on Subtensor");

        let neurons = h.neurons(1).await.unwrap();
        assert!(!neurons.is_empty());
        let lite = state_call("NeuronInfoRuntimeApi_get_neurons_lite", 1u16.encode()).await;
        let lite: Vec<NeuronLite> =
            decode(&lite, output("NeuronInfoRuntimeApi", "get_neurons_lite"), &real.types);
        assert_eq!(lite.len(), neurons.len());
        for (l, n) in lite.iter().zip(&neurons) {
            assert_eq!((l.uid, l.netuid, l.hotkey, l.coldkey), (n.uid, 1, n.hotkey.0, n.coldkey.0));
            assert_eq!(l.stake, [(n.coldkey.0, n.stake)]);
            assert_eq!(
                (l.emission, l.incentive, l.dividends, l.last_update, l.validator_permit),
                (n.emission, n.incentive, n.dividends, n.last_update, n.validator_permit)
            );
            assert_eq!(l.axon_info.port, n.axon.as_ref().map_or(0, |a| a.port));
            assert_eq!(l.axon_info.ip != 0, n.axon.is_some());
        }
        let one = state_call("NeuronInfoRuntimeApi_get_neuron_lite", (1u16, 0u16).encode()).await;
        let one: Option<NeuronLite> =
            decode(&one, output("NeuronInfoRuntimeApi", "get_neuron_lite"), &real.types);
        assert_eq!(one.unwrap().hotkey, neurons[0].hotkey.0);
        let none = state_call("NeuronInfoRuntimeApi_get_neurons_lite", 999u16.encode()).await;
        assert_eq!(bytes(&none), [0], "no subnet: no neurons");

        let coldkey = neurons[0].coldkey;
        let stakes = h.stakes(&coldkey).await;
        assert!(!stakes.is_empty(), "a neuron's coldkey stakes to its hotkey");
        let answer =
            state_call("StakeInfoRuntimeApi_get_stake_info_for_coldkey", coldkey.0.to_vec()).await;
        let got: Vec<Stake> = decode(
            &answer,
            output("StakeInfoRuntimeApi", "get_stake_info_for_coldkey"),
            &real.types,
        );
        let got: Vec<_> = got.iter().map(|s| (s.coldkey, s.hotkey, s.netuid, s.stake)).collect();
        let expected: Vec<_> =
            stakes.iter().map(|s| (s.coldkey.0, s.hotkey.0, s.netuid, s.alpha)).collect();
        assert_eq!(got, expected);
        let answer =
            state_call("StakeInfoRuntimeApi_get_stake_info_for_coldkey", coldkey.0.to_vec()).await;
        let registered: Vec<Stake> = decode(
            &answer,
            output("StakeInfoRuntimeApi", "get_stake_info_for_coldkey"),
            &real.types,
        );
        assert!(registered.iter().any(|s| s.hotkey == neurons[0].hotkey.0 && s.is_registered));
        let many = state_call(
            "StakeInfoRuntimeApi_get_stake_info_for_coldkeys",
            vec![coldkey.0, [9; 32]].encode(),
        )
        .await;
        let many: Vec<([u8; 32], Vec<Stake>)> = decode(
            &many,
            output("StakeInfoRuntimeApi", "get_stake_info_for_coldkeys"),
            &real.types,
        );
        assert_eq!((many[0].1.len(), many[1].1.len()), (expected.len(), 0));
        node.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn query_info_quotes_localnet_s_fee_for_a_signed_v4_extrinsic() {
        use localnet::substrate::pallets::{RuntimeCall, balances, subtensor_module};
        use localnet::substrate::types::{
            AccountId32, MultiAddress, MultiSignature, RuntimeDispatchInfo,
        };
        use parity_scale_codec::Compact;

        let node = manual_node();
        let extrinsic = |version: u8, call: &RuntimeCall| {
            let mut x = vec![version];
            MultiAddress::Id(AccountId32(id(ALICE).0)).encode_to(&mut x);
            MultiSignature::Sr25519([0; 64]).encode_to(&mut x);
            // Immortal, nonce 3, tip 0, metadata hash disabled.
            (0u8, Compact(3u32), Compact(0u64), 0u8).encode_to(&mut x);
            call.encode_to(&mut x);
            let mut args = x.encode();
            u32::try_from(args.len()).unwrap().encode_to(&mut args);
            hex::encode(args)
        };
        let transfer = RuntimeCall::Balances(balances::Call::transfer_keep_alive {
            dest: MultiAddress::Id(AccountId32(id("//Bob").0)),
            value: 2_000_000_000,
        });
        // Without `0x`, as Substrate also takes it.
        let answer = ok(
            &node,
            "state_call",
            json!(["TransactionPaymentApi_query_info", extrinsic(0x84, &transfer)]),
        )
        .await;
        let info = RuntimeDispatchInfo::decode(&mut &bytes(&answer)[..]).unwrap();
        let expected = node
            .handle()
            .estimate_fee(&Call::Transfer {
                dest: id("//Bob"),
                amount: chain::Tao::from_rao(2_000_000_000),
            })
            .await;
        assert_eq!(info.partial_fee, expected);
        assert!(expected > 0);

        let unsigned = format!("0x{}", extrinsic(0x04, &transfer));
        let (code, message) =
            err(&node, "state_call", json!(["TransactionPaymentApi_query_info", unsigned])).await;
        assert_eq!(code, 4003);
        assert!(message.contains("signed ones only"), "{message}");
        let burn = RuntimeCall::SubtensorModule(subtensor_module::Call::burn_alpha {
            hotkey: AccountId32(id("//Bob").0),
            amount: 1,
            netuid: 1,
        });
        let (code, message) = err(
            &node,
            "state_call",
            json!(["TransactionPaymentApi_query_info", extrinsic(0x84, &burn)]),
        )
        .await;
        assert_eq!(code, 4003);
        assert!(message.contains("does not implement burn_alpha"), "{message}");
        node.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn state_call_serves_metadata_versions_and_nonces() {
        let node = manual_node();
        let call_api = |name: &'static str, args: Vec<u8>| {
            let node = &node;
            async move {
                ok(node, "state_call", json!([name, format!("0x{}", hex::encode(args))])).await
            }
        };
        let versions = call_api("Metadata_metadata_versions", vec![]).await;
        assert_eq!(Vec::<u32>::decode(&mut &bytes(&versions)[..]).unwrap(), [14, 15]);
        let v15 = call_api("Metadata_metadata_at_version", 15u32.encode()).await;
        let v15: Option<Vec<u8>> = Decode::decode(&mut &bytes(&v15)[..]).unwrap();
        let slot = node.info().block_time_ms;
        assert_eq!(v15.as_deref(), metadata_bytes(15, slot).as_deref());
        let v99 = call_api("Metadata_metadata_at_version", 99u32.encode()).await;
        assert_eq!(bytes(&v99), [0], "None");
        let v14 = ok(&node, "state_getMetadata", json!([])).await;
        assert_eq!(Some(bytes(&v14).as_slice()), metadata_bytes(14, slot).as_deref());
        let version = call_api("Core_version", vec![]).await;
        let version = RuntimeVersion::decode(&mut &bytes(&version)[..]).unwrap();
        assert_eq!(version.spec_name.0, "node-subtensor");
        let nonce = call_api("AccountNonceApi_account_nonce", id(ALICE).0.to_vec()).await;
        assert_eq!(u32::decode(&mut &bytes(&nonce)[..]).unwrap(), 0);

        let (code, message) = err(&node, "state_call", json!(["Nope_nothing", "0x"])).await;
        assert_eq!(code, 4003);
        assert!(message.contains("Nope_nothing"), "{message}");
        let (code, message) =
            err(&node, "state_call", json!(["AccountNonceApi_account_nonce", "0x01"])).await;
        assert_eq!(code, 4003);
        assert!(message.contains("bad input data"), "{message}");
        let (code, _) = err(&node, "state_call", json!(["Core_version", "0x00"])).await;
        assert_eq!(code, 4003, "left-over input is refused");
        assert_eq!(err(&node, "state_call", json!(["Core_version"])).await.0, -32602);
        node.shutdown().await;
    }
}

// ---- a real third-party client ----

mod subxt_client {
    use localnet::node::{BlockProduction, BlockRef, Node, NodeConfig};
    use localnet::rpc::{RpcConfig, RpcServer};
    use scale_decode::DecodeAsType;
    use subxt::{OnlineClient, SubstrateConfig};

    use crate::node::{config, small_genesis};

    #[derive(Debug, DecodeAsType)]
    struct AccountInfo {
        nonce: u32,
        data: AccountData,
    }

    #[derive(Debug, DecodeAsType)]
    struct AccountData {
        free: u64,
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn subxt_reads_an_account_and_follows_finalized_heads() {
        // Finality at the head: localnet serves the head's state, and subxt reads at the
        // finalized block.
        let node = Node::start(
            &small_genesis(),
            NodeConfig { finality_depth: Some(0), ..config(BlockProduction::Manual) },
        )
        .unwrap();
        let rpc = RpcConfig { addr: "127.0.0.1:0".parse().unwrap(), ..RpcConfig::default() };
        let server = RpcServer::start(node.handle(), rpc).await.unwrap();

        let api =
            OnlineClient::<SubstrateConfig>::from_insecure_url(server.ws_url()).await.unwrap();
        assert_eq!(api.genesis_hash().0, node.handle().signing_context().genesis_hash.0);
        let at = api.at_current_block().await.unwrap();
        assert_eq!(at.block_number(), node.handle().head().number);

        let alice = keys::Keypair::from_uri("//Alice").unwrap().public().0;
        let address = subxt::dynamic::storage::<([u8; 32],), AccountInfo>("System", "Account");
        let info = at.storage().fetch(address, (alice,)).await.unwrap().decode().unwrap();
        let view = node.handle().account(&chain::AccountId(alice)).await;
        assert_eq!((info.data.free, u64::from(info.nonce)), (view.free, view.nonce));
        assert_eq!(info.data.free, 10_000 * test_support::genesis::TAO);

        // subxt starts following from the finalized head it sees when first polled, so blocks
        // are produced until it reports one.
        let mut blocks = api.stream_blocks().await.unwrap();
        let block = {
            let first = blocks.next();
            tokio::pin!(first);
            loop {
                tokio::select! {
                    b = &mut first => break b.expect("the stream is open").unwrap(),
                    () = tokio::time::sleep(std::time::Duration::from_millis(100)) => {
                        let head = node.handle().produce_block().await.unwrap();
                        assert!(head.number < 1_000, "subxt reported no finalized block");
                    }
                }
            }
        };
        let ours = node.handle().header(BlockRef::Number(block.number())).unwrap();
        assert_eq!(block.hash().0, ours.hash.0, "subxt's own hash of the header is localnet's");
        let at_block = block.at().await.unwrap();
        let address = subxt::dynamic::storage::<([u8; 32],), AccountInfo>("System", "Account");
        let account = at_block.storage().fetch(address, (alice,)).await.unwrap();
        assert_eq!(account.decode().unwrap().data.free, view.free);
        drop(blocks);
        server.shutdown().await;
        node.shutdown().await;
    }
}
