// Beagle index dashboard: vanilla JS, no external resources. All data goes into the DOM through
// textContent / attributes, never innerHTML: package names, snippets and IOCs are attacker-controlled.

const ECO_COLORS = { npm: '#f85149', pypi: '#58a6ff', maven: '#d29922' };
const CAT_COLORS = [
  '#f85149',
  '#58a6ff',
  '#d29922',
  '#3fb950',
  '#bc8cff',
  '#ff7b72',
  '#79c0ff',
  '#e3b341',
  '#56d364',
  '#d2a8ff',
  '#ffa198',
  '#a5d6ff',
];
const SVGNS = 'http://www.w3.org/2000/svg';
const view = document.getElementById('view');

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children.flat(Infinity))
    if (c !== undefined && c !== null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function render(...children) {
  view.replaceChildren(
    ...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false),
  );
}

async function api(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(body.message || `HTTP ${res.status}`);
    err.status = res.status;
    throw err;
  }
  return body;
}

const fmtTime = (ms) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '—');
function fmtDuration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
const badge = (v) => h('span', { class: `badge ${v}` }, v);
function pkgHref(p) {
  return `#/package/${encodeURIComponent(p.ecosystem)}/${p.name.split('/').map(encodeURIComponent).join('/')}/${encodeURIComponent(p.version)}`;
}
const pkgLink = (p) => h('a', { href: pkgHref(p), class: 'pkg' }, `${p.name}@${p.version}`);

function detectionsTable(rows, emptyText) {
  if (!rows.length) return h('p', { class: 'empty' }, emptyText);
  return h(
    'table',
    { class: 'detections' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'Package'),
        h('th', {}, 'Ecosystem'),
        h('th', {}, 'Verdict'),
        h('th', {}, 'Score'),
        h('th', {}, 'Categories'),
        h('th', {}, 'Detected'),
        h('th', {}, 'Latency'),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          h('td', {}, pkgLink(r)),
          h('td', {}, r.ecosystem),
          h('td', {}, badge(r.verdict)),
          h('td', {}, r.score),
          h(
            'td',
            {},
            r.categories.map((c) => h('span', { class: 'tag' }, c)),
          ),
          h('td', {}, fmtTime(r.scannedAt)),
          h('td', {}, fmtDuration(r.latencyMs)),
        ),
      ),
    ),
  );
}

// --- charts -----------------------------------------------------------------------------
function stackedBars(periods, series, colors, { height = 180, label = 'detections' } = {}) {
  const width = 560;
  const pad = { l: 34, r: 8, t: 8, b: 34 };
  const totals = periods.map((p) => Object.values(series).reduce((a, xs) => a + (xs[p] || 0), 0));
  const max = Math.max(1, ...totals);
  const slot = (width - pad.l - pad.r) / Math.max(1, periods.length);
  const bw = Math.min(56, slot);
  const y = (v) => pad.t + (height - pad.t - pad.b) * (1 - v / max);
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width: '100%',
    role: 'img',
    'aria-label': label,
    class: 'chart',
  });
  for (const t of [0, max / 2, max]) {
    svg.append(s('line', { x1: pad.l, x2: width - pad.r, y1: y(t), y2: y(t), stroke: '#27313d' }));
    svg.append(s('text', { x: pad.l - 4, y: y(t) + 4, 'text-anchor': 'end' }, Math.round(t)));
  }
  periods.forEach((p, i) => {
    let acc = 0;
    for (const [name, xs] of Object.entries(series)) {
      const v = xs[p] || 0;
      if (!v) continue;
      const rect = s('rect', {
        x: pad.l + i * slot + (slot - bw) / 2 + 2,
        y: y(acc + v),
        width: Math.max(1, bw - 4),
        height: y(acc) - y(acc + v),
        fill: colors[name] || '#8b98a5',
        'data-series': name,
        'data-period': p,
        'data-value': v,
      });
      rect.append(s('title', {}, `${p} ${name}: ${v}`));
      svg.append(rect);
      acc += v;
    }
    if (periods.length <= 16 || i % Math.ceil(periods.length / 12) === 0)
      svg.append(
        s(
          'text',
          { x: pad.l + i * slot + slot / 2, y: height - pad.b + 14, 'text-anchor': 'middle' },
          p.length > 7 ? p.slice(5) : p,
        ),
      );
  });
  return svg;
}

