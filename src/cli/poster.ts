import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { fetchBotUsername } from "../../bots/telegram/bot.ts";
import { readChannelSettings } from "../config/channels.ts";
import { ConfigError } from "../config/env.ts";
import { posterLink, writePosterQr, type PosterChannel } from "../poster/poster.ts";

interface PosterOptions {
  territory: string;
  event?: string;
  out?: string;
  channel: PosterChannel;
}

/** `inloco poster`: a QR code for a poster, opening the bot with the territory (and event) already known. */
export function registerPoster(program: Command): void {
  program
    .command("poster")
    .description("write a PNG QR code of a deep link to the bot, and print the link")
    .requiredOption("--territory <id>", "the territory the poster hangs in, e.g. valsusa")
    .option("--event <id>", "an event to answer (opens its RSVP)")
    .option("--out <file.png>", "where to write the QR code (default poster-<territory>[-<event>]-<channel>.png)")
    .addOption(new Option("--channel <name>", "the app the link opens").choices(["telegram", "whatsapp"]).default("telegram"))
    .action(async (o: PosterOptions) => {
      const settings = readChannelSettings();
      let telegramUsername = settings.TELEGRAM_BOT_USERNAME;
      if (o.channel === "telegram" && !telegramUsername && settings.TELEGRAM_BOT_TOKEN) {
        telegramUsername = await fetchBotUsername(settings.TELEGRAM_BOT_TOKEN, settings.TELEGRAM_API_ROOT).catch((e: unknown) => {
          const why = e instanceof Error ? e.message : String(e);
          throw new ConfigError([{ variable: "TELEGRAM_BOT_USERNAME", message: `not set, and Telegram could not tell it (${why}): set it to the bot's username` }]);
        });
      }
      const request = { territory: o.territory, ...(o.event ? { event: o.event } : {}) };
      const link = posterLink(o.channel, request, {
        ...(telegramUsername ? { telegramUsername } : {}),
        ...(settings.WHATSAPP_NUMBER ? { whatsappNumber: settings.WHATSAPP_NUMBER } : {}),
      });
      const file = resolve(o.out ?? `poster-${[o.territory, o.event, o.channel].filter(Boolean).join("-")}.png`);
      await writePosterQr(link, file);
      console.log(link);
      console.log(`QR code written to ${file}`);
    });
}
