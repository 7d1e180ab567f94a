// The Outlook read view: opens a protected message for one of its recipients, shows its body
// in a sandboxed frame, and says who owns its key.

import { t } from './i18n.js';
import * as outlook from './outlook.js';
import { framed } from './sanitize.js';
import { $, busy, say, signIn } from './ui.js';

async function readMessage() {
  say(t('opening'));
  const frame = $('message');
  const owner = $('message-owner');
  frame.hidden = true;
  owner.hidden = true;
  const opened = await outlook.readProtected();
  frame.srcdoc = framed(opened.html);
  // Who created the key, as the key server recorded it: the sender's display name and From
  // line are the sender's to write, this is not.
  owner.textContent = t('protectedBy', opened.owner?.username ?? '?');
  owner.hidden = false;
  frame.hidden = false;
  say(t('opened'));
  document.body.dataset.verdict = 'opened';
}

/** Starts the read view; it is opened from the message's "Read protected" button, so the
 * message is opened once signed in. */
export async function start() {
  $('outlook-read').hidden = false;
  $('read-message').addEventListener('click', () => busy(readMessage));
  const signInAndRead = async () => {
    if (await signIn()) await busy(readMessage);
  };
  $('sign-in').addEventListener('click', signInAndRead);
  await signInAndRead();
}
