import * as fs from 'node:fs';
import type { Server } from 'node:http';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { consoleBuildDir } from '../../src/console/console-static';
import { jobBody } from '../factories/job.factory';
import { createTestApp, TEST_ADMIN, TEST_USER, type TestApp } from '../support/test-app';
import { WebhookServer } from '../support/webhook-server';

/** Debian's Chromium (.ci/run installs it): playwright's own browsers cannot be downloaded here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // Without these Chromium reaches out to the network, which this machine refuses.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** CONSOLE_SCREENSHOTS=1 writes the main pages to docs/console/*.png. */
const SHOTS =
  process.env.CONSOLE_SCREENSHOTS === '1' ? path.resolve(__dirname, '..', '..', 'docs', 'console') : undefined;

const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium)
  process.stderr.write(`console.e2e-spec: SKIPPED, no Chromium at ${CHROMIUM} (apt-get install -y chromium)\n`);
const describeInBrowser = hasChromium ? describe : describe.skip;

describeInBrowser('Web console in Chromium (against the real server)', () => {
  let t: TestApp;
  let hooks: WebhookServer;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];
  let pageErrors: string[] = [];

  beforeAll(async () => {
    // `npm test` builds first; the console is served from dist/console.
    if (!fs.existsSync(path.join(consoleBuildDir(), 'index.html')))
      throw new Error(`${consoleBuildDir()}/index.html is missing: run npm run build`);
    hooks = await new WebhookServer().start();
    t = await createTestApp('console', { ROLES: 'api,worker' });
    const server = t.app.getHttpServer() as Server;
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
    await hooks?.stop();
  });

  afterEach(() => {
    const errors = pageErrors;
    pageErrors = [];
    expect(errors).toEqual([]);
  });

  async function newPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    // A script error in the page fails the test that caused it (it would only show as a timeout).
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // An API error answer (a wrong password's 401) is logged by the browser; it is not a script error.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        pageErrors.push(message.text());
    });
    return page;
  }

  async function signIn(page: Page, user: { username: string; password: string }, to = '/console/'): Promise<void> {
    await page.goto(base + to);
    await page.getByRole('textbox', { name: 'Username' }).fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  async function shot(page: Page, name: string): Promise<void> {
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }

  it('is served at /console (/ redirects there; client routes get the page; hashed assets are cached, the page is not)', async () => {
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');
    const deep = await fetch(`${base}/console/jobs/12`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('cache-control')).toBe('no-cache');
    expect(deep.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await deep.text();
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    expect(html).not.toMatch(/<script>/);
    const js = await fetch(base + asset!);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${base}/console/assets/missing.js`)).status).toBe(404);
    // The console opens no API route: data still needs the token.
    expect((await fetch(`${base}/api/v1/jobs`)).status).toBe(401);
  });

  it('signs in (a wrong password shows the API message) and shows the superuser navigation', async () => {
    const page = await newPage();
    await page.goto(`${base}/console/`);
    await shot(page, 'sign-in');
    await page.getByRole('textbox', { name: 'Username' }).fill(TEST_ADMIN.username);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Invalid username or password');

    await page.getByLabel('Password').fill(TEST_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview', exact: true }).waitFor();
    for (const name of ['Overview', 'Jobs', 'Runs', 'Audit log', 'Users', 'Channels'])
      await page.getByRole('link', { name, exact: true }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  it('creates a job through the form, finds it by search, runs it and shows the run with its log lines', async () => {
    const page = await newPage();
    await signIn(page, TEST_ADMIN, '/console/jobs');
    await page.getByRole('button', { name: 'New job' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('console-hook');
    await page.getByRole('textbox', { name: 'Title', exact: true }).fill('Console webhook');
    await page.getByRole('combobox', { name: 'Task', exact: true }).fill('http.request');
    await page
      .getByRole('textbox', { name: /Task kwargs/ })
      .fill(JSON.stringify({ url: `${hooks.url}/ok`, method: 'POST' }));
    await page.getByRole('combobox', { name: 'Schedule type' }).selectOption('daily');
    await page.getByRole('textbox', { name: 'Schedule expression' }).fill('09:30');
    // The live preview from validate-schedule.
    await page.getByText('At 09:30').first().waitFor();
    await page.getByRole('button', { name: 'Create job' }).click();
    await page.getByRole('heading', { level: 1, name: 'console-hook', exact: true }).waitFor();
    const jobId = Number(/\/jobs\/(\d+)$/.exec(page.url())?.[1]);
    expect(jobId).toBeGreaterThan(0);
    await shot(page, 'job');

    // Another job, so that the search has something to leave out.
    await t.http
      .post('/api/v1/jobs/')
      .send(jobBody({ name: 'other-job' }))
      .expect(201);
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await page.getByRole('link', { name: 'other-job' }).waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).fill('console-hook');
    await page.getByRole('link', { name: 'other-job' }).waitFor({ state: 'detached' });
    const table = page.getByRole('table');
    await table.getByRole('link', { name: 'console-hook' }).waitFor();
    expect(page.url()).toContain('search=console-hook');
    await shot(page, 'jobs');

    await table.getByRole('link', { name: 'console-hook' }).click();
    await page.getByRole('heading', { level: 1, name: 'console-hook', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Run now' }).click();
    // Kwargs are checked before anything is sent.
    await page.getByRole('textbox', { name: /Override kwargs/ }).fill('{not json');
    await page.getByRole('button', { name: 'Start run' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not valid JSON');
    await page.getByRole('textbox', { name: /Override kwargs/ }).fill('{"body": {"from": "console"}}');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.getByRole('heading', { level: 1, name: /^Run \d+$/ }).waitFor();
    await page.getByText('succeeded', { exact: true }).first().waitFor();
    const log = page.getByRole('list', { name: 'Log lines' });
    await log.getByText(/answered HTTP 200/).waitFor();
    await expect(log.textContent()).resolves.toContain(`POST ${hooks.url}/ok: sending`);
    expect(hooks.hits('/ok').map((hit) => hit.body)).toContainEqual({ from: 'console' });
    await shot(page, 'run');
  });

  it('pauses a job with a reason and resumes it', async () => {
    const job = (
      await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ name: 'pause-me' }))
        .expect(201)
    ).body;
    const page = await newPage();
    await signIn(page, TEST_ADMIN, `/console/jobs/${job.id}`);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('textbox', { name: 'Reason' }).fill('maintenance window');
    await page.getByRole('button', { name: 'Confirm pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    await page.getByText(/maintenance window/).waitFor();
    expect((await t.http.get(`/api/v1/jobs/${job.id}`).expect(200)).body).toMatchObject({
      status: 'paused',
      paused_reason: 'maintenance window',
    });
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    expect((await t.http.get(`/api/v1/jobs/${job.id}`).expect(200)).body.status).toBe('active');
  });

  it('edits a job with a live schedule preview (an invalid expression says why) and deletes one after confirming', async () => {
    const job = (
      await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ name: 'edit-me' }))
        .expect(201)
    ).body;
    const page = await newPage();
    await signIn(page, TEST_ADMIN, `/console/jobs/${job.id}`);
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('combobox', { name: 'Schedule type' }).selectOption('weekly');
    await page.getByRole('textbox', { name: 'Schedule expression' }).fill('9:25:00');
    await page.getByRole('alert').first().waitFor();
    await page.getByRole('textbox', { name: 'Schedule expression' }).fill('0:08:15');
    await page.getByText(/08:15/).first().waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: 'edit-me', exact: true }).waitFor();
    expect((await t.http.get(`/api/v1/jobs/${job.id}`).expect(200)).body).toMatchObject({
      schedule_type: 'weekly',
      schedule_expression: '0:08:15',
    });

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await page.getByRole('heading', { level: 1, name: 'Jobs', exact: true }).waitFor();
    await t.http.get(`/api/v1/jobs/${job.id}`).expect(404);
  });

  it('shows an ordinary user every page but no action button nor superuser link', async () => {
    const job = (
      await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ name: 'read-only' }))
        .expect(201)
    ).body;
    const page = await newPage();
    await signIn(page, TEST_USER, `/console/jobs/${job.id}`);
    await page.getByRole('heading', { level: 1, name: 'read-only', exact: true }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Runs', exact: true }).waitFor();
    for (const name of ['Run now', 'Pause', 'Resume', 'Edit', 'Delete'])
      await expect(page.getByRole('button', { name, exact: true }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await page.getByRole('table').waitFor();
    await expect(page.getByRole('button', { name: 'New job' }).count()).resolves.toBe(0);
    // The column headers sort (anyone may read and sort).
    await page.getByRole('button', { name: 'Name', exact: true }).click();
    await page.getByRole('columnheader', { name: /Name/ }).and(page.locator('[aria-sort="ascending"]')).waitFor();
    expect(page.url()).toContain('sort=name');
    for (const name of ['Audit log', 'Users', 'Channels'])
      await expect(page.getByRole('link', { name, exact: true }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Runs', exact: true }).waitFor();
  });

  it('renders the jobs page at 390×844 without horizontal overflow', async () => {
    const page = await newPage({ width: 390, height: 844 });
    await signIn(page, TEST_ADMIN, '/console/jobs');
    await page.getByRole('table').waitFor();
    await page.getByRole('link', { name: 'console-hook' }).waitFor();
    const widths = await page.evaluate<{ scroll: number; client: number }>(
      '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
    );
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await shot(page, 'jobs-mobile');
  });

  it('shows the overview and the superuser tables', async () => {
    const page = await newPage();
    await signIn(page, TEST_ADMIN);
    await page.getByRole('heading', { level: 1, name: 'Overview', exact: true }).waitFor();
    await page.getByRole('img', { name: /Runs per hour/ }).waitFor();
    await page.getByText('Success rate').waitFor();
    await shot(page, 'overview');
    for (const [link, heading] of [
      ['Runs', 'Runs'],
      ['Audit log', 'Audit log'],
      ['Users', 'Users'],
      ['Channels', 'Channels'],
    ]) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
      await page.getByRole('table').waitFor();
      if (link === 'Users') await page.getByRole('cell', { name: TEST_USER.username, exact: true }).waitFor();
    }
  });
});
