// The API's contract in the tests: every answer the pane receives from the server is checked
// against the OpenAPI document the server publishes (/openapi.json, generated from its routes
// and wire types, committed as docs/openapi.json), with ajv's JSON Schema 2020-12 validator,
// the dialect of OpenAPI 3.1. A field the server sends and the document does not describe, or
// the other way round, is a problem of the test that saw it.
import Ajv2020 from 'ajv/dist/2020.js';

/** The checker for the OpenAPI document `doc`: `check(method, url, status, text)` -> problems. */
export function contract(doc) {
  // strict: false, because OpenAPI adds keywords of its own (example, discriminator...).
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(doc, 'openapi.json');
  const routes = Object.keys(doc.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  const validators = new Map();
  const pointer = (...parts) => parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

  return function check(method, url, status, text) {
    const { pathname } = new URL(url);
    const route = routes.find((r) => r.pattern.test(pathname));
    const verb = method.toLowerCase();
    const where = `${method} ${pathname} ${status}`;
    if (!route || !doc.paths[route.template][verb]) return [`contract: ${where}: not in /openapi.json`];
    const responses = doc.paths[route.template][verb].responses;
    const code = String(status) in responses ? String(status) : 'default';
    const documented = responses[code];
    if (!documented) return [`contract: ${where}: status not documented`];
    const schema = documented.content?.['application/json']?.schema;
    if (!schema) return [];
    const key = `${route.template} ${verb} ${code}`;
    if (!validators.has(key)) {
      const ref = `openapi.json#/${pointer('paths', route.template, verb, 'responses', code, 'content', 'application/json', 'schema')}`;
      validators.set(key, ajv.compile({ $ref: ref }));
    }
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return [`contract: ${where}: the body is not JSON`];
    }
    const validate = validators.get(key);
    if (validate(body)) return [];
    return validate.errors.map((e) => `contract: ${where}: ${e.instancePath || '(body)'} ${e.message}`);
  };
}
