import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCertificate, checkHealth } from "../../ops/doctor/site";
import { clients } from "./clients";
import * as reply from "./replies";

const now = new Date("2026-12-02T00:00:00Z");
const host = "yoga.hips.example";
const check = (
  answer: Parameters<typeof clients.acm>[0][string],
  h = host,
  arn = reply.CERTIFICATE_ARN,
) => checkCertificate(clients.acm({ DescribeCertificateCommand: answer }), { arn, host: h, now });

describe("certificate (ACM DescribeCertificate, us-east-1)", () => {
  it("passes an issued certificate for the host, or a wildcard over it", async () => {
    expect(await check(reply.certificate())).toMatchObject({
      status: "pass",
      title: `Certificate for ${host}: ISSUED in us-east-1`,
    });
    expect((await check(reply.certificate({ domain: "*.hips.example" }))).status).toBe("pass");
  });

  it("watches a pending validation and names the CNAME to add", async () => {
    const f = await check(reply.certificate({ status: "PENDING_VALIDATION" }));
    expect(f.status).toBe("warn");
    expect(f.fix).toContain(
      `name _3b7e9f1c2a4d6e8f0a1b2c3d4e5f6a7b.${host}, value _9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f.xlfgrmvvlj.acm-validations.aws`,
    );
  });

  it("fails a certificate for another host, expired, missing, or outside us-east-1", async () => {
    expect((await check(reply.certificate({ domain: "www.hips.example" }))).title).toBe(
      `Certificate covers www.hips.example, not ${host}`,
    );
    expect((await check(reply.certificate({ domain: "*.example" }))).status).toBe("fail");
    expect((await check(reply.certificate({ status: "EXPIRED" }))).status).toBe("fail");
    expect((await check(reply.acmNotFound())).status).toBe("fail");
    const elsewhere = reply.CERTIFICATE_ARN.replace("us-east-1", "eu-west-1");
    expect((await check(reply.certificate(), host, elsewhere)).title).toBe(
      "Certificate is in eu-west-1, not us-east-1: CloudFront cannot use it",
    );
  });

  it("warns of an imported certificate about to expire", async () => {
    const soon = now.getTime() / 1000 + 10 * 86_400;
    const f = await check(
      reply.certificate({ notAfter: soon, type: "IMPORTED", renewal: "INELIGIBLE" }),
    );
    expect(f).toMatchObject({ status: "warn" });
    expect(f.title).toContain("expires in 10 days");
  });
});

describe("site health through CloudFront", () => {
  // Stands in for the distribution: CloudFront adds Via and X-Amz-Cf-Id to what it relays.
  let server: Server;
  let base: string;
  let answer: { status: number; cloudFront: boolean };
  beforeAll(async () => {
    server = createServer((req, res) => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (answer.cloudFront) {
        headers.via = "1.1 0a1b2c3d4e5f.cloudfront.net (CloudFront)";
        headers["x-amz-cf-id"] = "b3Jp1Zx6k0-example==";
      }
      res.writeHead(req.url === "/healthz" ? answer.status : 404, headers);
      res.end(JSON.stringify({ ok: answer.status === 200 }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it("passes a 200 that came through CloudFront", async () => {
    answer = { status: 200, cloudFront: true };
    expect(await checkHealth(fetch, { siteUrl: base })).toMatchObject({ status: "pass" });
  });

  it("fails a 503, an answer not through CloudFront, and no answer", async () => {
    answer = { status: 503, cloudFront: true };
    const down = await checkHealth(fetch, { siteUrl: base });
    expect(down.status).toBe("fail");
    expect(down.fix).toContain("cannot reach the table or SES");
    answer = { status: 200, cloudFront: false };
    expect((await checkHealth(fetch, { siteUrl: base })).title).toContain("not through CloudFront");
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await checkHealth(fetch, { siteUrl: `http://127.0.0.1:${port}` });
    expect(refused).toMatchObject({ status: "fail" });
    expect(refused.title).toContain("ECONNREFUSED");
  });

  it("a 403 through CloudFront points at the origin secret and the command that sets it right", async () => {
    answer = { status: 403, cloudFront: true };
    const refused = await checkHealth(fetch, { siteUrl: base });
    expect(refused.status).toBe("fail");
    expect(refused.fix).toContain("npm run rotate-origin-secret");
  });
});
