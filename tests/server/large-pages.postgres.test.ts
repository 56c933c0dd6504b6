/** The suite of large-pages.test.ts again, on PostgreSQL: every server it starts gets a database of the run's cluster. */
export {};

process.env.BURROW_TEST_STORE = 'postgres';
await import('./large-pages.test.ts');
