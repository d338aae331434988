import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { channelNames, type EventName, type EventPayload } from '../../preload/contract/channels.ts';
import type { IpcRouter } from '../ipc/ipc-router.ts';
import type { SenderInfo } from '../ipc/trusted-sender.ts';

function senderOf(event: IpcMainInvokeEvent, window: () => BrowserWindow | undefined): SenderInfo {
  const frame = event.senderFrame;
  return {
    url: frame?.url ?? '',
    isMainFrame: frame !== null && frame === event.sender.mainFrame,
    isOurWindow: window()?.webContents === event.sender,
  };
}

/** One ipcMain handler per contract channel (the preload's too), each going through the router's checks. */
export function wireIpc(router: IpcRouter, window: () => BrowserWindow | undefined): void {
  for (const channel of channelNames) {
    ipcMain.handle(channel, (event, payload: unknown) =>
      router.dispatch(channel, payload, senderOf(event, window)),
    );
  }
}

export function sendToWindow(window: () => BrowserWindow | undefined) {
  return <E extends EventName>(event: E, payload: EventPayload<E>): void => {
    const target = window();
    if (target && !target.isDestroyed()) target.webContents.send(event, payload);
  };
}
