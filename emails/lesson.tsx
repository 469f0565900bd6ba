import { Heading, Text } from "@react-email/components";
import { Footer } from "./_components/Footer";
import { Layout } from "./_components/Layout";
import { Letter } from "./_components/Letter";
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

export default function LessonEmail({
  brand,
  preheader,
  firstName,
  bodyMarkdown,
  button,
  unsubscribeUrl,
  manageUrl,
  lessonNumber,
  lessonCount,
  title,
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
