import { fontFaceCss } from "../fonts";
import { contrast, mix, readableOn } from "./color";

const PAPER = "#fbf8f4";
const WHITE = "#ffffff";
const INK = "#2a2420";

/**
 * The whole site's stylesheet, with the brand accent baked in so pages need no inline
 * styles (a strict CSP blocks them). The accent is darkened if it would not reach 4.5:1
 * on the page backgrounds, and the button text picks whichever of white or ink reads.
 *
 * @example siteCss("#9A4A2E") // "…--accent:#9a4a2e;…"
 */
export function siteCss(accentColor: string): string {
  const accent = readableOn(accentColor.toLowerCase(), [PAPER, WHITE], 4.5, INK);
  const onAccent = contrast(accent, WHITE) >= 4.5 ? WHITE : INK;
  const vars = {
    "--paper": PAPER,
    "--surface": WHITE,
    "--ink": INK,
    "--muted": "#5b524c",
    "--line": "#e6ddd3",
    "--accent": accent,
    "--accent-hover": mix(accent, INK, 0.25),
    "--on-accent": onAccent,
    "--accent-tint": mix(accent, PAPER, 0.9),
    "--accent-wash": mix(accent, PAPER, 0.95),
    "--danger": "#a12a2a",
  };
  const root = Object.entries(vars)
    .map(([k, v]) => `${k}:${v};`)
    .join("");
  return `${fontFaceCss()}\n:root{${root}}\n${BASE}`;
}

