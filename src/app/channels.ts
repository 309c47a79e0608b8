// Which receivers and senders a process runs, from the channel plan and its mode: the only place that
// knows each channel by name, so the app wires receivers and senders alike.
import { TelegramChannel, telegramSender } from "../../bots/telegram/index.ts";
import { WhatsAppChannel } from "../../bots/whatsapp/index.ts";
import { whatsappWebClient } from "../../bots/whatsapp/web-client.ts";
import type { Receiver, Sender } from "../channel/contract.ts";
import { MemorySendRateStore, type SendRateStore } from "../channel/send-rate.ts";
import type { ChannelPlan } from "../config/channels.ts";
import type { Texts } from "../i18n/texts.ts";
import type { Log } from "../log/log.ts";

/** What a process receives on and sends on. */
export interface ProcessChannels {
  receivers: Receiver[];
  senders: Sender[];
}

/**
 * The channels for a mode: `start` receives and sends on every planned channel; `worker` only sends, on
 * Telegram (sending needs only the token; a WhatsApp session belongs to the one process that receives);
 * `chat` runs none of these (its terminal is the caller's). Telegram's flood control counts in `sendRates`:
 * give every process of the installation the same store (Redis) so that together they keep the bot's limit.
 */
export function channelsFor(plan: ChannelPlan, mode: "start" | "worker" | "chat", texts: Texts, log: Log, sendRates: SendRateStore = new MemorySendRateStore()): ProcessChannels {
  const channels: ProcessChannels = { receivers: [], senders: [] };
  if (mode === "chat") return channels;
  if (plan.telegram) {
    const flood = { store: sendRates, perSecond: plan.telegram.flood.perSecond, chatBurst: plan.telegram.flood.chatBurst, log };
    const bot = { token: plan.telegram.token, ...(plan.telegram.apiRoot ? { apiRoot: plan.telegram.apiRoot } : {}), flood };
    if (mode === "start") {
      const webhook = plan.telegram.webhook ? { url: plan.telegram.webhook.url, secret: plan.telegram.webhook.secret } : undefined;
      const telegram = new TelegramChannel({ ...bot, texts, ...(webhook ? { webhook } : {}), log });
      channels.receivers.push(telegram.receiver);
      channels.senders.push(telegram.sender);
    } else {
      channels.senders.push(telegramSender({ ...bot, texts }));
    }
  }
  if (plan.whatsapp && mode === "start") {
    const whatsapp = new WhatsAppChannel({ texts, createClient: whatsappWebClient({ dataDir: plan.whatsapp.dataDir, chromiumPath: plan.whatsapp.chromiumPath }), dataDir: plan.whatsapp.dataDir, log });
    channels.receivers.push(whatsapp.receiver);
    channels.senders.push(whatsapp.sender);
  }
  return channels;
}
