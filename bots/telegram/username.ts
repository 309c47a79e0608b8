// The bot's @username, asked from Telegram: for posters when TELEGRAM_BOT_USERNAME is unset.
import { Bot } from "grammy";

/** The bot's @username (without @), from getMe. */
export async function fetchBotUsername(token: string, apiRoot?: string): Promise<string> {
  const bot = new Bot(token, { client: apiRoot ? { apiRoot: apiRoot.replace(/\/+$/, "") } : {} });
  return (await bot.api.getMe()).username;
}
