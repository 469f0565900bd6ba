import { CtaButton } from "./_components/CtaButton";
import { Footer } from "./_components/Footer";
import { Greeting, Layout, SignOff } from "./_components/Layout";
import { MarkdownBody } from "./_components/MarkdownBody";
import { sampleBrand, sampleLinks } from "./_components/sample";
import type { EmailBaseProps } from "./_components/types";

/** The double opt-in email. Transactional: no unsubscribe link, the button is required. */
export type ConfirmEmailProps = Omit<EmailBaseProps, "button" | "unsubscribeUrl" | "manageUrl"> & {
  button: { label: string; href: string };
};

const preview: ConfirmEmailProps = {
  brand: sampleBrand,
  preheader: "One click and your free Hips Masterclass is on its way.",
  firstName: "Ana",
  bodyMarkdown: [
    "Thank you for signing up for the free **Hips Masterclass**.",
    "Please confirm that this is your email address, and I'll send you the video and the printable pose guide straight away.",
  ].join("\n\n"),
  button: { label: "Yes, send me the masterclass", href: sampleLinks.confirm },
};

export default function ConfirmEmail({
  brand = preview.brand,
  preheader = preview.preheader,
  firstName = preview.firstName,
  bodyMarkdown = preview.bodyMarkdown,
  button = preview.button,
}: ConfirmEmailProps) {
  return (
    <Layout
      brand={brand}
      preheader={preheader}
      footer={<Footer brand={brand} kind="transactional" />}
    >
      <Greeting firstName={firstName} />
      <MarkdownBody markdown={bodyMarkdown} accent={brand.accentColor} />
      <CtaButton href={button.href} label={button.label} accent={brand.accentColor} />
      <SignOff teacher={brand.teacher} />
    </Layout>
  );
}

ConfirmEmail.PreviewProps = preview;
