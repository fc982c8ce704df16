// trailwatch web console: the little behaviour the server-rendered pages need. No framework, no
// inline script (the Content-Security-Policy forbids it), and never innerHTML: every value from an
// event is attacker-controlled, so text goes through textContent only.
'use strict';

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute('content') : '';
}

async function postJson(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken()},
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch (e) { /* not JSON: shown as text */ }
  return {status: response.status, text, json};
}

function errorText(result) {
  if (result.json && result.json.error) return result.json.error + ': ' + result.json.message;
  return 'HTTP ' + result.status + ': ' + result.text;
}

function prettyJson(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
}

function setupAlertDetail() {
  const pre = document.getElementById('event-json');
  if (!pre) return;
  pre.textContent = prettyJson(pre.textContent);
  const copy = document.getElementById('copy-event');
  if (copy) {
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(pre.textContent);
        copy.textContent = 'Copied';
      } catch (e) {
        // No clipboard (plain HTTP off loopback): select the text for a manual copy.
        const range = document.createRange();
        range.selectNodeContents(pre);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        copy.textContent = 'Selected: press Ctrl+C';
      }
    });
  }
}

function setupDeadLetters() {
  const table = document.getElementById('dead-letters');
  if (!table) return;
  const result = document.getElementById('action-result');
  const selected = () =>
    Array.from(table.querySelectorAll('input.select:checked')).map((box) => Number(box.value));
  document.getElementById('select-all').addEventListener('click', () => {
    const boxes = Array.from(table.querySelectorAll('input.select'));
    const all = boxes.every((box) => box.checked);
    boxes.forEach((box) => { box.checked = !all; });
  });
  async function act(action, verb) {
    const ids = selected();
    if (ids.length === 0) { result.textContent = 'Select dead letters first.'; return; }
    if (action === 'purge' && !window.confirm('Delete ' + ids.length + ' dead letter(s) for good?')) {
      return;
    }
    const answer = await postJson('/api/v1/dead-letters/' + action, {ids});
    if (answer.status !== 200) { result.textContent = errorText(answer); return; }
    result.textContent = answer.json[verb] + ' ' + verb;
    setTimeout(() => window.location.reload(), 800);
  }
  document.getElementById('retry-selected').addEventListener('click', () => act('retry', 'retried'));
  document.getElementById('purge-selected').addEventListener('click', () => act('purge', 'purged'));
}

function setupSandbox() {
  // (The alert page has a details#event too: the sandbox is the page with the sample list.)
  const samples = document.getElementById('sample-event');
  if (!samples) return;
  const eventBox = document.querySelector('textarea#event');
  const patternBox = document.getElementById('pattern');
  const result = document.getElementById('pattern-result');
  const rules = document.getElementById('matching-rules');
  samples.addEventListener('change', () => {
    if (samples.value) eventBox.value = prettyJson(samples.value);
  });
  document.getElementById('test-pattern').addEventListener('click', async () => {
    result.textContent = '…';
    const answer = await postJson('/api/v1/sandbox/test-pattern',
                                  {event: eventBox.value, pattern: patternBox.value});
    result.textContent = answer.status === 200 ? answer.text : errorText(answer);
    result.className = answer.status === 200 ? (answer.json && answer.json.Result ? 'match' : 'nomatch')
                                             : 'error';
  });
  document.getElementById('match-rules').addEventListener('click', async () => {
    rules.replaceChildren();
    const answer = await postJson('/api/v1/sandbox/rules', {event: eventBox.value});
    if (answer.status !== 200) {
      const item = document.createElement('li');
      item.className = 'error';
      item.textContent = errorText(answer);
      rules.appendChild(item);
      return;
    }
    if (answer.json.rules.length === 0) {
      const item = document.createElement('li');
      item.className = 'none';
      item.textContent = 'no rule alerts on this event';
      rules.appendChild(item);
    }
    for (const name of answer.json.rules) {
      const item = document.createElement('li');
      item.textContent = name;
      rules.appendChild(item);
    }
  });
}

document.addEventListener('DOMContentLoaded', () => {
  setupAlertDetail();
  setupDeadLetters();
  setupSandbox();
});
