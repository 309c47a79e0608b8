import type { Readable, Writable } from "node:stream";
import type { Conversations } from "../../src/conversation/conversations.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { TerminalChannel } from "./channel.ts";

export interface ChatOptions {
  conversations: Conversations;
  texts: Texts;
  /** Who is chatting: each name is a separate person with their own conversation. */
  user: string;
  /** Starting language for a new person. */
  lang?: string;
  input: Readable;
  output: Writable;
  /** A person at a keyboard (prompt and banner), rather than a script piping lines in. */
  interactive: boolean;
}

/** A conversation with the bot in the terminal: one message per line in, the bot's replies out. */
export async function runChat(o: ChatOptions): Promise<void> {
  const channel = new TerminalChannel(o);
  // The smallest host: each line is one turn, its replies printed before the next line is read.
  await channel.start(async (inbound) => {
    try {
      const reply = await o.conversations.receive({ channel: "terminal", id: inbound.address }, inbound.input, { language: inbound.language });
      for (const message of reply.messages) await channel.send(inbound.address, message);
    } catch (e) {
      // Nothing was half-saved (a turn is one transaction): say so briefly and let the person retry.
      console.error(`chat: turn failed: ${(e as Error).message}`);
      await channel.send(inbound.address, { key: "session:try_again", params: {}, lang: inbound.language ?? o.lang ?? "en", choices: [] });
    }
  });
  await channel.finished();
  await channel.stop();
}
