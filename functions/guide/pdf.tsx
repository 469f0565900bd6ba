import {
  Document,
  Font,
  Image,
  Link,
  Page,
  Path,
  renderToBuffer,
  StyleSheet,
  Svg,
  Text,
  View,
} from "@react-pdf/renderer";
import type { ReactNode } from "react";
import { FONT_FACES } from "../http/fonts";
import { packageFile } from "../http/static-files";
import { type FigurePalette, figureFor, strokes } from "./figures";
import type { Guide, Pose, PosePhoto } from "./guide";

/** What the PDF needs to know about the brand (a subset of `funnel.brand` plus the site URL). */
export interface GuideBrand {
  name: string;
  teacher: string;
  accentColor: string;
  /** The public address of the site (content's `siteUrl`), printed on every page. */
  siteUrl: string;
}

export interface RenderOptions {
  /** The teacher's own pictures by pose id; they replace the shipped drawings. */
  photos?: Record<string, PosePhoto>;
}

let fontsRegistered = false;

/** Embeds the site's own typefaces (the WOFF files of the faces the site serves). */
function registerFonts(): void {
  if (fontsRegistered) return;
  for (const family of ["Lora", "Source Sans 3"] as const) {
    Font.register({
      family,
      fonts: FONT_FACES.filter((f) => f.family === family).map((f) => ({
        src: packageFile(f.pkg, `files/${f.file}.woff`),
        fontWeight: f.weight,
        fontStyle: f.style,
      })),
    });
  }
  fontsRegistered = true;
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
const MUTED = "#6B625C";
const SERIF = "Lora";
const SANS = "Source Sans 3";
const NOTE_LINES = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function makeStyles(accent: string) {
  const soft = tint(accent, 0.07);
  return StyleSheet.create({
    page: {
      fontFamily: SANS,
      fontSize: 11,
      color: INK,
      paddingTop: 46,
      paddingHorizontal: 50,
      paddingBottom: 64,
    },
    band: { position: "absolute", top: 0, left: 0, right: 0, height: 10, backgroundColor: accent },
    brand: { fontSize: 9, fontWeight: 600, color: accent, letterSpacing: 1.6, marginBottom: 22 },
    title: {
      fontFamily: SERIF,
      fontWeight: 600,
      fontSize: 30,
      color: INK,
      lineHeight: 1.2,
      marginBottom: 10,
    },
    subtitle: { fontSize: 14, color: MUTED, lineHeight: 1.4, marginBottom: 6 },
    byline: {
      fontFamily: SERIF,
      fontStyle: "italic",
      fontSize: 12,
      color: accent,
      marginBottom: 18,
    },
    body: { fontSize: 11.5, lineHeight: 1.55, marginBottom: 8 },
    h2: {
      fontFamily: SERIF,
      fontWeight: 600,
      fontSize: 13.5,
      color: accent,
      lineHeight: 1.3,
      marginTop: 12,
      marginBottom: 4,
    },
    label: { fontSize: 9, fontWeight: 700, color: accent, letterSpacing: 1.6, marginBottom: 6 },
    poseName: {
      fontFamily: SERIF,
      fontWeight: 600,
      fontSize: 25,
      color: INK,
      lineHeight: 1.2,
    },
    focus: {
      fontFamily: SERIF,
      fontStyle: "italic",
      fontSize: 12.5,
      color: MUTED,
      lineHeight: 1.4,
      marginTop: 4,
    },
    picture: {
      marginTop: 14,
      height: 272,
      borderRadius: 10,
      backgroundColor: soft,
      alignItems: "center",
      justifyContent: "center",
      overflow: "hidden",
    },
    photo: { width: "100%", height: "100%", objectFit: "cover" },
    columns: { flexDirection: "row", marginTop: 12, gap: 22 },
    main: { flex: 1.45 },
    side: { flex: 1 },
    row: { flexDirection: "row", marginTop: 8 },
    num: {
      width: 18,
      height: 18,
      borderRadius: 9,
      backgroundColor: accent,
      color: "#FFFFFF",
      fontSize: 9.5,
      fontWeight: 700,
      textAlign: "center",
      paddingTop: 2.5,
      marginRight: 9,
    },
    stepText: { flex: 1, fontSize: 11, lineHeight: 1.5 },
    box: {
      backgroundColor: soft,
      borderLeftWidth: 3,
      borderLeftColor: accent,
      borderRadius: 4,
      padding: 11,
      marginTop: 14,
    },
    boxTitle: { fontSize: 9, fontWeight: 700, color: accent, letterSpacing: 1.2, marginBottom: 4 },
    boxText: { fontSize: 11, lineHeight: 1.5 },
    contents: { marginTop: 4 },
    entry: {
      flexDirection: "row",
      alignItems: "center",
      paddingVertical: 6,
      borderBottomWidth: 0.5,
      borderBottomColor: tint(accent, 0.3),
      textDecoration: "none",
      color: INK,
    },
    thumb: {
      width: 78,
      height: 50,
      borderRadius: 6,
      backgroundColor: soft,
      marginRight: 12,
      alignItems: "center",
      justifyContent: "center",
      overflow: "hidden",
    },
    entryName: { fontFamily: SERIF, fontWeight: 600, fontSize: 12.5, color: INK },
    entryFocus: { fontSize: 9.5, color: MUTED, marginTop: 1 },
    entryPage: { fontSize: 10, color: accent, fontWeight: 600 },
    noteLine: { height: 26, borderBottomWidth: 0.5, borderBottomColor: tint(accent, 0.35) },
    grid: { marginTop: 6, borderTopWidth: 0.5, borderTopColor: tint(accent, 0.35) },
    gridRow: {
      flexDirection: "row",
      alignItems: "center",
      height: 24,
      borderBottomWidth: 0.5,
      borderBottomColor: tint(accent, 0.35),
    },
    gridName: { flex: 1, fontSize: 10 },
    gridCell: { width: 34, alignItems: "center", fontSize: 8.5, color: MUTED },
    tick: {
      width: 11,
      height: 11,
      borderRadius: 2,
      borderWidth: 0.8,
      borderColor: tint(accent, 0.6),
    },
    footer: {
      position: "absolute",
      left: 50,
      right: 50,
      bottom: 28,
      flexDirection: "row",
      justifyContent: "space-between",
      borderTopWidth: 0.5,
      borderTopColor: tint(accent, 0.4),
      paddingTop: 7,
      fontSize: 8.5,
      color: MUTED,
    },
  });
}

type Styles = ReturnType<typeof makeStyles>;

function palette(accent: string): FigurePalette {
  return {
    ink: "#3A322D",
    skin: "#FFFFFF",
    shade: tint(accent, 0.22),
    prop: tint(accent, 0.55),
    mat: tint(accent, 0.14),
    cue: accent,
  };
}

/** The pose's picture: the teacher's photo when given, else the shipped drawing, else nothing. */
function PosePicture({
  pose,
  photo,
  colors,
  width,
  height,
}: {
  pose: Pose;
  photo?: PosePhoto;
  colors: FigurePalette;
  width: number;
  height: number;
}) {
  if (photo) {
    return (
      <Image
        src={{ data: photo.data, format: photo.format }}
        style={{ width, height, objectFit: "cover" }}
      />
    );
  }
  const figure = figureFor(pose.id);
  if (!figure) return null;
  const [x, y, w, h] = figure.viewBox;
  const scale = Math.min(width / w, height / h) * 0.9;
  return (
    <Svg viewBox={`${x} ${y} ${w} ${h}`} width={w * scale} height={h * scale}>
      {strokes(figure, colors).map((s, i) => (
        <Path
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed drawing, never reordered
          key={i}
          d={s.d}
          fill={s.fill}
          stroke={s.stroke}
          strokeWidth={s.width}
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      ))}
    </Svg>
  );
}

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
      <Text style={s.boxTitle}>{title.toUpperCase()}</Text>
      <Text style={s.boxText}>{children}</Text>
    </View>
  );
}

