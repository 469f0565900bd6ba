/**
 * Public paths of static files the pages link to but the web function never serves (the
 * bucket does on AWS, `npm start` locally): see static-files.ts.
 */

/** The address spell-check script ("did you mean …?"), loaded by pages with the signup form. */
export const SPELL_CHECK_PATH = "/static/email-spell-check.js";
