import { z } from "zod";

const csv = z
  .string()
  .transform((s) => s.split(",").map((x) => x.trim()).filter((x) => x.length > 0));

/** Settings of the conversation itself; every one has a default that works out of the box. */
export const ConversationSettings = z.object({
  INLOCO_LANGUAGES: csv
    .pipe(z.array(z.string().regex(/^[a-z]{2,3}$/, "language codes like en,it,ar")).min(1))
    .default(["en", "it", "ar", "fa", "uk", "ti", "fr"])
    .describe("languages offered, in menu order; the first is the default"),
  INLOCO_TIME_ZONE: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, "an IANA time zone like Europe/Rome")
    .default("Europe/Rome")
    .describe("time zone that turns 'today' into a date"),
  INLOCO_ENTRY_FLOW: z.string().default("main").describe("the flow a new conversation begins"),
  INLOCO_FLOWS_DIR: z.string().optional().describe("folder of flow files (default ./flows)"),
  INLOCO_LOCALES_DIR: z.string().optional().describe("folder of locale files (default ./locales)"),
});
export type ConversationSettings = z.infer<typeof ConversationSettings>;

/** A setting that is missing or malformed, named with what it should look like. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: ReadonlyArray<{ variable: string; message: string }>) {
    super(`Configuration problem:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join("\n")}`);
  }
}

/** Parse settings from the environment with a schema, or throw a ConfigError naming each bad variable. */
export function readSettings<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  // An empty variable means "not set", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((i) => ({ variable: String(i.path[0] ?? "?"), message: i.message })));
}
