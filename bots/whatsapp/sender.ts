// Our messages out to WhatsApp: rendered as numbered text (outbound.ts) and sent through the receiver's
// client, which owns the one WhatsApp Web session of this process.
import { RecipientGoneError, lastMoment, type ChannelHealth, type SendOptions, type Sender } from "../../src/channel/contract.ts";
import type { Message } from "../../src/engine/index.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { describe } from "../handover.ts";
import { whatsappOutbound } from "./outbound.ts";
import type { WhatsAppClient } from "./web-client.ts";

/** The connection a sender sends through (the receiver's): its client once ready, and its state for errors. */
export interface WhatsAppConnection {
  readyClient(): WhatsAppClient | undefined;
  health(): ChannelHealth;
}

/** Sends on WhatsApp; an unknown or invalid number is RecipientGoneError, anything else transient. */
export class WhatsAppSender implements Sender {
  readonly channel = "whatsapp" as const;

  constructor(
    private readonly connection: WhatsAppConnection,
    private readonly texts: Texts,
  ) {}

  /** Send one message as text; resolves with WhatsApp's id of it. */
  async send(address: string, message: Message, options?: SendOptions): Promise<{ providerMessageId: string }> {
    const client = this.connection.readyClient();
    // Not a verdict on the person: the pipeline tries again once we are back.
    if (!client) throw new Error(`whatsapp: not connected (${this.connection.health().state})`);
    await lastMoment("whatsapp", options);
    let sent: Awaited<ReturnType<WhatsAppClient["sendMessage"]>>;
    try {
      sent = await client.sendMessage(address, whatsappOutbound(message, this.texts));
    } catch (e) {
      if (/invalid wid|wid error|no lid for user|not a whatsapp user/i.test(describe(e))) throw new RecipientGoneError("whatsapp", describe(e));
      throw e;
    }
    if (!sent) throw new RecipientGoneError("whatsapp", `no chat ${address}`);
    return { providerMessageId: sent.id._serialized };
  }
}
