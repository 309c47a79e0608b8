import { z } from "zod";
import { readSettings } from "./env.ts";

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/** How broadcasts are paced and held. */
export const BroadcastSettings = z.object({
  INLOCO_QUIET_HOURS: z
    .string()
    .trim()
    .refine((s) => s === "off" || (s.split("-").length === 2 && s.split("-").every((t) => CLOCK.test(t.trim())) && s.split("-")[0]?.trim() !== s.split("-")[1]?.trim()), "two different times like 21:00-08:00, or off")
    .transform((s) => (s === "off" ? null : { from: (s.split("-")[0] as string).trim(), to: (s.split("-")[1] as string).trim() }))
    .prefault("21:00-08:00")
    .describe("when broadcasts wait, on each territory's clocks (HH:MM-HH:MM, may wrap midnight), or off"),
  INLOCO_WHATSAPP_BULK_GAP: z.coerce
    .number({ error: "seconds between two broadcast messages on WhatsApp, e.g. 8" })
    .min(1)
    .default(8)
    .describe("seconds between two broadcast messages on WhatsApp (each varies by ±50%): WhatsApp bans numbers that send in bulk"),
});
export type BroadcastSettings = z.infer<typeof BroadcastSettings>;

/** Broadcast settings from the environment. */
export function readBroadcastSettings(env: NodeJS.ProcessEnv = process.env): BroadcastSettings {
  return readSettings(BroadcastSettings, env);
}
