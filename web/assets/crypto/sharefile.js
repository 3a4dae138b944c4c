// A committee member's share file, as the command-line tool writes it
// (src/committee_tool/share_file.rs), so that a member can use the page or
// `tinnhiem committee ceremony` / `decrypt` with the same file: the member's secret state (during
// the ceremony the sealing secret and the polynomial; after it the share), as JSON, sealed with
// a key derived from a passphrase they choose with Argon2id (m = 19 MiB, t = 3, p = 1), then
// ChaCha20-Poly1305 with the format's name as associated data. docs/verifiable.md §14.1.

import { argon2id } from './argon2.js';
import * as AEAD from './chacha20poly1305.js';

export const FORMAT = 'tinnhiem-committee-share/1';
export const MEMORY_KIB = 19 * 1024;
export const PASSES = 3;
export const MIN_PASSPHRASE = 8;
/** The most memory a file may ask of the browser (the tool allows 1 GiB). */
const MOST_KIB = 256 * 1024;

/** Why a file could not be read or written: `code` is 'form' or 'passphrase'. */
export class ShareFileError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const utf8 = new TextEncoder();

function hex(bytes) {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function unhex(text) {
  if (typeof text !== 'string' || text.length % 2 !== 0 || !/^[0-9a-f]*$/.test(text)) {
    throw new ShareFileError('form', 'not lowercase hex');
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * The 32-byte key from the passphrase: Argon2id with p = 1, here or by `derive` (the page runs
 * it in a worker, where its second or two of work does not freeze the page).
 */
function directDerive({ passphrase, salt, memoryKiB, passes }) {
  return argon2id({ password: utf8.encode(passphrase), salt, memoryKiB, passes, parallelism: 1, tagLength: 32 });
}

/** The file's text: `state` (the share file's fields) sealed with `passphrase`. */
export async function sealShareFile(state, passphrase, { derive = directDerive } = {}) {
  if ([...passphrase].length < MIN_PASSPHRASE) {
    throw new ShareFileError('passphrase', `a passphrase of at least ${MIN_PASSPHRASE} characters`);
  }
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const key = await derive({ passphrase, salt, memoryKiB: MEMORY_KIB, passes: PASSES });
  const ciphertext = AEAD.seal(key, nonce, utf8.encode(JSON.stringify(state)), utf8.encode(FORMAT));
  key.fill(0);
  return JSON.stringify(
    {
      format: FORMAT,
      kdf: 'argon2id',
      memory_kib: MEMORY_KIB,
      passes: PASSES,
      salt: hex(salt),
      nonce: hex(nonce),
      ciphertext: hex(ciphertext),
    },
    null,
    2,
  );
}

/** Opens a file's text with `passphrase`; throws ShareFileError. */
export async function openShareFile(text, passphrase, { derive = directDerive } = {}) {
  let sealed;
  try {
    sealed = JSON.parse(text);
  } catch {
    throw new ShareFileError('form', 'not JSON');
  }
  // Bounded, so that a changed file cannot make the page exhaust the device's memory.
  const sane =
    Number.isInteger(sealed?.memory_kib) &&
    sealed.memory_kib >= 8 &&
    sealed.memory_kib <= MOST_KIB &&
    Number.isInteger(sealed.passes) &&
    sealed.passes >= 1 &&
    sealed.passes <= 16;
  if (sealed?.format !== FORMAT || sealed.kdf !== 'argon2id' || !sane) {
    throw new ShareFileError('form', 'not a share file');
  }
  const salt = unhex(sealed.salt);
  const nonce = unhex(sealed.nonce);
  const ciphertext = unhex(sealed.ciphertext);
  if (nonce.length !== 12 || salt.length < 8) throw new ShareFileError('form', 'not a share file');
  const key = await derive({ passphrase, salt, memoryKiB: sealed.memory_kib, passes: sealed.passes });
  const plain = AEAD.open(key, nonce, ciphertext, utf8.encode(FORMAT));
  key.fill(0);
  if (!plain) throw new ShareFileError('passphrase', 'the passphrase does not open it (or the file was changed)');
  let state;
  try {
    state = JSON.parse(new TextDecoder().decode(plain));
  } catch {
    throw new ShareFileError('form', 'not a share file');
  }
  if (typeof state?.committee_id !== 'string' || !Number.isInteger(state.position)) {
    throw new ShareFileError('form', 'not a share file');
  }
  state.decrypted = Array.isArray(state.decrypted) ? state.decrypted : [];
  return state;
}
