import { CtaButton } from "./CtaButton";
import { Greeting, SignOff } from "./Layout";
import { MarkdownBody } from "./MarkdownBody";
import type { BrandProps } from "./types";

export interface LetterProps {
  brand: BrandProps;
  firstName: string;
  bodyMarkdown: string;
  button?: { label: string; href: string };
  /** A second, outlined button under the first (e.g. the guide beside the masterclass). */
  secondaryButton?: { label: string; href: string };
  /**
   * Put the buttons right after the first paragraph, so they sit in a phone's first screen
   * (the welcome email); otherwise they follow the text.
   */
  buttonsFirst?: boolean;
  /** Markdown closing the email before the sign-off, e.g. the next step after the last lesson. */
  nextStepMarkdown?: string;
}

/**
 * The body every email shares: greeting, the markdown text, optional buttons, an optional next
 * step, sign-off.
 */
export function Letter({
  brand,
  firstName,
  bodyMarkdown,
  button,
  secondaryButton,
  buttonsFirst,
  nextStepMarkdown,
}: LetterProps) {
  const accent = brand.accentColor;
  const buttons = (
    <>
      {button ? <CtaButton href={button.href} label={button.label} accent={accent} /> : null}
      {secondaryButton ? (
        <CtaButton
          href={secondaryButton.href}
          label={secondaryButton.label}
          accent={accent}
          variant="secondary"
        />
      ) : null}
    </>
  );
  const split = buttonsFirst ? bodyMarkdown.indexOf("\n\n") : -1;
  const lead = split > 0 ? bodyMarkdown.slice(0, split) : "";
  const rest = split > 0 ? bodyMarkdown.slice(split + 2) : bodyMarkdown;
  return (
    <>
      <Greeting firstName={firstName} />
      {lead ? <MarkdownBody markdown={lead} accent={accent} /> : null}
      {lead ? buttons : null}
      <MarkdownBody markdown={rest} accent={accent} />
      {lead ? null : buttons}
      {nextStepMarkdown ? <MarkdownBody markdown={nextStepMarkdown} accent={accent} /> : null}
      <SignOff teacher={brand.teacher} />
    </>
  );
}
