#!/usr/bin/env node
// Citation worker for brief: formats notes and a bibliography with citeproc-js.
//
// Started once per build worker process by generator/cite.py and kept running. It reads one
// JSON request per line on stdin and writes one JSON response per line on stdout:
//
//   request:  {"style": "<path to .csl>", "locale": "<path to locales-xx-XX.xml>",
//              "items": [CSL-JSON items], "clusters": [[{"id", "locator", "label"}, ...], ...],
//              "bibliography": true | false, "format": "html" | "text" | "rtf"}
//   response: {"notes": ["<html>", ...], "bibliography": ["<html>", ...]} or {"error": "..."}
//
// Each cluster is one footnote, in document order (noteIndex = position + 1), so citeproc
// itself chooses the first (full) note, later short notes and ibid. The bibliography lists
// every item of the request, cited or not, as the style sorts it; each entry is the inner
// HTML of citeproc's <div class="csl-entry">. Style and locale files are read from the given
// paths and cached (re-read when the file changes). Nothing here needs the network, and the
// network modules are refused before citeproc is loaded.
"use strict";

const fs = require("fs");
const path = require("path");
const Module = require("module");
const readline = require("readline");

// stdout carries the protocol only: anything citeproc or node would print goes to stderr.
for (const method of ["log", "info", "warn", "debug", "trace"]) {
  console[method] = (...args) => process.stderr.write(args.join(" ") + "\n");
}

// No network: refuse the modules that open connections, and fetch.
const REFUSED = new Set([
  "net", "tls", "http", "https", "http2", "dgram", "dns", "child_process", "cluster",
  "worker_threads", "inspector",
].flatMap((name) => [name, "node:" + name]));
const originalLoad = Module._load;
Module._load = function (request, ...rest) {
  if (REFUSED.has(request)) {
    throw new Error(`citeproc worker: module '${request}' is not allowed`);
  }
  return originalLoad.call(this, request, ...rest);
};
for (const name of ["fetch", "WebSocket", "EventSource"]) {
  if (name in globalThis) {
    try { delete globalThis[name]; } catch (_) { globalThis[name] = undefined; }
  }
}

function loadCiteproc() {
  // NODE_PATH (set by cite.py) and node's own lookup from this file's folder upwards.
  try {
    return require("citeproc");
  } catch (error) {
    if (error.code !== "MODULE_NOT_FOUND") throw error;
  }
  // The working directory's node_modules and its parents', for a copy of this script
  // installed away from the project.
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", "citeproc");
    if (fs.existsSync(path.join(candidate, "package.json"))) return require(candidate);
    if (path.dirname(dir) === dir) break;
  }
  return null;
}

const CSL = loadCiteproc();
if (!CSL) {
  process.stdout.write(JSON.stringify({
    fatal: "the citeproc module is missing (node_modules/citeproc)",
  }) + "\n");
  process.exit(3);
}

// Chicago alphabetizes a title-led entry ignoring an initial A, An or The ("The Japan-South
// Korea Joint Public Opinion Poll" under J). citeproc means to drop the article from sort keys,
// but misses it: its keys separate words with "|" ("The|Japan-South|Korea|...").
CSL.Util.Sort.strip_prepositions = function (str) {
  return typeof str === "string"
    ? str.replace(/^[\s"'“‘«\[(|]*(?:a|an|the)(?:\s|\|)+(?=\S)/i, "")
    : str;
};

// Building an engine expands every macro call of the style (651 in Chicago, recursively into
// its sort keys), and citeproc finds each macro by walking the whole style tree (6,000
// nodes): a third of Chicago's build. Look macros up in an index of the tree instead, made
// by that same walk (so the same nodes, in the same order) and made again whenever the
// style's top level changes (macros live there; citeproc only ever adds and removes nodes
// inside them). A name the index lacks takes the walk, so errors read as before.
if (CSL.XmlJSON && typeof CSL.XmlJSON.prototype.getNodesByName === "function") {
  const walk = CSL.XmlJSON.prototype.getNodesByName;
  const indexes = new WeakMap(); // style tree -> {children, length, byName}
  CSL.XmlJSON.prototype.getNodesByName = function (tree, name, nameValue, found) {
    if (name !== "macro" || !nameValue || found || !tree || typeof tree !== "object"
        || !Array.isArray(tree.children)) {
      return walk.call(this, tree, name, nameValue, found);
    }
    let index = indexes.get(tree);
    if (!index || index.children !== tree.children || index.length !== tree.children.length) {
      const byName = new Map();
      for (const node of walk.call(this, tree, "macro")) {
        const key = node.attrs ? node.attrs.name : undefined;
        if (!byName.has(key)) byName.set(key, []);
        byName.get(key).push(node);
      }
      index = { children: tree.children, length: tree.children.length, byName };
      indexes.set(tree, index);
    }
    const nodes = index.byName.get(nameValue);
    return nodes ? nodes.slice() : walk.call(this, tree, name, nameValue, found);
  };
}

const ITEM_KEYS = ["id", "locator", "label", "prefix", "suffix", "suppress-author", "author-only"];
const files = new Map(); // path -> {key, text, lang}

function readCached(file, what) {
  if (typeof file !== "string" || !file) throw new Error(`no ${what} file given`);
  let stat;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    throw new Error(`cannot read the ${what} file ${file}: ${error.code || error.message}`);
  }
  const key = `${stat.mtimeMs}:${stat.size}`;
  const cached = files.get(file);
  if (cached && cached.key === key) return cached;
  const text = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  const lang = (/xml:lang="([^"]+)"/.exec(text) || [])[1] || "";
  const entry = { key, text, lang };
  files.set(file, entry);
  return entry;
}

