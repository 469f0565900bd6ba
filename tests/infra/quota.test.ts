import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUOTA_REFRESH_MS, sesSendQuota } from "../../functions/aws/quota";
import { silentLogger } from "../../functions/core/ports";
import { slotShares } from "../../functions/core/send-slots";
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
  it("reads the account's MaxSendRate, which the send slots split (shares adding up to it)", async () => {
    process.env.AWS_SES_ACCOUNT = account(43);
    const quota = await sesSendQuota(client, silentLogger);
    expect(quota.accountRate()).toBe(43);
    expect(slotShares(quota.accountRate(), 3)).toEqual([15, 14, 14]);
  });

  it("starts at the sandbox rate when the quota cannot be read, and picks it up on refresh", async () => {
    delete process.env.AWS_SES_ACCOUNT;
    let now = 0;
    const quota = await sesSendQuota(client, silentLogger, () => now);
    // The sandbox's 1/s: one slot of two has a share, the other none.
    expect(slotShares(quota.accountRate(), 2)).toEqual([1, 0]);

    process.env.AWS_SES_ACCOUNT = account(200);
    expect(quota.accountRate()).toBe(1);
    now += QUOTA_REFRESH_MS + 1;
    quota.accountRate(); // starts the refresh in the background
    await expect.poll(() => quota.accountRate()).toBe(200);
  });
});
