// Madoguchi admin dashboard, part 2: department self-service — the pack editor with checks as you
// type, drafts, the FAQ spreadsheet import, the "try it" panel, activation behind the quality gate,
// and opening a new bot. Plain ES2020 on top of dashboard.js (its helpers $, el, api, say, ask, …);
// untrusted text is written with textContent only.
'use strict';

const CHECK_DELAY_MS = 600; // after the last keystroke; an IME composition is never checked half-way
const editor = { base: null, composing: false, timer: null, checked: '', trial: null };

// ---- the editor: line numbers, checks as you type ----------------------------------------------

/** Line numbers beside the text; lines with an error or a warning carry a mark and a title. Redrawn
 * at most once a frame and only when the line count or the marks changed: typing must stay cheap. */
function drawGutter(marks) {
  if (marks) {
    editor.marks = marks;
    editor.drawnLines = -1;
  }
  if (editor.frame) return;
  editor.frame = requestAnimationFrame(() => {
    editor.frame = null;
    renderGutter();
  });
}

function renderGutter() {
  const marks = editor.marks || new Map();
  let lines = 1;
  for (const ch of $('p-text').value) if (ch === '\n') lines += 1;
  if (lines === editor.drawnLines) return;
  editor.drawnLines = lines;
  const spans = [];
  for (let n = 1; n <= lines; n += 1) {
    const mark = marks.get(n);
    spans.push(el('span', { class: mark ? `ln ${mark.severity}` : 'ln', title: mark ? mark.message : null, 'data-line': n, text: String(n) }), '\n');
  }
  $('p-gutter').replaceChildren(...spans);
  $('p-gutter').scrollTop = $('p-text').scrollTop;
}

function scheduleCheck() {
  clearTimeout(editor.timer);
  if (editor.composing) return;
  editor.timer = setTimeout(checkNow, CHECK_DELAY_MS);
}

/** POST …/packs/validate with the file as typed: nothing is saved. Only the newest answer is drawn. */
async function checkNow() {
  const bot = $('p-bot').value;
  const name = $('p-name').value;
  const text = $('p-text').value;
  if (!bot || !text.trim() || !mayEdit(bot)) return;
  const key = `${bot}|${name}|${editor.base}|${text}`;
  if (key === editor.checked) return;
  editor.checked = key;
  const current = ticket('check');
  let result;
  try {
    result = await api(`/bots/${enc(bot)}/packs/validate`, { method: 'POST', body: { files: { [name]: text }, base_version: editor.base } });
  } catch (err) {
    if (current()) $('p-live').replaceChildren(el('li', { class: 'error', text: err.message }));
    return;
  }
  if (!current()) return;
  const file = `${bot}/${name}`;
  const here = result.diagnostics.filter((d) => d.file === file);
  const elsewhere = result.diagnostics.filter((d) => d.file !== file && d.severity === 'error');
  const marks = new Map();
  for (const d of here) if (d.line && !(marks.get(d.line)?.severity === 'error')) marks.set(d.line, d);
  drawGutter(marks);
  if (!result.diagnostics.length) {
    $('p-live').replaceChildren(el('li', { class: 'ok', text: '問題は見つかりませんでした。' }));
    return;
  }
  $('p-live').replaceChildren(...[...here, ...elsewhere].map((d) => el('li', { class: d.severity, 'data-line': d.line || null },
    el('span', { class: 'where', text: d.file === file ? (d.line ? `${d.line}行目` : 'ファイル全体') : `${d.file}:${d.line}` }),
    el('span', { text: ` ${d.severity === 'error' ? 'エラー' : '警告'}: ${d.message}` }),
    d.hint ? el('span', { class: 'hint', text: ` → ${d.hint}` }) : null,
    d.file === file && d.line ? el('button', { type: 'button', class: 'small secondary', text: 'この行へ', onclick: () => goToLine(d.line) }) : null)));
}

function goToLine(line) {
  const area = $('p-text');
  const lines = area.value.split('\n');
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  area.focus();
  area.setSelectionRange(start, start + (lines[line - 1] || '').length);
  area.scrollTop = Math.max(0, (line - 4) * (area.scrollHeight / Math.max(1, lines.length)));
}

/** Opens a file of the version shown above in the editor; changes will be saved on top of it. */
async function openShownVersion() {
  const detail = state.pack.detail;
  if (!detail) return;
  const name = $('p-name').value;
  $('p-text').value = detail.files[name] ?? '';
  setBase(detail.version);
  say($('p-result'), detail.files[name] == null ? `${name} はバージョン ${detail.version} にありません。新しく作ります。` : `バージョン ${detail.version} の ${name} を開きました。`);
  drawGutter(new Map());
  scheduleCheck();
}