function legend(colors) {
  // Swatches are SVG (presentation attributes), since the CSP forbids inline styles.
  return h(
    'div',
    { class: 'legend' },
    Object.entries(colors).map(([k, c]) =>
      h(
        'span',
        {},
        s(
          'svg',
          { width: 10, height: 10, class: 'swatch' },
          s('rect', { width: 10, height: 10, rx: 2, fill: c }),
        ),
        ` ${k}`,
      ),
    ),
  );
}

function shareBars(entries) {
  const total = entries.reduce((a, [, v]) => a + v, 0) || 1;
  const width = 560;
  const rowH = 22;
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${Math.max(rowH, entries.length * rowH)}`,
    width: '100%',
    role: 'img',
    'aria-label': 'share by category',
    class: 'chart share',
  });
  entries.forEach(([name, v], i) => {
    const w = ((width - 200) * v) / total;
    svg.append(s('text', { x: 0, y: i * rowH + 15 }, name));
    const r = s('rect', {
      x: 130,
      y: i * rowH + 4,
      width: Math.max(2, w),
      height: rowH - 8,
      fill: CAT_COLORS[i % CAT_COLORS.length],
      'data-category': name,
      'data-value': v,
    });
    r.append(s('title', {}, `${name}: ${v}`));
    svg.append(r);
    svg.append(s('text', { x: 136 + w, y: i * rowH + 15 }, `${v} (${Math.round((100 * v) / total)}%)`));
  });
  return svg;
}

function latencyLine(daily) {
  const width = 560;
  const height = 160;
  const pad = { l: 64, r: 8, t: 8, b: 28 };
  const days = [...new Set(daily.map((d) => d.day))].sort();
  const max = Math.max(1, ...daily.map((d) => d.p50));
  const x = (i) =>
    pad.l +
    (days.length <= 1 ? (width - pad.l - pad.r) / 2 : (i * (width - pad.l - pad.r)) / (days.length - 1));
  const y = (v) => pad.t + (height - pad.t - pad.b) * (1 - v / max);
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width: '100%',
    role: 'img',
    'aria-label': 'detection latency',
    class: 'chart latency',
  });
  for (const t of [0, max / 2, max]) {
    svg.append(s('line', { x1: pad.l, x2: width - pad.r, y1: y(t), y2: y(t), stroke: '#27313d' }));
    svg.append(s('text', { x: pad.l - 4, y: y(t) + 4, 'text-anchor': 'end' }, fmtDuration(Math.round(t))));
  }
  for (const eco of Object.keys(ECO_COLORS)) {
    const pts = daily.filter((d) => d.ecosystem === eco).map((d) => [x(days.indexOf(d.day)), y(d.p50), d]);
    if (!pts.length) continue;
    svg.append(
      s('polyline', {
        points: pts.map((p) => `${p[0]},${p[1]}`).join(' '),
        fill: 'none',
        stroke: ECO_COLORS[eco],
        'stroke-width': 2,
      }),
    );
    for (const [px, py, d] of pts) {
      const c = s('circle', { cx: px, cy: py, r: 3, fill: ECO_COLORS[eco] });
      c.append(s('title', {}, `${d.day} ${eco}: median ${fmtDuration(d.p50)} over ${d.count}`));
      svg.append(c);
    }
  }
  days.forEach((d, i) => {
    if (days.length <= 10 || i % Math.ceil(days.length / 8) === 0)
      svg.append(s('text', { x: x(i), y: height - 8, 'text-anchor': 'middle' }, d.slice(5)));
  });
  return svg;
}

// --- pages ------------------------------------------------------------------------------
const INTERVALS = ['day', 'week', 'quarter'];

async function overview(params) {
  const interval = INTERVALS.includes(params.get('interval')) ? params.get('interval') : 'day';
  const [stats, weekly, latency, recent, jobs, campaigns] = await Promise.all([
    api(`/api/v1/stats?interval=${interval}`),
    api('/api/v1/stats?interval=week'),
    api('/api/v1/stats/latency'),
    api('/api/v1/detections/recent?limit=20'),
    api('/api/v1/jobs?limit=1'),
    api('/api/v1/campaigns'),
  ]);
  const periods = [...new Set(stats.series.map((b) => b.period))].sort();
  const perEco = {};
  for (const b of stats.series) {
    perEco[b.ecosystem] = perEco[b.ecosystem] || {};
    perEco[b.ecosystem][b.period] = b.count;
  }
  const byCat = {};
  for (const b of weekly.buckets) byCat[b.category] = (byCat[b.category] || 0) + b.count;
  const catEntries = Object.entries(byCat)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12);
  const totalMal = Object.values(stats.totals).reduce((a, v) => a + v, 0);
  const c = jobs.counts;
  const lat = Object.entries(latency.overall);
  render(
    h('h1', {}, 'Overview'),
    h(
      'div',
      { class: 'kpis' },
      h(
        'div',
        { class: 'kpi', id: 'kpi-malicious' },
        h('b', {}, totalMal),
        h('span', {}, 'malicious package versions'),
      ),
      h('div', { class: 'kpi', id: 'kpi-scanned' }, h('b', {}, c.done), h('span', {}, 'versions scanned')),
      h('div', { class: 'kpi' }, h('b', {}, c.queued + c.active), h('span', {}, 'waiting in queue')),
      h('div', { class: 'kpi' }, h('b', {}, c.parked), h('span', {}, 'parked jobs')),
      h('div', { class: 'kpi' }, h('b', {}, campaigns.campaigns.length), h('span', {}, 'campaigns')),
    ),
    h(
      'div',
      { class: 'grid' },
      h(
        'section',
        { class: 'panel', id: 'chart-time' },
        h('h2', {}, `Malicious packages per ${interval} and ecosystem`),
        h(
          'div',
          { class: 'interval' },
          INTERVALS.map((i) =>
            h(
              'a',
              { href: `#/?interval=${i}`, class: i === interval ? 'active' : undefined, 'data-interval': i },
              i,
            ),
          ),
        ),
        periods.length
          ? [stackedBars(periods, perEco, ECO_COLORS), legend(ECO_COLORS)]
          : h('p', { class: 'empty' }, 'No detections yet.'),
      ),
      h(
        'section',
        { class: 'panel', id: 'chart-categories' },
        h('h2', {}, 'Share by category'),
        catEntries.length ? shareBars(catEntries) : h('p', { class: 'empty' }, 'No detections yet.'),
      ),
      h(
        'section',
        { class: 'panel', id: 'chart-latency' },
        h('h2', {}, 'Detection latency (publish → verdict, daily median)'),
        latency.daily.length
          ? [latencyLine(latency.daily), legend(ECO_COLORS)]
          : h('p', { class: 'empty' }, 'No latency data yet.'),
        lat.length
          ? h(
              'p',
              { class: 'muted' },
              lat
                .map(
                  ([eco, v]) => `${eco}: p50 ${fmtDuration(v.p50)}, p95 ${fmtDuration(v.p95)} (${v.count})`,
                )
                .join(' · '),
            )
          : null,
      ),
    ),
    h(
      'section',
      { class: 'panel', id: 'latest' },
      h('h2', {}, 'Latest detections'),
      detectionsTable(recent.detections, 'No malicious packages detected yet.'),
    ),
  );
}

