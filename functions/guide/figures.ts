/**
 * Line drawings of the five poses, as data: joints joined by rounded "tubes" whose outlines
 * merge into one silhouette, plus a few props (floor, mat, chair, blanket). One style for
 * every pose; the same data draws into the PDF and into an SVG string for web pages.
 *
 * Proportions follow an adult of about 1.7 m at 1 m = 150 units: upper arm 44, forearm 40,
 * thigh 64, shin 62, shoulder-to-hip 76, head radius 15.
 */

/** A limb or body part: from (x1, y1) to (x2, y2), `w` units thick. */
type Seg = readonly [x1: number, y1: number, x2: number, y2: number, w: number];
/** A round part (the head): centre and radius. */
type Dot = readonly [cx: number, cy: number, r: number];

/** One layer of the body; later layers are drawn over earlier ones (near limbs over far). */
interface Layer {
  segs: readonly Seg[];
  dots?: readonly Dot[];
  /** "far" limbs are shaded so the near side reads in front. */
  tone: "near" | "far";
}

/** A prop or mark as SVG path data. */
interface Prop {
  d: string;
  kind: "floor" | "mat" | "object" | "cue";
}

export interface Figure {
  /** minX, minY, width, height */
  viewBox: readonly [number, number, number, number];
  /** What the drawing shows, for alt text. */
  alt: string;
  props: readonly Prop[];
  layers: readonly Layer[];
  /** Drawn last: arrows and cues. */
  cues?: readonly Prop[];
}

/** One drawing instruction: a path with a stroke and/or a fill. */
export interface Stroke {
  d: string;
  stroke: string;
  width: number;
  fill: string;
}

/** Colours the drawing uses, so the PDF and the site can each pass their own. */
export interface FigurePalette {
  ink: string;
  skin: string;
  shade: string;
  prop: string;
  mat: string;
  cue: string;
}

const OUTLINE = 2.4;

const line = (x1: number, y1: number, x2: number, y2: number) => `M${x1} ${y1}L${x2} ${y2}`;
const circle = (cx: number, cy: number, r: number) =>
  `M${cx - r} ${cy}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0Z`;
const rect = (x: number, y: number, w: number, h: number, r: number) =>
  `M${x + r} ${y}H${x + w - r}Q${x + w} ${y} ${x + w} ${y + r}V${y + h - r}Q${x + w} ${y + h} ${x + w - r} ${y + h}H${x + r}Q${x} ${y + h} ${x} ${y + h - r}V${y + r}Q${x} ${y} ${x + r} ${y}Z`;

