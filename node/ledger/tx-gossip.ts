/**
 * Transactions on the gossip topic, many to a message (one message per transaction would cap
 * throughput at the gossip layer's message rate): a u32 count, then per transaction a u32 byte
 * length and its wire form (UTF-8), little-endian. Decoding is strict: lengths in bounds, no
 * trailing bytes, valid UTF-8; the transactions themselves are decoded one by one afterwards.
 */

/** Transactions in one gossip message at most. */
export const MAX_TXS_PER_GOSSIP = 512;
/** Bytes of one gossip message of transactions at most. */
export const MAX_TX_GOSSIP_BYTES = 4 * 1024 * 1024;

// ignoreBOM: a leading byte-order mark is part of the bytes, not something to drop.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Encodes 1 to MAX_TXS_PER_GOSSIP non-empty transactions; throws a RangeError for what decodeTxBatch would refuse. */
export function encodeTxBatch(wires: readonly string[]): Uint8Array {
  if (wires.length === 0 || wires.length > MAX_TXS_PER_GOSSIP) throw new RangeError(`a gossip message holds 1 to ${MAX_TXS_PER_GOSSIP} transactions`);
  const encoded = wires.map((wire) => new TextEncoder().encode(wire));
  if (encoded.some((bytes) => bytes.length === 0)) throw new RangeError('a transaction in a gossip message is never empty');
  const total = 4 + encoded.reduce((sum, bytes) => sum + 4 + bytes.length, 0);
  if (total > MAX_TX_GOSSIP_BYTES) throw new RangeError(`a gossip message of transactions is at most ${MAX_TX_GOSSIP_BYTES} bytes`);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, encoded.length, true);
  let at = 4;
  for (const bytes of encoded) {
    view.setUint32(at, bytes.length, true);
    out.set(bytes, at + 4);
    at += 4 + bytes.length;
  }
  return out;
}

/** Decodes a gossip message of transactions; throws a RangeError on any malformation. */
export function decodeTxBatch(bytes: Uint8Array): string[] {
  if (bytes.length > MAX_TX_GOSSIP_BYTES) throw new RangeError(`a gossip message of transactions is at most ${MAX_TX_GOSSIP_BYTES} bytes`);
  if (bytes.length < 4) throw new RangeError('a gossip message of transactions starts with its count');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  if (count === 0 || count > MAX_TXS_PER_GOSSIP) throw new RangeError(`a gossip message holds 1 to ${MAX_TXS_PER_GOSSIP} transactions`);
  const wires: string[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) throw new RangeError('a transaction length runs past the end');
    const length = view.getUint32(at, true);
    if (length === 0 || at + 4 + length > bytes.length) throw new RangeError('a transaction runs past the end');
    try {
      wires.push(strictUtf8.decode(bytes.subarray(at + 4, at + 4 + length)));
    } catch {
      throw new RangeError('a transaction is not valid UTF-8');
    }
    at += 4 + length;
  }
  if (at !== bytes.length) throw new RangeError('trailing bytes after the last transaction');
  return wires;
}
