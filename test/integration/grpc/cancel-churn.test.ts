import { type StatusObject, status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { type ChatTestClient, type EventStream, isMessage } from "../../helpers/grpc-client.js";
import { expectReleased, metricValue, useGrpcServers } from "../../helpers/grpc-server.js";
import { HeldOpenRooms } from "../../helpers/held-opens.js";

const start = useGrpcServers();

/** Connections shared by the churn, each with an observer stream that must keep streaming. */
const CONNECTIONS = 3;
/**
 * Calls per connection, a third cancelled at each point. Well under nghttp2's
 * stream-reset burst (1000 per connection, see stream-release.test.ts),
 * past which Node closes the whole connection.
 */
const CALLS_PER_CONNECTION = 150;

/** Cancels a live stream right after its `ready`, or after its first message (while messages flow). */
async function cancelLive(stream: EventStream, point: "after-ready" | "mid-messages"): Promise<StatusObject> {
  const ended = stream.ended();
  const reached = (async () => {
    await stream.next(); // ready
    if (point === "mid-messages") await stream.until((event) => event.event === "message");
  })();
  // A call that ended before reaching its point (it must not) shows in the status check.
  await Promise.race([reached.catch(() => undefined), ended]);
  stream.cancel();
  return ended;
}

/** How many of the calls ended with each status. */
function countCodes(statuses: readonly StatusObject[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const ended of statuses) counts[status[ended.code]] = (counts[status[ended.code]] ?? 0) + 1;
  return counts;
}

describe("gRPC Stream under cancel churn on shared connections", () => {
  it("releases every call's listener, presence and open-stream count, and never breaks another stream on the connection", async () => {
    const rooms = new HeldOpenRooms();
    const { client, metrics } = await start({ rooms });
    const chats = Array.from({ length: CONNECTIONS }, () => client());
    const observers = chats.map((chat) => chat.stream("churn", { userId: "observer" }));
    for (const observer of observers) expect((await observer.next()).event).toBe("ready");
    const baseline = { listeners: CONNECTIONS, members: ["observer"] };
    expect(await rooms.getRoom("churn")).toMatchObject(baseline);
    const openStreams = () => metricValue(metrics, "chat_open_streams", { adapter: "grpc" });
    expect(await openStreams()).toBe(CONNECTIONS);

    // Messages flow for the whole churn, so "mid-messages" cancels land while the server writes.
    let churning = true;
    const submitter = chats[0] as ChatTestClient;
    const flowing = (async () => {
      for (let i = 0; churning; i++) await submitter.submit("churn", "talker", `m${i}`);
    })();

    // A third of the calls are cancelled before `ready`: while the server is still opening
    // their listener (held there until every one of them was cancelled). They are cancelled
    // once the server has them: grpc-js (1.14) drops a cancel made in the same tick as the
    // call, yet still sends the call, which the server then rightly serves as a live stream.
    const opening: EventStream[] = [];
    const live: Promise<StatusObject>[] = [];
    chats.forEach((chat, c) => {
      for (let i = 0; i < CALLS_PER_CONNECTION; i++) {
        const user = (c * CALLS_PER_CONNECTION + i) % 25;
        if (i % 3 === 0) opening.push(chat.stream("churn", { userId: `held-${user}` }));
        else
          live.push(
            cancelLive(
              chat.stream("churn", { userId: `user${user}` }),
              i % 3 === 1 ? "after-ready" : "mid-messages",
            ),
          );
      }
    });
    await rooms.held(opening.length);
    for (const stream of opening) stream.cancel();
    const statuses = await Promise.all(opening.map((stream) => stream.ended()));
    rooms.release();
    statuses.push(...(await Promise.all(live)));
    churning = false;
    await flowing;

    // Every churn call ended by its own cancel: none failed with INTERNAL (or anything else).
    expect(countCodes(statuses)).toEqual({ CANCELLED: CONNECTIONS * CALLS_PER_CONNECTION });

    // The observers, on the same connections, never errored: each still receives what follows.
    await submitter.submit("churn", "talker", "sentinel");
    for (const observer of observers) await observer.until(isMessage("sentinel"));

    // Everything the churn calls held is released: back to the observers alone.
    await expectReleased({ metrics, rooms }, { streams: CONNECTIONS, roomId: "churn", ...baseline });
  });
});
