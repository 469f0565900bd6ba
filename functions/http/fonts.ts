/**
 * The site's typefaces, shipped with the project (no font service): Lora for headings and
 * Source Sans 3 for text, Latin subset. The site serves the WOFF2 files from its own origin
 * under `/static/fonts/`; the PDF guide embeds the WOFF files of the same faces.
 */
export interface FontFace {
  family: "Lora" | "Source Sans 3";
  weight: 400 | 500 | 600 | 700;
  style: "normal" | "italic";
  /** The npm package the files come from. */
  pkg: "@fontsource/lora" | "@fontsource/source-sans-3";
  /** File name without extension, as in the package's `files/` folder. */
  file: string;
}

const lora = (weight: FontFace["weight"], style: FontFace["style"]): FontFace => ({
  family: "Lora",
  weight,
  style,
  pkg: "@fontsource/lora",
  file: `lora-latin-${weight}-${style}`,
});
const sans = (weight: FontFace["weight"], style: FontFace["style"]): FontFace => ({
  family: "Source Sans 3",
  weight,
  style,
  pkg: "@fontsource/source-sans-3",
  file: `source-sans-3-latin-${weight}-${style}`,
});

export const FONT_FACES: readonly FontFace[] = [
  lora(600, "normal"),
  lora(400, "italic"),
  sans(400, "normal"),
  sans(400, "italic"),
  sans(600, "normal"),
  sans(700, "normal"),
];

/** Where the site serves a face's WOFF2 file. */
export const fontPath = (face: FontFace) => `/static/fonts/${face.file}.woff2`;

/** `@font-face` rules for the stylesheet; `font-display: swap` keeps text visible while loading. */
export function fontFaceCss(): string {
  return FONT_FACES.map(
    (f) =>
      `@font-face{font-family:"${f.family}";font-style:${f.style};font-weight:${f.weight};font-display:swap;src:url(${fontPath(f)}) format("woff2")}`,
  ).join("\n");
}
