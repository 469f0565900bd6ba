/** @jsxImportSource hono/jsx */
/** @jsxRuntime automatic */
import type { Funnel } from "../../core/content";
import { GuideIcon, Layout, pageTitle } from "./layout";
import { prose } from "./markdown";

export interface MasterclassPageProps {
  funnel: Funnel;
  /** Seconds to start the video at (a chapter link followed without script). */
  start?: number;
  /** Just confirmed: the press on the confirm page lands here and says so. */
  confirmed?: boolean;
}

/** "m:ss" or "h:mm:ss" */
export function clockTime(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** A chapter time as people say it, for screen readers: "1 minute 5 seconds". */
function spokenTime(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  const parts = [
    m ? `${m} minute${m === 1 ? "" : "s"}` : "",
    s || !m ? `${s} second${s === 1 ? "" : "s"}` : "",
  ];
  return parts.filter(Boolean).join(" ");
}

/** Where the beacon goes when the video first starts playing (a real view, not a bot). */
export const PLAY_BEACON_PATH = "/api/events/play";

/** The masterclass: the video, the teacher's notes and the printable guide. */
export const MasterclassPage = ({ funnel, start, confirmed }: MasterclassPageProps) => {
  const { masterclass, guide, brand } = funnel;
  const { video, chapters } = masterclass;
  // A media fragment starts the video at a chapter even without script.
  const src = start ? `${video.src}#t=${start}` : video.src;
  return (
    <Layout funnel={funnel} title={pageTitle(funnel, masterclass.title)}>
      <div class="page">
        <div class="wrap">
          {confirmed ? (
            <p class="status is-ok" role="status">
              Your email is confirmed: you're in. Press play whenever you're ready; your printable
              guide, <em>{guide.title}</em>, is below and on its way to your inbox.
            </p>
          ) : null}
          <p class="eyebrow">With {brand.teacher}</p>
          <h1>{masterclass.title}</h1>
          <div class="player" id="player">
            {/* biome-ignore lint/a11y/useMediaCaption: the track below is rendered whenever content/ provides captions */}
            <video
              id="masterclass-video"
              controls
              preload="metadata"
              playsinline
              src={src}
              poster={video.poster}
              data-play-beacon={PLAY_BEACON_PATH}
            >
              {video.captions ? (
                <track
                  kind="captions"
                  src={video.captions}
                  srclang={video.captionsLanguage}
                  label={video.captionsLabel}
                  default
                />
              ) : null}
              <p>
                Your browser cannot play this video. <a href={video.src}>Download the video</a>{" "}
                instead.
              </p>
            </video>
          </div>
          {chapters.length > 0 ? (
            <nav class="chapters" aria-labelledby="chapters-title">
              <h2 id="chapters-title">Chapters</h2>
              <ol>
                {chapters.map((ch) => (
                  <li key={ch.start}>
                    <a
                      href={`/masterclass?t=${ch.start}#player`}
                      data-seek={ch.start}
                      aria-controls="masterclass-video"
                    >
                      <time datetime={`PT${ch.start}S`}>
                        <span aria-hidden="true">{clockTime(ch.start)}</span>
                        <span class="visually-hidden">{spokenTime(ch.start)}</span>
                      </time>
                      <span>{ch.title}</span>
                    </a>
                  </li>
                ))}
              </ol>
            </nav>
          ) : null}
          <div class="split">
            <section class="prose" aria-labelledby="before-title">
              <h2 id="before-title">Before you begin</h2>
              {prose(funnel.html.masterclass)}
            </section>
            <section class="card download" aria-labelledby="guide-title">
              <div class="guide-preview">
                <GuideIcon />
                <div>
                  <p class="eyebrow">Printable PDF</p>
                  <h2 id="guide-title">{guide.title}</h2>
                  <p class="muted">Every pose on one page, to keep by your mat.</p>
                </div>
              </div>
              <a class="button" href={guide.path} download>
                Download the printable guide (PDF)
              </a>
            </section>
          </div>
        </div>
      </div>
    </Layout>
  );
};
