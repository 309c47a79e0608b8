// The process src/db/migrate-apart.ts starts to create and migrate the embedded database, so that the
// memory PGlite grows to while doing it goes with this process. TypeScript through tsx, as inloco.js.
import { register } from "tsx/esm/api";
register();
const { runMigrateChild } = await import("./migrate-apart.ts");
process.exitCode = await runMigrateChild(process.argv.slice(2));
