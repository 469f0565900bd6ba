import { describe, expect, it } from "vitest";
import { abuseStack } from "./abuse";

const env = abuseStack();
const { signupJson, subscriber } = env;

describe("international addresses", () => {
  it("a Unicode local part is refused with a message that says why", async () => {
    const res = await signupJson({ email: "zoë@example.com" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/before the @/);
  });

  it("an IDN domain is accepted and stored in punycode", async () => {
    expect((await signupJson({ email: "ana@bücher.example" })).status).toBe(202);
    expect((await subscriber("ana@xn--bcher-kva.example"))?.email).toBe(
      "ana@xn--bcher-kva.example",
    );
    expect((await signupJson({ email: "user@example.xn--p1ai" })).status).toBe(202);
    expect((await subscriber("user@example.xn--p1ai"))?.status).toBe("pending");
  });
});
