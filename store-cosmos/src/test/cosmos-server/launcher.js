#!/usr/bin/env node
/*
 * Starts @vercel/cosmosdb-server (pinned in package.json) for the store-cosmos tests, with the few request handlers
 * the Java SDK (com.azure:azure-cosmos) needs replaced at start-up. Nothing under node_modules is edited: the package's
 * own routes serve every request the overrides below do not claim.
 *
 * Overrides, each for a gap of the package as installed:
 *   1. Point read of a missing item answers 404 (the package throws and answers 500), so the SDK reports NotFound.
 *   2. Query-plan requests (header x-ms-cosmos-is-query-plan-request) get a pass-through plan: no rewriting, one
 *      query range. That is valid because this server has exactly one partition-key range, and the server evaluates
 *      ORDER BY, TOP and aggregates itself. (GROUP BY, DISTINCT and OFFSET/LIMIT stay unsupported: the query engine
 *      has no grammar for them.)
 *   3. Document queries are scoped to the partition named in the x-ms-documentdb-partitionkey header, as Cosmos DB
 *      does, and run without the package's check that the SQL names the partition key.
 *   4. A conditional patch evaluates its condition against the target document only, as Cosmos DB does (the package
 *      runs it as a query over the whole collection, lower-cased, which costs O(collection) per patch and can match
 *      another document with the same id in another partition). Literals in conditions are turned into parameters so
 *      the compiled condition can be reused: compiling one takes ~2.5 ms of the server's single thread, which would
 *      otherwise cap conditional patches far below the server's other writes.
 *   5. Fault injection for retry tests (the package never throttles): a client whose user agent contains
 *      "multiscope-fault-<status>-every-<n>" gets <status> (408, 429, 449 or 503, with a 20 ms retry-after) instead
 *      of an answer on every n-th document request; with "multiscope-lost-<status>-every-<n>" the request is carried
 *      out first and only its answer is replaced (a response lost on the way back). Ordinary clients never send
 *      these tokens.
 *
 * Usage: node launcher.js [--port 8081] [--host 127.0.0.1] [--cert cert.pem --key key.pem]
 * Without --cert/--key the package's bundled certificate is used (expired, no SAN: clients must skip validation).
 */
"use strict";

const fs = require("fs");
const https = require("https");
const path = require("path");
const { randomUUID } = require("crypto");

const PACKAGE = "@vercel/cosmosdb-server";
const packageDir = path.dirname(require.resolve(`${PACKAGE}/package.json`));
const lib = name => require(path.join(packageDir, "lib", name));
const Account = lib("account").default;
const packageRoutes = lib("routes").default;
const readItems = lib("handler/_read-items").default;
const { readOperation } = lib("handler/_document-operations");
const { patchOperation } = lib("handler/_patch-operations");
const { parsePartitionKey } = lib("utils/get-partition-from-header");
const readJson = lib("json").default;
// The query engine the package itself uses, resolved from the package so the versions match.
const cosmosQuery = require(require.resolve("@zeit/cosmosdb-query", { paths: [packageDir] })).default;

const DOCS = /^\/dbs\/([^/]+)\/colls\/([^/]+)\/docs(?:\/([^/]+))?\/?$/;

