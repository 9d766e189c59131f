-- The index: a read-optimised projection of committed blocks and their events.
-- Amounts are numeric(78,0) (whole units of an asset's smallest denomination), read back as
-- bigint. Heights, times (unix seconds) and ids are bigint. Everything here can be rebuilt from
-- the block store with `lendnet reindex`.

-- The last block the index holds, advanced in the same transaction as that block's rows.
CREATE TABLE index_cursor (
  id smallint PRIMARY KEY CHECK (id = 1),
  chain_id text NOT NULL,
  height bigint NOT NULL,
  block_hash text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE blocks (
  height bigint PRIMARY KEY,
  hash text NOT NULL UNIQUE,
  previous_hash text NOT NULL,
  time bigint NOT NULL,
  proposer text NOT NULL,
  tx_count integer NOT NULL,
  tx_root text NOT NULL,
  state_root text NOT NULL,
  -- Round in which the block was decided, and how many validators signed its commit.
  commit_round integer NOT NULL,
  commit_signers integer NOT NULL
);
CREATE INDEX blocks_time ON blocks (time);

CREATE TABLE txs (
  id text PRIMARY KEY,
  height bigint NOT NULL, -- the block's (no foreign key: the projector writes both, and a check per row halves its rate)
  position integer NOT NULL,
  signer text NOT NULL,
  type text NOT NULL,
  nonce numeric(20,0) NOT NULL,
  time bigint NOT NULL,
  body json NOT NULL,
  UNIQUE (height, position)
);
CREATE INDEX txs_signer ON txs (signer, height DESC, position DESC);

CREATE TABLE assets (
  id text PRIMARY KEY,
  name text NOT NULL,
  decimals integer NOT NULL,
  issuer text NOT NULL,
  minted numeric(78,0) NOT NULL DEFAULT 0,
  burned numeric(78,0) NOT NULL DEFAULT 0
);

CREATE TABLE accounts (
  account text PRIMARY KEY,
  -- Height at which the account first appeared (0: genesis), and its last transaction's.
  first_height bigint NOT NULL,
  last_height bigint,
  tx_count bigint NOT NULL DEFAULT 0,
  next_nonce numeric(20,0) NOT NULL DEFAULT 0
);

CREATE TABLE balances (
  account text NOT NULL,
  asset text NOT NULL,
  amount numeric(78,0) NOT NULL CHECK (amount >= 0),
  updated_height bigint NOT NULL,
  PRIMARY KEY (account, asset)
);

-- An account's history as a borrower; absent: no loan taken yet.
CREATE TABLE credit_records (
  account text PRIMARY KEY,
  loans_taken integer NOT NULL,
  loans_repaid integer NOT NULL,
  repaid_on_time integer NOT NULL,
  late_payments integer NOT NULL,
  defaults integer NOT NULL,
  updated_height bigint NOT NULL
);

-- Both sides of the book. rate_bps is a lend offer's APR or a borrow request's highest APR.
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  side text NOT NULL CHECK (side IN ('lend', 'borrow')),
  owner text NOT NULL,
  asset text NOT NULL,
  amount numeric(78,0) NOT NULL,
  remaining numeric(78,0) NOT NULL,
  rate_bps integer NOT NULL,
  term bigint NOT NULL,
  schedule text NOT NULL,
  installments integer NOT NULL,
  -- Lend offers: ticket bounds and the collateral ratio asked of borrowers.
  min_ticket numeric(78,0),
  max_ticket numeric(78,0),
  collateral_asset text,
  collateral_ratio_bps integer,
  -- Borrow requests: collateral escrowed, and whether the request may be funded in part.
  collateral_amount numeric(78,0),
  collateral_remaining numeric(78,0),
  partial boolean,
  status text NOT NULL CHECK (status IN ('open', 'filled', 'cancelled', 'expired', 'accepted')),
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  created_height bigint NOT NULL,
  closed_height bigint,
  updated_height bigint NOT NULL
);
-- The book sorted by rate, term or amount, either way, ties oldest first: one index per order.
CREATE INDEX orders_book_rate ON orders (side, asset, rate_bps, id) WHERE status = 'open';
CREATE INDEX orders_book_rate_desc ON orders (side, asset, rate_bps DESC, id) WHERE status = 'open';
CREATE INDEX orders_book_term ON orders (side, asset, term, id) WHERE status = 'open';
CREATE INDEX orders_book_term_desc ON orders (side, asset, term DESC, id) WHERE status = 'open';
CREATE INDEX orders_book_remaining ON orders (side, asset, remaining, id) WHERE status = 'open';
CREATE INDEX orders_book_remaining_desc ON orders (side, asset, remaining DESC, id) WHERE status = 'open';
CREATE INDEX orders_book_newest ON orders (side, asset, id) WHERE status = 'open';
CREATE INDEX orders_owner ON orders (owner, id DESC);

-- Lenders' funds escrowed against a borrow request.
CREATE TABLE order_commitments (
  order_id bigint NOT NULL REFERENCES orders (id),
  lender text NOT NULL,
  amount numeric(78,0) NOT NULL,
  PRIMARY KEY (order_id, lender)
);
CREATE INDEX order_commitments_lender ON order_commitments (lender);

CREATE TABLE loans (
  id bigint PRIMARY KEY,
  borrower text NOT NULL,
  asset text NOT NULL,
  principal numeric(78,0) NOT NULL,
  apr_bps integer NOT NULL,
  term bigint NOT NULL,
  schedule text NOT NULL,
  installments integer NOT NULL,
  start_time bigint NOT NULL,
  order_id bigint NOT NULL,
  collateral_asset text,
  collateral_amount numeric(78,0),
  status text NOT NULL CHECK (status IN ('active', 'repaid', 'defaulted')),
  paid_installments integer NOT NULL,
  paid_interest numeric(78,0) NOT NULL,
  paid_principal numeric(78,0) NOT NULL,
  late_fee_owed numeric(78,0) NOT NULL,
  late_installments integer NOT NULL,
  total_paid_late_fees numeric(78,0) NOT NULL,
  total_paid_interest numeric(78,0) NOT NULL,
  total_paid_principal numeric(78,0) NOT NULL,
  -- When the next unpaid installment is due; null once the loan is closed.
  next_due bigint,
  closed_at bigint,
  origin_height bigint NOT NULL,
  origin_tx text,
  updated_height bigint NOT NULL
);
CREATE INDEX loans_borrower ON loans (borrower, id DESC);
CREATE INDEX loans_status_due ON loans (status, next_due);
CREATE INDEX loans_status_id ON loans (status, id DESC);

-- Each lender's part of a loan, with what it has received so far.
CREATE TABLE loan_shares (
  loan_id bigint NOT NULL REFERENCES loans (id),
  lender text NOT NULL,
  principal numeric(78,0) NOT NULL,
  received_principal numeric(78,0) NOT NULL DEFAULT 0,
  received_interest numeric(78,0) NOT NULL DEFAULT 0,
  received_late_fees numeric(78,0) NOT NULL DEFAULT 0,
  collateral_received numeric(78,0) NOT NULL DEFAULT 0,
  PRIMARY KEY (loan_id, lender)
);
CREATE INDEX loan_shares_lender ON loan_shares (lender, loan_id DESC);

CREATE TABLE installments (
  loan_id bigint NOT NULL REFERENCES loans (id),
  number integer NOT NULL,
  due bigint NOT NULL,
  principal numeric(78,0) NOT NULL,
  interest numeric(78,0) NOT NULL,
  status text NOT NULL CHECK (status IN ('due', 'paid', 'late', 'defaulted', 'waived')),
  PRIMARY KEY (loan_id, number)
);

-- Every repayment: one row per loan per transaction that paid it.
CREATE TABLE payments (
  height bigint NOT NULL,
  seq integer NOT NULL,
  loan_id bigint NOT NULL REFERENCES loans (id),
  tx_id text NOT NULL,
  payer text NOT NULL,
  prepay boolean NOT NULL,
  late_fees numeric(78,0) NOT NULL,
  interest numeric(78,0) NOT NULL,
  principal numeric(78,0) NOT NULL,
  interest_waived numeric(78,0) NOT NULL,
  time bigint NOT NULL,
  PRIMARY KEY (height, seq)
);
CREATE INDEX payments_loan ON payments (loan_id, height, seq);

-- The domain events of every block, in order (transfers, payouts, orders, loans, repayments,
-- credit), each as the ledger emitted it. The balance changes they cause are in `balances`.
-- tx_position is null for the end-of-block rules. Amounts inside `data` are decimal strings.
CREATE TABLE events (
  height bigint NOT NULL, -- the block's, as in txs
  seq integer NOT NULL,
  tx_position integer,
  tx_id text,
  type text NOT NULL,
  loan_id bigint,
  order_id bigint,
  time bigint NOT NULL,
  data json NOT NULL,
  PRIMARY KEY (height, seq)
);
CREATE INDEX events_loan ON events (loan_id, height, seq) WHERE loan_id IS NOT NULL;
CREATE INDEX events_order ON events (order_id, height, seq) WHERE order_id IS NOT NULL;

-- The accounts each event concerns, so one account's history is one index scan (either way).
CREATE TABLE account_events (
  account text NOT NULL,
  height bigint NOT NULL,
  seq integer NOT NULL,
  PRIMARY KEY (account, height, seq)
);
