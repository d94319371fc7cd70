"""The dashboard's stylesheet: plain CSS, inlined in every page (no external assets, no CDN),
readable on a phone (one column, tables scroll sideways) and printable."""
from __future__ import annotations

CSS = """
:root{--blue:#1d5fd1;--yellow:#e2b100;--orange:#ee7300;--red:#cf2020;--ink:#1b1f24;--muted:#5e6670;--line:#d9dde3}
*{box-sizing:border-box}
body{margin:0;font:15px/1.55 -apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
color:var(--ink);background:#f5f6f8}
header{display:flex;flex-wrap:wrap;gap:.4em 1.2em;align-items:center;padding:.6em 1em;background:#23303f;color:#fff}
header a{color:#dce6f2;text-decoration:none;margin-right:1em}
header a:hover{text-decoration:underline}
main{max-width:1100px;margin:0 auto;padding:.5em 1em 2em}
h1{font-size:1.35em;margin:.6em 0}
h2{font-size:1.1em;margin:1.1em 0 .4em}
.card h2{display:inline;font-size:1.05em;margin:0}
.card{background:#fff;border:1px solid var(--line);border-left:6px solid #999;border-radius:6px;
padding:.7em 1em;margin:.7em 0}
.card.blue{border-left-color:var(--blue)}.card.yellow{border-left-color:var(--yellow)}
.card.orange{border-left-color:var(--orange)}.card.red{border-left-color:var(--red)}
.card p{margin:.35em 0}.card ul{margin:.2em 0 .4em 1.2em;padding:0}
.badge{display:inline-block;min-width:1.8em;text-align:center;padding:0 .35em;border-radius:4px;
color:#fff;font-weight:bold;background:#8a929c}
.badge.blue{background:var(--blue)}.badge.yellow{background:var(--yellow);color:#222}
.badge.orange{background:var(--orange)}.badge.red{background:var(--red)}
.change{color:var(--muted);font-size:.9em}
.muted,footer{color:var(--muted);font-size:.88em}
footer{text-align:center;padding:1em}
.empty{padding:1em;background:#fff;border:1px dashed var(--line);border-radius:6px}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.93em}
th,td{border-bottom:1px solid var(--line);padding:.45em .5em;text-align:left;vertical-align:top}
th{background:#eceff3;white-space:nowrap}
pre.explain{white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid var(--line);
border-radius:6px;padding:.8em;font:inherit}
.advice{background:#fff8e6;border:1px solid #f1d9a0;border-radius:6px;padding:.6em .8em}
.status{font-weight:bold}.status.ok{color:#1c7c3a}.status.stale{color:#b07800}.status.broken{color:var(--red)}
form.fix{display:flex;flex-wrap:wrap;gap:.3em}
form.fix input{width:6.5em}
form.fix select,form.fix input,form.fix button{font:inherit;padding:.15em .3em}
a{color:#1d5fd1}
@media (max-width:640px){body{font-size:14px}main{padding:.3em .6em 1.5em}th,td{padding:.35em}}
"""
