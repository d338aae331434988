/** The one logging interface core modules take. Messages must never contain a secret. */
export interface Logger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export const consoleLogger: Logger = {
  info: (message, details) => {
    console.info(message, details ?? '');
  },
  warn: (message, details) => {
    console.warn(message, details ?? '');
  },
  error: (message, details) => {
    console.error(message, details ?? '');
  },
};

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
