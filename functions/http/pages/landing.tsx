/** @jsxImportSource hono/jsx */
/** @jsxRuntime automatic */
import { SPELL_CHECK_PATH } from "../static-paths";
import { GuideIcon, Layout } from "./layout";
import { prose } from "./markdown";
import { SignupForm, type SignupFormProps } from "./signup-form";

export type LandingPageProps = SignupFormProps;

/** The public landing page: the promise, the signup form, the teacher and the guide. */
export const LandingPage = (props: LandingPageProps) => {
  const { funnel, error } = props;
  const { landing, brand, guide, masterclass, about, testimonials } = funnel;
  return (
    <Layout
      funnel={funnel}
      title={error ? `Please check the form · ${landing.title}` : landing.title}
      description={landing.subheadline}
      indexable
      path="/"
      scripts={[SPELL_CHECK_PATH]}
    >
      <section class="hero" aria-labelledby="hero-title">
        <div class="wrap hero-grid">
          <div class="hero-text">
            <p class="eyebrow">Free video masterclass</p>
            <h1 id="hero-title">{landing.headline}</h1>
            <p class="lead">{landing.subheadline}</p>
            <ul class="includes" aria-label="What you get">
              <li>
                <Icon path="M8 5.5v13l10-6.5z" />
                Video masterclass
              </li>
              <li>
                <Icon path="M7 3h7l5 5v13H7zM14 3v5h5M10 13h6M10 17h6" />
                Printable PDF guide
              </li>
              <li>
                <Icon path="M4 6h16v12H4zM4 7l8 6 8-6" />
                Gentle lessons by email
              </li>
            </ul>
          </div>
          <div class="card hero-form" id="signup">
            <SignupForm {...props} />
          </div>
          {landing.image ? (
            <div class="hero-figure">
              <img
                src={landing.image.src}
                alt={landing.image.alt}
                width={640}
                height={560}
                decoding="async"
              />
            </div>
          ) : null}
        </div>
      </section>

      <section class="section" aria-labelledby="learn-title">
        <div class="wrap split">
          <div class="prose">{prose(funnel.html.landing)}</div>
          <div>
            <h2 id="learn-title">What you will learn</h2>
            <ul class="benefits">
              {landing.benefits.map((b) => (
                <li key={b}>{b}</li>
              ))}
            </ul>
          </div>
        </div>
      </section>

      <section class="section" aria-labelledby="about-title">
        <div class="wrap">
          <h2 id="about-title" class="visually-hidden">
            Your teacher and your guide
          </h2>
          <div class="pair">
            <article class="card teacher" aria-labelledby="teacher-title">
              {about?.photo ? (
                <img class="teacher-photo" src={about.photo.src} alt={about.photo.alt} />
              ) : (
                <div class="teacher-mark" aria-hidden="true">
                  {initials(brand.teacher)}
                </div>
              )}
              <p class="eyebrow">Your teacher</p>
              <h3 id="teacher-title">{brand.teacher}</h3>
              {funnel.html.about ? <div class="prose muted">{prose(funnel.html.about)}</div> : null}
            </article>
            <article class="card" aria-labelledby="guide-title">
              <div class="guide-preview">
                <GuideIcon />
                <div>
                  <p class="eyebrow">Printable PDF guide</p>
                  <h3 id="guide-title">{guide.title}</h3>
                  <p class="muted">
                    Comes with the masterclass: every pose on one page, with gentler options, to
                    keep by your mat.
                  </p>
                </div>
              </div>
            </article>
          </div>
          {testimonials.length > 0 ? (
            <section class="testimonials" aria-labelledby="words-title">
              <h2 id="words-title">From students</h2>
              <div class="quotes">
                {testimonials.map((t) => (
                  <figure class="quote" key={t.quote}>
                    <blockquote>
                      <p>{t.quote}</p>
                    </blockquote>
                    <figcaption>
                      <strong>{t.name}</strong>
                      {t.detail ? <span class="muted"> · {t.detail}</span> : null}
                    </figcaption>
                  </figure>
                ))}
              </div>
            </section>
          ) : null}
          <div class="cta-band">
            <h2>{masterclass.title}</h2>
            <p>Free, with the printable guide. Unsubscribe at any time with one click.</p>
            <a class="button" href="#signup">
              {landing.cta}
            </a>
          </div>
        </div>
      </section>
    </Layout>
  );
};

/** A small line icon; decorative, the text beside it says what it means. */
const Icon = ({ path }: { path: string }) => (
  <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <path
      d={path}
      fill="none"
      stroke="currentColor"
      stroke-width="1.6"
      stroke-linejoin="round"
      stroke-linecap="round"
    />
  </svg>
);

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w[0])
    .slice(0, 2)
    .join("")
    .toUpperCase();
}
