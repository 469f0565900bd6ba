/** @jsxImportSource hono/jsx */
/** @jsxRuntime automatic */
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import type { Funnel } from "../../core/content";
import { buildAssets } from "../assets";

export interface LayoutProps {
  funnel: Funnel;
  /** The full document title. */
  title: string;
  /** Meta description; the brand tagline when absent. */
  description?: string;
  /** Only public marketing pages should be indexed; token pages never. */
  indexable?: boolean;
  /**
   * The page's public path, e.g. "/privacy": indexable pages get a canonical link and
   * Open Graph and Twitter tags for it, built on the content's public `siteUrl`.
   */
  path?: string;
  /** Scripts this page needs before the site script, e.g. the address spell-check. */
  scripts?: string[];
  children?: Child;
}

/** "Confirm your email · Yoga for Healthy Hips" */
export function pageTitle(funnel: Funnel, title: string): string {
  return `${title} · ${funnel.brand.name}`;
}

/** A tiny drawing of the printable guide's page. Decorative. */
export const GuideIcon = () => (
  <div class="guide-page" aria-hidden="true">
    <span></span>
    <span></span>
    <span></span>
    <span></span>
    <span></span>
    <span></span>
  </div>
);

/** The brand's small mark: a figure resting under an arc. Decorative. */
export const BrandMark = ({ class: className }: { class?: string }) => (
  <svg class={className} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
    <circle cx="16" cy="16" r="14.5" fill="none" stroke="currentColor" stroke-width="1.5" />
    <path
      d="M7 20.5c2.8-5 5.8-7.5 9-7.5s6.2 2.5 9 7.5"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
    />
    <circle cx="16" cy="8.6" r="2.2" fill="currentColor" />
  </svg>
);

/** The favicon: the brand mark in white on the accent colour. Served at /favicon.svg. */
export function faviconSvg(accent: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="16" fill="${accent}"/>` +
    `<path d="M7 20.5c2.8-5 5.8-7.5 9-7.5s6.2 2.5 9 7.5" fill="none" stroke="#fff" stroke-width="2.4" stroke-linecap="round"/>` +
    `<circle cx="16" cy="8.6" r="2.4" fill="#fff"/></svg>`
  );
}

/** An absolute URL on the public site, for tags read by other sites (never a local address). */
function publicUrl(funnel: Funnel, path: string): string {
  return new URL(path, `${funnel.siteUrl.replace(/\/$/, "")}/`).toString();
}

/** Open Graph and Twitter card tags, so a shared link shows a title, text and picture. */
const ShareTags = ({
  funnel,
  title,
  description,
  path,
}: {
  funnel: Funnel;
  title: string;
  description: string;
  path: string;
}) => {
  const image = funnel.landing.shareImage;
  return (
    <>
      <link rel="canonical" href={publicUrl(funnel, path)} />
      <meta property="og:type" content="website" />
      <meta property="og:site_name" content={funnel.brand.name} />
      <meta property="og:title" content={title} />
      <meta property="og:description" content={description} />
      <meta property="og:url" content={publicUrl(funnel, path)} />
      {image ? <meta property="og:image" content={publicUrl(funnel, image)} /> : null}
      <meta name="twitter:card" content={image ? "summary_large_image" : "summary"} />
      <meta name="twitter:title" content={title} />
      <meta name="twitter:description" content={description} />
      {image ? <meta name="twitter:image" content={publicUrl(funnel, image)} /> : null}
    </>
  );
};

/**
 * The HTML document every page shares: head with the hashed stylesheet and script from
 * {@link buildAssets}, skip link, header, main landmark and footer.
 */
export const Layout = ({
  funnel,
  title,
  description,
  indexable,
  path,
  scripts,
  children,
}: LayoutProps) => {
  const { cssPath, jsPath } = buildAssets(funnel);
  const { brand } = funnel;
  return (
    <>
      {raw("<!doctype html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{title}</title>
          <meta name="description" content={description ?? brand.tagline} />
          {indexable ? null : <meta name="robots" content="noindex, nofollow" />}
          {indexable && path ? (
            <ShareTags
              funnel={funnel}
              title={title}
              description={description ?? brand.tagline}
              path={path}
            />
          ) : null}
          <meta name="referrer" content="same-origin" />
          <meta name="color-scheme" content="light" />
          <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
          <link rel="stylesheet" href={cssPath} />
          {(scripts ?? []).map((src) => (
            <script key={src} src={src} defer></script>
          ))}
          <script src={jsPath} defer></script>
        </head>
        <body>
          <a class="skip" href="#main">
            Skip to content
          </a>
          <header class="site-header">
            <div class="wrap">
              <a class="brand" href="/">
                <BrandMark class="brand-mark" />
                <span>{brand.name}</span>
              </a>
            </div>
          </header>
          <main id="main" tabindex={-1}>
            {children}
          </main>
          <footer class="site-footer">
            <div class="wrap">
              <p>
                <strong>{brand.name}</strong> · {brand.tagline}
              </p>
              <p>Classes and lessons by {brand.teacher}</p>
              <nav class="footer-links" aria-label="About this site">
                <a href="/privacy">Privacy: how I look after your details</a>
              </nav>
            </div>
          </footer>
        </body>
      </html>
    </>
  );
};

/** A calm single-card page body for short messages and small forms. */
export const Panel = ({
  eyebrow,
  heading,
  children,
}: {
  eyebrow?: string;
  heading: Child;
  children?: Child;
}) => (
  <div class="page">
    <div class="wrap narrow">
      <section class="card" aria-labelledby="page-title">
        {eyebrow ? <p class="eyebrow">{eyebrow}</p> : null}
        <h1 id="page-title">{heading}</h1>
        {children}
      </section>
    </div>
  </div>
);
