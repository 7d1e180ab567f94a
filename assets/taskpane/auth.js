// Sign-in for the task pane: Office single sign-on first (OfficeRuntime.auth.getAccessToken,
// which may show Office's own sign-in and consent prompts), and, on the SSO errors that mean
// "SSO cannot work here", a sign-in dialog (../auth-dialog.html, MSAL for the browser) opened
// with Office.context.ui.displayDialogAsync. The token is kept in memory only, until a minute
// before it expires or until the server refuses it.

import { fromBase64Url } from './base64url.js';

/** SSO errors after which the dialog can still sign the user in. */
const FALLBACK_CODES = new Set([
  13001, // no one is signed in to Office (and the prompt was not possible)
  13003, // the account type is not supported (e.g. a personal Microsoft account)
  13005, // consent missing or the grant is invalid
  13006, // a client error in Office: the dialog is the way out
  13007, // Office could not get a token (often: the app registration is incomplete)
  13008, // an earlier call is still running
  13010, // the browser cannot do SSO (old Edge / Internet Explorer)
  13012, // SSO is not supported here (this platform, or a sideloaded add-in)
]);

/** SSO errors whose message the user should act on, not hidden behind a dialog. */
const ACTIONABLE = {
  13002: 'you cancelled the sign-in or consent',
  13004: 'the add-in\u2019s manifest names the wrong resource; tell your administrator',
  13013: 'too many sign-in attempts in a short time; wait a minute and try again',
};

let cached = null; // { token, expiresAt (ms) }
let pending = null;

/** The exp claim of a JWT, in ms (0 when unreadable: the token is then used once). */
function expiry(token) {
  try {
    const payload = JSON.parse(new TextDecoder().decode(fromBase64Url(token.split('.')[1])));
    return payload.exp * 1000;
  } catch {
    return 0;
  }
}

/** An access token for the server; signs in if needed. Rejects with an Error saying why. */
export function getToken() {
  if (cached && cached.expiresAt - 60_000 > Date.now()) return Promise.resolve(cached.token);
  if (!pending) {
    pending = signIn()
      .then((token) => {
        cached = { token, expiresAt: expiry(token) };
        return token;
      })
      .finally(() => {
        pending = null;
      });
  }
  return pending;
}

/** Forgets the token (the server refused it): the next call signs in again. */
export function forgetToken() {
  cached = null;
}

async function signIn() {
  try {
    return await OfficeRuntime.auth.getAccessToken({ allowSignInPrompt: true, allowConsentPrompt: true });
  } catch (e) {
    const code = Number(e?.code);
    if (ACTIONABLE[code]) throw new Error(`${ACTIONABLE[code]} (${code})`);
    if (FALLBACK_CODES.has(code) || typeof OfficeRuntime === 'undefined') return dialogSignIn();
    throw new Error(`${e?.message ?? e} (${code || 'no code'})`);
  }
}

/** Signs in through the dialog; resolves with its access token. */
function dialogSignIn() {
  const url = new URL('auth-dialog.html', document.baseURI).href;
  return new Promise((resolve, reject) => {
    Office.context.ui.displayDialogAsync(url, { height: 60, width: 30, promptBeforeOpen: false }, (opened) => {
      if (opened.status !== Office.AsyncResultStatus.Succeeded) {
        reject(new Error(`the sign-in window could not open (${opened.error?.code}: ${opened.error?.message}); allow pop-ups for this add-in`));
        return;
      }
      const dialog = opened.value;
      dialog.addEventHandler(Office.EventType.DialogMessageReceived, (arg) => {
        dialog.close();
        // The dialog may have been navigated elsewhere (Microsoft's sign-in page, or a page
        // that page sends it to): only this add-in's own page may hand over a token. Office
        // gives the sender's origin from DialogApi 1.2 on; older hosts deliver messages only
        // from the add-in's own domain.
        if (arg.origin !== undefined && arg.origin !== window.location.origin) {
          reject(new Error(`the sign-in window answered from ${arg.origin}, not from this add-in; the token was refused`));
          return;
        }
        let message;
        try {
          message = JSON.parse(arg.message);
        } catch {
          reject(new Error('the sign-in window answered something unreadable'));
          return;
        }
        if (message.status === 'success' && typeof message.accessToken === 'string') resolve(message.accessToken);
        else reject(new Error(message.error || 'the sign-in window reported a failure'));
      });
      dialog.addEventHandler(Office.EventType.DialogEventReceived, (arg) => {
        // 12006: the user closed the window.
        reject(new Error(arg.error === 12006 ? 'you closed the sign-in window' : `the sign-in window failed (${arg.error})`));
      });
    });
  });
}
