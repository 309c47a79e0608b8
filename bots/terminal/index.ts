// The terminal channel assembled: one person typing lines (the receiver), the bot's replies printed on the
// same screen (the sender).
import { randomUUID } from "node:crypto";
import type { Channel, ChannelHealth, InboundHandler } from "../../src/channel/contract.ts";
import type { Message } from "../../src/engine/index.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { TerminalReceiver, type TerminalReceiverOptions } from "./receiver.ts";
import { TerminalSender } from "./sender.ts";

export interface TerminalChannelOptions extends Omit<TerminalReceiverOptions, "newId" | "now"> {
  texts: Texts;
  /** Ids of typed lines and printed replies (default random UUIDs, unique across runs). */
  newId?: () => string;
  now?: () => Date;
}

/** The terminal as a channel. */
export class TerminalChannel implements Channel {
  readonly channel = "terminal" as const;
  readonly receiver: TerminalReceiver;
  readonly sender: TerminalSender;

  constructor(o: TerminalChannelOptions) {
    const newId = o.newId ?? randomUUID;
    this.receiver = new TerminalReceiver({ ...o, newId, now: o.now ?? (() => new Date()) });
    this.sender = new TerminalSender({ texts: o.texts, output: o.output, interactive: o.interactive, newId });
  }

  /** See TerminalReceiver.start. */
  start(onInbound: InboundHandler): Promise<void> {
    return this.receiver.start(onInbound);
  }

  /** Resolves when the person has left (end of input or /quit). */
  finished(): Promise<void> {
    return this.receiver.finished();
  }

  /** See TerminalReceiver.stop. */
  stop(): Promise<void> {
    return this.receiver.stop();
  }

  /** See TerminalReceiver.health. */
  health(): ChannelHealth {
    return this.receiver.health();
  }

  /** See TerminalSender.send. */
  send(address: string, message: Message): Promise<{ providerMessageId: string }> {
    return this.sender.send(address, message);
  }
}
