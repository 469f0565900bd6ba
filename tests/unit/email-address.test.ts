import { describe, expect, it } from "vitest";
import {
  canonicalMailbox,
  EmailSchema,
  emailKey,
  FirstNameSchema,
  normaliseEmail,
} from "../../functions/core/email-address";

const LOCAL_64 = "l".repeat(64);
/** 63 + 1 + 63 + 1 + 57 + 4 = 189 characters, so `LOCAL_64@DOMAIN_189` is 254. */
const DOMAIN_189 = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(57)}.com`;
const ADDRESS_254 = `${LOCAL_64}@${DOMAIN_189}`;
const ADDRESS_255 = `${LOCAL_64}@${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(58)}.com`;

describe("EmailSchema accepts", () => {
  it.each([
    ["ana@example.com", "ana@example.com"],
    ["ana+hips@example.com", "ana+hips@example.com"],
    ["ana.maria@example.com", "ana.maria@example.com"],
    ["ana@mail.example.co.uk", "ana@mail.example.co.uk"],
    ["o'neil@example.ie", "o'neil@example.ie"],
    ["ana_b-c@my-domain.example", "ana_b-c@my-domain.example"],
    ["Ana@EXAMPLE.COM", "Ana@example.com"],
    ["ANA.Maria@Mail.Example.Org", "ANA.Maria@mail.example.org"],
    ["  ana@example.com  ", "ana@example.com"],
    ["\tana@example.com\n", "ana@example.com"],
    ["a@b.io", "a@b.io"],
    [`${LOCAL_64}@example.com`, `${LOCAL_64}@example.com`],
    [ADDRESS_254, ADDRESS_254],
  ])("%j -> %j", (input, expected) => {
    expect(EmailSchema.parse(input)).toBe(expected);
  });

  it("the 254-character fixture is 254 characters", () => {
    expect([ADDRESS_254.length, ADDRESS_255.length]).toEqual([254, 255]);
  });
});

describe("EmailSchema refuses", () => {
  it.each([
    ["empty", ""],
    ["only spaces", "   "],
    ["no @", "ana.example.com"],
    ["nothing before @", "@example.com"],
    ["nothing after @", "ana@"],
    ["two @", "ana@maria@example.com"],
    ["double @@", "ana@@example.com"],
    ["space in the local part", "ana maria@example.com"],
    ["space in the domain", "ana@exam ple.com"],
    ["CR LF header injection", "ana@example.com\r\nBcc: all@example.org"],
    ["LF inside", "ana\n@example.com"],
    ["CR inside", "ana@exam\rple.com"],
    ["NUL inside", "ana\u0000@example.com"],
    ["trailing NUL", "ana@example.com\u0000"],
    ["BEL", "ana\u0007@example.com"],
    ["DEL", "ana\u007f@example.com"],
    ["C1 control (NEL)", "ana\u0085@example.com"],
    ["line separator", "ana\u2028@example.com"],
    ["255 characters", ADDRESS_255],
    ["321 characters", `${"a".repeat(310)}@example.com`],
    ["local part of 65", `${"l".repeat(65)}@example.com`],
    ["quoted local part", '"ana"@example.com'],
    ["quoted local part with a space", '"ana maria"@example.com'],
    ["IP literal domain", "ana@[192.168.0.1]"],
    ["IPv6 literal domain", "ana@[IPv6:2001:db8::1]"],
    ["bare IP domain", "ana@192.168.0.1"],
    ["domain without a TLD", "ana@localhost"],
    ["one-letter TLD", "ana@example.c"],
    ["numeric TLD", "ana@example.123"],
    ["leading dot in local part", ".ana@example.com"],
    ["trailing dot in local part", "ana.@example.com"],
    ["consecutive dots in local part", "ana..maria@example.com"],
    ["consecutive dots in domain", "ana@example..com"],
    ["leading dot in domain", "ana@.example.com"],
    ["trailing dot in domain", "ana@example.com."],
    ["domain label starting with a hyphen", "ana@-example.com"],
    ["domain label ending with a hyphen", "ana@example-.com"],
    ["domain label of 64", `ana@${"d".repeat(64)}.com`],
    ["angle brackets", "<ana@example.com>"],
    ["display name", "Ana <ana@example.com>"],
    ["comma list", "ana@example.com,ben@example.com"],
    ["non-ASCII local part", "zoë@example.com"],
  ])("%s: %j", (_label, input) => {
    expect(EmailSchema.safeParse(input).success).toBe(false);
  });

  it.each([undefined, null, 42, {}, ["ana@example.com"]])("a non-string (%s)", (input) => {
    expect(EmailSchema.safeParse(input).success).toBe(false);
  });

  it.each([
    ["", "email is required"],
    ["x".repeat(321), "email is too long"],
    [ADDRESS_255, "email is longer than 254 characters"],
    ["ana\u0000@example.com", "email contains control characters"],
    ["ana@localhost", "email is not a valid address"],
  ])("%j -> says %s", (input, message) => {
    const result = EmailSchema.safeParse(input);
    expect(result.error?.issues.map((i) => i.message)).toContain(message);
  });
});

describe("FirstNameSchema", () => {
  it.each([
    ["Ana", "Ana"],
    ["", ""],
    ["   ", ""],
    ["  Ana  ", "Ana"],
    ["Ana   Maria", "Ana Maria"],
    ["Ana\u00a0\u00a0Maria", "Ana Maria"],
    ["Ana-Maria O'Neil", "Ana-Maria O'Neil"],
    ["Zoë", "Zoë"],
    ["مريم", "مريم"],
    ["שרה לוי", "שרה לוי"],
    ["Zoë 🌸", "Zoë 🌸"],
    ["👩🏽‍🦱", "👩🏽‍🦱"],
    ["李小龍", "李小龍"],
    ["x".repeat(80), "x".repeat(80)],
    [`${" ".repeat(100)}Ana${" ".repeat(90)}`, "Ana"],
    [`${"x".repeat(40)}     ${"y".repeat(39)}`, `${"x".repeat(40)} ${"y".repeat(39)}`],
  ])("%j -> %j", (input, expected) => {
    expect(FirstNameSchema.parse(input)).toBe(expected);
  });

  it.each([
    ["81 characters", "x".repeat(81)],
    ["201 characters before trimming", ` ${"x".repeat(200)}`],
    ["NUL", "Ana\u0000"],
    ["BEL", "An\u0007a"],
    ["ESC", "Ana\u001b[31m"],
    ["DEL", "Ana\u007f"],
    ["C1 control (NEL)", "Ana\u0085Maria"],
    ["C1 control (CSI)", "Ana\u009b"],
  ])("refuses %s", (_label, input) => {
    expect(FirstNameSchema.safeParse(input).success).toBe(false);
  });

  it.each([
    ["CR LF", "Ana\r\nBcc: all@example.org"],
    ["tab", "Ana\tMaria"],
    ["LF", "Ana\nMaria"],
    ["vertical tab and form feed", "Ana\u000b\u000cMaria"],
    ["line and paragraph separators", "Ana\u2028\u2029Maria"],
  ])("%s: refused, not silently flattened", (_label, input) => {
    const result = FirstNameSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("firstName contains control characters");
  });
});

describe("emailKey and normaliseEmail", () => {
  it.each([
    ["ana@example.com", "ana@example.com", "ana@example.com"],
    ["Ana.Maria@Example.COM", "Ana.Maria@example.com", "ana.maria@example.com"],
    ["  ANA@X.IO ", "ANA@x.io", "ana@x.io"],
    ["Ana+Hips@Example.com", "Ana+Hips@example.com", "ana+hips@example.com"],
    ["no-at-sign", "no-at-sign", "no-at-sign"],
  ])("%s -> normalised %s, key %s", (input, normalised, key) => {
    expect(normaliseEmail(input)).toBe(normalised);
    expect(emailKey(input)).toBe(key);
  });

  it("case variants of one address share a key", () => {
    const keys = ["ana@example.com", "ANA@EXAMPLE.COM", "Ana@Example.Com", " ana@example.COM"].map(
      emailKey,
    );
    expect(new Set(keys)).toEqual(new Set(["ana@example.com"]));
  });

  it.each(["ana@example.com", "Ana@Example.com"])(
    "EmailSchema output %s keeps the key of its input",
    (input) => {
      expect(emailKey(EmailSchema.parse(input))).toBe(emailKey(input));
    },
  );
});

describe("international addresses", () => {
  it.each([
    ["ana@exämple.com", "ana@xn--exmple-cua.com"],
    ["ana@bücher.de", "ana@xn--bcher-kva.de"],
    ["user@example.xn--p1ai", "user@example.xn--p1ai"],
    ["user@пример.рф", "user@xn--e1afmkfd.xn--p1ai"],
    ["Ana@XN--BCHER-KVA.DE", "Ana@xn--bcher-kva.de"],
  ])("IDN domain %s is accepted as %s", (input, expected) => {
    expect(EmailSchema.parse(input)).toBe(expected);
  });

  it.each(["zoë@example.com", "用户@example.com", "ана@пример.рф"])(
    "a Unicode local part (%s) is refused with a message that says why",
    (input) => {
      const result = EmailSchema.safeParse(input);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/before the @.*letters a to z/);
    },
  );
});

describe("canonicalMailbox (for limits only)", () => {
  it.each([
    ["Ana+hips@Example.com", "ana@example.com"],
    ["a.n.a@example.com", "a.n.a@example.com"],
    ["A.n.a+x@GoogleMail.com", "ana@gmail.com"],
    ["ana.b@gmail.com", "anab@gmail.com"],
    ["ana@bücher.de", "ana@xn--bcher-kva.de"],
  ])("%s -> %s", (input, expected) => {
    expect(canonicalMailbox(input)).toBe(expected);
  });
});

describe("FirstNameSchema: text-direction controls", () => {
  it.each(["Ana\u202eevil", "\u2066Ana\u2069", "Ana\u200f", "\u061cAna"])("refuses %j", (raw) => {
    const name = JSON.parse(`"${raw}"`) as string;
    const result = FirstNameSchema.safeParse(name);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/text-direction|control/);
  });
  it("accepts names in other scripts", () => {
    expect(FirstNameSchema.parse("Zoë")).toBe("Zoë");
    expect(FirstNameSchema.parse("مريم")).toBe("مريم");
    expect(FirstNameSchema.parse("美咲")).toBe("美咲");
  });
});
