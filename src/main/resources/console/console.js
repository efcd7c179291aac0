// Sluice operator console. Plain JS, no framework, nothing from the internet. Every piece of data is put on the page
// with textContent (never innerHTML), so a rating's message or a dead letter's payload can never become markup.
// The browser's HTTP Basic credentials (the login prompt of /console/) go with every call to /api, which checks the
// role of each call again: a viewer sees the buttons, and the API answers them with 403.
'use strict';

const API = '/api';
const PAGES = ['flows', 'dead-letters', 'alerts', 'loans', 'windows'];
const REFRESH_MS = { flows: 2000, alerts: 3000, loans: 3000, windows: 5000 };
const COLORS = ['#0b5cad', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#0a7b83', '#57606a'];
let current = null;
let timer = null;
const selected = new Set(); // dead letters ticked, as "topic-partition@offset", kept across refreshes

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function say(text, kind) {
  const m = document.getElementById('message');
  m.textContent = text;
  m.className = kind || '';
  m.setAttribute('role', kind === 'error' ? 'alert' : 'status');
}

async function call(method, path, body) {
  const r = await fetch(API + path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (!r.ok) {
    const error = new Error((data && data.error) || ('HTTP ' + r.status));
    error.status = r.status;
    error.data = data;
    throw error;
  }
  return { status: r.status, data };
}

function fail(what, e) {
  say(what + ': ' + (e.status ? e.status + ' ' : '') + e.message, 'error');
}

function num(v) { return v === null || v === undefined ? '–' : Number(v).toLocaleString('en'); }
function time(iso) { return iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') : ''; }
function stateCell(state) { return el('td', { class: 'state state-' + String(state).replace(/[^A-Za-z]/g, '') }, state); }
function fill(tbody, rows) { tbody.replaceChildren(...rows); }

// --- Flows ----------------------------------------------------------------------------------------------------------
async function flows() {
  const { data } = await call('GET', '/console/flows');
  fill(document.querySelector('#flows-table tbody'), data.flows.map(f => el('tr', { 'data-flow': f.flow },
    el('th', { scope: 'row' }, f.flow), stateCell(f.state), el('td', { class: 'topic' }, f.topic || ''),
    el('td', { class: 'num rate' }, f.records_per_second.toFixed(1)), el('td', { class: 'num records' }, num(f.records_in)),
    el('td', { class: 'num lag' }, num(f.lag)), el('td', { class: 'num dead' }, num(f.dead_letters)),
    el('td', { class: 'error' }, f.last_error ? time(f.last_error.at) + ' ' + f.last_error.message : ''))));
  document.getElementById('deps').replaceChildren(...data.dependencies.map(d => {
    const details = Object.entries(d.details || {}).map(([k, v]) => k + ': ' + v).join(', ');
    return el('li', { 'data-dep': d.name }, el('strong', {}, d.name), ' ', el('span', { class: 'state state-' + d.state }, d.state),
      d.message ? el('span', { class: 'detail' }, d.message) : null, details ? el('span', { class: 'detail' }, details) : null);
  }));
  document.getElementById('flows-updated').textContent = 'updated ' + new Date().toLocaleTimeString('en-GB');
}

// --- Dead letters ---------------------------------------------------------------------------------------------------
function letterId(l) { return l.topic + '-' + l.partition + '@' + l.offset; }

async function deadLetters() {
  const topic = document.getElementById('dl-topic').value;
  const reason = document.getElementById('dl-reason').value;
  const q = new URLSearchParams();
  if (topic) q.set('topic', topic);
  if (reason) q.set('reason', reason);
  const { data } = await call('GET', '/console/dead-letters' + (q.toString() ? '?' + q : ''));
  const select = document.getElementById('dl-topic');
  if (select.options.length === 1) {
    for (const t of data.topics) select.append(el('option', { value: t.topic }, t.topic));
  }
  for (const t of data.topics) {
    const o = [...select.options].find(x => x.value === t.topic);
    if (o) o.textContent = t.topic + ' (' + t.letters + ')';
  }
  fill(document.querySelector('#dl-table tbody'), data.letters.map(l => {
    const id = letterId(l);
    const box = el('input', { type: 'checkbox', 'aria-label': 'Select letter ' + id, 'data-letter': id,
      checked: selected.has(id), disabled: !!l.action,
      onchange: e => e.target.checked ? selected.add(id) : selected.delete(id) });
    box.dataset.topic = l.topic; box.dataset.partition = l.partition; box.dataset.offset = l.offset;
    const done = l.action ? l.action.action + ' by ' + l.action.by + ' ' + time(l.action.at) : '';
    return el('tr', { 'data-letter': id }, el('td', {}, box), el('td', {}, time(l.timestamp)), el('td', {}, id),
      el('td', { class: 'reason' }, l.reason || ''), el('td', {}, l.source || ''), el('td', {}, l.key || ''),
      el('td', { class: 'payload' }, l.payload || ''), el('td', { class: 'done' }, done));
  }));
}

async function actOnSelected(action) {
  const letters = [...document.querySelectorAll('#dl-table input[type=checkbox]:checked')]
    .map(b => ({ topic: b.dataset.topic, partition: Number(b.dataset.partition), offset: Number(b.dataset.offset) }));
  if (letters.length === 0) { say('Select letters first', 'error'); return; }
  try {
    const { data } = await call('POST', '/console/dead-letters/' + action, { letters });
    const counts = {};
    for (const r of data.results) counts[r.outcome] = (counts[r.outcome] || 0) + 1;
    say(Object.entries(counts).map(([k, v]) => v + ' ' + k).join(', ') + ': '
      + data.results.map(r => r.topic + '-' + r.partition + '@' + r.offset + ' ' + r.outcome + ' (' + r.detail + ')').join('; '),
      data.results.every(r => r.outcome === 'replayed' || r.outcome === 'discarded') ? 'ok' : 'error');
    selected.clear();
  } catch (e) {
    fail(action === 'replay' ? 'Replay' : 'Discard', e);
  }
  await deadLetters().catch(e => fail('Dead letters', e));
}

// --- VIP alerts -----------------------------------------------------------------------------------------------------
async function alerts() {
  const { data } = await call('GET', '/console/alerts');
  fill(document.querySelector('#alerts-table tbody'), data.alerts.map(a => {
    const canResend = (a.state === 'failed' || a.state === 'unknown') && a.letter && !a.resent;
    const action = canResend
      ? el('button', { type: 'button', class: 'resend', 'data-rating': a.rating_id, onclick: () => resend(a.rating_id) }, 'Re-send')
      : (a.resent ? 're-sent by ' + a.resent.by + ' ' + time(a.resent.at) : '');
    return el('tr', { 'data-rating': a.rating_id }, el('td', {}, time(a.time)), el('td', {}, a.rating_id),
      el('td', {}, (a.full_name || '') + ' ' + (a.email || '')), el('td', { class: 'num' }, a.stars),
      el('td', { class: 'reason' }, a.message || ''), stateCell(a.state), el('td', { class: 'reason' }, a.reason || ''),
      el('td', {}, action));
  }));
}

async function resend(rating) {
  try {
    const { data } = await call('POST', '/console/alerts/' + encodeURIComponent(rating) + '/resend');
    say('Alert for rating ' + rating + ' re-sent: ' + data.detail, 'ok');
  } catch (e) {
    fail('Re-send of rating ' + rating, e);
  }
  await alerts().catch(e => fail('VIP alerts', e));
}

// --- Loans ----------------------------------------------------------------------------------------------------------
async function loans() {
  const { data } = await call('GET', '/console/loans');
  fill(document.querySelector('#loans-table tbody'), data.loans.map(l => {
    const id = l.cust_ids + '/' + l.loan_id;
    const action = l.status === 'received'
      ? el('button', { type: 'button', class: 'approve', 'data-loan': id, onclick: () => approve(l.cust_ids, l.loan_id) }, 'Approve')
      : '';
    return el('tr', { 'data-loan': id }, el('td', {}, time(l.at)), el('td', {}, l.cust_ids), el('td', {}, l.loan_id),
      el('td', { class: 'num' }, num(l.loan_amount)), el('td', {}, l.name), stateCell(l.status),
      el('td', { class: 'num' }, l.monthly_inst === undefined ? '' : num(l.monthly_inst)),
      el('td', {}, l.approved_by ? l.approved_by + ' ' + time(l.approved_at) : ''), el('td', {}, action));
  }));
}

async function approve(cust, loan) {
  try {
    // the loans API's own approval: the same code as every other approval
    const { status, data } = await call('POST', '/loans/' + encodeURIComponent(cust) + '/' + encodeURIComponent(loan) + '/approval');
    say('Loan ' + loan + ' of customer ' + cust + (status === 201 ? ' approved' : ' was approved already')
      + ': monthly instalment ' + data.monthly_inst + ', by ' + data.approved_by, 'ok');
  } catch (e) {
    fail('Approval of loan ' + loan, e);
  }
  await loans().catch(e => fail('Loans', e));
}

// --- Windows --------------------------------------------------------------------------------------------------------
const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

function chart(w) {
  const W = 360, H = 160, L = 40, B = 22, T = 8;
  const points = w.results;
  const max = Math.max(1, ...points.flatMap(p => Object.values(p.values)));
  const groups = w.groups;
  const s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': w.name + ': ' + w.measure + ' per ' + w.group_by + ' per window' });
  s.append(svg('title', {}, w.name + ': ' + w.measure + ' by ' + w.group_by));
  s.append(svg('line', { x1: L, y1: H - B, x2: W - 4, y2: H - B, stroke: '#d0d7de' }));
  s.append(svg('text', { x: L - 4, y: T + 8, 'text-anchor': 'end', 'font-size': 10, fill: '#57606a' }, max.toLocaleString('en')));
  s.append(svg('text', { x: L - 4, y: H - B, 'text-anchor': 'end', 'font-size': 10, fill: '#57606a' }, 0));
  const slot = (W - L - 4) / Math.max(1, points.length);
  const bar = Math.max(1, (slot - 2) / Math.max(1, groups.length));
  points.forEach((p, i) => {
    groups.forEach((g, j) => {
      const v = p.values[g] || 0;
      const h = (H - B - T) * v / max;
      const r = svg('rect', { x: L + i * slot + 1 + j * bar, y: H - B - h, width: bar, height: h, fill: COLORS[j % COLORS.length] });
      r.append(svg('title', {}, g + ' @ ' + p.window_start + ': ' + v));
      s.append(r);
    });
    if (i === 0 || i === points.length - 1) {
      s.append(svg('text', { x: L + i * slot + slot / 2, y: H - 6, 'text-anchor': 'middle', 'font-size': 10, fill: '#57606a' }, p.window_start));
    }
  });
  const legend = el('ul', { class: 'legend' }, ...groups.map((g, j) => {
    const swatch = el('span', { 'aria-hidden': 'true' });
    swatch.style.background = COLORS[j % COLORS.length];
    return el('li', {}, swatch, g);
  }));
  const latest = points.length ? points[points.length - 1] : null;
  const summary = latest ? 'latest window ' + latest.window_start + ': '
    + Object.entries(latest.values).map(([g, v]) => g + ' ' + v).join(', ') : 'no results yet';
  return el('figure', { 'data-window': w.name }, el('figcaption', {}, w.name + ' (' + w.kind + ', ' + w.measure + ' by ' + w.group_by + ')'),
    s, legend, el('p', { class: 'latest' }, summary));
}

async function windows() {
  const { data } = await call('GET', '/console/windows');
  document.getElementById('charts').replaceChildren(...data.windows.map(chart));
}

// --- Navigation -----------------------------------------------------------------------------------------------------
const LOADERS = { flows, 'dead-letters': deadLetters, alerts, loans, windows };

function show(page) {
  if (!PAGES.includes(page)) page = 'flows';
  current = page;
  for (const p of PAGES) document.getElementById(p).hidden = p !== page;
  for (const b of document.querySelectorAll('nav button')) {
    if (b.dataset.page === page) b.setAttribute('aria-current', 'page'); else b.removeAttribute('aria-current');
  }
  document.title = document.getElementById(page).dataset.title + ' – Sluice console';
  clearTimeout(timer);
  const load = () => LOADERS[page]().catch(e => fail(document.getElementById(page).dataset.title, e))
    .finally(() => { if (current === page && REFRESH_MS[page]) timer = setTimeout(load, REFRESH_MS[page]); });
  load();
}

for (const b of document.querySelectorAll('nav button')) {
  b.addEventListener('click', () => { location.hash = b.dataset.page; });
}
window.addEventListener('hashchange', () => { say(''); show(location.hash.slice(1)); });
document.getElementById('dl-filter').addEventListener('submit', e => { e.preventDefault(); deadLetters().catch(x => fail('Dead letters', x)); });
document.getElementById('dl-replay').addEventListener('click', () => actOnSelected('replay'));
document.getElementById('dl-discard').addEventListener('click', () => actOnSelected('discard'));
show(location.hash.slice(1));
