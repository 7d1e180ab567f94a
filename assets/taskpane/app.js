// The task pane's start: the language, the page's words, and the view for the Office host
// (Word; Outlook composing or reading), each in its own module.

import { setCore } from './core.js';
import { setLanguage, t, translatePage } from './i18n.js';
import * as outlook from './outlook.js';
import { say } from './ui.js';
import * as compose from './view-compose.js';
import * as read from './view-read.js';
import * as word from './view-word.js';

/** Starts the pane once Office (`info` from Office.onReady) and the wasm core are ready. */
export async function start(info, bindings) {
  setCore(bindings);
  const office = typeof Office !== 'undefined' ? Office : null;
  setLanguage(office?.context?.displayLanguage ?? navigator.language);
  translatePage();
  if (office && info?.host === office.HostType?.Outlook) {
    document.body.dataset.office = 'outlook';
    await (outlook.reading() ? read.start() : compose.start());
    return;
  }
  if (!office || info?.host !== office.HostType?.Word) {
    say(t('notInHost'));
    document.body.dataset.office = 'absent';
    return;
  }
  document.body.dataset.office = 'word';
  await word.start();
}
