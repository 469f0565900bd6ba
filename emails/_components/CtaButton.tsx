import { Button, Section } from "@react-email/components";
import { sizes, textOn } from "../theme";

interface CtaButtonProps {
  href: string;
  label: string;
  accent: string;
}

/** The one call to action of an email, in the brand accent. */
export function CtaButton({ href, label, accent }: CtaButtonProps) {
  return (
    <Section style={{ margin: "8px 0 8px" }}>
      <Button
        href={href}
        style={{
          backgroundColor: accent,
          color: textOn(accent),
          borderRadius: sizes.radius,
          fontSize: sizes.body,
          fontWeight: 600,
          lineHeight: 1.2,
          padding: "14px 28px",
          textDecoration: "none",
        }}
      >
        {label}
      </Button>
    </Section>
  );
}
