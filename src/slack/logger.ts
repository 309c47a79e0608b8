// Bolt and the Web API client log through the app's log (so their lines are redacted like ours).
import { LogLevel, type Logger } from "@slack/bolt";
import type { Log } from "../log/log.ts";

/** A Bolt logger writing to `log` (a child named "slack"). */
export function boltLogger(log: Log): Logger {
  const child = log.child({ part: "slack" });
  let level = LogLevel.WARN;
  const line = (parts: unknown[]) => parts.map((p) => (p instanceof Error ? p.message : typeof p === "string" ? p : JSON.stringify(p))).join(" ");
  return {
    debug: (...m: unknown[]) => child.debug(line(m)),
    info: (...m: unknown[]) => child.info(line(m)),
    warn: (...m: unknown[]) => child.warn(line(m)),
    error: (...m: unknown[]) => child.error(line(m)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
