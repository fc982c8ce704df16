// Real-browser tests of the web console (issue 15, item 4): Chromium driven by puppeteer-core
// through every page of a running `trailwatch run`, against the DOM contract of src/console/.
//
// Run by tests/console/console_browser_integration_test.cpp, which starts the service (a directory
// source, a Slack webhook target on a fake Slack), waits until the alerts reached the fake, runs
// `trailwatch test-pattern` for the sandbox cases, then this script with:
//   CONSOLE_URL            http://127.0.0.1:PORT (the address the service logged)
//   CONSOLE_TOKEN          the bearer token of console.auth
//   CONSOLE_USER, CONSOLE_PASSWORD   a user of console.auth.users and its password
//   CONSOLE_EXPECTATIONS   a JSON file: the alerts the fake Slack received, the filters and the
//                          rows each must leave, the XSS payloads, the sandbox cases with the CLI's
//                          answers, the rules (see the C++ test for its shape)
//   SCREENSHOT_DIR         where each page's screenshot goes (NN-page.png)
//   CHROMIUM               the browser (default /usr/bin/chromium)
//
// One browser, one session, every scenario in order; a failed check is reported and the next
// scenario still runs (unless signing in failed). Exit status 0 when every check held, else 1 with
// a list of what failed; 2 when the environment is incomplete.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`console.test.mjs: environment variable ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const base = required('CONSOLE_URL').replace(/\/+$/, '');
const token = required('CONSOLE_TOKEN');
const user = required('CONSOLE_USER');
const password = required('CONSOLE_PASSWORD');
const screenshotDir = required('SCREENSHOT_DIR');
const expected = JSON.parse(fs.readFileSync(required('CONSOLE_EXPECTATIONS'), 'utf8'));
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const started = Date.now();

// ---------------------------------------------------------------------------------------------
// What the page did that it must never do, collected for the whole session.
const incidents = [];  // dialogs (alert/confirm/prompt: an injected script ran), requests to "x"
const pageErrors = [];  // uncaught exceptions of the console's own script

function log(message) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
}

