/** Small colour helpers so an author-chosen accent always stays readable (WCAG AA). */

type Rgb = [number, number, number];

const HEX = /^#[0-9a-fA-F]{6}$/;

function parse(hex: string): Rgb {
  if (!HEX.test(hex)) throw new Error(`not a #rrggbb colour: ${JSON.stringify(hex)}`);
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as Rgb;
}

function format(rgb: Rgb): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("")}`;
}

function luminance(hex: string): number {
  const [r, g, b] = parse(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio between two #rrggbb colours (1 to 21). */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Mixes `a` towards `b`; `amount` 0 gives `a`, 1 gives `b`. */
export function mix(a: string, b: string, amount: number): string {
  const [x, y] = [parse(a), parse(b)];
  return format(x.map((c, i) => c + ((y[i] as number) - c) * amount) as Rgb);
}

/**
 * Darkens `color` towards `ink` in small steps until it reaches `ratio` against every
 * background given. An accent that already passes comes back unchanged.
 *
 * @example readableOn("#e8a87c", ["#ffffff"]) // a darker shade that reads on white
 */
export function readableOn(color: string, backgrounds: string[], ratio = 4.5, ink = "#000000") {
  for (let step = 0; step <= 20; step++) {
    const candidate = mix(color, ink, step / 20);
    if (backgrounds.every((bg) => contrast(candidate, bg) >= ratio)) return candidate;
  }
  return ink;
}
