import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { fetchBotUsername } from "../../bots/telegram/username.ts";
import { readChannelSettings } from "../config/channels.ts";
import { ConfigError } from "../config/env.ts";
import { openDatabase } from "../db/index.ts";
import { posterLink, writePosterQr, type PosterChannel } from "../poster/poster.ts";
import { isMeetingCancelled } from "../repos/meetings.ts";
import { eventTerritory, territoryIds } from "../repos/territories.ts";

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
      // A poster with an id the bot doesn't know sends people nowhere: refuse it before printing.
      const unknown = await unknownIds(o);
      if (unknown.length > 0) {
        for (const line of unknown) console.error(line);
        process.exitCode = 1;
        return;
      }
      const file = resolve(o.out ?? `poster-${[o.territory, o.event, o.channel].filter(Boolean).join("-")}.png`);
      await writePosterQr(link, file);
      console.log(link);
      console.log(`QR code written to ${file}`);
    });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What is wrong with the poster's territory and event, looked up in the stakeholder database. */
async function unknownIds(o: PosterOptions): Promise<string[]> {
  const db = await openDatabase();
  try {
    const problems: string[] = [];
    const territories = await territoryIds(db.prisma);
    if (!territories.includes(o.territory)) {
      const known = territories.join(", ") || "none yet: `inloco db seed` loads the demo ones";
      problems.push(`unknown territory "${o.territory}" (known: ${known})`);
    }
    if (o.event !== undefined) {
      const territory = UUID.test(o.event) ? await eventTerritory(db.prisma, o.event) : undefined;
      if (territory === undefined) problems.push(`unknown event "${o.event}" (an event id is a UUID, as \`inloco db seed\` prints)`);
      else if (territory !== null && territory !== o.territory) {
        problems.push(`event "${o.event}" is in territory "${territory}", not "${o.territory}"`);
      }
      // Its link would start a plain conversation (a cancelled meeting is offered to no one).
      else if (await isMeetingCancelled(db.prisma, o.event)) problems.push(`event "${o.event}" was cancelled`);
    }
    return problems;
  } finally {
    await db.close();
  }
}
