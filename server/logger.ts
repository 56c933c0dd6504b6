/** Structured logs: one JSON object per line on stderr. Never given secrets or bodies. */

export type LogLevel = 'info' | 'warn' | 'error';

/** What the server logs through; tests pass `silentLogger` or a collecting one. */
export interface Logger {
  log(level: LogLevel, message: string, data?: Record<string, unknown>): void;
}

/** Writes JSON lines to stderr (stdout is reserved for the one "listening" line). */
export function createJsonLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  return {
    log(level, message, data) {
      write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...data })}\n`);
    },
  };
}

export const silentLogger: Logger = { log() {} };
