/** The e2e devnet's rules after a missed due time (seconds of block time), shared by e2e/serve.ts and the tests. */
export const E2E_GRACE_PERIOD = 5;
export const E2E_DEFAULT_PERIOD = 20;
