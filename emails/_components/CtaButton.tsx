import { Button, Section } from "@react-email/components";
import { sizes, textOn } from "../theme";

interface CtaButtonProps {
  href: string;
  label: string;
  accent: string;
  /** "secondary": outlined in the accent, for a second, lesser action. */
  variant?: "primary" | "secondary";
}

/** A call to action in the brand accent: filled for the main one, outlined for a second. */
export function CtaButton({ href, label, accent, variant = "primary" }: CtaButtonProps) {
  const secondary = variant === "secondary";
  return (
    <Section style={{ margin: "8px 0 8px" }}>
      <Button
        href={href}
        style={{
          backgroundColor: secondary ? "#ffffff" : accent,
          color: secondary ? accent : textOn(accent),
          border: `2px solid ${accent}`,
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
