import { databaseSettings, IdentityVault, loadIdentityKeys, openDatabase, type Database, type IdentityKeys, type OpenDatabaseOptions } from "../db/index.ts";
import { DatabaseConversationStore } from "../repos/conversations.ts";

/** The stakeholder database opened for the app: the database, the identity vault and the conversation store. */
export interface StakeholderDatabase {
  db: Database;
  vault: IdentityVault;
  store: DatabaseConversationStore;
  close(): Promise<void>;
}

/**
 * The identity keys when they come from the environment alone (a PostgreSQL server: `url` or
 * DATABASE_URL), read and checked without touching anything: a missing or malformed key throws here,
 * before a connection is opened or a migration runs. Undefined for the embedded database, whose keys
 * may be generated in its data folder once that is open.
 */
export function serverIdentityKeys(options: OpenDatabaseOptions = {}): IdentityKeys | undefined {
  const server = options.url ?? (options.dataDir === undefined ? databaseSettings(options.env).databaseUrl : undefined);
  return server === undefined ? undefined : loadIdentityKeys(options.env ? { env: options.env } : {});
}

/** Open (and migrate) the database from the environment: PostgreSQL with DATABASE_URL, else embedded. */
export async function openStakeholderDatabase(options: OpenDatabaseOptions = {}): Promise<StakeholderDatabase> {
  // With a server the keys are checked first: a missing key stops here, with nothing opened or migrated.
  const keys = serverIdentityKeys(options);
  const db = await openDatabase(options);
  try {
    const vault = new IdentityVault(keys ?? loadIdentityKeys({ ...(options.env ? { env: options.env } : {}), ...(db.dataDir ? { dataDir: db.dataDir } : {}) }));
    return { db, vault, store: new DatabaseConversationStore(db.sql, vault), close: () => db.close() };
  } catch (e) {
    await db.close();
    throw e;
  }
}
