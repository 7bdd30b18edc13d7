// Drives Debian's Chromium (headless, through puppeteer-core; no browser is ever downloaded) to a page served by
// BrowserTest, waits for the page's checks, saves a screenshot and prints the results as one JSON line.
// Usage: node browser.js PAGE_URL SCREENSHOT.png     (CHROMIUM=/path/to/chromium overrides /usr/bin/chromium)
const puppeteer = require('puppeteer-core');

const [pageUrl, screenshot] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

(async () => {
  const args = ['--disable-dev-shm-usage', '--disable-gpu', '--no-first-run'];
  if (process.getuid && process.getuid() === 0) {
    args.push('--no-sandbox'); // Chromium refuses to run as root with its sandbox
  }
  const browser = await puppeteer.launch({ executablePath, headless: true, args });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1000, height: 420 });
    page.on('console', (m) => process.stderr.write('page console: ' + m.text() + '\n'));
    await page.goto(pageUrl);
    await page.waitForFunction('window.checkResults !== undefined', { timeout: 90000 });
    const results = await page.evaluate(() => window.checkResults);
    await page.screenshot({ path: screenshot, fullPage: true });
    process.stdout.write(JSON.stringify(results) + '\n');
  } finally {
    await browser.close();
  }
})().catch((e) => {
  process.stderr.write('browser.js: ' + (e && e.stack || e) + '\n');
  process.exit(1);
});
