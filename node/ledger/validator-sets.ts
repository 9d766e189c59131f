import {
  type BlockHeader,
  type CommitCertificate,
  encodeRecord,
  type MarketState,
  type StateProof,
  type Validator,
  ValidatorHistory,
  validatorsAt,
  type ValidatorSetChange,
} from '../../contracts/index.js';
import { fastVerify } from '../crypto/fast-verifier.js';
import type { Genesis } from '../home/genesis-file.js';

/**
 * The validator sets of a chain as one node knows them: the state's `validators` record for the
 * heights from its last change on, and the proofs of every change before (kept as node data,
 * validator-changes.ts) for the heights before that.
 */
export class ValidatorSets {
  private changes: readonly ValidatorSetChange[] = [];
  private history: ValidatorHistory;

  constructor(private readonly genesis: Genesis) {
    this.history = ValidatorHistory.ofGenesis(genesis.validators);
  }

  /** The set that commits block `height`, for heights up to two above the state's (a change applies two heights after it is adopted). */
  at(state: MarketState, height: number): readonly Validator[] {
    const record = state.validatorSet();
    if (record && height >= record.adoptedAt) return validatorsAt(record, height);
    return this.history.at(height);
  }

  /** The proofs of every change so far, in height order. */
  all(): readonly ValidatorSetChange[] {
    return this.changes;
  }

  /** Takes in the proofs a store holds (checked when their blocks were committed, or with the snapshot the node started from). */
  remember(changes: readonly ValidatorSetChange[]): void {
    let history = ValidatorHistory.ofGenesis(this.genesis.validators);
    for (const change of changes) history = history.extend(this.genesis.market.params.chainId, change, fastVerify);
    this.changes = changes;
    this.history = history;
  }

  /**
   * The proof of the change a block adopted, or undefined if it adopted none: its header and
   * commit, and the `validators` record of `state` (the state after the block) with its proof
   * against the block's state root.
   */
  adoptedBy(header: BlockHeader, commit: CommitCertificate, state: MarketState, prove: (key: string) => StateProof): ValidatorSetChange | undefined {
    const record = state.validatorSet();
    if (!record || record.adoptedAt !== header.height) return undefined;
    return { header, commit, record: encodeRecord(record), proof: prove('validators') };
  }
}
