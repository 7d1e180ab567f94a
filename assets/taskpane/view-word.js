// The Word view: three tabs (Protect, Open, Manage). Protect encrypts the selection or the
// document for the people picked; Open decrypts what the user may read; Manage lists the
// document's keys, who can read each, and lets their owner change or revoke them.

import * as api from './api.js';
import { formatDate, t } from './i18n.js';
import * as protect from './protect.js';
import { $, busy, button, chip, say, showProblems, showProgress, showReaders, signIn, signedIn } from './ui.js';

const recipients = [];

/** A date input's value (yyyy-mm-dd) as the ISO time access ends: the end of that day, local
 * time; null for an empty input. */
const endOfDay = (day) => (day ? new Date(`${day}T23:59:59`).toISOString() : null);

// --- Tabs (arrow keys move between them, as the WAI-ARIA tabs pattern has it)

function selectTab(tab) {
  for (const other of document.querySelectorAll('[role="tab"]')) {
    const selected = other === tab;
    other.setAttribute('aria-selected', String(selected));
    other.tabIndex = selected ? 0 : -1;
    $(other.getAttribute('aria-controls')).hidden = !selected;
  }
  tab.focus();
  if (tab.id === 'tab-manage') busy(renderKeys);
}

function wireTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => selectTab(tab));
    tab.addEventListener('keydown', (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1, Home: -i, End: tabs.length - 1 - i }[e.key];
      if (step === undefined) return;
      e.preventDefault();
      selectTab(tabs[(i + step + tabs.length) % tabs.length]);
    });
  });
}

// --- People picker

function renderRecipients() {
  $('recipients').replaceChildren(...recipients.map((r, i) => chip(r, () => {
    recipients.splice(i, 1);
    renderRecipients();
    $('recipient-input').focus();
  })));
  // Who will read with a passcode, and who cannot, before the user encrypts.
  showReaders($('word-readers'), recipients);
}

/** Adds what is typed in `input` (several, separated by commas, semicolons or spaces). */
function takeTyped(input, into) {
  const bad = [];
  for (const part of input.value.split(/[,;\s]+/).filter(Boolean)) {
    const ok = protect.checkRecipient(part);
    if (ok === null) bad.push(part);
    else if (!into.includes(ok)) into.push(ok);
  }
  input.value = bad.join(', ');
  input.setAttribute('aria-invalid', String(bad.length > 0));
  if (bad.length > 0) say(t('invalidRecipient', bad[0]), 'error');
  return bad.length === 0;
}

function wirePeoplePicker() {
  const input = $('recipient-input');
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ',' || e.key === ';') {
      e.preventDefault();
      takeTyped(input, recipients);
      renderRecipients();
    } else if (e.key === 'Backspace' && input.value === '' && recipients.length > 0) {
      recipients.pop();
      renderRecipients();
    }
  });
  input.addEventListener('blur', () => {
    if (input.value.trim()) {
      takeTyped(input, recipients);
      renderRecipients();
    }
  });
}

/** The recipients, expiry and owner the Protect tab describes, or null if something is wrong. */
function protectOptions() {
  if (!takeTyped($('recipient-input'), recipients)) return null;
  renderRecipients();
  const chosen = [...recipients];
  if ($('whole-org').checked) chosen.push('*');
  const expiresAt = endOfDay($('expiry').value);
  return { recipients: chosen, expiresAt, owner: signedIn()?.username ?? '' };
}

async function encrypt(whole) {
  const options = protectOptions();
  if (!options) return;
  const count = await protect.encrypt({
    ...options,
    whole,
    progress: (done, total) => {
      showProgress(done, total);
      say(t('encrypting', done, total));
    },
  });
  if (count === 0) say(t('nothingSelected'), 'error');
  else say(whole ? t('encryptedDocument') : t('encrypted', count));
}

async function decrypt() {
  const { total, done, failures } = await protect.decrypt({
    progress: (d, n) => {
      showProgress(d, n);
      say(t('decrypting', d, n));
    },
  });
  if (total === 0) {
    say(t('nothingToDecrypt'));
    return;
  }
  say(t('decrypted', done, total), failures.length > 0 ? 'error' : 'info');
  showProblems(failures.map((f) => t('rangeFailed', f.index, f.message)));
}

// --- Manage

