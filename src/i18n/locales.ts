import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Locale resources: language → namespace → nested texts, as in `locales/<lang>/<namespace>.json`. */
export type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** A locale file that is not valid JSON. */
export class LocaleFileError extends Error {
  override readonly name = "LocaleFileError";
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** Read every `locales/<lang>/*.json` under a folder. */
export function readLocales(dir: string): Resources {
  const out: Resources = {};
  for (const lang of readdirSync(dir).sort()) {
    const langDir = join(dir, lang);
    if (!statSync(langDir).isDirectory()) continue;
    const namespaces: Record<string, Record<string, unknown>> = {};
    for (const file of readdirSync(langDir).filter((f) => f.endsWith(".json")).sort()) {
      const path = join(langDir, file);
      try {
        namespaces[file.slice(0, -".json".length)] = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
      } catch (e) {
        throw new LocaleFileError(path, (e as Error).message);
      }
    }
    out[lang] = namespaces;
  }
  return out;
}

/** Every key of a language, as `namespace:path.to.key`, with plural suffixes folded. */
export function keysOf(resources: Resources, lang: string): Set<string> {
  const out = new Set<string>();
  const walk = (ns: string, prefix: string, node: unknown): void => {
    if (node !== null && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) walk(ns, prefix ? `${prefix}.${k}` : k, v);
    } else out.add(`${ns}:${prefix.replace(/_(zero|one|two|few|many|other)$/, "")}`);
  };
  for (const [ns, tree] of Object.entries(resources[lang] ?? {})) walk(ns, "", tree);
  return out;
}
