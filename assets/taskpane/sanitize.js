// The sanitizer for decrypted mail bodies: DOMPurify, configured for mail.
//
// A protected body is HTML its sender wrote, shown in the reader's pane, so it is treated as
// hostile. The build bundles this module with DOMPurify (a Trunk hook runs esbuild on it), so
// the pane imports one file and the import below resolves from node_modules.

import DOMPurify from 'dompurify';

/** Link schemes a reader may follow: the web and mail. Anything else (`javascript:`, `ms-word:`,
 * `file:`, relative links that would resolve against the pane) loses its `href`. */
const LINK = /^(?:https?|mailto):/i;

/** Elements kept by DOMPurify's HTML profile that mail has no use for and that would let a
 * sender collect input or change the frame's document. */
const FORBIDDEN = ['form', 'input', 'button', 'select', 'option', 'optgroup', 'textarea', 'datalist', 'meter', 'output', 'progress', 'base', 'link', 'meta', 'dialog', 'template'];

const CONFIG = Object.freeze({
  // HTML only: SVG and MathML (and with them SVG animation and the namespace confusions most
  // mutation-XSS payloads rely on) are taken out with their content. Mail rarely needs them;
  // a body that did shows their text only.
  USE_PROFILES: { html: true },
  FORBID_TAGS: FORBIDDEN,
  FORBID_ATTR: ['target', 'formaction', 'action', 'srcset', 'ping', 'autofocus'],
  ALLOWED_URI_REGEXP: LINK,
  // Leading `<style>` elements stay in the body instead of being dropped with the head.
  FORCE_BODY: true,
  ALLOW_DATA_ATTR: false,
  RETURN_TRUSTED_TYPE: false,
});

let purifier = null;

/** One DOMPurify instance for the pane, with the hook that makes every kept link open outside. */
function instance() {
  if (purifier) return purifier;
  purifier = DOMPurify(window);
  purifier.addHook('afterSanitizeAttributes', (node) => {
    if (node.hasAttribute('href')) {
      if (LINK.test(node.getAttribute('href').trim())) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      } else {
        node.removeAttribute('href');
      }
    }
  });
  return purifier;
}

/**
 * The decrypted body with nothing active left in it: no scripts, frames, forms, SVG or MathML,
 * event handlers or `target`s of the sender's, and links only to web and mail addresses (those
 * open in a new window, without a referrer).
 */
export function sanitized(html) {
  return instance().sanitize(String(html), CONFIG);
}

/**
 * The decrypted body as a document for a sandboxed frame (no scripts, no forms, no navigation
 * of the pane), sanitized, and with a policy that fetches nothing from the network: remote
 * images would tell their sender the message was opened.
 */
export function framed(html) {
  const policy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";
  return `<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${policy}">${sanitized(html)}`;
}
