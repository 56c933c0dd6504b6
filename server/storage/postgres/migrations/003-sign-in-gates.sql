-- The sign-in gate of each (account, address) pair (server/limits/sign-in-gate.ts), shared by
-- every process. A sign-in attempt reads and writes its pair's row in one transaction holding
-- the row's lock, so concurrent attempts through several processes are decided one after the
-- other. Rows whose window ended are reaped by the maintenance job.
CREATE TABLE sign_in_gates (
  pair text PRIMARY KEY,
  tries integer NOT NULL,
  delays integer NOT NULL,
  -- ms since epoch: the next attempt past the free ones may run from then (0: not shut).
  open_at bigint NOT NULL,
  -- ms since epoch: the window ends and the row is forgotten (0: a row just made, no window yet).
  expire bigint NOT NULL
);
CREATE INDEX sign_in_gates_expire ON sign_in_gates(expire);
