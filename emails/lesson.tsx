import { Heading, Text } from "@react-email/components";
import { Footer } from "./_components/Footer";
import { Layout } from "./_components/Layout";
import { Letter } from "./_components/Letter";
import { sampleBrand, sampleLinks } from "./_components/sample";
import type { MarketingEmailProps } from "./_components/types";
import { colors, fonts } from "./theme";

/** One lesson of the drip sequence. */
export type LessonEmailProps = MarketingEmailProps & {
  /** 1-based position in the sequence. */
  lessonNumber: number;
  lessonCount: number;
  title?: string;
  /** Markdown after the text of the last lesson: the next step (e.g. her classes). */
  nextStepMarkdown?: string;
};

const preview: LessonEmailProps = {
  brand: sampleBrand,
  preheader: "Two minutes at a chair, and your lower back will thank you.",
  firstName: "Ana",
  lessonNumber: 2,
  lessonCount: 6,
  title: "The standing hip-flexor stretch",
  bodyMarkdown: [
    "Hours of sitting keep the front of the hips short. The deepest of those muscles, the psoas, runs from your lower spine to the top of your thigh, so when it stays tight it quietly pulls on your lower back.",
    "## Try it today",
    [
      "1. Stand beside a chair and rest one hand on its back.",
      "2. Step your right foot back and soften both knees.",
      "3. Tuck your tailbone a little, as if zipping up a pair of trousers.",
      "4. Feel the stretch at the front of your right hip. Breathe slowly for five breaths.",
      "5. Change sides.",
    ].join("\n"),
    "Small and gentle beats big and occasional: once a day is plenty.",
    `The pose is on page 2 of your [pose guide](${sampleLinks.guide}).`,
  ].join("\n\n"),
  button: { label: "Rewatch the masterclass", href: sampleLinks.masterclass },
  unsubscribeUrl: sampleLinks.unsubscribe,
  manageUrl: sampleLinks.manage,
};

export default function LessonEmail({
  brand = preview.brand,
  preheader = preview.preheader,
  firstName = preview.firstName,
  bodyMarkdown = preview.bodyMarkdown,
  button,
  unsubscribeUrl = preview.unsubscribeUrl,
  manageUrl = preview.manageUrl,
  lessonNumber = preview.lessonNumber,
  lessonCount = preview.lessonCount,
  title = preview.title,
  nextStepMarkdown,
}: LessonEmailProps) {
  return (
    <Layout
      brand={brand}
      preheader={preheader}
      footer={
        <Footer
          brand={brand}
          kind="marketing"
          unsubscribeUrl={unsubscribeUrl}
          manageUrl={manageUrl}
        />
      }
    >
      <Text style={label}>{`Lesson ${lessonNumber} of ${lessonCount}`}</Text>
      {title ? <Heading style={heading}>{title}</Heading> : null}
      <Letter
        brand={brand}
        firstName={firstName}
        bodyMarkdown={bodyMarkdown}
        button={button}
        nextStepMarkdown={nextStepMarkdown}
      />
    </Layout>
  );
}

LessonEmail.PreviewProps = preview;

const label = {
  fontSize: 13,
  lineHeight: 1.4,
  letterSpacing: "0.08em",
  textTransform: "uppercase" as const,
  color: colors.muted,
  margin: "0 0 6px",
};

const heading = {
  fontFamily: fonts.heading,
  fontSize: 28,
  fontWeight: "normal",
  lineHeight: 1.25,
  color: colors.text,
  margin: "0 0 24px",
};
