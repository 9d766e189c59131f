import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Block, blockContentHash, type KeyPair, type VoteType } from '../../contracts/index.js';
import { signProposal, signVote, type SignedProposal } from './messages.js';
import type { RestoredState, VoteIn } from './tendermint.js';

/**
 * The validator's signing key behind a guard that never signs two different messages for one
 * height, round and step, even across a crash: the last signed (height, round, step), the hash
 * of what was signed and the signature are written durably (a temporary file, fsync, rename,
 * fsync of the folder) before the signature is handed out. Asked again for exactly the same
 * message, it returns the same signature; asked for anything else at or before that position,
 * it refuses with DoubleSignRefused.
 *
 * It also keeps the consensus lock (Alg. 1 lines 38–39, 42–43) of the current height in a
 * second file (rounds and block hashes), written before the precommit that follows a lock, so a
 * validator that restarts in the middle of a height does not prevote against its own lock.
 */

const STEP_NUMBER = { proposal: 1, prevote: 2, precommit: 3 } as const;
type SigningStep = keyof typeof STEP_NUMBER;

interface LastSigned {
  readonly height: number;
  readonly round: number;
  readonly step: number;
  readonly signBytesHash: string;
  readonly signature: string;
}

/** A refusal to sign that would contradict something this validator already signed. */
export class DoubleSignRefused extends Error {
  override readonly name = 'DoubleSignRefused';
}

/** The signing-state file is unreadable: the node must not sign until an operator looks. */
export class SigningStateCorrupt extends Error {
  override readonly name = 'SigningStateCorrupt';
}

export const SIGNING_STATE_FILE = 'signing-state.json';
export const LOCK_FILE = 'consensus-lock.json';

/** Writes `text` to `file` so that after a crash the file holds either the old or the new text, whole. */
export async function writeFileDurably(file: string, text: string): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    // A temporary file left by a crash keeps its old mode through open(): set it again.
    await handle.chmod(0o600);
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
  const folder = await open(dirname(file), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isLastSigned(value: unknown): value is LastSigned {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    Number.isSafeInteger(v.height) &&
    (v.height as number) >= 1 &&
    Number.isSafeInteger(v.round) &&
    (v.round as number) >= 0 &&
    (v.step === 1 || v.step === 2 || v.step === 3) &&
    typeof v.signBytesHash === 'string' &&
    /^[0-9a-f]{64}$/.test(v.signBytesHash) &&
    typeof v.signature === 'string' &&
    /^[0-9a-f]{128}$/.test(v.signature)
  );
}

interface StoredCarried {
  readonly round: number;
  readonly valueId: string;
}

interface StoredLock {
  readonly height: number;
  readonly locked?: StoredCarried;
  readonly valid?: StoredCarried;
}

export class PrivateValidator {
  private queue: Promise<unknown> = Promise.resolve();
  private lockKey = '';

  private constructor(
    private readonly folder: string,
    private readonly key: KeyPair,
    private readonly chainId: string,
    private last: LastSigned | undefined,
  ) {}

  /** Opens the guard whose files live in `folder` (the node's data folder). */
  static async open(folder: string, key: KeyPair, chainId: string): Promise<PrivateValidator> {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const text = await readIfPresent(join(folder, SIGNING_STATE_FILE));
    let last: LastSigned | undefined;
    if (text !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new SigningStateCorrupt(`${join(folder, SIGNING_STATE_FILE)} is not JSON`);
      }
      if (!isLastSigned(parsed)) throw new SigningStateCorrupt(`${join(folder, SIGNING_STATE_FILE)} does not hold a signing state`);
      last = parsed;
    }
    return new PrivateValidator(folder, key, chainId, last);
  }

  get account(): string {
    return this.key.account;
  }

  /** The last height, round and step signed, if any. */
  lastSigned(): { readonly height: number; readonly round: number; readonly step: number } | undefined {
    return this.last && { height: this.last.height, round: this.last.round, step: this.last.step };
  }

  signVote(vote: { readonly type: VoteType; readonly height: number; readonly round: number; readonly valueId: string | null }): Promise<VoteIn> {
    const signed = signVote(this.chainId, this.key.secretKey, this.key.account, vote);
    return this.guard(vote.type, vote.height, vote.round, `${vote.type}\n${vote.valueId ?? ''}`, signed.signature).then((signature) => ({ ...signed, signature }));
  }

  signProposal(proposal: { readonly height: number; readonly round: number; readonly validRound: number; readonly value: Block; readonly valueId: string }): Promise<SignedProposal> {
    const signed = signProposal(this.chainId, this.key.secretKey, this.key.account, proposal);
    return this.guard('proposal', proposal.height, proposal.round, `proposal\n${proposal.validRound}\n${proposal.valueId}\n${blockContentHash(proposal.value)}`, signed.signature).then((signature) => ({
      ...signed,
      signature,
    }));
  }

  /**
   * Persists the lock and valid value of `height` (their rounds and block hashes, not the
   * blocks: a lock is kept by id), if they changed.
   */
  saveCarried(height: number, carried: RestoredState<Block>): Promise<void> {
    const stored: StoredLock = {
      height,
      ...(carried.locked ? { locked: { round: carried.locked.round, valueId: carried.locked.valueId } } : {}),
      ...(carried.valid ? { valid: { round: carried.valid.round, valueId: carried.valid.valueId } } : {}),
    };
    const text = JSON.stringify(stored);
    if (text === this.lockKey) return this.queue.then(() => undefined);
    return this.enqueue(async () => {
      await writeFileDurably(join(this.folder, LOCK_FILE), text);
      // Remembered only once written, so a failed write is tried again next time.
      this.lockKey = text;
    });
  }

  /** The lock and valid value saved for `height` (ids and rounds), or nothing (another height, or none saved). */
  async loadCarried(height: number): Promise<RestoredState<Block>> {
    const text = await readIfPresent(join(this.folder, LOCK_FILE));
    if (text === undefined) return {};
    try {
      const stored = JSON.parse(text) as StoredLock;
      if (stored.height !== height) return {};
      const restore = (carried: StoredCarried | undefined) =>
        carried && Number.isSafeInteger(carried.round) && carried.round >= 0 && /^[0-9a-f]{64}$/.test(carried.valueId) ? { round: carried.round, valueId: carried.valueId } : undefined;
      const locked = restore(stored.locked);
      const valid = restore(stored.valid);
      return { ...(locked ? { locked } : {}), ...(valid ? { valid } : {}) };
    } catch {
      // A lock file that does not read is treated as none: the signing guard still prevents double signing.
      return {};
    }
  }

  private guard(step: SigningStep, height: number, round: number, what: string, signature: string): Promise<string> {
    return this.enqueue(async () => {
      const stepNumber = STEP_NUMBER[step];
      const signBytesHash = createHash('sha256').update(`${this.chainId}\n${height}\n${round}\n${what}`).digest('hex');
      const last = this.last;
      if (last !== undefined) {
        const order = height - last.height || round - last.round || stepNumber - last.step;
        if (order < 0) throw new DoubleSignRefused(`refusing to sign ${step} at ${height}/${round}: already signed ${last.height}/${last.round} step ${last.step}`);
        if (order === 0) {
          if (last.signBytesHash === signBytesHash) return last.signature;
          throw new DoubleSignRefused(`refusing to sign a second, different ${step} at ${height}/${round}`);
        }
      }
      const next: LastSigned = { height, round, step: stepNumber, signBytesHash, signature };
      await writeFileDurably(join(this.folder, SIGNING_STATE_FILE), JSON.stringify(next));
      this.last = next;
      return signature;
    });
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
