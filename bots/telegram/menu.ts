// Telegram's menu of commands: set once at start, in each language that has its own descriptions.
import type { Api } from "grammy";
import type { LanguageCode } from "grammy/types";
import type { Texts } from "../../src/i18n/texts.ts";
import { describe } from "../handover.ts";
import type { Log } from "../../src/log/log.ts";

/** The commands shown in Telegram's menu, described in `locales/<lang>/telegram.json`. */
export const BOT_COMMANDS = ["start", "language", "help", "stop", "mydata", "delete"] as const;

/** Set the menu; the first language is the default. A failure is logged, never thrown. */
export async function setMenu(api: Api, texts: Texts, log: Log): Promise<void> {
  const commands = (lang: string) => BOT_COMMANDS.map((command) => ({ command, description: texts.t(lang, `telegram:commands.${command}`) }));
  const [first] = texts.languages;
  const calls: Array<{ commands: ReturnType<typeof commands>; language_code?: LanguageCode }> = [
    ...(first ? [{ commands: commands(first) }] : []),
    ...texts.languages
      .filter((lang) => texts.has(lang, "telegram:commands.start"))
      .map((lang) => ({ commands: commands(lang), language_code: lang as LanguageCode })),
  ];
  for (const call of calls) {
    // The menu is a convenience: a failure is worth a line in the log, not a channel that won't start.
    await api.raw.setMyCommands(call).catch((e: unknown) => log.warn(`telegram: setMyCommands ${call.language_code ?? "(default)"}: ${describe(e)}`));
  }
}
