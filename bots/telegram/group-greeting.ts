// One polite message when someone adds the bot to a group; the group is ignored after that.
import type { Api } from "grammy";
import type { Texts } from "../../src/i18n/texts.ts";
import { describe } from "../handover.ts";
import type { Log } from "../../src/log/log.ts";

/** Greet a group that just added the bot, in its language when we have it. Best effort: a failure is logged. */
export async function greetGroup(
  api: Api,
  texts: Texts,
  botUsername: string,
  greet: { chatId: string; language?: string },
  log: Log,
): Promise<void> {
  const lang = greet.language && texts.languages.includes(greet.language) ? greet.language : (texts.languages[0] ?? "en");
  const text = texts.t(lang, "telegram:group_added", { bot: `@${botUsername}` });
  await api.sendMessage(greet.chatId, text).catch((e: unknown) => log.warn(`telegram: greeting a group that added the bot: ${describe(e)}`));
}
