import { Body, Container, Head, Html, Preview, Section, Text } from "@react-email/components";
import type { ReactNode } from "react";
import { colors, fonts, sizes, text } from "../theme";
import type { BrandProps } from "./types";

interface LayoutProps {
  brand: BrandProps;
  /** Inbox preview line shown after the subject; not part of the visible body. */
  preheader: string;
  footer: ReactNode;
  children: ReactNode;
}

/** The frame every email shares: brand header, white card on a warm canvas, footer below. */
export function Layout({ brand, preheader, footer, children }: LayoutProps) {
  return (
    <Html lang="en">
      <Head>
        <meta name="color-scheme" content="light" />
        <meta name="supported-color-schemes" content="light" />
      </Head>
      <Preview>{preheader}</Preview>
      <Body style={body}>
        <Container style={container}>
          <Section style={header}>
            <Text style={{ ...brandName, color: brand.accentColor }}>{brand.name}</Text>
          </Section>
          <Section style={{ ...card, borderTop: `4px solid ${brand.accentColor}` }}>
            {children}
          </Section>
          {footer}
        </Container>
      </Body>
    </Html>
  );
}

/** "Hi Ana," — the name is usually a `{{firstName}}` placeholder at render time. */
export function Greeting({ firstName }: { firstName: string }) {
  return <Text style={text.paragraph}>{`Hi ${firstName},`}</Text>;
}

/** "Warmly, <teacher>" under the body. */
export function SignOff({ teacher }: { teacher: string }) {
  return (
    <Text style={{ ...text.paragraph, margin: "24px 0 0" }}>
      Warmly,
      <br />
      {teacher}
    </Text>
  );
}

const body = {
  backgroundColor: colors.canvas,
  fontFamily: fonts.body,
  color: colors.text,
  margin: 0,
  padding: "24px 12px",
};

const container = { maxWidth: sizes.maxWidth, width: "100%", margin: "0 auto" };

const header = { padding: "8px 4px 16px" };

const brandName = {
  fontFamily: fonts.heading,
  fontSize: 22,
  lineHeight: 1.3,
  letterSpacing: "0.02em",
  margin: 0,
};

const card = {
  backgroundColor: colors.card,
  borderRadius: sizes.radius,
  padding: "32px 28px 28px",
};
