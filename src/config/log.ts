import { z } from "zod";
import { LOG_LEVELS } from "../log/log.ts";
import { readSettings } from "./env.ts";

/** How the app logs. */
export const LogSettings = z.object({
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info").describe("least severe level written: debug, info, warn, error or silent"),
  LOG_FORMAT: z
    .enum(["json", "text"])
    .optional()
    .describe("json (one object a line, for a log collector) or text (for a person); default text in a terminal, json otherwise"),
});
export type LogSettings = z.infer<typeof LogSettings>;

/** Read the log settings from the environment, or throw a ConfigError naming each bad variable. */
export function readLogSettings(env: NodeJS.ProcessEnv = process.env): LogSettings {
  return readSettings(LogSettings, env);
}
