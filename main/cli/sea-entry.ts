// The installed `outbox` executable's entry (scripts/build-sea.ts bundles from here): a Node single
// executable runs one CommonJS script, which only has to start the command.
import { main } from './main.ts';

void main();
