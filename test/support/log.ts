// A logger whose lines a test can read: the message of each line, in order (what a person reading the
// log would see), and the whole JSON objects for tests of the log itself.
import { createLog, type Log } from "../../src/log/log.ts";

export { silentLog } from "../../src/log/log.ts";

/** A logger that keeps what it writes. */
export function captureLog(): { log: Log; lines: string[]; records: Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const records: Array<Record<string, unknown>> = [];
  const log = createLog({
    level: "debug",
    destination: {
      write(line: string) {
        const record = JSON.parse(line) as Record<string, unknown>;
        records.push(record);
        lines.push(String(record.msg ?? ""));
      },
    },
  });
  return { log, lines, records };
}

/** A logger that hands each line's message to `write`. */
export function logTo(write: (line: string) => void): Log {
  return createLog({ level: "debug", destination: { write: (line: string) => write(String((JSON.parse(line) as { msg?: unknown }).msg ?? "")) } });
}

/** A logger that adds each line's message to `lines`. */
export function logInto(lines: string[]): Log {
  return logTo((line) => void lines.push(line));
}
