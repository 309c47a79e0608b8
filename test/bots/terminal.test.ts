// The terminal chat (`npm run demo`) on top of the terminal channel.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { runChat } from "../../bots/terminal/chat.ts";
import { terminalInbound } from "../../bots/terminal/inbound.ts";
import { Conversations } from "../../src/conversation/conversations.ts";
import { MemoryStore } from "../../src/conversation/memory-store.ts";
import { channelContext, channelTexts } from "./context.ts";

async function chat(lines: string, interactive: boolean, lang?: string): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (c: Buffer) => (printed += c.toString("utf8")));
  input.end(lines);
  const conversations = new Conversations(channelContext(), new MemoryStore());
  await runChat({
    texts: channelTexts(),
    user: "demo",
    ...(lang ? { lang } : {}),
    input,
    output,
    interactive,
    handle: async (inbound, channel) => {
      const reply = await conversations.receive({ channel: "terminal", id: inbound.address }, inbound.input);
      for (const m of reply.messages) await channel.send(inbound.address, m);
    },
  });
  return printed;
}

describe("terminal chat", () => {
  it("piped lines: the bot speaks first, then answers each line, each reply followed by a blank line", async () => {
    const printed = await chat("1\nyes\n", false);
    const texts = channelTexts();
    expect(printed.startsWith(`${texts.t("en", "onboarding:language")}\n1. English\n`)).toBe(true);
    expect(printed).toContain(`${texts.t("en", "onboarding:consent")}\n1. Yes\n2. No\n\n`);
    expect(printed.endsWith(`5. ${texts.t("en", "onboarding:territory.other")}\n\n`)).toBe(true);
    expect(printed).not.toContain("🤖");
    // Each piped line is echoed before its replies, so the output reads as a transcript.
    expect(printed).toContain(`\n\n> 1\n${texts.t("en", "onboarding:welcome")}\n`);
    expect(printed).toContain("\n\n> yes\n");
  });

  it("--lang: the language is not asked, the bot starts in it", async () => {
    const printed = await chat("", false, "ar");
    const texts = channelTexts();
    expect(printed.startsWith(`${texts.t("ar", "onboarding:welcome")}\n`)).toBe(true);
    expect(printed).not.toContain(texts.t("en", "onboarding:language"));
    expect(printed).toContain(texts.t("ar", "onboarding:consent"));
  });

  it("stops reading at /quit and skips empty lines", async () => {
    const printed = await chat("1\n\n/quit\nyes\n", false);
    expect(printed).toContain("Do you agree?");
    expect(printed).not.toContain("Where do you live?");
  });

  it("at a keyboard: a banner, a prompt and 🤖 before each reply", async () => {
    const printed = await chat("1\n", true);
    expect(printed).toContain('In Loco terminal chat — you are "demo". Type /quit to leave.');
    expect(printed).toContain("\n🤖 ");
    expect(printed).toContain("> ");
  });

  it("a typed line is an inbound message of that user with its own id", () => {
    const now = new Date("2026-11-25T10:00:00Z");
    expect(terminalInbound("/start t-valsusa", { user: "demo", messageId: "m1", now, language: "ar" })).toEqual({
      channel: "terminal",
      address: "demo",
      messageId: "m1",
      input: { type: "start", params: { territory: "valsusa" } },
      language: "ar",
      at: now.toISOString(),
    });
    expect(terminalInbound("   ", { user: "demo", messageId: "m2", now })).toEqual({ ignored: "empty line" });
  });
});
