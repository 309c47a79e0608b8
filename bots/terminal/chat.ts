import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { Conversations } from "../../src/conversation/conversations.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import type { Input } from "../../src/engine/index.ts";
import { terminalInput } from "./inbound.ts";
import { terminalOutput } from "./outbound.ts";

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
  const address = { channel: "terminal" as const, id: o.user };
  const write = (text: string) => o.output.write(`${text}\n`);
  const say = async (input: Input) => {
    const reply = await o.conversations.receive(address, input, o.lang);
    for (const m of reply.messages) write(`${o.interactive ? "\n🤖 " : ""}${terminalOutput(m, o.texts)}\n`);
  };
  if (o.interactive) write(`In Loco terminal chat — you are "${o.user}". Type /quit to leave.\n`);
  // Like tapping Start in Telegram: the bot speaks first (or picks up where the person left off).
  await say({ type: "start", params: {} });
  const lines = createInterface({ input: o.input, terminal: o.interactive, crlfDelay: Infinity });
  if (o.interactive) {
    lines.setPrompt("> ");
    lines.prompt();
  }
  for await (const line of lines) {
    if (line.trim() === "/quit") break;
    if (line.trim() !== "") await say(terminalInput(line));
    if (o.interactive) lines.prompt();
  }
  lines.close();
}
