import { existsSync } from "node:fs";
import { Document, Font, Page, renderToBuffer, StyleSheet, Text, View } from "@react-pdf/renderer";
import type { ReactNode } from "react";
import type { Guide, Pose } from "./guide";

/** What the PDF needs to know about the brand (a subset of `funnel.brand` plus the site URL). */
export interface GuideBrand {
  name: string;
  teacher: string;
  accentColor: string;
  siteUrl: string;
}

export interface RenderOptions {
  /** "auto" uses DejaVu Sans when installed, else built-in Helvetica; "builtin" forces Helvetica. */
  font?: "auto" | "builtin";
}

const DEJAVU_DIR = "/usr/share/fonts/truetype/dejavu";
const DEJAVU = {
  normal: `${DEJAVU_DIR}/DejaVuSans.ttf`,
  bold: `${DEJAVU_DIR}/DejaVuSans-Bold.ttf`,
  italic: `${DEJAVU_DIR}/DejaVuSans-Oblique.ttf`,
};
let dejavuRegistered = false;

/** Registers DejaVu Sans if all its files exist; returns the font family to use. */
function pickFont(mode: "auto" | "builtin"): string {
  if (mode === "builtin" || !Object.values(DEJAVU).every((f) => existsSync(f))) return "Helvetica";
  if (!dejavuRegistered) {
    Font.register({
      family: "DejaVu Sans",
      fonts: [
        { src: DEJAVU.normal },
        { src: DEJAVU.bold, fontWeight: "bold" },
        { src: DEJAVU.italic, fontStyle: "italic" },
      ],
    });
    dejavuRegistered = true;
  }
  return "DejaVu Sans";
}

// Whole words only: automatic hyphenation looks fussy in short instructional text.
Font.registerHyphenationCallback((word) => [word]);

/** Mixes `hex` with white; `amount` 0 = white, 1 = the colour itself. */
function tint(hex: string, amount: number): string {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16);
    return Math.round(255 - (255 - c) * amount)
      .toString(16)
      .padStart(2, "0");
  };
  return `#${channel(1)}${channel(3)}${channel(5)}`;
}

const INK = "#2B2622";
const NOTE_LINES = ["a", "b", "c", "d", "e", "f", "g", "h"];
const MUTED = "#6B625C";

function makeStyles(accent: string, fontFamily: string) {
  const soft = tint(accent, 0.08);
  return StyleSheet.create({
    page: { fontFamily, fontSize: 11, color: INK, padding: 56, paddingBottom: 72 },
    band: { position: "absolute", top: 0, left: 0, right: 0, height: 14, backgroundColor: accent },
    brand: { fontSize: 10, color: accent, letterSpacing: 1.5, marginBottom: 48 },
    title: {
      maxWidth: 400,
      fontSize: 30,
      fontWeight: "bold",
      color: accent,
      lineHeight: 1.2,
      marginBottom: 12,
    },
    subtitle: { fontSize: 14, color: MUTED, lineHeight: 1.4, marginBottom: 28 },
    body: { fontSize: 11, lineHeight: 1.55, marginBottom: 10 },
    byline: { fontSize: 11, color: MUTED, lineHeight: 1.4, marginBottom: 28 },
    h2: { fontSize: 13, fontWeight: "bold", color: accent, lineHeight: 1.3, marginTop: 14 },
    label: { fontSize: 9, color: accent, letterSpacing: 1.5, marginBottom: 6 },
    poseName: { fontSize: 24, fontWeight: "bold", color: accent, lineHeight: 1.2 },
    focus: { fontSize: 12, fontStyle: "italic", color: MUTED, lineHeight: 1.4, marginTop: 6 },
    rule: { height: 2, width: 48, backgroundColor: accent, marginTop: 14, marginBottom: 4 },
    row: { flexDirection: "row", marginTop: 8 },
    num: {
      width: 20,
      height: 20,
      borderRadius: 10,
      backgroundColor: accent,
      color: "#FFFFFF",
      fontSize: 10,
      fontWeight: "bold",
      textAlign: "center",
      paddingTop: 4,
      marginRight: 10,
    },
    stepText: { flex: 1, fontSize: 11, lineHeight: 1.5, paddingTop: 2 },
    box: {
      backgroundColor: soft,
      borderLeftWidth: 3,
      borderLeftColor: accent,
      padding: 12,
      marginTop: 16,
    },
    boxTitle: { fontSize: 10, fontWeight: "bold", color: accent, lineHeight: 1.3, marginBottom: 4 },
    boxText: { fontSize: 11, lineHeight: 1.5 },
    noteLine: { height: 28, borderBottomWidth: 0.5, borderBottomColor: tint(accent, 0.35) },
    footer: {
      position: "absolute",
      left: 56,
      right: 56,
      bottom: 32,
      flexDirection: "row",
      justifyContent: "space-between",
      borderTopWidth: 0.5,
      borderTopColor: tint(accent, 0.4),
      paddingTop: 8,
      fontSize: 8.5,
      color: MUTED,
    },
  });
}

