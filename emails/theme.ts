import type { MarkdownProps } from "@react-email/components";
import type { CSSProperties } from "react";

/**
 * Design tokens for every email. System fonts only and no remote assets: the emails load
 * nothing from outside, so they look the same with images and remote content blocked.
 */
export const colors = {
  /** Page behind the card: warm sand. */
  canvas: "#f4efe8",
  card: "#ffffff",
  /** Body text: warm near-black, 14:1 on white. */
  text: "#2e2925",
  /** Secondary text (labels, footer): 6:1 on the canvas. */
  muted: "#5f564e",
  rule: "#e6ddd2",
  /** Used when a brand gives no accent of its own: terracotta, 5.6:1 with white text. */
  accent: "#a0522d",
} as const;

/** System font stacks; single quotes so the markdown renderer's inline styles keep them intact. */
export const fonts = {
  body: "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
  heading: "Georgia, 'Times New Roman', Times, serif",
} as const;

export const sizes = {
  maxWidth: 560,
  body: 17,
  lineHeight: 1.6,
  small: 14,
  radius: 8,
} as const;

/** Relative luminance per WCAG 2 of a `#rrggbb` colour. */
function luminance(hex: string): number {
  const channels = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r = 0, g = 0, b = 0] = channels.map((c) =>
    c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4,
  );
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * White or near-black, whichever reads better on `background` (a `#rrggbb` colour), so a
 * light accent chosen in content still gets a legible button label.
 */
export function textOn(background: string): string {
  if (!/^#[0-9a-f]{6}$/i.test(background)) return "#ffffff";
  const bg = luminance(background);
  const onWhite = 1.05 / (bg + 0.05);
  const onDark = (bg + 0.05) / (luminance(colors.text) + 0.05);
  return onWhite >= onDark ? "#ffffff" : colors.text;
}

export const text = {
  paragraph: {
    fontSize: sizes.body,
    lineHeight: sizes.lineHeight,
    color: colors.text,
    margin: "0 0 16px",
  },
  small: {
    fontSize: sizes.small,
    lineHeight: 1.5,
    color: colors.muted,
    margin: "0 0 8px",
  },
} satisfies Record<string, CSSProperties>;

/** Inline styles for markdown bodies; links take the brand accent. */
export function markdownStyles(accent: string): NonNullable<MarkdownProps["markdownCustomStyles"]> {
  const heading: CSSProperties = {
    fontFamily: fonts.heading,
    fontWeight: "normal",
    color: colors.text,
    lineHeight: 1.3,
    margin: "28px 0 12px",
    padding: 0,
  };
  const flow: CSSProperties = {
    fontSize: sizes.body,
    lineHeight: sizes.lineHeight,
    color: colors.text,
  };
  return {
    h1: { ...heading, fontSize: 26 },
    h2: { ...heading, fontSize: 22 },
    h3: { ...heading, fontSize: 19 },
    p: { ...flow, margin: "0 0 16px" },
    ul: { ...flow, margin: "0 0 16px", paddingLeft: 24 },
    ol: { ...flow, margin: "0 0 16px", paddingLeft: 24 },
    li: { ...flow, margin: "0 0 6px" },
    link: { color: accent, textDecoration: "underline" },
    bold: { fontWeight: "bold" },
    italic: { fontStyle: "italic" },
    blockQuote: {
      ...flow,
      margin: "0 0 16px",
      padding: "4px 0 4px 16px",
      borderLeft: `3px solid ${accent}`,
      color: colors.muted,
    },
    hr: { border: "none", borderTop: `1px solid ${colors.rule}`, margin: "24px 0" },
  };
}
