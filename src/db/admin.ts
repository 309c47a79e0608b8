// Small server-level operations (create/drop a database) used by migrate dev's shadow database and
// by the test support, over a single short-lived connection.
import pg from "pg";

/** Runs `use` with a connected client, always closing it. */
export async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The same server URL, pointing at another database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** Creates a database, optionally as a copy of a template database. */
export async function createDatabase(serverUrl: string, name: string, template?: string): Promise<void> {
  const from = template === undefined ? "" : ` TEMPLATE ${quoteIdentifier(template)}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${quoteIdentifier(name)}${from}`));
}

/** Drops a database if it exists, terminating leftover connections only as a last resort. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withClient(serverUrl, async (client) => {
    try {
      // A plain DROP waits (up to 5 s) for backends of connections being closed to go away; FORCE
      // would kill them, and a client still reading its socket gets an unhandled FATAL error.
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)}`);
    } catch (error) {
      if ((error as { code?: string }).code !== "55006") throw error; // still in use
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
    }
  });
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
