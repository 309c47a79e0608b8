// The one place where the app's log lines leave the process: pino, JSON lines on standard output (or
// one readable line each in a terminal), passed in to whatever logs. Lines carry ids and counts,
// never what a person typed or their address: fields that would hold content are censored by name,
// and anything that looks like a phone number or an e-mail/chat address in a message is masked —
// the last guard for a line that carries one anyway (an error message quoting a phone number, say).
import { pino, type DestinationStream, type Logger as PinoLogger } from "pino";

/** What a part of the app logs with: pino's logger (`log.info(msg)`, `log.warn({ job }, msg)`, `log.child({ part })`). */
export type Log = PinoLogger;

// A phone number: 9 or more digits, maybe with a leading +, spaces, dashes or brackets between them —
// a token of its own, not digits inside an id (a UUID's "81110-9933-41bf" is not a number to mask).
const PHONE = /(?<![\w-])\+?\d(?:[\d ()-]{7,}\d)(?![\w-])/g;
// An e-mail or a chat address such as 393331234567@c.us.
const EMAIL_OR_CHAT = /[^\s@<>"'(),;]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

/** The line with anything that looks like a phone number or an e-mail/chat address masked. */
export function redact(line: string): string {
  return line.replace(EMAIL_OR_CHAT, "[address]").replace(PHONE, (match) => (countDigits(match) >= 9 ? "[number]" : match));
}

function countDigits(text: string): number {
  return text.replace(/\D/g, "").length;
}

// Fields that hold what a person said or where they are: never written, whatever part logs them.
const PERSONAL = ["address", "text", "input", "answer", "answers", "payload", "messages", "phone", "chatId", "name"];
const CENSORED = [...PERSONAL, ...PERSONAL.map((k) => `*.${k}`)];

/** Log levels, least to most severe. */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogOptions {
  level?: LogLevel;
  /** "json" (one JSON object a line) or "text" (time, level, message: for a person at a terminal). */
  format?: "json" | "text";
  /** Where lines go (standard output by default). */
  destination?: DestinationStream;
}

/** A logger for a process. */
export function createLog(o: LogOptions = {}): Log {
  const format = o.format ?? "json";
  // Written synchronously: the last lines before a crash are not lost in a buffer.
  const out = o.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: o.level ?? "info",
      base: undefined,
      redact: { paths: CENSORED, censor: "[redacted]" },
      // Every string argument (the message, and format arguments) goes through the masks.
      hooks: {
        logMethod(args, method) {
          return method.apply(this, args.map((a) => (typeof a === "string" ? redact(a) : a)) as Parameters<typeof method>);
        },
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    format === "text" ? textLines(out) : out,
  );
}

/** A destination that writes each JSON line as "HH:MM:SS level message key=value…". */
function textLines(out: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      const { time, level, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
      const at = new Date(time as number).toISOString().slice(11, 19);
      const fields = Object.entries(rest).map(([k, v]) => ` ${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
      out.write(`${at} ${String(level).padEnd(5)} ${String(msg ?? "")}${fields.join("")}\n`);
    },
  };
}

/** A logger that writes nothing (tests, the terminal chat whose output is the conversation). */
export const silentLog: Log = pino({ level: "silent" });
