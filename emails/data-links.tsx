import { DATA_LINKS_LIFETIME } from "../functions/core/links";
import { Footer } from "./_components/Footer";
import { Layout } from "./_components/Layout";
import { Letter } from "./_components/Letter";
import type { BrandProps } from "./_components/types";

/**
 * The fresh links a subscriber asks for on their "Your data" page: one to download a copy of
 * their data, one to erase it, each working for an hour. Transactional, and written by us
 * alone: nothing a visitor typed appears in it, not even a first name.
 */
export interface DataLinksEmailProps {
  brand: BrandProps;
  exportUrl: string;
  eraseUrl: string;
}

export const DATA_LINKS_SUBJECT = "Your links to download or erase your data";
const PREHEADER = `You asked for these on your data page. They work for ${DATA_LINKS_LIFETIME}.`;

export default function DataLinksEmail({ brand, exportUrl, eraseUrl }: DataLinksEmailProps) {
  const body = [
    `Someone, most likely you, pressed "Email me a link" on the "Your data" page of ${brand.name} for this address. Here are your links:`,
    "- **Download my data**: a copy of everything we store about you, as a file.",
    "- **Erase my data**: deletes your subscription and everything we store about you. The page asks you to confirm first, and it cannot be undone.",
    `Both links work for ${DATA_LINKS_LIFETIME} from when this email was sent. Erasing also ends every earlier link from us.`,
  ].join("\n\n");
  const after = `Didn't ask for this? Then ignore this email: nothing changes unless one of these links is used, and only someone who can read this mailbox has them. They stop working in ${DATA_LINKS_LIFETIME}.`;
  return (
    <Layout brand={brand} preheader={PREHEADER} footer={<Footer brand={brand} kind="requested" />}>
      <Letter
        brand={brand}
        firstName="there"
        bodyMarkdown={body}
        button={{ label: "Download my data", href: exportUrl }}
        secondaryButton={{ label: "Erase my data", href: eraseUrl }}
        nextStepMarkdown={after}
      />
    </Layout>
  );
}
