// The bot's replies out to the terminal, as plain text with numbered choices (outbound.ts).
import type { Writable } from "node:stream";
import { RecipientGoneError, lastMoment, type SendOptions, type Sender } from "../../src/channel/contract.ts";
import type { Message } from "../../src/engine/index.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { terminalOutput } from "./outbound.ts";

export interface TerminalSenderOptions {
  texts: Texts;
  output: Writable;
  /** A person at a keyboard: replies start on a new line with 🤖. */
  interactive: boolean;
  /** Ids of printed replies. */
  newId: () => string;
}

/** Prints replies; once the terminal is closed, the person can't be reached. */
export class TerminalSender implements Sender {
  readonly channel = "terminal" as const;

  constructor(private readonly o: TerminalSenderOptions) {}

  /** Print one message; resolves with a fresh id for it. */
  async send(address: string, message: Message, options?: SendOptions): Promise<{ providerMessageId: string }> {
    if (this.o.output.writableEnded || this.o.output.destroyed) throw new RecipientGoneError("terminal", `the terminal of ${address} is closed`);
    await lastMoment("terminal", options);
    this.o.output.write(`${this.o.interactive ? "\n🤖 " : ""}${terminalOutput(message, this.o.texts)}\n\n`);
    return { providerMessageId: this.o.newId() };
  }
}
