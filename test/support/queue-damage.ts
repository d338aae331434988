import fsp from 'node:fs/promises';
import path from 'node:path';
import type { SeededRandom } from './seeded-random.ts';

/** What a trial damages: one of the queue's segments, one of its message files, or the settings. */
export type TargetKind = 'segment' | 'body' | 'config';
export const TARGET_KINDS: readonly TargetKind[] = ['segment', 'body', 'config'];

/** What happens to it: a short file, one flipped bit, or 64 bytes overwritten. */
export type DamageKind = 'truncate' | 'bit-flip' | 'zero-64' | 'random-64';
export const DAMAGE_KINDS: readonly DamageKind[] = ['truncate', 'bit-flip', 'zero-64', 'random-64'];

const STRETCH = 64;

export interface DamageTarget {
  readonly kind: TargetKind;
  /** Relative to the data folder. */
  readonly file: string;
  readonly size: number;
}

/** One damage, fully described, so that printing it is enough to replay it. */
export interface DamagePlan {
  readonly target: TargetKind;
  /** Relative to the data folder; names differ between fixture builds, the order of each kind does not. */
  readonly file: string;
  readonly kind: DamageKind;
  readonly offset: number;
  /** bit-flip: which bit of the byte at `offset`. */
  readonly bit?: number;
  /** random-64: the bytes written at `offset`, hex. */
  readonly bytes?: string;
}

/** The files a trial may damage, each kind sorted by name (segments by age, message files by id). */
export async function damageTargets(dataDir: string): Promise<DamageTarget[]> {
  const inFolder = async (kind: TargetKind, folder: string, suffix: string) => {
    const names = (await fsp.readdir(path.join(dataDir, folder))).filter((n) => n.endsWith(suffix)).sort();
    return Promise.all(names.map((name) => targetOf(dataDir, kind, path.join(folder, name))));
  };
  return [
    ...(await inFolder('segment', 'outbox/queue', '.log')),
    ...(await inFolder('body', 'outbox/bodies', '.eml')),
    await targetOf(dataDir, 'config', 'config.json'),
  ];
}

async function targetOf(dataDir: string, kind: TargetKind, file: string): Promise<DamageTarget> {
  return { kind, file, size: (await fsp.stat(path.join(dataDir, file))).size };
}

/** Picks a kind of file first, so that the few small files are hit as often as the large ones. */
export function planDamage(random: SeededRandom, targets: readonly DamageTarget[]): DamagePlan {
  const kind = random.pick(TARGET_KINDS.filter((k) => targets.some((t) => t.kind === k)));
  const target = random.pick(targets.filter((t) => t.kind === kind));
  const damage = random.pick(DAMAGE_KINDS);
  const base = { target: kind, file: target.file, kind: damage };
  switch (damage) {
    case 'truncate':
      return { ...base, offset: random.below(target.size) };
    case 'bit-flip':
      return { ...base, offset: random.below(target.size), bit: random.below(8) };
    case 'zero-64':
      return { ...base, offset: random.below(Math.max(1, target.size - STRETCH + 1)) };
    case 'random-64':
      return {
        ...base,
        offset: random.below(Math.max(1, target.size - STRETCH + 1)),
        bytes: random.bytes(STRETCH).toString('hex'),
      };
  }
}

/** Damages the file in place, as the disk would: never longer than it was. */
export async function applyDamage(dataDir: string, plan: DamagePlan): Promise<void> {
  const file = path.join(dataDir, plan.file);
  if (plan.kind === 'truncate') {
    await fsp.truncate(file, plan.offset);
    return;
  }
  const bytes = await fsp.readFile(file);
  switch (plan.kind) {
    case 'bit-flip':
      bytes.writeUInt8((bytes[plan.offset] ?? 0) ^ (1 << (plan.bit ?? 0)), plan.offset);
      break;
    case 'zero-64':
      bytes.fill(0, plan.offset, Math.min(bytes.length, plan.offset + STRETCH));
      break;
    case 'random-64':
      Buffer.from(plan.bytes ?? '', 'hex').copy(bytes, plan.offset);
      break;
  }
  await fsp.writeFile(file, bytes);
}
