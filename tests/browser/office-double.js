// TEST DOUBLE of the Office.js and Word JavaScript API surface the task pane uses. It is not
// Office: it stands in for it in browser tests, served in place of Microsoft's office.js.
//
// It keeps an in-memory Word document: top-level blocks that are paragraphs
// `{ type: 'p', style?, align?, runs: [{ text, bold?, italic?, underline?, color? }] }` or
// content controls `{ type: 'cc', id, tag, title, appearance, color, cannotEdit, cannotDelete,
// blocks: [paragraphs] }`, custom properties, and a selection (a range of top-level block
// indices). Like Word, it queues what the page asks for and does it on `context.sync()`: a
// property read before it was loaded and synced throws, a locked content control refuses
// changes, and an error rejects the sync that ran the failing operation. OOXML is a small
// flat-OPC package with the runs' formatting, read back with DOMParser.
//
// For Outlook (`host: 'Outlook'`) it keeps a message instead: `mail = { subject, html, to, cc,
// bcc }` (the body as HTML; read as text, its tags are dropped), being written, or being read
// with `mode: 'read'` and `from` (then, as in Outlook, subject and recipients are plain values
// and the body cannot be changed).
//
// Configure it before the page loads with `window.__officeDouble = { host, displayLanguage,
// token, ssoError, dialogToken, document, mail }`; read `window.__officeDouble.document`,
// `.mail` and `.calls` afterwards.
(function () {
  'use strict';
  const config = (window.__officeDouble = window.__officeDouble || {});
  config.document = config.document || { blocks: [], properties: {}, selection: { start: 0, end: 0 } };
  config.calls = { getAccessToken: [], displayDialogAsync: [], messageParent: [], messageParentOptions: [], syncs: 0 };
  const doc = config.document;
  let nextId = 1 + Math.max(0, ...allControls().map((c) => c.id || 0));

  // ---------------------------------------------------------------- document model helpers
  function allControls() {
    return doc.blocks.filter((b) => b.type === 'cc');
  }
  function paragraphText(p) {
    return p.runs.map((r) => r.text).join('');
  }
  function blocksText(blocks) {
    return blocks.map((b) => (b.type === 'cc' ? blocksText(b.blocks) : paragraphText(b))).join('\n');
  }
  /** Where block `target` is: [array, index], searching top level and inside controls. */
  function locate(target) {
    const top = doc.blocks.indexOf(target);
    if (top >= 0) return [doc.blocks, top];
    for (const cc of allControls()) {
      const i = cc.blocks.indexOf(target);
      if (i >= 0) return [cc.blocks, i];
    }
    throw officeError('ItemNotFound', 'The requested resource does not exist.');
  }
  function parentControl(paragraph) {
    return allControls().find((cc) => cc.blocks.includes(paragraph)) || null;
  }
  function officeError(code, message) {
    const e = new Error(message);
    e.name = 'RichApi.Error';
    e.code = code;
    return e;
  }
  function checkEditable(cc) {
    if (cc.cannotEdit) throw officeError('AccessDenied', 'This content control is locked: its contents cannot be edited.');
  }

  // ---------------------------------------------------------------- OOXML
  const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
  const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  function toOoxml(paragraphs) {
    const body = paragraphs.map((p) => {
      const pPr = (p.style ? `<w:pStyle w:val="${escape(p.style)}"/>` : '') + (p.align ? `<w:jc w:val="${escape(p.align)}"/>` : '');
      const runs = p.runs.map((r) => {
        const rPr = (r.bold ? '<w:b/>' : '') + (r.italic ? '<w:i/>' : '') + (r.underline ? '<w:u w:val="single"/>' : '') +
          (r.color ? `<w:color w:val="${escape(r.color)}"/>` : '');
        return `<w:r>${rPr ? `<w:rPr>${rPr}</w:rPr>` : ''}<w:t xml:space="preserve">${escape(r.text)}</w:t></w:r>`;
      }).join('');
      return `<w:p>${pPr ? `<w:pPr>${pPr}</w:pPr>` : ''}${runs}</w:p>`;
    }).join('');
    return '<pkg:package xmlns:pkg="http://schemas.microsoft.com/office/2006/xmlPackage">' +
      '<pkg:part pkg:name="/word/document.xml" pkg:contentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml">' +
      `<pkg:xmlData><w:document xmlns:w="${W}"><w:body>${body}</w:body></w:document></pkg:xmlData></pkg:part></pkg:package>`;
  }
  function fromOoxml(xml) {
    const parsed = new DOMParser().parseFromString(xml, 'application/xml');
    if (parsed.getElementsByTagName('parsererror').length > 0) throw officeError('InvalidArgument', 'The OOXML is not well-formed.');
    const paragraphs = [...parsed.getElementsByTagNameNS(W, 'p')].map((p) => {
      const block = { type: 'p', runs: [] };
      const style = p.getElementsByTagNameNS(W, 'pStyle')[0];
      const jc = p.getElementsByTagNameNS(W, 'jc')[0];
      if (style) block.style = style.getAttributeNS(W, 'val');
      if (jc) block.align = jc.getAttributeNS(W, 'val');
      for (const r of p.getElementsByTagNameNS(W, 'r')) {
        const run = { text: [...r.getElementsByTagNameNS(W, 't')].map((t) => t.textContent).join('') };
        if (r.getElementsByTagNameNS(W, 'b').length) run.bold = true;
        if (r.getElementsByTagNameNS(W, 'i').length) run.italic = true;
        if (r.getElementsByTagNameNS(W, 'u').length) run.underline = true;
        const color = r.getElementsByTagNameNS(W, 'color')[0];
        if (color) run.color = color.getAttributeNS(W, 'val');
        block.runs.push(run);
      }
      return block;
    });
    if (paragraphs.length === 0) throw officeError('InvalidArgument', 'The OOXML holds no paragraph.');
    return paragraphs;
  }

  // ---------------------------------------------------------------- request context and proxies
  class RequestContext {
    constructor() {
      this.queue = [];
      this.document = new DocumentProxy(this);
    }
    sync() {
      config.calls.syncs++;
      const queue = this.queue;
      this.queue = [];
      return new Promise((resolve, reject) => {
        setTimeout(() => {
          try {
            for (const op of queue) op();
            resolve();
          } catch (e) {
            reject(e);
          }
        }, 0);
      });
    }
  }

  /** A proxy whose target is resolved when the queue runs; loaded values are read after sync. */
  class Proxy {
    constructor(context, resolve) {
      this.context = context;
      this.resolve = resolve;
      this.values = {};
    }
    target() {
      const t = this.resolve();
      if (!t) throw officeError('ItemNotFound', 'The object does not exist (any more).');
      return t;
    }
    read(name) {
      if (!(name in this.values)) {
        throw officeError('PropertyNotLoaded', `The property '${name}' is not available. Before reading the property's value, call the load method on the containing object and call "context.sync()" on the associated request context.`);
      }
      return this.values[name];
    }
    queue(op) {
      this.context.queue.push(op);
    }
    load(names) {
      const list = typeof names === 'string' ? names.split(',').map((s) => s.trim()) : names || [];
      this.queue(() => this.snapshot(list));
      return this;
    }
  }

  class ClientResult {
    constructor() {
      this.ready = false;
    }
    get value() {
      if (!this.ready) throw officeError('PropertyNotLoaded', 'The value of the result object has not been loaded yet. Before reading the value property, call "context.sync()" on the associated request context.');
      return this._value;
    }
    set(v) {
      this._value = v;
      this.ready = true;
    }
  }

  class DocumentProxy extends Proxy {
    constructor(context) {
      super(context, () => doc);
      this.body = new BodyProxy(context);
      this.contentControls = new ControlCollectionProxy(context, () => allControls());
      this.properties = { customProperties: new CustomPropertiesProxy(context) };
    }
    getSelection() {
      return new SelectionProxy(this.context);
    }
  }

  class SelectionProxy extends Proxy {
    constructor(context) {
      super(context, () => doc);
      const selected = () => doc.blocks.slice(doc.selection.start, doc.selection.end + 1);
      this.paragraphs = new ParagraphCollectionProxy(context, () =>
        selected().flatMap((b) => (b.type === 'cc' ? b.blocks : [b])));
    }
  }

  class ParagraphCollectionProxy extends Proxy {
    constructor(context, resolve) {
      super(context, resolve);
      this._items = null;
    }
    snapshot(names) {
      this._items = this.target().map((p) => {
        const proxy = new ParagraphProxy(this.context, () => p);
        proxy.snapshot(names.map((n) => n.replace(/^items\//, '')));
        return proxy;
      });
    }
    get items() {
      if (!this._items) throw officeError('PropertyNotLoaded', "The property 'items' is not available. Call load and context.sync() first.");
      return this._items;
    }
  }

  class ParagraphProxy extends Proxy {
    snapshot(names) {
      const p = this.target();
      for (const n of names) if (n === 'text') this.values.text = paragraphText(p);
    }
    get text() {
      return this.read('text');
    }
    get parentContentControlOrNullObject() {
      return new ControlProxy(this.context, () => parentControl(this.target()), true);
    }
    getOoxml() {
      const result = new ClientResult();
      this.queue(() => result.set(toOoxml([this.target()])));
      return result;
    }
    insertContentControl() {
      let created = null;
      this.queue(() => {
        const p = this.target();
        if (parentControl(p)) throw officeError('InvalidOperation', 'This paragraph is already in a content control.');
        const [list, i] = locate(p);
        created = { type: 'cc', id: nextId++, tag: '', title: '', appearance: 'BoundingBox', color: '', cannotEdit: false, cannotDelete: false, blocks: [p] };
        list.splice(i, 1, created);
      });
      return new ControlProxy(this.context, () => created);
    }
  }

  class BodyProxy extends Proxy {
    constructor(context) {
      super(context, () => doc);
    }
    snapshot(names) {
      for (const n of names) if (n === 'text') this.values.text = blocksText(doc.blocks);
    }
    get text() {
      return this.read('text');
    }
    getOoxml() {
      const result = new ClientResult();
      this.queue(() => result.set(toOoxml(doc.blocks.flatMap((b) => (b.type === 'cc' ? b.blocks : [b])))));
      return result;
    }
    insertContentControl() {
      let created = null;
      this.queue(() => {
        if (doc.blocks.some((b) => b.type === 'cc')) throw officeError('InvalidOperation', 'The body already holds content controls.');
        created = { type: 'cc', id: nextId++, tag: '', title: '', appearance: 'BoundingBox', color: '', cannotEdit: false, cannotDelete: false, blocks: doc.blocks };
        doc.blocks = [created];
      });
      return new ControlProxy(this.context, () => created);
    }
  }

  class ControlCollectionProxy extends ParagraphCollectionProxy {
    snapshot(names) {
      this._items = this.target().map((cc) => {
        const proxy = new ControlProxy(this.context, () => cc);
        proxy.snapshot(names.map((n) => n.replace(/^items\//, '')));
        return proxy;
      });
    }
  }

  const CONTROL_PROPERTIES = ['tag', 'title', 'appearance', 'color', 'cannotEdit', 'cannotDelete'];

  class ControlProxy extends Proxy {
    constructor(context, resolve, orNull = false) {
      super(context, resolve);
      this.orNull = orNull;
      for (const name of CONTROL_PROPERTIES) {
        Object.defineProperty(this, name, {
          get: () => this.read(name),
          set: (v) => this.queue(() => {
            this.target()[name] = v;
          }),
        });
      }
    }
    snapshot(names) {
      const cc = this.resolve();
      this.values.isNullObject = !cc;
      if (!cc) {
        if (!this.orNull) throw officeError('ItemNotFound', 'The content control does not exist.');
        return;
      }
      for (const n of names) {
        if (n === 'text') this.values.text = blocksText(cc.blocks);
        else if (CONTROL_PROPERTIES.includes(n) || n === 'id') this.values[n] = cc[n];
      }
    }
    get isNullObject() {
      return this.read('isNullObject');
    }
    get text() {
      return this.read('text');
    }
    get id() {
      return this.read('id');
    }
    insertText(text, location) {
      this.queue(() => {
        const cc = this.target();
        checkEditable(cc);
        if (location !== 'Replace') throw officeError('InvalidArgument', 'The double supports only "Replace".');
        cc.blocks = [{ type: 'p', runs: [{ text }] }];
      });
    }
    insertOoxml(ooxml, location) {
      this.queue(() => {
        const cc = this.target();
        checkEditable(cc);
        if (location !== 'Replace') throw officeError('InvalidArgument', 'The double supports only "Replace".');
        cc.blocks = fromOoxml(ooxml);
      });
    }
    delete(keepContent) {
      this.queue(() => {
        const cc = this.target();
        if (cc.cannotDelete) throw officeError('AccessDenied', 'This content control cannot be deleted.');
        const i = doc.blocks.indexOf(cc);
        doc.blocks.splice(i, 1, ...(keepContent ? cc.blocks : []));
      });
    }
  }

  class CustomPropertiesProxy extends Proxy {
    constructor(context) {
      super(context, () => doc.properties);
    }
    getItemOrNullObject(key) {
      const proxy = new Proxy(this.context, () => doc.properties);
      proxy.snapshot = () => {
        const has = Object.prototype.hasOwnProperty.call(doc.properties, key);
        proxy.values.isNullObject = !has;
        proxy.values.value = has ? doc.properties[key] : undefined;
      };
      Object.defineProperty(proxy, 'isNullObject', { get: () => proxy.read('isNullObject') });
      Object.defineProperty(proxy, 'value', { get: () => proxy.read('value') });
      return proxy;
    }
    add(key, value) {
      this.queue(() => {
        doc.properties[key] = value;
      });
    }
  }

  // ---------------------------------------------------------------- globals
  window.Word = {
    run(batch) {
      const context = new RequestContext();
      return Promise.resolve().then(() => batch(context)).then(async (result) => {
        if (context.queue.length > 0) await context.sync();
        return result;
      });
    },
  };

  // ---------------------------------------------------------------- Outlook compose item
  const mail = config.mail || { subject: '', html: '', to: [], cc: [], bcc: [] };
  config.mail = mail;
  const succeeded = (value) => ({ status: 'succeeded', value });
  const later = (callback, result) => setTimeout(() => callback(result), 0);
  // As Outlook gives it: one line per paragraph or line break.
  const asText = (html) => new DOMParser()
    .parseFromString(html.replace(/<\/p>|<br\s*\/?>/gi, '$&\n'), 'text/html').body.textContent.replace(/\n$/, '');
  const addresses = (field) => (mail[field] || []).map((emailAddress) => ({ emailAddress, displayName: emailAddress }));
  const people = (field) => ({
    getAsync: (callback) => later(callback, succeeded(addresses(field))),
  });
  const body = {
    getAsync(coercion, callback) {
      later(callback, succeeded(coercion === 'html' ? mail.html : asText(mail.html)));
    },
  };
  const readItem = {
    subject: mail.subject,
    from: { emailAddress: mail.from, displayName: mail.from },
    to: addresses('to'),
    cc: addresses('cc'),
    body,
  };
  const composeItem = {
    subject: { getAsync: (callback) => later(callback, succeeded(mail.subject)) },
    body: {
      ...body,
      setAsync(data, options, callback) {
        if (!options || options.coercionType !== 'html') {
          later(callback, { status: 'failed', error: { code: 9000, message: 'The double takes HTML only.' } });
          return;
        }
        mail.html = data;
        later(callback, succeeded(undefined));
      },
    },
    to: people('to'),
    cc: people('cc'),
    bcc: people('bcc'),
  };
  const item = mail.mode === 'read' ? readItem : composeItem;

  const host = config.host === undefined ? 'Word' : config.host;
  window.Office = {
    HostType: { Word: 'Word', Excel: 'Excel', PowerPoint: 'PowerPoint', Outlook: 'Outlook' },
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    CoercionType: { Text: 'text', Html: 'html' },
    EventType: { DialogMessageReceived: 'dialogMessageReceived', DialogEventReceived: 'dialogEventReceived' },
    onReady(callback) {
      const info = { host, platform: host ? 'OfficeOnline' : null };
      return new Promise((resolve) => setTimeout(() => {
        if (callback) callback(info);
        resolve(info);
      }, 0));
    },
    context: {
      displayLanguage: config.displayLanguage || 'en-US',
      requirements: { isSetSupported: () => true },
      mailbox: { item },
      ui: {
        messageParent(message, options) {
          config.calls.messageParent.push(message);
          config.calls.messageParentOptions.push(options ?? null);
        },
        displayDialogAsync(url, options, callback) {
          config.calls.displayDialogAsync.push({ url, options });
          if (!config.dialogToken) {
            callback({ status: 'failed', error: { code: 12009, message: 'The user chose to ignore the dialog box.' } });
            return;
          }
          const handlers = {};
          const dialog = {
            addEventHandler(type, handler) {
              handlers[type] = handler;
            },
            close() {
              config.calls.dialogClosed = true;
            },
          };
          callback({ status: 'succeeded', value: dialog });
          // Office (DialogApi 1.2) says which origin the dialog's page had when it sent this.
          setTimeout(() => handlers.dialogMessageReceived?.({
            message: JSON.stringify({ status: 'success', accessToken: config.dialogToken }),
            origin: config.dialogOrigin ?? window.location.origin,
          }), 10);
        },
      },
    },
  };

  window.OfficeRuntime = {
    auth: {
      getAccessToken(options) {
        config.calls.getAccessToken.push(options);
        if (config.ssoError) {
          const e = new Error(config.ssoError.message || 'SSO failed (test double)');
          e.code = config.ssoError.code;
          return Promise.reject(e);
        }
        return Promise.resolve(config.token);
      },
    },
  };
})();