function findingView(f) {
  return h(
    'div',
    { class: 'finding' },
    h(
      'div',
      {},
      h('span', { class: `sev ${f.severity}` }, f.severity),
      h('code', {}, f.ruleId),
      ' ',
      h('span', { class: 'tag' }, f.category),
      h('span', { class: 'tag' }, f.context),
      f.file ? h('span', { class: 'muted' }, ` ${f.file}${f.line ? `:${f.line}` : ''}`) : null,
    ),
    h('div', {}, f.message),
    f.snippet ? h('pre', { class: 'snippet' }, f.snippet) : null,
    f.iocs?.length
      ? h(
          'div',
          {},
          f.iocs.map((i) => h('span', { class: 'tag ioc' }, i)),
        )
      : null,
  );
}

async function packagePage(eco, rest) {
  const data = await api(`/api/v1/packages/${encodeURIComponent(eco)}/${rest}`);
  if (data.versions) {
    render(
      h('h1', {}, `${data.name} (${data.ecosystem})`),
      h('section', { class: 'panel' }, detectionsTable(data.versions, 'No versions.')),
    );
    return;
  }
  if (data.status !== 'scanned') {
    render(
      h('h1', {}, `${data.name}@${data.version}`),
      h('p', {}, badge(data.status), ` after ${data.attempts} attempt(s)`),
      data.error ? h('pre', { class: 'snippet' }, data.error) : null,
    );
    return;
  }
  const findings = data.findings.filter((f) => !f.suppressed && f.severity !== 'info');
  render(
    h('h1', { id: 'pkg-title' }, `${data.name}@${data.version}`),
    h(
      'p',
      {},
      badge(data.verdict),
      ` score ${data.score}/100 · ${data.ecosystem} · published ${fmtTime(data.publishedAt)} · scanned ${fmtTime(data.scannedAt)} · latency ${fmtDuration(data.latencyMs)}`,
      data.publisher ? ` · publisher ${data.publisher}` : '',
    ),
    h(
      'div',
      { class: 'grid' },
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'Why'),
        data.reasons.length
          ? h(
              'ul',
              {},
              data.reasons.map((r) => h('li', {}, r)),
            )
          : h('p', { class: 'muted' }, 'No reasons: clean.'),
        h(
          'div',
          {},
          data.categories.map((c) => h('span', { class: 'tag' }, c)),
        ),
      ),
      h(
        'section',
        { class: 'panel', id: 'pkg-iocs' },
        h('h2', {}, 'Indicators of compromise'),
        data.iocs.length
          ? h(
              'ul',
              {},
              data.iocs.map((i) => h('li', {}, h('code', {}, i))),
            )
          : h('p', { class: 'muted' }, 'None extracted.'),
      ),
    ),
    h(
      'section',
      { class: 'panel', id: 'findings' },
      h('h2', {}, `Findings (${findings.length})`),
      findings.length ? findings.map(findingView) : h('p', { class: 'empty' }, 'No findings.'),
    ),
    h('p', { class: 'muted' }, 'Digest ', h('code', {}, data.digest)),
  );
}

