// @polkadot/api against a localnet node: connect, decode the metadata, read state and a runtime
// API, then sign and submit a transfer and follow it to finality. Prints one JSON line with
// everything it saw; ../it/polkadot_js.rs starts the node and checks the line against the chain.
//
//   node transfer.mjs <ws url> '{"signer":"//Alice","dest":"5…","amount":"…","netuid":1}'
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const [url, requestJson] = process.argv.slice(2);
const request = JSON.parse(requestJson);

// What the library warns about (unknown signed extensions, say) is part of the result: the
// test decides which warnings are expected.
const warnings = [];
// The logger prefixes a date and time; the rest is `CATEGORY: message`.
console.warn = (...args) => warnings.push(args.map(String).join(' ').replace(/^\S+ \S+\s+/, ''));

await cryptoWaitReady();
const provider = new WsProvider(url, false);
await provider.connect();
const api = await ApiPromise.create({ provider, throwOnConnect: true });

const signer = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(request.signer);
const props = api.registry.getChainProperties();
const account = async (who) => {
  const a = await api.query.system.account(who);
  return { free: a.data.free.toString(), nonce: a.nonce.toNumber() };
};
const dynamic = (await api.call.subnetInfoRuntimeApi.getDynamicInfo(request.netuid)).unwrap();

const out = {
  warnings,
  metadata_version: api.runtimeMetadata.version,
  spec_name: api.runtimeVersion.specName.toString(),
  spec_version: api.runtimeVersion.specVersion.toNumber(),
  genesis_hash: api.genesisHash.toHex(),
  token: props.tokenSymbol.unwrap()[0].toString(),
  decimals: props.tokenDecimals.unwrap()[0].toNumber(),
  ss58: props.ss58Format.unwrap().toNumber(),
  pallets: api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString()),
  before: { signer: await account(signer.address), dest: await account(request.dest) },
  total_issuance: (await api.query.subtensorModule.totalIssuance()).toString(),
  balances_issuance: (await api.query.balances.totalIssuance()).toString(),
  subnet_tao: (await api.query.subtensorModule.subnetTAO(request.netuid)).toString(),
  dynamic: {
    netuid: dynamic.netuid.toNumber(),
    tao_in: dynamic.taoIn.toString(),
    alpha_in: dynamic.alphaIn.toString(),
    alpha_out: dynamic.alphaOut.toString(),
    owner_coldkey: dynamic.ownerColdkey.toString(),
  },
};

const tx = api.tx.balances.transferKeepAlive(request.dest, request.amount);
out.fee_quoted = (await tx.paymentInfo(signer)).partialFee.toString();

const statuses = [];
const done = await new Promise((resolve, reject) => {
  tx.signAndSend(signer, (result) => {
    statuses.push(result.status.type);
    if (result.dispatchError) reject(new Error(`dispatch error: ${result.dispatchError.toString()}`));
    if (result.status.isFinalized) resolve({ result });
    if (result.isError) reject(new Error(`transaction ${result.status.type}`));
  }).catch(reject);
});
out.statuses = statuses;
out.tx_hash = tx.hash.toHex();
out.block_hash = done.result.status.asFinalized.toHex();
out.events = done.result.events.map(({ event }) => `${event.section}.${event.method}`);
const paid = done.result.events.find(({ event }) => event.method === 'TransactionFeePaid');
out.fee_paid = paid ? paid.event.data[1].toString() : null;
const transfer = done.result.events.find(({ event }) => api.events.balances.Transfer.is(event));
out.transfer = transfer && {
  from: transfer.event.data.from.toString(),
  to: transfer.event.data.to.toString(),
  amount: transfer.event.data.amount.toString(),
};

// The block as the library decodes it: our extrinsic is in it, signed by the signer.
const block = await api.rpc.chain.getBlock(out.block_hash);
out.block_number = block.block.header.number.toNumber();
out.extrinsics = block.block.extrinsics.map((x) => ({
  call: `${x.method.section}.${x.method.method}`,
  signer: x.isSigned ? x.signer.toString() : null,
  hash: x.hash.toHex(),
}));
out.after = { signer: await account(signer.address), dest: await account(request.dest) };

await api.disconnect();
console.log(JSON.stringify(out));
process.exit(0);
