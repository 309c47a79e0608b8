// The terminal as a channel: one person (a user name) typing lines, the bot's replies printed as text.
import { randomUUID } from "node:crypto";
import { createInterface, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { RecipientGoneError, type Channel, type ChannelHealth, type Inbound, type InboundHandler } from "../../src/channel/contract.ts";
import type { Message } from "../../src/engine/index.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { isIgnored } from "../ignored.ts";
import { terminalInbound } from "./inbound.ts";
import { terminalOutput } from "./outbound.ts";

export interface TerminalChannelOptions {
  texts: Texts;
  /** Who is typing: each name is a separate person with their own conversation. */
  user: string;
  /** The person's language, as a hint for a new contact. */
  lang?: string;
  input: Readable;
  output: Writable;
  /** A person at a keyboard (prompt, banner, 🤖 before replies), rather than a script piping lines in. */
  interactive: boolean;
  /** Start by handing over `/start`, so the bot speaks first (default true). */
  greet?: boolean;
  /** Ids of typed lines (default random UUIDs, unique across runs). */
  newId?: () => string;
  now?: () => Date;
}

export class TerminalChannel implements Channel {
  readonly channel = "terminal" as const;
  private lines: Interface | undefined;
  private state: ChannelHealth["state"] = "stopped";
  private reading: Promise<void> = Promise.resolve();
  private readonly newId: () => string;
  private readonly now: () => Date;

  constructor(private readonly o: TerminalChannelOptions) {
    this.newId = o.newId ?? randomUUID;
    this.now = o.now ?? (() => new Date());
  }

  /** Greets (like tapping Start in Telegram: the bot speaks first), then reads lines until the input ends or /quit. */
  async start(onInbound: InboundHandler): Promise<void> {
    this.state = "ready";
    if (this.o.interactive) this.write(`In Loco terminal chat — you are "${this.o.user}". Type /quit to leave.\n`);
    if (this.o.greet !== false) {
      const greeting = this.inbound("/start") as Inbound;
      // `--lang`: the language is chosen already, so the bot doesn't ask it.
      if (this.o.lang && greeting.input.type === "start") greeting.input.params.lang = this.o.lang;
      await onInbound(greeting);
    }
    // At a keyboard, readline echoes what is typed and shows the prompt on the output.
    const lines = createInterface({ input: this.o.input, ...(this.o.interactive ? { output: this.o.output } : {}), terminal: this.o.interactive, crlfDelay: Infinity });
    this.lines = lines;
    this.reading = this.read(lines, onInbound);
  }

  /** Resolves when the person has left (end of input or /quit). */
  finished(): Promise<void> {
    return this.reading;
  }

  async stop(): Promise<void> {
    this.lines?.close();
    await this.reading;
    this.state = "stopped";
  }

  health(): ChannelHealth {
    return { channel: "terminal", state: this.state };
  }

  async send(address: string, message: Message): Promise<{ providerMessageId: string }> {
    if (this.o.output.writableEnded || this.o.output.destroyed) throw new RecipientGoneError("terminal", `the terminal of ${address} is closed`);
    this.write(`${this.o.interactive ? "\n🤖 " : ""}${terminalOutput(message, this.o.texts)}\n`);
    return { providerMessageId: this.newId() };
  }

  private async read(lines: Interface, onInbound: InboundHandler): Promise<void> {
    if (this.o.interactive) {
      lines.setPrompt("> ");
      lines.prompt();
    }
    // One line at a time: the next waits until this one is handed over.
    for await (const line of lines) {
      if (line.trim() === "/quit") break;
      const inbound = this.inbound(line);
      // Piped in, the lines are not on the screen: echo each, so the output reads as a transcript.
      // (Not once the screen is gone: the line is still handed over, as a closed chat's would be.)
      if (!this.o.interactive && !isIgnored(inbound) && !this.o.output.writableEnded && !this.o.output.destroyed) this.o.output.write(`> ${line}\n`);
      if (!isIgnored(inbound)) await onInbound(inbound);
      if (this.o.interactive) lines.prompt();
    }
    lines.close();
    this.state = "stopped";
  }

  private inbound(line: string) {
    return terminalInbound(line, { user: this.o.user, messageId: this.newId(), now: this.now(), ...(this.o.lang ? { language: this.o.lang } : {}) });
  }

  private write(text: string): void {
    this.o.output.write(`${text}\n`);
  }
}
