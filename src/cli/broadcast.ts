import { createInterface } from "node:readline/promises";
import { userInfo } from "node:os";
import { InvalidArgumentError, type Command } from "commander";
import { loadRuntime } from "../app/runtime.ts";
import {
  broadcastProgress,
  cancelBroadcast,
  confirmBroadcast,
  createBroadcast,
  listBroadcasts,
  pauseBroadcast,
  resumeBroadcast,
  BroadcastInputError,
  type Broadcast,
  type BroadcastsContext,
  type Preview,
  type Progress,
} from "../broadcasts/index.ts";
import { openDatabase } from "../db/index.ts";
import { ChannelName } from "../channel/contract.ts";

interface CreateOptions {
  event?: string;
  text?: string[];
  flow?: string;
  territory?: string[];
  language?: string[];
  channel?: string[];
  seenWithin?: number;
  finished?: string;
  left?: string;
  at?: string;
  expires?: string;
  yes?: boolean;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
const days = (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError("a whole number of days, e.g. 30");
  return Number(v);
};
const channel = (v: string, previous: string[] | undefined) => {
  if (!ChannelName.safeParse(v).success) throw new InvalidArgumentError(`one of ${ChannelName.options.join(", ")}`);
  return collect(v, previous);
};

/** Who runs the command, as the audit log names them. */
const actor = () => `cli:${process.env.USER ?? userInfo().username}`;

/** `inloco broadcast create|list|status|pause|resume|cancel`: coordinators message parts of the population. */
export function registerBroadcast(program: Command): void {
  const broadcast = program.command("broadcast").description("send a text, a meeting's invitation or a flow to newcomers of some territories, languages, channels");
  broadcast
    .command("create")
    .description("make a broadcast: shows who it reaches and which languages lack a text, asks to confirm (unless --yes), prints its id")
    .option("--text <language=text>", "the message in a language, e.g. en=\"The Italian course opens Monday\"; repeat per language, the first is for those without their own", collect)
    .option("--event <id>", "invite to a meeting (its RSVP buttons in each person's language; to its territory unless --territory says otherwise)")
    .option("--flow <id>", "start a flow for each person (e.g. needs, with --left needs: invite those who left it half-way to finish it)")
    .option("--territory <id>", "only people of this territory; repeat for more", collect)
    .option("--language <code>", "only people talking in this language; repeat for more", collect)
    .option("--channel <name>", "only people on this channel (telegram, whatsapp); repeat for more", channel)
    .option("--seen-within <days>", "only people who wrote within this many days", days)
    .option("--finished <flow>", "only people who finished this flow")
    .option("--left <flow>", "only people who started this flow and never finished it")
    .option("--at <time>", "when to send, \"YYYY-MM-DD HH:MM\" (the territory's clocks when it goes to one, else INLOCO_TIME_ZONE's) or ISO 8601; default now")
    .option("--expires <time>", "drop what is still unsent at this time instead of sending it late (an invitation: the meeting's start)")
    .option("--yes", "send without asking")
    .action((o: CreateOptions) =>
      withBroadcasts(async (ctx) => {
        const texts = o.text ? pairs(o.text) : undefined;
        const { broadcast: b, preview } = await createBroadcast(ctx, {
          ...(texts ? { texts } : {}),
          ...(o.event ? { meeting: o.event } : {}),
          ...(o.flow ? { flow: o.flow } : {}),
          territories: o.territory ?? [],
          languages: o.language ?? [],
          channels: (o.channel ?? []) as ChannelName[],
          ...(o.seenWithin ? { seenWithinDays: o.seenWithin } : {}),
          ...(o.finished ? { finished: o.finished } : {}),
          ...(o.left ? { left: o.left } : {}),
          ...(o.at ? { at: o.at } : {}),
          ...(o.expires ? { expires: o.expires } : {}),
          createdBy: actor(),
        });
        console.error(previewText(b, preview));
        if (preview.total === 0) console.error("Nobody would get it now (people are chosen again when it is sent).");
        if (!o.yes && !(await ask("Send it? [y/N] "))) {
          await cancelBroadcast(ctx, b.id, actor());
          console.error("Not sent (the draft is cancelled).");
          process.exitCode = 1;
          return;
        }
        const confirmed = await confirmBroadcast(ctx, b.id, actor());
        console.log(confirmed.id);
        console.error(confirmed.at && confirmed.at.getTime() > Date.now() + 60_000 ? `Scheduled for ${confirmed.at.toISOString()}.` : "Sending now: the running app (`inloco start`, or `inloco chat` for the terminal) sends it.");
        console.error(`Follow it with: inloco broadcast status ${confirmed.id} --watch`);
      }),
    );
  broadcast
    .command("list")
    .description("broadcasts being sent, scheduled or paused, and the last ten finished, newest first")
    .action(() =>
      withBroadcasts(async (ctx) => {
        const list = await listBroadcasts(ctx);
        if (list.length === 0) return console.log("no broadcasts");
        for (const b of list) {
          const p = await broadcastProgress(ctx, b.id);
          console.log(`${b.id}  ${b.status.padEnd(9)}  ${b.kind.padEnd(17)}  ${counts(p)}  ${short(b.what)}`);
        }
      }),
    );
  broadcast
    .command("status")
    .description("a broadcast's progress: queued, sent, failed, blocked, skipped (stopped, erased, expired, cancelled)")
    .argument("<id>", "the broadcast's id")
    .option("--watch", "keep showing it, with a progress bar, until it ends (Ctrl-C stops watching, not the broadcast)")
    .action((id: string, o: { watch?: boolean }) =>
      withBroadcasts(async (ctx) => {
        let p = await broadcastProgress(ctx, id);
        if (!o.watch) return console.log(statusText(p));
        const tty = process.stdout.isTTY === true;
        let last = "";
        for (;;) {
          const text = watchLine(p);
          // One line redrawn in place: cut to the terminal's width, or it would wrap and scroll.
          if (tty) process.stdout.write(`\r\x1b[2K${text.slice(0, Math.max(20, (process.stdout.columns ?? 80) - 1))}`);
          else if (text !== last) console.log(text);
          last = text;
          if (p.broadcast.status === "sent" || p.broadcast.status === "cancelled") break;
          await new Promise((r) => setTimeout(r, 500));
          p = await broadcastProgress(ctx, id);
        }
        if (tty) process.stdout.write("\n");
      }),
    );
  for (const [name, act, what] of [
    ["pause", pauseBroadcast, "hold a broadcast: nothing more goes out (within a second) until resumed"],
    ["resume", resumeBroadcast, "go on sending a paused broadcast"],
    ["cancel", cancelBroadcast, "stop a broadcast for good: what is unsent is skipped"],
  ] as const) {
    broadcast
      .command(name)
      .description(what)
      .argument("<id>", "the broadcast's id")
      .action((id: string) =>
        withBroadcasts(async (ctx) => {
          const b = await act(ctx, id, actor());
          console.log(`${b.id}: ${b.status}`);
        }),
      );
  }
}

async function withBroadcasts(work: (ctx: BroadcastsContext) => Promise<void>): Promise<void> {
  const runtime = loadRuntime();
  // attach: works while the app runs on the embedded database, as the other coordinator commands do.
  const db = await openDatabase({ attach: true });
  try {
    await work({ sql: db.sql, languages: runtime.settings.INLOCO_LANGUAGES, flows: runtime.flows.ids(), timeZone: runtime.settings.INLOCO_TIME_ZONE });
  } finally {
    await db.close();
  }
}

/** `lang=text` pairs as a map; a malformed one is refused with what it should look like. */
function pairs(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const at = v.indexOf("=");
    if (at <= 0) throw new BroadcastInputError([{ field: "text", message: `"${v}" should be <language>=<text>, e.g. en="The course opens Monday"` }]);
    out[v.slice(0, at).trim()] = v.slice(at + 1);
  }
  return out;
}

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** The preview a coordinator confirms: who, in which languages and channels, and who lacks a translation. */
export function previewText(b: Broadcast, p: Preview): string {
  const lines = [`${b.kind === "announcement" ? `Announcement: ${short(b.what, 70)}` : b.kind === "meeting" ? `Meeting ${short(b.what, 70)}` : `Starts the ${short(b.what, 70)}`}`, `Recipients now: ${p.total}`];
  if (p.byLanguage.length > 0) lines.push(`  by language: ${p.byLanguage.map((l) => `${l.language} ${l.people}`).join(", ")}`);
  if (p.byChannel.length > 0) lines.push(`  by channel:  ${p.byChannel.map((c) => `${c.channel} ${c.people}`).join(", ")}`);
  if (p.missing.length > 0) {
    const people = p.missing.reduce((a, m) => a + m.people, 0);
    lines.push(`No translation for ${p.missing.map((m) => `${m.language} (${m.people})`).join(", ")}: ${people} people get the base language.`);
  }
  if (b.at) lines.push(`Sends at ${b.at.toISOString()}`);
  if (b.expires) lines.push(`Expires at ${b.expires.toISOString()} (what is unsent then is dropped)`);
  return lines.join("\n");
}