const FIGURES: Record<string, Figure> = {
  "pelvic-tilt": {
    viewBox: [60, 10, 300, 285],
    alt: "A person standing side-on, hands on the front of the hip bones, tipping the pelvis like a bowl",
    props: [{ d: line(90, 284, 330, 284), kind: "floor" }],
    layers: [
      {
        tone: "far",
        segs: [
          [203, 148, 209, 211, 22],
          [209, 211, 204, 272, 15],
          [200, 279, 229, 281, 9],
          [195, 78, 184, 118, 13],
          [184, 118, 216, 142, 11],
        ],
      },
      {
        tone: "near",
        dots: [[204, 36, 15]],
        segs: [
          [198, 80, 201, 148, 35], // trunk
          [199, 62, 202, 48, 12], // neck
          [199, 148, 202, 211, 22],
          [202, 211, 198, 272, 15],
          [194, 279, 224, 281, 9],
        ],
      },
      {
        tone: "near",
        segs: [
          [198, 80, 172, 114, 13], // elbow back, hand on the front of the hip bone
          [172, 114, 208, 138, 11],
          [208, 138, 216, 142, 9],
        ],
      },
    ],
    cues: [
      { d: "M244 116A52 52 0 0 1 244 178", kind: "cue" },
      { d: "M235 113L244 116L242 125", kind: "cue" },
      { d: "M235 181L244 178L242 169", kind: "cue" },
    ],
  },
  "hip-flexor": {
    viewBox: [80, 10, 300, 285],
    alt: "A person standing at a chair placed against a wall, one foot on the seat, hips shifted gently forward",
    props: [
      { d: line(100, 284, 350, 284), kind: "floor" },
      { d: line(340, 60, 340, 284), kind: "floor" },
      { d: rect(258, 218, 68, 7, 2), kind: "object" },
      { d: line(264, 225, 264, 284), kind: "object" },
      { d: line(320, 225, 320, 284), kind: "object" },
      { d: line(322, 218, 326, 136), kind: "object" },
      { d: line(326, 150, 300, 150), kind: "object" },
    ],
    layers: [
      {
        tone: "far",
        segs: [
          [192, 152, 178, 211, 22],
          [178, 211, 168, 272, 15],
          [162, 279, 192, 281, 9],
          [188, 80, 174, 118, 13],
          [174, 118, 198, 144, 11],
        ],
      },
      {
        tone: "near",
        dots: [[195, 36, 15]],
        segs: [
          [190, 80, 193, 150, 35],
          [191, 62, 193, 48, 12],
          [195, 152, 258, 147, 22], // thigh, foot on the seat
          [258, 147, 270, 208, 15],
          [266, 213, 294, 213, 9],
        ],
      },
      {
        tone: "near",
        segs: [
          [192, 80, 206, 121, 13], // hand resting on the raised thigh
          [206, 121, 240, 138, 11],
          [240, 138, 250, 140, 9],
        ],
      },
    ],
  },
  bridge: {
    viewBox: [30, 150, 300, 125],
    alt: "A person lying on the back, knees bent and feet flat, hips lifted to a medium height",
    props: [
      { d: rect(36, 265, 288, 6, 3), kind: "mat" },
      { d: line(30, 271, 330, 271), kind: "floor" },
    ],
    layers: [
      {
        tone: "far",
        segs: [
          [172, 222, 220, 193, 22],
          [220, 193, 234, 252, 15],
          [230, 259, 260, 259, 9],
        ],
      },
      {
        tone: "near",
        dots: [[63, 249, 15]],
        segs: [
          [100, 247, 172, 222, 35],
          [92, 249, 79, 250, 12],
          [172, 222, 226, 192, 22],
          [226, 192, 240, 252, 15],
          [236, 259, 266, 259, 9],
          [102, 250, 144, 256, 13],
          [144, 256, 182, 259, 11],
          [182, 259, 194, 259, 9],
        ],
      },
    ],
    cues: [
      { d: "M172 200V176", kind: "cue" },
      { d: "M166 182L172 175L178 182", kind: "cue" },
    ],
  },
  "easy-seat": {
    viewBox: [70, 70, 260, 220],
    alt: "A person seen from the front, sitting cross-legged on a folded blanket, hands resting on the knees, spine tall",
    props: [
      { d: line(80, 284, 320, 284), kind: "floor" },
      { d: rect(138, 266, 124, 18, 5), kind: "mat" },
      { d: rect(144, 250, 112, 17, 5), kind: "mat" },
    ],
    layers: [
      {
        tone: "near",
        dots: [[200, 104, 16]],
        segs: [
          [200, 165, 200, 228, 52],
          [178, 158, 222, 158, 24],
          [200, 122, 200, 148, 13],
          [186, 238, 130, 262, 24],
          [214, 238, 270, 262, 24],
          [130, 262, 222, 272, 15],
          [172, 160, 156, 199, 13],
          [228, 160, 244, 199, 13],
          [156, 199, 134, 244, 11],
          [244, 199, 266, 244, 11],
        ],
      },
      {
        tone: "near",
        segs: [
          [270, 262, 180, 276, 15],
          [180, 276, 166, 278, 9],
        ],
      },
    ],
  },
  "figure-four": {
    viewBox: [30, 80, 290, 150],
    alt: "A person lying on the back, seen from above: left knee bent with the foot on the floor, right ankle crossed over the left thigh and the right knee opening to the side",
    props: [{ d: rect(34, 90, 282, 132, 8), kind: "mat" }],
    layers: [
      {
        tone: "far",
        segs: [[224, 139, 250, 139, 9]], // left foot, flat on the floor beyond the raised knee
      },
      {
        tone: "near",
        dots: [[62, 150, 16]],
        segs: [
          [104, 150, 166, 150, 50],
          [98, 132, 98, 168, 22],
          [168, 139, 168, 161, 28],
          [78, 150, 92, 150, 13],
          [98, 128, 136, 113, 13],
          [136, 113, 174, 104, 11],
          [98, 172, 136, 187, 13],
          [136, 187, 174, 196, 11],
          [170, 139, 216, 139, 24], // left thigh rising to the knee
        ],
      },
      {
        tone: "near",
        segs: [
          [172, 161, 232, 190, 24], // right thigh, knee open to the side
          [232, 190, 210, 145, 15], // right shin across the left thigh
          [210, 145, 206, 126, 9],
        ],
      },
    ],
  },
};

