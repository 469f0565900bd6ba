import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createMailer } from "../../functions/adapters/mailer";

/** An SES endpoint that answers a send only after 300 ms. */
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () =>
    setTimeout(() => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ MessageId: "m-1" }));
    }, 300),
  );
});
let ses: SESv2Client;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  ses = new SESv2Client({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  ses.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

it("says when each request is written, not when SES answers, whoever else listens to the HTTP client", async () => {
  // Another listener on the same channel (a tracer, a bench) must not keep the mailer deaf.
  const other = () => {};
  subscribe("http.client.request.start", other);
  try {
    const mailer = createMailer(ses, { from: "a@example.com" });
    const email = { to: "b@example.com", subject: "s", html: "<p>h</p>", text: "h" };
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      let leftAt = Number.NaN;
      const id = await mailer.send(email, () => {
        leftAt = performance.now();
      });
      const answeredAt = performance.now();
      expect(id).toBe("m-1");
      expect(leftAt - started).toBeLessThan(150);
      expect(answeredAt - leftAt).toBeGreaterThan(200);
    }
  } finally {
    unsubscribe("http.client.request.start", other);
  }
});
