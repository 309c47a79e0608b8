// Our messages out to Telegram: each rendered (outbound.ts) into one or more sendMessage calls.
import type { Api } from "grammy";
import type { SendOptions, Sender } from "../../src/channel/contract.ts";
import type { Message } from "../../src/engine/index.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { inBulkLane } from "./flood.ts";
import { telegramOutbound } from "./outbound.ts";
import { sendError } from "./send-error.ts";

/** Sends on Telegram through a bot's API; refusals come out as the contract's typed errors (send-error.ts). */
export class TelegramSender implements Sender {
  readonly channel = "telegram" as const;

  constructor(
    private readonly api: Api,
    private readonly texts: Texts,
  ) {}

  /**
   * Send one message (several calls when it is long); resolves with the id of the last one sent. A bulk
   * message's calls wait behind every reply (flood.ts, when the bot has flood control).
   */
  send(address: string, message: Message, options?: SendOptions): Promise<{ providerMessageId: string }> {
    return options?.bulk ? inBulkLane(() => this.sendCalls(address, message)) : this.sendCalls(address, message);
  }

  private async sendCalls(address: string, message: Message): Promise<{ providerMessageId: string }> {
    let sent: { message_id: number } | undefined;
    for (const call of telegramOutbound(message, this.texts)) {
      try {
        sent = await this.api.raw.sendMessage({ chat_id: address, ...call.payload });
      } catch (e) {
        throw sendError(e);
      }
    }
    return { providerMessageId: String(sent?.message_id ?? "") };
  }
}
