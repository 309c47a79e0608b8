// The README's "Writing a flow" example, taken out of the README as written: the new flow file, its
// English texts (copied into every language), and the three additions to the menu. Together with the
// stock flows they must pass `flows check`, and the bot must reach the new flow from the menu.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { newSession, resume, type Session } from "../../src/engine/index.ts";
import { checkFlows } from "../../src/flows/catalog.ts";
import { formatProblem } from "../../src/flows/problems.ts";
import { Texts } from "../../src/i18n/texts.ts";
import { plainText } from "../../src/messages/plain-text.ts";
import { ALL_LANGUAGES, TestClock } from "../support/engine.ts";

const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("\n## Writing a flow"), readme.indexOf("\n## Languages"));
const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1] as string, text: m[2] as string, at: m.index }));

const work = mkdtempSync(join(tmpdir(), "inloco-readme-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The example as a folder of flows and locales: the stock ones plus what the README says to add. */
function applyReadme(): { flows: string; locales: string; id: string } {
  const flows = join(work, "flows");
  const locales = join(work, "locales");
  cpSync(join(PROJECT_ROOT, "flows"), flows, { recursive: true });
  cpSync(join(PROJECT_ROOT, "locales"), locales, { recursive: true });

  // The flow: the YAML block that starts with its path.
  const flowBlock = blocks.find((b) => b.lang === "yaml" && /^# flows\/\w+\.yaml\n/.test(b.text) && !b.text.startsWith("# flows/main.yaml"));
  if (!flowBlock) throw new Error("no flow example in the README");
  const file = /^# (flows\/(\w+)\.yaml)/.exec(flowBlock.text) as RegExpExecArray;
  const id = file[2] as string;
  writeFileSync(join(work, file[1] as string), flowBlock.text);

  // Its texts: the JSON block after the caption naming locales/en/<id>.json, parsed as written.
  const caption = section.indexOf(`\`locales/en/${id}.json\``);
  const jsonBlock = blocks.find((b) => b.lang === "json" && b.at > caption);
  if (caption < 0 || !jsonBlock) throw new Error("no texts example in the README");
  const texts = JSON.parse(jsonBlock.text) as Record<string, string>;
  for (const lang of ALL_LANGUAGES) writeFileSync(join(locales, lang, `${id}.json`), JSON.stringify(texts, null, 2));

  // The menu: the README's three pieces, each put where its comment says.
  const menuBlock = blocks.find((b) => b.lang === "yaml" && b.text.startsWith("# flows/main.yaml"));
  if (!menuBlock) throw new Error("no menu example in the README");
  const [option, routeCase, node] = menuBlock.text.split(/^#.*\n/m).filter((p) => p.trim() !== "") as [string, string, string];
  let main = readFileSync(join(flows, "main.yaml"), "utf8");
  main = main.replace(/(\n {6}options:\n(?: {8}- .*\n)+)/, `$1${option}`);
  main = main.replace(/(\n {4}cases:\n(?: {6}- .*\n(?: {8}.*\n)*)+)/, `$1${routeCase}`);
  main = main.replace(/\n {2}bye:\n/, `\n${node}  bye:\n`);
  writeFileSync(join(flows, "main.yaml"), main);
  // The option's label, as the README writes it, in every language.
  const label = new RegExp(`\`"${id}": "([^"]+)"\``).exec(section)?.[1];
  if (!label) throw new Error("no menu label in the README");
  for (const lang of ALL_LANGUAGES) {
    const path = join(locales, lang, "main.json");
    const json = JSON.parse(readFileSync(path, "utf8")) as { menu: Record<string, string> };
    json.menu[id] = label;
    writeFileSync(path, JSON.stringify(json, null, 2));
  }
  return { flows, locales, id };
}

describe("the README's flow example", () => {
  it("passes flows check with the stock flows, and the menu leads into it", () => {
    const { flows, locales, id } = applyReadme();
    const texts = Texts.load(locales, ALL_LANGUAGES);
    const { catalog, problems } = checkFlows(flows, { languages: ALL_LANGUAGES, hasText: (l, k) => texts.has(l, k) });
    expect(problems.map(formatProblem)).toEqual([]);
    expect(catalog.ids()).toContain(id);

    const clock = new TestClock();
    let n = 0;
    const ctx = { flows: catalog, lexicon: texts, languages: ALL_LANGUAGES, entryFlow: "main", now: clock.now, newId: () => `run-${++n}`, timeZone: "Europe/Rome" };
    let session: Session = newSession("en", { consent: "2026-11", territory: "torino" });
    const say = (input: Parameters<typeof resume>[1]) => {
      const turn = resume(session, input, ctx);
      session = turn.session;
      return turn.messages.map((m) => plainText(m, texts));
    };
    const menu = say({ type: "start", params: {} });
    // The new option comes last, after the stock ones.
    const options = menu.at(-1)?.split("\n").slice(1) ?? [];
    expect(options.at(-1)).toBe(`${options.length}. ${texts.t("en", `main:menu.${id}`)}`);
    const first = say({ type: "text", text: String(options.length) });
    expect(first.at(-1)?.split("\n")[0]).toBe(texts.t("en", `${id}:access`));
  });
});
