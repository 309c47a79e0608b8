import { randomUUID } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, ConversationSettings, readSettings } from "../config/env.ts";
import { consentGate, type EngineContext } from "../engine/index.ts";
import { loadFlows, type FlowCatalog } from "../flows/catalog.ts";
import { Texts } from "../i18n/texts.ts";

/** The project folder (where flows/ and locales/ ship). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** What every part of the app shares: texts, flows and the engine's context. */
export interface Runtime {
  settings: ConversationSettings;
  texts: Texts;
  flows: FlowCatalog;
  engine: EngineContext;
  flowsDir: string;
  localesDir: string;
}

export interface RuntimeOptions {
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  newId?: () => string;
}

/** Load settings, locales and flows (refusing broken flows), and build the engine's context. */
export function loadRuntime(options: RuntimeOptions = {}): Runtime {
  const settings = readSettings(ConversationSettings, options.env);
  const flowsDir = resolve(settings.INLOCO_FLOWS_DIR ?? join(PROJECT_ROOT, "flows"));
  const localesDir = resolve(settings.INLOCO_LOCALES_DIR ?? join(PROJECT_ROOT, "locales"));
  const texts = Texts.load(localesDir, settings.INLOCO_LANGUAGES);
  const unknown = settings.INLOCO_LANGUAGES.filter((l) => !texts.resources[l]);
  if (unknown.length > 0) {
    throw new ConfigError([{ variable: "INLOCO_LANGUAGES", message: `no texts for ${unknown.join(", ")} in ${localesDir} (add locales/<code>/ first)` }]);
  }
  const flows = loadFlows(flowsDir, { languages: settings.INLOCO_LANGUAGES, hasText: (l, k) => texts.has(l, k) });
  const engine: EngineContext = {
    flows,
    lexicon: texts,
    languages: settings.INLOCO_LANGUAGES,
    entryFlow: settings.INLOCO_ENTRY_FLOW,
    now: options.now ?? (() => new Date()),
    newId: options.newId ?? randomUUID,
    timeZone: settings.INLOCO_TIME_ZONE,
    // Named, so flows without it (or without its consent note) stop the app here, not let people in unasked.
    consentFlow: "onboarding",
  };
  consentGate(engine);
  return { settings, texts, flows, engine, flowsDir, localesDir };
}
