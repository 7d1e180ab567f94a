// The fallback sign-in dialog's script (see auth-dialog.html). On its first load it asks the
// server for the app registration (GET /v1/sign-in-config) and redirects to Microsoft's sign-in
// page; when that page redirects back here, MSAL completes the sign-in and the access token
// goes to the task pane as `{ status: "success", accessToken }`. Any failure goes to the task
// pane as `{ status: "error", error }` so that it can say what happened.
import { PublicClientApplication } from '@azure/msal-browser';

const status = document.getElementById('status');

/** Sends `message` to the task pane, and only to it: the pane is served from this origin. */
function tell(message) {
  const options = Office.context.requirements?.isSetSupported?.('DialogApi', '1.2') ? { targetOrigin: window.location.origin } : undefined;
  Office.context.ui.messageParent(JSON.stringify(message), options);
}

async function run() {
  const response = await fetch('/v1/sign-in-config');
  const config = await response.json();
  if (!response.ok) throw new Error(config?.error?.message ?? `the server answered ${response.status}`);
  const msal = new PublicClientApplication({
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      knownAuthorities: config.knownAuthorities ?? [],
      protocolMode: config.protocolMode,
      redirectUri: new URL('auth-dialog.html', document.baseURI).href,
      navigateToLoginRequestUrl: false,
    },
    cache: { cacheLocation: 'sessionStorage' },
  });
  await msal.initialize();
  const result = await msal.handleRedirectPromise();
  if (result?.accessToken) {
    tell({ status: 'success', accessToken: result.accessToken });
    return;
  }
  // Entra ID lets the user pick among their accounts; other providers may not know the prompt.
  await msal.loginRedirect({ scopes: config.scopes, ...(config.protocolMode === 'AAD' ? { prompt: 'select_account' } : {}) });
}

Office.onReady(() => {
  run().catch((e) => {
    status.textContent = `Sign-in failed: ${e?.message ?? e}`;
    status.dataset.kind = 'error';
    try {
      tell({ status: 'error', error: String(e?.message ?? e) });
    } catch {
      // Not opened by Office: the message on the page is all there is.
    }
  });
});
