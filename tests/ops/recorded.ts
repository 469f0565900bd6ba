/** An HTTP answer as the service sends it: status, content type and body text. */
export interface Recorded {
  status: number;
  body: string;
  /** Defaults to the protocol's: JSON for SES v2 and ACM, XML for the query APIs. */
  contentType?: string;
  headers?: Record<string, string>;
}

/** The part of a smithy middleware stack used here (every SDK v3 client has one). */
interface Stack {
  add(
    mw: (next: unknown, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
    options: { step: "deserialize"; priority: "low"; name: string },
  ): void;
}

/**
 * Answers a real SDK client's commands with recorded HTTP responses, keyed by command name
 * (`GetAccountCommand`), from inside its middleware stack: the request is signed and
 * serialised as usual, and the SDK's own deserialiser turns the recorded body into the
 * command's output or error. A command with no answer fails the test loudly.
 * @returns the names of the commands answered, in order.
 */
export function answerWith(
  client: { middlewareStack: object },
  answers: Record<string, Recorded | ((input: unknown) => Recorded)>,
): string[] {
  const calls: string[] = [];
  // The deserialize step's last middleware: after signing and serialising, before the wire.
  (client.middlewareStack as Stack).add(
    (_next, context) => async (args) => {
      const name = context.commandName ?? "?";
      calls.push(name);
      const entry = answers[name];
      if (!entry) throw new Error(`no recorded answer for ${name}`);
      const a = typeof entry === "function" ? entry((args as { input: unknown }).input) : entry;
      const xml = a.body.trimStart().startsWith("<");
      return {
        output: undefined,
        // The shape of smithy's HttpResponse (checked structurally by the deserialisers).
        response: {
          statusCode: a.status,
          headers: {
            "content-type": a.contentType ?? (xml ? "text/xml" : "application/json"),
            "x-amzn-requestid": "b25f48e8-84fd-11e6-80d9-574e0c4664cb",
            ...a.headers,
          },
          body: Buffer.from(a.body),
        },
      };
    },
    { step: "deserialize", priority: "low", name: "recordedAnswers" },
  );
  return calls;
}

/** Credentials for a client whose requests never leave the process. */
export const TEST_CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
