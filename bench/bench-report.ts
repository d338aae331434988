import { cpus, platform, release, totalmem } from 'node:os';

export interface BenchRow {
  readonly metric: string;
  readonly value: string;
  readonly goal?: string;
  /** Whether the goal was met; absent for figures that have no goal. */
  readonly met?: boolean;
}

export interface BenchSection {
  readonly title: string;
  readonly rows: readonly BenchRow[];
  readonly notes?: readonly string[];
}

export function machineDescription(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const memory = Math.round(totalmem() / 2 ** 30);
  return `${cpu}, ${cpus().length} cores, ${memory} GiB RAM, ${platform()} ${release()}, Node ${process.versions.node}`;
}

function verdict(row: BenchRow): string {
  if (row.met === undefined) return '';
  return row.met ? 'met' : '**missed**';
}

export function renderMarkdown(sections: readonly BenchSection[], when: Date): string {
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${when.toISOString()}.`,
    '',
    `Machine: ${machineDescription()}.`,
    '',
  ];
  for (const section of sections) {
    lines.push(`## ${section.title}`, '', '| metric | value | goal | |', '| --- | --- | --- | --- |');
    for (const row of section.rows)
      lines.push(`| ${row.metric} | ${row.value} | ${row.goal ?? ''} | ${verdict(row)} |`);
    lines.push('');
    for (const note of section.notes ?? []) lines.push(`- ${note}`);
    if (section.notes?.length) lines.push('');
  }
  return lines.join('\n');
}

export function printSection(section: BenchSection): void {
  console.log(`\n${section.title}`);
  console.table(
    section.rows.map((row) => ({
      metric: row.metric,
      value: row.value,
      goal: row.goal ?? '',
      result: verdict(row),
    })),
  );
}
