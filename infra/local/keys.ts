import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Keys {
  /** Signs every token in links. */
  tokenKey: string;
  /** Keys the subscriber-id hash; never rotated. */
  idKey: string;
}

/**
 * Local keys: from TOKEN_KEY / ID_KEY when set, else generated once and kept in the data
 * directory so links in the inbox keep working across restarts.
 */
export function localKeys(dataDir: string | undefined, env = process.env): Keys {
  if (env.TOKEN_KEY && env.ID_KEY) return { tokenKey: env.TOKEN_KEY, idKey: env.ID_KEY };
  const fresh = (): Keys => ({
    tokenKey: randomBytes(32).toString("base64url"),
    idKey: randomBytes(32).toString("base64url"),
  });
  if (!dataDir) return fresh();
  const file = join(dataDir, "keys.json");
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Keys;
  } catch {
    const keys = fresh();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
    return keys;
  }
}
