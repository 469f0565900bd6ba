import { Footer } from "./_components/Footer";
import { Layout } from "./_components/Layout";
import { Letter } from "./_components/Letter";
import { sampleBrand, sampleLinks } from "./_components/sample";
import type { MarketingEmailProps } from "./_components/types";

/** Sent right after confirmation: the masterclass link and the PDF guide. */
export type WelcomeEmailProps = MarketingEmailProps;

const preview: WelcomeEmailProps = {
  brand: sampleBrand,
  preheader: "Your masterclass video and printable pose guide are ready.",
  firstName: "Ana",
  bodyMarkdown: [
    "Welcome, and thank you for confirming. Your **Hips Masterclass** is ready whenever you are: about 25 minutes, a mat or a rug, and a sturdy chair.",
    "In the class we'll look at why tight hips so often show up as an aching lower back, and practise three simple things:",
    [
      "- noticing how your pelvis tilts when you stand and sit",
      "- a gentle standing hip-flexor stretch, using a chair for balance",
      "- a bridge that lets your glutes do the lifting, not your lower back",
    ].join("\n"),
    `Keep the [printable pose guide (PDF)](${sampleLinks.guide}) by your mat: five poses, one page each.`,
    "Over the next few weeks I'll send you a short lesson every few days. Each one takes less than ten minutes.",
  ].join("\n\n"),
  button: { label: "Watch the masterclass", href: sampleLinks.masterclass },
  secondaryButton: { label: "Download the printable guide (PDF)", href: sampleLinks.guide },
  unsubscribeUrl: sampleLinks.unsubscribe,
  manageUrl: sampleLinks.manage,
};

export default function WelcomeEmail({
  brand = preview.brand,
  preheader = preview.preheader,
  firstName = preview.firstName,
  bodyMarkdown = preview.bodyMarkdown,
  button = preview.button,
  secondaryButton = preview.secondaryButton,
  unsubscribeUrl = preview.unsubscribeUrl,
  manageUrl = preview.manageUrl,
}: WelcomeEmailProps) {
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
      <Letter
        brand={brand}
        firstName={firstName}
        bodyMarkdown={bodyMarkdown}
        button={button}
        secondaryButton={secondaryButton}
        buttonsFirst
      />
    </Layout>
  );
}

WelcomeEmail.PreviewProps = preview;
