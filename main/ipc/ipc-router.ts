import {
  channels,
  type CallOutput,
  type CallParsedInput,
  type ChannelName,
} from '../../preload/contract/channels.ts';
import { errorOfIssues, type Result } from '../../preload/contract/errors.ts';
import { toErrorInfo } from '../errors/app-error.ts';
import type { Logger } from '../errors/logger.ts';
import { isTrustedSender, type SenderInfo } from './trusted-sender.ts';

/** The renderer's calls and the preload's own, each behind the same checks. */
export type CallHandlers = {
  [C in ChannelName]: (input: CallParsedInput<C>) => Promise<CallOutput<C>> | CallOutput<C>;
};

export interface IpcRouter {
  /** Checks the sender, validates the payload, runs the handler. Never throws. */
  dispatch(channel: string, payload: unknown, sender: SenderInfo): Promise<Result<unknown>>;
}

function isChannelName(channel: string): channel is ChannelName {
  return Object.hasOwn(channels, channel);
}

export function createIpcRouter(
  handlers: CallHandlers,
  options: { trustedOrigin: string; log: Logger },
): IpcRouter {
  const { trustedOrigin, log } = options;

  async function run(channel: ChannelName, payload: unknown): Promise<Result<unknown>> {
    const parsed = channels[channel].input.safeParse(payload);
    if (!parsed.success) {
      return { ok: false, error: errorOfIssues(parsed.error) };
    }
    const handler = handlers[channel] as (input: unknown) => unknown;
    try {
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      const bridgeError = toErrorInfo(error);
      if (bridgeError.code === 'internal') log.error(`IPC ${channel} failed`, { error });
      return { ok: false, error: bridgeError };
    }
  }

  return {
    async dispatch(channel, payload, sender) {
      if (!isTrustedSender(sender, trustedOrigin)) {
        log.warn('IPC from an untrusted sender refused', { channel, url: sender.url });
        return {
          ok: false,
          error: { code: 'forbidden_sender', message: 'This page may not talk to Outbox.' },
        };
      }
      if (!isChannelName(channel)) {
        return { ok: false, error: { code: 'invalid_input', message: `Unknown call "${channel}".` } };
      }
      return run(channel, payload);
    },
  };
}
