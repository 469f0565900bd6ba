import { Hr, Link, Section, Text } from "@react-email/components";
import { colors, sizes } from "../theme";
import type { BrandProps } from "./types";

/**
 * The one footer. Transactional mail explains why it arrived and has no unsubscribe link: the
 * confirmation (nobody is on a list yet) and the links someone asked for on the data page
 * (`requested`). Marketing mail carries the unsubscribe and manage-your-data links. All carry
 * the sender's postal address.
 */
export type FooterProps = { brand: BrandProps } & (
  | { kind: "transactional" }
  | { kind: "requested" }
  | { kind: "marketing"; unsubscribeUrl: string; manageUrl: string }
);

export function Footer(props: FooterProps) {
  const { brand } = props;
  const site = siteName(brand.siteUrl);
  return (
    <Section style={footer}>
      {props.kind === "transactional" ? (
        <Text style={small}>
          You got this email because someone entered this address on the sign-up form at {site}. If
          that wasn't you, just ignore it and you won't hear from us again.
        </Text>
      ) : props.kind === "requested" ? (
        <Text style={small}>
          You got this email because someone asked for it on the "Your data" page at {site}, which
          only a link from one of our emails to this address opens.
        </Text>
      ) : (
        <>
          <Text style={small}>
            You're receiving this because you signed up at {site} and confirmed your address.
          </Text>
          <Text style={small}>
            <Link href={props.unsubscribeUrl} style={link}>
              Unsubscribe
            </Link>
            {" · "}
            <Link href={props.manageUrl} style={link}>
              Manage your data
            </Link>
          </Text>
        </>
      )}
      {brand.privacyUrl ? (
        <Text style={small}>
          <Link href={brand.privacyUrl} style={link}>
            How I look after your details
          </Link>
        </Text>
      ) : null}
      <Hr style={rule} />
      <Text style={small}>{`${brand.name} · ${brand.postalAddress}`}</Text>
    </Section>
  );
}

/** "healthyhips.example" from "https://healthyhips.example/"; the raw value if it is not a URL. */
function siteName(siteUrl: string): string {
  try {
    return new URL(siteUrl).host;
  } catch {
    return siteUrl;
  }
}

const footer = { padding: "20px 28px 8px" };

const small = {
  fontSize: sizes.small,
  lineHeight: 1.5,
  color: colors.muted,
  margin: "0 0 10px",
};

const link = { color: colors.muted, textDecoration: "underline" };

const rule = { border: "none", borderTop: `1px solid ${colors.rule}`, margin: "14px 0" };