function header(req, name) {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isTrue(req, name) {
  return String(header(req, name) || "").toLowerCase() === "true";
}

/** The partition key value of the x-ms-documentdb-partitionkey header (a JSON array), or undefined if absent. */
function partitionKeyOf(req) {
  const raw = header(req, "x-ms-documentdb-partitionkey");
  if (!raw || raw === "[{}]") {
    return undefined;
  }
  const parsed = JSON.parse(raw);
  return Array.isArray(parsed) ? parsed[0] : parsed;
}

// 1. Point read: the package's readOperation already answers 404 for a missing item; its handler's partition
//    pre-check is what crashes on one, so call readOperation directly.
function readDocument(account, req, res, dbId, collId, docId) {
  const collection = account.database(dbId).collection(collId);
  if (!collection.read()) {
    res.statusCode = 404;
    return { code: "NotFound", message: `collection ${collId} does not exist` };
  }
  const result = readOperation(collection, { partitionKey: header(req, "x-ms-documentdb-partitionkey"), id: docId });
  res.statusCode = result.statusCode;
  return result.body;
}

// 2. Pass-through query plan.
function queryPlan(res) {
  res.statusCode = 200;
  return {
    partitionedQueryExecutionInfoVersion: 2,
    queryInfo: {
      distinctType: "None",
      top: null,
      offset: null,
      limit: null,
      orderBy: [],
      orderByExpressions: [],
      groupByExpressions: [],
      groupByAliases: [],
      aggregates: [],
      groupByAliasToAggregateType: {},
      rewrittenQuery: "",
      hasSelectValue: false,
      hasNonStreamingOrderBy: false
    },
    queryRanges: [{ min: "", max: "FF", isMinInclusive: true, isMaxInclusive: false }]
  };
}

// 3. Document query scoped to the header's partition.
async function queryDocuments(account, req, res, dbId, collId) {
  const body = await readJson(req);
  return readItems(req, res, "Documents", async ({ continuation, maxItemCount }) => {
    if (!body.query) {
      res.statusCode = 400;
      return { message: "missing query" };
    }
    const collection = account.database(dbId).collection(collId);
    const properties = collection.read();
    if (!properties) {
      return null; // readItems answers 404
    }
    const documents = collection.documents;
    const partition = partitionKeyOf(req);
    let items = [...documents._data.values()].map(item => item.read());
    if (partition !== undefined) {
      items = items.filter(item => documents._getPartition(item) === partition);
    }
    const compositeIndexes = (properties.indexingPolicy && properties.indexingPolicy.compositeIndexes) || [];
    try {
      return cosmosQuery(body.query).exec(items, {
        parameters: body.parameters,
        maxItemCount,
        continuation,
        compositeIndexes
      });
    } catch (err) {
      res.statusCode = 400;
      return { code: "BadRequest", message: err.message };
    }
  });
}

// Compiled patch conditions by shape: string and number literals become parameters.
const conditionCache = new Map();
const LITERAL = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|(?<![\w@.])-?\d+(?:\.\d+)?(?![\w.])/g;

function compiledCondition(condition) {
  const parameters = [];
  const shape = condition.replace(LITERAL, literal => {
    const name = `@__p${parameters.length}`;
    const quote = literal[0];
    const value = quote === '"' ? JSON.parse(literal)
      : quote === "'" ? literal.slice(1, -1).replace(/\\'/g, "'") : Number(literal);
    parameters.push({ name, value });
    return name;
  });
  let query = conditionCache.get(shape);
  if (!query) {
    query = cosmosQuery(`SELECT * ${shape}`);
    if (conditionCache.size >= 1000) {
      conditionCache.clear();
    }
    conditionCache.set(shape, query);
  }
  return { query, parameters };
}

// 4. Conditional patch: the condition is checked on the one document, then the package applies the operations.
async function patchDocument(account, req, res, dbId, collId, docId) {
  const body = await readJson(req);
  const collection = account.database(dbId).collection(collId);
  if (!collection.read()) {
    res.statusCode = 404;
    return { code: "NotFound", message: `collection ${collId} does not exist` };
  }
  const partitionKey = header(req, "x-ms-documentdb-partitionkey");
  const operations = Array.isArray(body) ? body : body.operations;
  if (!Array.isArray(body) && body.condition) {
    const document = collection.document(docId, parsePartitionKey(partitionKey, docId)).read();
    if (document) {
      let matches;
      try {
        const { query, parameters } = compiledCondition(body.condition);
        matches = query.exec([document], { parameters }).result.length > 0;
      } catch (err) {
        res.statusCode = 400;
        return { code: "BadRequest", message: `Invalid condition in patch request: ${err.message}` };
      }
      if (!matches) {
        res.statusCode = 412;
        return { code: "PreconditionFailed", message: "Condition specified in the patch request is not satisfied." };
      }
    }
  }
  const result = patchOperation(collection, { id: docId, partitionKey, ifMatch: header(req, "if-match"), operations });
  res.statusCode = result.statusCode;
  return result.body;
}

// 5. Fault injection, counted per token.
const FAULT = /multiscope-(fault|lost)-(408|429|449|503)-every-(\d+)/;
const faultCounters = new Map();

/** The fault to inject into this request ({ lost, status }), or undefined. */
function faultFor(req) {
  const match = FAULT.exec(header(req, "user-agent") || "");
  if (!match || !DOCS.test(req.url.split("?")[0].replace(/^\/\//, "/"))) {
    return undefined;
  }
  const count = (faultCounters.get(match[0]) || 0) + 1;
  faultCounters.set(match[0], count);
  return count % parseInt(match[3], 10) === 0 ? { lost: match[1] === "lost", status: parseInt(match[2], 10) } : undefined;
}

function injectFault(res, fault) {
  res.statusCode = fault.status;
  res.setHeader("x-ms-retry-after-ms", "20");
  return { code: "Injected", message: `${fault.status} injected by the test server launcher` };
}

/** The override for this request as {@code (account, res) => body}, or undefined to use the package's routes. */
function override(req) {
  const match = DOCS.exec(req.url.split("?")[0].replace(/^\/\//, "/"));
  if (!match) {
    return undefined;
  }
  const [dbId, collId, docId] = match.slice(1).map(part => (part === undefined ? part : decodeURIComponent(part)));
  if (req.method === "GET" && docId !== undefined) {
    return (account, res) => readDocument(account, req, res, dbId, collId, docId);
  }
  if (req.method === "PATCH" && docId !== undefined) {
    return (account, res) => patchDocument(account, req, res, dbId, collId, docId);
  }
  if (req.method === "POST" && docId === undefined) {
    if (isTrue(req, "x-ms-cosmos-is-query-plan-request")) {
      return (account, res) => queryPlan(res);
    }
    if (isTrue(req, "x-ms-documentdb-isquery") || header(req, "content-type") === "application/query+json") {
      return (account, res) => queryDocuments(account, req, res, dbId, collId);
    }
  }
  return undefined;
}

/** Mirrors the package's request handler (lib/index.js), trying the overrides first. */
function handle(account, req, res) {
  (async () => {
    let body;
    try {
      const fault = faultFor(req);
      const own = fault && !fault.lost ? undefined : override(req);
      const route = (fault && !fault.lost) || own ? undefined : packageRoutes(req);
      if (fault && !fault.lost) {
        body = injectFault(res, fault);
      } else if (own) {
        body = await own(account, res);
      } else if (route) {
        const [params, packageHandler] = route;
        body = await packageHandler(account, req, res, params);
      } else {
        res.statusCode = 400;
        body = { message: "no route" };
      }
      if (fault && fault.lost) {
        body = injectFault(res, fault);
      }
    } catch (err) {
      console.error(err);
      res.statusCode = 500;
      body = { message: err.message };
    }
    if (res.statusCode > 399 && body && !body.message) {
      body.message = "";
    }
    if (body && body._etag) {
      res.setHeader("etag", body._etag);
    }
    res.setHeader("content-type", "application/json");
    res.setHeader("content-location", `https://${req.headers.host}${req.url}`);
    res.setHeader("connection", "keep-alive");
    res.setHeader("x-ms-activity-id", randomUUID());
    res.setHeader("x-ms-request-charge", "1");
    res.end(body === undefined ? "" : JSON.stringify(body));
  })().catch(err => {
    console.error(err);
    if (!res.writableEnded) {
      res.statusCode = 500;
      res.end("");
    }
  });
}

function parseArgs(argv) {
  const args = { port: 8081, host: "127.0.0.1" };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, "");
    if (!["port", "host", "cert", "key"].includes(key) || argv[i + 1] === undefined) {
      throw new Error(`unknown or incomplete option ${argv[i]}; usage: launcher.js [--port N] [--host H] [--cert F --key F]`);
    }
    args[key] = key === "port" ? parseInt(argv[i + 1], 10) : argv[i + 1];
  }
  return args;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const tls = args.cert
    ? { cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key) }
    : { cert: fs.readFileSync(path.join(packageDir, "cert.pem")), key: fs.readFileSync(path.join(packageDir, "key.pem")) };
  let account;
  const server = https.createServer({ ...tls, keepAlive: true }, (req, res) => handle(account, req, res));
  server.keepAliveTimeout = 60000;
  server.listen(args.port, args.host, () => {
    const { address, port } = server.address();
    account = new Account(address, port);
    console.log(`Cosmos DB test server (${PACKAGE} with launcher overrides) listening on https://${address}:${port}`);
  });
}

main();
