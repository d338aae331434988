// Renderer numbers for `npm run bench`: the JS loaded before first paint (gzip), the time until
// the first screen is drawn in Chromium through the test harness, and the longest task while a
// 10,000-message outbox takes a burst of 2,000 changes. Run alone:
// node_modules/.bin/node bench/renderer-bundle.ts (after `npm run build`).
import fs from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { EventSink } from '../main/core/ports.ts';
import type { CallHandlers } from '../main/ipc/ipc-router.ts';
import { BURST, COUNT, deliverBurst, listCore } from '../test/support/outbox-list-burst.ts';
import { closeBrowser, openRenderer } from '../test/support/renderer-harness.ts';
import { printSection, type BenchSection } from './bench-report.ts';

const RENDERER = path.resolve(import.meta.dirname, '../out/renderer');
const BUDGET_BYTES = 300 * 1024;
/** A task this long is a visible stutter (RAIL's 100 ms response budget plus a frame or so). */
const LONG_TASK_BUDGET_MS = 150;
const RUNS = 5;

/** The scripts index.html loads itself (entry and modulepreloads); lazy chunks such as the editor are not. */
async function initialScripts(): Promise<string[]> {
  const html = await fs.readFile(path.join(RENDERER, 'index.html'), 'utf8');
  const sources = [
    ...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="\.?\/?([^"]+\.js)"/g),
  ];
  return sources.map((match) => match[1] ?? '').filter(Boolean);
}

async function gzipBytes(files: readonly string[]): Promise<number> {
  let total = 0;
  for (const file of files)
    total += gzipSync(await fs.readFile(path.join(RENDERER, file)), { level: 9 }).length;
  return total;
}

/** A core that answers the first screen's calls with nothing, so only the renderer is measured. */
function emptyCore() {
  const empty: Partial<Record<keyof CallHandlers, () => unknown>> = {
    'app:getStatus': () => ({ online: true, version: 'bench' }),
    'accounts:list': () => [],
    'outbox:page': () => ({ items: [], counts: { total: 0, byState: {}, unsentByAccount: {} } }),
    'app:ready': () => undefined,
    'drafts:list': () => [],
  };
  return {
    handlers: empty as CallHandlers,
    setEventSink: (_sink: EventSink) => undefined,
  };
}

async function firstRenderMs(): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const app = await openRenderer({ core: emptyCore() });
    await app.page.getByRole('heading', { name: 'New message' }).waitFor();
    // Navigation start to the first paint that shows the app, from the page's own clock.
    const ms = await app.page.evaluate(() => {
      const paint = performance.getEntriesByName('first-contentful-paint')[0];
      return paint ? paint.startTime : performance.now();
    });
    times.push(ms);
    await app.close();
  }
  return times;
}

/** The longest task of each run while the outbox list takes the burst. */
async function burstLongestTaskMs(): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const app = await openRenderer({ core: listCore });
    await app.page.getByRole('button', { name: /^Outbox/ }).click();
    await app.page.getByText(`${COUNT} messages`).waitFor();
    times.push(await deliverBurst(app.page));
    await app.close();
  }
  return times;
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** The renderer's section of the benchmark report. */
export async function rendererBundleBench(): Promise<BenchSection> {
  const scripts = await initialScripts();
  const assets = await fs.readdir(path.join(RENDERER, 'assets'));
  const lazy = assets.filter((file) => file.endsWith('.js') && !scripts.includes(`assets/${file}`));
  const initial = await gzipBytes(scripts);
  const editor = await gzipBytes(lazy.map((file) => `assets/${file}`));
  let times: number[];
  let burst: number[];
  try {
    times = await firstRenderMs();
    burst = await burstLongestTaskMs();
  } finally {
    await closeBrowser();
  }
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  return {
    title: 'Renderer',
    rows: [
      {
        metric: 'Initial JS, gzip',
        value: kb(initial),
        goal: `< ${kb(BUDGET_BYTES)}`,
        met: initial < BUDGET_BYTES,
      },
      { metric: 'Rich-text editor chunk, gzip (loaded on demand)', value: kb(editor) },
      { metric: 'First contentful paint in Chromium, median', value: `${Math.round(median(times))} ms` },
      {
        metric: `Longest task, ${COUNT.toLocaleString('en')} queued + ${BURST.toLocaleString('en')} changes, median`,
        // The Long Tasks API reports only tasks over 50 ms.
        value: median(burst) === 0 ? 'none over 50 ms' : `${Math.round(median(burst))} ms`,
        goal: `< ${LONG_TASK_BUDGET_MS} ms`,
        met: median(burst) < LONG_TASK_BUDGET_MS,
      },
    ],
    notes: [
      `Initial JS is what index.html loads (${scripts.join(', ')}); lazy chunks are fetched when compose opens the editor.`,
      `First paint: ${RUNS} page loads through the test harness (${times.map((t) => Math.round(t)).join(', ')} ms), from navigation start.`,
      `Longest task: ${RUNS} runs of the outbox list taking ${BURST} change events one by one (${burst.map((t) => Math.round(t)).join(', ')} ms).`,
    ],
  };
}

if (import.meta.main) printSection(await rendererBundleBench());
