// The outbox view on the real core for `npm run bench`: the core the e2e tests build (outbox,
// accounts, drafts, settings) over a data folder of 10,000 or 100,000 queued messages, and the built
// renderer in Chromium talking to it through the real bridge and IPC router. Measured: navigation
// to the first outbox rows drawn (the list comes in pages, outbox:page), every page in, the largest
// single answer over the bridge, the renderer's JS heap and the core process's RSS. The two sizes
// take turns, each run in a fresh process on a fresh copy of its folder. Run alone: node_modules/.bin/node bench/outbox-view.ts [N…] (after `npm run build`).
import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CallHandlers } from '../main/ipc/ipc-router.ts';
import { startTestCore } from '../test/support/core-fixture.ts';
import { closeBrowser, openRenderer } from '../test/support/renderer-harness.ts';
import { printSection, type BenchRow, type BenchSection } from './bench-report.ts';
import { fill } from './queue-start.ts';

const SIZES = [10_000, 100_000];
const ROUNDS = 5;
/** More rows than this in the DOM means the list is no longer virtual (a screenful is about 15). */
const VIRTUAL_ROWS = 40;
const MB = 2 ** 20;

/**
 * Runs in the page before its scripts: opens the outbox as soon as its button exists (as a person
 * would, but without a round trip to the test) and notes, on the page's clock from navigation start,
 * when the list's count arrives, when the first rows are drawn, and the longest task meanwhile, and
 * of those that begin once the first page is in (the list loading, not the page starting).
 */
const PAGE_OBSERVER = `(() => {
  const w = window;
  w.__longest = 0;
  w.__longestLoading = 0;
  // The pages' round trips as the page sees them (the answer is the harness's JSON text, before the
  // bridge parses it): the first asked and answered, the last answered, their number, the largest.
  w.__pages = 0;
  w.__largestAnswer = 0;
  const invoke = w.__outboxInvoke;
  w.__outboxInvoke = (channel, input) => {
    if (channel !== 'outbox:page') return invoke(channel, input);
    w.__pageAskedAt ??= performance.now();
    return invoke(channel, input).then((answer) => {
      const at = performance.now();
      w.__pageAnsweredAt ??= at;
      w.__pages++;
      w.__largestAnswer = Math.max(w.__largestAnswer, answer.length);
      // The last page names no next one (no subject or id here can hold this text).
      if (!answer.includes('"next":{')) w.__allPagesAt = at;
      return answer;
    });
  };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      w.__longest = Math.max(w.__longest, entry.duration);
      if (entry.startTime >= (w.__pageAnsweredAt ?? Infinity))
        w.__longestLoading = Math.max(w.__longestLoading, entry.duration);
    }
  }).observe({ type: 'longtask', buffered: true });
  const check = () => {
    const button = [...document.querySelectorAll('nav[aria-label="Main"] button')].find((b) =>
      (b.textContent ?? '').startsWith('Outbox'),
    );
    if (button && !w.__opened) {
      w.__opened = performance.now();
      button.click();
    }
    if (button && w.__countAt === undefined && button.querySelector('.nav-count'))
      w.__countAt = performance.now();
    const row = document.querySelector('[aria-label="Messages in the outbox"] [role="option"]');
    if (row && !w.__rowsSeen) {
      w.__rowsSeen = true;
      // The callback runs in the frame that draws the rows, before its paint.
      requestAnimationFrame(() => (w.__firstRowsAt = performance.now()));
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
})();`;

interface PageMarks {
  readonly firstPaintMs: number;
  readonly pageAskedMs: number;
  readonly pageAnsweredMs: number;
  readonly countMs: number;
  readonly firstRowsMs: number;
  readonly allPagesMs: number;
  readonly pages: number;
  /** The largest single answer, as the JSON text the harness carries (characters; ASCII here). */
  readonly largestAnswerBytes: number;
  readonly longestTaskMs: number;
  /** The longest of the tasks that began once the first page was in. */
  readonly longestLoadingTaskMs: number;
  readonly rowsInDom: number;
}

interface Figures extends PageMarks {
  readonly coreStartMs: number;
  /** The core's `outbox:page` handler for the first page, call to return; and all pages together. */
  readonly firstPageMs: number;
  readonly pagesMs: number;
  /** The renderer's JS heap when the first rows are drawn; once every page is in, and after a full GC. */
  readonly heapMb: number;
  readonly heapAllMb: number;
  readonly heapLiveMb: number;
  /** This process's RSS before the core started and once it has (each after a GC), before the harness loads. */
  readonly idleRssMb: number;
  readonly coreRssMb: number;
  /** The peak of the whole run, the harness's JSON copies of the pages and its bundler included. */
  readonly maxRssMb: number;
}

