import { IdentityVault, loadIdentityKeys, openDatabase, type Database, type OpenDatabaseOptions } from "../db/index.ts";
import { DatabaseConversationStore } from "../store/conversation-store.ts";

/** The stakeholder database opened for the app: the database, the identity vault and the conversation store. */
export interface StakeholderDatabase {
  db: Database;
  vault: IdentityVault;
  store: DatabaseConversationStore;
  close(): Promise<void>;
}

/** Open (and migrate) the database from the environment: PostgreSQL with DATABASE_URL, else embedded. */
export async function openStakeholderDatabase(options: OpenDatabaseOptions = {}): Promise<StakeholderDatabase> {
  const db = await openDatabase(options);
  try {
    const vault = new IdentityVault(loadIdentityKeys({ ...(options.env ? { env: options.env } : {}), ...(db.dataDir ? { dataDir: db.dataDir } : {}) }));
    return { db, vault, store: new DatabaseConversationStore(db.sql, vault), close: () => db.close() };
  } catch (e) {
    await db.close();
    throw e;
  }
}
