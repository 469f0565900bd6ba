import { CtaButton } from "./CtaButton";
import { Greeting, SignOff } from "./Layout";
import { MarkdownBody } from "./MarkdownBody";
import type { BrandProps } from "./types";

export interface LetterProps {
  brand: BrandProps;
  firstName: string;
  bodyMarkdown: string;
  button?: { label: string; href: string };
}

/** The body every email shares: greeting, the markdown text, an optional button, sign-off. */
export function Letter({ brand, firstName, bodyMarkdown, button }: LetterProps) {
  return (
    <>
      <Greeting firstName={firstName} />
      <MarkdownBody markdown={bodyMarkdown} accent={brand.accentColor} />
      {button ? (
        <CtaButton href={button.href} label={button.label} accent={brand.accentColor} />
      ) : null}
      <SignOff teacher={brand.teacher} />
    </>
  );
}
