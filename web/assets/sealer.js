// The ballot page's side of the encryption worker (crypto/worker.js): each call is a message
// answered by a promise. The page never receives a ballot's randomness but through `open`, for
// a ballot the delegate checks instead of casting.

export class Sealer {
  constructor() {
    this.worker = new Worker('/assets/crypto/worker.js', { type: 'module' });
    this.next = 1;
    this.waiting = new Map();
    this.worker.onmessage = (event) => {
      const { id, ok, error, ...answer } = event.data;
      const waiter = this.waiting.get(id);
      if (!waiter) return;
      this.waiting.delete(id);
      if (ok) waiter.resolve(answer);
      else waiter.reject(new Error(error));
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      const error = new Error(event.message || 'the encryption worker failed');
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
  }

  call(type, args = {}) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, ...args });
    });
  }

  /** The ballot to encrypt: GET /votes/{id}/ballot's `encryption`, and its number of rows. */
  setup(encryption, rows) {
    return this.call('setup', {
      jointKey: encryption.joint_key,
      manifestHash: encryption.manifest_hash,
      ballotId: encryption.ballot_id,
      choices: encryption.choices,
      rows,
    });
  }

  /** Encrypts row `row` for `mark` (a choice's index, or null) while the delegate goes on. */
  mark(row, mark) {
    return this.call('mark', { row, mark });
  }

  /** The whole ballot for `marks`: { ballot (bytes), trackingCode (hex), millis }. */
  seal(marks) {
    return this.call('seal', { marks });
  }

  /** The sealed ballot's { marks, randomness }; that ballot is spent. */
  open() {
    return this.call('open');
  }

  wipe() {
    return this.call('wipe');
  }

  stop() {
    this.worker.terminate();
    for (const waiter of this.waiting.values()) waiter.reject(new Error('stopped'));
    this.waiting.clear();
  }
}
