/** The suite of push-concurrency.test.ts again, on PostgreSQL: every server it starts gets a database of the run's cluster. */
export {};

process.env.BURROW_TEST_STORE = 'postgres';
await import('./push-concurrency.test.ts');
