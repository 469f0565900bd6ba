import type { Course } from "./content";
import { DAY_MS } from "./schedule";
import type { Subscriber } from "./subscriber";
import type { Purpose, TokenClaims } from "./tokens";

/**
 * How long each kind of link works. One `email` token signs every link of a marketing email,
 * so it lives as long as its longest-lived link, the unsubscribe link (mail clients and people
 * use it months or years later). What a forwarded email can do is small (see the manage routes):
 * export and erase need a fresh `export`/`erase` link sent to the address, valid an hour.
 */
export const LINK_TTL_MS = {
  confirm: 7 * DAY_MS,
  email: 5 * 365 * DAY_MS,
  export: 3_600_000,
  erase: 3_600_000,
} as const;

/** {@link LINK_TTL_MS} of the emailed download and erase links, in words for emails and pages. */
export const DATA_LINKS_LIFETIME = "one hour";

/** Lifetimes format-v1 tokens were signed with, to tell when one was issued. */
const V1_TTL_MS: Partial<Record<Purpose, number>> = {
  confirm: 7 * DAY_MS,
  unsubscribe: 5 * 365 * DAY_MS,
  manage: 365 * DAY_MS,
  click: 365 * DAY_MS,
};

/** The generation of a record; records from before generations existed count as 0. */
export const generationOf = (sub: Pick<Subscriber, "generation">) => sub.generation ?? 0;

/**
 * Whether a verified link still speaks for this subscriber record. A v2 token must carry the
 * record's generation: an erase deletes the record, and a later signup starts a new one with a
 * new generation, so every earlier link stops. A v1 token has no generation; it fits only a
 * record that existed when it was signed (signing time = expiry - the v1 lifetime).
 */
export function linkFits(claims: TokenClaims, sub: Subscriber | undefined): sub is Subscriber {
  if (!sub || claims.sid !== sub.sid) return false;
  if (claims.version === 2) return claims.generation === generationOf(sub);
  const ttl = V1_TTL_MS[claims.purpose];
  return ttl !== undefined && claims.expiresAt - ttl >= Date.parse(sub.createdAt);
}

/**
 * Whether `linkId` may be followed from an email: it must be one of content's links and, when
 * the email is still in the compiled course, one of the links its compiled template tracks
 * (`emailLinks`: body, buttons and the course's next step alike, as rendered, so the check can
 * never miss a link the email shows). The redirect target always comes from content, never
 * from the URL.
 * @example linkTarget(course, "guide", composer.linksOf("welcome"));
 */
export function linkTarget(
  course: Course,
  linkId: string,
  emailLinks?: readonly string[],
): string | undefined {
  const { links } = course.funnel;
  // Own keys only: a link id such as "constructor" must not reach Object.prototype.
  if (!Object.hasOwn(links, linkId)) return undefined;
  if (emailLinks && !emailLinks.includes(linkId)) return undefined;
  return links[linkId];
}