function watch(page) {
  page.on('dialog', async (dialog) => {
    incidents.push(`a ${dialog.type()} dialog opened on ${page.url()}: ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  page.on('request', (request) => {
    // `<img src=x>` from a payload would load <page>/x.
    if (/\/x$/.test(new URL(request.url()).pathname)) {
      incidents.push(`the page requested ${request.url()} (an injected <img src=x>?)`);
    }
  });
  // For the log: answers >= 400 (some are expected: a wrong password, the CSRF checks) and the
  // browser console's errors other than those answers.
  page.on('response', (response) => {
    if (response.status() >= 400) {
      log(`  ${response.request().method()} ${response.url()} answered ${response.status()}`);
    }
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      log(`  browser console error on ${page.url()}: ${message.text()}`);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers over the DOM contract.

let shot = 0;
async function screenshot(page, name) {
  shot += 1;
  const file = path.join(screenshotDir, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({path: file, fullPage: true});
  log(`  screenshot ${file}`);
}

async function open(page, pathname, {status = 200} = {}) {
  const response = await page.goto(base + pathname, {waitUntil: 'load'});
  assert.ok(response, `no response for ${pathname}`);
  if (status !== null) {
    assert.equal(response.status(), status, `GET ${pathname} answered ${response.status()}`);
  }
  return response;
}

function pathOf(page) {
  return new URL(page.url()).pathname;
}

// Submits `form` by clicking its submit button and waits for the page it leads to.
async function submit(page, formSelector) {
  const [response] = await Promise.all([
    page.waitForNavigation({waitUntil: 'load'}),
    page.click(`${formSelector} [type=submit]`),
  ]);
  return response;
}

async function setValue(page, selector, value) {
  await page.$eval(selector, (element, text) => {
    element.value = text;
    element.dispatchEvent(new Event('input', {bubbles: true}));
    element.dispatchEvent(new Event('change', {bubbles: true}));
  }, value);
}

async function text(page, selector) {
  return page.$eval(selector, (element) => element.textContent);
}

async function alertRows(page) {
  return page.$$eval('table#alerts tbody tr.alert', (rows) => rows.map((row) => {
    const cell = (name) => (row.querySelector(`td.${name}`)?.textContent ?? '').trim();
    return {
      id: row.dataset.id,
      time: cell('time'),
      severity: cell('severity'),
      rule: cell('rule'),
      account: cell('account'),
      region: cell('region'),
      identity: cell('identity'),
      sourceIp: cell('source-ip'),
      eventName: cell('event-name'),
      deliveries: [...row.querySelectorAll('td.status span.delivery')].map((span) => ({
        target: span.dataset.target,
        state: ['delivered', 'pending', 'dead', 'purged'].filter((c) => span.classList.contains(c)),
      })),
      detailHref: row.querySelector('a.detail')?.getAttribute('href') ?? null,
      cloudtrailHref: row.querySelector('a.cloudtrail')?.getAttribute('href') ?? null,
    };
  }));
}

// What an XSS payload could have left in the page: elements inside `scopes`, event-handler
// attributes and javascript: links anywhere, and the marker the payloads set.
async function injectionFindings(page, scopes) {
  return page.evaluate((scopeSelectors) => {
    const findings = [];
    if (typeof window.__xss !== 'undefined') findings.push(`window.__xss is ${window.__xss}`);
    for (const scope of scopeSelectors) {
      for (const root of document.querySelectorAll(scope)) {
        for (const node of root.querySelectorAll('img, script, iframe, svg, object, embed')) {
          findings.push(`<${node.localName}> inside ${scope}: ${node.outerHTML.slice(0, 120)}`);
        }
      }
    }
    for (const node of document.querySelectorAll('*')) {
      for (const attribute of node.attributes) {
        if (/^on/i.test(attribute.name)) {
          findings.push(`${attribute.name} attribute on <${node.localName}>: ${attribute.value}`);
        }
        if (['href', 'src', 'action', 'formaction'].includes(attribute.name) &&
            /^\s*javascript:/i.test(attribute.value)) {
          findings.push(`javascript: URL in ${attribute.name} of <${node.localName}>`);
        }
      }
    }
    return findings;
  }, scopes);
}

async function expectNoInjection(page, scopes) {
  const findings = await injectionFindings(page, scopes);
  if (findings.length) assert.fail(`injected content on ${page.url()}:\n  ${findings.join('\n  ')}`);
}

function sorted(values) {
  return [...values].sort();
}

// True when the parsed JSON `value` holds `wanted` as a string somewhere.
function holdsString(value, wanted) {
  if (typeof value === 'string') return value === wanted;
  if (Array.isArray(value)) return value.some((item) => holdsString(item, wanted));
  if (value && typeof value === 'object') return Object.values(value).some((v) => holdsString(v, wanted));
  return false;
}

async function api(method, pathname, {body, bearer = token, headers = {}} = {}) {
  const init = {method, headers: {...headers}};
  if (bearer) init.headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(base + pathname, init);
  const raw = await response.text();
  let json = null;
  try {
    json = JSON.parse(raw);
  } catch {
    // not JSON: left null, the raw text is reported
  }
  return {status: response.status, json, raw};
}

// ---------------------------------------------------------------------------------------------
// The scenarios, in the order a person would go.

const failures = [];
let passed = 0;

async function scenario(name, body, {essential = false} = {}) {
  const t0 = Date.now();
  const before = {incidents: incidents.length, pageErrors: pageErrors.length};
  try {
    await body();
    // What the pages did meanwhile fails the scenario that made them do it.
    const problems = [...new Set(incidents.slice(before.incidents))];
    problems.push(...pageErrors.slice(before.pageErrors).map((error) => `uncaught error in the page: ${error}`));
    if (problems.length) assert.fail(`what the pages did:\n  ${problems.join('\n  ')}`);
    passed += 1;
    log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (error) {
    failures.push({name, error});
    log(`FAIL ${name} (${Date.now() - t0} ms)\n${String(error?.stack ?? error).replace(/^/gm, '     ')}`);
    if (essential) throw new Error(`stopping: "${name}" failed, the later scenarios need it`);
  }
}

const byIp = new Map(expected.alerts.map((alert) => [alert.source_ip, alert]));
const deadAlert = expected.alerts.find((alert) => alert.status === 'dead');

async function run(browser) {
  const page = await browser.newPage();
  watch(page);
  page.setDefaultTimeout(10000);
  page.setDefaultNavigationTimeout(15000);
  await page.setViewport({width: 1400, height: 900});

  await scenario('the pages need a session', async () => {
    await page.goto(base + '/alerts', {waitUntil: 'load'});
    assert.equal(await page.$('table#alerts'), null, '/alerts showed the alerts without a session');
    const answer = await api('GET', '/api/v1/alerts', {bearer: null});
    assert.equal(answer.status, 401, `the API without credentials answered ${answer.status}`);
    const wrong = await api('GET', '/api/v1/alerts', {bearer: 'not-the-token-0123456789'});
    assert.equal(wrong.status, 401, `the API with a wrong token answered ${wrong.status}`);
  });

  await scenario('a wrong password is refused on the login page', async () => {
    await open(page, '/login');
    for (const selector of ['form#login-form', 'input[name=user]', 'input[name=password]',
                            'form#login-form button[type=submit]']) {
      assert.ok(await page.$(selector), `/login has no ${selector}`);
    }
    await screenshot(page, 'login');
    await page.type('input[name=user]', user);
    await page.type('input[name=password]', password + '-wrong');
    await submit(page, 'form#login-form');
    assert.equal(pathOf(page), '/login', `a wrong password led to ${page.url()}`);
    const error = await page.$('p.error');
    assert.ok(error, 'no p.error after a wrong password');
    assert.ok((await text(page, 'p.error')).trim().length > 0, 'p.error is empty');
  });

  await scenario('log in with user and password', async () => {
    await open(page, '/login');
    await page.type('input[name=user]', user);
    await page.type('input[name=password]', password);
    await submit(page, 'form#login-form');
    assert.equal(pathOf(page), '/alerts', `signing in led to ${page.url()}`);
    const csrf = await page.$eval('meta[name="csrf-token"]', (meta) => meta.content);
    assert.ok(csrf.length >= 16, `meta csrf-token is "${csrf}"`);
    for (const link of ['/alerts', '/dead-letters', '/rules', '/sandbox', '/sources']) {
      assert.ok(await page.$(`nav a[href="${link}"]`), `nav has no link to ${link}`);
    }
    assert.ok(await page.$('form#logout'), 'no form#logout');
  }, {essential: true});

  await scenario('the alerts table shows the alerts the fake Slack received', async () => {
    // The history is written with the outbox entry; allow a moment for the page to catch up.
    let rows = [];
    for (let attempt = 0; attempt < 20; attempt += 1) {
      await open(page, '/alerts');
      rows = await alertRows(page);
      if (rows.length >= expected.alerts.length) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await screenshot(page, 'alerts');
    await expectNoInjection(page, ['table#alerts']);
    assert.deepEqual(sorted(rows.map((row) => row.sourceIp)),
                     sorted(expected.alerts.map((alert) => alert.source_ip)),
                     'the rows (by td.source-ip) are not the alerts Slack received');
    for (const row of rows) {
      const want = byIp.get(row.sourceIp);
      const where = `row ${row.sourceIp} (data-id ${row.id})`;
      assert.ok(row.id, `${where}: no data-id`);
      for (const rule of want.rules) assert.ok(row.rule.includes(rule), `${where}: td.rule "${row.rule}" lacks ${rule}`);
      assert.equal(row.severity.toLowerCase(), want.severity, `${where}: td.severity`);
      assert.ok(row.account.includes(want.account), `${where}: td.account "${row.account}"`);
      assert.ok(row.region.includes(want.region), `${where}: td.region "${row.region}"`);
      assert.ok(row.identity.includes(want.identity), `${where}: td.identity "${row.identity}" lacks "${want.identity}"`);
      assert.equal(row.eventName, want.event_name, `${where}: td.event-name`);
      assert.ok(row.time.length > 0, `${where}: td.time is empty`);
      assert.deepEqual(row.deliveries, [{target: expected.target, state: [want.status]}],
                       `${where}: td.status spans`);
      assert.equal(row.detailHref, `/alerts/${row.id}`, `${where}: a.detail href`);
      assert.ok(row.cloudtrailHref && row.cloudtrailHref.startsWith('https://'),
                `${where}: a.cloudtrail href "${row.cloudtrailHref}"`);
    }
    assert.equal(await page.$('a#next-page'), null, 'a#next-page although every alert fits one page');
    assert.equal(await page.$('p#empty'), null, 'p#empty although there are alerts');
    // The payloads are shown as text, and nothing of them ran or was parsed as markup.
    for (const ip of expected.xss.source_ips) {
      const row = rows.find((r) => r.sourceIp === ip);
      assert.ok(row.identity.includes(byIp.get(ip).identity), `the payload is not visible as text in ${ip}'s row`);
    }
  });

  await scenario('the filters narrow the table', async () => {
    for (const filter of expected.filters) {
      await open(page, '/alerts');
      for (const [name, value] of Object.entries(filter.fields)) {
        const selector = `form#alert-filters [name="${name}"]`;
        const tag = await page.$eval(selector, (element) => element.localName);
        if (tag === 'select') {
          await page.select(selector, value);
        } else {
          await page.type(selector, value);
        }
      }
      await submit(page, 'form#alert-filters');
      const url = new URL(page.url());
      assert.equal(url.pathname, '/alerts', `filter ${filter.name} led to ${page.url()}`);
      for (const [name, value] of Object.entries(filter.fields)) {
        assert.equal(url.searchParams.get(name), value, `filter ${filter.name}: ${name} not in the URL ${page.url()}`);
      }
      const rows = await alertRows(page);
      assert.deepEqual(sorted(rows.map((row) => row.sourceIp)), sorted(filter.source_ips),
                       `filter ${filter.name} (${page.url()}) left the wrong rows`);
      if (filter.source_ips.length === 0) {
        assert.ok(await page.$('p#empty'), `filter ${filter.name}: no p#empty for an empty result`);
      }
      // The form shows the filter it applied.
      for (const [name, value] of Object.entries(filter.fields)) {
        const shown = await page.$eval(`form#alert-filters [name="${name}"]`, (element) => element.value);
        assert.equal(shown, value, `filter ${filter.name}: the form shows ${name}="${shown}"`);
      }
      log(`  filter ${filter.name}: ${rows.length} row(s)`);
    }
  });

  await scenario('the detail view shows the event JSON, payloads as text', async () => {
    let first = true;
    for (const detail of expected.details) {
      await open(page, '/alerts');
      const rows = await alertRows(page);
      const row = rows.find((r) => r.sourceIp === detail.source_ip);
      assert.ok(row, `no row for ${detail.source_ip}`);
      await Promise.all([page.waitForNavigation({waitUntil: 'load'}),
                         page.click(`tr.alert[data-id="${row.id}"] a.detail`)]);
      assert.equal(pathOf(page), `/alerts/${row.id}`, `a.detail led to ${page.url()}`);
      const heading = (await text(page, 'h1')).trim();
      assert.ok(heading.length > 0, 'the detail page has no h1 text');
      const rendered = await text(page, 'section#rendered pre');
      assert.ok(rendered.includes(detail.source_ip), `section#rendered pre lacks the source IP:\n${rendered}`);
      assert.ok(await page.$('details#event'), 'no details#event');
      assert.ok(await page.$('button#copy-event'), 'no button#copy-event');
      const eventText = await text(page, 'details#event pre#event-json');
      let event;
      try {
        event = JSON.parse(eventText);
      } catch (error) {
        assert.fail(`pre#event-json is not JSON (${error.message}):\n${eventText.slice(0, 400)}`);
      }
      assert.ok(eventText.includes('\n  '), 'pre#event-json is not pretty-printed');
      assert.ok(holdsString(event, detail.event_id), `pre#event-json lacks the eventID ${detail.event_id}`);
      for (const payload of detail.strings) {
        assert.ok(holdsString(event, payload), `pre#event-json lacks ${JSON.stringify(payload)}`);
      }
      const states = await page.$$eval(`table#deliveries tr.delivery[data-target="${expected.target}"] td.state`,
                                       (cells) => cells.map((cell) => cell.textContent.trim()));
      assert.equal(states.length, 1, `table#deliveries has ${states.length} row(s) for ${expected.target}`);
      assert.ok(states[0].includes(byIp.get(detail.source_ip).status), `the delivery state is "${states[0]}"`);
      if (detail.heading_contains) {
        assert.ok(heading.includes(detail.heading_contains),
                  `h1 "${heading}" does not show ${JSON.stringify(detail.heading_contains)} as text`);
      }
      await expectNoInjection(page, ['h1', 'section#rendered', 'details#event', 'table#deliveries']);
      if (first) {
        await page.$eval('details#event', (element) => { element.open = true; });
        await screenshot(page, 'alert-detail');
        first = false;
      }
    }
  });

  await scenario('the sandbox answers as `trailwatch test-pattern` does', async () => {
    await open(page, '/sandbox');
    const samples = await page.$$eval('select#sample-event option', (options) =>
      options.map((option) => ({value: option.value, label: option.textContent})));
    assert.ok(samples.filter((sample) => sample.value !== '').length >= 1, 'select#sample-event has no samples');
    // Choosing a sample fills the event box with JSON.
    const sample = samples.find((s) => s.value !== '');
    await setValue(page, 'textarea#event', '');
    await page.select('select#sample-event', sample.value);
    await page.waitForFunction(() => document.querySelector('textarea#event').value.trim().length > 0,
                               {timeout: 5000});
    const sampleText = await page.$eval('textarea#event', (element) => element.value);
    assert.doesNotThrow(() => JSON.parse(sampleText), `sample "${sample.label}" is not JSON`);
    await expectNoInjection(page, ['select#sample-event', 'pre#pattern-result', 'ul#matching-rules']);

    for (const example of expected.sandbox.cases) {
      await setValue(page, 'textarea#event', example.event);
      await setValue(page, 'textarea#pattern', example.pattern);
      await page.$eval('pre#pattern-result', (element) => { element.textContent = ''; });
      await page.click('button#test-pattern');
      // The page may show a placeholder ("…") while it waits for the answer.
      await page.waitForFunction(() => {
        const shown = document.querySelector('pre#pattern-result').textContent.trim();
        return shown !== '' && shown !== '…' && shown !== '...';
      }, {timeout: 10000});
      const shown = (await text(page, 'pre#pattern-result')).trim();
      assert.equal(shown, example.expected, `case "${example.name}": #pattern-result differs from the CLI`);
      log(`  sandbox ${example.name}: ${shown}`);
    }

    const match = expected.sandbox.match;
    await setValue(page, 'textarea#event', match.event);
    await page.$eval('ul#matching-rules', (element) => { element.replaceChildren(); });
    await page.click('button#match-rules');
    if (match.rules.length > 0) {
      await page.waitForFunction(() => document.querySelectorAll('ul#matching-rules li').length > 0,
                                 {timeout: 10000});
    } else {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const names = await page.$$eval('ul#matching-rules li', (items) => items.map((li) => li.textContent.trim()));
    assert.deepEqual(sorted(names), sorted(match.rules), 'ul#matching-rules');
    // The screenshot with a result: the first case again.
    const [first] = expected.sandbox.cases;
    await setValue(page, 'textarea#pattern', first.pattern);
    await page.$eval('pre#pattern-result', (element) => { element.textContent = ''; });
    await page.click('button#test-pattern');
    await page.waitForFunction((want) => document.querySelector('pre#pattern-result').textContent.trim() === want,
                               {timeout: 10000}, first.expected);
    await screenshot(page, 'sandbox');
  });

  await scenario('the rules page lists the rules with their matches', async () => {
    await open(page, '/rules');
    await screenshot(page, 'rules');
    const rows = await page.$$eval('table#rules tbody tr.rule', (trs) => trs.map((tr) => {
      const cell = (name) => (tr.querySelector(`td.${name}`)?.textContent ?? '').trim();
      return {
        dataName: tr.dataset.name, name: cell('name'), pack: cell('pack'), severity: cell('severity'),
        targets: cell('targets'), enabled: cell('enabled'), m1h: cell('matches-1h'),
        m24h: cell('matches-24h'), m7d: cell('matches-7d'),
      };
    }));
    assert.deepEqual(sorted(rows.map((row) => row.dataName)), sorted(expected.rules.map((rule) => rule.name)),
                     'tr.rule[data-name] are not the configured rules');
    for (const want of expected.rules) {
      const row = rows.find((r) => r.dataName === want.name);
      const where = `rule ${want.name}`;
      assert.ok(row.name.includes(want.name), `${where}: td.name "${row.name}"`);
      if (want.pack) assert.ok(row.pack.includes(want.pack), `${where}: td.pack "${row.pack}"`);
      assert.equal(row.severity.toLowerCase(), want.severity, `${where}: td.severity`);
      assert.ok(row.targets.includes(expected.target), `${where}: td.targets "${row.targets}"`);
      assert.ok(row.enabled.length > 0, `${where}: td.enabled is empty`);
      assert.equal(row.m1h, String(want.matches), `${where}: td.matches-1h`);
      assert.equal(row.m24h, String(want.matches), `${where}: td.matches-24h`);
      assert.equal(row.m7d, String(want.matches), `${where}: td.matches-7d`);
    }
  });

  await scenario('the sources page shows the source and the target', async () => {
    await open(page, '/sources');
    await screenshot(page, 'sources');
    const sources = await page.$$eval('table#sources tbody tr.source', (trs) => trs.map((tr) => ({
      name: tr.dataset.name,
      state: (tr.querySelector('td.state')?.textContent ?? '').trim(),
      hasLastError: Boolean(tr.querySelector('td.last-error')),
    })));
    assert.equal(sources.length, expected.sources, `table#sources has ${sources.length} row(s)`);
    for (const source of sources) {
      assert.ok(source.name, 'a tr.source without data-name');
      assert.ok(source.state.length > 0, `source ${source.name}: td.state is empty`);
      assert.ok(source.hasLastError, `source ${source.name}: no td.last-error`);
    }
    const target = await page.$(`table#targets tbody tr.target[data-name="${expected.target}"]`);
    assert.ok(target, `no tr.target[data-name="${expected.target}"]`);
    const depth = (await target.$eval('td.queue-depth', (cell) => cell.textContent)).trim();
    assert.match(depth, /^\d+$/, `td.queue-depth is "${depth}"`);
    assert.ok(await target.$('td.oldest-pending'), 'no td.oldest-pending');
  });

  let deadId = null;
  await scenario('the dead letter is listed', async () => {
    await open(page, '/dead-letters');
    await screenshot(page, 'dead-letters');
    const rows = await page.$$eval('table#dead-letters tbody tr.dead', (trs) => trs.map((tr) => ({
      id: tr.dataset.id,
      checkbox: tr.querySelector('input.select[type=checkbox]')?.value ?? null,
      target: (tr.querySelector('td.target')?.textContent ?? '').trim(),
      rule: (tr.querySelector('td.rule')?.textContent ?? '').trim(),
      error: (tr.querySelector('td.error')?.textContent ?? '').trim(),
    })));
    assert.equal(rows.length, 1, `table#dead-letters has ${rows.length} row(s), expected the one alert Slack refused`);
    const [row] = rows;
    assert.ok(row.id, 'tr.dead without data-id');
    assert.equal(row.checkbox, row.id, 'the checkbox value is not the row\'s data-id');
    assert.equal(row.target, expected.target, 'td.target');
    for (const rule of deadAlert.rules) assert.ok(row.rule.includes(rule), `td.rule "${row.rule}" lacks ${rule}`);
    assert.ok(row.error.includes(expected.dead_error_contains),
              `td.error "${row.error}" lacks "${expected.dead_error_contains}"`);
    for (const button of ['button#retry-selected', 'button#purge-selected', 'button#select-all']) {
      assert.ok(await page.$(button), `no ${button}`);
    }
    deadId = row.id;
  });

  await scenario('a state-changing request without the CSRF token is refused', async () => {
    await open(page, '/dead-letters');
    const ids = deadId ? [Number(deadId)] : [];
    const statuses = await page.evaluate(async (body) => {
      const post = (headers) => fetch('/api/v1/dead-letters/retry', {
        method: 'POST', headers: {'Content-Type': 'application/json', ...headers}, body,
      }).then((response) => response.status);
      return {none: await post({}), wrong: await post({'X-CSRF-Token': 'forged-forged-forged-forged'})};
    }, JSON.stringify({ids}));
    assert.equal(statuses.none, 403, `POST without X-CSRF-Token answered ${statuses.none}`);
    assert.equal(statuses.wrong, 403, `POST with a wrong X-CSRF-Token answered ${statuses.wrong}`);
    // Nothing was retried.
    await open(page, '/dead-letters');
    const left = await page.$$eval('table#dead-letters tbody tr.dead', (trs) => trs.length);
    assert.equal(left, ids.length, 'the refused request changed the dead letters');
  });

  await scenario('a dead letter retried from the page is delivered', async () => {
    assert.ok(deadId, 'no dead letter to retry (an earlier scenario failed)');
    await open(page, '/dead-letters');
    await page.click(`tr.dead[data-id="${deadId}"] input.select`);
    // The page posts, shows the result in #action-result, then reloads.
    const reloaded = page.waitForNavigation({waitUntil: 'load', timeout: 15000}).then(() => true, () => false);
    await page.click('button#retry-selected');
    let result = '';
    for (let i = 0; i < 50 && !result; i += 1) {
      result = await page.$eval('#action-result', (element) => element.textContent.trim()).catch(() => '');
      if (!result) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const didReload = await reloaded;
    log(`  after the click: #action-result "${result}", reloaded: ${didReload}`);
    assert.ok(result.includes('1 retried') || didReload, `#action-result says "${result}" and the page did not reload`);
    if (result) assert.ok(result.includes('1 retried'), `#action-result says "${result}"`);
    // The retried alert leaves the dead letters and is delivered (the fake Slack answers 200 now).
    let deadLeft = -1;
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const answer = await api('GET', '/api/v1/alerts?status=dead');
      assert.equal(answer.status, 200, `GET /api/v1/alerts?status=dead answered ${answer.status}: ${answer.raw}`);
      deadLeft = answer.json.alerts.length;
      const pending = await api('GET', '/api/v1/alerts?status=pending');
      if (deadLeft === 0 && pending.json.alerts.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(deadLeft, 0, 'the retried alert is still dead');
    await open(page, '/dead-letters');
    assert.equal(await page.$$eval('table#dead-letters tbody tr.dead', (trs) => trs.length), 0,
                 'the dead-letters page still lists it');
    await open(page, '/alerts');
    const row = (await alertRows(page)).find((r) => r.sourceIp === deadAlert.source_ip);
    assert.deepEqual(row.deliveries, [{target: expected.target, state: ['delivered']}],
                     'the retried alert\'s row is not delivered');
  });

  await scenario('the JSON API answers with the bearer token', async () => {
    const all = await api('GET', '/api/v1/alerts');
    assert.equal(all.status, 200, `GET /api/v1/alerts answered ${all.status}: ${all.raw}`);
    assert.equal(all.json.alerts.length, expected.alerts.length, 'GET /api/v1/alerts: the number of alerts');
    // Pages of two, following next_cursor, give every alert once.
    const seen = [];
    let cursor = null;
    for (let pageNumber = 0; pageNumber < 10; pageNumber += 1) {
      const query = `/api/v1/alerts?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const answer = await api('GET', query);
      assert.equal(answer.status, 200, `GET ${query} answered ${answer.status}: ${answer.raw}`);
      assert.ok(answer.json.alerts.length <= 2, `GET ${query} gave ${answer.json.alerts.length} alerts`);
      seen.push(...answer.json.alerts.map((alert) => JSON.stringify(alert)));
      cursor = answer.json.next_cursor;
      if (!cursor) break;
    }
    assert.equal(seen.length, expected.alerts.length, 'paging with limit=2 did not give every alert once');
    assert.equal(new Set(seen).size, seen.length, 'paging gave an alert twice');
    // The API's filters are the page's.
    for (const filter of expected.filters.filter((f) => !('status' in f.fields))) {
      const query = `/api/v1/alerts?${new URLSearchParams(filter.fields)}`;
      const answer = await api('GET', query);
      assert.equal(answer.status, 200, `GET ${query} answered ${answer.status}: ${answer.raw}`);
      assert.equal(answer.json.alerts.length, filter.source_ips.length, `GET ${query}: the number of alerts`);
    }
    for (const example of expected.sandbox.cases) {
      const answer = await api('POST', '/api/v1/sandbox/test-pattern', {body: {event: example.event, pattern: example.pattern}});
      const prefix = 'InvalidEventPatternException: ';
      if (example.expected.startsWith(prefix)) {
        assert.equal(answer.status, 400, `sandbox API, case "${example.name}": ${answer.raw}`);
        assert.deepEqual(answer.json, {error: 'InvalidEventPatternException', message: example.expected.slice(prefix.length)},
                         `sandbox API, case "${example.name}"`);
      } else {
        assert.equal(answer.status, 200, `sandbox API, case "${example.name}": ${answer.raw}`);
        assert.deepEqual(answer.json, JSON.parse(example.expected), `sandbox API, case "${example.name}"`);
      }
    }
    // A bearer request needs no CSRF token (a script's header is no ambient credential).
    const retry = await api('POST', '/api/v1/dead-letters/retry', {body: {ids: []}});
    assert.ok(![401, 403].includes(retry.status),
              `POST /api/v1/dead-letters/retry with the bearer token answered ${retry.status}: ${retry.raw}`);
  });

  await scenario('the token signs in too, and logging out ends the session', async () => {
    const context = await browser.createBrowserContext();
    try {
      const other = await context.newPage();
      watch(other);
      other.setDefaultTimeout(10000);
      await open(other, '/login');
      await other.type('input[name=password]', token);
      await submit(other, 'form#login-form');
      assert.equal(pathOf(other), '/alerts', `signing in with the token led to ${other.url()}`);
      assert.equal((await alertRows(other)).length, expected.alerts.length, 'the token session sees the alerts');
      await Promise.all([other.waitForNavigation({waitUntil: 'load'}),
                         other.$eval('form#logout', (form) => form.requestSubmit())]);
      assert.equal(pathOf(other), '/login', `logging out led to ${other.url()}`);
      await other.goto(base + '/alerts', {waitUntil: 'load'});
      assert.equal(await other.$('table#alerts'), null, 'the alerts are still shown after logging out');
    } finally {
      await context.close();
    }
    // The first session is untouched by the other's logout.
    await open(page, '/alerts');
    assert.ok(await page.$('table#alerts'), 'the user session ended when the token session logged out');
  });

  await scenario('no payload ran on the last page either', async () => {
    assert.equal(await page.evaluate(() => typeof window.__xss), 'undefined', 'window.__xss is set');
  });

  await page.close();
}

// ---------------------------------------------------------------------------------------------

fs.mkdirSync(screenshotDir, {recursive: true});
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-console-chromium-'));
let browser;
try {
  log(`launching ${chromium} against ${base}`);
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir: profile,
    // No sandbox: the browser only visits the test's own loopback pages, and Chromium's sandbox
    // cannot start as root or in many CI containers. The rest keeps a closed network from
    // stalling the start (background fetches, QUIC, component updates, sync) and /dev/shm from
    // being too small in containers.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--disable-dev-shm-usage'],
    protocolTimeout: 30000,
  });
  log(`browser ${await browser.version()}`);
  await run(browser);
} catch (error) {
  if (!failures.length || !String(error.message).startsWith('stopping:')) failures.push({name: 'harness', error});
  log(String(error?.stack ?? error));
} finally {
  if (browser) await browser.close().catch(() => {});
  fs.rmSync(profile, {recursive: true, force: true});
}

log(`${passed} scenario(s) passed, ${failures.length} failed`);
if (failures.length) {
  console.log('\nFailed:');
  for (const {name, error} of failures) {
    console.log(`- ${name}: ${String(error?.message ?? error).split('\n').join('\n    ')}`);
  }
  process.exit(1);
}
