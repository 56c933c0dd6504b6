/**
 * One chaos run: a real server behind the wire tap and the fault proxy, browser devices and a
 * REST script writing at random while faults are injected, then a quiet final phase and the
 * audit. Used by the CLI (`npm run chaos`) and by `chaos.test.ts`.
 */
import { TABLE_NAMES } from '../../protocol/index.ts';
import { connect } from '../../server/storage/postgres/connect.ts';
import { startPgCluster } from '../../server/test-support/pg-cluster.ts';
import { ApiClient } from '../support/api-client.ts';
import { ensureAppBuilt, inPage, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';
import { type AuditReport, audit, type DeviceFinal, recordKey } from './audit.ts';
import { BrowserDevice } from './browser-device.ts';
import { type DatabaseFaults, type DeviceFault, type FaultKind, runFaults } from './fault-schedule.ts';
import { FeedReader } from './feed-reader.ts';
import { Ledger } from './ledger.ts';
import { type PlannedOp, planOp } from './op-planner.ts';
import { Prng } from './prng.ts';
import { recordsNamed, traceRecord } from './record-trace.ts';
import { createApiToken, RestActor } from './rest-actor.ts';
import { startWireTap, type WireTap } from './wire-tap.ts';

export interface ChaosOptions {
  /** Committed operations to reach (all clients together). */
  ops: number;
  seed: number;
  devices?: number;
  tabsPerDevice?: number;
  /** How long the final phase may take to reach a quiet, converged state. */
  settleTimeoutMs?: number;
  log?: (line: string) => void;
  /** `postgres`: a throwaway PostgreSQL cluster under the servers (default `sqlite`). */
  db?: 'sqlite' | 'postgres';
  /** Server processes on the one database (PostgreSQL only; default 1). */
  servers?: number;
}

export interface ChaosResult {
  seed: number;
  report: AuditReport;
  faults: Map<FaultKind, number>;
  /** `ops=N lost=0 duplicated=0 stuck=0 diverged=0 seed=S` */
  line: string;
}

const PASSWORD = 'chaos-password-1';

/** The final line of a run. */
export function summaryLine(report: AuditReport, seed: number): string {
  const { ops, lost, duplicated, stuck, diverged } = report;
  return `ops=${ops} lost=${lost} duplicated=${duplicated} stuck=${stuck} diverged=${diverged} seed=${seed}`;
}

/** Runs the whole harness and returns the audit; never leaves a process or browser behind. */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? (() => undefined);
  const rng = new Prng(options.seed);
  ensureAppBuilt();
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    const env: Record<string, string> = { BURROW_SCRYPT_COST: '1024', BURROW_LOGIN_LIMIT: '1000' };
    let database: DatabaseFaults | undefined;
    if (options.db === 'postgres') {
      const cluster = await startPgCluster({ fsync: true });
      cleanup.push(() => cluster.stop());
      await cluster.psql('CREATE DATABASE burrow');
      env.DATABASE_URL = cluster.url('burrow');
      database = {
        terminateConnections: async (server) => {
          const admin = connect(cluster.url('burrow'), { max: 1 });
          try {
            await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE application_name = ${`burrow-${server.pid}`}`;
          } finally {
            await admin.end();
          }
        },
        restart: () => cluster.restart('immediate'),
      };
    }
    const servers: ServerProcess[] = [];
    cleanup.push(() => Promise.all(servers.map((server) => server.stop())));
    for (let i = 0; i < (options.db === 'postgres' ? (options.servers ?? 1) : 1); i++) {
      servers.push(await startServer({ env }));
    }
    const tap = await startWireTap(servers.map((one) => one.url));
    cleanup.push(() => tap.close());
    const proxy = await startFaultProxy(tap.url);
    cleanup.push(() => proxy.close());
    const browser = await launchBrowser();
    cleanup.push(() => browser.close());
    const world = await setUp(options, servers, tap, proxy, browser, log);
    world.database = database;
    const faults = await chaosPhase(rng, options, world, log);
    const report = await settle(world, options.settleTimeoutMs ?? 120_000, log);
    for (const problem of report.problems) log(problem);
    for (const key of recordsNamed(report.problems)) for (const line of traceRecord(tap, key)) log(line);
    log(describeTraffic(world));
    return { seed: options.seed, report, faults, line: summaryLine(report, options.seed) };
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  }
}

interface World {
  servers: ServerProcess[];
  database?: DatabaseFaults;
  tap: WireTap;
  proxy: FaultProxy;
  api: ApiClient;
  devices: BrowserDevice[];
  rest: RestActor;
  feed: FeedReader;
  ledger: Ledger;
  workspaceId: string;
  baseline: Map<string, number>;
}

async function setUp(
  options: ChaosOptions,
  servers: ServerProcess[],
  tap: WireTap,
  proxy: FaultProxy,
  browser: TestBrowser,
  log: (line: string) => void,
): Promise<World> {
  // The account and the feed reader talk to the tap directly: they are the audit's eyes, not clients under test.
  const api = new ApiClient(tap.url);
  const email = `chaos-${options.seed}-${Date.now()}@example.com`;
  const signUp = await api.signUp(email, PASSWORD);
  if (signUp.status !== 201) throw new Error(`signup answered ${signUp.status}: ${JSON.stringify(signUp.body)}`);
  const workspaceId = signUp.body.workspaces[0].id;
  const baseline = new Map((await api.pullAll(0)).changes.map((envelope) => [recordKey(envelope), envelope.version]));
  const rest = new RestActor(proxy.url, await createApiToken(api));
  const devices: BrowserDevice[] = [];
  for (let i = 1; i <= (options.devices ?? 2); i++) {
    devices.push(
      await BrowserDevice.open(
        browser,
        `device-${i}`,
        proxy.url,
        { email, password: PASSWORD },
        options.tabsPerDevice ?? 2,
      ),
    );
  }
  const serverUrls = servers.map((one) => one.url).join(',');
  log(`seed=${options.seed} servers=${serverUrls} tap=${tap.url} proxy=${proxy.url} devices=${devices.length}`);
  const feed = new FeedReader(api);
  feed.start(250);
  return { servers, tap, proxy, api, devices, rest, feed, ledger: new Ledger(), workspaceId, baseline };
}

/** Actors write until the ledger holds `ops` committed ops, while the fault schedule runs. */
async function chaosPhase(rng: Prng, options: ChaosOptions, world: World, log: (line: string) => void) {
  const { ledger } = world;
  const requested = new Map<BrowserDevice, DeviceFault>();
  let finished = false;
  const enough = () => ledger.ops.length >= options.ops;
  const workspaces = () => [
    world.workspaceId,
    world.workspaceId,
    world.workspaceId,
    ...ledger.recordsOf('workspaces').map((workspace) => workspace.id),
  ];
  const actors = [
    ...world.devices.map((device) => deviceActor(rng.fork(), device, world, workspaces, requested, enough)),
    restActor(rng.fork(), world, workspaces, enough),
  ];
  const progress = setInterval(() => log(`ops ${ledger.ops.length}/${options.ops}`), 5_000);
  const faultRng = rng.fork();
  const schedule = runFaults(
    faultRng,
    {
      servers: world.servers,
      database: world.database,
      proxy: world.proxy,
      devices: world.devices,
      request: (device, fault) => requested.set(device, fault),
    },
    () => finished,
    log,
  );
  try {
    await Promise.all(actors);
  } finally {
    finished = true;
    clearInterval(progress);
  }
  return schedule;
}

async function deviceActor(
  rng: Prng,
  device: BrowserDevice,
  world: World,
  workspaces: () => string[],
  requested: Map<BrowserDevice, DeviceFault>,
  enough: () => boolean,
): Promise<void> {
  const { ledger } = world;
  while (!enough()) {
    const fault = requested.get(device);
    requested.delete(device);
    if (fault === 'close-tab') {
      const op = planOp(rng, ledger, workspaces(), { kinds: ['create', 'update'] });
      await device.runAndCloseTab(rng, op as Extract<PlannedOp, { kind: 'create' | 'update' }>, ledger, (token) =>
        world.tap.sawToken(token),
      );
    } else if (fault === 'reload-burst') {
      const ops = Array.from({ length: rng.int(2, 6) }, () => planOp(rng, ledger, workspaces()));
      await device.burstThenReload(rng, ops, ledger);
    } else {
      await device.run(device.pickTab(rng), planOp(rng, ledger, workspaces()), ledger);
    }
  }
}

async function restActor(rng: Prng, world: World, workspaces: () => string[], enough: () => boolean) {
  while (!enough()) {
    await world.rest.run(planOp(rng, world.ledger, workspaces()), world.ledger);
    // A script writes now and then, not in a tight loop.
    await new Promise((resolve) => setTimeout(resolve, rng.int(20, 200)));
  }
}

/**
 * Faults off, everyone online: flush, show and settle conflicts and failures (keeping their
 * ids for the audit), pull, until nothing is pending and every device equals the server, or
 * the time is up. Returns the audit of the last round.
 */
async function settle(world: World, timeoutMs: number, log: (line: string) => void): Promise<AuditReport> {
  world.proxy.clearRules();
  await world.feed.stop();
  for (const device of world.devices) if (device.offline) await device.setOffline(false);
  const seen = new Map(
    world.devices.map((device) => [device, { failed: new Set<string>(), conflicts: new Set<string>() }]),
  );
  const deadline = Date.now() + timeoutMs;
  for (let round = 1; ; round++) {
    await Promise.all(world.devices.map((device) => settleDevice(device, seen.get(device) as SeenLists)));
    await world.feed.catchUp();
    const report = await auditNow(world, seen);
    log(`settle round ${round}: stuck=${report.stuck} diverged=${report.diverged}`);
    if ((report.stuck === 0 && report.diverged === 0) || Date.now() > deadline) return report;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

interface SeenLists {
  failed: Set<string>;
  conflicts: Set<string>;
}

async function settleDevice(device: BrowserDevice, seen: SeenLists): Promise<void> {
  const tab = await device.mainTab();
  const lists = await inPage(tab, async (burrow) => {
    await burrow.flush();
    const conflicts = await burrow.conflicts();
    const failed = await burrow.failed();
    // The person takes the server's side of every conflict and drops every failure: the
    // records then show the server's copy, which the audit compares.
    for (const conflict of conflicts) await burrow.resolveConflict(conflict.id, { keep: 'theirs' });
    for (const entry of failed) await burrow.discardFailed(entry.id);
    await burrow.flush();
    await burrow.pull();
    return { conflicts: conflicts.map((conflict) => conflict.id), failed: failed.map((entry) => entry.id) };
  });
  for (const id of lists.conflicts) seen.conflicts.add(id);
  for (const id of lists.failed) seen.failed.add(id);
}

async function auditNow(world: World, seen: Map<BrowserDevice, SeenLists>): Promise<AuditReport> {
  const server = await world.api.pullAll(0);
  const devices: DeviceFinal[] = [];
  for (const device of world.devices) {
    const snapshot = await device.snapshot(TABLE_NAMES);
    const lists = seen.get(device) as SeenLists;
    devices.push({ name: device.name, ...snapshot, failedIds: lists.failed, conflictIds: lists.conflicts });
  }
  return audit({
    ops: world.ledger.ops,
    pushes: world.tap.pushes,
    restWrites: world.tap.restWrites,
    envelopes: world.tap.envelopes,
    baseline: world.baseline,
    server: server.changes,
    incremental: world.feed.records,
    devices,
  });
}

/** What the run did on the wire, so a reader can see the faults bit (and the counts mean something). */
function describeTraffic(world: World): string {
  const results = new Map<string, number>();
  let executed = 0;
  for (const push of world.tap.pushes) {
    const kind = push.outcome !== 'answered' ? push.outcome : push.replayed ? 'replayed' : String(push.status);
    results.set(`push ${kind}`, (results.get(`push ${kind}`) ?? 0) + 1);
    if (push.outcome !== 'answered' || push.replayed) continue;
    for (const result of push.response?.results ?? []) {
      executed += 1;
      results.set(result.status, (results.get(result.status) ?? 0) + 1);
    }
  }
  const refused = [...world.ledger.refused].map(([reason, count]) => `${reason} ×${count}`).join('; ');
  const kinds = new Map<string, number>();
  for (const op of world.ledger.ops) kinds.set(op.kind, (kinds.get(op.kind) ?? 0) + 1);
  return `ops by kind: ${JSON.stringify(Object.fromEntries(kinds))}; wire: ${JSON.stringify(Object.fromEntries(results))}, ${executed} results; rest writes ${world.tap.restWrites.length}; refused: ${refused}`;
}