function keyCard(group) {
  const card = document.createElement('article');
  card.className = 'key';
  card.dataset.keyId = group.keyId ?? '';
  const heading = document.createElement('h2');
  heading.textContent = group.parts[0]?.title || group.keyId || '?';
  const facts = document.createElement('p');
  facts.className = 'muted small';
  facts.textContent = t('parts', group.parts.length);
  card.append(heading, facts);
  const policy = group.policy;
  if (!policy) {
    const note = document.createElement('p');
    note.className = 'small';
    note.textContent = t('notOwner');
    card.append(note);
    return card;
  }
  const owner = document.createElement('p');
  owner.className = 'small';
  owner.textContent = t('owner', policy.owner.username);
  card.append(owner);
  if (policy.revokedAt) {
    const revoked = document.createElement('p');
    revoked.className = 'revoked';
    revoked.textContent = t('revokedOn', formatDate(policy.revokedAt));
    card.append(revoked);
    return card;
  }
  const me = signedIn();
  const isOwner = me && policy.owner.username === me.username.toLowerCase() && policy.owner.tenantId === me.tenantId;
  const list = document.createElement('ul');
  list.className = 'chips';
  list.setAttribute('aria-label', t('recipientsLabel'));
  for (const r of policy.recipients) {
    const label = r === '*' ? t('everyone') : r;
    list.append(chip(label, isOwner ? () => change(group.keyId, { removeRecipients: [r] }) : null));
  }
  card.append(list);
  const expiry = document.createElement('p');
  expiry.className = 'small';
  expiry.textContent = policy.expiresAt ? t('expires', formatDate(policy.expiresAt)) : t('noExpiry');
  card.append(expiry);
  if (!isOwner) return card;

  const add = document.createElement('div');
  add.className = 'row';
  const input = document.createElement('input');
  input.type = 'email';
  input.placeholder = t('recipientsPlaceholder');
  input.setAttribute('aria-label', t('recipientsLabel'));
  const addButton = button(t('add'), 'secondary', () => {
    const adding = [];
    if (takeTyped(input, adding) && adding.length > 0) change(group.keyId, { addRecipients: adding });
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      addButton.click();
    }
  });
  add.append(input, addButton);

  const dates = document.createElement('div');
  // The date on a line of its own, its buttons below: side by side the input was squashed.
  dates.className = 'row stack';
  const date = document.createElement('input');
  date.type = 'date';
  date.setAttribute('aria-label', t('expiryLabel'));
  if (policy.expiresAt) date.value = policy.expiresAt.slice(0, 10);
  dates.append(
    date,
    button(t('saveExpiry'), 'secondary', () => {
      if (date.value) change(group.keyId, { expiresAt: endOfDay(date.value) });
    }),
  );
  if (policy.expiresAt) dates.append(button(t('clearExpiry'), 'secondary', () => change(group.keyId, { expiresAt: null })));

  // Office add-ins cannot use window.confirm: the first press asks, the second revokes.
  const revoke = button(t('revoke'), 'danger', () => {
    if (revoke.dataset.armed !== 'true') {
      revoke.dataset.armed = 'true';
      revoke.textContent = t('revokeConfirm');
      return;
    }
    busy(async () => {
      await api.revoke(group.keyId);
      await renderKeys();
      say(t('revokedDone'));
    });
  });
  card.append(add, dates, revoke);
  return card;
}

function change(keyId, body) {
  return busy(async () => {
    await api.changePolicy(keyId, body);
    await renderKeys();
    say(t('updated'));
  });
}

async function renderKeys() {
  const groups = await protect.listKeys();
  const keys = $('keys');
  if (groups.length === 0) {
    keys.replaceChildren(Object.assign(document.createElement('p'), { textContent: t('manageEmpty') }));
  } else {
    const intro = Object.assign(document.createElement('p'), { textContent: t('manageIntro'), className: 'small' });
    keys.replaceChildren(intro, ...groups.map(keyCard));
  }
  say('');
}

/** Starts the Word view. */
export async function start() {
  $('app').hidden = false;
  wireTabs();
  wirePeoplePicker();
  $('sign-in').addEventListener('click', () => signIn());
  $('encrypt-selection').addEventListener('click', () => busy(() => encrypt(false)));
  $('encrypt-document').addEventListener('click', () => busy(() => encrypt(true)));
  $('decrypt').addEventListener('click', () => busy(decrypt));
  $('refresh').addEventListener('click', () => busy(renderKeys));
  await signIn();
}
