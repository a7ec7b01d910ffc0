/**
 * modules.js - bridge's hooks in pythonmonkey's CommonJS loader, evaluated once when the engine
 * starts. Its completion value is { hook, requireFor }. hook(extensions, resolveTarget, checkEsm,
 * esmHint) wraps the loaders of one require tree (pythonmonkey shares one extensions table per
 * tree); requireFor(load, filename) is the require bridge.eval code gets (as `node -e` code has
 * one), resolving like a module's:
 *  - every module's require first asks resolveTarget (Python, bridge/embedded/_resolve.py) for a
 *    package's "exports" target, and falls back to pythonmonkey's resolution when it has none;
 *  - checkEsm (Python) refuses an ES module file with an error that names it;
 *  - a JSON file that does not parse, and ESM syntax in a file loaded as CommonJS, give errors
 *    that name the file.
 */
(function bridgeModules() {
  'use strict';

  const HOOKED = Symbol('bridge.hooked');
  let resolveTarget = null;

  function ownRequire(inner, filename) {
    const target = (spec) => (typeof spec === 'string' ? resolveTarget(spec, filename) : null);
    const require = function require(spec) {
      const file = target(spec);
      return inner(file == null ? spec : file);
    };
    Object.assign(require, inner);
    require.resolve = function resolve(spec) {
      const file = target(spec);
      return inner.resolve(file == null ? spec : file);
    };
    return require;
  }

  function requireFor(load, filename) { return ownRequire(load, filename); }

  function hook(extensions, resolve, checkEsm, esmHint) {
    resolveTarget = resolve;
    if (extensions[HOOKED]) return;
    Object.defineProperty(extensions, HOOKED, { value: true });
    const loadJS = extensions['.js'];
    const loadJSON = extensions['.json'];

    extensions['.js'] = function loadJSModule(module, filename) {
      checkEsm(filename);
      module.require = ownRequire(module.require, module.filename);
      try {
        return loadJS(module, filename);
      } catch (e) {
        if (e instanceof SyntaxError && /^(import|export) declarations/.test(e.message)) {
          throw new SyntaxError(`${e.message} (in ${filename}: ${esmHint})`);
        }
        throw e;
      }
    };
    extensions['.json'] = function loadJSONModule(module, filename) {
      try {
        return loadJSON(module, filename);
      } catch (e) {
        if (e instanceof SyntaxError) throw new SyntaxError(`${filename}: ${e.message}`);
        throw e;
      }
    };
  }

  return { hook, requireFor };
})();
