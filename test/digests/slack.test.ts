// The digest as a Slack message, and a piece of feedback's blocks: Slack's limits kept whatever the
// digest holds, the triage buttons' ids the click handlers match, nothing a person wrote able to
// mention or link anyone. Pure: plain data in, blocks out.
import { describe, expect, it } from "vitest";
import { Digest, digestMessage, feedbackItemBlocks, SLACK_LIMITS, triageOutcomeBlock, type KnownBlock } from "../../src/digests/index.ts";
import { digestOf, item } from "./fixture.ts";

/** Every text of a block, with where it sits. */
function texts(blocks: readonly KnownBlock[]): Array<{ type: string; text: string }> {
  return blocks.flatMap((b) => {
    const out: Array<{ type: string; text: string }> = [];
    if ("text" in b && b.text && typeof b.text === "object" && "text" in b.text) out.push({ type: b.type, text: b.text.text });
    if (b.type === "context") for (const e of b.elements) if ("text" in e && typeof e.text === "string") out.push({ type: "context", text: e.text });
    return out;
  });
}

/** Checks Slack's limits on a message, and returns its text joined. */
function withinLimits(message: { text: string; blocks: KnownBlock[] }): string {
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  for (const t of texts(message.blocks)) expect(t.text.length).toBeLessThanOrEqual(t.type === "header" ? 150 : 3000);
  const all = texts(message.blocks).map((t) => t.text);
  expect(all.join("").length).toBeLessThanOrEqual(SLACK_LIMITS.message);
  expect(message.text.length).toBeGreaterThan(0);
  return all.join("\n");
}

describe("a digest as a Slack message", () => {
  it("has a header, the needs with their changes, participation, feedback with buttons, meetings and a footer", () => {
    const d = digestOf();
    Digest.parse(d);
    const message = digestMessage(d);
    const all = withinLimits(message);
    expect(message.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "Task force Val di Susa: digest", emoji: true } });
    expect(all).toContain("1 Mar – 7 Mar 2027, compared with 22 Feb – 28 Feb · Territory: Val di Susa");
    expect(all).toContain("• Housing: *12* (+4)");
    expect(all).toContain("• Work: *7* (−2)");
    expect(all).toContain("• Health: *5* (±0)");
    // 3 against 0, and 0 against 2: neither shown, no change.
    expect(all).toContain("• Language: *< 5*\n");
    expect(all).toContain("• Documents: *< 5*\n");
    expect(all).toContain("• School or childcare: *6*\n");
    expect(all).toContain("1. Housing: *9* (+3)\n2. Work: *6* (−1)\nUnder 5 each: Language, Health, Documents, School or childcare, Meeting people");
    // 20 of 25: 80%; the change against 4 is not shown (4 is under the threshold).
    expect(all).toContain("• Surveys completed: *20*, 80% completed");
    expect(all).toContain("• Languages: Arabic 20 · Ukrainian 16 · Other languages < 5");
    expect(all).not.toContain("Tigrinya");
    expect(all).toContain("New feedback: *8*\n• Housing: *6*\n• Health: *< 5*");
    expect(all).toContain("yes 12 · maybe < 5 · no < 5");
    expect(all).toContain("Counts under 5 show as “< 5”, without a change. Everything, item by item: `inloco export` or `inloco report`.");
    const actions = message.blocks.filter((b) => b.type === "actions");
    expect(actions.map((b) => b.block_id)).toEqual(d.feedback.items.map((i) => `triage:${i.id}`));
    // 8 pieces, 3 shown: the rest pointed at.
    expect(all).toContain("… 5 more pieces of feedback · Everything, item by item");
    expect(message.text).toBe("Task force Val di Susa: digest · 1 Mar – 7 Mar 2027, compared with 22 Feb – 28 Feb · Needs surveys started: 25 · New feedback: 8");
  });

  it("takes the export hint it is given", () => {
    const all = withinLimits(digestMessage(digestOf(), { exportHint: "Open `inloco export feedback --task-force valsusa`" }));
    expect(all).toContain("Open `inloco export feedback --task-force valsusa`");
    expect(all).not.toContain("inloco report");
  });

  it("stays within 50 blocks and 3000 characters a section with 40 topics and 120 pieces of feedback", () => {
    const topics = Array.from({ length: 40 }, (_, i) => ({ id: `topic_${i}`, label: `Topic number ${i} ${"with a long name ".repeat(3)}`, current: 40 - i, previous: 20 }));
    const items = topics.flatMap((t, i) => [0, 1, 2].map((k) => item(i * 3 + k, { topic: t.id, topicLabel: t.label, excerpt: "x".repeat(199) + "…", contactBack: true })));
    const d = digestOf({ feedback: { total: { current: 820, previous: 800 }, topics, items } });
    const message = digestMessage(d);
    const all = withinLimits(message);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    // Twelve topics named, the other 28 counted.
    expect(all).toContain("• Topic number 11 ");
    expect(all).not.toContain("• Topic number 12 ");
    expect(all).toContain("… 28 more · Everything, item by item");
    const shown = message.blocks.filter((b) => b.type === "actions").length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThanOrEqual(SLACK_LIMITS.items);
    expect(all).toContain(`… ${(820 - shown).toLocaleString("en-GB")} more pieces of feedback`);
  });

  it("cuts a task force name longer than a header may be", () => {
    const d = digestOf();
    const message = digestMessage({ ...d, taskForce: { ...d.taskForce, name: "Task force ".repeat(30) } });
    withinLimits(message);
    const header = message.blocks[0] as { text: { text: string } };
    expect(header.text.text).toHaveLength(150);
    expect(header.text.text.endsWith("…")).toBe(true);
  });

  it("keeps long lists in a section under 3000 characters, with … N more", () => {
    const d = digestOf();
    const many = Array.from({ length: 120 }, (_, i) => ({ ...d.meetings[0]!, id: `22222222-2222-4222-8222-${String(i).padStart(12, "0")}`, title: `Meeting ${i} ${"about many things ".repeat(2)}` }));
    const all = withinLimits(digestMessage({ ...d, meetings: many }));
    expect(all).toMatch(/… \d+ more/);
  });

  it("escapes what a person wrote: no mention, no link, no channel ping", () => {
    const d = digestOf({ feedback: { total: { current: 1, previous: 0 }, topics: [{ id: "other", label: "Something else", current: 1, previous: 0 }], items: [item(9, { excerpt: "<!channel> see <https://evil.example|here> & <@U999>" })] } });
    const all = withinLimits(digestMessage(d));
    expect(all).toContain("&lt;!channel&gt; see &lt;https://evil.example|here&gt; &amp; &lt;@U999&gt;");
    expect(all).not.toContain("<!channel>");
    expect(all).not.toContain("<@U999>");
  });
});