function counts(p: Progress): string {
  if (p.recipients === null) return "not begun".padEnd(34);
  const skipped = Object.values(p.skipped).reduce((a, b) => a + b, 0);
  return `${p.sent}/${p.recipients} sent, ${p.failed + p.blocked} failed, ${skipped} skipped`.padEnd(34);
}

/** Progress as a bar and the counts. */
export function statusText(p: Progress): string {
  const total = p.recipients ?? 0;
  const width = 30;
  const filled = total > 0 ? Math.round((p.done / total) * width) : 0;
  const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${p.done}/${total}`;
  const s = p.skipped;
  return [
    `${p.broadcast.id} ${p.broadcast.status} ${bar}`,
    `queued ${p.pending + p.queued}, sent ${p.sent}, failed ${p.failed}, blocked ${p.blocked}, skipped ${s.stopped + s.erased + s.expired + s.cancelled} (stopped ${s.stopped}, erased ${s.erased}, expired ${s.expired}, cancelled ${s.cancelled})`,
  ].join("\n");
}

/** Progress on one line: the bar, then only the counts that aren't zero. */
export function watchLine(p: Progress): string {
  const total = p.recipients ?? 0;
  const filled = total > 0 ? Math.round((p.done / total) * 20) : 0;
  const s = p.skipped;
  const counts = [
    ["sent", p.sent],
    ["queued", p.pending + p.queued],
    ["failed", p.failed],
    ["blocked", p.blocked],
    ["stopped", s.stopped],
    ["erased", s.erased],
    ["expired", s.expired],
    ["cancelled", s.cancelled],
  ] as const;
  const shown = counts.filter(([, n], i) => i < 2 || n > 0).map(([k, n]) => `${k} ${n}`);
  return `${p.broadcast.status} [${"#".repeat(filled)}${".".repeat(20 - filled)}] ${p.done}/${total} · ${shown.join(" · ")}`;
}

function short(text: string, max = 50): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