interface PageWindow {
  __firstRowsAt?: number;
  __countAt?: number;
  __pageAskedAt?: number;
  __pageAnsweredAt?: number;
  __allPagesAt?: number;
  __pages: number;
  __largestAnswer: number;
  __longest: number;
  __longestLoading: number;
}

/** One run, in this (fresh) process, on a data folder it may change and deletes at the end. */
async function measurement(dataDir: string): Promise<Figures> {
  globalThis.gc?.();
  const idleRssMb = process.memoryUsage.rss() / MB;
  const began = performance.now();
  // Offline: nothing is delivered, so the queue stays as it is while the page loads.
  const test = await startTestCore({ dataDir, online: false });
  const coreStartMs = performance.now() - began;
  globalThis.gc?.();
  const coreRssMb = process.memoryUsage.rss() / MB;
  const page = test.handlers['outbox:page'];
  const pageTimes: number[] = [];
  const handlers: CallHandlers = {
    ...test.handlers,
    'outbox:page': async (input) => {
      const called = performance.now();
      const answer = await page(input);
      pageTimes.push(performance.now() - called);
      return answer;
    },
  };
  try {
    const app = await openRenderer({
      core: {
        handlers,
        setEventSink: (sink) => {
          test.setEventSink(sink);
        },
      },
      initScript: PAGE_OBSERVER,
    });
    const { page: browserPage } = app;
    const waitFor = (mark: '__firstRowsAt' | '__allPagesAt') =>
      browserPage.waitForFunction((name) => (globalThis as unknown as PageWindow)[name] !== undefined, mark, {
        polling: 100,
        timeout: 600_000,
      });
    await waitFor('__firstRowsAt');
    const cdp = await browserPage.context().newCDPSession(browserPage);
    const heap = await cdp.send('Runtime.getHeapUsage');
    const rowsInDom = await browserPage
      .getByRole('listbox', { name: 'Messages in the outbox' })
      .getByRole('option')
      .count();
    await waitFor('__allPagesAt');
    // The last answer is in; its rows are drawn in the frame after.
    await browserPage.evaluate('new Promise((resolve) => requestAnimationFrame(resolve))');
    const heapAll = await cdp.send('Runtime.getHeapUsage');
    await cdp.send('HeapProfiler.collectGarbage');
    const live = await cdp.send('Runtime.getHeapUsage');
    const marks = await browserPage.evaluate(() => {
      const w = globalThis as unknown as PageWindow;
      return {
        firstPaintMs: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
        pageAskedMs: w.__pageAskedAt ?? NaN,
        pageAnsweredMs: w.__pageAnsweredAt ?? NaN,
        countMs: w.__countAt ?? NaN,
        firstRowsMs: w.__firstRowsAt ?? NaN,
        allPagesMs: w.__allPagesAt ?? NaN,
        pages: w.__pages,
        largestAnswerBytes: w.__largestAnswer,
        longestTaskMs: w.__longest,
        longestLoadingTaskMs: w.__longestLoading,
      };
    });
    await app.close();
    return {
      ...marks,
      rowsInDom,
      coreStartMs,
      firstPageMs: pageTimes[0] ?? NaN,
      pagesMs: pageTimes.reduce((sum, ms) => sum + ms, 0),
      heapMb: heap.usedSize / MB,
      heapAllMb: heapAll.usedSize / MB,
      heapLiveMb: live.usedSize / MB,
      idleRssMb,
      coreRssMb,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await closeBrowser();
    await test.close();
  }
}

async function measure(dataDir: string): Promise<Figures> {
  const child = spawn(process.execPath, ['--expose-gc', import.meta.filename, '--measure', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`measurement of ${dataDir} failed (exit ${String(code)})`);
  return JSON.parse(out.trim().split('\n').pop() ?? '') as Figures;
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const rssGrowthMb = (f: Figures) => f.coreRssMb - f.idleRssMb;

function rowsFor(count: number, runs: readonly Figures[]): BenchRow[] {
  const m = (pick: (f: Figures) => number) => median(runs.map(pick)).toFixed(0);
  const n = count.toLocaleString('en');
  const rows = Math.max(...runs.map((f) => f.rowsInDom));
  return [
    {
      metric: `${n} queued: navigation to the first outbox rows drawn; the first page asked, answered (as the page sees them)`,
      value: `${m((f) => f.firstRowsMs)} ms; ${m((f) => f.pageAskedMs)} ms, ${m((f) => f.pageAnsweredMs)} ms`,
    },
    {
      metric: `${n} queued: every page in (navigation to the last answer), in how many pages`,
      value: `${m((f) => f.allPagesMs)} ms, ${m((f) => f.pages)} pages`,
    },
    {
      metric: `${n} queued: the largest single answer over the bridge (JSON)`,
      value: `${(median(runs.map((f) => f.largestAnswerBytes)) / MB).toFixed(2)} MB`,
    },
    {
      metric: `${n} queued: the core's outbox:page handler, the first page; all pages together`,
      value: `${m((f) => f.firstPageMs)} ms; ${m((f) => f.pagesMs)} ms`,
    },
    {
      metric: `${n} queued: longest task in the page until every page is in; of those after the first page's answer`,
      value: `${m((f) => f.longestTaskMs)} ms; ${m((f) => f.longestLoadingTaskMs)} ms`,
    },
    {
      metric: `${n} queued: renderer JS heap at first rows; every page in; after a full GC`,
      value: `${m((f) => f.heapMb)} MB; ${m((f) => f.heapAllMb)} MB, ${m((f) => f.heapLiveMb)} MB`,
    },
    {
      metric: `${n} queued: core process RSS once started (growth from before the core); the run's peak, harness included`,
      value: `${m((f) => f.coreRssMb)} MB (+${m(rssGrowthMb)} MB); ${m((f) => f.maxRssMb)} MB`,
    },
    { metric: `${n} queued: core start, before the window loads`, value: `${m((f) => f.coreStartMs)} ms` },
    {
      metric: `${n} queued: outbox rows in the DOM`,
      value: String(rows),
      goal: `< ${VIRTUAL_ROWS} (virtual)`,
      met: rows < VIRTUAL_ROWS,
    },
  ];
}

function ratioRow(small: number, large: number, runs: ReadonlyMap<number, Figures[]>): BenchRow {
  const m = (count: number, pick: (f: Figures) => number) => median((runs.get(count) ?? []).map(pick));
  const ratio = (pick: (f: Figures) => number) => `${(m(large, pick) / m(small, pick)).toFixed(1)}×`;
  return {
    metric: `${large.toLocaleString('en')} / ${small.toLocaleString('en')}: first rows, largest answer, renderer heap at first rows, core RSS growth`,
    value: `${ratio((f) => f.firstRowsMs)}, ${ratio((f) => f.largestAnswerBytes)}, ${ratio((f) => f.heapMb)}, ${ratio(rssGrowthMb)}`,
  };
}

export async function outboxViewBench(sizes: readonly number[] = SIZES): Promise<BenchSection> {
  const base = await fsp.mkdtemp(path.join(tmpdir(), 'outbox-view-'));
  try {
    for (const count of sizes) await fill(path.join(base, `filled-${count}`), count);
    const runs = new Map<number, Figures[]>(sizes.map((count) => [count, []]));
    const loads: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // The sizes take turns, in alternating order, so a noisy minute does not fall on one side.
      for (const count of round % 2 === 0 ? sizes : [...sizes].reverse()) {
        const copy = path.join(base, `run-${count}-${round}`);
        await fsp.cp(path.join(base, `filled-${count}`), copy, { recursive: true });
        loads.push(loadavg()[0] ?? 0);
        runs.get(count)?.push(await measure(copy));
        await fsp.rm(copy, { recursive: true, force: true });
      }
    }
    const rows = sizes.flatMap((count) => rowsFor(count, runs.get(count) ?? []));
    const [small, large] = [Math.min(...sizes), Math.max(...sizes)];
    if (small !== large) rows.push(ratioRow(small, large, runs));
    const each = (count: number) => (runs.get(count) ?? []).map((f) => f.firstRowsMs.toFixed(0)).join(', ');
    return {
      title: 'Outbox view on the real core',
      rows,
      notes: [
        `The core the e2e tests build (test/support/core-fixture.ts), offline, over a queue written as the CLI writes it (bench/queue-start.ts); the built renderer in Chromium through the real bridge and IPC router (test/support/renderer-harness.ts). ${ROUNDS} rounds, the sizes taking turns, each run in a fresh process on a fresh copy of its folder; medians.`,
        `First rows: from navigation start on the page's clock to the frame that draws the outbox's first rows, the page opening the outbox as soon as its button exists; per run: ${sizes.map((count) => `${count.toLocaleString('en')}: ${each(count)} ms`).join('; ')}.`,
        "The list crosses the bridge in pages (outbox:page): a first page of 100 rows, drawn at once, then the rest 1000 at a time in the background. The harness carries each answer as JSON text through a Playwright binding (slower than Electron's IPC for large answers; with pages of at most 1000 rows its share is small).",
        "The core's RSS is taken once it has started, before the harness loads its bundler and Playwright; the growth is from the same process before the core. The renderer heap is V8's used size (CDP Runtime.getHeapUsage).",
        `Load average (1 min) during the runs: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}.`,
      ],
    };
  } finally {
    await fsp.rm(base, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const [flag, dataDir = ''] = process.argv.slice(2);
  if (flag === '--measure') console.log(JSON.stringify(await measurement(dataDir)));
  else {
    const sizes = process.argv.slice(2).map(Number);
    printSection(await outboxViewBench(sizes.length > 0 ? sizes : SIZES));
  }
}
