import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUOTA_REFRESH_MS, sesSendQuota } from "../../functions/aws/quota";
import { silentLogger } from "../../functions/core/ports";
import { type Emulator, startSes } from "../../infra/local/emulators";
import { sesAccount as account } from "./events";

let ses: Emulator;
let client: SESv2Client;
beforeAll(async () => {
  ses = await startSes(0);
  client = new SESv2Client({
    endpoint: ses.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
});
afterAll(async () => {
  client?.destroy();
  await ses?.close();
  delete process.env.AWS_SES_ACCOUNT;
});

describe("sesSendQuota", () => {
  it("paces each sender at its share of the account's MaxSendRate", async () => {
    process.env.AWS_SES_ACCOUNT = account(42);
    const quota = await sesSendQuota(client, 3, silentLogger);
    expect(quota.rate()).toBe(14);
    expect(quota.accountRate()).toBe(42);
    // Whole shares: 3 senders at 14 of 43 stay under the account's rate.
    process.env.AWS_SES_ACCOUNT = account(43);
    expect((await sesSendQuota(client, 3, silentLogger)).rate()).toBe(14);
  });

  it("starts at the sandbox rate when the quota cannot be read, and picks it up on refresh", async () => {
    delete process.env.AWS_SES_ACCOUNT;
    let now = 0;
    const quota = await sesSendQuota(client, 2, silentLogger, () => now);
    // Half of the sandbox's 1/s is no whole send: each sends one a second (SES throttles the rest).
    expect(quota.rate()).toBe(1);

    process.env.AWS_SES_ACCOUNT = account(200);
    expect(quota.rate()).toBe(1);
    now += QUOTA_REFRESH_MS + 1;
    quota.rate(); // starts the refresh in the background
    await expect.poll(() => quota.rate()).toBe(100);
  });
});
