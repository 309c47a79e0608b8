import type { Inbound } from "../../src/channel/contract.ts";
import { TerminalChannel, type TerminalChannelOptions } from "./index.ts";

export interface ChatOptions extends TerminalChannelOptions {
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
