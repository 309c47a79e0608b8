// Lines in from the terminal: each typed (or piped) line converted (inbound.ts) and handed over, one at a
// time. At a keyboard there is a banner and a prompt; piped in, each line is echoed, as a transcript.
import { createInterface, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { ChannelHealth, Inbound, InboundHandler, Receiver } from "../../src/channel/contract.ts";
import { isIgnored } from "../ignored.ts";
import { terminalInbound } from "./inbound.ts";

export interface TerminalReceiverOptions {
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
  /** Ids of typed lines. */
  newId: () => string;
  now: () => Date;
}

/** Reads the person's lines from the input until it ends or /quit. */
export class TerminalReceiver implements Receiver {
  readonly channel = "terminal" as const;
  private lines: Interface | undefined;
  private state: ChannelHealth["state"] = "stopped";
  private reading: Promise<void> = Promise.resolve();

  constructor(private readonly o: TerminalReceiverOptions) {}

  /** Greets (like tapping Start in Telegram: the bot speaks first), then reads lines until the input ends or /quit. */
  async start(onInbound: InboundHandler): Promise<void> {
    this.state = "ready";
    if (this.o.interactive) this.o.output.write(`In Loco terminal chat — you are "${this.o.user}". Type /quit to leave.\n\n`);
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

  /** Stop reading and wait for the line in hand. */
  async stop(): Promise<void> {
    this.lines?.close();
    await this.reading;
    this.state = "stopped";
  }

  /** Ready while reading, stopped once the person has left. */
  health(): ChannelHealth {
    return { channel: "terminal", state: this.state };
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
    return terminalInbound(line, { user: this.o.user, messageId: this.o.newId(), now: this.o.now(), ...(this.o.lang ? { language: this.o.lang } : {}) });
  }
}
