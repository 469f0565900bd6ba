import { Footer } from "./_components/Footer";
import { Layout } from "./_components/Layout";
import { Letter } from "./_components/Letter";
import type { MarketingEmailProps } from "./_components/types";

/** Sent right after confirmation: the masterclass link and the PDF guide. */
export type WelcomeEmailProps = MarketingEmailProps;

export default function WelcomeEmail({
  brand,
  preheader,
  firstName,
  bodyMarkdown,
  button,
  secondaryButton,
  unsubscribeUrl,
  manageUrl,
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
