/** @jsxImportSource hono/jsx */
/** @jsxRuntime automatic */
import type { Funnel } from "../../core/content";

export interface SignupValues {
  email?: string;
  firstName?: string;
}

export interface SignupFormProps {
  funnel: Funnel;
  /** Opaque form stamp the server checks on submit (e.g. signed render time). */
  formStamp: string;
  /** A message for the visitor when a plain (no-JS) form post was refused. */
  error?: string;
  /** What the visitor typed, to refill the form after an error. */
  values?: SignupValues;
}

const STATUS_ID = "signup-status";

/** The signup form. Works as a plain POST; the site script upgrades it to fetch. */
export const SignupForm = ({ funnel, formStamp, error, values }: SignupFormProps) => {
  const { landing, thanks } = funnel;
  const invalid = error ? "true" : undefined;
  const describedBy = error ? STATUS_ID : undefined;
  return (
    // Posts to the landing page's own address, so a refused post without script stays there;
    // the script sends the same fields to the JSON API and never leaves the page.
    <form
      method="post"
      action="/"
      novalidate
      class="signup"
      data-signup
      data-api="/api/subscribe"
      data-success={thanks.headline}
      aria-labelledby="signup-title"
    >
      <h2 id="signup-title">Get the free masterclass</h2>
      <p
        id={STATUS_ID}
        class={error ? "status is-error" : "status"}
        data-status
        aria-live="polite"
        tabindex={-1}
      >
        {error ?? ""}
      </p>
      <div data-fields>
        <div class="field">
          <label for="signup-first-name">
            First name <span class="optional">(optional)</span>
          </label>
          <input
            id="signup-first-name"
            type="text"
            name="firstName"
            autocomplete="given-name"
            maxlength={80}
            value={values?.firstName ?? ""}
          />
        </div>
        <div class="field">
          <label for="signup-email">Email address</label>
          <input
            id="signup-email"
            type="email"
            name="email"
            required
            autocomplete="email"
            inputmode="email"
            spellcheck={false}
            autocapitalize="off"
            maxlength={254}
            value={values?.email ?? ""}
            aria-invalid={invalid}
            aria-describedby={describedBy ? `${describedBy} signup-suggest` : "signup-suggest"}
          />
          {/* Filled by the script when the domain looks like a typo ("did you mean …?"). */}
          <p id="signup-suggest" class="suggest" data-suggest aria-live="polite"></p>
        </div>
        <input type="hidden" name="tz" value="" />
        <input type="hidden" name="stamp" value={formStamp} />
        {/* Honeypot: people never see or reach it; form-filling bots tend to fill it. */}
        <div class="hp" aria-hidden="true">
          <label for="signup-website">Website</label>
          <input id="signup-website" type="text" name="website" tabindex={-1} autocomplete="off" />
        </div>
        <button type="submit" class="button button--block">
          {landing.cta}
        </button>
        <p class="consent">
          {landing.consent} <a href="/privacy">How I look after your details</a>.
        </p>
      </div>
    </form>
  );
};
