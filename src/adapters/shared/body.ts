import type { IncomingMessage } from "node:http";
import express, { type RequestHandler } from "express";
import { HttpError } from "./error-response.js";
import type { ResolvedHttpOptions } from "./http-options.js";
import { checkFormBytes, checkJsonBytes } from "./utf8-body.js";

/**
 * Parses JSON and HTML-form bodies up to the body limit; other types are left
 * unparsed. Both parsers would replace bytes that are not UTF-8 with U+FFFD,
 * so the raw body is checked first (`invalid_text`).
 */
export function bodyParsers(options: ResolvedHttpOptions): RequestHandler[] {
  const limit = options.bodyLimitBytes;
  return [
    express.json({ limit, type: "application/json", strict: false, verify: checkJsonBytes }),
    express.urlencoded({
      limit,
      extended: false,
      type: "application/x-www-form-urlencoded",
      verify: checkFormBytes,
    }),
  ];
}

/** Which kind of body a submit carries, or a 415 / 400 error. */
export function bodyKind(req: express.Request): "json" | "form" {
  if (req.is("application/json")) {
    if (typeof req.body !== "object" || req.body === null || Array.isArray(req.body)) {
      throw new HttpError("invalid_body", 'Expected a JSON object such as {"userId":"ann","text":"hi"}');
    }
    return "json";
  }
  if (req.is("application/x-www-form-urlencoded")) return "form";
  throw new HttpError(
    "unsupported_media_type",
    `Expected Content-Type application/json or application/x-www-form-urlencoded, got ${JSON.stringify(req.get("content-type") ?? "none")}`,
  );
}

/**
 * A single query parameter as a string, `undefined` when absent or empty;
 * repeated → 400. Read from the URL itself, so a stream served outside
 * express reads it the same way.
 */
export function queryString(req: IncomingMessage, name: string): string | undefined {
  const query = req.url?.split("?")[1];
  if (query === undefined) return undefined;
  const values = new URLSearchParams(query).getAll(name);
  if (values.length > 1) {
    throw new HttpError("invalid_query", `Expected query parameter \`${name}\` at most once`);
  }
  return values[0] === "" ? undefined : values[0];
}
