/**
 * `npm run backup` while the server runs and a client writes: the copy is a database a new
 * server starts on, holding every change acknowledged before the backup began.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, MutationBuilder, noteCard } from '../support/api-client.ts';
import { REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.ts';
import { signUpWithWorkspace } from './accounts.ts';

const servers: ServerProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Runs `npm run backup` as a person would; the test's own event loop keeps running meanwhile. */
function runBackup(dataDir: string, out: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return runScript('backup', ['--data-dir', dataDir, '--out', out]);
}

function runScript(script: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

describe('npm run backup', () => {
  it('copies the live database into one a new server starts on, with the data', async () => {
    const backupDir = await mkdtemp(join(tmpdir(), 'burrow-backup-'));
    dirs.push(backupDir);
    const live = await startServer();
    servers.push(live);
    const client = new ApiClient(live.url);
    const account = await signUpWithWorkspace(client);
    const builder = new MutationBuilder();
    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i++) {
      const mutations = Array.from({ length: 20 }, (_, n) =>
        builder.create('cards', account.workspaceId, noteCard({ title: `before ${i}.${n}` })),
      );
      const pushed = await client.push(mutations);
      expect(pushed.status).toBe(200);
      acknowledged.push(...mutations.map((mutation) => mutation.recordId));
    }

    // Writes go on while the backup runs.
    let writing = true;
    let writtenDuring = 0;
    const writer = (async () => {
      while (writing) {
        const mutation = builder.create('cards', account.workspaceId, noteCard({ title: 'during' }));
        expect((await client.push([mutation])).status).toBe(200);
        writtenDuring += 1;
      }
    })();
    const file = join(backupDir, 'burrow-backup.sqlite');
    const backup = await runBackup(live.dataDir, file);
    writing = false;
    await writer;
    expect(writtenDuring).toBeGreaterThan(0);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout.trim()).toBe(file);
    expect(backup.stderr).toContain('integrity ok');

    // Restore: a new data dir with the copy as its database.
    const restoredDir = await mkdtemp(join(tmpdir(), 'burrow-restored-'));
    dirs.push(restoredDir);
    copyFileSync(file, join(restoredDir, 'burrow.sqlite'));
    const restored = await startServer({ dataDir: restoredDir });
    servers.push(restored);
    const reader = new ApiClient(restored.url);
    expect((await reader.signIn(account.email, account.password)).status).toBe(200);
    const pulled = await reader.pullAll(0, 5000);
    const ids = new Set(pulled.changes.map((change) => change.id));
    expect(acknowledged.filter((id) => !ids.has(id))).toEqual([]);
  });

  it('refuses to overwrite a file, and fails when there is no database', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'burrow-backup-'));
    dirs.push(dir);
    const missing = await runBackup(join(dir, 'nothing-here'), join(dir, 'out.sqlite'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('there is no database');
    expect(existsSync(join(dir, 'out.sqlite'))).toBe(false);

    writeFileSync(join(dir, 'burrow.sqlite'), '');
    writeFileSync(join(dir, 'taken.sqlite'), 'keep me');
    const taken = await runBackup(dir, join(dir, 'taken.sqlite'));
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain('exists');
    expect(readFileSync(join(dir, 'taken.sqlite'), 'utf8')).toBe('keep me');
  });

  it('restores a backup in place, keeping the replaced database, and no later change is skipped by a device', async () => {
    const live = await startServer({ keepDataDir: true });
    servers.push(live);
    dirs.push(live.dataDir);
    const client = new ApiClient(live.url);
    const account = await signUpWithWorkspace(client);
    const builder = new MutationBuilder();
    const before = builder.create('cards', account.workspaceId, noteCard({ title: 'before the backup' }));
    expect((await client.push([before])).status).toBe(200);
    const file = join(live.dataDir, 'backup.sqlite');
    expect((await runBackup(live.dataDir, file)).status).toBe(0);
    const after = builder.create('cards', account.workspaceId, noteCard({ title: 'after the backup' }));
    expect((await client.push([after])).status).toBe(200);
    // A device that synced everything, up to the change the backup does not have.
    const device = new ApiClient(live.url);
    expect((await device.signIn(account.email, account.password)).status).toBe(200);
    const { cursor: deviceCursor } = await device.pullAll(0, 5000);
    await live.stop();

    const restore = await runScript('restore', ['--from', file, '--data-dir', live.dataDir]);
    expect(restore.status, restore.stderr).toBe(0);
    expect(readdirSync(live.dataDir).some((name) => name.startsWith('burrow.sqlite.before-restore-'))).toBe(true);

    const restored = await startServer({ dataDir: live.dataDir });
    servers.push(restored);
    const writer = new ApiClient(restored.url);
    expect((await writer.signIn(account.email, account.password)).status).toBe(200);
    const snapshot = new Set((await writer.pullAll(0, 5000)).changes.map((change) => change.id));
    expect(snapshot.has(before.recordId)).toBe(true);
    expect(snapshot.has(after.recordId)).toBe(false);

    // A change made after the restore reaches the device that pulls from its old cursor.
    const fresh = await writer.create('cards', {
      workspaceId: account.workspaceId,
      fields: noteCard({ title: 'new' }),
    });
    expect(fresh.status).toBe(201);
    const reader = new ApiClient(restored.url);
    expect((await reader.signIn(account.email, account.password)).status).toBe(200);
    const caughtUp = await reader.pullAll(deviceCursor, 5000);
    expect(caughtUp.changes.map((change) => change.id)).toContain(fresh.body.id);
  });
});
