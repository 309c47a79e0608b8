import type { Input } from "../../src/engine/index.ts";
import { readStartPayload } from "../../src/deeplink/payload.ts";

/** A line typed in the terminal as our input: `/start [payload]` starts, anything else is text. */
export function terminalInput(line: string): Input {
  const m = /^\/start(?:\s+(\S+))?\s*$/.exec(line.trim());
  if (!m) return { type: "text", text: line };
  const request = readStartPayload(m[1] ?? "");
  const params: Record<string, string> = {};
  if (request.territory) params.territory = request.territory;
  if (request.event) params.event = request.event;
  const flow = request.flow ?? (request.event ? "rsvp" : undefined);
  return { type: "start", ...(flow ? { flow } : {}), params };
}
