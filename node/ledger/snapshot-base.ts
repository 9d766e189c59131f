import { assertCanonical, canonicalBytes, parseJson } from '../../contracts/codec/canonical.js';
import { type BlockHeader, headerDecoder } from '../../contracts/index.js';
import { SNAPSHOT_BASE_KEY, type Store, StoreCorruptError } from '../store/index.js';

/**
 * The header a store that started from a state snapshot keeps in place of the blocks it does
 * not hold: the snapshot's height is its first head, and its blocks begin one above.
 */

/** A header's canonical bytes, as a snapshot base is stored. */
export function encodeHeaderBytes(header: BlockHeader): Uint8Array {
  return canonicalBytes({ ...header });
}

/** The snapshot header a store started from, or undefined for a store that holds every block from 1. */
export async function readSnapshotBase(store: Store): Promise<BlockHeader | undefined> {
  const bytes = await store.getNodeData(SNAPSHOT_BASE_KEY);
  return bytes && decodeHeaderBytes(bytes);
}

/** A stored snapshot header from its bytes; StoreCorruptError if they are not a canonical header. */
export function decodeHeaderBytes(bytes: Uint8Array): BlockHeader {
  try {
    const parsed = parseJson(bytes, 4_096);
    const header = headerDecoder(parsed, 'header');
    assertCanonical(bytes, parsed);
    return header;
  } catch (error) {
    throw new StoreCorruptError(`the stored snapshot header does not decode (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** The height of the snapshot a store started from, or undefined if it holds every block from 1. */
export async function snapshotBaseHeight(store: Store): Promise<number | undefined> {
  return (await readSnapshotBase(store))?.height;
}
