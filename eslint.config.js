// @ts-check
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

// The engine is pure: no channel SDK, database, queue, i18n runtime or node I/O. Side effects live at the edges.
const ENGINE_FORBIDDEN = [
  "grammy", "grammy/*", "@grammyjs/*", "@slack/*", "whatsapp-web.js",
  "@prisma/*", "prisma", "pg", "@electric-sql/*", "bullmq", "ioredis",
  "i18next", "node:fs", "node:fs/*", "fs", "fs/*", "node:net", "net", "node:http", "http", "node:https", "https",
  "node:child_process", "child_process", "node:worker_threads", "node:dgram", "node:readline", "readline", "node:process",
];

// The database client: only the data-access layer (src/repos) and the database's own folder (src/db) use it.
const DATABASE_CLIENT = ["pg", "prisma", "@prisma/*", "@electric-sql/*", "**/generated/**"];
// Queues: the pipeline and the services that own queue work use them, through src/queue.
const QUEUE_LIBS = ["bullmq", "ioredis"];
// What a channel may not know: it turns platform updates into messages and messages into platform calls.
const NOT_FOR_CHANNELS = ["**/src/db/**", "**/src/repos/**", "**/src/queue/**", "**/src/pipeline/**", "**/src/app/**", "**/src/conversation/**", "**/src/effects/**", "**/src/jobs/**", "**/src/ingest/**"];
// What staff-facing code (Slack, exports) may not reach into: it calls services and reads through src/repos.
const NOT_FOR_STAFF = ["**/engine/**", "**/queue/**", "**/pipeline/**", "**/effects/**", "**/jobs/**"];

/** A no-restricted-imports rule from groups of patterns, each with the reason. */
const restrict = (...groups) => ({ "no-restricted-imports": ["error", { patterns: groups.map(([group, message]) => ({ group, message })) }] });

export default tseslint.config(
  { ignores: ["node_modules/", "data/", "src/generated/", "coverage/", "test-results.json"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  // One block per folder depth, so a relative import that climbs out of src/engine is caught.
  ...[0, 1, 2].map((depth) => ({
    files: [`src/engine/${"*/".repeat(depth)}*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ENGINE_FORBIDDEN, message: "src/engine is pure: pass effects in from the host instead." },
            { group: [`${"../".repeat(depth + 1)}*`], message: "src/engine imports nothing from outside itself." },
          ],
        },
      ],
    },
  })),
  {
    files: ["src/engine/**/*.ts"],
    rules: {
      "no-restricted-globals": [
        "error",
        { name: "process", message: "src/engine is pure: read configuration in the host." },
        { name: "setTimeout", message: "src/engine has no timers: the host schedules them." },
        { name: "setInterval", message: "src/engine has no timers: the host schedules them." },
        { name: "fetch", message: "src/engine does no I/O." },
      ],
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "src/engine uses the clock it is given (ctx.now)." },
        { object: "Math", property: "random", message: "src/engine uses the id generator it is given (ctx.newId)." },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "src/engine uses the clock it is given (ctx.now)." },
      ],
    },
  },
  {
    files: ["src/**/*.ts", "bots/**/*.ts"],
    ignores: ["src/db/**", "src/repos/**", "src/engine/**", "src/generated/**"],
    rules: restrict([DATABASE_CLIENT, "Only src/repos (the data-access layer) uses the database client: add a function there."]),
  },
  {
    files: ["bots/**/*.ts"],
    rules: restrict(
      [DATABASE_CLIENT, "A channel knows no database."],
      [[...QUEUE_LIBS, ...NOT_FOR_CHANNELS], "A channel imports only engine types, the channel contract (src/channel) and texts: the app wires it to the pipeline."],
    ),
  },
  {
    // Services staff reach (meetings, digests, research exports and the report) are held to the same rules: the CLI and Slack call them alike.
    files: ["src/slack/**/*.ts", "src/exports/**/*.ts", "src/meetings/**/*.ts", "src/digests/**/*.ts"],
    rules: restrict(
      [DATABASE_CLIENT, "Staff-facing code reads through src/repos."],
      [[...QUEUE_LIBS, ...NOT_FOR_STAFF], "Staff-facing code calls services and reads through src/repos; never the engine or the queues."],
    ),
  },
);
