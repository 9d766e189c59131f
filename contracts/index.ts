/**
 * contracts/: the market's rules as a pure state machine. The node executes it, the index
 * is built from its events, the browser signs with it and auditors replay it. No I/O, no
 * clock, no randomness: time comes in as the block's time.
 */
export { encodeCanonical, canonicalBytes, fromHex, parseJson, toHex, utf8, type CanonicalValue } from './codec/canonical.js';
export { REFUSAL_CODES, Refusal, isRefusal, type RefusalCode, type RefusalDetails } from './errors.js';
export { progressOf, type LenderPayment, type LoanProgress, type MarketEvent } from './events.js';
export { amountOwed, payoffQuote } from './loans/payments.js';
export { buildPlan, type ScheduleInput } from './loans/schedule.js';
export { applyTransaction, checkTransaction, endBlock, genesisState, processTransaction, type TxOutcome } from './machine.js';
export { BPS, MAX_AMOUNT, collateralRequired, splitProRata } from './money.js';
export { SECONDS_PER_YEAR, devnetParams, validateGenesis, type Allocation, type AssetDefinition, type MarketGenesis, type NetworkParams } from './params.js';
export {
  EMPTY_STATE_ROOT,
  stateKeyHash,
  stateLeafHash,
  stateLeafValue,
  stateProofOf,
  stateRootOf,
  stateValueBytes,
  stateValueHash,
  verifyStateProof,
  type StateProof,
} from './proofs/state-proof.js';
export { EMPTY_TX_ROOT, txInclusionProof, txRoot, verifyTxInclusion, type TxInclusionProof } from './proofs/tx-merkle.js';
export { MarketState } from './state/market-state.js';
export * from './state/records.js';
export { decodeRecord, encodeRecord } from './state/record-codec.js';
export {
  MAX_TX_BYTES,
  SIGN_DOMAIN,
  SIGNER_KEY_REFUSAL,
  decodeTransaction,
  encodeEnvelope,
  hasValidSignature,
  signBytes,
  signBytesOf,
  signTransaction,
  txId,
  type SignedTransaction,
  type Transaction,
} from './tx/envelope.js';
export { generateKeyPair, isValidAccountId, isValidAccountKey, keyPairFromSecret, rememberAcceptedSigner, signMessage, verifySignature, type KeyPair } from './tx/keys.js';
export type { BlockContext } from './txs/definition.js';
export { TX_DEFINITIONS, bodyDecoder, txDefinition, type TxBodies, type TxType } from './txs/registry.js';
export {
  BLOCK_DOMAIN,
  GENESIS_PREVIOUS_HASH,
  PROPOSAL_DOMAIN,
  VOTE_DOMAIN,
  blockHash,
  precommitBytes,
  proposalBytes,
  validatorsHash,
  voteBytes,
  type BlockHeader,
  type CommitCertificate,
  type Precommit,
  type Validator,
  type VoteType,
} from './chain/block.js';
export { MAX_BLOCK_TXS, MAX_PRECOMMITS, blockContentHash, blockDecoder, blockValue, commitDecoder, decodeBlock, decodeCommit, encodeBlock, encodeCommit, headerDecoder, type Block } from './chain/block-codec.js';
export { checkCommit, isQuorum, type CommitFault } from './chain/commit.js';
export {
  ADOPTION_DELAY,
  MAX_OPEN_PROPOSALS,
  MAX_VALIDATOR_POWER,
  MAX_VALIDATORS,
  genesisValidatorSet,
  validatorsAt,
  type ValidatorProposal,
  type ValidatorSetRecord,
} from './validators/validator-set.js';
export {
  MAX_VALIDATOR_CHANGES,
  ValidatorHistory,
  ValidatorHistoryError,
  validatorChangeDecoder,
  validatorChangesDecoder,
  verifyValidatorHistory,
  type ValidatorSetChange,
} from './validators/validator-history.js';
