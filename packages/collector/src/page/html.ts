/**
 * The page's HTML: static structure and styles; the script (app-script.ts)
 * fills it from the API. No framework, no external resources.
 */

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** Renders the page; `token` is embedded when the caller may have it (see serve.ts), else null. */
export function renderPage(token: string | null): string {
  const meta = token === null ? '' : `<meta name="crashfree-token" content="${escapeAttr(token)}">`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${meta}
<link rel="icon" href="data:,">
<title>crashfree — release health</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2330; background: #fafbfc; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  h2 { font-size: 16px; margin: 28px 0 8px; }
  .sub { color: #5b6474; margin-bottom: 16px; }
  table { border-collapse: collapse; background: #fff; }
  th, td { padding: 6px 10px; border-bottom: 1px solid #e3e6eb; text-align: right; white-space: nowrap; }
  th:first-child, td:first-child { text-align: left; }
  th { font-weight: 600; color: #3b4353; background: #f1f3f6; }
  td .ci { color: #7a8394; font-size: 12px; display: block; }
  tr.below td.cf { color: #b42318; font-weight: 600; }
  tr.above td.cf { color: #067647; }
  .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
  svg { background: #fff; border: 1px solid #e3e6eb; }
  .empty { color: #7a8394; font-style: italic; }
  #auth { display: none; margin: 12px 0; }
  #error { color: #b42318; }
  ul.crashes { list-style: none; padding: 0; margin: 0; }
  ul.crashes li { background: #fff; border: 1px solid #e3e6eb; padding: 8px 10px; margin-bottom: 6px; }
  ul.crashes .meta { color: #5b6474; font-size: 12px; }
  ul.issues { list-style: none; padding: 0; margin: 0; }
  ul.issues li { background: #fff; border: 1px solid #e3e6eb; padding: 8px 10px; margin-bottom: 6px; }
  ul.issues .badge { font-size: 11px; font-weight: 600; padding: 1px 6px; border-radius: 3px; margin-right: 6px; color: #fff; background: #5b6474; }
  ul.issues .badge.new { background: #b42318; } ul.issues .badge.regressed { background: #b54708; }
  ul.issues .frames { font-family: ui-monospace, monospace; font-size: 12px; color: #3b4353; }
  .charts { display: flex; flex-wrap: wrap; gap: 16px; }
</style>
</head>
<body>
<h1>crashfree — release health</h1>
<div class="sub" id="summary">Loading…</div>
<form id="auth"><label>API token <input id="token-input" type="password" autocomplete="off"></label> <button>Show</button></form>
<div id="error" role="alert"></div>
<h2>Releases side by side</h2>
<div id="releases"></div>
<div class="charts">
  <div><h2>Crash-free sessions over time</h2><div id="chart-crashfree"></div></div>
  <div><h2>Adoption (share of sessions)</h2><div id="chart-adoption"></div></div>
</div>
<h2 id="issues-title">Issues</h2>
<div id="issues"></div>
<h2>Latest crashes</h2>
<div id="crashes"></div>
<h2>Input anomalies</h2>
<div id="anomalies"></div>
<script src="/page/app.js"></script>
</body>
</html>
`;
}
