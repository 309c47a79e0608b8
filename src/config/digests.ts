import { z } from "zod";
import { readSettings } from "./env.ts";

/** What task forces' digests may show. */
export const DigestSettings = z.object({
  INLOCO_DIGEST_MIN_COUNT: z.coerce
    .number({ error: "a whole number of people, e.g. 5" })
    .int("a whole number of people, e.g. 5")
    .min(1, "at least 1")
    .default(5)
    .describe("digests show any count below this as \"< N\" (and no change or percentage made from it)"),
});
export type DigestSettings = z.infer<typeof DigestSettings>;

/** Digest settings from the environment. */
export function readDigestSettings(env: NodeJS.ProcessEnv = process.env): DigestSettings {
  return readSettings(DigestSettings, env);
}
