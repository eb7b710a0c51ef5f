import { afterEach, describe, expect, it } from "vitest";
import { Disposer, startTestServer } from "../../helpers/http-server.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const browser = { headers: { accept: "text/html" } };
const XSS = `<img src=x onerror=alert(1)><script>alert(2)</script>`;

describe("the server-rendered pages", () => {
  it("send a Content-Security-Policy that allows only the server's own script, style and connections", async () => {
    const server = await startTestServer(disposer);
    for (const path of ["/", "/room/lobby"]) {
      const csp = (await server.fetch(path, browser)).headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
    }
  });

  it("escape user text: a message and a user name with markup render as characters", async () => {
    const server = await startTestServer(disposer);
    await server.rooms.submit({ roomId: "lobby", userId: `"><b>ann`, text: XSS });
    const html = await (
      await server.fetch(`/room/lobby?user=${encodeURIComponent(`"><i>me`)}`, browser)
    ).text();
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;");
    expect(html).toContain("&quot;&gt;&lt;b&gt;ann");
    expect(html).toContain('value="&quot;&gt;&lt;i&gt;me"');
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>");
    expect(html).not.toContain("<i>");
    expect(html.match(/<script/g)).toHaveLength(1); // the page's own script tag only
  });

  it("render the latest 50 messages, oldest first, with the last one's id as the stream cursor", async () => {
    const server = await startTestServer(disposer);
    let last = "";
    for (let i = 1; i <= 60; i++) {
      last = (await server.rooms.submit({ roomId: "lobby", userId: "ann", text: `m${i}` })).id;
    }
    const html = await (await server.fetch("/room/lobby", browser)).text();
    const texts = [...html.matchAll(/<p class="text">([^<]*)<\/p>/g)].map((m) => m[1]);
    expect(texts).toEqual(Array.from({ length: 50 }, (_, i) => `m${i + 11}`));
    expect(html).toContain(`data-last-id="${last}"`);
  });

  it("mark the viewer's own messages with the own class", async () => {
    const server = await startTestServer(disposer);
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "mine" });
    await server.rooms.submit({ roomId: "lobby", userId: "bob", text: "theirs" });
    const html = await (await server.fetch("/room/lobby?user=ann", browser)).text();
    expect(html).toMatch(/<li class="message own"[^>]*><span class="author">ann<\/span>/);
    expect(html).toMatch(/<li class="message"[^>]*><span class="author">bob<\/span>/);
  });

  it("pre-fill the name from ?user=, and a random guest name when it is missing or invalid", async () => {
    const server = await startTestServer(disposer);
    const named = await (await server.fetch("/room/lobby?user=ann", browser)).text();
    expect(named).toContain('name="user" aria-label="Your name" value="ann"');
    for (const query of ["", "?user=", `?user=${"x".repeat(65)}`, "?user=%00"]) {
      const html = await (await server.fetch(`/room/lobby${query}`, browser)).text();
      expect(html).toMatch(/name="user" aria-label="Your name" value="guest-[0-9a-f]{4}"/);
    }
  });

  it("answers a browser 400 with an error page in words for an invalid room id in the address; an API client keeps JSON", async () => {
    const server = await startTestServer(disposer);
    const response = await server.fetch("/room/a%20b", browser);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain("A room name is 1 to 64 letters, digits, dots, dashes or underscores.");
    expect(html).not.toContain("[A-Za-z0-9._-]");
    // The name as typed, in the box to correct it.
    expect(html).toContain('value="a b"');
    const api = await server.fetch("/room/a%20b", { headers: { accept: "application/json" } });
    expect(api.status).toBe(400);
    expect(await api.json()).toMatchObject({ error: { code: "invalid_room_id" } });
  });

  it("answers a browser 404 with a page in words for an address nothing answers; an API client keeps JSON", async () => {
    const server = await startTestServer(disposer);
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "hi" });
    const response = await server.fetch("/rooms/lobby", browser);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<p class="error" role="alert">There is no such page.</p>');
    // The way on: the index's rooms and its box to open one.
    expect(html).toContain('href="/room/lobby"');
    const api = await server.fetch("/rooms/lobby", { headers: { accept: "*/*" } });
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: "not_found" } });
    // A browser's POST to nowhere is not a page visit: JSON.
    const post = await server.fetch("/rooms/lobby", { method: "POST", headers: browser.headers });
    expect(post.headers.get("content-type")).toMatch(/^application\/json/);
  });
});

