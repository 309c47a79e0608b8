// Our messages out to Telegram: each rendered (outbound.ts) into one or more sendMessage calls.
import type { Api } from "grammy";
import { SendAbandonedError, type SendOptions, type Sender } from "../../src/channel/contract.ts";
import type { Message } from "../../src/engine/index.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { askLane, inLane, type Lane } from "./flood.ts";
import { telegramOutbound } from "./outbound.ts";
import { sendError } from "./send-error.ts";

/** Sends on Telegram through a bot's API; refusals come out as the contract's typed errors (send-error.ts). */
export class TelegramSender implements Sender {
  readonly channel = "telegram" as const;

  constructor(
    private readonly api: Api,
    private readonly texts: Texts,
    /** Whether the bot's API has flood control, which asks `beforeCall` once it has a slot. */
    private readonly flooded = false,
  ) {}

  /**
   * Send one message (several calls when it is long); resolves with the id of the last one sent. A bulk
   * message's calls wait behind every reply (flood.ts, when the bot has flood control).
   */
  send(address: string, message: Message, options?: SendOptions): Promise<{ providerMessageId: string }> {
    if (!options?.bulk && !options?.beforeCall) return this.sendCalls(address, message, undefined);
    const lane = { bulk: options.bulk === true, ...(options.beforeCall ? { beforeCall: options.beforeCall } : {}) };
    return inLane(lane, () => this.sendCalls(address, message, lane));
  }

  private async sendCalls(address: string, message: Message, lane: Lane | undefined): Promise<{ providerMessageId: string }> {
    let sent: { message_id: number } | undefined;
    for (const call of telegramOutbound(message, this.texts)) {
      // Without flood control (a bot made without it) nothing else asks: ask before the first call.
      if (lane?.beforeCall && !lane.asked && !this.flooded) await askLane(lane);
      try {
        sent = await this.api.raw.sendMessage({ chat_id: address, ...call.payload });
      } catch (e) {
        if (e instanceof SendAbandonedError) throw e;
        throw sendError(e);
      }
    }
    return { providerMessageId: String(sent?.message_id ?? "") };
  }
}
