// Madoguchi admin dashboard: plain ES2020, no framework, no build step, and nothing loaded from
// anywhere but this server's admin API. Everything the API returns (bot names, residents' questions,
// pack files, error messages) is untrusted text: it is written with textContent / text nodes only,
// never innerHTML.
'use strict';

const API = '/admin/api/v1';
const TOKEN_KEY = 'madoguchi-admin:token';
const NOTICE_KEY = 'madoguchi-admin:notice';
const ROLE_NAMES = { strategy: 'スマートシティ戦略（strategy）', department: '部局', viewer: '閲覧のみ（viewer）' };
const KPIS = [ // [report field, label, format]
  ['sessions', '会話数', 'int'], ['resident_messages', '質問数', 'int'], ['answer_rate', '回答率', 'pct'],
  ['helpful_rate', '正答率', 'pct'], ['fallback_rate', 'フォールバック率', 'pct'],
  ['handoff_rate', '有人対応への引き継ぎ率', 'pct'], ['clarification_rate', '聞き返し率', 'pct'],
  ['avg_turns', '平均ターン数', 'dec'],
];

const $ = (id) => document.getElementById(id);
const state = {
  token: null, role: null, department: null, editable: new Set(), bots: [], loaded: new Set(),
  usage: null, intents: new Map(), pack: { bot: null, versions: [], detail: null },
  packFiles: [], // the files a pack may have (GET /pack-files), in the order editors read them
};
/** Whether this token may change `bot`'s pack: GET /me lists those bots, by the rule the pack API applies. */
const mayEdit = (bot) => state.editable.has(bot);
const strategy = () => state.role === 'strategy';

// ---- small DOM and formatting helpers -------------------------------------------------------

/** An element; `text` sets textContent, `on…` adds a listener; children may be strings (text nodes). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  node.append(...children.filter((c) => c != null));
  return node;
}

const numberFormat = new Intl.NumberFormat('ja-JP');
const yenFormat = new Intl.NumberFormat('ja-JP', { maximumFractionDigits: 2 });
const fmtInt = (n) => (n == null ? '—' : numberFormat.format(n));
const fmtYen = (n) => (n == null ? '—' : yenFormat.format(n));
const fmtDec = (n) => (n == null ? '—' : n.toFixed(2));
/** Rates arrive rounded to 4 places. Going through whole basis points and rounding half up gives the
 * same figure whatever the floating-point noise (the browser test formats the API's values this way). */
function fmtPct(rate) {
  if (rate == null) return '—';
  const tenths = Math.floor((Math.round(rate * 10000) + 5) / 10);
  return `${(tenths / 10).toFixed(1)}%`;
}
const fmtKpi = (kind, v) => (kind === 'pct' ? fmtPct(v) : kind === 'dec' ? fmtDec(v) : fmtInt(v));

/** Today in Japan (reports count days in Asia/Tokyo, UTC+9 all year), as YYYY-MM-DD. */
const japanToday = () => new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
function addDays(iso, days) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
function fiscalYearNow() {
  const [y, m] = japanToday().split('-').map(Number);
  return m >= 4 ? y : y - 1;
}
/** The pack API hands back SQLite timestamps without a zone; they are UTC, so say so before parsing. */
const parseTime = (s) => new Date(/(Z|[+-]\d\d:?\d\d)$/i.test(s) ? s : `${s}Z`);
const fmtTime = (s) => (s ? parseTime(s).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short' }) : '—');

const botName = (id) => {
  const bot = state.bots.find((b) => b.id === id);
  return bot ? `${bot.name.ja}（${id}）` : id;
};
const shortBotName = (id) => state.bots.find((b) => b.id === id)?.name.ja || id;

function cell(text, cls) { return el('td', { class: cls, text }); }
/** The width a chart has to draw in (its box without the padding). */
const chartWidth = (host) => Math.max(300, Math.round((host.clientWidth || 656) - 16));
function rowHeader(text) { return el('th', { scope: 'row', text }); }
function numCell(text) { return cell(text, 'num'); }

/** A message line: kind ok | error | '' (progress). Errors keep role=status from the markup. */
function say(target, text, kind = '') {
  target.textContent = text;
  target.className = `msg ${kind}`.trim();
}
function fail(target, err) { say(target, err.message, 'error'); }

// ---- the admin API ----------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `エラーが発生しました（HTTP ${status}）。`);
    this.status = status;
    this.code = error.code;
    this.diagnostics = error.diagnostics || [];
  }
}

/** Calls the admin API with the bearer token. A 401 after sign-in means the token was revoked:
 * back to the sign-in form. Other errors are thrown for the caller to show in place. */
async function api(path, { method = 'GET', body, raw = false } = {}) {
  const headers = { Authorization: `Bearer ${state.token}`, 'Accept-Language': 'ja' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(API + path, { method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { error: { message: 'サーバーに接続できません。ネットワークを確認してください。' } });
  }
  if (response.ok) return raw ? response : response.json();
  const error = new ApiError(response.status, await response.json().catch(() => null));
  if (response.status === 401 && !$('app').hidden) {
    // an expired token: the API's message says to create a new one with `madoguchi token create`
    signOut(error.code === 'token_expired' ? error.message : 'トークンが無効になりました（取り消されたか期限切れです）。もう一度サインインしてください。', 'error');
  }
  throw error;
}
const enc = encodeURIComponent;
/** Filters can change faster than reports arrive: each load takes a ticket, and only the answer to
 * the newest request of its kind is drawn. */
const tickets = {};
function ticket(kind) {
  const number = (tickets[kind] || 0) + 1;
  tickets[kind] = number;
  return () => tickets[kind] === number;
}
const query = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null)).toString();

/** Fetches a CSV/XLSX report with the bearer header and saves it through a Blob URL
 * (a plain link could not send the token). */