/** Everything but the colours: mobile first, one breakpoint for wider screens. */
const BASE = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%;color-scheme:light}
body{margin:0;background:var(--paper);color:var(--ink);font-family:"Source Sans 3",system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:1.0625rem;line-height:1.65;overflow-wrap:break-word;display:flex;flex-direction:column;min-height:100vh}
main{flex:1 0 auto;outline:none}
img,video,svg{max-width:100%;height:auto}
h1,h2,h3{font-family:Lora,Georgia,"Times New Roman",serif;font-weight:600;line-height:1.2;letter-spacing:-0.01em;margin:0 0 .6em;color:var(--ink)}
h1{font-size:clamp(2rem,6vw,3.1rem)}
h2{font-size:clamp(1.45rem,3.5vw,1.9rem)}
h3{font-size:1.2rem}
p,ul,ol,dl{margin:0 0 1em}
a{color:var(--accent);text-underline-offset:.18em;text-decoration-thickness:1px}
a:hover{color:var(--accent-hover);text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--accent);outline-offset:3px;border-radius:4px}
.wrap{width:100%;max-width:68rem;margin:0 auto;padding:0 1.25rem}
.narrow{max-width:40rem}
.visually-hidden{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.skip{position:absolute;left:1rem;top:-4rem;z-index:10;background:var(--ink);color:#fff;padding:.6rem 1rem;border-radius:6px;font-weight:600}
.skip:focus{top:1rem;color:#fff}

.site-header{border-bottom:1px solid var(--line);background:var(--paper)}
.site-header .wrap{display:flex;align-items:center;min-height:4rem}
.brand{display:inline-flex;align-items:center;gap:.6rem;font-family:Lora,Georgia,serif;font-size:1.2rem;font-weight:600;color:var(--ink);text-decoration:none}
.brand:hover{color:var(--accent)}
.brand-mark{width:1.9rem;height:1.9rem;flex:none;color:var(--accent)}

.site-footer{margin-top:4rem;border-top:1px solid var(--line);padding:2rem 0 2.5rem;color:var(--muted);font-size:.95rem}
.site-footer p{margin:0 0 .25rem}
.footer-links{margin-top:.75rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem}
.site-footer strong{color:var(--ink);font-weight:600}

.eyebrow{font-size:.8rem;font-weight:700;letter-spacing:.12em;text-transform:uppercase;color:var(--accent);margin:0 0 .9rem}
.lead{font-size:1.2rem;color:var(--muted);max-width:34rem}
.muted{color:var(--muted)}
.prose{max-width:38rem}
.prose p:last-child{margin-bottom:0}

.button{display:inline-flex;align-items:center;justify-content:center;gap:.5rem;min-height:3rem;padding:.75rem 1.4rem;border:2px solid var(--accent);border-radius:999px;background:var(--accent);color:var(--on-accent);font:inherit;font-weight:650;line-height:1.25;text-align:center;text-decoration:none;cursor:pointer;transition:background-color .15s,border-color .15s}
.button:hover{background:var(--accent-hover);border-color:var(--accent-hover);color:var(--on-accent);text-decoration:none}
.button[disabled]{opacity:.7;cursor:progress}
.button--block{width:100%}
.button--quiet{background:transparent;color:var(--accent)}
.button--quiet:hover{background:var(--accent-wash);color:var(--accent-hover)}
.button--danger{background:var(--danger);border-color:var(--danger);color:#fff}
.button--danger:hover{background:#7f1f1f;border-color:#7f1f1f;color:#fff}

.hero{background:linear-gradient(180deg,var(--accent-wash),var(--paper));padding:2.5rem 0 3rem}
.hero-grid{display:grid;grid-template-columns:minmax(0,1fr);gap:2rem;align-items:start}
.hero-figure{justify-self:center;width:100%;max-width:15rem}
.hero-figure img{display:block;width:100%;height:auto;border-radius:18px}
.hero h1{max-width:20ch}
.includes{list-style:none;padding:0;margin:1.5rem 0 0;display:none;flex-wrap:wrap;gap:.6rem}
.includes li{display:inline-flex;align-items:center;gap:.45rem;padding:.4rem .85rem .4rem .6rem;border-radius:999px;background:var(--surface);border:1px solid var(--line);font-size:.9rem;font-weight:600;color:var(--ink)}
.icon{width:1.15rem;height:1.15rem;flex:none;color:var(--accent)}

.card{background:var(--surface);border:1px solid var(--line);border-radius:18px;padding:1.5rem;box-shadow:0 1px 2px rgba(42,36,32,.04),0 12px 32px -16px rgba(42,36,32,.18)}
.card h2{font-size:1.35rem}

.signup .field{margin:0 0 1rem}
.signup label{display:block;font-weight:600;margin:0 0 .3rem}
.optional{font-weight:400;color:var(--muted)}
.signup input[type=text],.signup input[type=email]{display:block;width:100%;min-height:3rem;padding:.65rem .85rem;border:1.5px solid #8c8179;border-radius:10px;background:#fff;color:var(--ink);font:inherit}
.signup input:focus-visible{outline:3px solid var(--accent);outline-offset:1px;border-color:var(--accent)}
.signup input[aria-invalid=true]{border-color:var(--danger)}
.consent{font-size:.875rem;color:var(--muted);margin:.9rem 0 0;line-height:1.5}
.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
.status{margin:0;font-size:.95rem;font-weight:600;line-height:1.45;overflow-wrap:anywhere}
.status:not(:empty){margin:0 0 1rem;padding:.75rem 1rem;border-radius:10px;border:1px solid var(--line);background:var(--accent-wash)}
.status.is-error{border-color:#e3b9b9;background:#fdf1f1;color:var(--danger)}
.status.is-ok{border-color:var(--accent);background:var(--accent-tint);color:var(--ink)}
.signup.is-done .status{margin:0}
.suggest{margin:.4rem 0 0;font-size:.95rem;color:var(--ink);overflow-wrap:anywhere}
.suggest:empty{display:none}
.link-button{display:inline;padding:0;border:0;background:none;text-align:left;color:var(--accent);font:inherit;font-weight:700;text-decoration:underline;text-underline-offset:.18em;cursor:pointer}
.link-button:hover{color:var(--accent-hover)}
.status-fix{display:block;margin-top:.5rem;font-weight:400}

.section{padding:3rem 0 0}
.split{display:grid;gap:2.5rem}
.benefits{list-style:none;padding:0;margin:0}
.benefits li{position:relative;padding:.55rem 0 .55rem 2.2rem;border-bottom:1px solid var(--line)}
.benefits li:last-child{border-bottom:0}
.benefits li::before{content:"";position:absolute;left:.2rem;top:.95rem;width:1.1rem;height:1.1rem;border-radius:50%;background:var(--accent-tint);box-shadow:inset 0 0 0 2px var(--accent)}
.benefits li::after{content:"";position:absolute;left:.58rem;top:1.2rem;width:.35rem;height:.55rem;border:solid var(--accent);border-width:0 2px 2px 0;transform:rotate(45deg)}

.pair{display:grid;gap:1.25rem}
.pair .card{display:flex;flex-direction:column}
.pair .card p:last-child{margin-bottom:0}
.teacher-photo{width:6rem;height:6rem;border-radius:50%;object-fit:cover;margin-bottom:1rem}
.teacher .prose p{margin:0 0 .75rem}
.testimonials{margin-top:3rem}
.quotes{display:grid;gap:1.25rem}
.quote{margin:0;padding:1.5rem;border-radius:18px;background:var(--surface);border:1px solid var(--line)}
.quote blockquote{margin:0 0 .75rem;font-family:Lora,Georgia,serif;font-size:1.15rem;line-height:1.5}
.quote blockquote p{margin:0}
.quote blockquote p::before{content:"\\201C"}
.quote blockquote p::after{content:"\\201D"}
.prose-page h2{font-size:1.35rem;margin-top:1.75rem}
.prose-page ul{padding-left:1.25rem}
.prose-page li{margin-bottom:.4rem}
.teacher-mark{width:3.5rem;height:3.5rem;border-radius:50%;background:var(--accent-tint);color:var(--accent);display:grid;place-items:center;font-family:Lora,Georgia,serif;font-size:1.4rem;font-weight:600;margin-bottom:1rem}
.guide-preview{display:flex;gap:1.1rem;align-items:flex-start}
.guide-page{flex:none;width:4.2rem;height:5.6rem;border-radius:6px;background:#fff;border:1px solid var(--line);box-shadow:0 6px 14px -8px rgba(42,36,32,.35);padding:.55rem .45rem;display:flex;flex-direction:column;gap:.3rem}
.guide-page span{display:block;height:.32rem;border-radius:2px;background:var(--line)}
.guide-page span:first-child{background:var(--accent);width:70%;height:.4rem}
.guide-page span:nth-child(3){width:80%}
.guide-page span:nth-child(5){width:60%}
.cta-band{margin-top:3rem;text-align:center;padding:2.25rem 1.25rem;border-radius:18px;background:var(--accent-tint)}
.cta-band p{max-width:32rem;margin:0 auto 1.25rem}

.page{padding:3rem 0 0}
.page .card{padding:1.75rem}
.page .card h1{font-size:clamp(1.8rem,5vw,2.4rem)}
.tip{margin-top:1.5rem;padding:1rem 1.1rem;border-left:4px solid var(--accent);background:var(--accent-wash);border-radius:0 10px 10px 0;font-size:.95rem}
.tip p:last-child{margin:0}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin-top:1.5rem}

.player{margin:1.5rem 0 2rem;border-radius:16px;overflow:hidden;background:#1e1a17;box-shadow:0 18px 40px -24px rgba(42,36,32,.55)}
.player video{display:block;width:100%;aspect-ratio:16/9;background:#1e1a17}
.chapters{margin:0 0 2.5rem}
.chapters h2{font-size:1.3rem}
.chapters ol{list-style:none;margin:0;padding:0;display:grid;gap:.5rem}
.chapters a{display:flex;gap:1rem;align-items:baseline;padding:.7rem 1rem;border:1px solid var(--line);border-radius:12px;background:var(--surface);color:var(--ink);text-decoration:none}
.chapters a:hover{border-color:var(--accent);color:var(--accent)}
.chapters time{flex:none;min-width:3.2rem;font-variant-numeric:tabular-nums;font-weight:700;color:var(--accent)}
.download{display:flex;flex-direction:column;gap:1.25rem}
.download .button{align-self:flex-start}
.download h2{font-size:1.3rem}

.summary{display:grid;grid-template-columns:minmax(0,1fr);margin:0 0 1.5rem}
.summary dt{color:var(--muted);font-size:.95rem}
.summary dd{margin:0 0 .75rem;font-weight:600;overflow-wrap:anywhere}
.summary dd:last-child{margin-bottom:0}
.manage-block{border-top:1px solid var(--line);padding-top:1.5rem;margin-top:1.5rem}
.manage-block h2{font-size:1.25rem}
.check{display:flex;gap:.7rem;align-items:flex-start;margin:0 0 1rem}
.check input{width:1.25rem;height:1.25rem;margin:.2rem 0 0;flex:none;accent-color:var(--danger)}
fieldset{border:0;padding:0;margin:0}

@media (min-width:48rem){
  body{font-size:1.125rem}
  .hero{padding:4rem 0 3rem}
  .includes{display:flex}
  .hero-grid{grid-template-columns:minmax(0,1.15fr) minmax(0,1fr);grid-template-rows:auto 1fr;column-gap:3.5rem;row-gap:1.5rem;align-items:start}
  .hero-text{grid-column:1;grid-row:1}
  .hero-form{grid-column:2;grid-row:1 / span 2}
  .hero-figure{grid-column:1;grid-row:2;justify-self:start;max-width:19rem}
  .quotes{grid-template-columns:repeat(auto-fit,minmax(16rem,1fr))}
  .chapters ol{grid-template-columns:repeat(auto-fill,minmax(19rem,1fr))}
  .card{padding:2rem}
  .section{padding-top:3.5rem}
  .split{grid-template-columns:minmax(0,1.1fr) minmax(0,1fr);gap:4rem}
  .pair{grid-template-columns:1fr 1fr;gap:1.5rem}
  .page{padding-top:4.5rem}
  .page .card{padding:2.5rem}
  .summary{grid-template-columns:minmax(8rem,auto) minmax(0,1fr);gap:.5rem 1.25rem}
  .summary dt{font-size:inherit}
  .summary dd{margin:0}
}
@media (prefers-reduced-motion:reduce){*{transition:none!important;scroll-behavior:auto!important}}
@media (min-width:48rem) and (prefers-reduced-motion:no-preference){html{scroll-behavior:smooth}}
`;
