// The project's keys crate compiled to WebAssembly (crates/keys-wasm), run in a worker so that
// opening a coldkey file (Argon2i: seconds, by design) never freezes the page. Messages:
// {id, op: "generate"|"inspect"|"keyfile"|"sign", args} -> {id, ok, value | error}.
"use strict";

const enc = new TextEncoder();
const dec = new TextDecoder();
let wasm = null;

async function load() {
  if (wasm) return wasm;
  const url = new URL("keys.wasm", self.location.href);
  url.search = self.location.search;
  const imports = {
    env: {
      // getrandom's source inside the module: the browser's CSPRNG, at most 64 KiB a call.
      random_fill(ptr, len) {
        for (let at = 0; at < len; at += 65536) {
          crypto.getRandomValues(new Uint8Array(wasm.memory.buffer, ptr + at, Math.min(65536, len - at)));
        }
      },
    },
  };
  const { instance } = await WebAssembly.instantiateStreaming(fetch(url), imports);
  wasm = instance.exports;
  return wasm;
}

function put(bytes) {
  const ptr = wasm.kw_alloc(bytes.length);
  new Uint8Array(wasm.memory.buffer, ptr, bytes.length).set(bytes);
  return [ptr, bytes.length];
}

// Calls an export with byte-buffer inputs (or plain numbers); inputs are zeroed and freed by
// the module, the answer buffer is read and cleared.
function call(name, inputs) {
  const bufs = inputs.map((x) => (typeof x === "number" ? [x] : put(x)));
  try {
    const code = wasm[name](...bufs.flat());
    const view = new Uint8Array(wasm.memory.buffer, wasm.kw_out_ptr(), wasm.kw_out_len());
    const text = dec.decode(view.slice());
    wasm.kw_out_clear();
    if (code !== 0) throw new Error(text);
    return text;
  } finally {
    for (const b of bufs) if (b.length === 2) wasm.kw_free(b[0], b[1]);
    for (const x of inputs) if (x instanceof Uint8Array) x.fill(0);
  }
}

function hexBytes(hex) {
  const h = hex.startsWith("0x") ? hex.slice(2) : hex;
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}

self.onmessage = async (e) => {
  const { id, op, args } = e.data;
  try {
    await load();
    let value;
    if (op === "generate") value = JSON.parse(call("kw_generate", [args.words]));
    else if (op === "inspect") value = JSON.parse(call("kw_inspect", [enc.encode(args.secret)]));
    else if (op === "keyfile") value = JSON.parse(call("kw_from_keyfile", [new Uint8Array(args.data), enc.encode(args.password)]));
    else if (op === "sign") value = call("kw_sign", [enc.encode(args.secret), hexBytes(args.payload)]);
    else throw new Error("unknown operation " + op);
    self.postMessage({ id, ok: true, value });
  } catch (err) {
    self.postMessage({ id, ok: false, error: String((err && err.message) || err) });
  }
};
