/** Where the page's script and styles are served from (this server only: it works offline). */
export const RETRO_ASSETS_PATH = '/retro/assets';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The HTML shell of `/retro/:cycleId`; the script does the rest through the public API. */
export function retroPage(cycleId: string, developmentSignIn: boolean): string {
  const config = escapeHtml(JSON.stringify({ cycleId, developmentSignIn }));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Retrospective · OKR Ledger</title>
<link rel="stylesheet" href="${RETRO_ASSETS_PATH}/retro.css">
</head>
<body data-config="${config}" data-state="signed-out">
<header><h1>Retrospective <span id="cycle-name"></span></h1><p id="cycle-dates"></p></header>
<section id="sign-in">
  <form id="dev-sign-in" hidden>
    <strong>Development sign-in</strong> (not offered in production)
    <label>Organisation <input name="org" value="demo" required></label>
    <label>Role <select name="role"><option>AUDITOR</option><option>MEMBER</option><option>ADMIN</option></select></label>
    <button type="submit">Sign in</button>
  </form>
  <form id="token-sign-in">
    <label>or a bearer token <input name="token" type="password" autocomplete="off" placeholder="npm run token -- --sub you --org demo"></label>
    <button type="submit">Use token</button>
  </form>
  <p id="status" role="status"></p>
</section>
<main id="retro" hidden>
  <section><h2>Burn-up</h2><div id="burn-up" class="chart"></div></section>
  <section>
    <h2>The alignment tree, day by day</h2>
    <div class="slider"><input id="day" type="range" min="0" max="0" value="0" aria-label="Day of the cycle"><output id="day-label"></output></div>
    <div id="alignment" class="chart"></div>
  </section>
  <section><h2>Mid-quarter changes</h2><table id="changes"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Why</th><th>Change</th></tr></thead><tbody></tbody></table><div id="histories"></div></section>
  <section><h2>Final scores</h2><p class="hint">0.7 is a good score: an ambitious objective that scores 1.0 was probably not ambitious enough.</p><ol id="scores"></ol></section>
</main>
<script src="${RETRO_ASSETS_PATH}/retro.js"></script>
</body>
</html>
`;
}

export const RETRO_CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1040px; padding: 16px 24px; color: #111827; }
h1 { font-size: 22px; margin: 8px 0 0; } h2 { font-size: 17px; margin: 24px 0 8px; }
#cycle-dates, .hint { color: #4b5563; margin: 4px 0; }
#sign-in form { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin: 8px 0; }
.chart svg { max-width: 100%; height: auto; border: 1px solid #e5e7eb; border-radius: 6px; }
.slider { display: flex; gap: 12px; align-items: center; } .slider input { flex: 1; }
#day-label { font-variant-numeric: tabular-nums; min-width: 120px; font-weight: 600; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
#scores { padding-left: 20px; } #scores li { margin: 6px 0; }
#scores li > div { display: grid; grid-template-columns: 420px 250px 48px 48px; align-items: center; }
.bar { position: relative; display: inline-block; width: 240px; height: 12px; background: #f3f4f6; }
.bar span { position: absolute; left: 0; top: 0; bottom: 0; background: #9ca3af; } .bar.good span { background: #16a34a; }
.bar i { position: absolute; left: 70%; top: -3px; bottom: -3px; border-left: 2px solid #111827; }
.score { font-variant-numeric: tabular-nums; font-weight: 600; }
`;

/**
 * The page's script. It holds the token in memory only and calls the public API: GraphQL and
 * the chart URLs, each with the Authorization header. Plain ES2020, no build step.
 */
export const RETRO_SCRIPT = String.raw`(() => {
  'use strict';
  const config = JSON.parse(document.body.dataset.config);
  const GOOD_SCORE = 0.7;
  // Changes to what was promised; check-ins are progress, not changes, and the trail has them too.
  const CHANGE_TYPES = ['KeyResultRedefined', 'ObjectiveRevised', 'ObjectiveAligned', 'ObjectiveArchived', 'KeyResultGraduated'];
  let token = null;
  let frames = [];
  let drawing = 0;
  const CHANGE_LABELS = { KeyResultRedefined: 'redefined', ObjectiveRevised: 'revised', ObjectiveAligned: 'aligned', ObjectiveArchived: 'archived', KeyResultGraduated: 'graduated' };
  const $ = (selector) => document.querySelector(selector);
  const setStatus = (message) => { $('#status').textContent = message; };

  async function graphql(query, variables) {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
      body: JSON.stringify({ query, variables }),
    });
    const body = await response.json();
    if (body.errors && body.errors.length) throw new Error(body.errors[0].message + ' (' + (body.errors[0].extensions || {}).code + ')');
    return body.data;
  }

  async function svg(url) {
    const response = await fetch(url, { headers: { authorization: 'Bearer ' + token } });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      const error = (body.errors && body.errors[0]) || { message: response.statusText, extensions: {} };
      throw new Error(error.message + ' (' + error.extensions.code + ')');
    }
    // Our own server's SVG, every text in it escaped: safe to put inline, and inline it can be read.
    return response.text();
  }

  const day = (iso) => new Date(iso).toISOString().slice(0, 10);
  const el = (tag, text, attrs) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  };

  async function drawAlignment(index) {
    const frame = frames[index];
    if (!frame) return;
    const mine = ++drawing;
    $('#day-label').textContent = day(frame.at);
    const text = await svg('/charts/cycles/' + encodeURIComponent(config.cycleId) + '/alignment.svg?asOf=' + encodeURIComponent(frame.at));
    // A later move of the slider wins over a slower earlier answer.
    if (mine !== drawing) return;
    const target = $('#alignment');
    target.innerHTML = text;
    target.dataset.asOf = frame.at;
    target.dataset.index = String(index);
  }

  async function load() {
    document.body.dataset.state = 'loading';
    setStatus('Loading…');
    const data = await graphql(
      'query Retro($id: ID!, $changes: [String!]) { cycle(id: $id) { name startsAt endsAt status } ' +
        'cycleReplay(cycleId: $id, every: DAY) { at progress objectives { objectiveId title progress health keyResults { keyResultId title } } } ' +
        'auditTrail(filter: { cycleId: $id, duringActiveCycleOnly: true, eventTypes: $changes }, first: 100) { edges { node { occurredAt actorId aggregateType aggregateId eventType reason changes { field from to } } } } }',
      { id: config.cycleId, changes: CHANGE_TYPES },
    );
    if (!data.cycle) throw new Error('No such cycle in this organisation (NOT_FOUND)');
    $('#cycle-name').textContent = data.cycle.name;
    $('#cycle-dates').textContent = day(data.cycle.startsAt) + ' – ' + day(data.cycle.endsAt) + ' · ' + data.cycle.status;
    frames = data.cycleReplay;
    const titles = new Map();
    for (const f of frames) for (const o of f.objectives) {
      titles.set(o.objectiveId, o.title);
      for (const k of o.keyResults) titles.set(k.keyResultId, k.title);
    }

    $('#burn-up').innerHTML = await svg('/charts/cycles/' + encodeURIComponent(config.cycleId) + '/burn-up.svg');

    const body = $('#changes tbody');
    body.replaceChildren();
    for (const { node } of data.auditTrail.edges) {
      const row = el('tr', undefined, { class: 'change', 'data-event-type': node.eventType });
      row.append(
        el('td', day(node.occurredAt)),
        el('td', node.actorId),
        el('td', (CHANGE_LABELS[node.eventType] || node.eventType) + ': ' + (titles.get(node.aggregateId) || node.aggregateType + ' ' + node.aggregateId)),
        el('td', node.reason || '—'),
        el('td', node.changes.map((c) => c.field + ': ' + c.from + ' → ' + c.to).join('; ')),
      );
      body.append(row);
    }
    if (!data.auditTrail.edges.length) body.append(el('tr')).append(el('td', 'No changes while the cycle was active.'));

    // What each redefined key result went through: value and target around its redefinitions.
    const histories = $('#histories');
    histories.replaceChildren();
    const redefined = [...new Set(data.auditTrail.edges.filter(({ node }) => node.eventType === 'KeyResultRedefined').map(({ node }) => node.aggregateId))];
    for (const id of redefined) {
      const chart = el('div', undefined, { class: 'chart', 'data-key-result-id': id });
      chart.innerHTML = await svg('/charts/key-results/' + encodeURIComponent(id) + '/history.svg');
      histories.append(chart);
    }

    const scores = $('#scores');
    scores.replaceChildren();
    const last = frames[frames.length - 1];
    for (const o of last ? last.objectives : []) {
      const good = o.progress >= GOOD_SCORE;
      const item = el('li', undefined, { 'data-objective-id': o.objectiveId, 'data-good': String(good) });
      const bar = el('span', undefined, { class: good ? 'bar good' : 'bar' });
      const fill = el('span');
      fill.style.width = Math.min(100, Math.round(o.progress * 100)) + '%';
      bar.append(fill, el('i', undefined, { title: GOOD_SCORE + ': a good score' }));
      const line = el('div');
      line.append(el('span', o.title), bar, el('span', o.progress.toFixed(2), { class: 'score' }), el('span', good ? 'good' : ''));
      item.append(line);
      scores.append(item);
    }

    const slider = $('#day');
    slider.max = String(Math.max(0, frames.length - 1));
    slider.value = slider.max;
    await drawAlignment(frames.length - 1);
    $('#sign-in').hidden = true;
    $('#retro').hidden = false;
    setStatus('');
    document.body.dataset.state = 'ready';
  }

  async function signIn(obtain) {
    try {
      token = await obtain();
      await load();
    } catch (error) {
      document.body.dataset.state = 'error';
      setStatus(String(error.message || error));
    }
  }

  $('#day').addEventListener('input', (event) => {
    drawAlignment(Number(event.target.value)).catch((error) => setStatus(String(error.message || error)));
  });
  $('#token-sign-in').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = new FormData(event.target).get('token').trim().replace(/^Bearer\s+/i, '');
    signIn(async () => value);
  });
  if (config.developmentSignIn) {
    const form = $('#dev-sign-in');
    form.hidden = false;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const fields = new FormData(form);
      signIn(async () => {
        const response = await fetch('/retro/development-token', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ org: fields.get('org'), role: fields.get('role') }),
        });
        const body = await response.json();
        if (!response.ok) throw new Error(body.errors[0].message);
        return body.token;
      });
    });
  }
})();
`;