function setBase(version) {
  editor.base = version;
  $('p-base').textContent = version ? `バージョン ${version} をもとに編集しています。` : '';
}

async function saveDraft() {
  const bot = $('p-bot').value;
  const name = $('p-name').value;
  const result = $('p-result');
  if (!$('p-text').value.trim()) return say(result, '内容が空です。', 'error');
  $('p-draft').disabled = true;
  result.replaceChildren(el('p', { class: 'msg', text: '検証して下書きとして保存しています…' }));
  try {
    const saved = await api(`/bots/${enc(bot)}/packs`, { method: 'POST', body: {
      files: { [name]: $('p-text').value }, comment: $('p-comment').value.trim() || null, activate: false, base_version: editor.base } });
    $('p-comment').value = '';
    setBase(saved.version);
    await loadVersions(saved.version); // the version shown (and opened next) is the new draft
    startTrial(bot, saved.version);
    result.replaceChildren(el('p', { class: 'msg ok', text: `下書きのバージョン ${saved.version} として保存しました。住民への回答はまだ変わりません。「試す」で確かめてから「有効にする」を押してください。` }),
      ...(saved.warnings.length ? [diagnosticsTable(saved.warnings, '警告')] : []));
  } catch (err) {
    result.replaceChildren(el('p', { class: 'msg error', text: err.message }),
      ...(err.diagnostics.length ? [diagnosticsTable(err.diagnostics, '検証の結果（何も保存していません）')] : []));
  } finally {
    $('p-draft').disabled = false;
  }
}

// ---- the FAQ spreadsheet import --------------------------------------------------------------------

