// A real SMTP server for the mail tests: npm `smtp-server` (Nodemailer's) on 127.0.0.1, with
// each message it accepts parsed by npm `mailparser` and written as one JSON file, so tests read
// what a recipient's mailbox would hold. It is not our code; only its configuration is.
//
// - SMTP_TLS_CERT and SMTP_TLS_KEY (PEM files): offer STARTTLS with that certificate; with
//   SMTP_IMPLICIT_TLS=1 as well, TLS from the first byte instead (smtps).
// - SMTP_USER and SMTP_PASSWORD: require AUTH (PLAIN or LOGIN) with them, after TLS.
// - SMTP_MAILDIR: where the messages go, as 000001.json, 000002.json... with
//   { from, to, subject, text, html, date } (the envelope's addresses, the decoded bodies).
//
// Usage: node tests/support/smtp-server.mjs
// Prints one JSON line: { port } once listening. Runs until killed.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const env = process.env;
const maildir = env.SMTP_MAILDIR;
if (!maildir) throw new Error('set SMTP_MAILDIR');
mkdirSync(maildir, { recursive: true });

const tls = env.SMTP_TLS_CERT && env.SMTP_TLS_KEY
  ? { cert: readFileSync(env.SMTP_TLS_CERT), key: readFileSync(env.SMTP_TLS_KEY) }
  : null;
const user = env.SMTP_USER;
let received = 0;

const server = new SMTPServer({
  secure: Boolean(tls && env.SMTP_IMPLICIT_TLS === '1'),
  ...(tls ?? {}),
  disabledCommands: tls ? [] : ['STARTTLS'],
  authOptional: !user,
  // Credentials only over TLS, as a real relay insists.
  allowInsecureAuth: false,
  size: 10 * 1024 * 1024,
  logger: false,
  onAuth(auth, _session, callback) {
    if (user && auth.username === user && auth.password === env.SMTP_PASSWORD) {
      callback(null, { user });
    } else {
      callback(new Error('535 authentication failed'));
    }
  },
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((mail) => {
        received += 1;
        const record = {
          from: session.envelope.mailFrom && session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: mail.subject ?? '',
          text: mail.text ?? '',
          html: typeof mail.html === 'string' ? mail.html : '',
          date: mail.date ? mail.date.toISOString() : null,
          secure: Boolean(session.secure),
        };
        writeFileSync(join(maildir, `${String(received).padStart(6, '0')}.json`), JSON.stringify(record));
        callback();
      })
      .catch((error) => callback(error));
  },
});

server.on('error', (error) => process.stderr.write(`smtp-server: ${error.message}\n`));
server.listen(Number(env.SMTP_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.server.address().port })}\n`);
});
