// An injected extension's signer, as the polkadot.js extension implements `signPayload`: the
// payload is rebuilt from its SignerPayloadJSON by polkadot.js's own types (no metadata, as an
// extension that was never given the chain's: Subtensor's own extensions, which carry no bytes,
// are read as no-effect) and signed with the account's key, type-prefixed (MultiSignature).
//
//   node sign-payload.mjs '<SignerPayloadJSON>' '<secret URI>'  →  {"signature": "0x01…"}
import { TypeRegistry } from "@polkadot/types";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";

const [payloadJson, suri] = process.argv.slice(2);
const payload = JSON.parse(payloadJson);
await cryptoWaitReady();
const registry = new TypeRegistry();
registry.setSignedExtensions(payload.signedExtensions);
const pair = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri(suri);
if (pair.address !== payload.address) {
  throw new Error(`the payload is for ${payload.address}, this key is ${pair.address}`);
}
const { signature } = registry.createType("ExtrinsicPayload", payload, { version: payload.version }).sign(pair);
console.log(JSON.stringify({ signature }));