async function importFaq(event) {
  event.preventDefault();
  const bot = $('p-bot').value;
  const file = $('p-faq-file').files[0];
  const result = $('p-faq-result');
  if (!file) return;
  const form = new FormData();
  form.append('file', file, file.name);
  $('p-faq-submit').disabled = true;
  result.replaceChildren(el('p', { class: 'msg', text: '取り込んでいます…' }));
  let response;
  try {
    response = await fetch(`${API}/bots/${enc(bot)}/faq-import`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${state.token}`, 'Accept-Language': 'ja' } });
  } catch {
    response = null;
  }
  $('p-faq-submit').disabled = false;
  const body = response ? await response.json().catch(() => null) : null;
  if (!response || !response.ok) {
    return result.replaceChildren(el('p', { class: 'msg error', text: body?.error?.message || 'サーバーに接続できません。' }));
  }
  const refused = body.refused.length
    ? el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': '取り込めなかった行' }, el('table', { class: 'diagnostics' },
      el('caption', { text: '取り込めなかった行（表を直してもう一度取り込めます）' }),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: '行' }), el('th', { scope: 'col', text: '理由' }))),
      el('tbody', {}, ...body.refused.map((r) => el('tr', { 'data-row': r.row }, rowHeader(`${r.row}行目`), cell(r.message)))))) : null;
  $('p-faq-file').value = '';
  await loadVersions(body.version);
  startTrial(bot, body.version);
  result.replaceChildren(el('p', { class: 'msg ok', text: `${body.taken} 件を取り込み、下書きのバージョン ${body.version} を作りました。${body.refused.length ? `${body.refused.length} 行は取り込めませんでした。` : ''}` }), refused);
}

// ---- trying a version --------------------------------------------------------------------------------

function startTrial(bot, version) {
  editor.trial = { bot, version, session: null };
  $('p-try-version').textContent = `${botName(bot)} のバージョン ${version} を試しています。何も記録されません。`;
  $('p-try-log').replaceChildren();
  for (const id of ['p-try-text', 'p-try-send', 'p-try-reset']) $(id).disabled = false;
}

async function sendTrial(event) {
  event.preventDefault();
  const trial = editor.trial;
  const input = $('p-try-text');
  const text = input.value.trim();
  if (!trial || !text) return;
  input.value = '';
  const log = $('p-try-log');
  log.append(el('li', { class: 'you', text }));
  const waiting = el('li', { class: 'meta', text: '（学習済みでなければ数秒かかります）' });
  log.append(waiting);
  $('p-try-send').disabled = true;
  try {
    const answer = await api(`/bots/${enc(trial.bot)}/packs/${trial.version}/try`, { method: 'POST', body: { text, session: trial.session } });
    if (editor.trial !== trial) return;
    trial.session = answer.session;
    waiting.remove();
    for (const message of answer.messages) log.append(el('li', { class: 'bot', text: message.text }));
    const understood = answer.fallback
      ? `理解できず（${answer.fallback_reason || 'fallback'}）: 住民には問い合わせ先を案内します`
      : `理解した質問: ${answer.intent}（確信度 ${fmtPct(answer.confidence)}${answer.bot && answer.bot !== trial.bot ? `・${answer.bot}` : ''}）`;
    log.append(el('li', { class: answer.fallback ? 'meta fallback' : 'meta', text: understood }));
  } catch (err) {
    waiting.replaceWith(el('li', { class: 'meta error', text: err.message }));
  } finally {
    $('p-try-send').disabled = false;
    log.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }
}

// ---- activating: the quality gate ---------------------------------------------------------------------

const isDraft = (v) => !v.active && !v.activated_at;

/** A draft is measured first; the dialog shows its figures beside the active version's and the diff
 * from the active version. When it measures worse, the editor must tick that they accept it. */
async function activateDraft(version) {
  const bot = state.pack.bot;
  const message = $('packs-msg');
  say(message, `バージョン ${version} の品質を測っています（数秒かかります）…`);
  let quality;
  try {
    quality = await api(`/bots/${enc(bot)}/packs/${version}/quality`);
  } catch (err) {
    return fail(message, err);
  }
  say(message, '');
  const figure = (r, key) => (r && r.measured && r[key] != null ? fmtPct(r[key]) : '—');
  const table = el('table', { class: 'quality' },
    el('caption', { text: '交差検証による品質（このボットの例文）' }),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: '' }), el('th', { scope: 'col', text: `有効なバージョン ${quality.active_version ?? '—'}` }), el('th', { scope: 'col', text: `このバージョン ${version}` }))),
    el('tbody', {},
      el('tr', {}, rowHeader('正答率'), cell(figure(quality.active_report, 'accuracy')), cell(figure(quality.report, 'accuracy'))),
      el('tr', {}, rowHeader('正しく回答できる率'), cell(figure(quality.active_report, 'answered')), cell(figure(quality.report, 'answered'))),
      el('tr', {}, rowHeader('対象外の例（near_misses）に答えない率'), cell(figure(quality.active_report, 'near_miss_abstention')), cell(figure(quality.report, 'near_miss_abstention'))),
      el('tr', {}, rowHeader('対象外の質問に答えない率'), cell(figure(quality.active_report, 'out_of_scope_abstention')), cell(figure(quality.report, 'out_of_scope_abstention'))),
      el('tr', {}, rowHeader('例文の数'), cell(quality.active_report?.examples ?? '—'), cell(quality.report.examples ?? '—'))));
  const confusions = (quality.report.confusions || []).map((c) => el('li', { text: `${c.expected} → ${c.predicted}（${c.count} 件）` }));
  const weakest = (quality.report.intents || []).filter((i) => i.answered < 1).slice(0, 5)
    .map((i) => el('li', { text: `${i.intent}: ${fmtPct(i.answered)}（例文 ${i.examples} 件）` }));
  const diff = el('pre', { class: 'code diff', tabindex: '0', 'aria-label': '有効なバージョンとの差分' });
  renderDiff(diff, quality.diff_from_active);
  const fields = [table];
  if (!quality.report.measured) fields.push(el('p', { class: 'note', text: '例文が少ないため品質は測れません（FAQ の取り込みだけのボットなど）。「試す」で確かめてください。' }));
  if (weakest.length) fields.push(el('p', { class: 'label', text: '正しく答えにくい質問（intent ごと）' }), el('ul', {}, ...weakest));
  if (confusions.length) fields.push(el('p', { class: 'label', text: '取り違えやすい質問' }), el('ul', {}, ...confusions));
  fields.push(el('p', { class: 'label', text: '有効なバージョンとの差分' }), diff);
  let accept = null;
  if (quality.worse) {
    fields.unshift(el('p', { class: 'msg error', text: `このバージョンは今より答えが悪くなります。${quality.reasons.join(' ')}` }));
    accept = el('input', { id: 'd-accept', type: 'checkbox', required: true });
    fields.push(el('label', { class: 'check' }, accept, ' 品質が下がることを確認したうえで有効にします'));
  }
  const ok = await ask({ title: `バージョン ${version} を有効にする`, text: `${botName(bot)} の住民への回答がこのバージョンに変わります。`, ok: '有効にする', fields });
  if (!ok) return;
  try {
    await api(`/bots/${enc(bot)}/packs/${version}/activate${accept ? '?confirm=true' : ''}`, { method: 'POST' });
  } catch (err) {
    return fail(message, err);
  }
  state.intents.delete(bot);
  say(message, `バージョン ${version} を有効にしました。ボットは裏で読み込み直しています。`, 'ok');
  await loadVersions(version);
  settleThenRefreshBots();
}

/** A bot's first activation makes it live once this worker has trained it (a few seconds): refresh
 * the bot list then, so its widget tag appears. */
async function settleThenRefreshBots(tries = 10) {
  for (let i = 0; i < tries; i += 1) {
    const versions = await api(`/bots/${enc(state.pack.bot)}/packs`).catch(() => []);
    if (versions.some((v) => v.active && v.serving)) break;
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
  await loadBots();
}

// ---- a new bot (strategy) ------------------------------------------------------------------------------

async function showCreateForm() {
  const form = $('b-create');
  form.hidden = !strategy();
  if (form.hidden || $('b-dept').options.length) return;
  try {
    const projects = await api('/projects');
    const departments = [...new Set(projects.map((p) => p.department))].sort();
    $('b-dept').replaceChildren(el('option', { value: '', text: '選んでください' }), ...departments.map((d) => el('option', { value: d, text: d })));
  } catch (err) {
    fail($('b-create-msg'), err);
  }
}

async function createBot(event) {
  event.preventDefault();
  const message = $('b-create-msg');
  const body = {
    id: $('b-id').value.trim(), name: $('b-name').value.trim(), department: $('b-dept').value, description: $('b-desc').value.trim(),
    contact: { name: $('b-cname').value.trim(), phone: $('b-cphone').value.trim(), hours: $('b-chours').value.trim() },
  };
  $('b-create-submit').disabled = true;
  try {
    const created = await api('/bots', { method: 'POST', body });
    [state.bots] = await Promise.all([api('/bots'), identify()]);
    for (const id of ['p-bot']) fillBotSelect($(id), false);
    say(message, `ボット「${body.name}」（${created.id}）を作りました。下書きのバージョン ${created.version} ができています。「パック」で内容を入れて有効にしてください。`, 'ok');
    $('b-create').reset();
    await loadBots();
    $('p-bot').value = created.id;
    state.loaded.add('packs');
    showTab('packs');
    await loadVersions();
  } catch (err) {
    fail(message, err);
  } finally {
    $('b-create-submit').disabled = false;
  }
}

/** The tag for a live bot, with this server's address, and a button that copies it. */
function snippetCell(bot) {
  if (!bot.widget_snippet) return cell(bot.live === false ? 'まだ有効なバージョンがありません' : '—');
  const tag = bot.widget_snippet.replace('src="/', `src="${location.origin}/`);
  const code = el('code', { class: 'snippet', text: tag });
  const copy = el('button', { type: 'button', class: 'small secondary', text: 'コピー', 'aria-label': `${bot.id} のタグをコピー` });
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(tag);
      copy.textContent = 'コピーしました';
    } catch {
      copy.textContent = 'コピーできません（選択してコピーしてください）';
    }
  });
  return el('td', {}, code, copy);
}

// ---- wiring ------------------------------------------------------------------------------------------

function initEditor() {
  const area = $('p-text');
  area.addEventListener('compositionstart', () => { editor.composing = true; clearTimeout(editor.timer); });
  area.addEventListener('compositionend', () => { editor.composing = false; drawGutter(); scheduleCheck(); });
  area.addEventListener('input', (e) => {
    if (e.isComposing || editor.composing) return;
    drawGutter();
    scheduleCheck();
  });
  area.addEventListener('scroll', () => { $('p-gutter').scrollTop = area.scrollTop; });
  $('p-name').addEventListener('change', () => { editor.checked = ''; });
  $('p-open').addEventListener('click', openShownVersion);
  $('p-draft').addEventListener('click', saveDraft);
  $('p-faq').addEventListener('submit', importFaq);
  $('p-try-form').addEventListener('submit', sendTrial);
  $('p-try-reset').addEventListener('click', () => editor.trial && startTrial(editor.trial.bot, editor.trial.version));
  $('b-create').addEventListener('submit', createBot);
  drawGutter(new Map());
}

document.addEventListener('DOMContentLoaded', initEditor);
