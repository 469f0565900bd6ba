import { Footer } from "./_components/Footer";
import { Layout } from "./_components/Layout";
import { Letter } from "./_components/Letter";
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
      <Letter brand={brand} firstName={firstName} bodyMarkdown={bodyMarkdown} button={button} />
    </Layout>
  );
}

ConfirmEmail.PreviewProps = preview;
