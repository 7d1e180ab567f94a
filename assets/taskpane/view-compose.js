// The Outlook compose view: checks the message being written (each finding with its place and
// the words around it) and protects it for its recipients.

import { t } from './i18n.js';
import * as outlook from './outlook.js';
import { $, busy, say, showReaders, signIn } from './ui.js';

async function checkMessage() {
  say(t('checking'));
  const { verdict, findings } = await outlook.check();
  const list = $('findings');
  list.replaceChildren(...findings.map((f) => {
    const li = document.createElement('li');
    li.dataset.severity = f.severity;
    const label = Object.assign(document.createElement('strong'), { textContent: f.label });
    const where = Object.assign(document.createElement('span'), { className: 'muted small', textContent: ` — ${f.where}` });
    const context = document.createElement('span');
    context.className = 'context';
    context.append(f.before, Object.assign(document.createElement('mark'), { textContent: f.text }), f.after);
    li.append(label, where, document.createElement('br'), context);
    return li;
  }));
  await showReaders($('compose-readers'), await outlook.recipients());
  if (findings.length === 0) say(t('clean'));
  else say(`${t('foundCount', findings.length)}${verdict === 'block' ? ` ${t('blockedNote')}` : ''}`, verdict === 'allow' ? 'info' : 'error');
  document.body.dataset.verdict = verdict;
}

async function protectMessage() {
  const readers = await outlook.protect();
  $('findings').replaceChildren();
  say(t('protectedDone', readers.join(', ')));
  document.body.dataset.verdict = 'protected';
}

/** Starts the compose view. */
export async function start() {
  $('outlook').hidden = false;
  $('check').addEventListener('click', () => busy(checkMessage));
  $('protect-message').addEventListener('click', () => busy(protectMessage));
  $('sign-in').addEventListener('click', () => signIn());
  await signIn();
}