describe("GET /open", () => {
  it("redirects 303 to the room page for a valid name, trimmed", async () => {
    const server = await startTestServer(disposer);
    const response = await server.fetch("/open?room=+lobby+", { redirect: "manual" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/room/lobby");
  });

  it("re-renders the index with the error and the typed name for an invalid one", async () => {
    const server = await startTestServer(disposer);
    const response = await server.fetch("/open?room=no%20spaces%3Cplease%3E", {
      redirect: "manual",
      ...browser,
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain("A room name is 1 to 64 letters, digits, dots, dashes or underscores.");
    expect(html).not.toContain("[A-Za-z0-9._-]");
    expect(html).toContain('value="no spaces&lt;please&gt;"');
    expect(await server.rooms.listRooms()).toEqual([]);
  });
});

describe("GET /", () => {
  it("lists every room with its name, message count and people present, linking to its page", async () => {
    const server = await startTestServer(disposer);
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "one" });
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "two" });
    const stream = await server.stream("/stream/lobby?userId=bob");
    await stream.next();
    const html = await (await server.fetch("/", browser)).text();
    expect(html).toContain('<a href="/room/lobby">lobby</a>');
    expect(html).toContain("2 messages · 1 here");
  });

  it("counts one message in the singular", async () => {
    const server = await startTestServer(disposer);
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "only" });
    const html = await (await server.fetch("/", browser)).text();
    expect(html).toContain("1 message · 0 here");
  });

  it("says there are no rooms yet on a fresh server", async () => {
    const server = await startTestServer(disposer);
    expect(await (await server.fetch("/", browser)).text()).toContain("No rooms yet");
  });
});

describe("a form post from a page without JavaScript", () => {
  const post = (fields: Record<string, string>, accept = "text/html") => ({
    method: "POST",
    redirect: "manual" as const,
    headers: { "content-type": "application/x-www-form-urlencoded", accept },
    body: new URLSearchParams(fields).toString(),
  });
  const shownLife = (html: string) => /name="room_created" value="([^"]*)"/.exec(html)?.[1];

  it("into a room deleted since the page was shown is refused with 409, saying so and keeping the draft; sent again, it starts the room anew", async () => {
    const server = await startTestServer(disposer);
    await server.rooms.submit({ roomId: "lobby", userId: "bob", text: "old news" });
    const life = shownLife(await (await server.fetch("/room/lobby?user=ann", browser)).text());
    expect(life).toBe((await server.rooms.getRoom("lobby")).createdAt);
    await server.rooms.deleteRoom("lobby");

    const refused = await server.fetch(
      "/room/lobby",
      post({ room_created: life ?? "", user: "ann", message: "hello?" }),
    );
    expect(refused.status).toBe(409);
    const page = await refused.text();
    expect(page).toContain("This room was deleted while you were here, so your message was not sent.");
    expect(page).toMatch(/<textarea name="message"[^>]*>hello\?<\/textarea>/);
    expect(await server.rooms.listRooms()).toEqual([]);
    // The page now shows no room: sending again starts one.
    expect(shownLife(page)).toBe("");
    const again = await server.fetch(
      "/room/lobby",
      post({ room_created: "", user: "ann", message: "hello?" }),
    );
    expect(again.status).toBe(303);
    expect((await server.rooms.history("lobby")).map((m) => m.text)).toEqual(["hello?"]);
  });

  it("into a room deleted and started again by someone else is refused too; an API client gets the JSON error", async () => {
    const server = await startTestServer(disposer);
    await server.rooms.submit({ roomId: "lobby", userId: "bob", text: "first life" });
    const life = shownLife(await (await server.fetch("/room/lobby", browser)).text()) ?? "";
    await server.rooms.deleteRoom("lobby");
    await server.rooms.submit({ roomId: "lobby", userId: "carol", text: "second life" });
    const api = await server.fetch(
      "/room/lobby",
      post({ room_created: life, user: "ann", message: "hi" }, "*/*"),
    );
    expect(api.status).toBe(409);
    expect(await api.json()).toMatchObject({ error: { code: "room_deleted" } });
    const current = shownLife(await (await server.fetch("/room/lobby", browser)).text()) ?? "";
    expect(
      (await server.fetch("/room/lobby", post({ room_created: current, user: "ann", message: "hi" }))).status,
    ).toBe(303);
    expect((await server.rooms.history("lobby")).map((m) => m.text)).toEqual(["second life", "hi"]);
  });
});
