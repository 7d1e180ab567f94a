// What every view of the pane shares: the status line, the progress bar, the list of per-part
// problems, the busy state (every action reports its failure on the page: no promise is left
// unhandled, since a task pane's console is out of the user's reach), small element builders,
// and signing in.

import * as api from './api.js';
import { t } from './i18n.js';
import { explain } from './envelopes.js';

export const $ = (id) => document.getElementById(id);

/** Who is signed in (the `Me` schema), once signed in. */
let me = null;

/** The signed-in user, or null. */
export const signedIn = () => me;

/** Shows `text` in the status line; `kind` "error" colours it. */
export function say(text, kind = 'info') {
  $('status').textContent = text;
  $('status').dataset.kind = kind;
}

export function showProgress(done, total) {
  const bar = $('progress');
  bar.hidden = total <= 1;
  bar.max = total;
  bar.value = done;
}

export function showProblems(items) {
  const list = $('problems');
  list.replaceChildren(...items.map((text) => {
    const li = document.createElement('li');
    li.textContent = text;
    return li;
  }));
}

/** Runs `work` with the pane busy: buttons disabled, errors shown, never rejected. */
export async function busy(work) {
  document.body.setAttribute('aria-busy', 'true');
  for (const b of document.querySelectorAll('main button:not([role="tab"])')) b.disabled = true;
  showProblems([]);
  say(t('working'));
  try {
    await work();
  } catch (e) {
    say(e?.code ? explain(e.code, e.message) : String(e?.message ?? e), 'error');
  } finally {
    for (const b of document.querySelectorAll('main button:not([role="tab"])')) b.disabled = false;
    $('progress').hidden = true;
    document.body.removeAttribute('aria-busy');
  }
}

/** A chip of the people picker: `label`, with a remove button when `onRemove` is given. */
export function chip(label, onRemove) {
  const li = document.createElement('li');
  li.className = 'chip';
  const span = document.createElement('span');
  span.textContent = label;
  li.append(span);
  if (onRemove) {
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'chip-remove';
    remove.textContent = '×';
    remove.setAttribute('aria-label', t('removeRecipient', label));
    remove.addEventListener('click', onRemove);
    li.append(remove);
  }
  return li;
}

/**
 * Tells, in the list `list`, who of `recipients` will read with a passcode by email and who
 * cannot read at all and why, from the key server's rules (those who sign in are not listed).
 * A failure to ask leaves the list empty: it informs, it does not stop the user.
 */
export async function showReaders(list, recipients) {
  let readings = [];
  try {
    readings = recipients.length > 0 ? (await api.howTheyRead(recipients)).recipients : [];
  } catch {
    readings = [];
  }
  list.replaceChildren(...readings.filter((r) => r.readsWith !== 'signIn').map((r) => {
    const li = document.createElement('li');
    li.dataset.reads = r.readsWith;
    li.textContent = r.readsWith === 'passcode'
      ? t('readsWithPasscode', r.address)
      : t('cannotRead', r.address, explain(`cannot_${r.why}`, r.reason));
    return li;
  }));
}

/** A button of `kind` (primary, secondary, danger) labelled `label`. */
export function button(label, kind, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = kind;
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

/** Signs in: shows who is signed in, or why not (with the sign-in button); whether it worked. */
export async function signIn() {
  say(t('signingIn'));
  try {
    me = await api.me();
    $('who').textContent = t('signedInAs', me.displayName ? `${me.displayName} (${me.username})` : me.username);
    $('sign-in').hidden = true;
    document.body.dataset.signedIn = 'true';
    say('');
    return true;
  } catch (e) {
    $('sign-in').hidden = false;
    document.body.dataset.signedIn = 'false';
    say(t('signInFailed', explain(e.code ?? 'other', e.message)), 'error');
    return false;
  }
}
