/**
 * The page's script, served as /page/app.js: reads the API (token from the
 * page's meta tag, or asked for), renders the release table, the crash-free
 * and adoption charts (inline SVG, deploy markers, threshold line) and the
 * latest crashes, and refreshes every 15 s. Plain ES5 so any browser runs it.
 */

/** The script's source text. */
export const APP_SCRIPT = String.raw`(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var org = params.get('org') || 'crashfree';
  var period = params.get('statsPeriod') || '24h';
  var threshold = Number(params.get('threshold') || '99.5');
  var COLORS = ['#2e6bd9', '#d9480f', '#2b8a3e', '#862e9c', '#c2255c', '#0b7285', '#5c940d', '#e67700'];
  var SVG = 'http://www.w3.org/2000/svg';

  function $(id) { return document.getElementById(id); }
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function pct(v, d) { return v == null ? 'no data' : (v * 100).toFixed(d == null ? 2 : d) + '%'; }
  function ci(i) { return i ? (i.low * 100).toFixed(2) + '–' + (i.high * 100).toFixed(2) + '%' : ''; }
  function token() {
    var meta = document.querySelector('meta[name="crashfree-token"]');
    return meta ? meta.getAttribute('content') : sessionStorage.getItem('crashfree-token');
  }
  function api(path) {
    return fetch('/api/0/organizations/' + encodeURIComponent(org) + path, {
      headers: { Authorization: 'Bearer ' + token() }
    }).then(function (r) {
      if (r.status === 401) throw new Error('unauthorized');
      if (!r.ok) return r.json().then(function (b) { throw new Error(b.detail || ('HTTP ' + r.status)); });
      return r.json();
    });
  }
  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(node);
    return node;
  }

  function renderReleases(rows, colorOf) {
    if (!rows.length) { $('releases').innerHTML = '<p class="empty">No sessions in the last ' + esc(period) + ' (no data, not 100%).</p>'; return; }
    var h = '<table id="releases-table"><thead><tr><th>release</th><th>crash-free sessions</th><th>crash-free users</th>' +
      '<th>sessions</th><th>users</th><th>errored</th><th>abnormal</th><th>not ended</th><th>adoption (sessions)</th><th>adoption (users)</th></tr></thead><tbody>';
    rows.forEach(function (r) {
      var below = r.crashFreeSessions != null && r.crashFreeSessions * 100 < threshold;
      h += '<tr data-release="' + esc(r.by.release) + '" class="' + (below ? 'below' : 'above') + '">' +
        '<td><span class="swatch" style="background:' + colorOf(r.by.release) + '"></span>' + esc(r.by.release) + '</td>' +
        '<td class="cf">' + pct(r.crashFreeSessions) + '<span class="ci">' + ci(r.crashFreeSessionsInterval) + '</span></td>' +
        '<td class="cf">' + pct(r.crashFreeUsers) + '<span class="ci">' + ci(r.crashFreeUsersInterval) + '</span></td>' +
        '<td>' + r.sessions + '</td><td>' + r.users + '</td>' +
        '<td>' + pct(r.erroredRate) + '</td><td>' + pct(r.abnormalRate) + '</td><td>' + r.notTerminated + '</td>' +
        '<td>' + pct(r.adoptionSessions, 1) + '</td><td>' + pct(r.adoptionUsers, 1) + '</td></tr>';
    });
    $('releases').innerHTML = h + '</tbody></table>';
  }

  // Draws one line chart: series = [{ name, color, points: [[t, value|null]] }], markers = [{ t, label }].
  function lineChart(target, id, series, opts) {
    target.innerHTML = '';
    var W = 560, H = 260, L = 48, R = 12, T = 14, B = 28;
    var svg = el('svg', { id: id, width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img' }, target);
    var ts = [];
    series.forEach(function (s) { s.points.forEach(function (p) { if (p[1] != null) ts.push(p[0]); }); });
    if (!ts.length) { var t = el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', fill: '#7a8394' }, svg); t.textContent = 'no data'; return; }
    var t0 = Math.min.apply(null, ts), t1 = Math.max.apply(null, ts);
    if (t1 === t0) { t0 -= 60000; t1 += 60000; }
    var y0 = opts.yMin, y1 = opts.yMax;
    function x(t) { return L + (t - t0) / (t1 - t0) * (W - L - R); }
    function y(v) { return T + (1 - (v - y0) / (y1 - y0)) * (H - T - B); }
    for (var i = 0; i <= 4; i++) {
      var v = y0 + (y1 - y0) * i / 4;
      el('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#eef0f3' }, svg);
      var lab = el('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#5b6474' }, svg);
      lab.textContent = v.toFixed(opts.digits) + '%';
    }
    [t0, t1].forEach(function (t, k) {
      var lab = el('text', { x: x(t), y: H - 8, 'text-anchor': k ? 'end' : 'start', 'font-size': 11, fill: '#5b6474' }, svg);
      lab.textContent = new Date(t).toISOString().slice(11, 16) + ' UTC';
    });
    if (opts.threshold != null) {
      el('line', { class: 'threshold', x1: L, x2: W - R, y1: y(opts.threshold), y2: y(opts.threshold), stroke: '#b42318', 'stroke-dasharray': '6 4' }, svg);
      var tl = el('text', { x: W - R - 4, y: y(opts.threshold) - 4, 'text-anchor': 'end', 'font-size': 11, fill: '#b42318' }, svg);
      tl.textContent = 'threshold ' + opts.threshold + '%';
    }
    (opts.markers || []).forEach(function (m) {
      if (m.t < t0 || m.t > t1) return;
      el('line', { class: 'deploy-marker', x1: x(m.t), x2: x(m.t), y1: T, y2: H - B, stroke: m.color, 'stroke-dasharray': '2 3' }, svg);
      var right = x(m.t) > W * 0.6;
      var ml = el('text', { x: x(m.t) + (right ? -3 : 3), y: T + 10, 'text-anchor': right ? 'end' : 'start', 'font-size': 11, fill: m.color }, svg);
      ml.textContent = 'deploy ' + m.label;
    });
    series.forEach(function (s) {
      var d = '', pen = false;
      s.points.forEach(function (p) {
        if (p[1] == null) { pen = false; return; }
        d += (pen ? 'L' : 'M') + x(p[0]).toFixed(1) + ' ' + y(Math.max(y0, p[1])).toFixed(1) + ' ';
        pen = true;
        el('circle', { cx: x(p[0]), cy: y(Math.max(y0, p[1])), r: 2.5, fill: s.color }, svg);
      });
      el('path', { class: 'series', 'data-release': s.name, d: d, fill: 'none', stroke: s.color, 'stroke-width': 2 }, svg);
    });
  }

  function renderCharts(sessions, deploys, colorOf) {
    var times = sessions.intervals.map(function (s) { return Date.parse(s); });
    var totals = times.map(function (_, i) {
      return sessions.groups.reduce(function (a, g) { return a + (g.series['sum(session)'][i] || 0); }, 0);
    });
    var cf = [], adoption = [], lowest = 100;
    sessions.groups.forEach(function (g) {
      var name = g.by.release, color = colorOf(name);
      var pts = times.map(function (t, i) {
        var v = g.series['crash_free_rate(session)'][i];
        if (v != null) lowest = Math.min(lowest, v * 100);
        return [t, v == null ? null : v * 100];
      });
      cf.push({ name: name, color: color, points: pts });
      adoption.push({ name: name, color: color, points: times.map(function (t, i) {
        return [t, totals[i] ? (g.series['sum(session)'][i] || 0) / totals[i] * 100 : null];
      }) });
    });
    var markers = deploys.map(function (d) { return { t: Date.parse(d.dateFinished), label: d.version + ' → ' + d.environment, color: colorOf(d.version) }; });
    var yMin = Math.floor(Math.min(lowest, threshold) - 0.5);
    lineChart($('chart-crashfree'), 'crashfree-chart', cf, { yMin: Math.max(0, yMin), yMax: 100, digits: 2, threshold: threshold, markers: markers });
    lineChart($('chart-adoption'), 'adoption-chart', adoption, { yMin: 0, yMax: 100, digits: 0, markers: markers });
  }

  function renderCrashes(crashes) {
    if (!crashes.length) { $('crashes').innerHTML = '<p class="empty">No crash events.</p>'; return; }
    $('crashes').innerHTML = '<ul class="crashes">' + crashes.map(function (c) {
      var links = c.attachments.map(function (a) {
        return '<a class="attachment" href="' + esc(a.url) + '">' + esc(a.filename || a.id) + '</a> (' + a.size + ' bytes' + (a.type ? ', ' + esc(a.type) : '') + ')';
      }).join(', ');
      return '<li class="crash" data-event-id="' + esc(c.eventId) + '"><strong>' + esc(c.title) + '</strong>' +
        '<div class="meta">' + esc(c.receivedAt) + ' · release ' + esc(c.release || '?') + ' · ' + esc(c.platform) + ' · ' + esc(c.eventId) + '</div>' +
        (links ? '<div>attachments: ' + links + '</div>' : '') + '</li>';
    }).join('') + '</ul>';
  }

  // The finest interval (minutes) that divides a day and keeps the chart
  // within the sessions API's 1000 points, as Sentry's limits require.
  var STEPS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440];
  function chartInterval(text) {
    var m = /^(\d+)([smhdw]?)$/.exec(text);
    var unit = { s: 1 / 60, m: 1, h: 60, d: 1440, w: 10080 }[(m && m[2]) || 's'];
    var minutes = m ? Number(m[1]) * unit : 1440;
    for (var i = 0; i < STEPS.length; i++) if (minutes / STEPS[i] + 1 <= 1000) return STEPS[i] + 'm';
    return '1440m';
  }

  // One release's issues, new ones first, then by crashed sessions in it; each with its top frames and any dominant segment.
  function renderIssues(release, issues) {
    $('issues-title').textContent = 'Issues in ' + (release || 'no release');
    if (!issues.length) { $('issues').innerHTML = '<p class="empty">No error events in this release.</p>'; return; }
    var rank = { 'new': 0, regressed: 1, known: 2 };
    issues.sort(function (a, b) {
      return (rank[a.crashfree.releaseStatus] - rank[b.crashfree.releaseStatus]) || (b.crashfree.crashedSessions - a.crashfree.crashedSessions) || (Number(b.filtered.count) - Number(a.filtered.count));
    });
    $('issues').innerHTML = '<ul class="issues">' + issues.map(function (i) {
      var status = i.crashfree.releaseStatus || 'known';
      var frames = i.crashfree.topFrames.slice(0, 3).map(function (f) {
        return esc(f['function'] || '?') + ' ' + esc(f.file || '') + (f.lineno != null ? ':' + f.lineno : '') + (f.instructionAddr ? ' @' + esc(f.instructionAddr) : '');
      }).join('<br>');
      var segs = [];
      Object.keys(i.crashfree.segments).forEach(function (k) {
        var vals = i.crashfree.segments[k], total = 0, top = null;
        Object.keys(vals).forEach(function (v) { total += vals[v]; if (top == null || vals[v] > vals[top]) top = v; });
        if (top != null && vals[top] / total >= 0.8) segs.push(esc(k) + ' ' + esc(top) + ' ' + Math.round(vals[top] / total * 100) + '%');
      });
      return '<li class="issue" data-issue-id="' + esc(i.id) + '" data-status="' + esc(status) + '"><span class="badge ' + esc(status) + '">' + esc(status) + '</span><strong>' + esc(i.title) + '</strong>' +
        '<div class="meta">' + esc(i.culprit) + ' · ' + i.crashfree.crashedSessions + ' crashed session(s), ' + esc(i.filtered.count) + ' event(s), ' + i.filtered.userCount + ' user(s) · first seen in ' + esc(i.crashfree.firstRelease) +
        (segs.length ? ' · ' + segs.join(', ') : '') + '</div>' + (frames ? '<div class="frames">' + frames + '</div>' : '') + '</li>';
    }).join('') + '</ul>';
  }

  function load() {
    $('error').textContent = '';
    var q = '?statsPeriod=' + encodeURIComponent(period);
    Promise.all([
      api('/crashfree/releases/' + q),
      api('/sessions/' + q + '&interval=' + chartInterval(period) + '&groupBy=release&field=sum(session)&field=crash_free_rate(session)'),
      api('/crashfree/crashes/?limit=20')
    ]).then(function (r) {
      var rows = r[0].rows, names = rows.map(function (x) { return x.by.release; });
      function colorOf(name) { var i = names.indexOf(name); return COLORS[(i < 0 ? names.length : i) % COLORS.length]; }
      renderReleases(rows, colorOf);
      renderCharts(r[1], r[0].deploys, colorOf);
      renderCrashes(r[2].crashes);
      var release = params.get('release') || (names.length ? names[names.length - 1] : null);
      if (release) api('/issues/?sort=freq&limit=50&statsPeriod=' + encodeURIComponent(period) + '&query=' + encodeURIComponent('release:"' + release + '"')).then(function (issues) {
        renderIssues(release, issues);
      }, function (e) { $('error').textContent = 'Could not load issues: ' + e.message; });
      else renderIssues(null, []);
      var a = r[0].anomalies;
      $('anomalies').textContent = a.withoutInit + ' session(s) without init (not counted), ' + (a.withoutRelease || 0) + ' without a release (not counted), ' + a.duplicates + ' duplicate update(s), ' +
        a.stale + ' out-of-order update(s), ' + a.invalid + ' invalid payload(s).';
      $('summary').textContent = rows.length + ' release(s), last ' + period + ', threshold ' + threshold + '% · updated ' + new Date().toISOString().slice(11, 19) + ' UTC';
      document.body.setAttribute('data-loaded', 'true');
    }).catch(function (e) {
      if (String(e.message) === 'unauthorized') { $('auth').style.display = 'block'; $('summary').textContent = 'This page needs the collector token.'; return; }
      $('error').textContent = 'Could not load: ' + e.message;
    });
  }

  // Attachment links are read routes too: fetched with the token and saved
  // from a blob, since a plain link cannot carry the Authorization header.
  document.addEventListener('click', function (ev) {
    var link = ev.target && ev.target.closest ? ev.target.closest('a.attachment') : null;
    if (!link) return;
    ev.preventDefault();
    fetch(link.getAttribute('href'), { headers: { Authorization: 'Bearer ' + token() } }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.blob();
    }).then(function (blob) {
      var save = document.createElement('a');
      save.href = URL.createObjectURL(blob);
      save.download = link.textContent;
      document.body.appendChild(save);
      save.click();
      save.remove();
      setTimeout(function () { URL.revokeObjectURL(save.href); }, 60000);
    }).catch(function (e) { $('error').textContent = 'Could not download ' + link.textContent + ': ' + e.message; });
  });

  $('auth').addEventListener('submit', function (ev) {
    ev.preventDefault();
    sessionStorage.setItem('crashfree-token', $('token-input').value);
    $('auth').style.display = 'none';
    load();
  });
  load();
  setInterval(load, 15000);
})();
`;
