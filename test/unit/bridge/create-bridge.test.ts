import { describe, expect, test } from 'vitest';
import { createBridge, type BridgeTransport } from '../../../preload/bridge/create-bridge.ts';
import { callNames, eventNames } from '../../../preload/contract/channels.ts';

function recordingTransport() {
  const invoked: [string, unknown][] = [];
  const subscribed: string[] = [];
  const transport: BridgeTransport = {
    invoke: (channel, input) => {
      invoked.push([channel, input]);
      return Promise.resolve({ ok: true, value: channel });
    },
    subscribe: (event) => {
      subscribed.push(event);
      return () => undefined;
    },
  };
  return { transport, invoked, subscribed };
}

describe('the preload bridge', () => {
  const local = { pathForFile: (file: File) => (file.name === 'made-in-page' ? '' : `/drop/${file.name}`) };

  test('has exactly one named method per call and one listener per event, and nothing generic', () => {
    const bridge = createBridge(recordingTransport().transport, local) as unknown as Record<
      string,
      Record<string, unknown>
    >;
    const methods = Object.entries(bridge).flatMap(([area, api]) =>
      Object.keys(api).map((name) => `${area}.${name}`),
    );
    const expected = [
      ...callNames.map((name) => name.replace(':', '.')),
      ...eventNames.map((name) => {
        const [area = '', verb = ''] = name.split(':');
        return `${area}.on${verb.charAt(0).toUpperCase()}${verb.slice(1)}`;
      }),
      'local.chooseDropped',
    ];
    expect(methods.sort()).toEqual(expected.sort());
  });

  test('sends dropped files to main by the paths Electron gives them, leaving out files without one', async () => {
    const { transport, invoked } = recordingTransport();
    const bridge = createBridge(transport, local);
    const files = [new File(['a'], 'a.txt'), new File(['b'], 'made-in-page')];
    await expect(bridge.local.chooseDropped(files)).resolves.toEqual({ ok: true, value: 'files:dropped' });
    expect(invoked).toEqual([['files:dropped', { paths: ['/drop/a.txt'] }]]);
  });

  test('routes a call to its own channel with its input', async () => {
    const { transport, invoked } = recordingTransport();
    const bridge = createBridge(transport, local);
    await expect(bridge.outbox.get({ id: 'm1' })).resolves.toEqual({ ok: true, value: 'outbox:get' });
    await bridge.app.getStatus();
    expect(invoked).toEqual([
      ['outbox:get', { id: 'm1' }],
      ['app:getStatus', undefined],
    ]);
  });

  test('turns a transport failure into a typed error instead of a rejection', async () => {
    const bridge = createBridge(
      { invoke: () => Promise.reject(new Error('ipc gone')), subscribe: () => () => undefined },
      local,
    );
    await expect(bridge.settings.get()).resolves.toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  test('subscribes listeners to their event', () => {
    const { transport, subscribed } = recordingTransport();
    const bridge = createBridge(transport, local);
    bridge.outbox.onChanged(() => undefined);
    bridge.app.onMenuInvoked(() => undefined);
    expect(subscribed).toEqual(['outbox:changed', 'app:menuInvoked']);
  });
});