async function searchPage(params) {
  const q = params.get('q') || '';
  const eco = params.get('ecosystem') || '';
  document.getElementById('q').value = q;
  document.getElementById('q-eco').value = eco;
  const qs = new URLSearchParams({ q, limit: '100' });
  if (eco) qs.set('ecosystem', eco);
  const data = await api(`/api/v1/search?${qs}`);
  render(
    h('h1', {}, `Search: “${q}”`),
    h('p', { class: 'muted' }, `${data.total} result(s)`),
    h(
      'section',
      { class: 'panel', id: 'results' },
      detectionsTable(data.results, 'Nothing in the index matches.'),
    ),
  );
}

function campaignCard(c) {
  return h(
    'section',
    { class: 'panel campaign', 'data-id': c.id },
    h(
      'h2',
      {},
      h('a', { href: `#/campaign/${c.id}` }, c.id),
      ` — ${c.size} package version(s) · ${c.ecosystems.join(', ')}`,
    ),
    c.attribution.length
      ? c.attribution.map((a) =>
          h(
            'p',
            { class: 'attribution' },
            'Attributed to ',
            h('b', {}, a.actor),
            ` (${a.name}, indicator set ${a.set}@${a.version}) — confidence `,
            badge(a.confidence),
          ),
        )
      : h('p', { class: 'muted' }, 'No known actor matches (unattributed cluster).'),
    h(
      'div',
      {},
      c.links.slice(0, 6).map((l) => h('span', { class: 'tag' }, `${l.kind}: ${l.value}`)),
    ),
    h(
      'p',
      { class: 'muted' },
      `${fmtTime(c.firstSeen)} → ${fmtTime(c.lastSeen)}; categories: ${c.categories.join(', ') || '—'}`,
    ),
  );
}

async function campaignsPage() {
  const data = await api('/api/v1/campaigns');
  render(
    h('h1', {}, 'Campaigns'),
    h(
      'p',
      { class: 'muted' },
      'Clusters of detections that share IOCs, similar payload code (TLSH) or publishers, with attribution from curated, versioned indicator sets.',
    ),
    data.campaigns.length
      ? data.campaigns.map(campaignCard)
      : h('p', { class: 'empty' }, 'No campaigns yet.'),
  );
}

