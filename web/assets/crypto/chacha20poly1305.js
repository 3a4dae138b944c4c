// ChaCha20-Poly1305 (RFC 8439 §2.8), the AEAD of the command-line tool's share file, for the
// committee member's key file on the page. Small messages only (a key file): Poly1305 with
// BigInt. tests/browser/crypto.mjs checks it against RFC 8439's vector and Node's OpenSSL.

function rotl(x, n) {
  return (x << n) | (x >>> (32 - n));
}

function words(bytes) {
  const out = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) {
    out[i] = bytes[4 * i] | (bytes[4 * i + 1] << 8) | (bytes[4 * i + 2] << 16) | (bytes[4 * i + 3] << 24);
  }
  return out;
}

/** The 64-byte ChaCha20 block for `key` (32 bytes), `counter`, `nonce` (12 bytes). */
function block(key, counter, nonce) {
  const state = new Uint32Array(16);
  state.set([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);
  state.set(words(key), 4);
  state[12] = counter;
  state.set(words(nonce), 13);
  const x = Uint32Array.from(state);
  const qr = (a, b, c, d) => {
    x[a] += x[b];
    x[d] = rotl(x[d] ^ x[a], 16);
    x[c] += x[d];
    x[b] = rotl(x[b] ^ x[c], 12);
    x[a] += x[b];
    x[d] = rotl(x[d] ^ x[a], 8);
    x[c] += x[d];
    x[b] = rotl(x[b] ^ x[c], 7);
  };
  for (let i = 0; i < 10; i++) {
    qr(0, 4, 8, 12);
    qr(1, 5, 9, 13);
    qr(2, 6, 10, 14);
    qr(3, 7, 11, 15);
    qr(0, 5, 10, 15);
    qr(1, 6, 11, 12);
    qr(2, 7, 8, 13);
    qr(3, 4, 9, 14);
  }
  const out = new Uint8Array(64);
  for (let i = 0; i < 16; i++) {
    const w = (x[i] + state[i]) >>> 0;
    out[4 * i] = w;
    out[4 * i + 1] = w >>> 8;
    out[4 * i + 2] = w >>> 16;
    out[4 * i + 3] = w >>> 24;
  }
  return out;
}

/** ChaCha20 of `data` from block `counter` on. */
function chacha20(key, counter, nonce, data) {
  const out = new Uint8Array(data.length);
  for (let at = 0, n = counter; at < data.length; at += 64, n++) {
    const stream = block(key, n, nonce);
    for (let i = 0; i < 64 && at + i < data.length; i++) out[at + i] = data[at + i] ^ stream[i];
  }
  return out;
}

function leNumber(bytes) {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

const P1305 = (1n << 130n) - 5n;

/** Poly1305 of `message` under a one-time 32-byte key. */
export function poly1305(key, message) {
  const r = leNumber(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = leNumber(key.subarray(16, 32));
  let acc = 0n;
  for (let at = 0; at < message.length; at += 16) {
    const chunk = message.subarray(at, Math.min(at + 16, message.length));
    acc = ((acc + leNumber(chunk) + (1n << BigInt(8 * chunk.length))) * r) % P1305;
  }
  let tag = (acc + s) & ((1n << 128n) - 1n);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    out[i] = Number(tag & 0xffn);
    tag >>= 8n;
  }
  return out;
}

function macData(aad, ciphertext) {
  const pad = (n) => (16 - (n % 16)) % 16;
  const out = new Uint8Array(aad.length + pad(aad.length) + ciphertext.length + pad(ciphertext.length) + 16);
  out.set(aad, 0);
  const at = aad.length + pad(aad.length);
  out.set(ciphertext, at);
  const lengths = new DataView(out.buffer, at + ciphertext.length + pad(ciphertext.length));
  lengths.setBigUint64(0, BigInt(aad.length), true);
  lengths.setBigUint64(8, BigInt(ciphertext.length), true);
  return out;
}

function check(key, nonce) {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new Error('a ChaCha20 key is 32 bytes');
  if (!(nonce instanceof Uint8Array) || nonce.length !== 12) throw new Error('a ChaCha20 nonce is 12 bytes');
}

/** The ciphertext followed by its 16-byte tag. */
export function seal(key, nonce, plaintext, aad = new Uint8Array(0)) {
  check(key, nonce);
  const ciphertext = chacha20(key, 1, nonce, plaintext);
  const tag = poly1305(block(key, 0, nonce).subarray(0, 32), macData(aad, ciphertext));
  const out = new Uint8Array(ciphertext.length + 16);
  out.set(ciphertext);
  out.set(tag, ciphertext.length);
  return out;
}

/** The plaintext, or null when the tag does not match (a wrong key or a changed byte). */
export function open(key, nonce, sealed, aad = new Uint8Array(0)) {
  check(key, nonce);
  if (sealed.length < 16) return null;
  const ciphertext = sealed.subarray(0, sealed.length - 16);
  const tag = poly1305(block(key, 0, nonce).subarray(0, 32), macData(aad, ciphertext));
  let diff = 0;
  for (let i = 0; i < 16; i++) diff |= tag[i] ^ sealed[sealed.length - 16 + i];
  return diff === 0 ? chacha20(key, 1, nonce, ciphertext) : null;
}
