import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { createBridge } from './bridge/create-bridge.ts';

// The renderer gets named methods only; ipcRenderer itself never leaves this file.
const bridge = createBridge(
  {
    invoke: (channel, input) => ipcRenderer.invoke(channel, input),
    subscribe: (event, listener) => {
      const wrapped = (_event: IpcRendererEvent, payload: unknown) => {
        listener(payload);
      };
      ipcRenderer.on(event, wrapped);
      return () => {
        ipcRenderer.off(event, wrapped);
      };
    },
  },
  { pathForFile: (file) => webUtils.getPathForFile(file) },
);

contextBridge.exposeInMainWorld('outbox', bridge);
