// The message being written, as both the compose pane (outlook.js) and the send-time handler
// (assets/event/launchevent.js, which scripts/build-event.sh bundles with this module into one
// ES2016 script) read it and hand it to the scanner. Written with promises and without optional
// chaining, like the handler, so that its bundle stays what classic Outlook's runtime runs.

/** An Office.js asynchronous call as a promise; `what` says what it does, for the error. */
export function office(what, call) {
  return new Promise((resolve, reject) => {
    call((result) => {
      if (result.status === Office.AsyncResultStatus.Succeeded) resolve(result.value);
      else reject(new Error(`Outlook could not ${what}: ${(result.error && result.error.message) || 'it refused'}`));
    });
  });
}

/** The subject and body (as text) of the message being written: `{ subject, body }`. */
export function composed() {
  const item = Office.context.mailbox.item;
  return Promise.all([
    office('read the subject', (cb) => item.subject.getAsync(cb)),
    office('read the body', (cb) => item.body.getAsync(Office.CoercionType.Text, cb)),
  ]).then(([subject, body]) => ({ subject: subject || '', body: body || '' }));
}

/** The text the scanner checks: the subject, a line break, the body. Findings' offsets count
 * from its start. */
export const scanned = ({ subject, body }) => `${subject}\n${body}`;

/** A category's name in the language `lang`, else in English, else its id. */
export const categoryLabel = (category, lang) => category.label[lang] || category.label.en || category.id;
