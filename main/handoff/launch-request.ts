import fsp from 'node:fs/promises';
import type { EventSink } from '../core/ports.ts';
import type { DraftStore } from '../drafts/draft-store.ts';
import type { Logger } from '../errors/logger.ts';
import { grantHeld, type ChosenFiles } from '../security/chosen-files.ts';
import type { ComposeRequest, HandoffSource } from './compose-request.ts';
import { saveHandedDraft } from './handed-draft.ts';
import { screenHandedFiles } from './screened-files.ts';

export interface HandoffPorts {
  readonly drafts: DraftStore;
  /** The queue's `edits` folder, where a handed draft's copies live. */
  readonly edits: string;
  readonly chosen: ChosenFiles;
  readonly emit: EventSink;
  readonly log: Logger;
  /** Shows the window (made again if it was closed, Outbox running in the tray) before a draft opens. */
  readonly revealWindow?: () => void;
}

/** The app's side of a hand-over: drafts another program made or asked for, opened in compose. */
export interface Handoff {
  /**
   * A request the app was launched with (argv, a second instance's argv, macOS open-url): saved as
   * a draft, as `outbox compose` does, and opened. Attachments only from `program`, screened.
   */
  handleLaunchRequest(request: ComposeRequest, source: HandoffSource): Promise<void>;
  /** Opens a saved draft in compose (a request from `outbox compose`); its files become chosen. */
  openDraft(draftId: string): Promise<void>;
}

export function createHandoff(ports: HandoffPorts): Handoff {
  const { drafts, chosen, emit, log } = ports;
  const notice = (message: string) => {
    emit('app:noticed', { level: 'warning', message });
  };
  async function openDraft(draftId: string): Promise<void> {
    const draft = await drafts.get(draftId);
    if (!draft) {
      log.warn('A draft asked to be opened is not there', { draftId });
      return;
    }
    // Main wrote these copies itself: the user may send them, as any draft's (chosen-files.ts).
    await grantHeld(chosen, draft.content);
    ports.revealWindow?.();
    // A window made just now gets it once its page listens (create-core.ts holds it till then).
    emit('drafts:handedOver', draft);
  }
  return {
    openDraft,
    async handleLaunchRequest(request, source) {
      // "Mailto: Me Your Secrets": a web page's link never names a file to attach.
      const offered = source === 'program' ? request.attachments : [];
      const attachable = await attachableFiles(offered, notice);
      const draft = await saveHandedDraft(ports, request, attachable, 'attachment');
      await openDraft(draft.id);
    },
  };
}

/**
 * The files of a launch request that can be attached: screened (screened-files.ts), and there.
 * Each one left out is told in a notice, as the window is where the user looks; a missing file
 * leaves the rest of the draft standing.
 */
async function attachableFiles(
  paths: readonly string[],
  notice: (message: string) => void,
): Promise<string[]> {
  const { kept, leftOut } = await screenHandedFiles(paths);
  for (const file of leftOut) notice(file.message);
  const usable: string[] = [];
  for (const file of kept) {
    const stat = await fsp.stat(file).catch(() => undefined);
    if (stat?.isFile()) usable.push(file);
    else notice(`${file} was not attached: ${stat ? 'it is not a file' : 'it does not exist'}.`);
  }
  return usable;
}