function Sheet({
  s,
  brand,
  site,
  id,
  children,
}: {
  s: Styles;
  brand: GuideBrand;
  site: string;
  id?: string;
  children: ReactNode;
}) {
  return (
    <Page size="A4" style={s.page} id={id}>
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
  photo,
  colors,
}: {
  s: Styles;
  pose: Pose;
  index: number;
  count: number;
  photo?: PosePhoto;
  colors: FigurePalette;
}) {
  const hasPicture = Boolean(photo || figureFor(pose.id));
  return (
    <>
      <Text style={s.label}>
        POSE {index + 1} OF {count}
      </Text>
      <Text style={s.poseName}>{pose.name}</Text>
      <Text style={s.focus}>{pose.focus}</Text>
      {hasPicture ? (
        <View style={s.picture}>
          <PosePicture pose={pose} photo={photo} colors={colors} width={495} height={272} />
        </View>
      ) : null}
      <View style={s.columns}>
        <View style={s.main}>
          <Text style={[s.h2, { marginTop: 4 }]}>Why it helps</Text>
          <Text style={s.body}>{pose.why}</Text>
          <Text style={s.h2}>How to do it</Text>
          {pose.steps.map((step, i) => (
            <View style={s.row} key={step} wrap={false}>
              <Text style={s.num}>{i + 1}</Text>
              <Text style={s.stepText}>{step}</Text>
            </View>
          ))}
        </View>
        <View style={s.side}>
          <Box s={s} title="Gentler option">
            {pose.ease}
          </Box>
          <Box s={s} title="Breath">
            {pose.breath}
          </Box>
        </View>
      </View>
    </>
  );
}

