import { Resolver } from "node:dns/promises";
import dns2 from "dns2";

const { Packet } = dns2;

/** The records of one name, as a zone file would hold them. */
export interface ZoneEntry {
  CNAME?: string;
  MX?: { exchange: string; priority: number }[];
  /** Each record is its character-strings (a long SPF is split in 255-octet chunks). */
  TXT?: string[][];
  A?: string[];
}
export type Zone = Record<string, ZoneEntry>;

/**
 * A DNS server on 127.0.0.1 (UDP, port 0) answering from `zone`, which the test may change
 * between lookups, and a node:dns Resolver pointed at it: the doctor's lookups run for real,
 * through c-ares and the wire. Unknown names answer NXDOMAIN; known names without the asked
 * type answer with no records (NODATA), as an authoritative server does.
 */
export async function startDnsServer(zone: Zone) {
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      if (!question) return send(response);
      const name = question.name.toLowerCase();
      const entry = zone[name];
      if (!entry) {
        response.header.rcode = 3; // NXDOMAIN
        return send(response);
      }
      const base = { name: question.name, class: Packet.CLASS.IN, ttl: 300 };
      // dns2 encodes plain record objects; its types ask for a parsed Resource.
      const answers = response.answers as unknown as object[];
      const answerA = (owner: string, e: ZoneEntry) => {
        for (const address of e.A ?? []) {
          answers.push({ ...base, name: owner, type: Packet.TYPE.A, address });
        }
      };
      if (question.type === Packet.TYPE.CNAME && entry.CNAME) {
        answers.push({ ...base, type: Packet.TYPE.CNAME, domain: entry.CNAME });
      } else if (question.type === Packet.TYPE.MX) {
        for (const mx of entry.MX ?? []) {
          answers.push({ ...base, type: Packet.TYPE.MX, ...mx });
        }
      } else if (question.type === Packet.TYPE.TXT) {
        for (const data of entry.TXT ?? []) {
          answers.push({ ...base, type: Packet.TYPE.TXT, data });
        }
      } else if (question.type === Packet.TYPE.A) {
        if (entry.CNAME) {
          answers.push({ ...base, type: Packet.TYPE.CNAME, domain: entry.CNAME });
          const target = zone[entry.CNAME.toLowerCase()];
          if (target) answerA(entry.CNAME, target);
        } else {
          answerA(question.name, entry);
        }
      }
      send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
  const port = addresses.udp?.port;
  if (!port) throw new Error("the test DNS server did not start");
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return { resolver, port, close: () => server.close() };
}
