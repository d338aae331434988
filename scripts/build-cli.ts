// `npm run build` (after electron-vite): the `outbox` command as compiled JavaScript, out/cli/.
// An installed copy then never strips TypeScript types at run time (~400 ms a run, issue 17).
// bin/outbox.js runs out/cli/outbox.mjs when it is there, else the sources.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildCliBundle } from './cli-bundle.ts';

const root = path.resolve(import.meta.dirname, '..');
// Two folders above the chunks, as above out/main/index.js: main/ finds build/ from there.
const outDir = path.join(root, 'out', 'cli');
const sources = await buildCliBundle({ outDir });
// The sources the bundle was built from, for bin/outbox.js: in a checkout, a source edited since
// the build makes the bundle stale and the sources run instead.
await writeFile(path.join(outDir, 'sources.json'), `${JSON.stringify(sources)}\n`);
