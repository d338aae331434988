/**
 * Draws the tray icons into build/tray/: an envelope with a small sign for each state the tray
 * shows (main/desktop/tray-status.ts's TrayIcon), at 16 and 32 px (`@2x`, which Electron's
 * nativeImage picks on high-density screens). `<name>Template.png` is black on transparent: macOS
 * recolours template images for a light or dark menu bar. `<name>.png` (Windows, Linux panels) is
 * a white envelope outlined in dark grey, readable on light and dark taskbars alike.
 *
 * Run: node scripts/tray-icons.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

type Shape = (x: number, y: number) => boolean;
type Variant = 'idle' | 'waiting' | 'attention' | 'paused' | 'offline';

const OUT = path.join(import.meta.dirname, '..', 'build', 'tray');
/** Sub-samples per pixel side, for smooth edges. */
const SAMPLES = 4;
const STROKE = 1.3;

const rect =
  (x0: number, y0: number, x1: number, y1: number): Shape =>
  (x, y) =>
    x >= x0 && x <= x1 && y >= y0 && y <= y1;
const circle =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
/** A stroke of width `w` from (x0,y0) to (x1,y1). */
function line(x0: number, y0: number, x1: number, y1: number, w: number): Shape {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const length2 = dx * dx + dy * dy;
  return (x, y) => {
    const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / length2));
    return (x - x0 - t * dx) ** 2 + (y - y0 - t * dy) ** 2 <= (w / 2) ** 2;
  };
}
const any =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    shapes.some((s) => s(x, y));
const not =
  (shape: Shape): Shape =>
  (x, y) =>
    !shape(x, y);
const both =
  (a: Shape, b: Shape): Shape =>
  (x, y) =>
    a(x, y) && b(x, y);

// On a 16-unit grid. The envelope: its body and the flap's V.
const BODY = rect(1, 3, 15, 13);
const INSIDE = rect(1 + STROKE, 3 + STROKE, 15 - STROKE, 13 - STROKE);
const OUTLINE = any(both(BODY, not(INSIDE)), line(1.5, 3.5, 8, 8.5, STROKE), line(8, 8.5, 14.5, 3.5, STROKE));
// The sign sits in the lower right corner, with a clear ring around it.
const BADGE_CLEAR = circle(12.5, 12, 4.4);
const BADGES: Record<Variant, Shape | undefined> = {
  idle: undefined,
  waiting: circle(12.5, 12, 2.8),
  attention: any(rect(11.7, 8.2, 13.3, 12.6), rect(11.7, 13.8, 13.3, 15.4)),
  paused: any(rect(10.2, 8.6, 11.8, 15.4), rect(13.2, 8.6, 14.8, 15.4)),
  offline: any(line(9, 15.2, 15.8, 8.6, 1.6), line(9, 8.6, 15.8, 15.2, 1.6)),
};

interface Paint {
  readonly ink: readonly [number, number, number];
  /** The envelope's inside; undefined leaves it transparent. */
  readonly fill: readonly [number, number, number] | undefined;
}
const TEMPLATE: Paint = { ink: [0, 0, 0], fill: undefined };
const PANEL: Paint = { ink: [0x3a, 0x3a, 0x3a], fill: [0xff, 0xff, 0xff] };

/** The shape grown by `by` in every direction: a halo that keeps the sign readable on dark panels. */
function grown(shape: Shape, by: number): Shape {
  const steps = 16;
  return (x, y) =>
    shape(x, y) ||
    Array.from({ length: steps }, (_, i) => (2 * Math.PI * i) / steps).some((a) =>
      shape(x + by * Math.cos(a), y + by * Math.sin(a)),
    );
}

function render(variant: Variant, size: number, paint: Paint): Buffer {
  const badge = BADGES[variant];
  const keep = badge ? not(BADGE_CLEAR) : () => true;
  const ink = any(both(OUTLINE, keep), badge ?? (() => false));
  const inside = both(INSIDE, keep);
  const fill = both(badge ? any(inside, grown(badge, 1.1)) : inside, not(ink));
  const pixels = Buffer.alloc(size * size * 4);
  const scale = 16 / size;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let inked = 0;
      let filled = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = (px + (sx + 0.5) / SAMPLES) * scale;
          const y = (py + (sy + 0.5) / SAMPLES) * scale;
          if (ink(x, y)) inked++;
          else if (paint.fill && fill(x, y)) filled++;
        }
      }
      const total = SAMPLES * SAMPLES;
      const alpha = (inked + filled) / total;
      const offset = (py * size + px) * 4;
      if (alpha === 0) continue;
      for (let c = 0; c < 3; c++) {
        const colour = (paint.ink[c] ?? 0) * inked + (paint.fill?.[c] ?? 0) * filled;
        pixels[offset + c] = Math.round(colour / (inked + filled));
      }
      pixels[offset + 3] = Math.round(alpha * 255);
    }
  }
  return png(size, pixels);
}

/** A truecolour-with-alpha PNG (RFC 2083): signature, IHDR, one IDAT, IEND. */
function png(size: number, rgba: Buffer): Buffer {
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

fs.mkdirSync(OUT, { recursive: true });
for (const variant of Object.keys(BADGES) as Variant[]) {
  for (const [suffix, paint] of [
    ['', PANEL],
    ['Template', TEMPLATE],
  ] as const) {
    fs.writeFileSync(path.join(OUT, `${variant}${suffix}.png`), render(variant, 16, paint));
    fs.writeFileSync(path.join(OUT, `${variant}${suffix}@2x.png`), render(variant, 32, paint));
  }
}
