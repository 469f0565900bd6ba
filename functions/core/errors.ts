/** Content in `content/` is invalid; the message names the file and the field. */
export class ContentError extends Error {
  override name = "ContentError";
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

/** A token that is malformed, tampered with, expired or for another purpose. */
export class TokenError extends Error {
  override name = "TokenError";
}

/**
 * A well-formed token naming a key this instance does not know: forged, or signed with a key
 * rotated in after this instance read its keys (see `followKeys`).
 */
export class UnknownKeyError extends TokenError {
  override name = "UnknownKeyError";
}

/** A required configuration value is missing or invalid; the message names it. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
