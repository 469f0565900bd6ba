/** Who the email comes from; the same for every email of a course. */
export interface BrandProps {
  name: string;
  teacher: string;
  /** `#rrggbb`; buttons, links and the brand bar take it. */
  accentColor: string;
  postalAddress: string;
  siteUrl: string;
  /** The privacy notice's address; every footer links to it. */
  privacyUrl?: string;
}

/** Props every email takes. Values may be `{{placeholders}}` filled in per recipient later. */
export interface EmailBaseProps {
  brand: BrandProps;
  preheader: string;
  /** Already-resolved display name, e.g. "Ana" or "there". */
  firstName: string;
  /** Markdown; its link hrefs are already final (may be placeholders like `{{link:guide}}`). */
  bodyMarkdown: string;
  button?: { label: string; href: string };
  /** A second, outlined button (the welcome email's guide). */
  secondaryButton?: { label: string; href: string };
  /** Marketing emails only. */
  unsubscribeUrl?: string;
  manageUrl?: string;
}

/** A marketing email must carry both footer links. */
export type MarketingEmailProps = EmailBaseProps & { unsubscribeUrl: string; manageUrl: string };
