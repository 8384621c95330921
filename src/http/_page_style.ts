/**
 * The status page's stylesheet, inlined in the page (its hash is in the
 * page's Content-Security-Policy). Responsive: one column on a phone, a grid
 * of cards on a wide screen. Status is shown by text and shape, never by
 * colour alone: each badge carries its word and a symbol, and timeline bars
 * grow with severity (UP short, WARN middle, DOWN full height). A long name
 * in the header wraps rather than widening the page.
 *
 * @module
 */

/** The CSS, as served inside `<style>`. */
export const PAGE_STYLE = `
*{box-sizing:border-box}
html{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f6f7f9}
body{margin:0 auto;max-width:90rem;padding:1rem}
header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;margin-bottom:1rem}
h1{font-size:1.5rem;margin:0;display:flex;align-items:center;gap:.75rem}
#name{overflow-wrap:anywhere;min-width:0}
h2{font-size:1.1rem;margin:1.25rem 0 .5rem}
h3{font-size:1rem;margin:0;overflow-wrap:anywhere}
p{margin:.25rem 0}
.muted{color:#4a4f57}
.st{display:inline-flex;align-items:center;gap:.3em;padding:.1em .55em;border:2px solid;font-weight:700;font-size:.9rem;white-space:nowrap}
.st .sym{font-size:.85em}
.st-UP{color:#0b5d1e;background:#e3f6e7;border-radius:1em}
.st-WARN{color:#6b4a00;background:#fff3c9;border-radius:.2em}
.st-DOWN{color:#9b1111;background:#fde4e4;border-radius:0;border-style:double;border-width:3px}
.st-NONE{color:#4a4f57;background:#eceef1;border-style:dashed}
h1 .st{font-size:1.1rem}
.groups{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;margin:0;padding:0}
.groups li{display:flex;align-items:center;gap:.4rem;background:#fff;border:1px solid #d5d9df;padding:.3rem .6rem;border-radius:.4rem}
.maint{margin:0 0 1rem;padding:.5rem .75rem;border:2px solid #6b4a00;border-radius:.4rem;background:#fff3c9;color:#4a3300;font-weight:700;overflow-wrap:anywhere}
#notes{margin:0;padding-left:1.2rem}
#notes li{overflow-wrap:anywhere}
.checks{display:grid;gap:.75rem;grid-template-columns:repeat(auto-fill,minmax(min(100%,24rem),1fr))}
.check{background:#fff;border:1px solid #d5d9df;border-left-width:6px;border-radius:.4rem;padding:.75rem;min-width:0}
.check.s-DOWN{border-left-color:#b42318}
.check.s-WARN{border-left-color:#b88a00}
.check.s-UP{border-left-color:#1f8a3b}
.top{display:flex;justify-content:space-between;align-items:flex-start;gap:.5rem}
.msg{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem;overflow-wrap:anywhere;background:#f1f3f5;padding:.3rem .45rem;border-radius:.25rem;margin:.5rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .75rem;margin:.25rem 0 .5rem;font-size:.88rem}
dt{color:#4a4f57}
dd{margin:0;overflow-wrap:anywhere}
.tl{display:flex;align-items:flex-end;gap:1px;height:1.6rem;margin-top:.25rem;border-bottom:1px solid #9aa1ab}
.tl span{flex:1 1 0;max-width:.5rem;min-width:2px}
.r-UP{height:35%;background:#1f8a3b}
.r-WARN{height:65%;background:#b88a00}
.r-DOWN{height:100%;background:#b42318}
form{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;margin:.5rem 0}
input{font:inherit;padding:.3rem .5rem;border:1px solid #6b7280;border-radius:.3rem;min-width:12rem;flex:1 1 12rem;max-width:24rem}
button{font:inherit;padding:.3rem .8rem;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;border-radius:.3rem;cursor:pointer}
button.plain{background:#fff;color:#1d4ed8;margin-bottom:.75rem}
:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
.stale #updated{color:#9b1111;font-weight:700}
[hidden]{display:none!important}
@media (max-width:30rem){body{padding:.6rem}dl{grid-template-columns:1fr}dt{margin-top:.2rem}}
`;
