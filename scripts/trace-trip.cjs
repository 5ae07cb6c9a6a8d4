// Issue 19's measurement: which files and cross-file calls one tripping event passes through.
// Run: TRACE_ROOT="$PWD" node --require ./scripts/trace-trip.cjs --import tsx demo/run-demo.ts
// It prints, for each event that suspended a group, the files passed through and the calls that crossed a
// file boundary, on stderr after the demo's own output. An event is a launch event (`run`,
// lambda/steps/count.ts) or a batch of delayed checks (`runDeadlineChecks`, lambda/steps/delayed-check.ts):
// the function entry (lambda/entries/guard.ts) hands each to one of the two; the demo's trip happens in the
// delayed check, at the failed launches' deadline.
//
// Records cross-file calls between the function's own modules while one of them handles one event.
// Method: every project module's exports are replaced (Module._load) by a copy whose functions are wrapped,
// and every exported class's prototype methods are wrapped in place. A wrapped call records
// (caller file from the stack, callee file, name). Calls to unexported helpers stay inside their file
// and are not cross-file calls; callbacks handed across a file boundary as values are not seen.
const Module = require('node:module');
const path = require('node:path');
const ROOT = process.env.TRACE_ROOT;
// The function's own files only: the demo driving it and the fake cloud answering it are not its path.
const inProject = (f) => f?.startsWith(`${ROOT}/lambda/`) && !f.includes('/node_modules/');
const rel = (f) => path.relative(ROOT, f);
const buckets = [];
let current = null;
const wrapped = new WeakSet();
/** Where one event's handling starts: the launch path and the delayed check. */
const STARTS = [
  ['lambda/steps/count.ts', 'run'],
  ['lambda/steps/delayed-check.ts', 'runDeadlineChecks'],
];

function callerFile() {
  const lines = new Error().stack.split('\n').slice(3);
  for (const l of lines) {
    const m = l.match(/\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?$/);
    if (!m) continue;
    const f = m[1].replace('file://', '');
    if (f.endsWith('tracer.cjs')) continue;
    return f;
  }
  return '?';
}
function wrapFn(fn, file, name) {
  if (wrapped.has(fn)) return fn;
  const w = function (...args) {
    const from = callerFile();
    let started = false;
    if (!current && STARTS.some(([f, n]) => name === n && file.endsWith(f))) {
      current = { calls: [], result: undefined };
      buckets.push(current);
      started = true;
      current.calls.push({ from: '(entry) lambda/entries/guard.ts', to: rel(file), name });
    } else if (current && inProject(from) && from !== file) {
      current.calls.push({ from: rel(from), to: rel(file), name });
    }
    const r = new.target ? Reflect.construct(fn, args, new.target) : fn.apply(this, args);
    if (started) {
      const b = current;
      return Promise.resolve(r).then(
        (v) => {
          b.result = v;
          current = null;
          return v;
        },
        (e) => {
          current = null;
          throw e;
        },
      );
    }
    return r;
  };
  wrapped.add(w);
  return w;
}
function wrapClass(cls, file) {
  const proto = cls.prototype;
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (key === 'constructor') continue;
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (typeof d.value === 'function') proto[key] = wrapFn(d.value, file, `${cls.name}.${key}`);
  }
}
const origLoad = Module._load;
Module._load = function (...args) {
  const [request, parent, isMain] = args;
  const exp = origLoad.apply(this, args);
  let file;
  try {
    file = Module._resolveFilename(request, parent, isMain);
  } catch {
    return exp;
  }
  if (!inProject(file) || !file.endsWith('.ts') || !exp || typeof exp !== 'object') return exp;
  if (exp.__traced) return exp.__traced;
  const copy = {};
  for (const k of Object.keys(exp)) {
    const v = exp[k];
    if (typeof v === 'function') {
      if (/^class\s/.test(Function.prototype.toString.call(v))) {
        wrapClass(v, file);
        copy[k] = v;
      } else copy[k] = wrapFn(v, file, k);
    } else copy[k] = v;
  }
  Object.defineProperty(exp, '__traced', { value: copy, enumerable: false });
  return copy;
};
process.on('exit', () => {
  const strip = (f) => f.replace('(entry) ', '');
  const isStep = (f) => f.startsWith('lambda/steps/');
  for (const b of buckets) {
    const suspended =
      JSON.stringify(b.result ?? {}).includes('"trip":"suspended"') ||
      b.calls.some((c) => c.name === 'AutoScalingSuspender.suspend');
    if (!suspended) continue;
    const files = new Set(b.calls.flatMap((c) => [strip(c.from), c.to]));
    const edges = new Set(b.calls.map((c) => `${c.from} -> ${c.to}#${c.name}`));
    const pairs = new Set(b.calls.map((c) => `${c.from} -> ${c.to}`));
    const handOffs = b.calls.filter((c) => isStep(strip(c.from)) && isStep(c.to));
    const out = [
      `trace of a tripping event (${b.calls[0].name}): ${files.size} files, ${b.calls.length} cross-file calls ` +
        `(${edges.size} distinct caller file -> callee function, ${pairs.size} distinct file pairs), ` +
        `${handOffs.length} calls from one step file to another (lambda/steps/)`,
      ...[...files].sort().map((f) => `  file ${f}`),
      ...b.calls.map((c) => `  call ${c.from} -> ${c.to} ${c.name}`),
    ];
    process.stderr.write(`${out.join('\n')}\n`);
  }
});
