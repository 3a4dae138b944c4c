// A committee member's share file as the committee page writes it: the member's secret state
// (during the ceremony: the sealing secret and the polynomial; after it: the share), the same
// JSON fields as the command-line tool's file (src/committee_tool/share_file.rs), sealed with a
// key derived from a passphrase the member chooses. The browser has neither Argon2 nor
// ChaCha20-Poly1305, so the page's file is sealed with what WebCrypto has: PBKDF2-SHA-256
// (600,000 iterations) and AES-256-GCM. The command-line tool's files ("tinnhiem-committee-share/1")
// and the page's ("tinnhiem-committee-share-browser/1") are therefore not interchangeable.
// docs/verifiable.md §14.

export const FORMAT = 'tinnhiem-committee-share-browser/1';
/** The command-line tool's format, recognised to say so rather than "not a share file". */
export const TOOL_FORMAT = 'tinnhiem-committee-share/1';
export const ITERATIONS = 600_000;
export const MIN_PASSPHRASE = 8;

/** Why a file could not be read: `code` is 'form', 'tool-file' or 'passphrase'. */
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

async function deriveKey(passphrase, salt, iterations) {
  const material = await crypto.subtle.importKey('raw', utf8.encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** The file's text: `state` (the share file's fields) sealed with `passphrase`. */
export async function sealShareFile(state, passphrase) {
  if ([...passphrase].length < MIN_PASSPHRASE) {
    throw new ShareFileError('passphrase', `a passphrase of at least ${MIN_PASSPHRASE} characters`);
  }
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const key = await deriveKey(passphrase, salt, ITERATIONS);
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: nonce, additionalData: utf8.encode(FORMAT) },
    key,
    utf8.encode(JSON.stringify(state)),
  );
  return `${JSON.stringify(
    {
      format: FORMAT,
      kdf: 'pbkdf2-sha256',
      iterations: ITERATIONS,
      salt: hex(salt),
      nonce: hex(nonce),
      ciphertext: hex(new Uint8Array(sealed)),
    },
    null,
    2,
  )}\n`;
}

/** Opens a file's text with `passphrase`; throws ShareFileError. */
export async function openShareFile(text, passphrase) {
  let sealed;
  try {
    sealed = JSON.parse(text);
  } catch {
    throw new ShareFileError('form', 'not JSON');
  }
  if (sealed?.format === TOOL_FORMAT) {
    throw new ShareFileError('tool-file', 'written by the command-line tool');
  }
  // Bounded, so that a changed file cannot make the page work for hours.
  const sane = Number.isInteger(sealed?.iterations) && sealed.iterations >= 100_000 && sealed.iterations <= 10_000_000;
  if (sealed?.format !== FORMAT || sealed.kdf !== 'pbkdf2-sha256' || !sane) {
    throw new ShareFileError('form', 'not a share file');
  }
  const salt = unhex(sealed.salt);
  const nonce = unhex(sealed.nonce);
  const ciphertext = unhex(sealed.ciphertext);
  if (nonce.length !== 12 || salt.length < 16) throw new ShareFileError('form', 'not a share file');
  const key = await deriveKey(passphrase, salt, sealed.iterations);
  let plain;
  try {
    plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: nonce, additionalData: utf8.encode(FORMAT) },
      key,
      ciphertext,
    );
  } catch {
    throw new ShareFileError('passphrase', 'the passphrase does not open it (or the file was changed)');
  }
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
