import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ComposeRequest } from '../../../main/handoff/compose-request.ts';
import { createDraftStore } from '../../../main/drafts/draft-store.ts';
import { silentLogger } from '../../../main/errors/logger.ts';
import { createHandoff } from '../../../main/handoff/launch-request.ts';
import { createChosenFiles } from '../../../main/security/chosen-files.ts';
import { startTestCore, type TestCore } from '../../support/core-fixture.ts';
import { recordEvents } from '../../support/recorded-events.ts';

/** The app's launch paths (argv, second instance, open-url) through the real core under Node. */
let core: TestCore;
let events: ReturnType<typeof recordEvents>;

beforeEach(async () => {
  core = await startTestCore();
  events = recordEvents(core);
});
afterEach(async () => {
  await core.close();
});

const request = (attachments: string[]): ComposeRequest => ({
  to: ['ann@example.org'],
  cc: [],
  bcc: [],
  subject: 'Handed over',
  body: 'Text',
  attachments,
});

describe('a launch request', () => {
  it('from a program: saved as a draft with marked copies, and opened', async () => {
    const file = path.join(core.dataDir, 'photo.jpg');
    await fsp.writeFile(file, 'jpeg bytes');
    await core.core.handleLaunchRequest(request([file]), 'program');

    const [opened] = events.of('drafts:handedOver');
    expect(opened?.content).toMatchObject({ to: ['ann@example.org'], subject: 'Handed over', text: 'Text' });
    const copy = opened?.content.attachments[0];
    expect(copy?.addedBy).toBe('program');
    expect(copy?.path).not.toBe(file);
    expect(await fsp.readFile(copy?.path ?? '', 'utf8')).toBe('jpeg bytes');
    expect((await core.handlers['drafts:list'](undefined)).map((d) => d.id)).toEqual([opened?.id]);
  });

  it("from a link: a web page's mailto: never attaches a file", async () => {
    const file = path.join(core.dataDir, 'secret.txt');
    await fsp.writeFile(file, 'secret');
    await core.core.handleLaunchRequest(request([file]), 'link');
    const [opened] = events.of('drafts:handedOver');
    expect(opened?.content.subject).toBe('Handed over');
    expect(opened?.content.attachments).toEqual([]);
  });

  it('a file that is not there is left out with a notice; the rest of the draft stands', async () => {
    const missing = path.join(core.dataDir, 'gone.pdf');
    await core.core.handleLaunchRequest(request([missing]), 'program');
    expect(events.of('app:noticed')).toEqual([
      { level: 'warning', message: `${missing} was not attached: it does not exist.` },
    ]);
    expect(events.of('drafts:handedOver')[0]?.content.attachments).toEqual([]);
  });

  it('a hidden file is left out with a notice saying why', async () => {
    const hidden = path.join(core.dataDir, '.env');
    await fsp.writeFile(hidden, 'TOKEN=x');
    await core.core.handleLaunchRequest(request([hidden]), 'program');
    expect(events.of('app:noticed')).toEqual([
      {
        level: 'warning',
        message: `${hidden} was not attached: it is hidden, or in a hidden folder, where programs keep keys and passwords. Attach it in Outbox by hand if you mean to.`,
      },
    ]);
    expect(events.of('drafts:handedOver')[0]?.content.attachments).toEqual([]);
  });

  it('shows the window before opening the draft: it may be closed, Outbox in the tray', async () => {
    const happened: string[] = [];
    const handoff = createHandoff({
      drafts: createDraftStore(path.join(core.dataDir, 'drafts'), silentLogger),
      edits: path.join(core.dataDir, 'outbox', 'edits'),
      chosen: createChosenFiles(),
      emit: (event) => happened.push(event),
      log: silentLogger,
      revealWindow: () => happened.push('window shown'),
    });
    await handoff.handleLaunchRequest(request([]), 'link');
    expect(happened).toEqual(['window shown', 'drafts:handedOver']);
  });
});
