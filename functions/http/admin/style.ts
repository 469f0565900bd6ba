/** The admin pages' stylesheet, served from /admin/admin.css (same origin, no inline styles). */
export const ADMIN_CSS = `
:root{--ink:#2b2622;--muted:#5c534b;--line:#e3ddd6;--accent:#7a3a22;--bg:#faf7f4;--warn:#8a1c1c}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:var(--bg);overflow-wrap:break-word}
header.bar{display:flex;justify-content:space-between;align-items:center;gap:1rem;padding:.75rem 1.25rem;background:#fff;border-bottom:1px solid var(--line)}
header.bar a{color:var(--ink);font-weight:600;text-decoration:none}
header.bar button{white-space:nowrap}
main{max-width:64rem;margin:0 auto;padding:1.25rem}
h1{font-size:1.5rem;margin:.25rem 0 1rem;overflow-wrap:anywhere}h2{font-size:1.15rem;margin:2rem 0 .75rem}
section.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1rem 1.25rem;margin:0 0 1rem}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:.4rem .5rem;border-bottom:1px solid var(--line);text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}
th{font-weight:600;color:var(--muted);font-size:.85rem}
thead th{white-space:nowrap}
.scroll th[scope=row]{min-width:9rem}
td.when{white-space:nowrap}
.funnel{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.75rem}
.funnel div{background:#fff;border:1px solid var(--line);border-radius:8px;padding:.75rem}
.funnel b{display:block;font-size:1.6rem}
.funnel small{color:var(--muted)}
.chart{margin:0}.chart svg{width:100%;height:auto;display:block}
.chart figcaption{color:var(--muted);font-size:.85rem}
.key::before{content:"";display:inline-block;width:.9em;height:.6em;margin-right:.3em;vertical-align:middle}
.key.bars::before{background:#c9a48f}.key.line::before{background:#7a3a22;height:2px}
form.inline{display:inline}
label{display:block;font-weight:600;margin:.5rem 0 .25rem}
input[type=email],input[type=text],input[type=number],select{font:inherit;padding:.45rem .6rem;border:1px solid #b9afa5;border-radius:6px;min-width:16rem;max-width:100%}
button{font:inherit;padding:.45rem .9rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
button.secondary{background:#fff;color:var(--accent)}
button.danger{background:var(--warn);border-color:var(--warn)}
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible,.scroll:focus-visible{outline:3px solid #d9822b;outline-offset:2px}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}
.muted{color:var(--muted)}.note{font-size:.9rem;color:var(--muted)}
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.25rem 1rem;margin:0}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
fieldset{min-width:0}
.narrow{max-width:30rem;margin:3rem auto}
`;
