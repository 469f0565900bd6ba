import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkDns, type DnsContext } from "../../ops/doctor/dns";
import type { Finding } from "../../ops/doctor/finding";
import { startDnsServer, type Zone } from "./dns-server";
import { DISTRIBUTION, DKIM_TOKENS, DOMAIN, REGION } from "./replies";

const SES_MX = `feedback-smtp.${REGION}.amazonses.com`;

/** A domain set up as the stack's outputs say. */
function healthyZone(): Zone {
  const zone: Zone = {
    [`mail.${DOMAIN}`]: {
      MX: [{ exchange: SES_MX, priority: 10 }],
      TXT: [["v=spf1 include:amazonses.com ~all"]],
    },
    [`_dmarc.${DOMAIN}`]: { TXT: [["v=DMARC1; p=none; rua=mailto:alarms@hips.example"]] },
    [`yoga.${DOMAIN}`]: { CNAME: DISTRIBUTION },
    [DISTRIBUTION]: { A: ["13.224.5.10", "13.224.5.21"] },
    [DOMAIN]: { TXT: [["google-site-verification=abc"]] },
  };
  for (const t of DKIM_TOKENS) {
    zone[`${t}._domainkey.${DOMAIN}`] = { CNAME: `${t}.dkim.amazonses.com` };
  }
  return zone;
}

const context: DnsContext = {
  domain: DOMAIN,
  region: REGION,
  dkimTokens: DKIM_TOKENS,
  mailFromDomain: `mail.${DOMAIN}`,
  dmarcReportEmail: "alarms@hips.example",
  site: { host: `yoga.${DOMAIN}`, distributionDomain: DISTRIBUTION },
};

let zone: Zone;
let server: Awaited<ReturnType<typeof startDnsServer>>;
const failures = (findings: Finding[]) =>
  findings.filter((f) => f.status === "fail").map((f) => `${f.title} | ${f.fix}`);

beforeAll(async () => {
  // The server reads `zone` at each query, so each test sets its own records.
  const proxy = new Proxy({} as Zone, {
    get: (_t, key: string) => zone[key],
  });
  server = await startDnsServer(proxy);
});
afterAll(() => server.close());
beforeEach(() => {
  zone = healthyZone();
});

