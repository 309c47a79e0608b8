// The WhatsApp channel assembled: one process owns a WhatsApp Web session, so the receiver (which owns
// the client) and the sender (which sends through it) always come as a pair.
import type { Channel, ChannelHealth, InboundHandler } from "../../src/channel/contract.ts";
import type { Message } from "../../src/engine/index.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { WhatsAppReceiver, type WhatsAppReceiverOptions } from "./receiver.ts";
import { WhatsAppSender } from "./sender.ts";

export type WhatsAppChannelOptions = WhatsAppReceiverOptions & { texts: Texts };

/** WhatsApp (through WhatsApp Web) as a channel. */
export class WhatsAppChannel implements Channel {
  readonly channel = "whatsapp" as const;
  readonly receiver: WhatsAppReceiver;
  readonly sender: WhatsAppSender;

  constructor(options: WhatsAppChannelOptions) {
    this.receiver = new WhatsAppReceiver(options);
    this.sender = new WhatsAppSender(this.receiver, options.texts);
  }

  /** Where the login QR code is written while the phone is not linked. */
  get qrFile(): string {
    return this.receiver.qrFile;
  }

  /** See WhatsAppReceiver.start. */
  start(onInbound: InboundHandler): Promise<void> {
    return this.receiver.start(onInbound);
  }

  /** See WhatsAppReceiver.stop. */
  stop(): Promise<void> {
    return this.receiver.stop();
  }

  /** Resolves once every message received so far has been handed over. */
  idle(): Promise<void> {
    return this.receiver.idle();
  }

  /** See WhatsAppReceiver.health. */
  health(): ChannelHealth {
    return this.receiver.health();
  }

  /** See WhatsAppSender.send. */
  send(address: string, message: Message): Promise<{ providerMessageId: string }> {
    return this.sender.send(address, message);
  }
}
