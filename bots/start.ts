import type { Input } from "../src/engine/index.ts";
import { readStartPayload } from "../src/deeplink/payload.ts";

/**
 * The start input a deep link asks for (`t.me/<bot>?start=<payload>`, `wa.me/<n>?text=START <payload>`):
 * the territory and event as params, and the flow to run (an event means its RSVP).
 */
export function startInput(payload = ""): Input {
  const request = readStartPayload(payload);
  const params: Record<string, string> = {};
  if (request.territory) params.territory = request.territory;
  if (request.event) params.event = request.event;
  const flow = request.flow ?? (request.event ? "rsvp" : undefined);
  return { type: "start", ...(flow ? { flow } : {}), params };
}

/** The primary subtag of a language tag, lower-cased: "pt-BR" → "pt". */
export function primaryLanguage(tag: string | undefined): string | undefined {
  const primary = tag?.split(/[-_]/)[0]?.toLowerCase();
  return primary ? primary : undefined;
}