async function campaignPage(id) {
  const c = await api(`/api/v1/campaigns/${encodeURIComponent(id)}`);
  render(
    h('h1', {}, `Campaign ${c.id}`),
    campaignCard(c),
    c.attribution.length
      ? h(
          'section',
          { class: 'panel' },
          h('h2', {}, 'Attribution evidence'),
          c.attribution.map((a) => [
            h('p', {}, h('b', {}, a.actor), ' — ', badge(a.confidence)),
            h(
              'ul',
              {},
              a.basis.map((b) => h('li', {}, b)),
            ),
            h(
              'p',
              { class: 'muted' },
              a.references.map((r) => h('div', {}, r)),
            ),
          ]),
        )
      : null,
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Shared indicators'),
      c.sharedIocs.length
        ? h(
            'ul',
            {},
            c.sharedIocs.map((i) => h('li', {}, h('code', {}, i))),
          )
        : h('p', { class: 'muted' }, '—'),
    ),
    h('section', { class: 'panel' }, h('h2', {}, 'Members'), detectionsTable(c.members, '—')),
  );
}

async function iocsPage() {
  const data = await api('/api/v1/iocs?limit=200');
  render(
    h('h1', {}, 'Indicators of compromise'),
    h(
      'section',
      { class: 'panel' },
      data.iocs.length
        ? h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, 'Indicator'),
                h('th', {}, 'Kind'),
                h('th', {}, 'Packages'),
                h('th', {}, 'Last seen'),
              ),
            ),
            h(
              'tbody',
              {},
              data.iocs.map((i) =>
                h(
                  'tr',
                  {},
                  h('td', {}, h('code', {}, i.value)),
                  h('td', {}, i.kind),
                  h('td', {}, i.packages),
                  h('td', {}, fmtTime(i.lastSeen)),
                ),
              ),
            ),
          )
        : h('p', { class: 'empty' }, 'No IOCs yet.'),
    ),
  );
}

async function jobsPage() {
  const data = await api('/api/v1/jobs?state=parked&limit=200');
  const c = data.counts;
  render(
    h('h1', {}, 'Jobs'),
    h('p', {}, `queued ${c.queued} · active ${c.active} · done ${c.done} · parked ${c.parked}`),
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Parked jobs'),
      data.jobs.length
        ? h(
            'table',
            {},
            h(
              'tbody',
              {},
              data.jobs.map((j) =>
                h(
                  'tr',
                  {},
                  h('td', {}, `${j.ecosystem}:${j.name}@${j.version}`),
                  h('td', {}, `${j.attempts} attempts`),
                  h('td', {}, h('code', {}, j.lastError || '')),
                ),
              ),
            ),
          )
        : h('p', { class: 'empty' }, 'No parked jobs.'),
    ),
  );
}

async function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query] = hash.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  try {
    if (parts[0] === 'package' && parts.length >= 3)
      await packagePage(parts[1], parts.slice(2).map(encodeURIComponent).join('/'));
    else if (parts[0] === 'search') await searchPage(new URLSearchParams(query || ''));
    else if (parts[0] === 'campaigns') await campaignsPage();
    else if (parts[0] === 'campaign' && parts[1]) await campaignPage(parts[1]);
    else if (parts[0] === 'iocs') await iocsPage();
    else if (parts[0] === 'jobs') await jobsPage();
    else await overview(new URLSearchParams(query || ''));
  } catch (err) {
    render(
      h(
        'div',
        { class: 'error-box', role: 'alert' },
        err.status === 404 ? `Not found: ${err.message}` : `Could not load this page: ${err.message}`,
      ),
    );
  }
  document.body.dataset.ready = hash;
}

document.getElementById('search').addEventListener('submit', (e) => {
  e.preventDefault();
  const qs = new URLSearchParams({ q: document.getElementById('q').value.trim() });
  const eco = document.getElementById('q-eco').value;
  if (eco) qs.set('ecosystem', eco);
  location.hash = `#/search?${qs}`;
});
window.addEventListener('hashchange', route);
route();
