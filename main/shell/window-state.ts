import { screen, type BrowserWindow, type Rectangle } from 'electron';
import { z } from 'zod';
import type { SettingsStore } from '../core/ports.ts';

const KEY = 'window';
const windowState = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(640),
  height: z.number().int().min(480),
  maximized: z.boolean(),
});
type WindowState = z.infer<typeof windowState>;

const DEFAULT = { width: 1100, height: 760 };

/** The last window bounds, if they still fit on a connected display (monitors come and go). */
export function restoreBounds(store: SettingsStore): Partial<Rectangle> & { maximized: boolean } {
  const saved = windowState.safeParse(store.get(KEY));
  if (!saved.success) return { ...DEFAULT, maximized: false };
  const visible = screen.getAllDisplays().some(({ workArea: a }) => {
    const s = saved.data;
    return s.x < a.x + a.width && s.x + s.width > a.x && s.y < a.y + a.height && s.y + s.height > a.y;
  });
  return visible
    ? saved.data
    : { width: saved.data.width, height: saved.data.height, maximized: saved.data.maximized };
}

export function rememberBounds(window: BrowserWindow, store: SettingsStore): void {
  const save = () => {
    const state: WindowState = { ...window.getNormalBounds(), maximized: window.isMaximized() };
    store.set(KEY, state);
  };
  window.on('close', save);
}
