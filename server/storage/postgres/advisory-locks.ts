/**
 * The advisory lock keys of Burrow on PostgreSQL, in one place so no two uses collide. Each
 * is a (namespace, key) pair for `pg_advisory_xact_lock(int, int)`/`pg_try_advisory_lock`.
 */

/** Burrow's namespace: "Brw" in ASCII. */
export const LOCK_NAMESPACE = 0x427277;

export const LOCKS = {
  /** Held by the migrator for its whole transaction: one process migrates, the others wait. */
  migrations: 1,
  /** Held by the process running the periodic jobs (purge, reapers): they run once, not once per process. */
  maintenance: 2,
  /** Held by a preview claim: the limits over every process's runners are read and kept by one claim at a time. */
  previewClaims: 3,
} as const;
