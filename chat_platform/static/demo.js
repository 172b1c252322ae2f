// Demo only: read ?bot= and ?lang=, translate the page chrome, fill the bot picker,
// then embed the widget exactly as a prefectural page would (one <script> tag).
(() => {
  'use strict';
  const params = new URLSearchParams(location.search);
  const lang = params.get('lang') === 'en' ? 'en' : 'ja';
  const askedBot = params.get('bot') || '';
  const bot = /^[A-Za-z0-9_-]{1,64}$/.test(askedBot) ? askedBot : 'inquiry';
  document.documentElement.lang = lang;

  const EN = {
    skip: 'Skip to main content',
    banner: 'This is a demo page. It is not the real Osaka Prefecture website.',
    site: 'Osaka Prefecture', tagline: 'Osaka Prefectural Government (demo)',
    navLabel: 'Main navigation',
    nav1: 'Living & environment', nav2: 'Health & welfare', nav3: 'Prefectural tax', nav4: 'Disaster & safety', nav5: 'Contact',
    title: 'Osaka Prefecture — demo page',
    pick: 'Choose a chatbot',
    pickHelp: 'Choosing one reloads the page and switches the chat at the bottom right to that bot.',
    h2a: 'News (placeholder)',
    p1: 'This paragraph is placeholder text for the demo, not real prefectural information. A page that embeds the chat shows an "Ask a question" button at the bottom right.',
    p2: 'Placeholder: the chatbots answer questions about automobile tax, consumer problems, COVID-19 and more, 24 hours a day (demo).',
    h2b: 'How to embed',
    p3: 'Add this one line to any page:',
    p4: 'Placeholder: body text goes here. Body text goes here.',
    footer: 'Madoguchi demo — everything shown here is placeholder content.',
  };
  if (lang === 'en') {
    document.title = 'Osaka Prefecture — demo page | Madoguchi';
    document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = EN[el.dataset.i18n]; });
    document.querySelectorAll('[data-i18n-label]').forEach((el) => { el.setAttribute('aria-label', EN[el.dataset.i18nLabel]); });
  }

  // Language links keep the chosen bot.
  for (const code of ['ja', 'en']) {
    const a = document.getElementById(`lang-${code}`);
    a.href = `?${new URLSearchParams({ bot, lang: code })}`;
    if (code === lang) a.setAttribute('aria-current', 'true');
  }

  // Bot picker: filled from the API; until then it shows the current bot's id.
  const select = document.getElementById('bot-picker');
  select.append(new Option(bot, bot, true, true));
  fetch('/api/v1/bots')
    .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
    .then((data) => {
      const bots = data.bots || [];
      if (!bots.length) return;
      select.replaceChildren(...bots.map((b) => {
        const name = (b.name && (b.name[lang] || b.name.ja)) || b.id;
        return new Option(name, b.id, false, b.id === bot);
      }));
    })
    .catch(() => { /* keep the single option; the widget itself reports API trouble */ });
  select.addEventListener('change', () => {
    location.search = `?${new URLSearchParams({ bot: select.value, lang })}`;
  });
  document.getElementById('picker').addEventListener('submit', (e) => e.preventDefault());

  // The embed itself, with the attributes a real page would write by hand.
  const s = document.createElement('script');
  s.src = '/static/madoguchi-widget.js';
  s.dataset.bot = bot;
  s.dataset.lang = lang;
  s.defer = true;
  document.body.append(s);
})();