/**
 * Renders the printable pose guide as an A4 PDF in the site's typefaces: a cover with the
 * intro and a contents list linking to each pose, one page per pose with its picture and
 * numbered steps, and a closing page with a practice week and room for notes. Each pose's
 * page is a named destination (its id) as well as page `index + 2`.
 */
export async function renderGuidePdf(
  guide: Guide,
  brand: GuideBrand,
  options: RenderOptions = {},
): Promise<Buffer> {
  registerFonts();
  const s = makeStyles(brand.accentColor);
  const colors = palette(brand.accentColor);
  const photos = options.photos ?? {};
  const site = brand.siteUrl.replace(/^https?:\/\//, "").replace(/\/$/, "");
  const sheet = { s, brand, site };
  const doc = (
    <Document
      title={guide.title}
      author={brand.teacher}
      subject={guide.subtitle}
      creator={brand.name}
      producer={brand.name}
    >
      <Sheet {...sheet}>
        <Text style={s.brand}>{brand.name.toUpperCase()}</Text>
        <Text style={s.title}>{guide.title}</Text>
        <Text style={s.subtitle}>{guide.subtitle}</Text>
        <Text style={s.byline}>With {brand.teacher}</Text>
        <Text style={s.body}>{guide.intro}</Text>
        <Text style={s.h2}>In this guide</Text>
        <View style={s.contents}>
          {guide.poses.map((pose, i) => (
            <Link key={pose.id} src={`#${pose.id}`} style={s.entry}>
              <View style={s.thumb}>
                <PosePicture
                  pose={pose}
                  photo={photos[pose.id]}
                  colors={colors}
                  width={78}
                  height={50}
                />
              </View>
              <View style={{ flex: 1 }}>
                <Text style={s.entryName}>
                  {i + 1}. {pose.name}
                </Text>
                <Text style={s.entryFocus}>{pose.focus}</Text>
              </View>
              <Text style={s.entryPage}>page {i + 2}</Text>
            </Link>
          ))}
        </View>
        <Box s={s} title="Before you begin">
          {guide.safety}
        </Box>
      </Sheet>
      {guide.poses.map((pose, i) => (
        <Sheet key={pose.id} id={pose.id} {...sheet}>
          <PoseContent
            s={s}
            pose={pose}
            index={i}
            count={guide.poses.length}
            photo={photos[pose.id]}
            colors={colors}
          />
        </Sheet>
      ))}
      <Sheet {...sheet}>
        <Text style={s.label}>KEEP GOING</Text>
        <Text style={s.poseName}>Small, steady, kind</Text>
        <Text style={[s.body, { marginTop: 12 }]}>{guide.closing}</Text>
        <Text style={s.body}>
          Practise along with the video masterclass any time at {site}/masterclass.
        </Text>
        <Text style={s.byline}>With warmth, {brand.teacher}</Text>
        <Text style={s.h2}>My practice week</Text>
        <View style={s.grid}>
          <View style={s.gridRow}>
            <Text style={s.gridName} />
            {DAYS.map((d) => (
              <Text key={d} style={s.gridCell}>
                {d}
              </Text>
            ))}
          </View>
          {guide.poses.map((pose) => (
            <View key={pose.id} style={s.gridRow}>
              <Text style={s.gridName}>{pose.name}</Text>
              {DAYS.map((d) => (
                <View key={d} style={s.gridCell}>
                  <View style={s.tick} />
                </View>
              ))}
            </View>
          ))}
        </View>
        <Text style={s.h2}>My practice notes</Text>
        {NOTE_LINES.map((n) => (
          <View key={n} style={s.noteLine} />
        ))}
      </Sheet>
    </Document>
  );
  return renderToBuffer(doc);
}
