import type { Readable, Writable } from "node:stream";
import type { Inbound } from "../../src/channel/contract.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { TerminalChannel } from "./channel.ts";

export interface ChatOptions {
  texts: Texts;
  /** Who is chatting: each name is a separate person with their own conversation. */
  user: string;
  /** Starting language for a new person. */
  lang?: string;
  input: Readable;
  output: Writable;
  /** A person at a keyboard (prompt and banner), rather than a script piping lines in. */
  interactive: boolean;
  /** Hand a typed line over and wait until its replies have been printed (the pipeline, or a direct turn). */
  handle: (inbound: Inbound, channel: TerminalChannel) => Promise<void>;
}

/** A conversation with the bot in the terminal: one message per line in, the bot's replies out. */
export async function runChat(o: ChatOptions): Promise<TerminalChannel> {
  const channel = new TerminalChannel(o);
  // Each line waits for its replies, as a person reads before typing the next answer.
  await channel.start((inbound) => o.handle(inbound, channel));
  await channel.finished();
  await channel.stop();
  return channel;
}
