// Drives Debian's Chromium (headless, through puppeteer-core; no browser is ever downloaded) on the gateway's operator
// console for ConsoleTest. Commands come as JSON lines on stdin, one answer per command as a JSON line on stdout:
//   {"cmd":"open","page":"a","url":"http://.../application/console","user":"u","password":"p"}
//   {"cmd":"state","page":"a"}          -> what the page shows (sessions, instances, rates, cluster strip, status)
//   {"cmd":"type","page":"a","selector":"#filter","text":"chat"}   (replaces the field's text)
//   {"cmd":"click","page":"a","selector":"..."}
//   {"cmd":"screenshot","page":"a","path":"/tmp/x.png"}
//   {"cmd":"layout","page":"a"}         -> widths: viewport, document, the session table and its panel, each header
//                                          (clipped or not), the rightmost Close button
//   {"cmd":"close","page":"a"}
// Every answer is {"ok":true,...} or {"ok":false,"error":"..."}. Console errors and failed requests of each page are
// collected and reported by "state" (the console must run under its Content-Security-Policy without a violation).
// Usage: node console.js     (CHROMIUM=/path/to/chromium overrides /usr/bin/chromium)
const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');
const puppeteer = require('puppeteer-core');

const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const pages = new Map(); // name -> {page, problems}

function snapshot() {
  const text = (e) => (e ? e.textContent.trim() : null);
  const sessions = [...document.querySelectorAll('#sessions tbody tr')].map((tr) => {
    const row = { key: tr.dataset.key };
    for (const td of tr.querySelectorAll('td[data-col]')) row[td.dataset.col] = td.textContent.trim();
    row.button = text(tr.querySelector('button[data-action="close"]'));
    return row;
  });
  const instances = [...document.querySelectorAll('#instances section.service')].map((svc) => ({
    service: svc.dataset.service,
    heading: text(svc.querySelector('h3')),
    instances: [...svc.querySelectorAll('tbody tr')].map((tr) => {
      const row = {};
      for (const td of tr.querySelectorAll('td[data-col]')) row[td.dataset.col] = td.textContent.trim();
      return row;
    }),
  }));
  const rates = {};
  for (const card of document.querySelectorAll('.card[data-rate]')) {
    rates[card.dataset.rate] = { value: text(card.querySelector('.value')), sub: text(card.querySelector('.sub')) };
  }
  const rowsOf = (selector) => [...document.querySelectorAll(selector + ' tbody tr')].map((tr) => {
    const row = {};
    [...tr.children].forEach((td, i) => { row[td.dataset.col || String(i)] = td.textContent.trim(); });
    return row;
  });
  const sparks = {};
  for (const c of document.querySelectorAll('canvas.spark')) sparks[c.dataset.spark] = Number(c.dataset.points || 0);
  const discoveryState = document.getElementById('discovery-state');
  const sorted = document.querySelector('#sessions th[aria-sort]');
  const cluster = document.getElementById('cluster');
  const toast = document.getElementById('toast');
  return {
    polls: Number(document.body.dataset.polls || 0),
    scope: document.body.dataset.scope || '',
    scopePressed: text(document.querySelector('.segmented button[aria-pressed="true"]')),
    status: text(document.getElementById('status')),
    sessionCount: text(document.getElementById('session-count')),
    sort: sorted ? { key: sorted.dataset.key, dir: sorted.getAttribute('aria-sort') } : null,
    gatewayColumn: getComputedStyle(document.querySelector('#sessions th[data-key="gateway"]')).display !== 'none',
    cluster: cluster.hidden ? null : text(cluster),
    toast: toast.hidden ? null : text(toast),
    empty: document.getElementById('no-sessions').hidden ? null : text(document.getElementById('no-sessions')),
    sessions,
    instances,
    rates,
    discovery: {
      state: discoveryState ? discoveryState.dataset.state || null : null,
      text: text(document.getElementById('discovery')),
    },
    refusals: rowsOf('#refusals'),
    closes: rowsOf('#closes'),
    services: rowsOf('#service-totals'),
    sparks,
  };
}

function layout() {
  const table = document.getElementById('sessions');
  const panel = table.closest('.panel');
  const headers = [...table.querySelectorAll('thead th')].filter((th) => getComputedStyle(th).display !== 'none')
    .map((th) => {
      return { key: th.dataset.key || '', text: th.textContent.trim(), clipped: th.scrollWidth > th.clientWidth,
        right: th.getBoundingClientRect().right };
    });
  const buttons = [...table.querySelectorAll('button[data-action="close"]')].map((b) => b.getBoundingClientRect().right);
  return {
    viewport: window.innerWidth,
    document: document.documentElement.scrollWidth,
    table: table.getBoundingClientRect().width,
    tableScroll: table.scrollWidth,
    panel: panel.clientWidth,
    headers,
    closeRight: buttons.length ? Math.max(...buttons) : null,
  };
}

async function open(browser, cmd) {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.type() + ': ' + m.text());
  });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('requestfailed', (r) => problems.push('request failed: ' + r.url() + ' ' + (r.failure() || {}).errorText));
  page.on('response', (r) => {
    if (r.status() >= 400 && r.status() !== 401) problems.push('HTTP ' + r.status() + ' ' + r.url());
  });
  // the size the console must fit without sideways scrolling
  await page.setViewport({ width: cmd.width || 1366, height: cmd.height || 768 });
  if (cmd.user) await page.authenticate({ username: cmd.user, password: cmd.password });
  const response = await page.goto(cmd.url, { waitUntil: 'load' });
  pages.set(cmd.page, { page, problems });
  return {
    status: response.status(),
    csp: response.headers()['content-security-policy'] || null,
  };
}

async function run(browser, cmd) {
  if (cmd.cmd === 'open') return open(browser, cmd);
  if (cmd.cmd === 'close') {
    const closing = pages.get(cmd.page);
    pages.delete(cmd.page);
    if (closing) await closing.page.close();
    return {};
  }
  const entry = pages.get(cmd.page);
  if (!entry) throw new Error('no page ' + cmd.page);
  const { page, problems } = entry;
  switch (cmd.cmd) {
    case 'state':
      return Object.assign(await page.evaluate(snapshot), { problems: problems.slice() });
    case 'type':
      await page.$eval(cmd.selector, (e) => {
        e.value = '';
        e.dispatchEvent(new Event('input', { bubbles: true }));
      });
      await page.type(cmd.selector, cmd.text);
      return {};
    case 'click':
      await page.click(cmd.selector);
      return {};
    case 'layout':
      return page.evaluate(layout);
    case 'screenshot':
      await page.screenshot({ path: cmd.path, fullPage: true });
      return {};
    default:
      throw new Error('unknown command ' + cmd.cmd);
  }
}

(async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'console-chromium-'));
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    userDataDir: profile,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
      '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const lines = readline.createInterface({ input: process.stdin });
    for await (const line of lines) {
      if (!line.trim()) continue;
      let answer;
      try {
        answer = Object.assign({ ok: true }, await run(browser, JSON.parse(line)));
      } catch (e) {
        answer = { ok: false, error: String(e && e.message || e) };
      }
      process.stdout.write(JSON.stringify(answer) + '\n');
    }
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
})().catch((e) => {
  process.stderr.write('console.js: ' + (e && e.stack || e) + '\n');
  process.exit(1);
});
