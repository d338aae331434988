import type { DraftContent } from '../../../../preload/contract/compose.ts';

/** What a compose window opens with: nothing, a recovered draft, or a message taken back. */
export interface ComposeSeed {
  /** A new key remounts compose with fresh state. */
  readonly key: number;
  readonly content?: DraftContent;
  readonly draftId?: string;
}
