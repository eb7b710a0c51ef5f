/**
 * Support for tests that run several `chat-server serve` processes: each
 * stream is handed to a Disposer, and messages go in through the REST API.
 */
import { expect } from "vitest";
import type { Disposer } from "./disposer.js";
import { openSse, type SseConnection, type SseEvent } from "./http-sse.js";

export function sseClosedAtDispose(
  disposer: Disposer,
  url: string,
  headers?: Record<string, string>,
): Promise<SseConnection> {
  return openSse(url, headers === undefined ? {} : { headers }).then((c) =>
    disposer.add(c, (x) => x.close()),
  );
}

export function submit(base: string, roomId: string, userId: string, text: string): Promise<Response> {
  return fetch(`${base}/room/${roomId}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId, text }),
  });
}

/** Submits and expects it accepted; returns the stored message's id. */
export async function post(
  base: string,
  roomId: string,
  userId: string,
  text: string,
): Promise<{ id: string }> {
  const response = await submit(base, roomId, userId, text);
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string };
}

export const messagesOf = (events: readonly SseEvent[]) => events.filter((e) => e.event === "message");

/** `/healthz` answers 503 `store_unavailable`. */
export async function expectHealthzStoreUnavailable(base: string): Promise<void> {
  const health = await fetch(`${base}/healthz`);
  expect(health.status).toBe(503);
  expect(await health.json()).toMatchObject({ error: { code: "store_unavailable" } });
}

/**
 * Waits for `/healthz` to answer 200 again after the store came back, then
 * checks that a new stream gets a new message. Bounded re-checks: the store
 * clients reconnect on their own backoff schedule, which nothing announces.
 */
export async function expectServingAgain(disposer: Disposer, base: string): Promise<string> {
  let healthy = false;
  for (let i = 0; i < 400 && !healthy; i++) {
    healthy = (await fetch(`${base}/healthz`)).status === 200;
    if (!healthy) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  expect(healthy).toBe(true);
  const stream = await sseClosedAtDispose(disposer, `${base}/stream/lobby`);
  expect((await stream.next())?.event).toBe("ready");
  const { id } = await post(base, "lobby", "ann", "after");
  expect(await stream.next()).toMatchObject({ event: "message", id });
  return id;
}
