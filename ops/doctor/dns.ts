import type { Resolver } from "node:dns/promises";
import { type Finding, fail, pass, skip } from "./finding";

/** The lookups the DNS checks make: node:dns's Resolver, pointed at the world or at a test server. */
export type DnsResolver = Pick<Resolver, "resolveCname" | "resolveMx" | "resolveTxt" | "resolve4">;

export interface DnsContext {
  domain: string;
  region: string;
  /** Easy DKIM tokens of the identity; empty while it does not exist. */
  dkimTokens: string[];
  /** The identity's MAIL FROM domain, or the one the stack sets up (`mail.<domain>`). */
  mailFromDomain?: string;
  /** Where DMARC aggregate reports go (the record the stack outputs names it). */
  dmarcReportEmail: string;
  /** The custom site host and the distribution it must point at, when siteUrl is set. */
  site?: { host: string; distributionDomain?: string };
}

const norm = (name: string) => name.toLowerCase().replace(/\.$/, "");
const code = (e: unknown) => (e as { code?: string }).code ?? String(e);
/** A lookup that found no such record (as opposed to a DNS server that did not answer). */
const absent = (e: unknown) => ["ENODATA", "ENOTFOUND", "NXDOMAIN"].includes(code(e));

/** Runs a lookup; no record is `[]`, a DNS failure is thrown with its code. */
async function lookup<T>(fn: () => Promise<T[]>): Promise<T[]> {
  try {
    return await fn();
  } catch (e) {
    if (absent(e)) return [];
    throw e;
  }
}

const record = (type: string, name: string, value: string) =>
  `Add ${type === "MX" ? "an" : "a"} ${type} record at your DNS host: name ${name}, value ${value}`;

async function checkDkim(dns: DnsResolver, ctx: DnsContext): Promise<Finding[]> {
  if (ctx.dkimTokens.length === 0) {
    return [
      skip(
        "DKIM records: their names are known once the SES identity exists",
        "Deploy the stack, then run the doctor again: it lists the three records.",
      ),
    ];
  }
  return Promise.all(
    ctx.dkimTokens.map(async (token, i) => {
      const name = `${token}._domainkey.${ctx.domain}`;
      const want = `${token}.dkim.amazonses.com`;
      const title = `DKIM record ${i + 1} of ${ctx.dkimTokens.length} (${name})`;
      const found = (await lookup(() => dns.resolveCname(name))).map(norm);
      if (found.includes(want)) return pass(`${title} → ${want}`);
      return fail(
        found.length ? `${title} points at ${found.join(", ")}` : `${title} is missing`,
        `${record("CNAME", name, want)}${found.length ? " (replace the wrong one)" : ""}.`,
      );
    }),
  );
}

async function checkMailFrom(dns: DnsResolver, ctx: DnsContext): Promise<Finding[]> {
  const host = ctx.mailFromDomain;
  if (!host) return [];
  const exchange = `feedback-smtp.${ctx.region}.amazonses.com`;
  const mx = (await lookup(() => dns.resolveMx(host))).map((r) => norm(r.exchange));
  const spfWanted = "v=spf1 include:amazonses.com ~all";
  const spf = (await lookup(() => dns.resolveTxt(host)))
    .map((chunks) => chunks.join(""))
    .filter((t) => /^v=spf1(\s|$)/i.test(t));
  return [
    mx.includes(exchange)
      ? pass(`MX ${host} → ${exchange}`)
      : fail(
          mx.length
            ? `MX ${host} points at ${mx.join(", ")}, not SES`
            : `MX record for ${host} is missing`,
          `${record("MX", host, `10 ${exchange}`)}.`,
        ),
    spf.length === 1 && /\binclude:amazonses\.com\b/i.test(spf[0] ?? "")
      ? pass(`SPF ${host}: ${spf[0]}`)
      : spf.length > 1
        ? fail(
            `${spf.length} SPF records on ${host}: receivers treat that as an error`,
            `Keep one TXT record on ${host}: "${spfWanted}" (merge the others into it).`,
          )
        : spf.length === 1
          ? fail(
              `SPF on ${host} leaves out SES: ${spf[0]}`,
              `Add include:amazonses.com to the SPF TXT record on ${host}.`,
            )
          : fail(`SPF record for ${host} is missing`, `${record("TXT", host, `"${spfWanted}"`)}.`),
  ];
}

async function checkDmarc(dns: DnsResolver, ctx: DnsContext): Promise<Finding> {
  const name = `_dmarc.${ctx.domain}`;
  const found = (await lookup(() => dns.resolveTxt(name)))
    .map((chunks) => chunks.join(""))
    .filter((t) => /^v=DMARC1\s*(;|$)/i.test(t));
  const wanted = `"v=DMARC1; p=none; rua=mailto:${ctx.dmarcReportEmail}"`;
  if (found.length === 1) return pass(`DMARC ${name}: ${found[0]}`);
  return fail(
    found.length
      ? `${found.length} DMARC records on ${name}: receivers ignore them all`
      : `DMARC record for ${ctx.domain} is missing (Gmail and Yahoo require one of bulk senders)`,
    found.length ? `Keep one TXT record on ${name}.` : `${record("TXT", name, wanted)}.`,
  );
}

async function checkSiteHost(dns: DnsResolver, ctx: DnsContext): Promise<Finding[]> {
  if (!ctx.site) return [];
  const { host, distributionDomain } = ctx.site;
  if (!distributionDomain) {
    return [
      skip(
        `Site host ${host}: the distribution's address is known after the deploy`,
        "Deploy the stack, then point the host at the DistributionDomain output.",
      ),
    ];
  }
  const target = norm(distributionDomain);
  const cname = (await lookup(() => dns.resolveCname(host))).map(norm);
  if (cname.includes(target)) return [pass(`Site host ${host} → ${target}`)];
  // An apex host cannot be a CNAME: an alias (Route 53) or ALIAS/ANAME record answers with
  // the distribution's own addresses.
  if (cname.length === 0) {
    const [mine, cdn] = await Promise.all([
      lookup(() => dns.resolve4(host)),
      lookup(() => dns.resolve4(target)),
    ]);
    if (mine.length && mine.some((ip) => cdn.includes(ip))) {
      return [pass(`Site host ${host} → ${target} (alias: same addresses)`)];
    }
  }
  return [
    fail(
      cname.length
        ? `Site host ${host} points at ${cname.join(", ")}, not the distribution`
        : `Site host ${host} does not point at the distribution`,
      `${record("CNAME", host, target)} (at the zone apex: an alias record in Route 53, or your DNS host's ALIAS/ANAME).`,
    ),
  ];
}

/**
 * DNS as the world sees it, through real lookups: the three DKIM CNAMEs, MX and SPF on the
 * MAIL FROM domain, DMARC on the domain, and the site host pointing at the distribution.
 */
export async function checkDns(dns: DnsResolver, ctx: DnsContext): Promise<Finding[]> {
  const guarded = async (what: string, fn: () => Promise<Finding | Finding[]>) => {
    try {
      return [await fn()].flat();
    } catch (e) {
      return [
        fail(
          `DNS lookup for ${what} failed (${code(e)})`,
          "Check this machine's network and DNS resolver, then run the doctor again.",
        ),
      ];
    }
  };
  const parts = await Promise.all([
    guarded("DKIM", () => checkDkim(dns, ctx)),
    guarded("MAIL FROM", () => checkMailFrom(dns, ctx)),
    guarded("DMARC", () => checkDmarc(dns, ctx)),
    guarded("the site host", () => checkSiteHost(dns, ctx)),
  ]);
  return parts.flat();
}
