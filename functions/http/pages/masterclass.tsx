/** @jsxImportSource hono/jsx */
/** @jsxRuntime automatic */
import type { Funnel } from "../../core/content";
import { GuideIcon, Layout, pageTitle } from "./layout";
import { prose } from "./markdown";

export interface MasterclassPageProps {
  funnel: Funnel;
}

/** Where the beacon goes when the video first starts playing (a real view, not a bot). */
export const PLAY_BEACON_PATH = "/api/events/play";

/** The masterclass: the video, the teacher's notes and the printable guide. */
export const MasterclassPage = ({ funnel }: MasterclassPageProps) => {
  const { masterclass, guide, brand } = funnel;
  const { video } = masterclass;
  return (
    <Layout funnel={funnel} title={pageTitle(funnel, masterclass.title)}>
      <div class="page">
        <div class="wrap">
          <p class="eyebrow">With {brand.teacher}</p>
          <h1>{masterclass.title}</h1>
          <div class="player">
            {/* biome-ignore lint/a11y/useMediaCaption: the track below is rendered whenever content/ provides captions */}
            <video
              controls
              preload="metadata"
              playsinline
              src={video.src}
              poster={video.poster}
              data-play-beacon={PLAY_BEACON_PATH}
            >
              {video.captions ? (
                <track kind="captions" src={video.captions} srclang="en" label="English" default />
              ) : null}
              <p>
                Your browser cannot play this video. <a href={video.src}>Download the video</a>{" "}
                instead.
              </p>
            </video>
          </div>
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
