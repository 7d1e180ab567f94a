// The Word document as the task pane sees it, through the Word JavaScript API: the document's
// id, the selected paragraphs with their formatting (OOXML), and the product's content controls.
// Nothing here encrypts or talks to the server; protect.js does, between the reads and the
// writes of one Word.run batch.
//
// An encrypted part is a content control tagged `textguard:1:<range id>` (product, format
// version, range id), titled with who encrypted it, locked against editing and deletion, whose
// text is the envelope (a JWE compact string).

/** Prefix of the product's content control tags. */
export const TAG_PREFIX = 'textguard:1:';
/** The custom document property holding the document id envelopes are bound to. */
export const DOC_ID_PROPERTY = 'TextguardDocumentId';
/** Content controls written per sync, so progress shows and no batch grows too large. */
export const CHUNK = 20;

/** A new random id (UUID v4). */
export const newId = () => crypto.randomUUID();

/** The range id of a tag, or null when the tag is not the product's. */
export function rangeIdOf(tag) {
  return typeof tag === 'string' && tag.startsWith(TAG_PREFIX) ? tag.slice(TAG_PREFIX.length) : null;
}

/** The document's id, created (and stored in the document) when `create` and there is none. */
async function documentId(context, create) {
  const properties = context.document.properties.customProperties;
  const property = properties.getItemOrNullObject(DOC_ID_PROPERTY);
  property.load('value');
  await context.sync();
  if (!property.isNullObject && property.value) return String(property.value);
  if (!create) return null;
  const id = newId();
  properties.add(DOC_ID_PROPERTY, id);
  await context.sync();
  return id;
}

/** Locks `cc` as an encrypted part holding `jwe`. */
function seal(cc, { rangeId, jwe, title }) {
  cc.tag = TAG_PREFIX + rangeId;
  cc.title = title;
  cc.appearance = 'BoundingBox';
  cc.color = '#115E59';
  cc.insertText(jwe, 'Replace');
  cc.cannotEdit = true;
  cc.cannotDelete = true;
}

/**
 * Encrypts the selected paragraphs in place, one content control each. `encrypt({ docId,
 * parts })` receives the paragraphs' OOXML and resolves with one `{ rangeId, jwe, title }` per
 * part; `progress(done, total)` is told as they are written. Empty paragraphs and those already
 * encrypted are left alone. Resolves with the number of parts encrypted (0: nothing selected).
 */
export function encryptSelection(encrypt, progress) {
  return Word.run(async (context) => {
    const paragraphs = context.document.getSelection().paragraphs;
    paragraphs.load('items/text');
    await context.sync();
    const inside = paragraphs.items.map((p) => {
      const cc = p.parentContentControlOrNullObject;
      cc.load('tag');
      return cc;
    });
    await context.sync();
    const chosen = paragraphs.items.filter(
      (p, i) => p.text.trim() !== '' && (inside[i].isNullObject || rangeIdOf(inside[i].tag) === null),
    );
    if (chosen.length === 0) return 0;
    const ooxml = chosen.map((p) => p.getOoxml());
    await context.sync();
    const docId = await documentId(context, true);
    const sealed = await encrypt({ docId, parts: ooxml.map((o) => o.value) });
    for (let i = 0; i < chosen.length; i += CHUNK) {
      for (let j = i; j < Math.min(i + CHUNK, chosen.length); j++) seal(chosen[j].insertContentControl(), sealed[j]);
      await context.sync();
      progress(Math.min(i + CHUNK, chosen.length), chosen.length);
    }
    return chosen.length;
  });
}

/** Encrypts the whole body as one part; `encrypt` as for encryptSelection. Resolves with 1, or
 * 0 for an empty document. */
export function encryptDocument(encrypt) {
  return Word.run(async (context) => {
    const body = context.document.body;
    body.load('text');
    const ooxml = body.getOoxml();
    await context.sync();
    if (body.text.trim() === '') return 0;
    const docId = await documentId(context, true);
    const [sealed] = await encrypt({ docId, parts: [ooxml.value] });
    seal(body.insertContentControl(), sealed);
    await context.sync();
    return 1;
  });
}

/** The encrypted parts of the document: `[{ rangeId, jwe, title }]`, in document order. */
export function listParts() {
  return Word.run(async (context) => {
    const { parts } = await loadParts(context);
    return parts.map(({ rangeId, jwe, title }) => ({ rangeId, jwe, title }));
  });
}

async function loadParts(context) {
  const controls = context.document.contentControls;
  controls.load('items/tag,items/text,items/title');
  await context.sync();
  const parts = [];
  for (const cc of controls.items) {
    const rangeId = rangeIdOf(cc.tag);
    if (rangeId !== null) parts.push({ cc, rangeId, jwe: cc.text.trim(), title: cc.title });
  }
  return { parts, docId: await documentId(context, false) };
}

/**
 * Decrypts the document's encrypted parts in place. `decrypt({ docId, parts })` receives
 * `[{ rangeId, jwe }]` and resolves with one `{ content, format }` or `{ error }` per part;
 * each decrypted part is unlocked, refilled with its content (OOXML, HTML or text, keeping its
 * formatting) and unwrapped from its content control.
 * `progress(done, total)` is told as they are written. Resolves with the decrypt results.
 */
export function decryptParts(decrypt, progress) {
  return Word.run(async (context) => {
    const { parts, docId } = await loadParts(context);
    if (parts.length === 0) return [];
    const results = await decrypt({ docId, parts: parts.map(({ rangeId, jwe }) => ({ rangeId, jwe })) });
    for (let i = 0; i < parts.length; i += CHUNK) {
      for (let j = i; j < Math.min(i + CHUNK, parts.length); j++) {
        const { content, format } = results[j];
        if (typeof content !== 'string') continue;
        const cc = parts[j].cc;
        cc.cannotEdit = false;
        cc.cannotDelete = false;
        if (format === 'ooxml') cc.insertOoxml(content, 'Replace');
        else if (format === 'html') cc.insertHtml(content, 'Replace');
        else cc.insertText(content, 'Replace');
        cc.delete(true);
      }
      await context.sync();
      progress(Math.min(i + CHUNK, parts.length), parts.length);
    }
    return results;
  });
}