async function download(path, button, message) {
  button.disabled = true;
  try {
    const response = await api(path, { raw: true });
    const name = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') || '')?.[1] || 'madoguchi-report';
    const url = URL.createObjectURL(await response.blob());
    const link = el('a', { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    say(message, `${name} をダウンロードしました。`, 'ok');
  } catch (err) {
    fail(message, err);
  } finally {
    button.disabled = false;
  }
}

// ---- sign-in ----------------------------------------------------------------------------------

/** Who the token is (GET /me): its role, its department and the bots whose packs it may change. */
async function identify() {
  const me = await api('/me');
  state.role = me.role;
  state.department = me.department;
  state.editable = new Set(me.editable_bots);
}

async function signIn(token) {
  state.token = token;
  const message = $('signin-msg');
  say(message, '確認しています…');
  try {
    const [bots, , packFiles] = await Promise.all([api('/bots'), identify(), api('/pack-files')]);
    state.bots = bots;
    state.packFiles = packFiles.files;
  } catch (err) {
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    say(message, err.status === 401 && err.code !== 'token_expired' ? 'トークンが正しくないか、取り消されています。入力したトークンを確認してください。' : err.message, 'error');
    $('token').focus();
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  say(message, '');
  $('token').value = '';
  $('who-role').textContent = `権限: ${ROLE_NAMES[state.role]}${state.role === 'department' ? `（${state.department || '不明'}）` : ''}`;
  $('who').hidden = false;
  $('signin').hidden = true;
  $('app').hidden = false;
  fillBotSelect($('u-bot'), false, true);
  fillBotSelect($('p-bot'), false);
  $('p-name').replaceChildren(...state.packFiles.map((f) => el('option', { value: f, text: f })));
  $('p-name').value = 'responses.yml';
  fillBotSelect($('n-bot'), true, true);
  const tab = location.hash.slice(1);
  showTab(TABS[tab] ? tab : 'usage');
}

/** Forgets the token and reloads the page, so nothing the previous token could see stays in the
 * DOM; the message for the sign-in form survives the reload in sessionStorage. */
function signOut(text = 'サインアウトしました。', kind = 'ok') {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.setItem(NOTICE_KEY, JSON.stringify([text, kind]));
  location.reload();
}

/** Reports list the bots residents can talk to (`liveOnly`); the pack editor also those with drafts only. */
function fillBotSelect(select, withAll, liveOnly = false) {
  const current = select.value;
  select.replaceChildren(...(withAll ? [el('option', { value: '', text: 'すべてのボット' })] : []),
    ...state.bots.filter((b) => !liveOnly || b.live !== false).map((b) => el('option', { value: b.id, text: botName(b.id) })));
  if ([...select.options].some((o) => o.value === current)) select.value = current;
}

// ---- tabs -------------------------------------------------------------------------------------

const TABS = {
  usage: () => loadUsage(), cost: () => loadCost(), inventory: () => loadInventory(),
  unanswered: () => loadUnanswered(), packs: () => loadVersions(), bots: () => loadBots(),
};

/** Shows one section; its data is fetched the first time it is opened (the filters refresh it). */
function showTab(name) {
  for (const button of document.querySelectorAll('[data-tab]')) {
    const on = button.dataset.tab === name;
    if (on) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
    $(`tab-${button.dataset.tab}`).hidden = !on;
  }
  history.replaceState(null, '', `#${name}`);
  if (!state.loaded.has(name)) {
    state.loaded.add(name);
    TABS[name]();
  }
}

// ---- SVG charts -------------------------------------------------------------------------------

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text != null) node.textContent = text;
  return node;
}
/** A round axis maximum at or above `value`: four times a 1/2/2.5/5 × 10^n step. With `whole`
 * (counts) the step is a whole number, so the grid lines fall on whole numbers too. */
function niceMax(value, whole = false) {
  if (!(value > 0) || (whole && value <= 4)) return whole ? 4 : 1;
  const rough = value / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const steps = [1, 2, 2.5, 5, 10].map((f) => f * power).filter((step) => !whole || Number.isInteger(step));
  return 4 * steps.find((step) => step >= rough);
}

/** Vertical bars (left axis) and, optionally, a rate line on a 0–100 % right axis.
 * The SVG carries a summary as its label; the figures are also in a table beside it. */
function columnChart(host, { labels, bars, line, title, tick = (l) => l }) {
  const width = chartWidth(host);
  const height = 240;
  const m = { l: 48, r: line ? 52 : 12, t: 16, b: 36 };
  const w = width - m.l - m.r;
  const h = height - m.t - m.b;
  const max = niceMax(Math.max(0, ...bars.values), true);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'svg-chart' });
  for (let i = 0; i <= 4; i += 1) {
    const y = m.t + h - (h * i) / 4;
    chart.append(svg('line', { x1: m.l, x2: m.l + w, y1: y, y2: y, class: 'grid' }));
    chart.append(svg('text', { x: m.l - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' }, fmtInt((max * i) / 4)));
    if (line) chart.append(svg('text', { x: m.l + w + 6, y: y + 4, class: 'axis' }, `${i * 25}%`));
  }
  const band = w / Math.max(1, labels.length);
  const every = Math.max(1, Math.ceil(labels.length / Math.max(1, Math.floor(w / 56)))); // keep x labels apart
  labels.forEach((label, i) => {
    const value = bars.values[i] || 0;
    const barHeight = (h * value) / max;
    const bar = svg('rect', { x: m.l + i * band + band * 0.15, y: m.t + h - barHeight, width: Math.max(1, band * 0.7), height: barHeight, class: 'bar' });
    bar.append(svg('title', {}, `${label}: ${bars.name} ${fmtInt(value)}`));
    chart.append(bar);
    if (i % every === 0) chart.append(svg('text', { x: m.l + i * band + band / 2, y: height - m.b + 16, 'text-anchor': 'middle', class: 'axis' }, tick(label)));
  });
  if (line) { // a gap where the rate is undefined (no messages that day)
    let d = '';
    let pen = false;
    line.values.forEach((rate, i) => {
      if (rate == null) { pen = false; return; }
      const x = m.l + i * band + band / 2;
      const y = m.t + h - h * rate;
      d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
      pen = true;
      const dot = svg('circle', { cx: x, cy: y, r: 3, class: 'dot' });
      dot.append(svg('title', {}, `${labels[i]}: ${line.name} ${fmtPct(rate)}`));
      chart.append(dot);
    });
    chart.prepend(svg('path', { d, class: 'line' }));
  }
  chart.append(svg('line', { x1: m.l, x2: m.l + w, y1: m.t + h, y2: m.t + h, class: 'baseline' }));
  host.replaceChildren(chart, legend([['bar', bars.name], ...(line ? [['line', line.name]] : [])]));
}

/** Horizontal bars, one per label: long Japanese bot names stay readable. On a narrow screen the
 * label goes above its bar. null → the text empty(i). */
function barList(host, { labels, values, format, title, empty = () => '—' }) {
  const width = chartWidth(host);
  const stacked = width < 480;
  const rowHeight = stacked ? 44 : 30;
  const labelWidth = stacked ? 0 : Math.min(220, Math.round(width * 0.38));
  const plot = width - labelWidth - 100;
  const max = niceMax(Math.max(0, ...values.filter((v) => v != null)));
  const chart = svg('svg', { viewBox: `0 0 ${width} ${labels.length * rowHeight + 8}`, role: 'img', 'aria-label': title, class: 'svg-chart' });
  labels.forEach((label, i) => {
    const top = 4 + i * rowHeight + (stacked ? 16 : 0); // the bar's row
    const value = values[i];
    const length = value == null ? 0 : (plot * value) / max;
    const maxChars = stacked ? 40 : Math.floor((labelWidth - 8) / 14); // a CJK character is ~13 px wide
    const shown = value == null ? empty(i) : format(value);
    chart.append(svg('text', stacked ? { x: 0, y: top - 3, class: 'axis' } : { x: labelWidth - 8, y: top + 19, 'text-anchor': 'end', class: 'axis' },
      label.length > maxChars ? `${label.slice(0, maxChars - 1)}…` : label));
    const bar = svg('rect', { x: labelWidth, y: top + 5, width: Math.max(value ? 1 : 0, length), height: 20, class: 'bar' });
    bar.append(svg('title', {}, `${label}: ${shown}`));
    chart.append(bar, svg('text', { x: labelWidth + length + 6, y: top + 19, class: 'axis' }, shown));
  });
  host.replaceChildren(chart);
}

function legend(items) {
  return el('p', { class: 'legend', 'aria-hidden': 'true' },
    ...items.map(([kind, name]) => el('span', {}, el('span', { class: `swatch ${kind}` }), name)));
}

/** A small data table in a <details>, for charts whose figures are not in a table elsewhere. */
function chartTable(caption, headers, rows) {
  return el('details', { class: 'chart-data' }, el('summary', { text: '数値を表で見る' }),
    el('div', { class: 'table-wrap' }, el('table', {},
      el('caption', { text: caption }),
      el('thead', {}, el('tr', {}, ...headers.map((h, i) => el('th', { scope: 'col', class: i ? 'num' : null, text: h })))),
      el('tbody', {}, ...rows.map(([head, ...rest]) => el('tr', {}, rowHeader(head), ...rest.map((v) => numCell(v))))))));
}

// ---- 1. 利用状況 ---------------------------------------------------------------------------------

function usageParams() {
  return {
    date_from: $('u-from').value, date_to: $('u-to').value,
    granularity: document.querySelector('input[name="u-gran"]:checked').value,
    include_simulated: $('u-sim').checked,
  };
}

/** One request for every bot the token may see: the comparison needs them all, and each bot's numbers
 * are computed independently, so the selected bot's figures equal those of a bot=… request. */
async function loadUsage() {
  const message = $('usage-msg');
  say(message, '読み込んでいます…');
  const current = ticket('usage');
  try {
    const report = await api(`/reports/usage?${query(usageParams())}`);
    if (!current()) return;
    state.usage = report;
  } catch (err) {
    if (!current()) return;
    state.usage = null;
    renderUsage();
    return fail(message, err);
  }
  const r = state.usage;
  say(message, `${r.date_from} 〜 ${r.date_to}（日本時間）${r.include_simulated ? '・模擬データを含む' : ''}`);
  renderUsage();
  if (!state.demoChecked) await showDemoWhenOnlyDemo(r, current);
}

/** On a fresh demo install (`make run`) the only traffic is simulated: rather than open on empty
 * reports, tick 「模擬データを含める」 everywhere once and say so. Real traffic never gets mixed in
 * unasked: this happens only while there is none. */
async function showDemoWhenOnlyDemo(report, current) {
  state.demoChecked = true;
  const none = (r) => r.totals.every((t) => !t.sessions);
  if ($('u-sim').checked || !none(report)) return;
  let withDemo;
  try {
    withDemo = await api(`/reports/usage?${query({ ...usageParams(), include_simulated: true })}`);
  } catch {
    return;
  }
  if (!current() || none(withDemo)) return;
  for (const id of ['u-sim', 'c-sim', 'n-sim']) $(id).checked = true;
  state.usage = withDemo;
  renderUsage();
  say($('usage-msg'), `実際の利用はまだありません。デモ用の模擬データを表示しています（${withDemo.date_from} 〜 ${withDemo.date_to}、日本時間）。「模擬データを含める」のチェックを外すと実際の利用だけになります。`);
}

function renderUsage() {
  const report = state.usage;
  const bot = $('u-bot').value;
  const total = report?.totals.find((t) => t.bot === bot);
  $('u-cards').replaceChildren(...KPIS.map(([key, label, kind]) => el('div', { class: 'card' },
    el('dt', { text: label }),
    el('dd', { class: 'kpi-value', 'data-kpi': key, text: total ? fmtKpi(kind, total[key]) : '—' }),
    el('dd', { class: 'kpi-sub', text: total ? kpiDetail(key, total) : '' }))));
  for (const id of ['u-trend', 'u-compare-chart', 'u-hours']) $(id).replaceChildren();
  $('u-compare').tHead.replaceChildren();
  $('u-compare').tBodies[0].replaceChildren();
  $('u-intents').tBodies[0].replaceChildren();
  if (!report || !total) return;
  renderTrend(report, bot);
  renderComparison(report);
  $('u-intents').tBodies[0].replaceChildren(...(total.top_intents.length
    ? total.top_intents.map((t, i) => el('tr', {}, numCell(String(i + 1)), rowHeader(t.intent), cell(t.bot || '—'), numCell(fmtInt(t.count))))
    : [el('tr', {}, el('td', { colspan: 4, text: '理解できた質問はまだありません。' }))]));
  const hours = total.busiest_hours.map((_, h) => `${h}時`);
  columnChart($('u-hours'), { labels: hours, bars: { name: '質問数', values: total.busiest_hours }, title: `${botName(bot)} の時間帯別の質問数`, tick: (l) => l.replace('時', '') });
  $('u-hours').append(chartTable('時間帯別の質問数', ['時間帯', '質問数'], hours.map((h, i) => [h, fmtInt(total.busiest_hours[i])])));
}

function kpiDetail(key, t) {
  switch (key) {
    case 'answer_rate': return `${fmtInt(t.answered_messages)} / ${fmtInt(t.resident_messages)} 件に回答`;
    case 'helpful_rate': return t.ratings ? `評価 ${fmtInt(t.ratings)} 件中 ${fmtInt(t.helpful_ratings)} 件` : '評価なし';
    case 'fallback_rate': return `${fmtInt(t.fallback_messages)} 件`;
    case 'handoff_rate': return `${fmtInt(t.handoff_sessions)} / ${fmtInt(t.sessions)} 会話`;
    case 'clarification_rate': return `${fmtInt(t.clarification_messages)} 件`;
    case 'avg_turns': return '1会話あたりの質問数';
    default: return '期間の合計';
  }
}

/** Every day (or month) of the range: the report leaves out periods without activity. */
function periods(from, to, granularity) {
  const out = [];
  if (granularity === 'month') {
    let [y, m] = from.split('-').map(Number);
    const [ty, tm] = to.split('-').map(Number);
    for (; y < ty || (y === ty && m <= tm); m = m === 12 ? 1 : m + 1, y += m === 1 ? 1 : 0) out.push(`${y}-${String(m).padStart(2, '0')}`);
  } else {
    for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  }
  return out;
}

function renderTrend(report, bot) {
  const rows = new Map(report.rows.filter((r) => r.bot === bot).map((r) => [r.period, r]));
  const labels = periods(report.date_from, report.date_to, report.granularity);
  const messages = labels.map((p) => rows.get(p)?.resident_messages || 0);
  const rates = labels.map((p) => rows.get(p)?.answer_rate ?? null);
  const tick = report.granularity === 'day' ? (l) => `${+l.slice(5, 7)}/${+l.slice(8)}` : (l) => l;
  columnChart($('u-trend'), { labels, bars: { name: '質問数', values: messages }, line: { name: '回答率', values: rates }, title: `${botName(bot)} の質問数と回答率の推移`, tick });
  $('u-trend').append(chartTable('質問数と回答率の推移', ['期間', '質問数', '回答率'],
    labels.map((p, i) => [p, fmtInt(messages[i]), fmtPct(rates[i])])));
}

function renderComparison(report) {
  const [key, label, kind] = KPIS.find(([k]) => k === $('u-kpi').value) || KPIS[2];
  barList($('u-compare-chart'), {
    labels: report.totals.map((t) => shortBotName(t.bot)), values: report.totals.map((t) => t[key]),
    format: (v) => fmtKpi(kind, v), title: `ボット別の${label}`,
  });
  const table = $('u-compare');
  table.tHead.replaceChildren(el('tr', {}, el('th', { scope: 'col', text: 'ボット' }), ...KPIS.map(([, name]) => el('th', { scope: 'col', class: 'num', text: name }))));
  table.tBodies[0].replaceChildren(...report.totals.map((t) => el('tr', { 'data-bot': t.bot }, rowHeader(botName(t.bot)),
    ...KPIS.map(([k, , kd]) => el('td', { class: 'num', 'data-kpi': k, text: fmtKpi(kd, t[k]) })))));
}

// ---- 2. 費用 -----------------------------------------------------------------------------------

/** One rule for every report by fiscal year: it opens on the newest fiscal year that has data for
 * it, never one after the current year (cost: bots' projects; inventory: inventory lines). */
async function chooseYears() {
  if (state.yearsChosen) return;
  state.yearsChosen = true;
  let projects = [];
  try {
    projects = await api('/projects');
  } catch {
    return; // the current fiscal year stays chosen
  }
  const now = fiscalYearNow();
  const newest = (rows) => Math.max(...rows.map((p) => p.fiscal_year).filter((y) => y <= now), -1);
  const picks = { 'c-year': newest(projects.filter((p) => p.bot_id)), 'i-year': newest(projects.filter((p) => !p.bot_id)) };
  for (const [id, year] of Object.entries(picks)) if (year > 0) $(id).value = String(year);
}

async function loadCost() {
  const message = $('cost-msg');
  say(message, '読み込んでいます…');
  await chooseYears();
  const params = { fiscal_year: $('c-year').value, include_simulated: $('c-sim').checked };
  let report;
  let settings;
  const current = ticket('cost');
  try {
    [report, settings] = await Promise.all([api(`/reports/cost?${query(params)}`), api('/settings/cost')]);
  } catch (err) {
    return current() && fail(message, err);
  }
  if (!current()) return;
  say(message, '');
  $('c-period').textContent = `${report.fiscal_year}年度（${report.period_from} 〜 ${report.period_to}）。共通基盤の費用 ${fmtInt(report.shared_cost_thousand_yen)} 千円を${report.allocation === 'sessions' ? '会話数' : 'メッセージ数'}で按分しています。`
    + (report.unallocated_thousand_yen ? ` 利用がないため ${fmtInt(report.unallocated_thousand_yen)} 千円は按分されていません。` : '');
  const missing = (v) => (v == null ? '未入力' : fmtInt(v));
  // a per-unit figure is missing when the budget is (未入力), undefined when there was no traffic (—)
  const perUnit = (r, v) => (r.total_thousand_yen == null ? '未入力' : fmtYen(v));
  $('c-table').tBodies[0].replaceChildren(...report.bots.map((r) => el('tr', { 'data-bot': r.bot },
    rowHeader(botName(r.bot)), cell(r.department, 'nowrap'), numCell(missing(r.budget_thousand_yen)),
    numCell(fmtInt(r.shared_share_thousand_yen)), numCell(missing(r.total_thousand_yen)),
    numCell(fmtInt(r.sessions)), numCell(perUnit(r, r.cost_per_session_yen)),
    numCell(fmtInt(r.answered_messages)), numCell(perUnit(r, r.cost_per_answered_message_yen)))));
  const c = report.consolidation;
  const entry = (term, value) => [el('dt', { text: term }), el('dd', { text: value })];
  $('c-consolidation').replaceChildren(
    ...entry('統合前（各ボットが別々のシステムの場合、千円）', missing(c.before_thousand_yen)),
    ...entry('共通基盤の費用（千円）', fmtInt(c.shared_cost_thousand_yen)),
    ...entry('各ボットの事業費の合計（千円）', missing(c.own_budgets_thousand_yen)),
    ...entry('共通基盤での合計（千円）', missing(c.platform_total_thousand_yen)),
    ...entry('差額（統合前 − 共通基盤、千円）', c.difference_thousand_yen == null ? '計算できません（未入力あり）'
      : `${fmtInt(c.difference_thousand_yen)}${c.difference_thousand_yen > 0 ? '（削減）' : c.difference_thousand_yen < 0 ? '（増加）' : ''}`));
  const note = $('c-missing');
  note.hidden = c.complete;
  note.textContent = c.complete ? '' : `入力されていない金額があるため、合計と差額は計算していません（推計はしません）。`
    + (c.missing_budget.length ? ` 事業費が未入力: ${c.missing_budget.map(shortBotName).join('、')}。` : '')
    + (c.missing_budget_before.length ? ` 統合前の年間費用が未入力: ${c.missing_budget_before.map(shortBotName).join('、')}。` : '')
    + (strategy() ? ' 「ボット」タブで入力できます。' : '');
  barList($('c-chart'), {
    labels: report.bots.map((r) => shortBotName(r.bot)), values: report.bots.map((r) => r.cost_per_session_yen),
    format: (v) => `${fmtYen(v)} 円`, title: 'ボット別の1会話あたりの費用',
    empty: (i) => (report.bots[i].total_thousand_yen == null ? '未入力' : '—'),
  });
  $('cs-shared').value = settings.shared_cost_thousand_yen;
  for (const radio of document.querySelectorAll('input[name="cs-alloc"]')) radio.checked = radio.value === settings.allocation;
  $('cs-fields').disabled = !strategy(); // read-only for other roles: the values, no save button
  $('cs-save').hidden = !strategy();
  $('cs-note').textContent = (settings.source === 'database' ? `最終更新: ${fmtTime(settings.updated_at)}。` : 'サーバー設定の既定値です。')
    + (strategy() ? '' : ' 設定を変更できるのは戦略部門（strategy）のトークンだけです。');
}

async function saveCostSettings(event) {
  event.preventDefault();
  const message = $('cs-msg');
  const allocation = document.querySelector('input[name="cs-alloc"]:checked')?.value;
  try {
    await api('/settings/cost', { method: 'PUT', body: { shared_cost_thousand_yen: Number($('cs-shared').value), allocation } });
  } catch (err) {
    return fail(message, err);
  }
  say(message, '費用の設定を保存しました。', 'ok');
  await loadCost();
}

// ---- 3. 棚卸し ---------------------------------------------------------------------------------

async function loadInventory() {
  const message = $('inv-msg');
  await chooseYears();
  const params = { fiscal_year: $('i-year').value, kind: $('i-kind').value, department: $('i-dept').value };
  say(message, '読み込んでいます…');
  let report;
  const current = ticket('inventory');
  try {
    report = await api(`/reports/inventory?${query(params)}`);
  } catch (err) {
    return current() && fail(message, err);
  }
  if (!current()) return;
  say(message, report.departments.length ? '' : 'この条件の事業はありません。');
  if (!params.department) { // the department filter lists what the unfiltered report shows
    $('i-dept').replaceChildren(el('option', { value: '', text: 'すべて' }),
      ...report.departments.map(({ department: d }) => el('option', { value: d, text: d })));
  }
  $('i-caption').textContent = `${report.fiscal_year}年度 部局別の ICT 事業${report.kind ? `（${report.kind}のみ）` : ''}（事業費の単位: 千円）`;
  const kindCells = (k) => [cell(k.main_project || '—'), numCell(fmtInt(k.count)), numCell(fmtInt(k.budget_thousand_yen))];
  $('i-table').tBodies[0].replaceChildren(...report.departments.map((d) => el('tr', { 'data-department': d.department },
    rowHeader(d.department), ...kindCells(d.town), ...kindCells(d.internal), numCell(fmtInt(d.count)), numCell(fmtInt(d.budget_thousand_yen)))));
  const totalRow = (label, t, key) => el('tr', { 'data-total': key }, rowHeader(label),
    cell(''), numCell(fmtInt(t.town.count)), numCell(fmtInt(t.town.budget_thousand_yen)),
    cell(''), numCell(fmtInt(t.internal.count)), numCell(fmtInt(t.internal.budget_thousand_yen)),
    numCell(fmtInt(t.all.count)), numCell(fmtInt(t.all.budget_thousand_yen)));
  $('i-table').tFoot.replaceChildren(totalRow('合計', report.totals, 'all'), totalRow('合計（公安除く）', report.totals_excluding_police, 'excluding_police'));
}

// ---- 4. 未回答の質問 -----------------------------------------------------------------------------

async function loadUnanswered() {
  const message = $('un-msg');
  const params = { bot: $('n-bot').value, date_from: $('n-from').value, date_to: $('n-to').value, include_simulated: $('n-sim').checked };
  say(message, '読み込んでいます…');
  let report;
  const current = ticket('unanswered');
  try {
    report = await api(`/reports/unanswered?${query(params)}`);
  } catch (err) {
    if (!current()) return;
    $('n-groups').replaceChildren();
    return fail(message, err);
  }
  if (!current()) return;
  say(message, report.groups.length
    ? `${report.date_from} 〜 ${report.date_to}: 未回答の質問 ${fmtInt(report.messages)} 件を ${fmtInt(report.groups_total)} グループにまとめました。`
    : `${report.date_from} 〜 ${report.date_to} に未回答の質問はありません。`);
  $('n-groups').replaceChildren(...report.groups.map(groupCard));
}

function groupCard(group) {
  const s = group.suggested_intent;
  // The API suggests an intent only when it is plausible (its confidence clears the report's
  // suggestion_bar and the message is not out of scope). It may belong to the shared "common" pack;
  // examples can only be added to the bot the resident talked to, so only its own intents are offered.
  const usable = s && s.bot === group.bot;
  const status = el('p', { class: 'msg', role: 'status' });
  const suggestion = s
    ? `候補のインテント: ${s.intent}（${s.bot}）・確からしさ ${fmtPct(s.confidence)}${usable ? ''
      : '（共通のインテントなので、追加するときはこのボットのインテントを選んでください）'}`
    : '該当するインテントはありません（どのインテントにも当てはまりそうにない質問です）。';
  const actions = [el('p', { class: 'note', text: '例文の追加と対象外の登録は、担当部局か戦略部門のトークンでできます。' })];
  if (mayEdit(group.bot)) {
    const add = el('button', { type: 'button', class: usable ? null : 'secondary', text: usable ? `例文として追加（${s.intent}）` : 'インテントを選んで例文として追加…' });
    add.addEventListener('click', () => addExample(group, usable ? s.intent : '', status, add));
    const outside = el('button', { type: 'button', class: 'secondary', text: 'この質問はこのボットの対象外' });
    outside.addEventListener('click', () => markNotCovered(group, status, outside));
    actions.splice(0, 1, add, outside);
  }
  if (group.near_miss_of) {
    actions.splice(0, actions.length, el('p', { class: 'note', text: `対象外として登録済みです（インテント「${group.near_miss_of}」の near_misses）。` }));
  }
  return el('article', { class: 'group', 'data-bot': group.bot, 'data-question': group.question_id },
    el('h3', { text: `「${group.representative}」` }),
    el('p', { class: 'meta', text: `${botName(group.bot)}・${fmtInt(group.count)} 件（理解できなかった ${group.kinds.fallback ?? 0}・「もしかして」と聞き返した ${group.kinds.did_you_mean ?? 0}・役に立たなかった ${group.kinds.not_helpful ?? 0}）・${fmtTime(group.first_seen)} 〜 ${fmtTime(group.last_seen)}` }),
    maskedNote(group.masked_kinds),
    el('p', { class: 'label', text: '質問の例' }),
    el('ul', { class: 'examples' }, ...group.examples.map((t) => el('li', { text: t }))),
    el('p', { class: 'suggestion', text: suggestion }),
    el('div', { class: 'row' }, ...actions), status);
}

// The kinds of personal data the resident service masks (chat_platform/privacy), as the dashboard names them.
const MASKED_KIND_NAMES = {
  name: '氏名', phone: '電話番号', email: 'メール', address: '住所', birth_date: '生年月日', my_number: 'マイナンバー',
  card: 'カード番号', bank_account: '口座番号', passport: '旅券番号', driver_license: '免許証番号',
  health_insurance: '保険証番号', health: '健康情報',
};

/** 「個人情報を伏せています: 氏名 1 件・電話番号 2 件」, or nothing when nothing was masked. */
function maskedNote(masked) {
  const kinds = Object.entries(masked || {});
  if (!kinds.length) return null;
  const text = kinds.map(([kind, n]) => `${MASKED_KIND_NAMES[kind] || kind} ${fmtInt(n)} 件`).join('・');
  return el('p', { class: 'meta masked', text: `個人情報を伏せています: ${text}` });
}

/** The intents of a bot's active nlu.yml (a plain scan of "- intent: name" lines). */
async function intentsOf(bot) {
  if (!state.intents.has(bot)) {
    const active = (await api(`/bots/${enc(bot)}/packs`)).find((v) => v.active);
    const detail = await api(`/bots/${enc(bot)}/packs/${active.version}`);
    const names = [...(detail.files['nlu.yml'] || '').matchAll(/^- intent: (\S+)/gm)].map((m) => m[1].replace(/^["']|["']$/g, ''));
    state.intents.set(bot, [...new Set(names)]);
  }
  return state.intents.get(bot);
}

async function addExample(group, suggested, status, button) {
  let intents;
  try {
    intents = await intentsOf(group.bot);
  } catch (err) {
    return fail(status, err);
  }
  const intent = el('select', { id: 'd-intent', required: true },
    el('option', { value: '', text: '選んでください' }), ...intents.map((name) => el('option', { value: name, text: name })));
  intent.value = suggested;
  const text = el('input', { id: 'd-text', type: 'text', required: true, maxlength: 300, value: group.representative });
  const ok = await ask({
    title: '例文として追加',
    text: `${botName(group.bot)} のパックに、選んだインテントの例文として追加した下書きを作り、パックの画面で開きます。試してから「有効にする」と住民への回答に反映されます。`,
    ok: '追加する',
    fields: [el('label', { for: 'd-intent', text: 'インテント' }), intent, el('label', { for: 'd-text', text: '例文（1行）' }), text],
  });
  if (!ok) return;
  button.disabled = true;
  say(status, '追加しています…');
  try {
    const saved = await api(`/bots/${enc(group.bot)}/examples`, { method: 'POST', body: { intent: intent.value, text: text.value, activate: false } });
    say(status, `「${intent.value}」に追加した下書きのバージョン ${saved.version} を作りました。${saved.warnings.length ? `警告 ${saved.warnings.length} 件。` : ''}`, 'ok');
    await openDraft(group.bot, saved.version, `「${intent.value}」に例文を追加した下書きです。右で試してから、バージョンの一覧の「有効にする…」で住民への回答に反映してください。`);
  } catch (err) {
    fail(status, err);
  } finally {
    button.disabled = false;
  }
}

/** "Not covered": the question becomes a near miss (near_misses) of the bot's closest intent, in a
 * new draft opened in the editor to try and activate. The server picks the intent and refuses a repeat (409). */
async function markNotCovered(group, status, button) {
  const ok = await ask({
    title: 'この質問はこのボットの対象外',
    text: `「${group.representative}」を、${botName(group.bot)} が答えない質問として登録します。`
      + 'いちばん近いインテントの「対象外の例（near_misses）」に追加し、似た質問にはその回答を返さないように学習させます。'
      + '下書きを作ってパックの画面で開きます。試してから「有効にする」と反映されます。',
    ok: '対象外として登録する',
  });
  if (!ok) return;
  button.disabled = true;
  say(status, '登録しています…');
  try {
    const saved = await api(`/bots/${enc(group.bot)}/unanswered/${enc(group.question_id)}/not-covered`, { method: 'POST', body: { activate: false } });
    say(status, `「${saved.intent}」の対象外の例として登録した下書きのバージョン ${saved.version} を作りました。${saved.warnings.length ? `警告 ${saved.warnings.length} 件。` : ''}`, 'ok');
    button.replaceWith(el('button', { type: 'button', class: 'secondary', text: `バージョン ${saved.version} を見る`, onclick: () => openVersion(group.bot, saved.version) }));
    await openDraft(group.bot, saved.version, `「${saved.intent}」の対象外の例（near_misses）に追加した下書きです。右で試してから「有効にする…」で反映してください。`);
  } catch (err) {
    button.disabled = false;
    fail(status, err);
  }
}

/** The パック tab with `bot`'s version `version` shown (its diff and files). */
async function openVersion(bot, version) {
  $('p-bot').value = bot;
  state.loaded.add('packs'); // loaded here, with the version to show
  showTab('packs');
  await loadVersions(version);
}

/** The loop closes where packs are edited: the draft made from an unanswered question is shown,
 * its nlu.yml opened in the editor and the trial panel set to it, ready to try and activate. */
async function openDraft(bot, version, note) {
  await openVersion(bot, version);
  $('p-name').value = 'nlu.yml';
  await openShownVersion();
  startTrial(bot, version);
  say($('packs-msg'), note, 'ok');
}

/** Opens the shared modal dialog; resolves true when the editor confirms. Required fields are
 * checked by the form before it closes; "やめる" skips the check. */
function ask({ title, text, ok, fields = [] }) {
  const dialog = $('dialog');
  $('dialog-h').textContent = title;
  $('dialog-text').textContent = text;
  $('dialog-fields').replaceChildren(...fields);
  $('dialog-ok').textContent = ok;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
}

// ---- 5. パック -----------------------------------------------------------------------------------

async function loadVersions(show) {
  const bot = $('p-bot').value;
  const message = $('packs-msg');
  if (!bot) return say(message, '表示できるボットがありません。');
  let versions;
  const current = ticket('packs');
  try {
    versions = await api(`/bots/${enc(bot)}/packs`);
  } catch (err) {
    return current() && fail(message, err);
  }
  if (!current()) return;
  const changedBot = state.pack.bot !== bot;
  state.pack = { ...state.pack, bot, versions };
  $('p-versions').tBodies[0].replaceChildren(...versions.map(versionRow));
  $('p-upload').hidden = !mayEdit(bot);
  $('p-faq').hidden = !mayEdit(bot);
  const active = versions.find((v) => v.active);
  if (show || changedBot || !state.pack.detail) await showVersion(show || active?.version || versions[0]?.version);
}

function versionRow(v) {
  const badges = el('span', { class: 'badges' },
    v.active ? el('span', { class: 'badge active', text: '有効' }) : null,
    v.serving ? el('span', { class: 'badge serving', text: '稼働中' }) : null,
    v.active && !v.serving ? el('span', { class: 'badge pending', text: '読み込み中' }) : null,
    isDraft(v) ? el('span', { class: 'badge draft', text: '下書き' }) : null);
  const actions = el('div', { class: 'row' },
    el('button', { type: 'button', class: 'secondary small', 'aria-label': `バージョン ${v.version} を表示`, text: '表示', onclick: () => showVersion(v.version) }));
  actions.append(el('button', { type: 'button', class: 'secondary small', 'aria-label': `バージョン ${v.version} を試す`, text: '試す', onclick: () => startTrial(state.pack.bot, v.version) }));
  if (mayEdit(state.pack.bot) && isDraft(v)) {
    actions.append(el('button', { type: 'button', class: 'small', 'aria-label': `バージョン ${v.version} を有効にする`, text: '有効にする…', onclick: () => activateDraft(v.version) }));
  } else if (mayEdit(state.pack.bot) && !v.active) {
    actions.append(el('button', { type: 'button', class: 'small', 'aria-label': `バージョン ${v.version} に戻す`, text: 'このバージョンに戻す', onclick: () => activate(v.version) }));
  }
  return el('tr', { 'data-version': v.version, 'data-active': v.active ? 'true' : 'false' },
    el('th', { scope: 'row', class: 'num', text: String(v.version) }), cell(v.author), cell(v.comment || '—'),
    cell(fmtTime(v.created_at), 'nowrap'), el('td', {}, badges), el('td', {}, actions));
}

async function showVersion(number) {
  const bot = state.pack.bot;
  let detail;
  const current = ticket('version');
  try {
    detail = await api(`/bots/${enc(bot)}/packs/${number}`);
  } catch (err) {
    return current() && fail($('packs-msg'), err);
  }
  if (!current()) return;
  state.pack.detail = detail;
  $('p-detail').hidden = false;
  $('p-detail-h').textContent = `${botName(bot)} バージョン ${detail.version}${detail.active ? '（有効）' : ''}${detail.comment ? `: ${detail.comment}` : ''}`;
  renderDiff($('p-diff'), detail.diff);
  const names = Object.keys(detail.files).sort((a, b) => state.packFiles.indexOf(a) - state.packFiles.indexOf(b));
  const buttons = names.map((name) => el('button', { type: 'button', class: 'secondary small', 'aria-pressed': 'false', text: name, onclick: () => pick(name) }));
  const pick = (name) => {
    buttons.forEach((b) => b.setAttribute('aria-pressed', String(b.textContent === name)));
    $('p-file').textContent = detail.files[name];
  };
  $('p-files').replaceChildren(...buttons);
  if (names.length) pick(names.includes('responses.yml') ? 'responses.yml' : names[0]);
}

/** A unified diff as text lines; the +/- stay in the text, the colour only repeats them. */
function renderDiff(pre, diff) {
  if (!diff) {
    pre.textContent = '（差分はありません。bots/ から読み込んだ最初のバージョンです。）';
    return;
  }
  pre.replaceChildren(...diff.replace(/\n$/, '').split('\n').map((line) => {
    const kind = /^(\+\+\+|---) /.test(line) ? 'file' : line.startsWith('@@') ? 'hunk' : line[0] === '+' ? 'add' : line[0] === '-' ? 'del' : null;
    return el('span', { class: kind && `d-${kind}`, text: `${line}\n` });
  }));
}

async function activate(version) {
  const bot = state.pack.bot;
  const current = state.pack.versions.find((v) => v.active)?.version;
  const message = $('packs-msg');
  if (!(await ask({ title: 'このバージョンに戻す', text: `${botName(bot)} の有効なバージョンを ${current ?? '—'} から ${version} に切り替えます。住民への回答もこのバージョンに変わります。よろしいですか？`, ok: `バージョン ${version} に戻す` }))) return;
  try {
    await api(`/bots/${enc(bot)}/packs/${version}/activate`, { method: 'POST' });
  } catch (err) {
    return fail(message, err);
  }
  state.intents.delete(bot);
  say(message, `バージョン ${version} を有効にしました。ボットは裏で読み込み直しています。`, 'ok');
  await loadVersions(version);
}

async function loadCurrentFile() {
  const name = $('p-name').value;
  const active = state.pack.versions.find((v) => v.active);
  if (!active) return;
  try {
    const detail = await api(`/bots/${enc(state.pack.bot)}/packs/${active.version}`);
    $('p-text').value = detail.files[name] ?? '';
    setBase(null);
    drawGutter(new Map());
    scheduleCheck();
    say($('p-result'), detail.files[name] == null ? `${name} は有効なバージョンにありません。新しく作ります。` : `バージョン ${active.version} の ${name} を読み込みました。`);
  } catch (err) {
    fail($('p-result'), err);
  }
}

async function upload(event) {
  event.preventDefault();
  // the bot the editor sees selected, even if its version list is still loading
  const bot = $('p-bot').value;
  const name = $('p-name').value;
  const result = $('p-result');
  $('p-submit').disabled = true;
  result.replaceChildren(el('p', { class: 'msg', text: '検証して保存しています…' }));
  try {
    const saved = await api(`/bots/${enc(bot)}/packs`, { method: 'POST', body: { files: { [name]: $('p-text').value }, comment: $('p-comment').value.trim() || null } });
    state.intents.delete(bot);
    result.replaceChildren(el('p', { class: 'msg ok', text: `バージョン ${saved.version} として保存し、有効にしました。${saved.warnings.length ? `警告が ${saved.warnings.length} 件あります。` : ''}` }),
      ...(saved.warnings.length ? [diagnosticsTable(saved.warnings, '警告')] : []));
    $('p-comment').value = '';
    await loadVersions(saved.version);
  } catch (err) {
    result.replaceChildren(el('p', { class: 'msg error', text: err.message }),
      ...(err.diagnostics.length ? [diagnosticsTable(err.diagnostics, '検証の結果（何も保存していません）')] : []));
  } finally {
    $('p-submit').disabled = false;
  }
}

function diagnosticsTable(diagnostics, caption) {
  const where = (d) => (d.line ? `${d.file}:${d.line}:${d.column}` : `${d.file}（ファイル全体）`);
  return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption }, el('table', { class: 'diagnostics' },
    el('caption', { text: caption }),
    el('thead', {}, el('tr', {}, ...['場所', '重大度', 'コード', '内容', 'ヒント'].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...diagnostics.map((d) => el('tr', { class: `sev-${d.severity}` },
      el('th', { scope: 'row', class: 'mono', text: where(d) }), cell(d.severity === 'error' ? 'エラー' : d.severity === 'warning' ? '警告' : d.severity),
      cell(d.code, 'mono'), cell(d.message), cell(d.hint || '—'))))));
}

// ---- 6. ボット -----------------------------------------------------------------------------------

async function loadBots() {
  const message = $('bots-msg');
  try {
    state.bots = await api('/bots');
  } catch (err) {
    return fail(message, err);
  }
  $('b-table').tBodies[0].replaceChildren(...state.bots.map(botRow));
  await showCreateForm();
  if (!strategy()) say(message, '廃止・再開と事業費の入力は、戦略部門（strategy）のトークンでできます。');
}

function botRow(bot) {
  const p = bot.project;
  const status = bot.live === false ? '準備中（下書きのみ）' : !p ? '事業の登録なし' : p.status === 'retired' ? `廃止（${p.retired_on || '日付なし'}）` : '稼働中';
  const actions = el('div', { class: 'row' });
  if (strategy() && p && bot.live !== false) {
    actions.append(p.status === 'retired'
      ? el('button', { type: 'button', class: 'small', text: '再開する', onclick: () => reactivate(bot) })
      : el('button', { type: 'button', class: 'small danger', text: '廃止する', onclick: () => retire(bot) }),
    el('button', { type: 'button', class: 'small secondary', text: '事業費を入力', onclick: () => editBudget(bot) }));
  }
  return el('tr', { 'data-bot': bot.id },
    rowHeader(botName(bot.id)), cell(bot.department, 'nowrap'), cell(p ? `${p.name}（${p.fiscal_year}年度）` : '—'),
    numCell(p ? (p.budget_thousand_yen == null ? '未入力' : fmtInt(p.budget_thousand_yen)) : '—'),
    numCell(p ? (p.budget_before_thousand_yen == null ? '未入力' : fmtInt(p.budget_before_thousand_yen)) : '—'),
    el('td', {}, el('span', { class: 'nowrap', text: status }), p?.status === 'retired' && p.retirement_message ? el('p', { class: 'note', text: `表示するメッセージ: ${p.retirement_message}` }) : null),
    snippetCell(bot), el('td', {}, actions));
}

async function patchProject(bot, body, done) {
  const message = $('bots-msg');
  try {
    await api(`/projects/${bot.project.id}`, { method: 'PATCH', body });
  } catch (err) {
    return fail(message, err);
  }
  await loadBots();
  say(message, done, 'ok');
}

async function retire(bot) {
  const text = el('textarea', { id: 'd-retire', rows: 3, required: true, maxlength: 1000 });
  text.value = bot.project.retirement_message || `${bot.name.ja}は終了しました。お問い合わせは担当課までお願いします。`;
  const ok = await ask({ title: 'ボットを廃止する', text: `${botName(bot.id)} を廃止します。住民には次のメッセージが表示されます。`, ok: '廃止する',
    fields: [el('label', { for: 'd-retire', text: '住民に表示するメッセージ' }), text] });
  if (ok) await patchProject(bot, { status: 'retired', retirement_message: text.value.trim() }, `${botName(bot.id)} を廃止しました。`);
}

async function reactivate(bot) {
  if (await ask({ title: 'ボットを再開する', text: `${botName(bot.id)} を再開します。住民からの質問にまた答えるようになります。`, ok: '再開する' })) {
    await patchProject(bot, { status: 'active', retired_on: null }, `${botName(bot.id)} を再開しました。`);
  }
}

async function editBudget(bot) {
  const input = (id, value) => el('input', { id, type: 'number', min: 0, max: 2147483647, step: 1, inputmode: 'numeric', value: value ?? '' });
  const budget = input('d-budget', bot.project.budget_thousand_yen);
  const before = input('d-before', bot.project.budget_before_thousand_yen);
  const ok = await ask({ title: '事業費を入力', text: `${botName(bot.id)}（${bot.project.fiscal_year}年度）の金額を千円単位で入力します。空欄は未入力のままにします。`, ok: '保存する',
    fields: [el('label', { for: 'd-budget', text: '事業費（千円）' }), budget, el('label', { for: 'd-before', text: '統合前の年間費用（千円）' }), before] });
  const value = (field) => (field.value === '' ? null : Number(field.value));
  if (ok) await patchProject(bot, { budget_thousand_yen: value(budget), budget_before_thousand_yen: value(before) }, `${botName(bot.id)} の事業費を保存しました。`);
}

// ---- start ------------------------------------------------------------------------------------

function init() {
  const today = japanToday();
  for (const [from, to] of [['u-from', 'u-to'], ['n-from', 'n-to']]) {
    $(from).value = addDays(today, -29); // the last 30 days, today included (the API's default too)
    $(to).value = today;
  }
  $('u-kpi').replaceChildren(...KPIS.map(([key, label]) => el('option', { value: key, text: label })));
  $('u-kpi').value = 'answer_rate';
  // until chooseYears() knows which years have data, the current fiscal year (Japan time)
  const thisYear = fiscalYearNow();
  for (const id of ['c-year', 'i-year']) {
    for (let y = thisYear + 1; y >= 2021; y -= 1) $(id).append(el('option', { value: y, text: `${y}年度` }));
    $(id).value = String(thisYear);
  }

  $('signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('token').value.trim();
    if (token) signIn(token);
  });
  $('sign-out').addEventListener('click', () => signOut());
  for (const button of document.querySelectorAll('[data-tab]')) button.addEventListener('click', () => showTab(button.dataset.tab));

  const onSubmit = (id, load) => $(id).addEventListener('submit', (e) => { e.preventDefault(); load(); });
  onSubmit('usage-filters', loadUsage);
  onSubmit('cost-filters', loadCost);
  onSubmit('inv-filters', loadInventory);
  onSubmit('un-filters', loadUnanswered);
  // choosing a bot or an option reloads at once; typed dates wait for 表示 (a half-typed date is invalid)
  $('u-bot').addEventListener('change', renderUsage);
  $('u-kpi').addEventListener('change', () => state.usage && renderComparison(state.usage));
  for (const input of document.querySelectorAll('input[name="u-gran"], #u-sim')) input.addEventListener('change', loadUsage);
  for (const id of ['c-year', 'c-sim']) $(id).addEventListener('change', loadCost);
  for (const id of ['i-year', 'i-kind', 'i-dept']) $(id).addEventListener('change', loadInventory);
  for (const id of ['n-bot', 'n-sim']) $(id).addEventListener('change', loadUnanswered);
  $('cost-settings').addEventListener('submit', saveCostSettings);
  $('p-bot').addEventListener('change', () => loadVersions());
  $('p-refresh').addEventListener('click', () => loadVersions(state.pack.detail?.version));
  $('p-load').addEventListener('click', loadCurrentFile);
  $('p-local').addEventListener('change', async () => {
    const file = $('p-local').files[0];
    if (!file) return;
    $('p-text').value = await file.text();
    if (state.packFiles.includes(file.name)) $('p-name').value = file.name;
    say($('p-result'), `${file.name} を読み込みました。ファイル名を確かめてからアップロードしてください。`);
  });
  $('p-upload').addEventListener('submit', upload);

  const downloads = {
    usage: () => [`/reports/usage?${query({ ...usageParams(), bot: $('u-bot').value })}`, $('usage-msg')],
    'usage-all': () => [`/reports/usage?${query(usageParams())}`, $('usage-msg')],
    cost: () => [`/reports/cost?${query({ fiscal_year: $('c-year').value, include_simulated: $('c-sim').checked })}`, $('cost-msg')],
    inventory: () => [`/reports/inventory?${query({ fiscal_year: $('i-year').value, kind: $('i-kind').value, department: $('i-dept').value })}`, $('inv-msg')],
  };
  for (const button of document.querySelectorAll('[data-download]')) {
    button.addEventListener('click', () => {
      const [path, message] = downloads[button.dataset.download]();
      download(`${path}&format=${button.dataset.format}`, button, message);
    });
  }
  // charts are drawn to the width they have; redraw after the window changes size
  let resizeTimer;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (state.usage && !$('tab-usage').hidden) renderUsage(); }, 200);
  });

  const notice = sessionStorage.getItem(NOTICE_KEY);
  sessionStorage.removeItem(NOTICE_KEY);
  if (notice) say($('signin-msg'), ...JSON.parse(notice));
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) signIn(saved);
  else $('token').focus();
}

document.addEventListener('DOMContentLoaded', init);
