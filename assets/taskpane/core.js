// The WebAssembly client core's bindings, as the start-up (taskpane.js) hands them to the pane:
// the one place the other modules take them from.

let bindings = null;

/** Keeps the loaded bindings (called once, at start). */
export function setCore(loaded) {
  bindings = loaded;
}

/** The bindings; an Error in words if the core has not loaded. */
export function core() {
  if (!bindings) throw new Error('the protection engine is not loaded yet');
  return bindings;
}