type Styles = ReturnType<typeof makeStyles>;

function Footer({ s, brand, site }: { s: Styles; brand: GuideBrand; site: string }) {
  return (
    <View style={s.footer} fixed>
      <Text>
        {brand.name} · {site}
      </Text>
      <Text render={({ pageNumber, totalPages }) => `Page ${pageNumber} of ${totalPages}`} />
    </View>
  );
}

function Box({ s, title, children }: { s: Styles; title: string; children: string }) {
  return (
    <View style={s.box} wrap={false}>
      <Text style={s.boxTitle}>{title}</Text>
      <Text style={s.boxText}>{children}</Text>
    </View>
  );
}

function Sheet({
  s,
  brand,
  site,
  children,
}: {
  s: Styles;
  brand: GuideBrand;
  site: string;
  children: ReactNode;
}) {
  return (
    <Page size="A4" style={s.page}>
      <View style={s.band} fixed />
      {children}
      <Footer s={s} brand={brand} site={site} />
    </Page>
  );
}

function PoseContent({
  s,
  pose,
  index,
  count,
}: {
  s: Styles;
  pose: Pose;
  index: number;
  count: number;
}) {
  return (
    <>
      <Text style={s.label}>
        POSE {index + 1} OF {count}
      </Text>
      <Text style={s.poseName}>{pose.name}</Text>
      <Text style={s.focus}>{pose.focus}</Text>
      <View style={s.rule} />
      <Text style={s.h2}>Why it helps</Text>
      <Text style={[s.body, { marginTop: 4 }]}>{pose.why}</Text>
      <Text style={s.h2}>How to do it</Text>
      {pose.steps.map((step, i) => (
        <View style={s.row} key={step} wrap={false}>
          <Text style={s.num}>{i + 1}</Text>
          <Text style={s.stepText}>{step}</Text>
        </View>
      ))}
      <Box s={s} title="Gentler option">
        {pose.ease}
      </Box>
      <Box s={s} title="Breath">
        {pose.breath}
      </Box>
    </>
  );
}

/**
 * Renders the printable pose guide as an A4 PDF: a cover with the intro and contents,
 * one page per pose with numbered steps, and a closing page with the safety note.
 * Uses DejaVu Sans when installed, otherwise the built-in Helvetica.
 */
export async function renderGuidePdf(
  guide: Guide,
  brand: GuideBrand,
  options: RenderOptions = {},
): Promise<Buffer> {
  const s = makeStyles(brand.accentColor, pickFont(options.font ?? "auto"));
  const site = brand.siteUrl.replace(/^https?:\/\//, "").replace(/\/$/, "");
  const sheet = { s, brand, site };
  const doc = (
    <Document title={guide.title} author={brand.teacher} subject={guide.subtitle}>
      <Sheet {...sheet}>
        <Text style={s.brand}>{brand.name.toUpperCase()}</Text>
        <Text style={s.title}>{guide.title}</Text>
        <Text style={s.subtitle}>{guide.subtitle}</Text>
        <Text style={s.byline}>With {brand.teacher}</Text>
        <Text style={s.body}>{guide.intro}</Text>
        <Text style={s.h2}>In this guide</Text>
        {guide.poses.map((pose, i) => (
          <View style={s.row} key={pose.name} wrap={false}>
            <Text style={s.num}>{i + 1}</Text>
            <Text style={s.stepText}>{pose.name}</Text>
          </View>
        ))}
        <Box s={s} title="Before you begin">
          {guide.safety}
        </Box>
      </Sheet>
      {guide.poses.map((pose, i) => (
        <Sheet key={pose.name} {...sheet}>
          <PoseContent s={s} pose={pose} index={i} count={guide.poses.length} />
        </Sheet>
      ))}
      <Sheet {...sheet}>
        <Text style={s.label}>KEEP GOING</Text>
        <Text style={s.poseName}>Small, steady, kind</Text>
        <View style={s.rule} />
        <Text style={[s.body, { marginTop: 12 }]}>{guide.closing}</Text>
        <Text style={[s.body, { marginTop: 8 }]}>
          Practise along with the full video masterclass at {site}.
        </Text>
        <Text style={s.byline}>With warmth, {brand.teacher}</Text>
        <Text style={s.h2}>My practice notes</Text>
        {NOTE_LINES.map((n) => (
          <View key={n} style={s.noteLine} />
        ))}
      </Sheet>
    </Document>
  );
  return renderToBuffer(doc);
}
