// The installed `outbox` executable's entry (scripts/build-sea.ts): a Node single executable runs
// one CommonJS script, and this one only loads the command from the ES modules installed beside it,
// <cli>/lib/outbox/, the same split bundle an npm install runs: each command loads only its own
// chunks, compiled once into the user's compile cache (issue 17), not a whole-CLI script at every run.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXIT } from './exit-codes.ts';
import type * as Cli from './main.ts';

/** <cli>/bin/outbox → <cli>/lib/outbox/outbox.mjs; execPath is the executable's real path. */
const entry = path.join(path.dirname(process.execPath), '..', 'lib', 'outbox', 'outbox.mjs');

(import(pathToFileURL(entry).href) as Promise<typeof Cli>).then(
  ({ main }) => main(),
  (error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`outbox: this installation is incomplete (${reason}); reinstall Outbox\n`);
    process.exitCode = EXIT.software;
  },
);
