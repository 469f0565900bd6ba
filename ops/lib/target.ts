import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createStore, type Store } from "../../functions/adapters/store";
import { startDynalite } from "../../infra/local/emulators";
import { readStackFile } from "../../infra/local/stack-file";
import { TABLE_NAME } from "../../infra/local/table";

/** The operator asked for data that is not there, or cannot be reached; the message says why. */
export class TargetError extends Error {
  override name = "TargetError";
}

/** Where an operator command reads and writes: local data, or the deployed table. */
export type TargetOptions =
  | { kind: "local"; dataDir: string }
  | { kind: "aws"; table: string; region?: string };

/** An open store on the chosen data, and how to let go of it. */
export interface Target {
  store: Store;
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** One line for the operator: which data this is. */
  description: string;
  close(): Promise<void>;
}

/** Flags every operator command shares, in `node:util` parseArgs form. */
export const TARGET_ARGS = {
  aws: { type: "boolean" },
  table: { type: "string" },
  region: { type: "string" },
  "data-dir": { type: "string" },
} as const;

/** Help text for {@link TARGET_ARGS}. */
export const TARGET_HELP = `  --data-dir DIR   local data (default: $DATA_DIR or .data), whether or not npm start runs
  --aws            the deployed table, with your AWS credentials (aws configure / aws sso login)
  --table NAME     with --aws: the table (the TableName output of cdk deploy; or $HH_TABLE_NAME)
  --region REGION  with --aws: the region (default: your AWS configuration)`;

/**
 * Turns parsed flags into a target.
 * @example targetOptions(parseArgs({ options: TARGET_ARGS, args }).values)
 */
export function targetOptions(
  values: { aws?: boolean; table?: string; region?: string; "data-dir"?: string },
  env: Record<string, string | undefined> = process.env,
): TargetOptions {
  if (values.aws) {
    const table = values.table ?? env.HH_TABLE_NAME;
    if (!table) {
      throw new TargetError(
        "--aws needs the table name: --table <TableName output of cdk deploy> (or HH_TABLE_NAME)",
      );
    }
    return { kind: "aws", table, region: values.region };
  }
  if (values.table || values.region) throw new TargetError("--table and --region go with --aws");
  return { kind: "local", dataDir: resolve(values["data-dir"] ?? env.DATA_DIR ?? ".data") };
}

const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

function documentClient(client: DynamoDBClient) {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

async function requireTable(client: DynamoDBClient, table: string, where: string) {
  try {
    // A database another process holds (its lock) never answers: say so instead of hanging.
    await client.send(new DescribeTableCommand({ TableName: table }), {
      abortSignal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    const name = (e as Error).name;
    if (name === "AbortError" || name === "TimeoutError") {
      throw new TargetError(`${where} does not answer (is another process using it?)`);
    }
    if (name === "ResourceNotFoundException") {
      throw new TargetError(`no table ${table} in ${where}`);
    }
    if (name === "CredentialsProviderError" || name === "UnrecognizedClientException") {
      throw new TargetError(
        `no usable AWS credentials (${name}): run aws configure or aws sso login`,
      );
    }
    throw new TargetError(`cannot read table ${table} in ${where}: ${name}`);
  }
}

/**
 * Opens a store on local data or on the deployed table. Locally, when `npm start` is running
 * on that data directory its process holds the database, so this connects to it; otherwise the
 * data directory is opened here with an embedded dynalite on 127.0.0.1 (any free port).
 */
export async function openTarget(opts: TargetOptions): Promise<Target> {
  if (opts.kind === "aws") {
    const client = new DynamoDBClient(opts.region ? { region: opts.region } : {});
    const where = `AWS (${await client.config.region().catch(() => "no region set")})`;
    await requireTable(client, opts.table, where).catch((e) => {
      client.destroy();
      throw e;
    });
    const doc = documentClient(client);
    return {
      store: createStore(doc, opts.table),
      doc,
      tableName: opts.table,
      description: `table ${opts.table} on ${where}`,
      close: async () => client.destroy(),
    };
  }

  const running = readStackFile(opts.dataDir);
  let endpoint: string;
  let stop = async () => {};
  let description: string;
  let tableName = TABLE_NAME;
  if (running) {
    endpoint = running.dynamoEndpoint;
    tableName = running.tableName;
    description = `local data in ${opts.dataDir} (through the running npm start, pid ${running.pid})`;
  } else {
    const dbDir = join(opts.dataDir, "dynamodb");
    if (!existsSync(dbDir)) {
      throw new TargetError(
        `no local data in ${opts.dataDir} (run npm start once, or set --data-dir)`,
      );
    }
    const db = await startDynalite(0, dbDir);
    endpoint = db.endpoint;
    stop = () => db.close();
    description = `local data in ${opts.dataDir}`;
  }
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    await requireTable(client, tableName, opts.dataDir);
  } catch (e) {
    client.destroy();
    await stop();
    throw e;
  }
  const doc = documentClient(client);
  return {
    store: createStore(doc, tableName),
    doc,
    tableName,
    description,
    async close() {
      client.destroy();
      await stop();
    },
  };
}

/**
 * Runs an operator command: a mistake the person can fix (bad flags, content, target, or one
 * of `usage` errors) prints its message alone and exits 2; anything else exits 1 with details.
 * @example runCommand(main, [TestSendError]);
 */
export function runCommand(
  main: () => Promise<unknown>,
  usage: (abstract new (...args: never[]) => Error)[] = [],
): void {
  main().catch((e: unknown) => {
    if (
      e instanceof TargetError ||
      usage.some((kind) => e instanceof kind) ||
      (e as Error).name === "ContentError" ||
      (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      console.error((e as Error).message);
      process.exit(2);
    }
    console.error(e);
    process.exit(1);
  });
}