/** Ids of the poses with a shipped drawing. */
export const FIGURE_IDS = Object.keys(FIGURES);

/** The shipped drawing for a pose id, if there is one. */
export function figureFor(id: string): Figure | undefined {
  return Object.hasOwn(FIGURES, id) ? FIGURES[id] : undefined;
}

/**
 * The drawing as ordered strokes: props, then each body layer (every outline first, then every
 * fill, so overlapping parts merge into one silhouette), then cues.
 * @example strokes(figureFor("bridge")!, palette).length
 */
export function strokes(figure: Figure, p: FigurePalette): Stroke[] {
  const out: Stroke[] = [];
  for (const prop of figure.props) {
    if (prop.kind === "mat") out.push({ d: prop.d, stroke: p.prop, width: 1.4, fill: p.mat });
    else
      out.push({ d: prop.d, stroke: p.prop, width: prop.kind === "floor" ? 1.6 : 3, fill: "none" });
  }
  for (const layer of figure.layers) {
    const skin = layer.tone === "far" ? p.shade : p.skin;
    const parts = [
      ...layer.segs.map(([x1, y1, x2, y2, w]) => ({ d: line(x1, y1, x2, y2), w, dot: false })),
      ...(layer.dots ?? []).map(([cx, cy, r]) => ({ d: circle(cx, cy, r), w: 0, dot: true })),
    ];
    for (const part of parts) {
      out.push(
        part.dot
          ? { d: part.d, stroke: p.ink, width: OUTLINE * 2, fill: p.ink }
          : { d: part.d, stroke: p.ink, width: part.w + OUTLINE * 2, fill: "none" },
      );
    }
    for (const part of parts) {
      out.push(
        part.dot
          ? { d: part.d, stroke: "none", width: 0, fill: skin }
          : { d: part.d, stroke: skin, width: part.w, fill: "none" },
      );
    }
  }
  for (const cue of figure.cues ?? []) {
    out.push({ d: cue.d, stroke: p.cue, width: 2.4, fill: "none" });
  }
  return out;
}

/**
 * The drawing as a standalone SVG document, for web pages and previews.
 * @example svgOf(figureFor("bridge")!, palette) // "<svg xmlns=…"
 */
export function svgOf(figure: Figure, p: FigurePalette): string {
  const [x, y, w, h] = figure.viewBox;
  const paths = strokes(figure, p)
    .map(
      (s) =>
        `<path d="${s.d}" fill="${s.fill}" stroke="${s.stroke}" stroke-width="${s.width}" stroke-linecap="round" stroke-linejoin="round"/>`,
    )
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${x} ${y} ${w} ${h}" role="img"><title>${figure.alt}</title>${paths}</svg>`;
}