function localeFor(localePath, lang) {
  // The request's locale serves its own language and that language's primary tag; other
  // languages citeproc falls back to (always en-US) come from a sibling locales-xx-XX.xml.
  const main = readCached(localePath, "locale");
  if (lang === main.lang || lang === main.lang.split("-")[0]) return main.text;
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(lang)) return false;
  const sibling = path.join(path.dirname(localePath), `locales-${lang}.xml`);
  if (fs.existsSync(sibling)) return readCached(sibling, "locale").text;
  return main.lang.startsWith(lang.split("-")[0]) ? main.text : false;
}

// Building an engine from a style takes half a second or more for Chicago, so each style and
// locale pair keeps one, reset before every request.
const engines = new Map(); // "style\0locale" -> {key, engine}

function engineFor(stylePath, style, localePath, locale) {
  const id = `${stylePath}\0${localePath}`;
  const key = `${style.key}\0${locale.key}`;
  const cached = engines.get(id);
  if (cached && cached.key === key) return cached.engine;
  const sys = {
    items: new Map(),
    retrieveItem(itemId) { return this.items.get(String(itemId)); },
    retrieveLocale: (lang) => localeFor(localePath, lang),
  };
  const engine = new CSL.Engine(sys, style.text, locale.lang || "en-US", true);
  engines.set(id, { key, engine });
  return engine;
}

function checkRequest(request) {
  if (!request || typeof request !== "object" || Array.isArray(request)) {
    throw new Error("the request is not a JSON object");
  }
  if (!Array.isArray(request.items)) throw new Error("'items' must be a list");
  if (!Array.isArray(request.clusters)) throw new Error("'clusters' must be a list");
  const ids = new Set();
  for (const item of request.items) {
    if (!item || typeof item !== "object" || item.id === undefined || item.id === null) {
      throw new Error("every item needs an id");
    }
    if (ids.has(String(item.id))) throw new Error(`item '${item.id}' is given twice`);
    ids.add(String(item.id));
  }
  request.clusters.forEach((cluster, index) => {
    if (!Array.isArray(cluster) || cluster.length === 0) {
      throw new Error(`cluster ${index + 1} must be a non-empty list of cites`);
    }
    for (const cite of cluster) {
      if (!cite || !ids.has(String(cite.id))) {
        throw new Error(`cluster ${index + 1} cites '${cite && cite.id}', which is not an item`);
      }
    }
  });
  const format = request.format || "html";
  if (typeof format !== "string" || format in Object.prototype
      || typeof CSL.Output.Formats[format] !== "object") {
    throw new Error(`unknown output format '${format}'`);
  }
  return format;
}

function unwrapEntry(entry) {
  const text = entry.trim();
  const match = /^<div class="csl-entry">([\s\S]*)<\/div>$/.exec(text);
  return match ? match[1] : text;
}

function format(request) {
  const outputFormat = checkRequest(request);
  const style = readCached(request.style, "style");
  const locale = readCached(request.locale, "locale");
  const items = new Map(
    request.items.map((item) => [String(item.id), { ...item, id: String(item.id) }]));
  const engine = engineFor(request.style, style, request.locale, locale);
  engine.sys.items = items;
  engine.restoreProcessorState([]); // forget the previous request's items and notes
  const citations = request.clusters.map((cluster, index) => ({
    citationID: `note-${index + 1}`,
    citationItems: cluster.map((cite) => {
      const out = {};
      for (const key of ITEM_KEYS) {
        if (cite[key] !== undefined && cite[key] !== null && cite[key] !== "") out[key] = cite[key];
      }
      out.id = String(cite.id);
      return out;
    }),
    properties: { noteIndex: index + 1 },
  }));
  const uncited = request.bibliography ? [...items.keys()] : [];
  const rendered = engine.rebuildProcessorState(citations, outputFormat, uncited);
  const notes = rendered.map((triple) => triple[2]);
  let bibliography = [];
  if (request.bibliography) {
    engine.setOutputFormat(outputFormat);
    const made = engine.makeBibliography();
    if (made) bibliography = made[1].map(unwrapEntry);
  }
  return { notes, bibliography };
}

function handle(line) {
  let request;
  try {
    request = JSON.parse(line);
  } catch (error) {
    return { error: `the request is not valid JSON: ${error.message}` };
  }
  try {
    return format(request);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { error: message.replace(/^citeproc-js error: /, "citeproc: ") };
  }
}

const input = readline.createInterface({
  input: process.stdin, crlfDelay: Infinity, terminal: false,
});
input.on("line", (line) => {
  if (!line.trim()) return;
  process.stdout.write(JSON.stringify(handle(line)) + "\n");
});
input.on("close", () => process.exit(0));