describe("DNS as the world sees it (node:dns against a DNS server on 127.0.0.1)", () => {
  it("passes a domain with every record in place", async () => {
    const findings = await checkDns(server.resolver, context);
    expect(failures(findings)).toEqual([]);
    expect(findings.map((f) => f.status)).toEqual(Array(7).fill("pass"));
  });

  it("fails on a missing DKIM record and names the exact CNAME to add", async () => {
    const [, second] = DKIM_TOKENS;
    delete zone[`${second}._domainkey.${DOMAIN}`];
    expect(failures(await checkDns(server.resolver, context))).toEqual([
      `DKIM record 2 of 3 (${second}._domainkey.${DOMAIN}) is missing | Add a CNAME record at your DNS host: name ${second}._domainkey.${DOMAIN}, value ${second}.dkim.amazonses.com.`,
    ]);
  });

  it("fails on a DKIM record pointing elsewhere (a typo in the value)", async () => {
    const [first] = DKIM_TOKENS;
    zone[`${first}._domainkey.${DOMAIN}`] = { CNAME: `${first}.dkim.amazonses.co` };
    const [line] = failures(await checkDns(server.resolver, context));
    expect(line).toContain(`points at ${first}.dkim.amazonses.co |`);
    expect(line).toContain("(replace the wrong one)");
  });

  it("fails on a MAIL FROM without the SES MX, or with another region's", async () => {
    zone[`mail.${DOMAIN}`] = { TXT: [["v=spf1 include:amazonses.com ~all"]] };
    expect(failures(await checkDns(server.resolver, context))).toEqual([
      `MX record for mail.${DOMAIN} is missing | Add an MX record at your DNS host: name mail.${DOMAIN}, value 10 ${SES_MX}.`,
    ]);
    zone[`mail.${DOMAIN}`] = {
      MX: [{ exchange: "feedback-smtp.us-east-1.amazonses.com", priority: 10 }],
      TXT: [["v=spf1 include:amazonses.com ~all"]],
    };
    expect(failures(await checkDns(server.resolver, context))[0]).toContain(
      "points at feedback-smtp.us-east-1.amazonses.com, not SES",
    );
  });

  it("fails on SPF missing, leaving out SES, or doubled; reads a record split in chunks", async () => {
    const mx = [{ exchange: SES_MX, priority: 10 }];
    zone[`mail.${DOMAIN}`] = { MX: mx };
    expect(failures(await checkDns(server.resolver, context))).toEqual([
      `SPF record for mail.${DOMAIN} is missing | Add a TXT record at your DNS host: name mail.${DOMAIN}, value "v=spf1 include:amazonses.com ~all".`,
    ]);
    zone[`mail.${DOMAIN}`] = { MX: mx, TXT: [["v=spf1 include:_spf.google.com ~all"]] };
    expect(failures(await checkDns(server.resolver, context))[0]).toContain("leaves out SES");
    zone[`mail.${DOMAIN}`] = {
      MX: mx,
      TXT: [["v=spf1 include:amazonses.com ~all"], ["v=spf1 include:_spf.google.com ~all"]],
    };
    expect(failures(await checkDns(server.resolver, context))[0]).toContain(
      "2 SPF records on mail.hips.example",
    );
    zone[`mail.${DOMAIN}`] = { MX: mx, TXT: [["v=spf1 include:amazon", "ses.com ~all"]] };
    expect(failures(await checkDns(server.resolver, context))).toEqual([]);
  });

  it("fails without a DMARC record and gives the one the stack outputs", async () => {
    delete zone[`_dmarc.${DOMAIN}`];
    expect(failures(await checkDns(server.resolver, context))).toEqual([
      `DMARC record for ${DOMAIN} is missing (Gmail and Yahoo require one of bulk senders) | Add a TXT record at your DNS host: name _dmarc.${DOMAIN}, value "v=DMARC1; p=none; rua=mailto:alarms@hips.example".`,
    ]);
  });

  it("fails when the site host points elsewhere, passes an apex alias with the distribution's addresses", async () => {
    zone[`yoga.${DOMAIN}`] = { CNAME: "old-host.example.net" };
    expect(failures(await checkDns(server.resolver, context))[0]).toContain(
      `Site host yoga.${DOMAIN} points at old-host.example.net, not the distribution | Add a CNAME record at your DNS host: name yoga.${DOMAIN}, value ${DISTRIBUTION}`,
    );
    zone[`yoga.${DOMAIN}`] = { A: ["192.0.2.1"] };
    expect(failures(await checkDns(server.resolver, context))[0]).toContain(
      "does not point at the distribution",
    );
    zone[`yoga.${DOMAIN}`] = { A: ["13.224.5.21", "13.224.5.10"] };
    const findings = await checkDns(server.resolver, context);
    expect(failures(findings)).toEqual([]);
    expect(findings.map((f) => f.title)).toContain(
      `Site host yoga.${DOMAIN} → ${DISTRIBUTION} (alias: same addresses)`,
    );
  });

  it("before the deploy: checks MAIL FROM and DMARC, and waits for the DKIM names and the distribution", async () => {
    const findings = await checkDns(server.resolver, {
      ...context,
      dkimTokens: [],
      site: { host: `yoga.${DOMAIN}` },
    });
    expect(findings.map((f) => f.status)).toEqual(["skip", "pass", "pass", "pass", "skip"]);
  });

  it("reports a DNS server that does not answer, rather than a missing record", async () => {
    const { Resolver } = await import("node:dns/promises");
    const deaf = new Resolver({ timeout: 200, tries: 1 });
    deaf.setServers(["127.0.0.1:9"]);
    const findings = await checkDns(deaf, { ...context, site: undefined });
    expect(findings.every((f) => f.status === "fail" && /DNS lookup .* failed/.test(f.title))).toBe(
      true,
    );
  });
});