describe("a piece of feedback's blocks", () => {
  it("are a section and the triage buttons, Reply only when the person may be contacted back", () => {
    const withReply = feedbackItemBlocks(item(1, { contactBack: true }), "en");
    expect(withReply).toHaveLength(2);
    const [section, actions] = withReply as [KnownBlock, KnownBlock];
    expect(section.type).toBe("section");
    // A Slack date, shown on the reader's clock (its fallback on UTC's).
    expect(section).toEqual({ type: "section", text: { type: "mrkdwn", text: `*Housing* · <!date^${Date.parse("2027-03-02T09:30:00Z") / 1000}^{date_short}|2 Mar 2027> · _new_ · may be contacted back\n>The rent went up again (1).` } });
    expect(actions).toEqual({
      type: "actions",
      block_id: "triage:00000000-0000-4000-8000-000000000001",
      elements: [
        { type: "button", action_id: "triage_forwarded", text: { type: "plain_text", text: "Forward" }, value: "00000000-0000-4000-8000-000000000001", style: "primary" },
        { type: "button", action_id: "triage_resolved", text: { type: "plain_text", text: "Resolved" }, value: "00000000-0000-4000-8000-000000000001" },
        { type: "button", action_id: "triage_not_for_us", text: { type: "plain_text", text: "Not for us" }, value: "00000000-0000-4000-8000-000000000001" },
        { type: "button", action_id: "triage_reply", text: { type: "plain_text", text: "Reply" }, value: "00000000-0000-4000-8000-000000000001" },
      ],
    });
    const without = feedbackItemBlocks(item(2), "it")[1] as { elements: Array<{ action_id: string; text: { text: string } }> };
    expect(without.elements.map((e) => e.action_id)).toEqual(["triage_forwarded", "triage_resolved", "triage_not_for_us"]);
    expect(without.elements.map((e) => e.text.text)).toEqual(["Inoltra", "Risolta", "Non per noi"]);
  });

  it("say a voice note or a removed text for what has no excerpt", () => {
    expect(JSON.stringify(feedbackItemBlocks(item(3, { excerpt: null, voice: true }), "en")[0])).toContain("_(voice message)_");
    expect(JSON.stringify(feedbackItemBlocks(item(4, { excerpt: null }), "it")[0])).toContain("_(testo rimosso)_");
  });

  it("give way to who acted and when, on the territory's clocks", () => {
    const at = new Date("2027-12-07T13:02:00Z");
    expect(triageOutcomeBlock({ status: "forwarded", by: "U123", at, timeZone: "Europe/Rome", language: "en" })).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "Forwarded by <@U123> · 7 Dec 14:02" }],
    });
    expect(triageOutcomeBlock({ status: "not_for_us", by: "cli:anna", at, timeZone: "Europe/Rome", language: "it" })).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "Segnata non di nostra competenza da cli:anna · 7 dic 14:02" }],
    });
  });

  it("in a digest, already handled: the outcome instead of the buttons", () => {
    const handled = item(5, { status: "resolved", triagedBy: "U777", triagedAt: new Date("2027-03-03T08:00:00Z") });
    const d = digestOf({ feedback: { total: { current: 1, previous: 0 }, topics: [{ id: "housing", label: "Housing", current: 1, previous: 0 }], items: [handled] } });
    const message = digestMessage(d);
    expect(message.blocks.filter((b) => b.type === "actions")).toHaveLength(0);
    expect(JSON.stringify(message.blocks)).toContain("Resolved by <@U777> · 3 Mar 09:00");
  });
});
