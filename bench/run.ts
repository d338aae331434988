// `npm run bench`: every benchmark in one run, printed and written to docs/benchmarks.md.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { printSection, renderMarkdown, type BenchSection } from './bench-report.ts';
import { cliStartupBench } from './cli-startup.ts';
import { outboxThroughputBench } from './outbox-throughput.ts';
import { outboxViewBench } from './outbox-view.ts';
import { queueStartBench } from './queue-start.ts';
import { rendererBundleBench } from './renderer-bundle.ts';

const sections: BenchSection[] = [];
// One after the other: each side-by-side comparison must not share the two cores with another.
for (const bench of [
  outboxThroughputBench,
  queueStartBench,
  cliStartupBench,
  rendererBundleBench,
  outboxViewBench,
]) {
  const section = await bench();
  printSection(section);
  sections.push(section);
}

const target = path.resolve(import.meta.dirname, '../docs/benchmarks.md');
await writeFile(target, renderMarkdown(sections, new Date()));
console.log(`\nWritten to ${path.relative(process.cwd(), target)}`);
