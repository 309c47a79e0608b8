import type { Inbound } from "../../src/channel/contract.ts";
import type { Input } from "../../src/engine/index.ts";
import { ignored, type Ignored } from "../ignored.ts";
import { startInput } from "../start.ts";

/** A line typed in the terminal as our input: `/start [payload]` starts, anything else is text. */
export function terminalInput(line: string): Input {
  const m = /^\/start(?:\s+(\S+))?\s*$/.exec(line.trim());
  return m ? startInput(m[1]) : { type: "text", text: line };
}

/** A line typed by `user` as an inbound message; an empty line is nothing. */
export function terminalInbound(
  line: string,
  o: { user: string; messageId: string; now: Date; language?: string },
): Inbound | Ignored {
  if (line.trim() === "") return ignored("empty line");
  return {
    channel: "terminal",
    address: o.user,
    messageId: o.messageId,
    input: terminalInput(line),
    ...(o.language ? { language: o.language } : {}),
    at: o.now.toISOString(),
  };
}
