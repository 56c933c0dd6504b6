/**
 * An import as a durable job: the file and what it adds are stored in IndexedDB before the
 * first write, so an import cut short (reload, crash, closed tab) finishes when the app opens
 * again, exactly once.
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import { newId } from '../../protocol/index.ts';
import type { BurrowClient } from '../api/client.ts';
import type { ImportFormat } from './import-formats.ts';
import { planImport } from './import-formats.ts';
import { commitImportPlan, countPlan, type ImportCounts } from './import-plan.ts';
import { readWorkspaceIndex } from './workspace-index.ts';

/** An import not yet finished. */
export interface ImportJob {
  id: string;
  /** The account whose database it writes (`local` signed out): another account never resumes it. */
  accountKey: string;
  workspaceId: string;
  format: ImportFormat;
  fileName: string;
  text: string;
  /** What the whole import adds, as planned at its start: the summary shown at its end. */
  counts: ImportCounts;
  /** Records it creates in all, and how many of them exist (saved after each chunk). */
  total: number;
  done: number;
  startedAt: string;
}

interface ImportJobsSchema extends DBSchema {
  jobs: { key: string; value: ImportJob };
}

const DB_NAME = 'burrow-imports';
/** Records created between two saves of the progress. */
export const IMPORT_CHUNK = 500;

function openJobs(): Promise<IDBPDatabase<ImportJobsSchema>> {
  return openDB<ImportJobsSchema>(DB_NAME, 1, {
    upgrade(db) {
      db.createObjectStore('jobs', { keyPath: 'id' });
    },
  });
}

async function withJobs<T>(run: (db: IDBPDatabase<ImportJobsSchema>) => Promise<T>): Promise<T> {
  const db = await openJobs();
  try {
    return await run(db);
  } finally {
    db.close();
  }
}

function accountKey(client: Pick<BurrowClient, 'account'>): string {
  return client.account()?.user.id ?? 'local';
}

/** The unfinished imports of the signed-in account (of this device when signed out). */
export async function unfinishedImports(client: Pick<BurrowClient, 'account'>): Promise<ImportJob[]> {
  const key = accountKey(client);
  const jobs = await withJobs((db) => db.getAll('jobs'));
  return jobs.filter((job) => job.accountKey === key).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

interface LockRequester {
  request<T>(name: string, run: () => Promise<T>): Promise<T>;
}

/** One import at a time per browser: a second tab waits, then finds the job done. */
function exclusively<T>(run: () => Promise<T>): Promise<T> {
  // Typed by hand: the Node side (tests, bench) type-checks this without the DOM library.
  const locks = (globalThis as { navigator?: { locks?: LockRequester } }).navigator?.locks;
  return locks ? locks.request('burrow-import', run) : run();
}

export type ImportClient = Pick<BurrowClient, 'createAll' | 'list' | 'account' | 'workspaces'>;

export interface ImportProgress {
  fileName: string;
  done: number;
  total: number;
}

/**
 * Plans the rest of `job` against what the workspace holds now and creates it in chunks,
 * saving progress after each. What an earlier run created is matched (by path, normalised
 * URL, …) and not created again, so a run cut short anywhere, even between a create and the
 * save of its progress, still ends with each record once.
 */
async function runJob(client: ImportClient, job: ImportJob, onProgress?: (progress: ImportProgress) => void) {
  let workspaceId = await workspaceOf(client, job);
  const plan = planImport(job.format, job.text, await readWorkspaceIndex(client, workspaceId ?? ''));
  let done = job.total - plan.records.length;
  onProgress?.({ fileName: job.fileName, done, total: job.total });
  await commitImportPlan(client, plan, workspaceId, {
    chunk: IMPORT_CHUNK,
    async afterChunk(created, inWorkspace) {
      done += created;
      workspaceId = inWorkspace;
      await withJobs((db) => db.put('jobs', { ...job, workspaceId: inWorkspace, done }));
      onProgress?.({ fileName: job.fileName, done, total: job.total });
    },
  });
  await withJobs((db) => db.delete('jobs', job.id));
}

/**
 * The workspace a job writes to. An import into the app's placeholder workspace (nothing saved
 * yet) stores a real one with its first create; cut short before its progress named that one,
 * the job goes on in the oldest workspace, which is where the client put it (none: the
 * client's default, made on demand).
 */
async function workspaceOf(client: ImportClient, job: ImportJob): Promise<string | undefined> {
  const ids = (await client.workspaces()).map((workspace) => workspace.id);
  return ids.includes(job.workspaceId) ? job.workspaceId : ids.sort()[0];
}

export interface StartImport {
  format: ImportFormat;
  text: string;
  fileName: string;
  workspaceId: string;
  onProgress?: (progress: ImportProgress) => void;
}

/**
 * Imports a file: parses and validates it whole (an ImportError changes nothing), stores it as
 * a job, then runs it. Resolves with what it added.
 */
export async function startImport(client: ImportClient, options: StartImport): Promise<ImportCounts> {
  return exclusively(async () => {
    const plan = planImport(options.format, options.text, await readWorkspaceIndex(client, options.workspaceId));
    const job: ImportJob = {
      id: newId(),
      accountKey: accountKey(client),
      workspaceId: options.workspaceId,
      format: options.format,
      fileName: options.fileName,
      text: options.text,
      counts: countPlan(plan),
      total: plan.records.length,
      done: 0,
      startedAt: new Date().toISOString(),
    };
    await withJobs((db) => db.put('jobs', job));
    await runJob(client, job, options.onProgress);
    return job.counts;
  });
}

/** Finishes the account's unfinished imports, oldest first; resolves with each one's summary. */
export async function resumeImports(
  client: ImportClient,
  onProgress?: (progress: ImportProgress) => void,
): Promise<{ fileName: string; counts: ImportCounts }[]> {
  const finished: { fileName: string; counts: ImportCounts }[] = [];
  for (const candidate of await unfinishedImports(client)) {
    await exclusively(async () => {
      // Another tab may have finished it while this one waited.
      const job = await withJobs((db) => db.get('jobs', candidate.id));
      if (!job) return;
      await runJob(client, job, onProgress);
      finished.push({ fileName: job.fileName, counts: job.counts });
    });
  }
  return finished;
}
