/*!
 * Madoguchi (窓口) resident chat widget — Osaka Prefecture.
 *
 * Embed with one tag:
 *   <script src="/static/madoguchi-widget.js" data-bot="tax" data-lang="ja" defer></script>
 *   data-bot  bot id (default "inquiry", the front door)
 *   data-lang "ja" | "en" (default: the page's <html lang>)
 *   data-api  API base URL (default: the origin this script was loaded from)
 *
 * Plain ES2020, no dependencies, no build step. The stylesheet next to this file
 * (madoguchi-widget.css) is loaded into a shadow root so page CSS cannot break the
 * widget. Security rule: everything a bot or a resident wrote is inserted as text
 * (textContent / Text nodes); this file never uses innerHTML, eval or inline handlers.
 *
 * Demo/test hooks: ?open=1 on the page URL opens the panel on load;
 * window.MadoguchiWidget.{open, close, newConversation}() drive it from scripts.
 *
 * Switching bots: a button whose payload is /open_bot{"bot": "<id>"} (a bot pointing to the one
 * that answers) is not sent to the server: the widget ends the conversation, opens a new one with
 * that bot in the same panel and asks it the resident's last question again.
 */
(() => {
  'use strict';

  // document.currentScript is set for classic scripts, including defer and injected ones.
  const script = document.currentScript || document.querySelector('script[src*="madoguchi-widget"]');
  if (document.getElementById('madoguchi-widget')) return; // embedded twice: keep the first

  const ds = (script && script.dataset) || {};
  const scriptUrl = (script && script.src) || location.href;
  const BOT = (ds.bot || 'inquiry').trim();
  const LANG = /^en\b/i.test(ds.lang || document.documentElement.lang || '') ? 'en' : 'ja';
  const API = (ds.api || new URL(scriptUrl, location.href).origin).replace(/\/+$/, '');
  const CSS_URL = new URL('madoguchi-widget.css', scriptUrl).href;
  const STORE_KEY = `madoguchi:v1:${BOT}`; // sessionStorage: per tab, per bot
  const MAX_KEPT = 200;                    // transcript entries kept for reload
  const TIMEOUT_MS = 20000;                // a hung request becomes a retryable network error

  // ---- every UI string, in both languages -----------------------------------------
  const STRINGS = {
    ja: {
      launcher: 'チャットで質問する',
      defaultTitle: '大阪府 チャットボット',
      panelLabel: (name) => `${name} チャット`,
      sub: '大阪府 自動応答チャット',
      privacy: '氏名・住所などの個人情報は入力しないでください。',
      newChat: '新しい会話',
      newChatLabel: '新しい会話を始める',
      close: 'チャットを閉じる',
      log: '会話の履歴',
      you: 'あなた',
      bot: 'チャットボット',
      newTab: '（新しいタブで開きます）',
      choices: '選択肢',
      typing: '回答を作成しています…',
      inputLabel: '質問を入力',
      placeholder: '質問を入力してください',
      hint: 'Enterキーで送信、Shift＋Enterキーで改行します。',
      send: '送信',
      rateQ: 'この回答は役に立ちましたか？',
      yes: 'はい', yesLabel: 'はい、役に立った',
      no: 'いいえ', noLabel: 'いいえ、役に立たなかった',
      thanks: 'ありがとうございました',
      rateFailed: '評価を送信できませんでした。時間をおいてもう一度お試しください。',
      network: '通信できませんでした。接続を確認して、もう一度送信してください。',
      busy: 'ただいま混み合っています。少し待ってから、もう一度送信してください。',
      busyWait: (s) => `ただいま混み合っています。${s}秒ほど待ってから、もう一度送信してください。`,
      server: '申し訳ありません。エラーが発生しました。しばらくしてから、もう一度お試しください。',
      startFailed: 'チャットを開始できませんでした。',
      expired: '前の会話の有効期限が切れたため、新しい会話で続けます。',
      started: '新しい会話を始めました。',
      switched: (name) => `「${name}」のチャットに切り替えました。`,
      retry: '再送信',
      tryAgain: 'もう一度試す',
    },
    en: {
      launcher: 'Ask a question',
      defaultTitle: 'Osaka Prefecture chatbot',
      panelLabel: (name) => `${name} chat`,
      sub: 'Osaka Prefecture automated chat',
      privacy: 'Please do not enter personal information such as your name, address or phone number.',
      newChat: 'New chat',
      newChatLabel: 'Start a new conversation',
      close: 'Close chat',
      log: 'Conversation',
      you: 'You',
      bot: 'Chatbot',
      newTab: ' (opens in a new tab)',
      choices: 'Options',
      typing: 'Writing a reply…',
      inputLabel: 'Type your question',
      placeholder: 'Type your question',
      hint: 'Press Enter to send, Shift+Enter for a new line.',
      send: 'Send',
      rateQ: 'Was this answer helpful?',
      yes: 'Yes', yesLabel: 'Yes, it was helpful',
      no: 'No', noLabel: 'No, it was not helpful',
      thanks: 'Thank you for your feedback',
      rateFailed: 'Your rating could not be sent. Please try again later.',
      network: 'We could not connect. Please check your connection and send again.',
      busy: 'We are busy right now. Please wait a moment and send again.',
      busyWait: (s) => `We are busy right now. Please wait about ${s} seconds and send again.`,
      server: 'Sorry, something went wrong. Please try again later.',
      startFailed: 'The chat could not be started.',
      expired: 'Your earlier conversation had expired, so it continues in a new one.',
      started: 'A new conversation has started.',
      switched: (name) => `Switched to the “${name}” chat.`,
      retry: 'Send again',
      tryAgain: 'Try again',
    },
  };
  const T = STRINGS[LANG];

  // ---- small DOM helpers (text only: strings always become Text nodes) ------------
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v); // a listener, never an attribute
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    el.append(...children.filter((c) => c != null)); // append() turns strings into Text nodes
    return el;
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  const ICONS = { // Material Design icon paths (Apache-2.0)
    chat: 'M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2zM6 9h12v2H6zm8 5H6v-2h8zm4-6H6V6h12z',
    close: 'M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z',
    send: 'M2.01 21 23 12 2.01 3 2 10l15 2-15 2z',
    plus: 'M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6v2z',
  };
  function icon(name) { // decorative: the button's accessible name comes from aria-label
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'mdg-ico');
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.append(path);
    return svg;
  }

  // Bot answers often end with an office's web address or phone number; make http(s) URLs and
  // phone numbers real links, so a resident on a phone taps 189 or #7119 instead of copying it.
  // Built with createElement + text, and only http(s) and tel: can come out, so no javascript: URLs.
  // Phone numbers: 0X…-…-… , #NNNN short codes, and the emergency / hotline numbers 110, 119, 188, 189.
  const LINK_RE = /(https?:\/\/[^\s<>"'`、。「」（）()]+)|(0\d{1,4}-\d{1,4}-\d{3,4}|#\d{4}|(?<![\d#,.\-])(?:110|119|188|189)(?!\d|[,.\-]\d))/g;
  function appendLinked(el, text) {
    let last = 0;
    for (const m of text.matchAll(LINK_RE)) {
      if (m[1]) {
        const url = m[1].replace(/[.,;:!?]+$/, ''); // trailing punctuation is not part of the URL
        el.append(text.slice(last, m.index),
          h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, url, h('span', { class: 'mdg-sr' }, T.newTab)));
        last = m.index + url.length;
      } else {
        const tel = 'tel:' + m[2].replace(/-/g, '').replace('#', '%23'); // '#' must be escaped in a tel: URI
        el.append(text.slice(last, m.index), h('a', { href: tel, class: 'mdg-tel' }, m[2]));
        last = m.index + m[2].length;
      }
    }
    el.append(text.slice(last));
  }

  // ---- persisted state (sessionStorage: survives reloads, ends with the tab) -------
  // items: [{role: 'user'|'bot', text, buttons, used, chosen, id, sid, rateable, rated, botName}]
  // bot: the bot this conversation is with (data-bot, or the one a pointer switched to).
  const fresh = (botName = null, bot = BOT) => ({ lang: LANG, bot, sessionId: null, botName, status: 'idle', items: [] });
  function load() {
    try {
      const s = JSON.parse(sessionStorage.getItem(STORE_KEY));
      // A session was opened in one language; after a language switch start again.
      return s && s.lang === LANG && Array.isArray(s.items) ? s : null;
    } catch { return null; }
  }
  function save() {
    try {
      state.items = state.items.slice(-MAX_KEPT);
      sessionStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch { /* storage blocked or full: the chat still works, it just will not survive a reload */ }
  }
  let state = load() || fresh();

  // ---- API --------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, body, retryAfter) {
      const err = (body && body.error) || {};
      super(err.message || `HTTP ${status}`);
      Object.assign(this, { status, code: err.code, serverMessage: err.message, retryAfter });
    }
  }
  async function request(method, path, body) {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), TIMEOUT_MS);
    let res;
    try {
      res = await fetch(API + path, {
        method,
        // Accept-Language picks the language of the server's error messages.
        headers: { Accept: 'application/json', 'Accept-Language': LANG, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: ctrl.signal,
      });
    } catch {
      throw new ApiError(0, null, null); // status 0 = network error or timeout
    } finally {
      clearTimeout(timer);
    }
    const data = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(res.status, data, res.headers.get('Retry-After'));
    return data || {};
  }
  const enc = encodeURIComponent;

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID(); // only exists on https / localhost
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 version 4
    const x = Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }

  function retrySeconds(value) { // Retry-After is either seconds or an HTTP date
    if (!value) return 0;
    const n = Number(value);
    const secs = Number.isFinite(n) ? n : (Date.parse(value) - Date.now()) / 1000;
    return Number.isFinite(secs) ? Math.max(1, Math.ceil(secs)) : 0;
  }
  function errorText(e) {
    if (!(e instanceof ApiError) || e.status === 0) return T.network;
    if (e.status === 429) { const s = retrySeconds(e.retryAfter); return s ? T.busyWait(s) : T.busy; }
    // The API's messages are written for residents, in the language we asked for; a proxy's
    // error page (no JSON) gets our generic text.
    return e.serverMessage || T.server;
  }

  // ---- build the widget ---------------------------------------------------------
  const host = h('div', { id: 'madoguchi-widget' });
  host.style.display = 'none'; // until our stylesheet has loaded: no flash of unstyled buttons
  // Open shadow root: page CSS stays out, yet tests and assistive tech can reach in.
  const root = host.attachShadow({ mode: 'open' });

  const title = h('h2', { id: 'mdg-title', class: 'mdg-title' }, state.botName || T.defaultTitle);
  const newBtn = h('button', { type: 'button', id: 'mdg-new', class: 'mdg-hbtn', 'aria-label': T.newChatLabel, onclick: () => newConversation() },
    icon('plus'), h('span', null, T.newChat));
  const closeBtn = h('button', { type: 'button', id: 'mdg-close', class: 'mdg-hbtn mdg-close', 'aria-label': T.close, onclick: () => closePanel() },
    icon('close'));
  const log = h('div', { id: 'mdg-log', class: 'mdg-log', role: 'log', 'aria-live': 'polite', 'aria-label': T.log, tabindex: '0' });
  const typing = h('div', { id: 'mdg-typing', class: 'mdg-typing', 'data-role': 'typing' },
    h('span', { class: 'mdg-dot', 'aria-hidden': 'true' }), h('span', { class: 'mdg-dot', 'aria-hidden': 'true' }),
    h('span', { class: 'mdg-dot', 'aria-hidden': 'true' }), h('span', { class: 'mdg-sr' }, T.typing));
  const input = h('textarea', {
    id: 'mdg-input', class: 'mdg-input', rows: '1', 'aria-label': T.inputLabel,
    'aria-describedby': 'mdg-hint', placeholder: T.placeholder, autocomplete: 'off', enterkeyhint: 'send',
  });
  const sendBtn = h('button', { type: 'submit', id: 'mdg-send', class: 'mdg-send', 'aria-label': T.send },
    icon('send'), h('span', null, T.send));
  const form = h('form', { class: 'mdg-form', novalidate: true }, input, sendBtn, h('p', { id: 'mdg-hint', class: 'mdg-sr' }, T.hint));
  const panel = h('div', {
    id: 'mdg-panel', class: 'mdg-panel', role: 'dialog', 'aria-label': T.panelLabel(state.botName || T.defaultTitle),
    tabindex: '-1', hidden: true, 'data-status': state.status, 'data-bot': state.bot || BOT,
  },
  h('div', { class: 'mdg-head' }, h('div', { class: 'mdg-titles' }, title, h('p', { class: 'mdg-sub' }, T.sub)), newBtn, closeBtn),
  h('p', { class: 'mdg-privacy' }, T.privacy),
  log, form);
  // The panel comes before the launcher so Tab runs header → messages → input → send.
  const launcher = h('button', {
    type: 'button', id: 'mdg-launcher', class: 'mdg-launcher', 'aria-label': T.launcher,
    'aria-haspopup': 'dialog', 'aria-controls': 'mdg-panel', 'aria-expanded': 'false', onclick: () => openPanel(),
  }, icon('chat'), h('span', null, T.launcher));
  const link = h('link', { rel: 'stylesheet', href: CSS_URL });
  root.append(link, h('div', { class: 'mdg', lang: LANG }, panel, launcher));

  // ---- rendering ------------------------------------------------------------------
  const nodes = new WeakMap(); // item → its DOM node (kept out of the JSON we store)
  let lastBotName = null;      // show the speaker's name when it changes (front door → tax …)

  function place(node) { // new nodes go above the typing indicator, if it is showing
    log.insertBefore(node, typing.isConnected ? typing : null);
  }
  function render(item) {
    const node = item.role === 'user' ? renderUser(item) : renderBot(item);
    nodes.set(item, node);
    place(node);
    return node;
  }
  function renderUser(item) {
    return h('div', { class: 'mdg-msg', 'data-role': 'user' },
      h('span', { class: 'mdg-sr' }, `${T.you}: `), h('p', { class: 'mdg-text' }, item.text));
  }
  function renderBot(item) {
    const name = item.botName || T.bot;
    const changed = name !== lastBotName;
    lastBotName = name;
    const text = h('p', { class: 'mdg-text' });
    appendLinked(text, item.text);
    const node = h('div', { class: 'mdg-msg', 'data-role': 'bot', 'data-message-id': item.id },
      // Screen readers always hear who is speaking; sighted residents see it when it changes.
      h('span', { class: changed ? 'mdg-who' : 'mdg-sr' }, changed ? name : `${name}: `), text);
    if (item.buttons.length) node.append(renderChoices(item));
    if (item.rateable) node.append(item.rated ? h('p', { class: 'mdg-rated' }, T.thanks) : renderRating(item));
    return node;
  }

  function renderChoices(item) {
    const group = h('div', { class: 'mdg-choices', role: 'group', 'aria-label': T.choices });
    const buttons = item.buttons.map((b, i) => h('button', {
      type: 'button', class: i === item.chosen ? 'mdg-choice is-chosen' : 'mdg-choice',
      'data-payload': b.payload, disabled: !!item.used,
      ...(openBotTarget(b.payload) ? { 'data-open-bot': openBotTarget(b.payload) } : {}),
    }, b.title));
    const mark = (chosen) => {
      item.used = chosen != null; item.chosen = chosen;
      buttons.forEach((btn, i) => { btn.disabled = item.used; btn.classList.toggle('is-chosen', i === chosen); });
      save();
    };
    buttons.forEach((btn, i) => btn.addEventListener('click', async () => {
      if (busy || item.used) return;
      const keyboard = btn.matches(':focus-visible');
      mark(i);          // one answer per set of buttons
      refocus(keyboard); // the focused button just became disabled
      const target = openBotTarget(item.buttons[i].payload);
      if (target) { await switchBot(target, item); return; }
      // Any other payload goes to the server as plain text and is never interpreted here.
      const ok = await send(item.buttons[i].payload, item.buttons[i].title, () => btn.click());
      if (!ok) mark(null); // not delivered: let the resident choose again
    }));
    group.append(...buttons);
    return group;
  }

  let ratingSeq = 0;
  function renderRating(item) {
    const qid = `mdg-rq-${++ratingSeq}`;
    const box = h('div', { class: 'mdg-rating', role: 'group', 'aria-labelledby': qid }, h('p', { id: qid }, T.rateQ));
    const buttons = [[true, T.yes, T.yesLabel], [false, T.no, T.noLabel]].map(([helpful, text, label]) => {
      const btn = h('button', { type: 'button', class: 'mdg-rate', 'data-helpful': String(helpful), 'aria-label': label }, text);
      btn.addEventListener('click', async () => {
        const keyboard = btn.matches(':focus-visible');
        buttons.forEach((b) => { b.disabled = true; });
        try {
          await request('POST', `/api/v1/messages/${enc(item.id)}/rating`, { session_id: item.sid || state.sessionId, helpful });
          item.rated = helpful ? 'yes' : 'no';
          save();
          box.replaceWith(h('p', { class: 'mdg-rated' }, T.thanks));
          refocus(keyboard);
        } catch {
          buttons.forEach((b) => { b.disabled = false; });
          notice(T.rateFailed);
          if (keyboard) btn.focus();
        }
      });
      return btn;
    });
    box.append(h('span', { class: 'mdg-rate-btns' }, ...buttons)); // the two answers wrap as a pair
    return box;
  }

  // Transient notices (errors, "new conversation") are not stored: stale after a reload.
  function notice(text, actionLabel, action) {
    const node = h('div', { class: 'mdg-msg', 'data-role': 'notice' }, h('p', { class: 'mdg-text' }, text));
    if (action) {
      node.dataset.retry = '';
      node.append(h('button', {
        type: 'button', class: 'mdg-retry',
        onclick: () => { node.remove(); input.focus(); action(); },
      }, actionLabel));
    }
    place(node);
    scrollTo(node);
  }
  const clearRetries = () => log.querySelectorAll('[data-retry]').forEach((n) => n.remove());

  function showTyping(on) {
    if (on) { log.append(typing); scrollTo(typing); } else typing.remove();
  }
  // Bring a new node's top into view (long answers start readable); clamps at the end.
  function scrollTo(node) { log.scrollTop = Math.max(0, node.offsetTop - 12); }

  // After a mouse/touch click on a control that then disappears or disables itself, keep
  // focus inside the dialog (so Escape still works) without popping up a phone keyboard.
  function refocus(keyboard) {
    if (keyboard) input.focus();
    else if (!root.activeElement || root.activeElement.disabled) panel.focus({ preventScroll: true });
  }

  function addItem(item) { state.items.push(item); render(item); save(); return item; }
  function removeItem(item) {
    state.items = state.items.filter((i) => i !== item);
    const node = nodes.get(item);
    if (node) node.remove();
    save();
  }
  function addBotMessages(messages, sid) {
    let first = null;
    for (const m of messages || []) {
      const node = nodes.get(addItem({
        role: 'bot',
        text: String(m.text || ''),
        buttons: Array.isArray(m.buttons) ? m.buttons.map((b) => ({ title: String(b.title), payload: String(b.payload) })) : [],
        used: false, chosen: null,
        id: m.id == null ? null : String(m.id), sid,
        rateable: !!m.rateable && m.id != null, rated: null,
        botName: m.bot_name || '',
      }));
      first = first || node;
    }
    if (first) scrollTo(first);
  }
  function setTitle(name) {
    title.textContent = name;
    panel.setAttribute('aria-label', T.panelLabel(name));
  }
  function setStatus(status) { state.status = status || 'idle'; panel.dataset.status = state.status; }

  // ---- conversation -----------------------------------------------------------
  let busy = false;       // one send at a time; the server answers in order
  let creating = null;    // the in-flight "create session" promise, shared by callers
  let lastFailed = null;  // {text, key}: sending the same text again reuses the idempotency key

  const currentBot = () => state.bot || BOT;
  // The bot id of a pointer's /open_bot{"bot": "…"} payload, or null for any other payload.
  function openBotTarget(payload) {
    const m = /^\/open_bot(\{.*\})$/s.exec(String(payload || ''));
    if (!m) return null;
    try {
      const bot = JSON.parse(m[1]).bot;
      return typeof bot === 'string' && /^[a-z][a-z0-9_]*$/.test(bot) ? bot : null;
    } catch { return null; }
  }
  // The pointer's button: a new conversation with `target` in this panel, and the resident's
  // last question asked there again (so nobody has to type it twice).
  async function switchBot(target, pointer) {
    if (busy || creating) return;
    const index = state.items.indexOf(pointer);
    const asked = state.items.slice(0, index < 0 ? state.items.length : index).reverse().find((i) => i.role === 'user');
    const old = state.sessionId;
    if (old) request('POST', `/api/v1/sessions/${enc(old)}/end`).catch(() => {});
    state.bot = target;
    state.sessionId = null;
    state.botName = null;
    save();
    lastBotName = null;
    panel.dataset.bot = target;
    await loadBotName();
    notice(T.switched(state.botName || target));
    await startWithWelcome();
    if (state.sessionId && asked) await send(asked.text, asked.text, () => send(asked.text, asked.text));
  }

  async function loadBotName() {
    try {
      const data = await request('GET', '/api/v1/bots');
      const bot = (data.bots || []).find((b) => b.id === currentBot());
      const name = bot && bot.name && (bot.name[LANG] || bot.name.ja);
      if (name) { state.botName = name; setTitle(name); save(); }
    } catch { /* keep the generic title; the chat itself still works */ }
  }

  // Creates a session if there is none. welcome: show the bot's greeting messages.
  function ensureSession(welcome) {
    if (state.sessionId) return Promise.resolve();
    creating = creating || (async () => {
      try {
        const data = await request('POST', `/api/v1/bots/${enc(currentBot())}/sessions`, { language: LANG });
        state.sessionId = data.session_id;
        setStatus('idle');
        save();
        if (welcome) addBotMessages(data.messages, data.session_id);
      } finally { creating = null; }
    })();
    return creating;
  }
  async function startWithWelcome() {
    clearRetries();
    showTyping(true);
    try { await ensureSession(true); } catch (e) {
      notice(`${T.startFailed} ${errorText(e)}`, T.tryAgain, startWithWelcome);
    } finally { showTyping(false); }
  }

  function postMessage(text, key) {
    return request('POST', `/api/v1/bots/${enc(currentBot())}/messages`, { session_id: state.sessionId, text, idempotency_key: key });
  }

  // Sends `text` (typed text or a button payload), showing `shown` as the resident's bubble.
  // retry: replays the resident's action from the error notice. Resolves to true on success.
  async function send(text, shown, retry, typed) {
    if (busy) return false;
    busy = true;
    sendBtn.setAttribute('aria-disabled', 'true'); // not `disabled`: that would drop focus
    clearRetries();
    const key = lastFailed && lastFailed.text === text ? lastFailed.key : uuid();
    const item = addItem({ role: 'user', text: shown });
    scrollTo(nodes.get(item));
    showTyping(true);
    try {
      await ensureSession(false);
      let data;
      try {
        data = await postMessage(text, key);
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404 && e.code === 'session_not_found')) throw e;
        // The server no longer knows the session (expired). Start a new one and resend
        // once — with a fresh key, since it is a new request to a different session.
        state.sessionId = null;
        await ensureSession(false);
        notice(T.expired);
        data = await postMessage(text, uuid());
      }
      lastFailed = null;
      if (typed && input.value.trim() === text) input.value = ''; // sent via the retry button
      setStatus(data.status);
      showTyping(false);
      addBotMessages(data.messages, state.sessionId);
      return true;
    } catch (e) {
      // Not delivered: take the bubble back, give the typed text back, explain, offer a retry.
      removeItem(item);
      lastFailed = { text, key };
      if (typed && !input.value) { input.value = text; autoGrow(); }
      // A retry button only where resending can help (not for e.g. "message too long").
      const transient = !(e instanceof ApiError) || e.status === 0 || e.status === 429 || e.status >= 500;
      notice(errorText(e), T.retry, transient ? retry : null);
      return false;
    } finally {
      busy = false;
      showTyping(false);
      sendBtn.removeAttribute('aria-disabled');
    }
  }

  function submitInput() {
    const text = input.value.trim();
    if (!text || busy) return;
    input.value = '';
    autoGrow();
    send(text, text, submitInput, true);
  }

  async function newConversation() {
    if (busy || creating) return;
    const old = state.sessionId;
    // Best effort: the server expires forgotten sessions anyway.
    if (old) request('POST', `/api/v1/sessions/${enc(old)}/end`).catch(() => {});
    state = fresh(state.botName, currentBot()); // a new conversation with the bot it was with
    save();
    log.replaceChildren();
    lastBotName = null;
    lastFailed = null;
    setStatus('idle');
    input.value = '';
    autoGrow();
    input.focus();
    notice(T.started);
    await startWithWelcome();
  }

  // ---- open / close, keyboard -----------------------------------------------------
  function openPanel() {
    if (!panel.hidden) return;
    panel.hidden = false;
    launcher.hidden = true; // the panel sits where the launcher was
    launcher.setAttribute('aria-expanded', 'true');
    log.scrollTop = log.scrollHeight;
    input.focus();
    // Sessions are created on first open, not on page load, so usage figures count real chats.
    if (!state.sessionId && !state.items.length) startWithWelcome();
    if (!state.botName) loadBotName();
  }
  function closePanel() {
    if (panel.hidden) return;
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }

  // On a phone the panel covers the page, so Tab wraps inside it instead of
  // wandering into the hidden page behind.
  const fullScreen = matchMedia('(max-width: 479.98px), (max-height: 479.98px)');
  function wrapTab(e) {
    const items = [...panel.querySelectorAll('button:not([disabled]), textarea, a[href], [tabindex="0"]')];
    const first = items[0];
    const last = items[items.length - 1];
    const active = root.activeElement;
    if (e.shiftKey && (active === first || active === panel)) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && active === last) { e.preventDefault(); first.focus(); }
  }
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !e.isComposing) { e.preventDefault(); closePanel(); }
    else if (e.key === 'Tab' && fullScreen.matches) wrapTab(e);
  });

  function autoGrow() { // the textarea grows with its text up to the CSS max-height
    input.style.height = 'auto';
    input.style.height = `${input.scrollHeight + 4}px`; // + the 2px borders
  }
  input.addEventListener('input', autoGrow);
  input.addEventListener('keydown', (e) => {
    // Enter sends, Shift+Enter makes a new line. While a Japanese IME is composing, Enter
    // only confirms the conversion: isComposing, plus keyCode 229 for Safari, which fires
    // that keydown after compositionend.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submitInput();
    }
  });
  form.addEventListener('submit', (e) => { e.preventDefault(); submitInput(); });

  // ---- start ----------------------------------------------------------------------
  state.items.forEach(render); // re-render the transcript while hidden, so it is not re-announced
  let revealed = false;
  function reveal() {
    if (revealed) return;
    revealed = true;
    host.style.display = '';
    if (new URLSearchParams(location.search).get('open') === '1') openPanel();
  }
  link.addEventListener('load', reveal);
  link.addEventListener('error', reveal); // unstyled but usable beats invisible
  setTimeout(reveal, 5000);               // a stalled stylesheet must not hide the widget for good

  window.MadoguchiWidget = { open: openPanel, close: closePanel, newConversation, bot: BOT, lang: LANG };
  // Without `defer` in <head> there is no <body> yet.
  if (document.body) document.body.append(host);
  else document.addEventListener('DOMContentLoaded', () => document.body.append(host));
})();
