import { Footer } from "./_components/Footer";
import { Layout } from "./_components/Layout";
import { Letter } from "./_components/Letter";
import type { EmailBaseProps } from "./_components/types";

/** The double opt-in email. Transactional: no unsubscribe link, the button is required. */
export type ConfirmEmailProps = Omit<EmailBaseProps, "button" | "unsubscribeUrl" | "manageUrl"> & {
  button: { label: string; href: string };
};

export default function ConfirmEmail({
  brand,
  preheader,
  firstName,
  bodyMarkdown,
  button,
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
