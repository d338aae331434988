import { z } from 'zod';
import {
  account,
  accountDelete,
  accountInput,
  accountReorder,
  connectionReport,
  pinCertificate,
  provider,
  senderDomainReport,
  setSecret,
} from './accounts.ts';
import { defaultMailApp } from './desktop.ts';
import { discovery } from './discovery.ts';
import { attachmentInfo, composeRequest, draft, draftContent } from './compose.ts';
import {
  byId,
  byKey,
  outboxChanged,
  progress,
  queueItem,
  sentQuery,
  sentRecord,
  setAsideItem,
} from './outbox.ts';
import { outboxPage, outboxPageRequest } from './outbox-page.ts';
import { filePath, headerText, id, patchOf } from './primitives.ts';
import { appSettings, appStatus, networkHint } from './settings.ts';
import { lazySchema } from './lazy-schema.ts';

const call = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });
/** A call that takes no argument. */
const none = lazySchema(() => z.undefined());
const done = lazySchema(() => z.null());

/**
 * Every call the renderer can make, as `area:verb`. Main validates each input with its schema;
 * the output schema is the type the renderer receives. Nothing else crosses the bridge.
 */
export const calls = {
  'app:getStatus': call(none, appStatus),
  /** The renderer's online/offline events: a hint, never the truth. */
  'app:networkHint': call(networkHint, done),
  /** The page listens for events now: requests made while it loaded (tray, handed drafts) go. */
  'app:ready': call(none, done),

  'outbox:enqueue': call(composeRequest, queueItem),
  'outbox:list': call(none, z.array(queueItem)),
  /** The list a page at a time in the outbox screen's order, with the whole queue's counts. */
  'outbox:page': call(outboxPageRequest, outboxPage),
  'outbox:get': call(byId, queueItem),
  'outbox:retryNow': call(byId, queueItem),
  'outbox:cancel': call(byId, done),
  /** Takes a message back inside its undo window and returns it for editing. */
  'outbox:undo': call(byId, draftContent),
  /** Takes a scheduled, held or failed message out of the queue and returns it for editing. */
  'outbox:edit': call(byId, draftContent),
  /** For an unconfirmed message: send it again (the user accepts a possible duplicate). */
  'outbox:resend': call(byId, queueItem),
  /** For an unconfirmed message: record it as sent. */
  'outbox:markSent': call(byId, done),
  /** What the queue set aside in its quarantine folder (damaged on disk), named as far as readable. */
  'outbox:setAside': call(none, z.array(setAsideItem)),
  /** Puts a set-aside message back in the queue, if its state and bytes can be read and trusted. */
  'outbox:restore': call(byKey, queueItem),

  'sent:list': call(sentQuery, z.array(sentRecord)),
  'sent:get': call(byId, sentRecord),

  'drafts:list': call(none, z.array(draft)),
  'drafts:save': call(z.object({ id: id.optional(), content: draftContent }), draft),
  'drafts:delete': call(byId, done),

  /** Opens the native file dialog in main; the renderer never chooses arbitrary paths silently. */
  'files:pick': call(none, z.array(attachmentInfo)),
  /** Only for files the user chose (picked, dropped, or held by main for them); others are refused. */
  'files:stat': call(z.object({ paths: z.array(filePath).max(100) }), z.array(attachmentInfo)),

  'contacts:recent': call(
    z.object({ prefix: z.string().max(320).default(''), limit: z.number().int().min(1).max(50).default(8) }),
    z.array(z.string()),
  ),

  'accounts:list': call(none, z.array(account)),
  'accounts:create': call(accountInput, account),
  'accounts:update': call(z.object({ id, patch: patchOf(accountInput) }), account),
  'accounts:delete': call(accountDelete, done),
  'accounts:reorder': call(accountReorder, z.array(account)),
  'accounts:setDefault': call(byId, account),
  /** Write-only: the password goes to the OS keychain and never comes back. */
  'accounts:setPassword': call(setSecret, account),
  'accounts:clearPassword': call(byId, account),
  /** Write-only: the DKIM private key (PEM) goes to the OS keychain. */
  'accounts:setDkimKey': call(setSecret, account),
  /**
   * Signs an OAuth2 account in: main opens the system browser at the provider and waits for its
   * redirect to a loopback port (RFC 8252). Answers when signed in, cancelled or timed out; the
   * tokens go to the keychain and never come back.
   */
  'accounts:signIn': call(byId, account),
  /** Stops a sign-in that is waiting for the browser: it answers oauth_cancelled and changes nothing. */
  'accounts:cancelSignIn': call(byId, done),
  'accounts:test': call(byId, connectionReport),
  'accounts:pinCertificate': call(pinCertificate, account),
  'accounts:presets': call(none, z.array(provider)),
  /**
   * Finds the outgoing server for an address (provider table, bundled ISPDB, autoconfig, MX, SRV,
   * probing) and says where it came from; an off-domain answer must be confirmed by the user.
   */
  'accounts:discover': call(z.object({ address: headerText(320) }), discovery),
  'accounts:checkSenderDomain': call(byId, senderDomainReport),
  'accounts:pause': call(byId, account),
  'accounts:resume': call(byId, account),

  'settings:get': call(none, appSettings),
  'settings:update': call(patchOf(appSettings), appSettings),

  /** Whether Outbox opens mailto: links. */
  'desktop:defaultMailApp': call(none, defaultMailApp),
  /** Makes it so where the OS lets an app (canSet), else opens the OS's own setting; answers the new state. */
  'desktop:makeDefaultMailApp': call(none, defaultMailApp),
} as const;

/**
 * Calls only the preload makes, never on `window.outbox`: the renderer hands the preload File
 * objects, and the paths sent here come from Electron (a File made in page script has none), so the
 * renderer cannot name a file of its choosing. Main routes them with the same sender check.
 */
export const preloadCalls = {
  /** Files dropped onto the window: main records them as chosen and answers as `files:pick` does. */
  'files:dropped': call(z.object({ paths: z.array(filePath).max(100) }), z.array(attachmentInfo)),
} as const;

/** Every channel main answers. */
export const channels = { ...calls, ...preloadCalls } as const;

/** Every push from main to the renderer, past tense. */
export const events = {
  'outbox:changed': outboxChanged,
  'outbox:progress': progress,
  'accounts:changed': z.array(account),
  'app:statusChanged': appStatus,
  /** A menu item or shortcut handled by the renderer (e.g. File › New Message). */
  'app:menuInvoked': z.object({ command: z.enum(['compose', 'outbox', 'sent', 'accounts', 'settings']) }),
  /**
   * A draft another program handed Outbox (a mailto: link, `outbox compose`, the xdg-email hook),
   * to open in compose. Its attachments are already chosen files.
   */
  'drafts:handedOver': draft,
  /** Something the user must hear about that no call asked for (e.g. a corrupt queue file set aside). */
  'app:noticed': z.object({ level: z.enum(['info', 'warning', 'error']), message: z.string() }),
} as const;

export type CallName = keyof typeof calls;
export type PreloadCallName = keyof typeof preloadCalls;
export type ChannelName = keyof typeof channels;
export type EventName = keyof typeof events;
export type CallInput<C extends ChannelName> = z.input<(typeof channels)[C]['input']>;
export type CallParsedInput<C extends ChannelName> = z.output<(typeof channels)[C]['input']>;
export type CallOutput<C extends ChannelName> = z.output<(typeof channels)[C]['output']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const callNames = Object.keys(calls) as CallName[];
export const channelNames = Object.keys(channels) as ChannelName[];
export const eventNames = Object.keys(events) as EventName[];
