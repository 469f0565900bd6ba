import { once } from "node:events";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import type startSesServerType from "aws-ses-v2-local";

const require = createRequire(import.meta.url);

export interface Emulator {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

const closeServer = (server: Pick<Server, "close">) =>
  new Promise<void>((resolve) => server.close(() => resolve()));

/** dynalite (DynamoDB API) on 127.0.0.1; in memory, or on disk under `path`. */
export async function startDynalite(port: number, path?: string): Promise<Emulator> {
  const dynalite = require("dynalite") as (opts: object) => Server;
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(path ? { path } : {}),
  });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  const actual = (server.address() as AddressInfo).port;
  return { endpoint: `http://127.0.0.1:${actual}`, port: actual, close: () => closeServer(server) };
}

/** aws-ses-v2-local (SES v2 API + inbox UI at `/`, messages at `/store`) on 127.0.0.1. */
export async function startSes(port: number): Promise<Emulator> {
  const { default: startSesServer } = require("aws-ses-v2-local") as {
    default: typeof startSesServerType;
  };
  const server = await startSesServer({ host: "127.0.0.1", port });
  const address = server.address() as AddressInfo | null;
  if (!address) {
    server.close();
    throw Object.assign(new Error(`listen EADDRINUSE: address already in use 127.0.0.1:${port}`), {
      code: "EADDRINUSE",
    });
  }
  const actual = address.port;
  return {
    endpoint: `http://127.0.0.1:${actual}`,
    port: actual,
    close: async () => {
      server.closeAllConnections?.();
      await closeServer(server);
    },
  };
}
