/**
 * The fault schedule: one fault at a time, at seeded random moments, until the actors finish.
 * Offline flips, a SIGKILL and restart of a server, the fault proxy's per-request faults,
 * a stopped service worker (never while a device is offline: ENVIRONMENT.md), and requests to
 * device actors to close a tab mid-commit or reload one mid-drain; on PostgreSQL also a server's
 * database connections terminated and the database crashed and restarted.
 */

import { stopServiceWorkers } from '../support/browser.ts';
import type { FaultProxy, FaultRule } from '../support/fault-proxy.ts';
import type { ServerProcess } from '../support/server-process.ts';
import type { BrowserDevice } from './browser-device.ts';
import type { Prng } from './prng.ts';

/** A disruption the device actor performs itself, at its next op. */
export type DeviceFault = 'close-tab' | 'reload-burst';

/** The database under several servers, for the faults that hit it (PostgreSQL runs only). */
export interface DatabaseFaults {
  /** Ends one server's database connections (`pg_terminate_backend`). */
  terminateConnections(server: ServerProcess): Promise<void>;
  /** Crashes and restarts the database (`pg_ctl restart -m immediate`). */
  restart(): Promise<void>;
}

export interface FaultTargets {
  servers: readonly ServerProcess[];
  database?: DatabaseFaults;
  proxy: FaultProxy;
  devices: readonly BrowserDevice[];
  /** Hands a fault to a device's actor. */
  request(device: BrowserDevice, fault: DeviceFault): void;
}

const FAULT_WEIGHTS = {
  offline: 18,
  'server-kill': 6,
  'drop-after-commit': 14,
  'server-error': 12,
  'retry-after': 8,
  delay: 10,
  'deliver-twice': 10,
  'worker-stop': 7,
  'close-tab': 8,
  'reload-burst': 7,
} as const;

/** Faults of the database under several servers, added when there is one. */
const DATABASE_FAULT_WEIGHTS = {
  'db-terminate': 5,
  'db-restart': 2,
} as const;

export type FaultKind = keyof typeof FAULT_WEIGHTS | keyof typeof DATABASE_FAULT_WEIGHTS;

/** Runs faults until `done()` is true; returns how many of each kind it injected. */
export async function runFaults(
  rng: Prng,
  targets: FaultTargets,
  done: () => boolean,
  log: (line: string) => void,
): Promise<Map<FaultKind, number>> {
  const counts = new Map<FaultKind, number>();
  while (!done()) {
    await sleep(rng.int(100, 700));
    if (done()) break;
    const kind: FaultKind = rng.weighted(
      targets.database ? { ...FAULT_WEIGHTS, ...DATABASE_FAULT_WEIGHTS } : FAULT_WEIGHTS,
    );
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    log(`fault ${kind}`);
    await inject(kind, rng, targets);
  }
  return counts;
}

async function inject(kind: FaultKind, rng: Prng, targets: FaultTargets): Promise<void> {
  const { proxy, servers, devices } = targets;
  switch (kind) {
    case 'offline': {
      const device = rng.pick(devices);
      await device.setOffline(true);
      await sleep(rng.int(100, 1500));
      await device.setOffline(false);
      return;
    }
    case 'server-kill': {
      // One server: no draw, so the seeded single-server runs keep their sequence.
      const server = servers.length === 1 ? servers[0] : rng.pick(servers);
      await server.kill();
      await sleep(rng.int(50, 1200));
      await server.restart();
      return;
    }
    case 'db-terminate':
      await targets.database?.terminateConnections(rng.pick(servers));
      return;
    case 'db-restart':
      await targets.database?.restart();
      return;
    case 'drop-after-commit':
      return addRule(proxy, rng, { kind: 'drop-after-commit' });
    case 'server-error':
      return addRule(proxy, rng, { kind: 'status', status: rng.pick([500, 502, 503] as const) });
    case 'retry-after':
      return addRule(proxy, rng, { kind: 'status', status: rng.pick([503, 429] as const), retryAfterSeconds: 1 });
    case 'delay':
      return addRule(proxy, rng, {
        kind: 'delay',
        ms: rng.int(100, 2500),
        at: rng.pick(['request', 'response'] as const),
      });
    case 'deliver-twice':
      return addRule(proxy, rng, { kind: 'duplicate' });
    case 'worker-stop': {
      // Stopping the worker while a context is offline hangs its return online (ENVIRONMENT.md).
      const device = devices.find((candidate) => !candidate.offline);
      if (!device || devices.some((candidate) => candidate.offline)) return;
      await stopServiceWorkers(await device.mainTab());
      return;
    }
    case 'close-tab':
    case 'reload-burst':
      targets.request(rng.pick(devices), kind);
      return;
  }
}

function addRule(proxy: FaultProxy, rng: Prng, action: FaultRule['action']): void {
  // Mostly pushes; sometimes REST writes and pulls, so the script and the pull loop meet faults too.
  const target = rng.weighted({ push: 6, rest: 2, pull: 2 });
  const rule: FaultRule =
    target === 'push'
      ? { method: 'POST', path: '/api/sync/push', action }
      : target === 'rest'
        ? { path: /^\/api\/(?!sync\/|auth\/)[a-zA-Z]+(\/[^/]+)?$/, action }
        : { method: 'GET', path: '/api/sync/pull', action };
  proxy.addRule({ ...rule, times: rng.int(1, 3) });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
