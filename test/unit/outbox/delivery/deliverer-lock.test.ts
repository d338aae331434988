import { spawnSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  delivererLockHolder,
  tryAcquireDelivererLock,
} from '../../../../main/outbox/delivery/deliverer-lock.ts';
import { makeDataDir } from '../../../support/outbox-fixture.ts';

/** The pid of a process that has already ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('deliverer lock', () => {
  it('is held by one at a time and free again once released', async () => {
    const file = path.join(await makeDataDir(), 'deliverer.lock');
    const first = await tryAcquireDelivererLock(file);
    expect(first).toBeDefined();
    expect(await tryAcquireDelivererLock(file)).toBeUndefined();
    await first?.release();
    const second = await tryAcquireDelivererLock(file);
    expect(second).toBeDefined();
    await second?.release();
  });

  it('is taken over from a holder that died without releasing it', async () => {
    const file = path.join(await makeDataDir(), 'deliverer.lock');
    await fsp.writeFile(file, JSON.stringify({ pid: deadPid(), token: 'crashed' }));
    const lock = await tryAcquireDelivererLock(file);
    expect(lock).toBeDefined();
    expect(JSON.parse(await fsp.readFile(file, 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('is taken over when its pid now belongs to another process (started at another time)', async () => {
    const file = path.join(await makeDataDir(), 'deliverer.lock');
    await fsp.writeFile(file, JSON.stringify({ pid: process.pid, started: '1', token: 'recycled' }));
    expect(await tryAcquireDelivererLock(file)).toBeDefined();
  });

  it('treats a torn lock file as stale only once it is old', async () => {
    const file = path.join(await makeDataDir(), 'deliverer.lock');
    await fsp.writeFile(file, '');
    expect(await tryAcquireDelivererLock(file)).toBeUndefined();
    const old = new Date(Date.now() - 60_000);
    await fsp.utimes(file, old, old);
    expect(await tryAcquireDelivererLock(file)).toBeDefined();
  });

  it('says who holds it: the role and pid it recorded, nothing once released or dead', async () => {
    const file = path.join(await makeDataDir(), 'deliverer.lock');
    expect(await delivererLockHolder(file)).toBeUndefined();
    const lock = await tryAcquireDelivererLock(file, 'queue-flush');
    expect(await delivererLockHolder(file)).toEqual({ pid: process.pid, role: 'queue-flush' });
    await lock?.release();
    expect(await delivererLockHolder(file)).toBeUndefined();
    await fsp.writeFile(file, JSON.stringify({ pid: deadPid(), token: 'crashed', role: 'app' }));
    expect(await delivererLockHolder(file)).toBeUndefined();
  });

  it('reads a lock written before roles were recorded, or by a newer build, as an unknown holder', async () => {
    const file = path.join(await makeDataDir(), 'deliverer.lock');
    await fsp.writeFile(file, JSON.stringify({ pid: process.pid, token: 'old' }));
    expect(await delivererLockHolder(file)).toEqual({ pid: process.pid, role: undefined });
    await fsp.writeFile(file, JSON.stringify({ pid: process.pid, token: 'new', role: 'daemon' }));
    expect(await delivererLockHolder(file)).toEqual({ pid: process.pid, role: undefined });
  });
});
